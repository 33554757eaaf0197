//! The other inputs of a multi-input model's pair as a picture beside the
//! RGB strip: for a two-stream model, both members' optical flow as the
//! colour wheel; for a two-pathway model, both members of the other
//! pathway. Each member is one row of frames under a caption, as the RGB
//! strip shows its members.

use image::RgbImage;

use crate::analysis::{BuiltPair, OtherInput};
use crate::figure::caption::{caption_band, stack};
use crate::inspect::side_by_side;
use crate::model::InputKind;
use crate::stats::Factor;
use crate::video::Clip;
use crate::video::flow::flow_to_color;

/// Pixels between frames, before scaling.
const GAP: u32 = 2;
/// The narrowest picture: wide enough for the captions.
const MIN_WIDTH: u32 = 440;

/// The frames of `clip` as images: a (u, v) field as the colour wheel (each
/// frame scaled by its own largest motion), else the clip's own colours.
pub fn clip_images(clip: &Clip, uv: bool) -> Vec<RgbImage> {
    (0..clip.t)
        .map(|f| {
            if uv {
                let field: Vec<f32> = clip
                    .frame(f)
                    .chunks_exact(3)
                    .flat_map(|p| [p[0], p[1]])
                    .collect();
                flow_to_color(&field, clip.h, clip.w)
            } else {
                clip.frame_image(f)
            }
        })
        .collect()
}

/// What the input is and how it is shown, for the picture's title.
fn describe(input: &OtherInput) -> (String, &'static str) {
    match input.kind {
        InputKind::Flow => (
            format!("optical flow '{}'", input.name),
            "colour wheel: hue is the direction, saturation the speed",
        ),
        InputKind::Pathway => (
            format!("pathway '{}'", input.name),
            "its own frames of the same window",
        ),
        InputKind::Rgb => (format!("input '{}'", input.name), "RGB frames"),
    }
}

/// Member 1's caption: a flow is the frames' own, a pathway is styled.
fn member1(input: &OtherInput, style_a: &str) -> String {
    match input.kind {
        InputKind::Flow => "member 1: the flow of its frames".into(),
        _ => format!("member 1: {style_a}"),
    }
}

/// Member 2's caption: how it differs from member 1 in this input.
fn member2(input: &OtherInput, factor: Factor, style_b: &str) -> String {
    match (input.kind, factor) {
        (InputKind::Flow, Factor::Static) => {
            "member 2: jittered (the motion rotated and rescaled)".into()
        }
        (InputKind::Flow, Factor::Dynamic) => "member 2: the same flow".into(),
        (InputKind::Pathway, Factor::Static) => "member 2: its frames shuffled".into(),
        _ => format!("member 2: {style_b}"),
    }
}

/// The picture of `input` of `pair` (styles `style_a`, `style_b`): a title
/// naming the pair and video as the RGB strip does, then member 1's and
/// member 2's frames, each enlarged `scale` times.
pub fn other_strip(
    pair: &BuiltPair,
    input: &OtherInput,
    [style_a, style_b]: [&str; 2],
    scale: u32,
) -> anyhow::Result<RgbImage> {
    let scale = scale.max(1);
    let rows = [
        (member1(input, style_a), clip_images(&input.a, input.uv)),
        (
            member2(input, pair.spec.factor, style_b),
            clip_images(&input.b, input.uv),
        ),
    ];
    let rows: Vec<(String, RgbImage)> = rows
        .into_iter()
        .map(|(label, frames)| (label, side_by_side(&frames, scale, GAP)))
        .collect();
    let width = rows
        .iter()
        .map(|(_, img)| img.width())
        .max()
        .unwrap_or(0)
        .max(MIN_WIDTH);
    let centre = f64::from(width) / 2.0;
    let (what, how) = describe(input);
    let title = format!(
        "pair {} · video {} · {} · {what}",
        pair.spec.id,
        pair.spec.video,
        pair.spec.factor.name()
    );
    let mut out = caption_band(
        width,
        &[vec![(centre, title)], vec![(centre, how.to_string())]],
    )?;
    for (label, frames) in &rows {
        out = stack(
            &out,
            &caption_band(width, &[vec![(centre, label.clone())]])?,
        );
        out = stack(&out, frames);
    }
    Ok(out)
}

/// A file-name-safe form of an input's name.
pub fn file_part(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "input".into()
    } else {
        safe
    }
}

#[cfg(test)]
mod tests;
