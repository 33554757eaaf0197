//! [`PairLoader`]: builds probe pairs for the Videos & pairs view on a named
//! background thread, so the UI never decodes a video.
//!
//! A [`PairRequest`] names the probe set ([`ProbeSpec`]), the model whose
//! input is shown ([`ModelInput`]) and a pair id. The loader answers with up
//! to two [`PairEvent`]s: the pair asked for ([`Role::Selected`]) and the
//! nearest pair of the other factor ([`Role::Other`]), so the view can show a
//! static and a dynamic pair at once. Each carries [`PairFrames`]: the pair
//! exactly as the model sees it ([`PairSource::build_with_window`]) as RGBA8
//! frames, plus the raw window at display resolution from the same decode,
//! and a multi-input model's other inputs ([`OtherFrames`]: optical flow as
//! colour-wheel images, a second pathway).
//!
//! Requests carry an id; the thread skips requests superseded by newer ones
//! and the app drops events of stale ids. A video that cannot be read gives
//! [`PairEvent::Failed`] with the reason, never a panic. Built pairs are kept
//! in a small LRU cache bounded by bytes.

use std::path::PathBuf;
use std::sync::Arc;

use image::RgbImage;

use super::{Latest, Waker};
pub use crate::analysis::ProbeSpec;
use crate::analysis::{ModelEntry, PairSource};
use crate::model::{InputKind, Manifest};
use crate::pairs::PairSpec;
use crate::stats::Factor;
use crate::video::{Clip, sample_indices};

/// Longest side of the raw frames kept for display.
pub const DISPLAY_SIDE: u32 = 256;
/// Default bound of the built-pair cache.
pub const CACHE_BYTES: usize = 256 << 20;

/// Whose input the pairs are built for (size, T and W).
#[derive(Clone, Debug, PartialEq)]
pub enum ModelInput {
    /// This manifest.
    Manifest(Box<Manifest>),
    /// A project's model: the manifest beside its file, or beside its last
    /// checkpoint (read on the loader's thread).
    Entry(ModelEntry),
}

/// One request: build pair `pair` (and the nearest pair of the other factor).
#[derive(Clone, Debug, PartialEq)]
pub struct PairRequest {
    /// The request's id (events carry it; the app drops stale ones).
    pub request: u64,
    /// The probe set and plan.
    pub probe: ProbeSpec,
    /// The model whose input is shown.
    pub model: ModelInput,
    /// The pair id.
    pub pair: u64,
}

/// Frames of one width × height as RGBA8 (alpha 255), ready for textures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frames {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width · height · 4` bytes per frame.
    pub frames: Vec<Vec<u8>>,
}

impl Frames {
    /// A clip in [0, 1] as 8-bit frames (rounded like [`Clip::frame_image`]).
    pub fn from_clip(clip: &Clip) -> Self {
        let frames = (0..clip.t)
            .map(|f| {
                let mut out = Vec::with_capacity(clip.h * clip.w * 4);
                for px in clip.frame(f).chunks_exact(3) {
                    out.extend(px.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8));
                    out.push(255);
                }
                out
            })
            .collect();
        Self {
            width: clip.w,
            height: clip.h,
            frames,
        }
    }

    /// 8-bit RGB images of one size as RGBA8 (empty when there are none).
    pub fn from_images(images: &[RgbImage]) -> Self {
        let (width, height) = images
            .first()
            .map_or((0, 0), |i| (i.width() as usize, i.height() as usize));
        let frames = images
            .iter()
            .map(|img| {
                let mut out = Vec::with_capacity(width * height * 4);
                for px in img.as_raw().chunks_exact(3) {
                    out.extend_from_slice(px);
                    out.push(255);
                }
                out
            })
            .collect();
        Self {
            width,
            height,
            frames,
        }
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether there are no frames.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.frames.iter().map(Vec::len).sum()
    }
}

/// One pair, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct PairFrames {
    /// The plan's specification (factor, video, styles, permutation).
    pub spec: PairSpec,
    /// The video's id in the probe set.
    pub video_id: String,
    /// Its class, when the layout has classes.
    pub class: Option<String>,
    /// Its file or folder.
    pub video_path: PathBuf,
    /// Member 1's style name.
    pub style_a: String,
    /// Member 2's style name.
    pub style_b: String,
    /// The T preprocessed frames before styling, as the model sees them.
    pub original: Frames,
    /// Member 1 (T frames).
    pub a: Frames,
    /// Member 2 (T frames).
    pub b: Frames,
    /// The W raw frames of the window, at most [`DISPLAY_SIDE`] pixels a side.
    pub window: Frames,
    /// Position within `window` of each of the T model frames.
    pub sampled: Vec<usize>,
    /// Notes for the user (a short video cycled, no manifest found, …).
    pub notes: Vec<String>,
    /// A multi-input model's other inputs (optical flow, a second pathway)
    /// in the model's order; empty for one-input models.
    pub others: Vec<OtherFrames>,
}

