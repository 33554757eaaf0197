//! [`make_pair`]: the two member clips of a pair from its spec and the
//! (sampled, preprocessed) clip of its video.

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
