//! Frame folders: a folder of `.jpg`/`.jpeg`/`.png` images, one per frame, in
//! natural order (`frame2` before `frame10`). Decoded with the `image` crate;
//! only the requested frames are read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use image::RgbImage;

use super::VideoInfo;
use super::error::{Result, VideoError};
use super::natural::natural_path_cmp;

/// File extensions of frame images (compared case-insensitively).
pub const FRAME_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png"];

/// Whether `path` has one of `exts` as its extension (case-insensitive).
pub(crate) fn has_extension(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Whether a directory entry name is hidden (`.DS_Store`, `._frame1.jpg`).
pub(crate) fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// The frame images directly inside `dir`, naturally sorted. May be empty.
pub(crate) fn list_frames(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| VideoError::io(dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| VideoError::io(dir, e))?.path();
        if has_extension(&path, FRAME_EXTENSIONS) && !is_hidden(&path) && path.is_file() {
            files.push(path);
        }
    }
    files.sort_by(|a, b| natural_path_cmp(a, b));
    Ok(files)
}

/// Frame count and the size of the first frame (read from its header only).
pub(crate) fn frames_info(dir: &Path, files: &[PathBuf]) -> Result<VideoInfo> {
    let Some(first) = files.first() else {
        return Err(VideoError::Empty {
            path: dir.to_path_buf(),
            reason: "the folder holds no .jpg, .jpeg or .png frames".into(),
        });
    };
    let (width, height) = image::ImageReader::open(first)
        .map_err(|e| VideoError::io(first, e))?
        .with_guessed_format()
        .map_err(|e| VideoError::io(first, e))?
        .into_dimensions()
        .map_err(|source| VideoError::BadFrame {
            path: first.clone(),
            source,
        })?;
    Ok(VideoInfo {
        frames: files.len(),
        width,
        height,
        fps: None,
        rotation: None,
    })
}

/// Decodes one frame image to 8-bit RGB (format sniffed from the content, so
/// a PNG named `.jpg` still decodes).
pub(crate) fn decode_frame(path: &Path) -> Result<RgbImage> {
    let img = image::ImageReader::open(path)
        .map_err(|e| VideoError::io(path, e))?
        .with_guessed_format()
        .map_err(|e| VideoError::io(path, e))?
        .decode()
        .map_err(|source| VideoError::BadFrame {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(img.to_rgb8())
}

/// Decodes the frames at `indices` (any order, repeats allowed; each file is
/// decoded once). All frames must have one size.
pub(crate) fn read_frames(
    dir: &Path,
    files: &[PathBuf],
    indices: &[usize],
) -> Result<Vec<RgbImage>> {
    let mut decoded: BTreeMap<usize, RgbImage> = BTreeMap::new();
    let mut size: Option<(u32, u32)> = None;
    for &i in indices {
        if decoded.contains_key(&i) {
            continue;
        }
        let path = files.get(i).ok_or_else(|| VideoError::FrameOutOfRange {
            path: dir.to_path_buf(),
            index: i,
            frames: files.len(),
        })?;
        let img = decode_frame(path)?;
        let got = img.dimensions();
        match size {
            None => size = Some(got),
            Some(expected) if expected != got => {
                return Err(VideoError::FrameSize {
                    path: path.clone(),
                    expected,
                    got,
                });
            }
            Some(_) => {}
        }
        decoded.insert(i, img);
    }
    Ok(indices
        .iter()
        .filter_map(|i| decoded.get(i).cloned())
        .collect())
}
