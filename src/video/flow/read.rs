//! Reading flow files: Middlebury `.flo`, NumPy `.npy` fields (per frame,
//! or a whole video or clip array's in one file) and colour-coded images.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{FlowFrame, bad};
use crate::npz::{DType, NpyHeader, read_npy_header};
use crate::video::error::{Result, VideoError};
use crate::video::frames::{FRAME_EXTENSIONS, has_extension, is_hidden};
use crate::video::natural::natural_path_cmp;

/// Middlebury's `.flo` tag: the float 202021.25 ("PIEH").
const FLO_TAG: f32 = 202_021.25;
/// Largest side accepted from a file's header (a damaged header must not
/// make stadyn allocate gigabytes).
const MAX_SIDE: usize = 16_384;

/// What the files of a flow folder are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolderKind {
    /// Middlebury `.flo`.
    Flo,
    /// NumPy H×W×2 fields.
    Npy,
    /// Colour-coded images (`.png`, `.jpg`).
    Images,
}

/// The flow files of `dir`, naturally sorted, and their kind; a folder of
/// none, or of several kinds, is an error.
pub(super) fn list_folder(dir: &Path) -> Result<(Vec<PathBuf>, FolderKind)> {
    let entries = std::fs::read_dir(dir).map_err(|e| VideoError::io(dir, e))?;
    let mut files: Vec<(PathBuf, FolderKind)> = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| VideoError::io(dir, e))?.path();
        if is_hidden(&path) || !path.is_file() {
            continue;
        }
        let kind = if has_extension(&path, &["flo"]) {
            FolderKind::Flo
        } else if has_extension(&path, &["npy"]) {
            FolderKind::Npy
        } else if has_extension(&path, FRAME_EXTENSIONS) {
            FolderKind::Images
        } else {
            continue;
        };
        files.push((path, kind));
    }
    let Some(&(_, kind)) = files.first() else {
        return Err(bad(
            dir,
            "the folder holds no .flo, .npy, .png or .jpg flow files".into(),
        ));
    };
    if files.iter().any(|(_, k)| *k != kind) {
        return Err(bad(
            dir,
            "the folder mixes kinds of flow files (.flo, .npy, images): keep one".into(),
        ));
    }
    let mut files: Vec<PathBuf> = files.into_iter().map(|(p, _)| p).collect();
    files.sort_by(|a, b| natural_path_cmp(a, b));
    Ok((files, kind))
}

/// Reads one flow file of a folder.
pub(super) fn read_file(path: &Path, kind: FolderKind) -> Result<FlowFrame> {
    match kind {
        FolderKind::Flo => read_flo(path),
        FolderKind::Npy => {
            let array = FieldArray::open(path)?;
            if array.clips != 1 || array.frames != 1 {
                return Err(bad(
                    path,
                    "a flow file of a folder holds one H×W×2 field".into(),
                ));
            }
            Ok(array.read(0, &[0])?.remove(0))
        }
        FolderKind::Images => {
            let img = image::open(path)
                .map_err(|source| VideoError::BadFrame {
                    path: path.to_path_buf(),
                    source,
                })?
                .to_rgb8();
            Ok(FlowFrame::Image(img))
        }
    }
}

/// Reads a Middlebury `.flo` file: the tag, width and height (i32), then
/// `h · w` pairs of f32 (u, v), all little-endian.
pub(super) fn read_flo(path: &Path) -> Result<FlowFrame> {
    let bytes = std::fs::read(path).map_err(|e| VideoError::io(path, e))?;
    let word = |i: usize| -> Option<[u8; 4]> { bytes.get(i * 4..i * 4 + 4)?.try_into().ok() };
    let (Some(tag), Some(w), Some(h)) = (word(0), word(1), word(2)) else {
        return Err(bad(path, "too short for a .flo header".into()));
    };
    if f32::from_le_bytes(tag) != FLO_TAG {
        return Err(bad(
            path,
            "not a .flo file (its first 4 bytes are not the tag 202021.25, \"PIEH\")".into(),
        ));
    }
    let side = |v: [u8; 4]| usize::try_from(i32::from_le_bytes(v)).ok();
    let (Some(w), Some(h)) = (side(w), side(h)) else {
        return Err(bad(path, "negative size in the .flo header".into()));
    };
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(bad(path, format!("size {w}×{h} in the .flo header")));
    }
    let need = 12 + h * w * 8;
    if bytes.len() < need {
        return Err(bad(
            path,
            format!(
                "the file is cut short: {} bytes, its header promises {need}",
                bytes.len()
            ),
        ));
    }
    let uv = finite(
        path,
        bytes[12..need]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
    )?;
    Ok(FlowFrame::Field { h, w, uv })
}

