//! Colour-space helpers shared by the styles: sRGB ↔ linear (table-driven,
//! for speed), CIELAB (D65), Rec. 601 luma and HSV.
//!
//! All functions take and return `f32`; RGB inputs are clamped to [0, 1]
//! where a transfer curve needs it, so out-of-range input never yields NaN.

use std::sync::LazyLock;

/// Table size for the curves (linear interpolation in between; the error is
/// below 2e-4, a twentieth of an 8-bit step).
const LUT_SIZE: usize = 4096;

/// A curve sampled at `i / LUT_SIZE`, `i = 0..=LUT_SIZE` (a fixed-size array
/// so that lookups need no bounds checks).
type Table = [f32; LUT_SIZE + 2];

fn tabulate(curve: fn(f32) -> f32) -> Box<Table> {
    Box::new(std::array::from_fn(|i| curve(i as f32 / LUT_SIZE as f32)))
}

static DECODE: LazyLock<Box<Table>> = LazyLock::new(|| tabulate(srgb_to_linear_exact));
static ENCODE: LazyLock<Box<Table>> = LazyLock::new(|| tabulate(linear_to_srgb_exact));
/// CIELAB's `f` on [0, 1] (a cube root above (6/29)³): the cube root is most
/// of the cost of a Lab conversion.
static LAB_F: LazyLock<Box<Table>> = LazyLock::new(|| tabulate(lab_f));

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

/// 2²³: adding it to a float in [0, 2²²] leaves the nearest integer in the
/// low mantissa bits (cheaper than a saturating float → int cast).
const ROUND: f32 = 8_388_608.0;

/// The curve at `v` (clamped to [0, 1]): linear through the table entries
/// at `i` and `i + 1`, `i` the nearest sample (so `v` may lie up to half a
/// step before `i`: the line is then extended, which the tests bound).
#[inline]
fn lookup(table: &Table, v: f32) -> f32 {
    let x = v.clamp(0.0, 1.0) * LUT_SIZE as f32;
    let rounded = x + ROUND;
    let i = ((rounded.to_bits() & 0x007F_FFFF) as usize).min(LUT_SIZE);
    let frac = x - (rounded - ROUND);
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

/// Linear sRGB → XYZ, each row divided by the white point's component.
const TO_XYZ_N: [[f32; 3]; 3] = [
    [
        0.412_456_4 / WHITE[0],
        0.357_576_1 / WHITE[0],
        0.180_437_5 / WHITE[0],
    ],
    [
        0.212_672_9 / WHITE[1],
        0.715_152_2 / WHITE[1],
        0.072_175 / WHITE[1],
    ],
    [
        0.019_333_9 / WHITE[2],
        0.119_192 / WHITE[2],
        0.950_304_1 / WHITE[2],
    ],
];

/// XYZ (white-normalized) → linear sRGB: the inverse matrix, each column
/// multiplied by the white point's component.
const FROM_XYZ_N: [[f32; 3]; 3] = [
    [
        3.240_454_2 * WHITE[0],
        -1.537_138_5 * WHITE[1],
        -0.498_531_4 * WHITE[2],
    ],
    [
        -0.969_266 * WHITE[0],
        1.876_010_8 * WHITE[1],
        0.041_556 * WHITE[2],
    ],
    [
        0.055_643_4 * WHITE[0],
        -0.204_025_9 * WHITE[1],
        1.057_225_2 * WHITE[2],
    ],
];

fn mat(m: &[[f32; 3]; 3], v: [f32; 3]) -> [f32; 3] {
    m.map(|row| row[0] * v[0] + row[1] * v[1] + row[2] * v[2])
}

/// sRGB-encoded pixel → CIELAB `[L (0..100), a, b]` (inputs clamped to
/// [0, 1]; tabled, within 1e-2 of the exact conversion).
pub(crate) fn rgb_to_lab(p: &[f32]) -> [f32; 3] {
    let decode = &**DECODE;
    let linear = [
        lookup(decode, p[0]),
        lookup(decode, p[1]),
        lookup(decode, p[2]),
    ];
    let [x, y, z] = mat(&TO_XYZ_N, linear);
    let f = &**LAB_F;
    let (fx, fy, fz) = (lookup(f, x), lookup(f, y), lookup(f, z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIELAB → sRGB-encoded pixel, clamped to [0, 1] (out-of-gamut colours
/// are clipped per channel).
pub(crate) fn lab_to_rgb(lab: [f32; 3]) -> [f32; 3] {
    let fy = (lab[0] + 16.0) * (1.0 / 116.0);
    let fx = fy + lab[1] * (1.0 / 500.0);
    let fz = fy - lab[2] * (1.0 / 200.0);
    let linear = mat(&FROM_XYZ_N, [lab_f_inv(fx), lab_f_inv(fy), lab_f_inv(fz)]);
    let encode = &**ENCODE;
    linear.map(|v| lookup(encode, v))
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
        // 2^16 + 1 points: every table step, between and at the samples.
        let n = 65_536;
        let worst = |table: &Table, curve: fn(f32) -> f32| {
            (0..=n)
                .map(|i| {
                    let v = i as f32 / n as f32;
                    (lookup(table, v) - curve(v)).abs()
                })
                .fold(0.0, f32::max)
        };
        assert!(worst(&DECODE, srgb_to_linear_exact) < 1e-5);
        assert!(
            worst(&ENCODE, linear_to_srgb_exact) < 2e-4,
            "under 1/20 of an 8-bit step"
        );
        assert!(worst(&LAB_F, lab_f) < 2e-4);
        assert_eq!(lookup(&DECODE, -3.0), 0.0);
        assert!((lookup(&DECODE, 7.0) - 1.0).abs() < 1e-6);
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
