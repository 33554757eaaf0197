//! Textures of the pairs shown, uploaded lazily frame by frame and kept for
//! the last few pairs (so browsing back and forth re-uploads nothing).

use std::collections::VecDeque;
use std::sync::Arc;

use egui::{ColorImage, TextureHandle, TextureOptions};

use crate::worker::pairs::{Frames, PairFrames};

/// Pairs whose textures are kept.
const MAX_PAIRS: usize = 6;

/// One strip of frames of a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strip {
    /// The raw window at display resolution.
    Window,
    /// The preprocessed clip the model sees.
    Original,
    /// Member 1.
    A,
    /// Member 2.
    B,
    /// Member 1 of the model's other input `i` (flow, a second pathway).
    OtherA(usize),
    /// Member 2 of the model's other input `i`.
    OtherB(usize),
}

impl Strip {
    /// The strip's slot in a pair's textures.
    fn index(self) -> usize {
        match self {
            Strip::Window => 0,
            Strip::Original => 1,
            Strip::A => 2,
            Strip::B => 3,
            Strip::OtherA(i) => 4 + 2 * i,
            Strip::OtherB(i) => 5 + 2 * i,
        }
    }

    /// Its frames; `None` for an other input the pair does not have.
    fn frames(self, pair: &PairFrames) -> Option<&Frames> {
        match self {
            Strip::Window => Some(&pair.window),
            Strip::Original => Some(&pair.original),
            Strip::A => Some(&pair.a),
            Strip::B => Some(&pair.b),
            Strip::OtherA(i) => pair.others.get(i).map(|o| &o.a),
            Strip::OtherB(i) => pair.others.get(i).map(|o| &o.b),
        }
    }

    /// Model frames are tiny: nearest keeps their pixels visible.
    fn options(self) -> TextureOptions {
        match self {
            Strip::Window => TextureOptions::LINEAR,
            _ => TextureOptions::NEAREST,
        }
    }
}

struct PairTextures {
    /// Held so its address (the key) is never reused by another pair.
    pair: Arc<PairFrames>,
    /// Per strip (by [`Strip::index`]), per frame.
    strips: Vec<Vec<Option<TextureHandle>>>,
}

/// Textures of the last [`MAX_PAIRS`] pairs shown, least recently used first.
#[derive(Default)]
pub struct TextureCache {
    entries: VecDeque<PairTextures>,
}

impl TextureCache {
    /// The texture of frame `frame` of `strip` of `pair` (uploaded on first
    /// use); `None` when the strip has no such frame.
    pub fn get(
        &mut self,
        ctx: &egui::Context,
        pair: &Arc<PairFrames>,
        strip: Strip,
        frame: usize,
    ) -> Option<TextureHandle> {
        let frames = strip.frames(pair)?;
        let rgba = frames.frames.get(frame)?;
        if rgba.len() != frames.width * frames.height * 4 {
            return None;
        }
        let i = match self.entries.iter().position(|e| Arc::ptr_eq(&e.pair, pair)) {
            Some(i) => i,
            None => {
                if self.entries.len() >= MAX_PAIRS {
                    self.entries.pop_front();
                }
                self.entries.push_back(PairTextures {
                    pair: pair.clone(),
                    strips: Vec::new(),
                });
                self.entries.len() - 1
            }
        };
        let mut entry = self.entries.remove(i)?;
        if entry.strips.len() <= strip.index() {
            entry.strips.resize_with(strip.index() + 1, Vec::new);
        }
        let slots = &mut entry.strips[strip.index()];
        if slots.len() < frames.len() {
            slots.resize(frames.len(), None);
        }
        let handle = slots[frame]
            .get_or_insert_with(|| {
                let image = ColorImage::from_rgba_unmultiplied([frames.width, frames.height], rgba);
                let name = format!("pair{}-{strip:?}-{frame}", pair.spec.id);
                ctx.load_texture(name, image, strip.options())
            })
            .clone();
        self.entries.push_back(entry);
        Some(handle)
    }
}
