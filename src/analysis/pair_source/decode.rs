//! Decoding for [`PairSource`]: each video probed once; a video that the
//! plan's pairs will read more of than its own length, and that fits,
//! decoded once and kept (bounded); any other video decoded a window at a
//! time (from the keyframe before it, see `video::seek`); a clip of any
//! input's frames and size loaded from them.

use super::{PairSource, Shrink};
use crate::analysis::probe_check::{VideoKey, video_key};
use crate::video::{
    Clip, Preprocess, VideoInfo, VideoSource, load_clip_with, plan_clip, preprocess,
};
use image::RgbImage;
use std::collections::HashMap;
use std::sync::Arc;

/// Videos whose decoded frames fit in this many bytes, and that the plan
/// reads more frames of than they have ([`keep_whole`]), are decoded once,
/// whole, and their frames kept (each later pair from them costs no
/// decoding). A 5 s 720p clip (132 frames, 365 MB) fits: decoding its window
/// again for every pair would cost an ffmpeg run each.
const CACHE_VIDEO_BYTES: u64 = 512 << 20;
/// Total bytes of decoded frames kept (the default of [`VideoCache::limit`]).
/// A video that does not fit in what is left is decoded a window at a time,
/// never whole.
pub(super) const CACHE_TOTAL_BYTES: u64 = 1 << 30;

/// Whether a video of `frames` frames of `bytes` bytes, read by `uses`
/// members of the plan's pairs with windows of `window` frames, is decoded
/// whole and kept: when it fits, and its windows together would decode at
/// least as many frames as the whole video (a window is at least one
/// decoder run, from the keyframe before it).
pub(super) fn keep_whole(frames: usize, bytes: u64, uses: usize, window: usize, room: u64) -> bool {
    frames > 0 && bytes <= CACHE_VIDEO_BYTES && bytes <= room && uses * window.max(1) >= frames
}

/// All decoded frames of a video, shared.
type Frames = Arc<Vec<RgbImage>>;

/// Probed facts and decoded frames of the videos seen so far.
#[derive(Default)]
pub(super) struct VideoCache {
    pub(super) infos: HashMap<VideoKey, VideoInfo>,
    pub(super) frames: HashMap<VideoKey, Arc<Vec<RgbImage>>>,
    pub(super) bytes: u64,
    /// How many of the plan's pairs read each video (a video not listed:
    /// once).
    pub(super) uses: HashMap<VideoKey, usize>,
    /// The most bytes of decoded frames kept ([`CACHE_TOTAL_BYTES`]).
    pub(super) limit: u64,
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
    /// Bytes of decoded frames kept now (at most the cache's limit).
    #[cfg(test)]
    pub(super) fn cached_bytes(&self) -> u64 {
        self.cache.lock().map_or(0, |c| c.bytes)
    }

    /// Sets the most bytes of decoded frames kept.
    #[cfg(test)]
    pub(super) fn set_cache_limit(&self, bytes: u64) {
        if let Ok(mut c) = self.cache.lock() {
            c.limit = bytes;
        }
    }

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

    /// The video's facts, and all its decoded frames when [`keep_whole`]
    /// says to keep them (decoded once, then shared); `None` for a video
    /// read a window at a time, or one whose container over-counts its
    /// frames (the careful path of [`load_clip_with`] recounts).
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
            None => {
                let keep = self.cache.lock().is_ok_and(|c| {
                    let uses = c.uses.get(&path).copied().unwrap_or(1);
                    let room = c.limit.saturating_sub(c.bytes);
                    keep_whole(info.frames, bytes, uses, self.window, room)
                });
                let indices: Vec<usize> = (0..info.frames).collect();
                match keep.then(|| source.read_frames_with(&info, &indices)) {
                    Some(Ok(frames)) => {
                        let frames = Arc::new(frames);
                        if let Ok(mut c) = self.cache.lock() {
                            c.bytes += bytes;
                            c.frames.insert(path.clone(), frames.clone());
                        }
                        Some(frames)
                    }
                    Some(Err(_)) | None => None,
                }
            }
        };
        Ok((info, all))
    }
}
