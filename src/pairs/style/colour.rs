//! Colour-space helpers shared by the styles: sRGB ↔ linear (table-driven,
//! for speed), CIELAB (D65), Rec. 601 luma and HSV.
//!
//! All functions take and return `f32`; RGB inputs are clamped to [0, 1]
//! where a transfer curve needs it, so out-of-range input never yields NaN.

use std::sync::LazyLock;

/// Table size for the transfer curves (linear interpolation in between;
/// the error is below 1e-5, far under an 8-bit step).
const LUT_SIZE: usize = 4096;

static DECODE: LazyLock<Vec<f32>> = LazyLock::new(|| {
    (0..=LUT_SIZE)
        .map(|i| srgb_to_linear_exact(i as f32 / LUT_SIZE as f32))
        .collect()
});

static ENCODE: LazyLock<Vec<f32>> = LazyLock::new(|| {
    (0..=LUT_SIZE)
        .map(|i| linear_to_srgb_exact(i as f32 / LUT_SIZE as f32))
        .collect()
});

/// CIELAB's `f` on [0, 1] (a cube root above (6/29)³): the cube root is most
/// of the cost of a Lab conversion.
static LAB_F: LazyLock<Vec<f32>> = LazyLock::new(|| {
    (0..=LUT_SIZE)
        .map(|i| lab_f(i as f32 / LUT_SIZE as f32))
        .collect()
});

