//! The shown pair on a slide: both members side by side, labelled, as a
//! figure (PNG or SVG: the frames the model sees as strips, what the pair
//! shares said above) or as a moving picture (GIF or MP4: at each frame,
//! member 1 beside member 2 under a caption). Built as the channel panel's
//! [`PanelSnapshot`], built and written on the exporter's thread. A
//! multi-input model's other inputs (flow, a second pathway) add rows to the
//! figure, and to each frame of the moving picture (a pathway of other
//! frames at the frame in proportion, as the view shows it).

use image::RgbImage;

use crate::figure::caption::{caption_band, stack};
use crate::gui::views::channel_panel::snapshot::{PanelFile, PanelSnapshot};
use crate::inspect::{scale_for, side_by_side};
use crate::stats::Factor;
use crate::worker::pairs::{Frames, PairFrames};

/// The frames of `f` as images.
fn images(f: &Frames) -> Vec<RgbImage> {
    f.frames
        .iter()
        .map(|px| {
            let data = px
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect();
            RgbImage::from_raw(f.width as u32, f.height as u32, data).unwrap_or_default()
        })
        .collect()
}

/// One line on what the pair's members share.
pub(crate) fn what_it_shares(p: &PairFrames) -> String {
    match p.spec.factor {
        Factor::Static if p.has_flow() => format!(
            "A static pair: the same frames in order in style '{}', member 2's optical flow \
             jittered (the motion rotated and rescaled); they share appearance, not motion.",
            p.style_a
        ),
        Factor::Static => format!(
            "A static pair: the same frames in style '{}', member 2's in a shuffled order \
             (frame i is member 1's frame permutation[i]); they share appearance, not motion.",
            p.style_a
        ),
        Factor::Dynamic => format!(
            "A dynamic pair: the same frames in order, in two styles ('{}' and '{}'); they \
             share motion, not appearance.",
            p.style_a, p.style_b
        ),
    }
}

/// The pair's title: factor, id (0-based, as in the plan), video.
fn title(p: &PairFrames) -> String {
    let class = p.class.as_deref().map(|c| format!(", class {c}"));
    format!(
        "{} pair {} · video {}{}",
        p.spec.factor.name(),
        p.spec.id,
        p.video_id,
        class.unwrap_or_default()
    )
}

/// The file name: `static_pair_12`.
pub(crate) fn stem(p: &PairFrames) -> String {
    format!("{}_pair_{}", p.spec.factor.name(), p.spec.id)
}

/// A snapshot of pair `p` to write as `file`; the movie plays at `fps`.
pub(crate) fn snapshot(p: &PairFrames, file: PanelFile, fps: f32) -> anyhow::Result<PanelSnapshot> {
    let (a, b) = (images(&p.a), images(&p.b));
    // Large enough for a slide, and for the movie's caption to fit.
    let scale = scale_for(p.a.height, 240);
    let member = |k: usize, style: &str| format!("member {k} · style '{style}'");
    let mut lines = vec![what_it_shares(p)];
    if p.spec.factor == Factor::Static && !p.has_flow() {
        let perm: Vec<String> = p
            .spec
            .permutation
            .iter()
            .map(|i| (i + 1).to_string())
            .collect();
        lines.push(format!(
            "member 2 shows member 1's frames {} (1-based)",
            perm.join(", ")
        ));
    }
    lines.push(format!(
        "{} frames as the model sees them, from {}",
        p.a.len(),
        p.video_path.display()
    ));
    let frames = format!("frames 0 to {}", a.len().saturating_sub(1));
    let mut rows = vec![
        (
            member(1, &p.style_a),
            vec![(frames.clone(), side_by_side(&a, 1, 2))],
        ),
        (
            member(2, &p.style_b),
            vec![(frames, side_by_side(&b, 1, 2))],
        ),
    ];
    rows.extend(other_rows(p));
    let movie = if matches!(file, PanelFile::Gif | PanelFile::Mp4) {
        movie(p, &a, &b, scale)?
    } else {
        Vec::new()
    };
    Ok(PanelSnapshot {
        stem: stem(p),
        file,
        title: title(p),
        lines,
        scatters: Vec::new(),
        rows,
        movie,
        fps,
    })
}

/// Both members of each other input of the model (optical flow as a colour
/// wheel, a second pathway), one row each, labelled like the members.
fn other_rows(p: &PairFrames) -> Vec<(String, Vec<(String, RgbImage)>)> {
    let mut rows = Vec::new();
    for o in &p.others {
        let frames = format!("frames 0 to {}", o.a.len().saturating_sub(1));
        let what = o.label();
        let second = match o.member2_note(p.spec.factor) {
            Some(note) => format!("{what} · member 2 ({note})"),
            None => format!("{what} · member 2 · style '{}'", p.style_b),
        };
        for (label, member) in [(format!("{what} · member 1"), &o.a), (second, &o.b)] {
            rows.push((
                label,
                vec![(frames.clone(), side_by_side(&images(member), 1, 2))],
            ));
        }
    }
    rows
}

/// At each frame, member 1 beside member 2, scaled by `scale`, under a
/// caption: the pair, what it shares, each member's style and the frame.
fn movie(
    p: &PairFrames,
    a: &[RgbImage],
    b: &[RgbImage],
    scale: u32,
) -> anyhow::Result<Vec<RgbImage>> {
    let gap = 4; // pixels before scaling, as side_by_side takes it
    let w = p.a.width as u32 * scale;
    let total = 2 * w + gap * scale;
    let (left, right) = (
        f64::from(w) / 2.0,
        f64::from(w + gap * scale) + f64::from(w) / 2.0,
    );
    let shares = match p.spec.factor {
        Factor::Static if p.has_flow() => "same frames, flow jittered: shares appearance",
        Factor::Static => "same frames, shuffled: shares appearance",
        Factor::Dynamic => "same clip, two styles: shares motion",
    };
    let n = a.len().min(b.len());
    let others: Vec<_> = p
        .others
        .iter()
        .map(|o| (o, images(&o.a), images(&o.b)))
        .collect();
    (0..n)
        .map(|f| {
            let band = caption_band(
                total,
                &[
                    vec![(f64::from(total) / 2.0, title(p))],
                    vec![(
                        f64::from(total) / 2.0,
                        format!("{shares} · frame {f} of 0–{}", n - 1),
                    )],
                    vec![
                        (left, format!("member 1 · {}", p.style_a)),
                        (right, format!("member 2 · {}", p.style_b)),
                    ],
                ],
            )?;
            let mut frame = stack(
                &band,
                &side_by_side(&[a[f].clone(), b[f].clone()], scale, gap),
            );
            for (o, oa, ob) in &others {
                let m = oa.len().min(ob.len());
                if m == 0 {
                    continue;
                }
                let k = (f * m / n).min(m - 1);
                let what = o.label();
                let at = if m == n {
                    String::new()
                } else {
                    format!(" · frame {k} of 0–{}", m - 1)
                };
                let second = match o.member2_note(p.spec.factor) {
                    Some(note) => format!("{what} · member 2 ({note}){at}"),
                    None => format!("{what} · member 2{at}"),
                };
                let band = caption_band(
                    total,
                    &[vec![
                        (left, format!("{what} · member 1{at}")),
                        (right, second),
                    ]],
                )?;
                let row = stack(
                    &band,
                    &side_by_side(&[oa[k].clone(), ob[k].clone()], scale, gap),
                );
                frame = stack(&frame, &row);
            }
            Ok(frame)
        })
        .collect()
}
