//! [`VideoError`]: why a probe video or probe set could not be read. Every
//! variant names the offending path and says what went wrong in words a user
//! can act on.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why a video, a frame folder or a probe set could not be used.
#[derive(Debug, Error)]
pub enum VideoError {
    /// The path does not exist.
    #[error("{}: no such file or folder", path.display())]
    NotFound {
        /// What was asked for.
        path: PathBuf,
    },
    /// The path exists but could not be read (permissions, I/O error).
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// What could not be read.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not something stadyn can decode as a video.
    #[error("{} is not a video: {reason}", path.display())]
    NotAVideo {
        /// The file.
        path: PathBuf,
        /// Why (extension, or what `ffprobe` said).
        reason: String,
    },
    /// A `.npy` file that is an intact array but not clips (another dtype or shape).
    #[error("{} is not a clip array: {reason}", path.display())]
    NotAClipArray {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// The video or frame folder has no frames.
    #[error("{} has no frames: {reason}", path.display())]
    Empty {
        /// The video or folder.
        path: PathBuf,
        /// What was looked for.
        reason: String,
    },
    /// `ffmpeg` or `ffprobe` is not installed (not on PATH).
    #[error(
        "cannot decode {}: `{program}` was not found; install ffmpeg (e.g. `sudo apt install ffmpeg`), \
         or point STADYN_FFMPEG / STADYN_FFPROBE at the programs",
        path.display()
    )]
    FfmpegMissing {
        /// The video that needed it.
        path: PathBuf,
        /// `ffmpeg` or `ffprobe`, as it was called.
        program: String,
    },
    /// `ffmpeg` or `ffprobe` ran and failed.
    #[error("cannot decode {}: {program} failed ({status}): {message}", path.display())]
    FfmpegFailed {
        /// The video.
        path: PathBuf,
        /// `ffmpeg` or `ffprobe`.
        program: String,
        /// The exit status, in words.
        status: String,
        /// The last line it wrote to stderr.
        message: String,
    },
    /// One frame image could not be decoded.
    #[error("cannot decode frame {}: {source}", path.display())]
    BadFrame {
        /// The frame file.
        path: PathBuf,
        /// The decoder's reason.
        source: image::ImageError,
    },
    /// Frames of one video differ in size.
    #[error(
        "{}: frame size {}×{} differs from the video's {}×{} (w×h); all frames of a video must have one size",
        path.display(), got.0, got.1, expected.0, expected.1
    )]
    FrameSize {
        /// The frame (or video) at fault.
        path: PathBuf,
        /// (width, height) of the first frame.
        expected: (u32, u32),
        /// (width, height) of this frame.
        got: (u32, u32),
    },
    /// A frame index past the end was requested.
    #[error("{}: frame {index} requested, but the video has {frames} frames", path.display())]
    FrameOutOfRange {
        /// The video.
        path: PathBuf,
        /// The index asked for.
        index: usize,
        /// How many frames there are.
        frames: usize,
    },
    /// The decoder stopped before every requested frame came out (the frame
    /// count in the file's header was larger than what decodes).
    #[error(
        "{}: the decoder produced {got} of the {wanted} requested frames (the file is shorter than its header says, or truncated)",
        path.display()
    )]
    TooFewFrames {
        /// The video.
        path: PathBuf,
        /// Frames requested.
        wanted: usize,
        /// Frames that came out.
        got: usize,
    },
    /// Preprocessing settings that cannot be applied.
    #[error("cannot preprocess {}: {reason}", path.display())]
    InvalidPreprocess {
        /// The video being loaded.
        path: PathBuf,
        /// What is wrong with the settings.
        reason: String,
    },
    /// A video of a two-stream job has no optical flow.
    #[error("{}: no optical flow found. {reason}", path.display())]
    NoFlow {
        /// The video.
        path: PathBuf,
        /// Where stadyn looked and how to make flow.
        reason: String,
    },
    /// A flow file or folder that is there but cannot be used.
    #[error("{} is not usable flow: {reason}", path.display())]
    BadFlow {
        /// The flow file or folder.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A probe-set folder held no usable videos, or did not match the layout
    /// asked for.
    #[error("no probe videos in {}: {reason}", path.display())]
    NoVideos {
        /// The probe-set root.
        path: PathBuf,
        /// What was expected and what was found.
        reason: String,
    },
}

impl VideoError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::NotFound { path }
            | Self::Unreadable { path, .. }
            | Self::NotAVideo { path, .. }
            | Self::NotAClipArray { path, .. }
            | Self::Empty { path, .. }
            | Self::FfmpegMissing { path, .. }
            | Self::FfmpegFailed { path, .. }
            | Self::BadFrame { path, .. }
            | Self::FrameSize { path, .. }
            | Self::FrameOutOfRange { path, .. }
            | Self::TooFewFrames { path, .. }
            | Self::InvalidPreprocess { path, .. }
            | Self::NoFlow { path, .. }
            | Self::BadFlow { path, .. }
            | Self::NoVideos { path, .. } => path,
        }
    }

    /// An I/O error on `path`, as `NotFound` when that is what it is.
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            Self::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            Self::Unreadable {
                path: path.to_path_buf(),
                source,
            }
        }
    }
}

/// Result with [`VideoError`].
pub type Result<T, E = VideoError> = std::result::Result<T, E>;
