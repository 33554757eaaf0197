//! [`TextureBlend`]: the clip embossed onto a fixed texture — each pixel is
//! multiplied by a gain taken from the texture's luminance (the texture
//! resized to cover the frame, the same on every frame). Moving content
//! moves over a still canvas; the canvas itself never moves, and the clip's
//! colours and edges stay where they are.

use super::colour::luma;
use super::{Style, StyleImage};
use crate::video::Clip;

/// Luminance-modulating texture.
#[derive(Clone, Debug)]
pub struct TextureBlend {
    name: String,
    texture: StyleImage,
    strength: f32,
}

impl TextureBlend {
    /// A texture style from `texture` (its luminance is used; colour or
    /// grey), called `name`. The gain at a pixel is
    /// `max(0, 1 + strength · z)`, `z` the texture's luminance standardized
    /// over the whole texture, so the effect has the same strength whatever
    /// the texture's contrast.
    pub fn new(name: impl Into<String>, texture: &StyleImage, strength: f32) -> Self {
        let lumas: Vec<f32> = texture.pixels().map(luma).collect();
        let n = lumas.len().max(1) as f64;
        let mean = lumas.iter().map(|&l| f64::from(l)).sum::<f64>() / n;
        let var = lumas
            .iter()
            .map(|&l| (f64::from(l) - mean).powi(2))
            .sum::<f64>()
            / n;
        let std = var.sqrt().max(1e-3);
        // Stored as a 3-channel picture of gains so `cover` can resize it.
        let data = lumas
            .iter()
            .flat_map(|&l| {
                let gain = (1.0 + f64::from(strength) * (f64::from(l) - mean) / std).max(0.0);
                [gain as f32; 3]
            })
            .collect();
        Self {
            name: name.into(),
            texture: StyleImage {
                w: texture.w,
                h: texture.h,
                data,
            },
            strength,
        }
    }

    /// The strength given at construction.
    pub fn strength(&self) -> f32 {
        self.strength
    }
}

impl Style for TextureBlend {
    fn name(&self) -> &str {
        &self.name
    }

    fn apply(&self, clip: &mut Clip) {
        let gains = self.texture.cover(clip.h, clip.w);
        for f in 0..clip.t {
            for (v, gain) in clip.frame_mut(f).iter_mut().zip(&gains) {
                *v = (*v * gain).clamp(0.0, 1.0);
            }
        }
    }
}
