//! Decoding for [`PairSource`]: each video probed once; a video that the
//! plan's pairs read more of than its own length is decoded in one pass and
//! the frames the plan needs kept (bounded, for all pair sources of the
//! process together); any other video is decoded a window at a time (from
//! the keyframe before it, see `video::seek`); a clip of any input's frames
//! and size is loaded from them.

use super::{PairSource, Shrink};
use crate::analysis::probe_check::{VideoKey, video_key};
use crate::video::flow::FlowFrame;
use crate::video::{
    Clip, Preprocess, VideoInfo, VideoSource, load_clip_with, plan_clip, preprocess,
};
use image::RgbImage;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The most bytes of one video's kept frames. A 5 s 720p clip (132 frames,
/// 365 MB) fits: decoding its window again for every pair would cost an
/// ffmpeg run each.
const CACHE_VIDEO_BYTES: u64 = 512 << 20;
/// The most bytes of decoded frames kept by all pair sources of the process
/// together (and the default of [`VideoCache::limit`]). A video whose frames do
/// not fit in what is left is decoded a window at a time.
pub(super) const CACHE_TOTAL_BYTES: u64 = 1 << 30;

/// Bytes of frames kept now by every pair source of the process.
static KEPT_BYTES: AtomicU64 = AtomicU64::new(0);

/// Whether the frames the plan needs of a video are decoded in one pass and
/// kept: `needed` frames of `frame_bytes` each, of a video of `frames`
/// frames read by `uses` of the plan's pairs with windows of `window`
/// frames, with `room` bytes left. Kept when the video is read more than
/// once, its windows together would decode at least as many frames as the
/// one pass (a window is at least one decoder run, from the keyframe before
/// it), and the frames fit. On a one-minute 768×576 video read by 24 windows
/// of 64 frames, the pass builds the 24 pairs in 3.9 s, the windows in 17.7 s.
pub(super) fn keep_needed(
    (needed, frame_bytes): (usize, u64),
    frames: usize,
    uses: usize,
    window: usize,
    room: u64,
) -> bool {
    let bytes = needed as u64 * frame_bytes;
    needed > 0
        && uses >= 2
        && uses * window.max(1) >= frames
        && bytes <= CACHE_VIDEO_BYTES
        && bytes <= room
}

/// The decoded frames kept of one video, by raw frame index; their bytes
/// count towards the process's total until dropped.
pub(super) struct Kept {
    frames: HashMap<usize, Arc<RgbImage>>,
    bytes: u64,
}