fn srgb_to_linear_exact(v: f32) -> f32 {
    if v <= 0.040_45 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb_exact(v: f32) -> f32 {
    if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

fn lookup(table: &[f32], v: f32) -> f32 {
    let x = v.clamp(0.0, 1.0) * LUT_SIZE as f32;
    let i = (x as usize).min(LUT_SIZE - 1);
    let frac = x - i as f32;
    table[i] + (table[i + 1] - table[i]) * frac
}

/// Rec. 601 luma of an sRGB-encoded pixel.
pub(crate) fn luma(p: &[f32]) -> f32 {
    0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
}

// D65 white and the sRGB → XYZ matrix (IEC 61966-2-1).
const WHITE: [f32; 3] = [0.950_47, 1.0, 1.088_83];
const DELTA: f32 = 6.0 / 29.0;

fn lab_f(t: f32) -> f32 {
    if t > DELTA * DELTA * DELTA {
        t.cbrt()
    } else {
        t / (3.0 * DELTA * DELTA) + 4.0 / 29.0
    }
}

fn lab_f_inv(t: f32) -> f32 {
    if t > DELTA {
        t * t * t
    } else {
        3.0 * DELTA * DELTA * (t - 4.0 / 29.0)
    }
}

/// sRGB-encoded pixel → CIELAB `[L (0..100), a, b]` (inputs clamped to
/// [0, 1]; tabled, within 1e-3 of the exact conversion).
pub(crate) fn rgb_to_lab(p: &[f32]) -> [f32; 3] {
    let decode = &**DECODE;
    let (r, g, b) = (
        lookup(decode, p[0]),
        lookup(decode, p[1]),
        lookup(decode, p[2]),
    );
    let x = (0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b) / WHITE[0];
    let y = (0.212_672_9 * r + 0.715_152_2 * g + 0.072_175 * b) / WHITE[1];
    let z = (0.019_333_9 * r + 0.119_192 * g + 0.950_304_1 * b) / WHITE[2];
    let f = &**LAB_F;
    let (fx, fy, fz) = (lookup(f, x), lookup(f, y), lookup(f, z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIELAB → sRGB-encoded pixel, clamped to [0, 1] (out-of-gamut colours
/// are clipped per channel).
pub(crate) fn lab_to_rgb(lab: [f32; 3]) -> [f32; 3] {
    let fy = (lab[0] + 16.0) / 116.0;
    let fx = fy + lab[1] / 500.0;
    let fz = fy - lab[2] / 200.0;
    let (x, y, z) = (
        lab_f_inv(fx) * WHITE[0],
        lab_f_inv(fy) * WHITE[1],
        lab_f_inv(fz) * WHITE[2],
    );
    let r = 3.240_454_2 * x - 1.537_138_5 * y - 0.498_531_4 * z;
    let g = -0.969_266 * x + 1.876_010_8 * y + 0.041_556 * z;
    let b = 0.055_643_4 * x - 0.204_025_9 * y + 1.057_225_2 * z;
    let encode = &**ENCODE;
    [lookup(encode, r), lookup(encode, g), lookup(encode, b)]
}

/// RGB in [0, 1] → HSV with hue in turns [0, 1).
pub(crate) fn rgb_to_hsv(p: &[f32]) -> [f32; 3] {
    let (r, g, b) = (p[0], p[1], p[2]);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let chroma = max - min;
    let hue = if chroma <= 0.0 {
        0.0
    } else if max == r {
        ((g - b) / chroma).rem_euclid(6.0) / 6.0
    } else if max == g {
        ((b - r) / chroma + 2.0) / 6.0
    } else {
        ((r - g) / chroma + 4.0) / 6.0
    };
    let sat = if max <= 0.0 { 0.0 } else { chroma / max };
    [hue, sat, max]
}

/// HSV (hue in turns, any real; saturation and value in [0, 1]) → RGB.
pub(crate) fn hsv_to_rgb(hsv: [f32; 3]) -> [f32; 3] {
    let [h, s, v] = hsv;
    let h6 = h.rem_euclid(1.0) * 6.0;
    let c = v * s;
    let x = c * (1.0 - (h6.rem_euclid(2.0) - 1.0).abs());
    let (r, g, b) = match h6 as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    [r + m, g + m, b + m]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_round_trips() {
        for p in [
            [0.0, 0.0, 0.0],
            [1.0, 1.0, 1.0],
            [0.2, 0.5, 0.9],
            [0.9, 0.1, 0.3],
            [0.01, 0.02, 0.0],
        ] {
            let back = lab_to_rgb(rgb_to_lab(&p));
            for c in 0..3 {
                assert!((back[c] - p[c]).abs() < 1e-3, "{p:?} → {back:?}");
            }
        }
        let white = rgb_to_lab(&[1.0, 1.0, 1.0]);
        assert!((white[0] - 100.0).abs() < 0.05 && white[1].abs() < 0.05 && white[2].abs() < 0.05);
    }

    #[test]
    fn tabled_lab_matches_the_exact_conversion() {
        let exact = |p: [f32; 3]| {
            let l = p.map(srgb_to_linear_exact);
            let x = (0.412_456_4 * l[0] + 0.357_576_1 * l[1] + 0.180_437_5 * l[2]) / WHITE[0];
            let y = (0.212_672_9 * l[0] + 0.715_152_2 * l[1] + 0.072_175 * l[2]) / WHITE[1];
            let z = (0.019_333_9 * l[0] + 0.119_192 * l[1] + 0.950_304_1 * l[2]) / WHITE[2];
            let (fx, fy, fz) = (lab_f(x), lab_f(y), lab_f(z));
            [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
        };
        for i in 0..=10 {
            for j in 0..=10 {
                let p = [i as f32 / 10.0, j as f32 / 10.0, 0.37];
                let (got, want) = (rgb_to_lab(&p), exact(p));
                for c in 0..3 {
                    assert!(
                        (got[c] - want[c]).abs() < 1e-2,
                        "{p:?}: {got:?} vs {want:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn transfer_tables_match_the_curves() {
        for i in 0..=100 {
            let v = i as f32 / 100.0;
            assert!((lookup(&DECODE, v) - srgb_to_linear_exact(v)).abs() < 1e-5);
            assert!((lookup(&ENCODE, v) - linear_to_srgb_exact(v)).abs() < 1e-4);
            assert!((lookup(&LAB_F, v) - lab_f(v)).abs() < 1e-4);
        }
    }

    #[test]
    fn hsv_round_trips() {
        for p in [
            [0.2f32, 0.5, 0.9],
            [0.9, 0.1, 0.3],
            [0.5, 0.5, 0.5],
            [0.0, 1.0, 0.0],
        ] {
            let back = hsv_to_rgb(rgb_to_hsv(&p));
            for c in 0..3 {
                assert!((back[c] - p[c]).abs() < 1e-5, "{p:?} → {back:?}");
            }
        }
    }
}
