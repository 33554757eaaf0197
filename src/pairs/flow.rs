//! Flow jitter for two-stream (RGB + optical flow) models (METHOD.md §2, last
//! paragraph): a static pair keeps the RGB frame and jitters the hue and
//! saturation of the colour-wheel flow image. On such an image hue encodes
//! flow direction and saturation magnitude, so the jitter rotates the flow
//! and rescales its magnitude while the appearance stays.
//!
//! The jitter is done in HSV: hue `+= hue_shift` (in turns, so 1.0 is a full
//! turn and leaves the image unchanged), saturation `×= sat_factor` clamped
//! to [0, 1], value untouched. (torchvision's `ColorJitter` scales saturation
//! by blending with grey instead; on a colour-wheel image the HSV form is the
//! one that rescales magnitude exactly.)

use super::PairsError;
use super::hash::{Stream, StreamKind};
use super::style::{hsv_to_rgb, rgb_to_hsv};
use crate::video::Clip;

/// The jitter of pair `id` under `seed`: `(hue_shift, sat_factor)` with
/// `h ~ U(0.1, 0.5)`, `hue_shift ~ U[−h, h]` (turns), `s ~ U(0.1, 1.0)`,
/// `sat_factor ~ U[1 − s, 1 + s]`. Counter-based like the pair plan.
pub fn flow_jitter_params(seed: u64, id: u64) -> (f32, f32) {
    let mut stream = Stream::new(seed, StreamKind::FlowJitter, id);
    let h = stream.uniform(0.1, 0.5);
    let hue_shift = stream.uniform(-h, h);
    let s = stream.uniform(0.1, 1.0);
    let sat_factor = stream.uniform(1.0 - s, 1.0 + s);
    (hue_shift as f32, sat_factor as f32)
}

/// Jitters an `h × w × 3` flow image (values in [0, 1]) in place: hue
/// rotated by `hue_shift` turns, saturation scaled by `sat_factor`. Errors
/// when the slice is not `h · w · 3` long.
pub fn jitter_flow(
    image: &mut [f32],
    h: usize,
    w: usize,
    hue_shift: f32,
    sat_factor: f32,
) -> Result<(), PairsError> {
    if h.checked_mul(w).and_then(|n| n.checked_mul(3)) != Some(image.len()) {
        return Err(PairsError::FlowImageSize {
            len: image.len(),
            h,
            w,
        });
    }
    for p in image.chunks_exact_mut(3) {
        let [hue, sat, value] = rgb_to_hsv(p);
        let rgb = hsv_to_rgb([
            hue + hue_shift,
            (sat * sat_factor).clamp(0.0, 1.0),
            value.clamp(0.0, 1.0),
        ]);
        for (out, v) in p.iter_mut().zip(rgb) {
            *out = v.clamp(0.0, 1.0);
        }
    }
    Ok(())
}