impl PairFrames {
    /// The model frame shown at window position `pos`: the last sampled
    /// frame at or before it.
    pub fn model_frame(&self, pos: usize) -> usize {
        self.sampled
            .iter()
            .rposition(|&s| s <= pos)
            .unwrap_or(0)
            .min(self.original.len().saturating_sub(1))
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.original.bytes()
            + self.a.bytes()
            + self.b.bytes()
            + self.window.bytes()
            + self.others.iter().map(OtherFrames::bytes).sum::<usize>()
    }

    /// Whether the model takes optical flow beside the RGB (a two-stream
    /// model: a static pair keeps the frames in order and jitters the flow).
    pub fn has_flow(&self) -> bool {
        self.others.iter().any(|o| o.kind == InputKind::Flow)
    }
}

/// Which of a request's two pairs an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The pair asked for.
    Selected,
    /// The nearest pair of the other factor.
    Other,
}

/// What the loader sends back.
#[derive(Clone, Debug)]
pub enum PairEvent {
    /// A pair was built.
    Loaded {
        /// The request's id.
        request: u64,
        /// Which pair of the request.
        role: Role,
        /// The pair.
        pair: Arc<PairFrames>,
    },
    /// A pair could not be built (bad probe set or manifest, broken video, or
    /// no pair of the other factor in the plan).
    Failed {
        /// The request's id.
        request: u64,
        /// Which pair of the request.
        role: Role,
        /// Why, for the user.
        message: String,
    },
}

impl PairEvent {
    /// The id of the request it answers.
    pub fn request(&self) -> u64 {
        match self {
            Self::Loaded { request, .. } | Self::Failed { request, .. } => *request,
        }
    }
}

/// The handle of the loader thread. Dropping it stops the thread (after the
/// pair it is building; it is not joined, so dropping never blocks the UI).
pub struct PairLoader(Latest<PairRequest, PairEvent>);

impl PairLoader {
    /// Starts the thread; `waker` is called after every event.
    pub fn spawn(waker: Waker) -> std::io::Result<Self> {
        Self::with_cache(waker, CACHE_BYTES)
    }

    /// [`spawn`](Self::spawn) with a cache of at most `cache_bytes`.
    pub fn with_cache(waker: Waker, cache_bytes: usize) -> std::io::Result<Self> {
        Latest::spawn("stadyn-pair-view", move |req, ev| {
            thread::run(&req, &ev, &waker, cache_bytes);
        })
        .map(Self)
    }

    /// Asks for a pair; never blocks (a full channel keeps the request,
    /// replacing an older unsent one, until the next [`try_recv`](Self::try_recv)).
    pub fn request(&mut self, request: PairRequest) {
        self.0.request(request);
    }

    /// The next event, if one is ready; never blocks.
    pub fn try_recv(&mut self) -> Option<PairEvent> {
        self.0.try_recv()
    }

    /// Waits up to `timeout` for an event (for tests and the CLI, never the UI).
    pub fn recv_timeout(&mut self, timeout: std::time::Duration) -> Option<PairEvent> {
        self.0.recv_timeout(timeout)
    }
}

/// The nearest pair to `id` (after, then before) whose factor differs from
/// `factor`, within the plan.
pub fn nearest_other(source: &PairSource, id: u64, factor: Factor) -> Option<u64> {
    let n = source.ids().end;
    (1..n).find_map(|d| {
        [id.checked_add(d), id.checked_sub(d)]
            .into_iter()
            .flatten()
            .find(|&j| j < n && source.spec(j).factor != factor)
    })
}

/// `img` scaled down (aspect kept) so that its longest side is at most
/// [`DISPLAY_SIDE`]; smaller images are kept as they are.
pub fn display_frame(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    let side = w.max(h);
    if side <= DISPLAY_SIDE || side == 0 {
        return img.clone();
    }
    let scale = f64::from(DISPLAY_SIDE) / f64::from(side);
    let nw = ((f64::from(w) * scale).round() as u32).max(1);
    let nh = ((f64::from(h) * scale).round() as u32).max(1);
    image::imageops::resize(img, nw, nh, image::imageops::FilterType::Triangle)
}

/// Builds pair `id` of `source` as [`PairFrames`].
pub fn build_frames(source: &PairSource, id: u64) -> Result<PairFrames, String> {
    let (built, window) = source.build_with_window(id, &display_frame)?;
    let video = &source.probe().videos[built.spec.video];
    let names = source.style_names();
    let name = |k: usize| names.get(k).cloned().unwrap_or_default();
    Ok(PairFrames {
        video_id: video.id.clone(),
        class: video.class.clone(),
        video_path: source.video_path(&built.spec).to_path_buf(),
        style_a: name(built.spec.style_a),
        style_b: name(built.spec.style_b),
        original: Frames::from_clip(&built.original),
        a: Frames::from_clip(&built.a),
        b: Frames::from_clip(&built.b),
        sampled: sample_indices(window.len(), built.original.t),
        window: Frames::from_images(&window),
        notes: built.notes,
        others: built.others.iter().map(OtherFrames::from_input).collect(),
        spec: built.spec,
    })
}

mod others;
mod thread;

pub use others::OtherFrames;

#[cfg(test)]
mod tests;
