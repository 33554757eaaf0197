//! [`TextureBlend`]: the clip's luminance modulates a fixed texture (a style
//! picture resized to cover the frame, the same on every frame), blended
//! over the clip. Moving content shows as moving light and shade on a still
//! canvas; the texture itself never moves.

use super::colour::luma;
use super::{Style, StyleImage};
use crate::video::Clip;

/// How much of the textured rendering replaces the clip.
const OPACITY: f32 = 0.75;

/// Luminance-modulated texture blend.
#[derive(Clone, Debug)]
pub struct TextureBlend {
    name: String,
    texture: StyleImage,
}

impl TextureBlend {
    /// A blend with `texture`, called `name`. The texture is normalized to a
    /// mean luma of 0.5 so that the blend keeps the clip's brightness.
    pub fn new(name: impl Into<String>, texture: &StyleImage) -> Self {
        let n = (texture.data.len() / 3).max(1) as f32;
        let mean = texture.pixels().map(luma).sum::<f32>() / n;
        let gain = 0.5 / mean.max(0.05);
        let mut texture = texture.clone();
        texture.data.iter_mut().for_each(|v| *v *= gain);
        Self {
            name: name.into(),
            texture,
        }
    }
}

impl Style for TextureBlend {
    fn name(&self) -> &str {
        &self.name
    }

    fn apply(&self, clip: &mut Clip) {
        let canvas = self.texture.cover(clip.h, clip.w);
        for f in 0..clip.t {
            for (p, tex) in clip
                .frame_mut(f)
                .chunks_exact_mut(3)
                .zip(canvas.chunks_exact(3))
            {
                let light = 2.0 * luma(p);
                for c in 0..3 {
                    let textured = tex[c] * light;
                    p[c] = ((1.0 - OPACITY) * p[c] + OPACITY * textured).clamp(0.0, 1.0);
                }
            }
        }
    }
}