/// Jitters every frame of a flow clip in place with `(hue_shift,
/// sat_factor)`: a colour-wheel clip through [`jitter_flow`]; a `uv` clip
/// (u, v in the first two channels of each pixel) by the same change of the
/// field itself: rotated by `hue_shift` turns (counter-clockwise in (u, v))
/// and scaled by `sat_factor`.
pub fn jitter_flow_clip(clip: &mut Clip, uv: bool, hue_shift: f32, sat_factor: f32) {
    let (h, w) = (clip.h, clip.w);
    if uv {
        let angle = std::f32::consts::TAU * hue_shift;
        let (sin, cos) = angle.sin_cos();
        for p in clip.data.chunks_exact_mut(3) {
            let (u, v) = (p[0], p[1]);
            p[0] = sat_factor * (cos * u - sin * v);
            p[1] = sat_factor * (sin * u + cos * v);
        }
    } else {
        for f in 0..clip.t {
            // The frame is h · w · 3 long by construction.
            let _ = jitter_flow(clip.frame_mut(f), h, w, hue_shift, sat_factor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 6×8 colour-wheel-like image: hue by column, saturation by row.
    fn wheel() -> Vec<f32> {
        let (h, w) = (6, 8);
        let mut out = Vec::with_capacity(h * w * 3);
        for y in 0..h {
            for x in 0..w {
                out.extend(hsv_to_rgb([
                    x as f32 / w as f32,
                    y as f32 / (h - 1) as f32,
                    0.9,
                ]));
            }
        }
        out
    }

    fn max_diff(a: &[f32], b: &[f32]) -> f32 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn zero_shift_and_unit_factor_is_identity() {
        let original = wheel();
        let mut image = original.clone();
        jitter_flow(&mut image, 6, 8, 0.0, 1.0).unwrap();
        assert!(max_diff(&image, &original) < 1e-5);
    }

    #[test]
    fn a_full_turn_of_hue_is_identity() {
        let original = wheel();
        let mut image = original.clone();
        jitter_flow(&mut image, 6, 8, 1.0, 1.0).unwrap();
        assert!(max_diff(&image, &original) < 1e-5);
    }

    #[test]
    fn hue_shift_rotates_direction_and_factor_scales_saturation() {
        let mut image = hsv_to_rgb([0.1, 0.5, 0.8]).to_vec();
        jitter_flow(&mut image, 1, 1, 0.25, 1.5).unwrap();
        let [hue, sat, value] = rgb_to_hsv(&image);
        assert!(
            (hue - 0.35).abs() < 1e-4 && (sat - 0.75).abs() < 1e-4 && (value - 0.8).abs() < 1e-4
        );
        let mut image = hsv_to_rgb([0.9, 0.5, 0.8]).to_vec();
        jitter_flow(&mut image, 1, 1, 0.3, 3.0).unwrap();
        let [hue, sat, _] = rgb_to_hsv(&image);
        assert!(
            (hue - 0.2).abs() < 1e-4 && (sat - 1.0).abs() < 1e-6,
            "wraps and clamps"
        );
    }

    #[test]
    fn a_uv_clip_is_rotated_and_scaled() {
        let mut clip = Clip::zeros(2, 1, 1);
        clip.data = vec![1.0, 0.0, 0.0, 0.0, 2.0, 0.0];
        jitter_flow_clip(&mut clip, true, 0.25, 1.5);
        let want = [0.0, 1.5, 0.0, -3.0, 0.0, 0.0];
        assert!(max_diff(&clip.data, &want) < 1e-6, "{:?}", clip.data);
        let mut colour = Clip::zeros(1, 6, 8);
        colour.data = wheel();
        jitter_flow_clip(&mut colour, false, 1.0, 1.0);
        assert!(max_diff(&colour.data, &wheel()) < 1e-5);
    }

    #[test]
    fn wrong_size_is_an_error() {
        let mut image = vec![0.5; 10];
        assert_eq!(
            jitter_flow(&mut image, 2, 2, 0.0, 1.0),
            Err(PairsError::FlowImageSize {
                len: 10,
                h: 2,
                w: 2
            })
        );
    }

    #[test]
    fn params_follow_the_reference_ranges_and_are_seeded() {
        let mut shifts = Vec::new();
        for id in 0..2000 {
            let (shift, factor) = flow_jitter_params(3, id);
            assert!(shift.abs() <= 0.5 && (0.0..=2.0).contains(&factor));
            assert_eq!((shift, factor), flow_jitter_params(3, id));
            shifts.push(shift);
        }
        assert_ne!(flow_jitter_params(3, 0), flow_jitter_params(4, 0));
        let mean = shifts.iter().sum::<f32>() / shifts.len() as f32;
        assert!(mean.abs() < 0.02, "symmetric about 0: {mean}");
        assert!(shifts.iter().any(|s| s.abs() > 0.4) && shifts.iter().any(|s| s.abs() < 0.05));
    }
}
