//! The standard optical-flow colour wheel (Baker et al., "A Database and
//! Evaluation Methodology for Optical Flow", ICCV 2007), computed as the
//! `flow_vis` package and RAFT's `flow_viz` compute it: each image is scaled
//! by its largest flow magnitude (plus 1e-5), the direction picks a colour
//! of a 55-entry wheel (interpolated), the magnitude blends it from white,
//! and each channel is `floor(255 · c)`.

use image::RgbImage;

/// The 55 colours of the wheel, 0–255: red–yellow (15), yellow–green (6),
/// green–cyan (4), cyan–blue (11), blue–magenta (13), magenta–red (6).
fn colorwheel() -> Vec<[f64; 3]> {
    let ramp = |i: usize, n: usize| (255.0 * i as f64 / n as f64).floor();
    let mut wheel = Vec::with_capacity(55);
    wheel.extend((0..15).map(|i| [255.0, ramp(i, 15), 0.0]));
    wheel.extend((0..6).map(|i| [255.0 - ramp(i, 6), 255.0, 0.0]));
    wheel.extend((0..4).map(|i| [0.0, 255.0, ramp(i, 4)]));
    wheel.extend((0..11).map(|i| [0.0, 255.0 - ramp(i, 11), 255.0]));
    wheel.extend((0..13).map(|i| [ramp(i, 13), 0.0, 255.0]));
    wheel.extend((0..6).map(|i| [255.0, 0.0, 255.0 - ramp(i, 6)]));
    wheel
}

/// The colour image of an `h × w` flow field (`uv` holds u, v per pixel,
/// in pixels): `flow_vis.flow_to_color`.
pub fn flow_to_color(uv: &[f32], h: usize, w: usize) -> RgbImage {
    let wheel = colorwheel();
    let n = wheel.len();
    let rad_max = uv
        .chunks_exact(2)
        .map(|p| f64::from(p[0]).hypot(f64::from(p[1])))
        .fold(0.0f64, f64::max);
    let scale = 1.0 / (rad_max + 1e-5);
    let mut out = Vec::with_capacity(h * w * 3);
    for p in uv.chunks_exact(2).take(h * w) {
        let (u, v) = (f64::from(p[0]) * scale, f64::from(p[1]) * scale);
        let rad = u.hypot(v);
        let a = (-v).atan2(-u) / std::f64::consts::PI;
        let fk = (a + 1.0) / 2.0 * (n - 1) as f64;
        let k0 = fk.floor() as usize;
        let k1 = if k0 + 1 == n { 0 } else { k0 + 1 };
        let f = fk - k0 as f64;
        for (c0, c1) in wheel[k0.min(n - 1)].iter().zip(wheel[k1]) {
            let (c0, c1) = (c0 / 255.0, c1 / 255.0);
            let mut c = (1.0 - f) * c0 + f * c1;
            if rad <= 1.0 {
                c = 1.0 - rad * (1.0 - c);
            } else {
                c *= 0.75;
            }
            out.push((255.0 * c).floor().clamp(0.0, 255.0) as u8);
        }
    }
    out.resize(h * w * 3, 0);
    RgbImage::from_raw(w as u32, h as u32, out).unwrap_or_else(|| RgbImage::new(w as u32, h as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn px(img: &RgbImage, x: u32, y: u32) -> [u8; 3] {
        img.get_pixel(x, y).0
    }

    #[test]
    fn the_wheel_has_55_colours_in_the_published_order() {
        let w = colorwheel();
        assert_eq!(w.len(), 55);
        assert_eq!(w[0], [255.0, 0.0, 0.0]);
        assert_eq!(w[1], [255.0, 17.0, 0.0]);
        assert_eq!(w[15], [255.0, 255.0, 0.0]);
        assert_eq!(w[21], [0.0, 255.0, 0.0]);
        assert_eq!(w[25], [0.0, 255.0, 255.0]);
        assert_eq!(w[36], [0.0, 0.0, 255.0]);
        assert_eq!(w[49], [255.0, 0.0, 255.0]);
        assert_eq!(w[54], [255.0, 0.0, 43.0]);
    }

    #[test]
    fn a_field_maps_to_the_colours_flow_vis_gives() {
        // flow_vis 0.1 `flow_to_color` of this 3×4 field (float64), with
        // zero flow at the first pixel (white).
        let uv = [
            0.0, 0.0, 0.8362, -1.1355, -0.9053, -0.4312, -4.04, -0.4639, -1.7304, 6.646, 0.4516,
            -0.7053, -0.5626, -1.3361, -2.1103, -0.7816, 0.9639, -0.4771, 1.9155, -0.3996, 0.0485,
            3.0916, 1.0902, -1.0105,
        ];
        let expected: [u8; 36] = [
            255, 255, 255, 242, 202, 255, 217, 235, 255, 104, 214, 255, 226, 255, 0, 246, 223, 255,
            205, 201, 255, 171, 216, 255, 255, 215, 248, 255, 182, 215, 255, 242, 140, 248, 199,
            255,
        ];
        assert_eq!(flow_to_color(&uv, 3, 4).into_raw(), expected);
        // unit flow right is pure red at the wheel's start
        let img = flow_to_color(&[1.0, 0.0, 0.0, 0.0], 1, 2);
        assert_eq!(px(&img, 0, 0), [255, 0, 0]);
    }
}
