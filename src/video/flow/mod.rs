//! Optical flow for two-stream models, read the way datasets ship it
//! ([`FlowSource`]): colour-coded flow images in a folder per sequence
//! (DAVIS's `FlowImages_gap1/<seq>`), Middlebury `.flo` files, NumPy `.npy`
//! fields (one H×W×2 file per frame, or a whole video's T×H×W×2 in one
//! `<video>.flow.npy`, or N×T×H×W×2 beside an N-clip array). stadyn does not
//! estimate flow; `tools/make_flow.py` makes it with OpenCV where none ships.
//!
//! # Where a video's flow is looked for ([`FlowSource::find`])
//! 1. beside it: `<video>.flow.npy`, then a folder `<video>.flow/`
//!    (`<video>` without its extension; for a clip array `clips.npy`,
//!    `clips.flow.npy` holds every clip's flow);
//! 2. DAVIS: a frame folder `<root>/JPEGImages/<res or style>/<seq>` has
//!    its flow in `<root>/FlowImages_gap1/<seq>`.
//!
//! # Which flow goes with which frame
//! Flow frame `i` is the motion from raw frame `i` to `i + 1`. A video of N
//! frames needs at least N − 1 flow frames; raw frame `f` takes flow frame
//! `min(f, F − 1)` of the F there are (the last frame repeats the flow
//! before it when F = N − 1, as AVOS loaders do).

mod fields;
mod read;
mod wheel;

pub use fields::{color_clip, uv_clip};
pub use wheel::flow_to_color;

use std::path::{Path, PathBuf};

use image::RgbImage;

use super::error::{Result, VideoError};
use super::source::VideoSource;
pub use read::{FieldArray, FolderKind};

/// One frame of flow as read.
#[derive(Clone, Debug, PartialEq)]
pub enum FlowFrame {
    /// A flow field: `h × w` pixels of (u, v) in pixels, interleaved.
    Field {
        /// Height.
        h: usize,
        /// Width.
        w: usize,
        /// `h · w · 2` values.
        uv: Vec<f32>,
    },
    /// A colour-coded flow image (the field is not recoverable from it).
    Image(RgbImage),
}

impl FlowFrame {
    /// The colour image of the frame (a field through the colour wheel).
    pub fn to_color(&self) -> RgbImage {
        match self {
            FlowFrame::Field { h, w, uv } => flow_to_color(uv, *h, *w),
            FlowFrame::Image(img) => img.clone(),
        }
    }

    /// (height, width).
    pub fn size(&self) -> (usize, usize) {
        match self {
            FlowFrame::Field { h, w, .. } => (*h, *w),
            FlowFrame::Image(img) => (img.height() as usize, img.width() as usize),
        }
    }
}

/// Where one video's flow comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum FlowSource {
    /// A folder of per-frame files, naturally sorted.
    Folder {
        /// The folder.
        dir: PathBuf,
        /// Its flow files.
        files: Vec<PathBuf>,
        /// What they are.
        kind: FolderKind,
    },
    /// Clip `index` of a `.flow.npy` array of fields.
    Array {
        /// The array.
        array: FieldArray,
        /// Which clip (0 for a T×H×W×2 array).
        index: usize,
    },
}

impl FlowSource {
    /// The flow of `video` (see the module doc), `Ok(None)` when there is
    /// none; a flow file or folder that is there but unreadable is an error.
    pub fn find(video: &VideoSource) -> Result<Option<FlowSource>> {
        if let VideoSource::Array { array, index } = video {
            let path = sidecar(&array.path, ".flow.npy");
            if !path.is_file() {
                return Ok(None);
            }
            let fields = FieldArray::open(&path)?;
            if fields.clips != array.clips {
                return Err(bad(
                    &path,
                    format!(
                        "holds the flow of {} clips; '{}' has {}",
                        fields.clips,
                        array.path.display(),
                        array.clips
                    ),
                ));
            }
            return Ok(Some(FlowSource::Array {
                array: fields,
                index: *index,
            }));
        }
        for candidate in candidates(video.path()) {
            if candidate.is_file() {
                let array = FieldArray::open(&candidate)?;
                if array.clips != 1 {
                    return Err(bad(
                        &candidate,
                        format!(
                            "a video's flow is T×H×W×2; this array holds {} clips",
                            array.clips
                        ),
                    ));
                }
                return Ok(Some(FlowSource::Array { array, index: 0 }));
            }
            if candidate.is_dir() {
                let (files, kind) = read::list_folder(&candidate)?;
                return Ok(Some(FlowSource::Folder {
                    dir: candidate,
                    files,
                    kind,
                }));
            }
        }
        Ok(None)
    }

