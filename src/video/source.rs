//! [`VideoSource`]: one probe video, either a folder of frame images or a
//! video file decoded by the system `ffmpeg`, with frame-count/size queries
//! and decoding of just the frames asked for.

use std::path::{Path, PathBuf};

use image::RgbImage;

use super::VideoInfo;
use super::array::ClipArray;
use super::error::{Result, VideoError};
use super::ffmpeg::{self, Pick, Tools};
use super::frames::{self, has_extension};
use super::seek;

/// Extensions of video files decoded through `ffmpeg` (case-insensitive).
pub const VIDEO_EXTENSIONS: &[&str] = &[
    "mp4", "m4v", "webm", "avi", "mkv", "mov", "gif", "mpg", "mpeg", "ogv", "flv", "wmv", "3gp",
    "ts", "mts", "m2ts",
];

/// Whether `path` names a video file by its extension.
pub fn is_video_file(path: &Path) -> bool {
    has_extension(path, VIDEO_EXTENSIONS)
}

/// Where one video's frames come from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum VideoSource {
    /// A folder of frame images (`.jpg`, `.jpeg`, `.png`), in natural order.
    Frames {
        /// The folder.
        dir: PathBuf,
        /// Its frame files, naturally sorted (`frame2` before `frame10`).
        files: Vec<PathBuf>,
    },
    /// A video file (see [`VIDEO_EXTENSIONS`]), decoded by `ffmpeg`.
    File(PathBuf),
    /// Clip `index` of a `.npy` clip array.
    Array {
        /// The array file.
        array: ClipArray,
        /// Which clip.
        index: usize,
    },
}

impl VideoSource {
    /// Opens a frame folder or a video file. Lists a folder's frames (an
    /// empty folder is an error); a file must have a video extension. A
    /// file's contents are not read until [`info`](Self::info) or
    /// [`read_frames`](Self::read_frames).
    pub fn open(path: &Path) -> Result<Self> {
        let meta = std::fs::metadata(path).map_err(|e| VideoError::io(path, e))?;
        if meta.is_dir() {
            let files = frames::list_frames(path)?;
            if files.is_empty() {
                return Err(VideoError::Empty {
                    path: path.to_path_buf(),
                    reason: "the folder holds no .jpg, .jpeg or .png frames".into(),
                });
            }
            return Ok(Self::Frames {
                dir: path.to_path_buf(),
                files,
            });
        }
        if is_video_file(path) {
            return Ok(Self::File(path.to_path_buf()));
        }
        let ext = path
            .extension()
            .map(|e| format!("extension .{}", e.to_string_lossy()))
            .unwrap_or_else(|| "no extension".into());
        Err(VideoError::NotAVideo {
            path: path.to_path_buf(),
            reason: format!(
                "{ext}; expected a folder of .jpg/.png frames or a video file ({})",
                VIDEO_EXTENSIONS.join(", ")
            ),
        })
    }

    /// The folder or file.
    pub fn path(&self) -> &Path {
        match self {
            Self::Frames { dir, .. } => dir,
            Self::File(path) => path,
            Self::Array { array, .. } => &array.path,
        }
    }

    /// Frame count, frame size and rate. For a file this runs `ffprobe`
    /// (which reads the whole file's packets, without decoding); for a
    /// folder it reads the first frame's header.
    pub fn info(&self) -> Result<VideoInfo> {
        match self {
            Self::Frames { dir, files } => frames::frames_info(dir, files),
            Self::File(path) => ffmpeg::probe(&Tools::from_env(), path),
            Self::Array { array, .. } => Ok(array.info()),
        }
    }

    /// Decodes the frames at `indices` (any order; repeats allowed), and
    /// nothing else: a folder decodes those images only, a file is decoded
    /// once from the keyframe before the smallest index (or from frame 0,
    /// see the `seek` module) up to the largest, keeping only the requested
    /// frames.
    pub fn read_frames(&self, indices: &[usize]) -> Result<Vec<RgbImage>> {
        match self {
            Self::Frames { dir, files } => frames::read_frames(dir, files, indices),
            Self::File(path) => {
                let info = self.info()?;
                read_file_frames(&Tools::from_env(), path, &info, indices)
            }
            Self::Array { array, index } => array.read_frames(*index, indices),
        }
    }

    /// [`read_frames`](Self::read_frames) when the [`VideoInfo`] is already
    /// known (saves a probe of a file).
    pub fn read_frames_with(&self, info: &VideoInfo, indices: &[usize]) -> Result<Vec<RgbImage>> {
        match self {
            Self::Frames { dir, files } => frames::read_frames(dir, files, indices),
            Self::File(path) => read_file_frames(&Tools::from_env(), path, info, indices),
            Self::Array { array, index } => array.read_frames(*index, indices),
        }
    }
}

/// The most runs of consecutive frames one ffmpeg `select` names.
const MAX_SELECT_RUNS: usize = 32;

/// Decodes requested frames of a video file through `tools`.
pub(crate) fn read_file_frames(
    tools: &Tools,
    path: &Path,
    info: &VideoInfo,
    indices: &[usize],
) -> Result<Vec<RgbImage>> {
    if let Some(&index) = indices.iter().find(|&&i| i >= info.frames) {
        return Err(VideoError::FrameOutOfRange {
            path: path.to_path_buf(),
            index,
            frames: info.frames,
        });
    }
    let mut sorted = indices.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let size = (info.width, info.height);
    // ffmpeg's expressions nest at most ~100 deep: many scattered frames are
    // read as the one range they span, and the others dropped as they come.
    let runs = 1 + sorted.windows(2).filter(|w| w[1] != w[0] + 1).count();
    let (wanted, keep) = match (sorted.first(), sorted.last()) {
        (Some(&first), Some(&last)) if runs > MAX_SELECT_RUNS => {
            let mut keep = vec![false; last - first + 1];
            for &i in &sorted {
                keep[i - first] = true;
            }
            ((first..=last).collect(), Some(keep))
        }
        _ => (sorted.clone(), None),
    };
    let keep = keep.as_deref();
    let sought = (wanted.first() > Some(&0))
        .then(|| seek::table(tools, path, info.frames))
        .flatten()
        .and_then(|table| table.pick(&wanted));
    let decoded = match sought.map(|pick| ffmpeg::decode(tools, path, size, &pick, keep)) {
        Some(Ok(frames)) => frames,
        Some(Err(_)) => {
            // The seek did not give every frame: from frame 0, as before.
            seek::forget(path);
            ffmpeg::decode(tools, path, size, &Pick::Indices(&wanted), keep)?
        }
        None => ffmpeg::decode(tools, path, size, &Pick::Indices(&wanted), keep)?,
    };
    Ok(indices
        .iter()
        .filter_map(|i| {
            sorted
                .binary_search(i)
                .ok()
                .and_then(|k| decoded.get(k).cloned())
        })
        .collect())
}
