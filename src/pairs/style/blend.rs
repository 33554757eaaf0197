//! [`Blend`]: a built-in style at a strength between 0 and 1, the clip
//! mixed with its fully styled self, `x + s·(style(x) − x)` per value.
//!
//! A mix of two temporally consistent clips with one weight is temporally
//! consistent, and a mix of values in [0, 1] stays in [0, 1]. At strength 0
//! both members of a dynamic pair are the clip itself; at strength 1 the
//! style is used as it is (no `Blend` is made, so the numbers are those of
//! a run without the setting, bit for bit).

use super::{BoxedStyle, Style};
use crate::video::Clip;

/// A style at a strength below 1 (see the module doc).
pub struct Blend {
    inner: BoxedStyle,
    strength: f32,
}

impl Blend {
    /// `inner` at `strength` (in [0, 1]; checked with the job's settings).
    pub fn new(inner: BoxedStyle, strength: f32) -> Self {
        Self { inner, strength }
    }
}

impl Style for Blend {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn apply(&self, clip: &mut Clip) {
        let original = clip.data.clone();
        self.inner.apply(clip);
        let s = self.strength;
        for (v, x) in clip.data.iter_mut().zip(&original) {
            *v = (x + s * (*v - x)).clamp(0.0, 1.0);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::super::builtin_styles;
    use super::*;

    fn clip() -> Clip {
        let mut c = Clip::zeros(3, 6, 8);
        for (i, v) in c.data.iter_mut().enumerate() {
            *v = ((i * 37) % 101) as f32 / 100.0;
        }
        // Frames 0 and 2 equal: a consistent style keeps them equal.
        let n = c.frame_len();
        let first = c.data[..n].to_vec();
        c.data[2 * n..].copy_from_slice(&first);
        c
    }

    #[test]
    fn strength_zero_is_the_clip_and_strength_one_the_style() {
        for style in builtin_styles() {
            let name = style.name().to_string();
            let mut full = clip();
            style.apply(&mut full);
            let one = Blend::new(style, 1.0);
            let mut c = clip();
            one.apply(&mut c);
            // Within rounding (a strength of 1 makes no Blend at all).
            let off = c.data.iter().zip(&full.data).map(|(a, b)| (a - b).abs());
            assert!(off.fold(0.0, f32::max) < 1e-6, "{name} at 1");
            let zero = Blend::new(one.inner, 0.0);
            let mut c = clip();
            zero.apply(&mut c);
            assert!(c == clip(), "{name} at 0");
            assert_eq!(zero.name(), name);
        }
    }

    #[test]
    fn a_half_strength_style_lies_between_and_stays_consistent() {
        for style in builtin_styles() {
            let mut full = clip();
            style.apply(&mut full);
            let half = Blend::new(style, 0.5);
            let mut c = clip();
            half.apply(&mut c);
            let n = c.frame_len();
            assert_eq!(c.data[..n], c.data[2 * n..], "{}", half.name());
            for ((v, x), f) in c.data.iter().zip(&clip().data).zip(&full.data) {
                assert!((v - (x + f) / 2.0).abs() < 1e-6);
                assert!((0.0..=1.0).contains(v));
            }
        }
    }
}