    /// The file or folder.
    pub fn path(&self) -> &Path {
        match self {
            FlowSource::Folder { dir, .. } => dir,
            FlowSource::Array { array, .. } => &array.path,
        }
    }

    /// Number of flow frames F.
    pub fn len(&self) -> usize {
        match self {
            FlowSource::Folder { files, .. } => files.len(),
            FlowSource::Array { array, .. } => array.frames,
        }
    }

    /// Whether there are no flow frames (never for a found source).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether it holds colour images only (no field to give as (u, v)).
    pub fn is_images(&self) -> bool {
        matches!(
            self,
            FlowSource::Folder {
                kind: FolderKind::Images,
                ..
            }
        )
    }

    /// Checks that it covers a video of `frames` frames (at least
    /// `frames − 1` flow frames).
    pub fn check_covers(&self, video: &Path, frames: usize) -> Result<()> {
        if self.len() + 1 < frames {
            return Err(bad(
                self.path(),
                format!(
                    "has {} flow frames, but '{}' has {frames} frames (flow is needed for at \
                     least {})",
                    self.len(),
                    video.display(),
                    frames.saturating_sub(1)
                ),
            ));
        }
        Ok(())
    }

    /// The flow of raw frames `indices` (flow frame `min(f, F − 1)` for
    /// frame `f`).
    pub fn read(&self, indices: &[usize]) -> Result<Vec<FlowFrame>> {
        let last = self.len().saturating_sub(1);
        let at: Vec<usize> = indices.iter().map(|&f| f.min(last)).collect();
        match self {
            FlowSource::Folder { files, kind, .. } => at
                .iter()
                .map(|&i| read::read_file(&files[i], *kind))
                .collect(),
            FlowSource::Array { array, index } => array.read(*index, &at),
        }
    }
}

/// `path` with its extension replaced by `suffix` (`a/b.mp4` → `a/b.flow.npy`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = if path.is_dir() {
        path.file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or(stem)
    } else {
        stem
    };
    path.with_file_name(format!("{name}{suffix}"))
}

/// Where the flow of the video at `path` may lie, in the order tried.
fn candidates(path: &Path) -> Vec<PathBuf> {
    let mut out = vec![sidecar(path, ".flow.npy"), sidecar(path, ".flow")];
    // DAVIS: <root>/JPEGImages/<res or style>/<seq> → <root>/FlowImages_gap1/<seq>
    let up = |p: &Path, n: usize| {
        let mut p = p.to_path_buf();
        for _ in 0..n {
            p = p.parent()?.to_path_buf();
        }
        Some(p)
    };
    if let (Some(images), Some(seq)) = (up(path, 2), path.file_name())
        && images.file_name().is_some_and(|n| n == "JPEGImages")
        && let Some(root) = images.parent()
    {
        out.push(root.join("FlowImages_gap1").join(seq));
    }
    out
}

/// A flow file or folder that cannot be used.
fn bad(path: &Path, reason: String) -> VideoError {
    VideoError::BadFlow {
        path: path.to_path_buf(),
        reason,
    }
}

/// How to make flow for videos that have none, for messages.
pub const MAKE_FLOW: &str = "stadyn reads precomputed optical flow: put `<video>.flow.npy` \
     (T×H×W×2 float32, or N×T×H×W×2 beside an N-clip array) or a folder `<video>.flow/` \
     of .flo, .npy or colour-coded images beside each video, or use the DAVIS layout \
     (FlowImages_gap1/<seq>). `python tools/make_flow.py VIDEOS` computes it with OpenCV's \
     DIS optical flow";

#[cfg(test)]
mod tests;
