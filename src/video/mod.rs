//! Probe videos: decoding (frame folders, video files through the system
//! `ffmpeg`), probe-set layouts, temporal sampling and preprocessing
//! (METHOD.md §2). Produces [`Clip`]s.
//!
//! # Pipeline of one clip ([`load_clip`])
//! 1. [`VideoSource::info`]: frame count, size, rate.
//! 2. [`start_frame`] from a random draw, [`window_indices`] (W consecutive
//!    frames, cycled when the video is shorter), [`sample_indices`]
//!    (`trunc(linspace(0, W−1, T))` as NumPy computes it, through f32).
//! 3. [`VideoSource::read_frames`]: decode those T frames only, at full
//!    resolution, from the keyframe before the window when the file allows
//!    it exactly (`seek`).
//! 4. [`preprocess`]: `/255` in f32, bilinear resize like PyTorch's
//!    `F.interpolate(align_corners=False)`, center crop like PySlowFast.
//!
//! Errors are [`VideoError`]s naming the file and the reason; a probe set
//! ([`ProbeSet::discover`]) lists videos without decoding them, so a damaged
//! file shows up when its clip is loaded.

mod array;
mod clip;
pub mod demo;
mod dir;
mod error;
mod ffmpeg;
pub mod flow;
mod frames;
mod layout;
mod load;
mod natural;
mod preprocess;
mod probe;
mod resize;
mod sampling;
mod seek;
mod source;

pub use array::{ClipArray, is_clip_array};
pub use clip::Clip;
pub use error::{Result, VideoError};
pub use ffmpeg::ffmpeg_program;
pub use frames::FRAME_EXTENSIONS;
pub use layout::{Layout, ParseLayoutError, detect_layout};
pub use load::{LoadedClip, load_clip, load_clip_detailed, load_clip_with};
pub use natural::{natural_cmp, natural_path_cmp};
pub use preprocess::{Preprocess, center_crop_offset, preprocess, short_side_size};
pub use probe::{ProbeSet, ProbeVideo};
pub use resize::{resize_bilinear, resize_window};
pub use sampling::{ClipPlan, plan_clip, sample_indices, start_frame, window_indices};
pub use source::{VIDEO_EXTENSIONS, VideoSource, is_video_file};

/// What a video is: frame count, frame size and rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoInfo {
    /// Number of frames (for files: packets counted by `ffprobe`, or frames
    /// counted by decoding when the container has no packet count).
    pub frames: usize,
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Frames per second, when the container says (never for frame folders).
    pub fps: Option<f64>,
    /// Rotation metadata of a video file in degrees (a phone's portrait
    /// video), when it has one. stadyn decodes frames as stored and ignores
    /// it; the job warns.
    pub rotation: Option<i32>,
}

#[cfg(test)]
mod tests;
