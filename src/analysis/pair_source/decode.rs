//! Decoding for [`PairSource`]: each video probed once, small videos
//! decoded once and kept (bounded), and a clip of any input's frames and
//! size loaded from them.

use super::{PairSource, Shrink};
use crate::analysis::probe_check::{VideoKey, video_key};
use crate::video::{
    Clip, Preprocess, VideoInfo, VideoSource, load_clip_with, plan_clip, preprocess,
};
use image::RgbImage;
use std::collections::HashMap;
use std::sync::Arc;

/// Videos whose decoded frames fit in this many bytes are decoded once, whole,
/// and their frames kept (each later pair from them costs no decoding). A
/// 5 s 720p clip (132 frames, 365 MB) fits: decoding it again for every pair
/// would cost an ffmpeg run of ~0.5 s each.
const CACHE_VIDEO_BYTES: u64 = 512 << 20;
/// Total bytes of decoded frames kept.
const CACHE_TOTAL_BYTES: u64 = 1 << 30;

/// All decoded frames of a video, shared.
type Frames = Arc<Vec<RgbImage>>;

/// Probed facts and decoded frames of the videos seen so far.
#[derive(Default)]
pub(super) struct VideoCache {
    pub(super) infos: HashMap<VideoKey, VideoInfo>,
    pub(super) frames: HashMap<VideoKey, Arc<Vec<RgbImage>>>,
    pub(super) bytes: u64,
}

/// One loaded clip of one input.
pub(super) struct Loaded {
    /// The preprocessed clip.
    pub(super) clip: Clip,
    /// Notes for the user.
    pub(super) notes: Vec<String>,
    /// The window's raw frames through `shrink` (empty when not asked).
    pub(super) window: Vec<RgbImage>,
    /// The raw frame indices sampled, in clip order.
    pub(super) frames: Vec<usize>,
}

impl PairSource {
    /// Loads a clip of `t` frames preprocessed by `p` (any input's), with
    /// the raw frame indices it sampled; see [`load_window`](Self::load_window).
    pub(super) fn load_input(
        &self,
        source: &VideoSource,
        start_draw: u64,
        t: usize,
        p: &Preprocess,
        shrink: Option<Shrink<'_>>,
    ) -> Result<Loaded, String> {
        let path = video_key(source);
        let (info, all) = self.decoded(source)?;
        let (loaded, info) = match all {
            Some(frames) => {
                let plan = plan_clip(frames.len(), start_draw, self.window, t);
                let picked: Vec<RgbImage> =
                    plan.frames.iter().map(|&i| frames[i].clone()).collect();
                let window = shrink
                    .map(|f| plan.window.iter().map(|&i| f(&frames[i])).collect())
                    .unwrap_or_default();
                let loaded = Loaded {
                    clip: preprocess(&picked, p),
                    notes: plan.notes,
                    window,
                    frames: plan.frames,
                };
                (loaded, info)
            }
            None => {
                let loaded = load_clip_with(source, info, start_draw, self.window, t, p)
                    .map_err(|e| e.to_string())?;
                // A video too large to keep: its window is decoded again.
                let window = shrink
                    .and_then(|f| {
                        let raw = source
                            .read_frames_with(&loaded.info, &loaded.plan.window)
                            .ok()?;
                        Some(raw.iter().map(f).collect())
                    })
                    .unwrap_or_default();
                let out = Loaded {
                    clip: loaded.clip,
                    notes: loaded.plan.notes,
                    window,
                    frames: loaded.plan.frames,
                };
                (out, loaded.info)
            }
        };
        if let Ok(mut c) = self.cache.lock() {
            c.infos.insert(path, info);
        }
        Ok(loaded)
    }

    /// The video's facts, and all its decoded frames when it is small
    /// enough to keep (decoded once, then shared); `None` for a video too
    /// large, or one whose container over-counts its frames (the careful
    /// path of [`load_clip_with`] recounts).
    pub(super) fn decoded(
        &self,
        source: &VideoSource,
    ) -> Result<(VideoInfo, Option<Frames>), String> {
        let path = video_key(source);
        let known = self
            .cache
            .lock()
            .ok()
            .and_then(|c| c.infos.get(&path).copied());
        let info = match known {
            Some(i) => i,
            None => source.info().map_err(|e| e.to_string())?,
        };
        let bytes = info.frames as u64 * u64::from(info.width) * u64::from(info.height) * 3;
        let cached = self
            .cache
            .lock()
            .ok()
            .and_then(|c| c.frames.get(&path).cloned());
        let all = match cached {
            Some(f) => Some(f),
            None if bytes <= CACHE_VIDEO_BYTES && info.frames > 0 => {
                let fits = self
                    .cache
                    .lock()
                    .is_ok_and(|c| c.bytes + bytes <= CACHE_TOTAL_BYTES);
                let indices: Vec<usize> = (0..info.frames).collect();
                match source.read_frames_with(&info, &indices) {
                    Ok(frames) if fits => {
                        let frames = Arc::new(frames);
                        if let Ok(mut c) = self.cache.lock() {
                            c.bytes += bytes;
                            c.frames.insert(path.clone(), frames.clone());
                        }
                        Some(frames)
                    }
                    Ok(frames) => Some(Arc::new(frames)),
                    Err(_) => None,
                }
            }
            None => None,
        };
        Ok((info, all))
    }
}
