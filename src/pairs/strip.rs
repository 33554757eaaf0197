//! [`pair_strip`]: one picture of a pair for people to look at — three
//! labelled rows (the original clip, member 1, member 2) of T frames each.

use image::{Rgb, RgbImage};

use super::PairSpec;
use super::font::{GLYPH_H, draw_text, text_width};
use crate::stats::Factor;
use crate::video::Clip;

const BACKGROUND: Rgb<u8> = Rgb([24, 24, 24]);
const TEXT: Rgb<u8> = Rgb([235, 235, 235]);
const RULE: Rgb<u8> = Rgb([110, 110, 110]);
/// Pixels between frames, and around the picture.
const GAP: u32 = 2;
/// Pixels between rows (a one-pixel rule runs through the middle).
const ROW_GAP: u32 = 6;

/// The three rows of pair `spec` as one image: `original`, member `a` and
/// member `b`, each under a label naming its style (`style_names[i]` for
/// style `i`, `style i` when the list is short); the static member's label
/// lists its frame order. Rows are separated by a thin rule.
pub fn pair_strip(
    original: &Clip,
    a: &Clip,
    b: &Clip,
    spec: &PairSpec,
    style_names: &[&str],
) -> RgbImage {
    let name = |i: usize| {
        style_names
            .get(i)
            .map_or_else(|| format!("style {i}"), |s| (*s).to_owned())
    };
    let second = match spec.factor {
        Factor::Dynamic => format!("2: {}", name(spec.style_b)),
        Factor::Static => {
            let order: Vec<String> = spec.permutation.iter().map(usize::to_string).collect();
            format!("2: {}, frames {}", name(spec.style_b), order.join(" "))
        }
    };
    let labels = [
        format!(
            "pair {} - video {} - {} - original",
            spec.id,
            spec.video,
            spec.factor.name()
        ),
        format!("1: {}", name(spec.style_a)),
        second,
    ];
    let rows = [original, a, b];

    let frame_w = rows.iter().map(|c| c.w).max().unwrap_or(0) as u32;
    let scale = if frame_w >= 96 { 2 } else { 1 };
    let label_h = (GLYPH_H + 4) * scale;
    let row_w = |c: &Clip| c.t as u32 * (c.w as u32 + GAP);
    // Wide enough for every row of frames and every label.
    let label_w = labels
        .iter()
        .map(|l| text_width(l, scale) + scale)
        .max()
        .unwrap_or(0);
    let width = rows
        .iter()
        .map(|c| row_w(c))
        .max()
        .unwrap_or(0)
        .max(label_w)
        + GAP;
    let height = rows.iter().map(|c| label_h + c.h as u32).sum::<u32>() + 2 * ROW_GAP + 2 * GAP;
    let mut image = RgbImage::from_pixel(width.max(1), height.max(1), BACKGROUND);

    let mut top = GAP;
    for (i, (clip, label)) in rows.iter().zip(&labels).enumerate() {
        if i > 0 {
            for x in 0..width {
                image.put_pixel(x, top - ROW_GAP / 2, RULE);
            }
        }
        draw_text(&mut image, GAP + scale, top + 2 * scale, label, scale, TEXT);
        let frames_top = top + label_h;
        for f in 0..clip.t {
            let left = GAP + f as u32 * (clip.w as u32 + GAP);
            let frame = clip.frame_image(f);
            for (x, y, p) in frame.enumerate_pixels() {
                image.put_pixel(left + x, frames_top + y, *p);
            }
        }
        top = frames_top + clip.h as u32 + ROW_GAP;
    }
    image
}