impl Kept {
    /// The frames at `indices`, or `None` when one was not kept (shared,
    /// not copied: a 720p frame is 2.7 MB).
    pub(super) fn pick(&self, indices: &[usize]) -> Option<Vec<Arc<RgbImage>>> {
        indices
            .iter()
            .map(|i| self.frames.get(i).cloned())
            .collect()
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        KEPT_BYTES.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

/// Flow frames made ready for a flow input (colour images, or fields for
/// a `uv` input), by (video, raw frame, uv); their bytes count towards the
/// process's total until dropped. The colour wheel scales each frame by its
/// own largest vector, so a kept frame is exactly what reading and
/// converting it again gives.
#[derive(Default)]
pub(super) struct ReadyFlow {
    frames: HashMap<(usize, usize, bool), Arc<FlowFrame>>,
    bytes: u64,
}

impl Drop for ReadyFlow {
    fn drop(&mut self) {
        KEPT_BYTES.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

/// What the plan reads of one video.
#[derive(Default)]
pub(super) struct Need {
    /// How many of the plan's pairs read it.
    pub(super) uses: usize,
    /// The raw frames they read, ascending.
    pub(super) frames: Vec<usize>,
}

/// Probed facts and kept frames of the videos seen so far.
#[derive(Default)]
pub(super) struct VideoCache {
    pub(super) infos: HashMap<VideoKey, VideoInfo>,
    pub(super) frames: HashMap<VideoKey, Arc<Kept>>,
    /// Bytes of the frames this cache keeps.
    pub(super) bytes: u64,
    /// What the plan reads of each video (a video not listed: read once).
    pub(super) needs: HashMap<VideoKey, Need>,
    /// The most bytes of decoded frames this cache keeps (all caches of the
    /// process together keep at most [`CACHE_TOTAL_BYTES`]).
    pub(super) limit: u64,
    /// Flow frames read so far, while there was room.
    pub(super) flows: ReadyFlow,
}

impl VideoCache {
    /// Bytes that may still be kept by this cache.
    fn room(&self) -> u64 {
        CACHE_TOTAL_BYTES
            .saturating_sub(KEPT_BYTES.load(Ordering::Relaxed))
            .min(self.limit.saturating_sub(self.bytes))
    }

    /// The kept flow frame of `video`'s raw frame `frame` (`uv`: as a field).
    pub(super) fn flow(&self, video: usize, frame: usize, uv: bool) -> Option<Arc<FlowFrame>> {
        self.flows.frames.get(&(video, frame, uv)).cloned()
    }

    /// Keeps a flow frame when there is room for it.
    pub(super) fn keep_flow(&mut self, key: (usize, usize, bool), ready: &Arc<FlowFrame>) {
        let (h, w) = ready.size();
        let bytes = (h * w) as u64
            * match **ready {
                FlowFrame::Field { .. } => 8,
                FlowFrame::Image(_) => 3,
            };
        if bytes > self.room() || self.flows.frames.contains_key(&key) {
            return;
        }
        KEPT_BYTES.fetch_add(bytes, Ordering::Relaxed);
        self.flows.bytes += bytes;
        self.bytes += bytes;
        self.flows.frames.insert(key, Arc::clone(ready));
    }
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

    /// Bytes of flow frames kept now.
    #[cfg(test)]
    pub(super) fn kept_flow_bytes(&self) -> u64 {
        self.cache.lock().map_or(0, |c| c.flows.bytes)
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
        let plan = plan_clip(info.frames, start_draw, self.window, t);
        let picked = all.as_ref().and_then(|kept| kept.pick(&plan.frames));
        let (loaded, info) = match picked {
            Some(picked) => {
                // The viewer's window: kept frames, else decoded again.
                let window = shrink
                    .and_then(|f| {
                        let raw = match all.as_ref().and_then(|k| k.pick(&plan.window)) {
                            Some(raw) => raw,
                            None => {
                                let read = source.read_frames_with(&info, &plan.window).ok()?;
                                read.into_iter().map(Arc::new).collect()
                            }
                        };
                        Some(raw.iter().map(|r| f(r)).collect())
                    })
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
                // A video read a window at a time: the window decoded again.
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

    /// The video's facts, and the frames the plan needs of it when
    /// [`keep_needed`] says to keep them (decoded in one pass, then shared);
    /// `None` for a video read a window at a time, or one that decodes to
    /// fewer frames than its container counts (the careful path of
    /// [`load_clip_with`] recounts).
    pub(super) fn decoded(
        &self,
        source: &VideoSource,
    ) -> Result<(VideoInfo, Option<Arc<Kept>>), String> {
        let path = video_key(source);
        let (known, cached, wanted) = match self.cache.lock() {
            Ok(c) => {
                let frame_bytes = c.infos.get(&path).map(frame_bytes);
                let wanted = c.needs.get(&path).and_then(|need| {
                    let info = c.infos.get(&path)?;
                    let room = c.room();
                    let size = (need.frames.len(), frame_bytes?);
                    keep_needed(size, info.frames, need.uses, self.window, room)
                        .then(|| need.frames.clone())
                });
                (
                    c.infos.get(&path).copied(),
                    c.frames.get(&path).cloned(),
                    wanted,
                )
            }
            Err(_) => (None, None, None),
        };
        let info = match known {
            Some(i) => i,
            None => source.info().map_err(|e| e.to_string())?,
        };
        if cached.is_some() {
            return Ok((info, cached));
        }
        let Some(needed) = wanted.filter(|n| n.last() < Some(&info.frames)) else {
            return Ok((info, None));
        };
        let Ok(decoded) = source.read_frames_with(&info, &needed) else {
            // Read a window at a time from now on (the window path says why).
            if let Ok(mut c) = self.cache.lock() {
                c.needs.remove(&path);
            }
            return Ok((info, None));
        };
        let bytes = needed.len() as u64 * frame_bytes(&info);
        KEPT_BYTES.fetch_add(bytes, Ordering::Relaxed);
        let kept = Arc::new(Kept {
            frames: needed
                .into_iter()
                .zip(decoded.into_iter().map(Arc::new))
                .collect(),
            bytes,
        });
        if let Ok(mut c) = self.cache.lock() {
            c.bytes += bytes;
            c.frames.insert(path, kept.clone());
        }
        Ok((info, Some(kept)))
    }
}

/// Bytes of one decoded frame.
fn frame_bytes(info: &VideoInfo) -> u64 {
    u64::from(info.width) * u64::from(info.height) * 3
}
