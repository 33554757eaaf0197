//! The further inputs of a multi-input model (a two-stream model's optical
//! flow, a two-pathway model's second pathway), ready to show beside the
//! primary input's members.

use super::Frames;
use crate::analysis::OtherInput;
use crate::model::InputKind;
use crate::stats::Factor;
use crate::video::Clip;
use crate::video::flow::flow_to_color;

/// Both members of one further input of a multi-input model, as RGBA8
/// frames: a flow field in (u, v) as colour-wheel images (normalised per
/// frame), colour-coded flow and pathways as the model sees them.
#[derive(Clone, Debug, PartialEq)]
pub struct OtherFrames {
    /// The input's name in the manifest (`flow`, `fast`, …).
    pub name: String,
    /// What it carries.
    pub kind: InputKind,
    /// Member 1.
    pub a: Frames,
    /// Member 2.
    pub b: Frames,
}

impl OtherFrames {
    /// The frames of a built pair's further input.
    pub fn from_input(input: &OtherInput) -> Self {
        let frames = |clip: &Clip| {
            if input.uv {
                Frames::from_uv_clip(clip)
            } else {
                Frames::from_clip(clip)
            }
        };
        Self {
            name: input.name.clone(),
            kind: input.kind,
            a: frames(&input.a),
            b: frames(&input.b),
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.a.bytes() + self.b.bytes()
    }

    /// The frame of this input shown with frame `t` of a primary input of
    /// `primary_frames` frames: `t · T_p / T` (a pathway of its own frame
    /// count), the same `t` when the counts agree; 0 when there are none.
    pub fn frame_at(&self, t: usize, primary_frames: usize) -> usize {
        let n = self.a.len();
        if n == 0 || primary_frames == 0 {
            return 0;
        }
        (t.saturating_mul(n) / primary_frames).min(n - 1)
    }

    /// What the input is, for a caption: `flow`, `flow 'name'`,
    /// `pathway 'fast'`, or the name of a further RGB input.
    pub fn label(&self) -> String {
        match self.kind {
            InputKind::Flow if self.name == "flow" => "flow".to_string(),
            InputKind::Flow => format!("flow '{}'", self.name),
            InputKind::Pathway => format!("pathway '{}'", self.name),
            InputKind::Rgb => format!("input '{}'", self.name),
        }
    }

    /// How member 2 of a pair of `factor` differs from member 1 in this
    /// input, for a caption: `jittered` (a static pair's flow, motion
    /// rotated and rescaled), `same flow` (a dynamic pair's), `shuffled`
    /// (a static pair's pathway); `None` where the style says it.
    pub fn member2_note(&self, factor: Factor) -> Option<&'static str> {
        match (self.kind, factor) {
            (InputKind::Flow, Factor::Static) => Some("jittered"),
            (InputKind::Flow, Factor::Dynamic) => Some("same flow"),
            (InputKind::Pathway, Factor::Static) => Some("shuffled"),
            _ => None,
        }
    }
}

impl Frames {
    /// A clip whose pixels hold flow `(u, v, 0)` as colour-wheel images,
    /// frame by frame ([`flow_to_color`], each frame scaled by its own
    /// largest motion).
    pub fn from_uv_clip(clip: &Clip) -> Self {
        let images: Vec<_> = (0..clip.t)
            .map(|f| {
                let uv: Vec<f32> = clip
                    .frame(f)
                    .chunks_exact(3)
                    .flat_map(|p| [p[0], p[1]])
                    .collect();
                flow_to_color(&uv, clip.h, clip.w)
            })
            .collect();
        let mut frames = Self::from_images(&images);
        // An empty clip keeps its size, as `from_clip` does.
        frames.width = clip.w;
        frames.height = clip.h;
        frames
    }
}

#[cfg(test)]
mod tests;
