//! [`Layout`]: how a probe-set folder is organised, its names (for the CLI and
//! project files) and automatic detection.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::array::is_clip_array;
use super::dir::{Entry, list_dir};
use super::error::{Result, VideoError};
use super::frames::{FRAME_EXTENSIONS, has_extension};
use super::source::is_video_file;

/// How the videos of a probe set are laid out under its root folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Layout {
    /// `root/<video>.mp4` (any video extension), and `.npy` clip arrays
    /// (each clip one video).
    #[serde(rename = "files")]
    VideoFiles,
    /// Kinetics-style `root/<class>/<video>.mp4` (or `root/<class>/<video>/`
    /// frame folders).
    #[serde(rename = "classes")]
    ClassFolders,
    /// `root/<video>/<frame>.jpg`.
    #[serde(rename = "frames")]
    FrameFolders,
    /// DAVIS: `root/JPEGImages/480p/<sequence>/<frame>.jpg`. With two or
    /// more style folders beside the resolutions
    /// (`root/JPEGImages/<Style>/<sequence>`, the stylized DAVIS of the
    /// reference's segmentation study), a pre-stylized set.
    #[serde(rename = "davis")]
    Davis,
    /// The reference's pre-stylized probe set:
    /// `root/style_<k>/<video>/<frame>.jpg`.
    #[serde(rename = "stylized")]
    Stylized,
}

impl Layout {
    /// Every layout, in the order detection tries them.
    pub const ALL: [Layout; 5] = [
        Layout::Davis,
        Layout::Stylized,
        Layout::VideoFiles,
        Layout::FrameFolders,
        Layout::ClassFolders,
    ];

    /// The short name used on the command line and in project files.
    pub fn name(self) -> &'static str {
        match self {
            Layout::VideoFiles => "files",
            Layout::ClassFolders => "classes",
            Layout::FrameFolders => "frames",
            Layout::Davis => "davis",
            Layout::Stylized => "stylized",
        }
    }

    /// What the layout looks like on disk, for messages.
    pub fn pattern(self) -> &'static str {
        match self {
            Layout::VideoFiles => "<root>/<video>.mp4",
            Layout::ClassFolders => {
                "<root>/<class>/<video>.mp4 or <root>/<class>/<video>/<frame>.jpg"
            }
            Layout::FrameFolders => "<root>/<video>/<frame>.jpg",
            Layout::Davis => "<root>/JPEGImages/480p/<sequence>/<frame>.jpg",
            Layout::Stylized => "<root>/style_<k>/<video>/<frame>.jpg",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A layout name that is not one of `files`, `classes`, `frames`, `davis`,
/// `stylized`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown probe-set layout '{0}': expected one of files, classes, frames, davis, stylized")]
pub struct ParseLayoutError(pub String);

impl FromStr for Layout {
    type Err = ParseLayoutError;

    /// Parses a layout name (case-insensitive); a few aliases are accepted:
    /// `videos`, `kinetics`, `styles`.
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "files" | "videos" => Ok(Layout::VideoFiles),
            "classes" | "kinetics" => Ok(Layout::ClassFolders),
            "frames" => Ok(Layout::FrameFolders),
            "davis" => Ok(Layout::Davis),
            "stylized" | "styles" => Ok(Layout::Stylized),
            _ => Err(ParseLayoutError(s.to_string())),
        }
    }
}

/// Whether a folder name is one of the reference's style folders.
pub(crate) fn is_style_dir(name: &str) -> bool {
    name.starts_with("style_")
}

/// Guesses the layout of the folder `root` from its first levels. Reads a
/// few directory listings, never a frame or a video.
pub fn detect_layout(root: &Path) -> Result<Layout> {
    if root.join("JPEGImages").is_dir() {
        return Ok(Layout::Davis);
    }
    let entries = list_dir(root)?;
    let dirs: Vec<&Entry> = entries.iter().filter(|e| e.is_dir).collect();
    if !dirs.is_empty() && dirs.iter().all(|d| is_style_dir(&d.name)) {
        return Ok(Layout::Stylized);
    }
    if entries
        .iter()
        .any(|e| !e.is_dir && (is_video_file(&e.path) || is_clip_array(&e.path)))
    {
        return Ok(Layout::VideoFiles);
    }
    // The first sub-folder that says something decides.
    for dir in dirs {
        let Ok(inner) = list_dir(&dir.path) else {
            continue;
        };
        if inner
            .iter()
            .any(|e| !e.is_dir && has_extension(&e.path, FRAME_EXTENSIONS))
        {
            return Ok(Layout::FrameFolders);
        }
        if inner.iter().any(|e| e.is_dir || is_video_file(&e.path)) {
            return Ok(Layout::ClassFolders);
        }
    }
    let reason = if entries
        .iter()
        .any(|e| has_extension(&e.path, FRAME_EXTENSIONS))
    {
        "it holds frame images itself, so it looks like one video's frames; \
         give the folder above it (layout 'frames')"
            .to_string()
    } else if entries.is_empty() {
        "the folder is empty".to_string()
    } else {
        let patterns: Vec<String> = Layout::ALL
            .iter()
            .map(|l| format!("{l}: {}", l.pattern()))
            .collect();
        format!(
            "found no video files or frame folders; expected one of {}",
            patterns.join("; ")
        )
    };
    Err(VideoError::NoVideos {
        path: root.to_path_buf(),
        reason,
    })
}
