//! [`make_pair`]: the two member clips of a pair from its spec and the
//! (sampled, preprocessed) clip of its video.

use super::flow::{flow_jitter_params, jitter_flow_clip};
use super::style::BoxedStyle;
use super::{PairSpec, PairsError};
use crate::stats::Factor;
use crate::video::Clip;

/// Builds the two members of pair `spec` from `clip`:
/// - dynamic: `(style_a(clip), style_b(clip))` — same frames, same order,
///   two appearances;
/// - static: `a = style_a(clip)` and `b = a.permuted(&spec.permutation)` —
///   same appearance, frames re-ordered.
///
/// Errors when a style index is out of `styles`, or (static) the
/// permutation is not a permutation of the clip's `0..T`.
pub fn make_pair(
    spec: &PairSpec,
    clip: &Clip,
    styles: &[BoxedStyle],
) -> Result<(Clip, Clip), PairsError> {
    let style = |index: usize| {
        styles.get(index).ok_or(PairsError::StyleOutOfRange {
            id: spec.id,
            style: index,
            styles: styles.len(),
        })
    };
    let styled = |index: usize| -> Result<Clip, PairsError> {
        let mut out = clip.clone();
        style(index)?.apply(&mut out);
        Ok(out)
    };
    match spec.factor {
        Factor::Dynamic => {
            style(spec.style_b)?;
            Ok((styled(spec.style_a)?, styled(spec.style_b)?))
        }
        Factor::Static => {
            check_permutation(spec, clip.t)?;
            let a = styled(spec.style_a)?;
            let b = a.permuted(&spec.permutation);
            Ok((a, b))
        }
    }
}

/// The RGB members of a two-stream pair (METHOD.md §2, two-stream models):
/// dynamic `(style_a(rgb), style_b(rgb))`; static `(style_a(rgb),
/// style_a(rgb))` — the same appearance, no frame permutation (the flow
/// carries the change of motion, see [`two_stream_flow`]).
pub fn two_stream_rgb(
    spec: &PairSpec,
    rgb: &Clip,
    styles: &[BoxedStyle],
) -> Result<(Clip, Clip), PairsError> {
    let styled = |index: usize| -> Result<Clip, PairsError> {
        let style = styles.get(index).ok_or(PairsError::StyleOutOfRange {
            id: spec.id,
            style: index,
            styles: styles.len(),
        })?;
        let mut out = rgb.clone();
        style.apply(&mut out);
        Ok(out)
    };
    let a = styled(spec.style_a)?;
    match spec.factor {
        Factor::Dynamic => Ok((a, styled(spec.style_b)?)),
        Factor::Static => Ok((a.clone(), a)),
    }
}

/// The flow members of a two-stream pair: dynamic `(flow, flow)` — the same
/// motion; static `(flow, jitter(flow))` with pair `id`'s jitter under
/// `seed` ([`flow_jitter_params`], [`jitter_flow_clip`]) — the motion
/// rotated and rescaled.
pub fn two_stream_flow(spec: &PairSpec, flow: &Clip, uv: bool, seed: u64) -> (Clip, Clip) {
    match spec.factor {
        Factor::Dynamic => (flow.clone(), flow.clone()),
        Factor::Static => {
            let (hue, sat) = flow_jitter_params(seed, spec.id);
            let mut b = flow.clone();
            jitter_flow_clip(&mut b, uv, hue, sat);
            (flow.clone(), b)
        }
    }
}

fn check_permutation(spec: &PairSpec, frames: usize) -> Result<(), PairsError> {
    if spec.permutation.len() != frames {
        return Err(PairsError::FrameCount {
            id: spec.id,
            expected: spec.permutation.len(),
            frames,
        });
    }
    let mut seen = vec![false; frames];
    for &i in &spec.permutation {
        match seen.get_mut(i) {
            Some(s) if !*s => *s = true,
            _ => {
                return Err(PairsError::BadPermutation {
                    id: spec.id,
                    permutation: spec.permutation.clone(),
                    frames,
                });
            }
        }
    }
    Ok(())
}
