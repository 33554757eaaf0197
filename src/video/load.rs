//! One clip from one probe video, the whole of METHOD.md §2 steps 1–3: frame
//! count → start frame → W-frame window → T sampled frames → decode only
//! those → preprocess.

use super::error::{Result, VideoError};
use super::ffmpeg::{self, Tools};
use super::preprocess::{Preprocess, preprocess};
use super::sampling::{ClipPlan, plan_clip};
use super::source::{VideoSource, read_file_frames};
use super::{Clip, VideoInfo};

/// A loaded clip with what was decided on the way.
#[derive(Clone, Debug)]
pub struct LoadedClip {
    /// The preprocessed T frames.
    pub clip: Clip,
    /// The video's frame count, size and rate (the frame count decoding
    /// found, if it differed from the header's).
    pub info: VideoInfo,
    /// Start frame, window and sampled raw frame indices, and notes for the
    /// user (e.g. "shorter than W = 64 (30 frames): cycled").
    pub plan: ClipPlan,
}

/// Loads one clip: `start_draw` picks the start frame (see
/// [`start_frame`](super::start_frame)), `window` = W, `t` = T. Returns the
/// clip and notes for the user.
pub fn load_clip(
    source: &VideoSource,
    start_draw: u64,
    window: usize,
    t: usize,
    p: &Preprocess,
) -> Result<(Clip, Vec<String>)> {
    let loaded = load_clip_detailed(source, start_draw, window, t, p)?;
    Ok((loaded.clip, loaded.plan.notes))
}

/// [`load_clip`], also returning the video info and the frame plan.
///
/// If a video file decodes to fewer frames than its container counted, the
/// frames are recounted by decoding and the clip planned again once, with a
/// note.
pub fn load_clip_detailed(
    source: &VideoSource,
    start_draw: u64,
    window: usize,
    t: usize,
    p: &Preprocess,
) -> Result<LoadedClip> {
    let invalid = |reason: String| VideoError::InvalidPreprocess {
        path: source.path().to_path_buf(),
        reason,
    };
    if window == 0 || t == 0 {
        return Err(invalid(format!(
            "window W = {window} and frames T = {t}: both must be at least 1"
        )));
    }
    p.check().map_err(invalid)?;
    load_clip_with(source, source.info()?, start_draw, window, t, p)
}

/// [`load_clip_detailed`] with the video's info already known (from an
/// earlier [`LoadedClip::info`]), which saves probing the file again.
pub fn load_clip_with(
    source: &VideoSource,
    mut info: VideoInfo,
    start_draw: u64,
    window: usize,
    t: usize,
    p: &Preprocess,
) -> Result<LoadedClip> {
    if window == 0 || t == 0 {
        return Err(VideoError::InvalidPreprocess {
            path: source.path().to_path_buf(),
            reason: format!("window W = {window} and frames T = {t}: both must be at least 1"),
        });
    }
    if info.frames == 0 {
        return Err(VideoError::Empty {
            path: source.path().to_path_buf(),
            reason: "0 frames".into(),
        });
    }
    let mut plan = plan_clip(info.frames, start_draw, window, t);
    let frames = match source.read_frames_with(&info, &plan.frames) {
        Err(e @ VideoError::TooFewFrames { .. }) if matches!(source, VideoSource::File(_)) => {
            let tools = Tools::from_env();
            let path = source.path();
            let counted = info.frames;
            info.frames = ffmpeg::count_decoded(&tools, path)?;
            if info.frames >= counted {
                // Recounting did not explain it: report the original failure.
                return Err(e);
            }
            plan = plan_clip(info.frames, start_draw, window, t);
            plan.notes.push(format!(
                "the container counts {counted} frames but {} decode: used {}",
                info.frames, info.frames
            ));
            read_file_frames(&tools, path, &info, &plan.frames)?
        }
        other => other?,
    };
    let clip = preprocess(&frames, p);
    Ok(LoadedClip { clip, info, plan })
}