/// `uv` when every value is finite.
fn finite(path: &Path, uv: Vec<f32>) -> Result<Vec<f32>> {
    match uv.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(bad(
            path,
            format!("value {i} of the flow is {}, not a number", uv[i]),
        )),
        None => Ok(uv),
    }
}

/// A `.npy` array of flow fields: N×T×H×W×2, T×H×W×2 or H×W×2, float32 or
/// float64, little-endian, C order.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldArray {
    /// The file.
    pub path: PathBuf,
    /// Clips N (1 unless the array is 5-D).
    pub clips: usize,
    /// Frames T per clip (1 for H×W×2).
    pub frames: usize,
    /// Height.
    pub h: usize,
    /// Width.
    pub w: usize,
    /// Bytes per value (4 or 8).
    item: usize,
    /// Byte offset of the first value.
    offset: u64,
}

impl FieldArray {
    /// Reads and checks the header.
    pub fn open(path: &Path) -> Result<FieldArray> {
        let file = File::open(path).map_err(|e| VideoError::io(path, e))?;
        let size = file.metadata().map_err(|e| VideoError::io(path, e))?.len();
        let (header, offset): (NpyHeader, u64) = read_npy_header(&mut BufReader::new(file))
            .map_err(|e| bad(path, format!("not a readable .npy array: {e}")))?;
        let item = match header.dtype {
            DType::F32 => 4,
            DType::F64 => 8,
            _ => {
                return Err(bad(
                    path,
                    format!(
                        "flow is float32 or float64, this array is '{}'",
                        header.descr()
                    ),
                ));
            }
        };
        if header.big_endian || header.fortran_order {
            return Err(bad(
                path,
                "the array is big-endian or in Fortran order; save it little-endian, C-ordered"
                    .into(),
            ));
        }
        let (clips, frames, h, w) = match header.shape[..] {
            [n, t, h, w, 2] => (n, t, h, w),
            [t, h, w, 2] => (1, t, h, w),
            [h, w, 2] => (1, 1, h, w),
            _ => {
                return Err(bad(
                    path,
                    format!(
                        "flow has shape N×T×H×W×2, T×H×W×2 or H×W×2, this array is {:?}",
                        header.shape
                    ),
                ));
            }
        };
        if clips == 0 || frames == 0 || h == 0 || w == 0 || h > MAX_SIDE || w > MAX_SIDE {
            return Err(bad(
                path,
                format!("the array's shape is {:?}", header.shape),
            ));
        }
        let need = (clips as u64)
            .saturating_mul(frames as u64)
            .saturating_mul((h * w * 2 * item) as u64)
            .saturating_add(offset);
        if size < need {
            return Err(bad(
                path,
                format!("the file is cut short: {size} bytes, its header promises {need}"),
            ));
        }
        Ok(FieldArray {
            path: path.to_path_buf(),
            clips,
            frames,
            h,
            w,
            item,
            offset,
        })
    }

    /// Fields `frames` (any order, repeats allowed) of clip `clip`.
    pub fn read(&self, clip: usize, frames: &[usize]) -> Result<Vec<FlowFrame>> {
        if clip >= self.clips {
            return Err(bad(
                &self.path,
                format!("clip {clip} asked for, the array has {}", self.clips),
            ));
        }
        let mut file = File::open(&self.path).map_err(|e| VideoError::io(&self.path, e))?;
        let frame_bytes = self.h * self.w * 2 * self.item;
        let start = self.offset + (clip * self.frames * frame_bytes) as u64;
        frames
            .iter()
            .map(|&f| {
                if f >= self.frames {
                    return Err(bad(
                        &self.path,
                        format!("flow frame {f} asked for, the array has {}", self.frames),
                    ));
                }
                let mut buf = vec![0u8; frame_bytes];
                file.seek(SeekFrom::Start(start + (f * frame_bytes) as u64))
                    .and_then(|_| file.read_exact(&mut buf))
                    .map_err(|e| VideoError::io(&self.path, e))?;
                let uv: Vec<f32> = if self.item == 4 {
                    buf.chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .collect()
                } else {
                    buf.chunks_exact(8)
                        .map(|b| {
                            f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
                                as f32
                        })
                        .collect()
                };
                Ok(FlowFrame::Field {
                    h: self.h,
                    w: self.w,
                    uv: finite(&self.path, uv)?,
                })
            })
            .collect()
    }
}
