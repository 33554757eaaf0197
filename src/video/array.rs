//! Clip arrays: a NumPy `.npy` file of `uint8` clips, N×T×H×W×3 (N clips) or
//! T×H×W×3 (one clip), the compact form `stadyn demo-data` writes and
//! Python reads with `np.load`. Each clip is one probe video; only the bytes
//! of the frames asked for are read.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use image::RgbImage;

use super::VideoInfo;
use super::error::{Result, VideoError};
use super::frames::has_extension;
use crate::npz::{DType, read_npy_header};

/// Whether `path` names a NumPy array file (`.npy`).
pub fn is_clip_array(path: &Path) -> bool {
    has_extension(path, &["npy"])
}

/// Where the clips of one `.npy` file lie.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClipArray {
    /// The file.
    pub path: PathBuf,
    /// Number of clips N (1 for a T×H×W×3 array).
    pub clips: usize,
    /// Frames per clip T.
    pub frames: usize,
    /// Frame height.
    pub height: u32,
    /// Frame width.
    pub width: u32,
    /// Byte offset of the first element.
    pub offset: u64,
}

impl ClipArray {
    /// Like [`open`](Self::open), but an intact `.npy` file that is not a
    /// clip array (another dtype or shape, such as the `labels.npy` beside
    /// demo clips) is `Ok(None)`: probe-set discovery passes over it.
    pub fn find(path: &Path) -> Result<Option<ClipArray>> {
        match Self::open(path) {
            Ok(a) => Ok(Some(a)),
            Err(VideoError::NotAClipArray { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Reads and checks the header: `uint8`, C order, shape N×T×H×W×3 or
    /// T×H×W×3, and a file long enough for all of it.
    pub fn open(path: &Path) -> Result<ClipArray> {
        let file = File::open(path).map_err(|e| VideoError::io(path, e))?;
        let size = file.metadata().map_err(|e| VideoError::io(path, e))?.len();
        let not = |reason: String| VideoError::NotAVideo {
            path: path.to_path_buf(),
            reason,
        };
        let (header, offset) = read_npy_header(&mut BufReader::new(file))
            .map_err(|e| not(format!("not a readable .npy array: {e}")))?;
        let other = |reason: String| VideoError::NotAClipArray {
            path: path.to_path_buf(),
            reason,
        };
        if header.dtype != DType::U8 {
            return Err(other(format!(
                "a clip array holds uint8 pixels, this one is '{}'",
                header.descr()
            )));
        }
        if header.fortran_order {
            return Err(not(
                "the array is in Fortran order; save it C-ordered".into()
            ));
        }
        let (clips, t, h, w) = match header.shape[..] {
            [n, t, h, w, 3] => (n, t, h, w),
            [t, h, w, 3] => (1, t, h, w),
            _ => {
                return Err(other(format!(
                    "a clip array has shape N×T×H×W×3 or T×H×W×3, this one is {:?}",
                    header.shape
                )));
            }
        };
        if clips == 0 || t == 0 || h == 0 || w == 0 {
            return Err(VideoError::Empty {
                path: path.to_path_buf(),
                reason: format!("the array's shape is {:?}", header.shape),
            });
        }
        let need = offset + (clips * t * h * w * 3) as u64;
        if size < need {
            return Err(not(format!(
                "the file is cut short: {size} bytes, its header promises {need}"
            )));
        }
        let dim =
            |d: usize| u32::try_from(d).map_err(|_| not(format!("frame side {d} is too large")));
        Ok(ClipArray {
            path: path.to_path_buf(),
            clips,
            frames: t,
            height: dim(h)?,
            width: dim(w)?,
            offset,
        })
    }

    /// What clip `index` is.
    pub fn info(&self) -> VideoInfo {
        VideoInfo {
            frames: self.frames,
            width: self.width,
            height: self.height,
            fps: None,
            rotation: None,
        }
    }

    fn frame_bytes(&self) -> usize {
        self.height as usize * self.width as usize * 3
    }

    /// Frames `indices` (any order, repeats allowed) of clip `index`.
    pub fn read_frames(&self, index: usize, indices: &[usize]) -> Result<Vec<RgbImage>> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.frames) {
            return Err(VideoError::FrameOutOfRange {
                path: self.path.clone(),
                index: bad,
                frames: self.frames,
            });
        }
        let mut file = File::open(&self.path).map_err(|e| VideoError::io(&self.path, e))?;
        let n = self.frame_bytes();
        let clip_start = self.offset + (index * self.frames * n) as u64;
        indices
            .iter()
            .map(|&f| {
                let mut buf = vec![0u8; n];
                file.seek(SeekFrom::Start(clip_start + (f * n) as u64))
                    .and_then(|_| file.read_exact(&mut buf))
                    .map_err(|e| VideoError::io(&self.path, e))?;
                RgbImage::from_raw(self.width, self.height, buf).ok_or_else(|| {
                    VideoError::NotAVideo {
                        path: self.path.clone(),
                        reason: "frame buffer size mismatch".into(),
                    }
                })
            })
            .collect()
    }

    /// Class names of the clips from the labels file beside the array
    /// (`labels.csv` for `clips.npy`, `<stem>.labels.csv` otherwise; rows
    /// `index,label,class` as `stadyn demo-data` writes them), if present
    /// and complete.
    pub fn classes(&self) -> Option<Vec<String>> {
        let stem = self.path.file_stem()?.to_string_lossy();
        let name = if stem == "clips" {
            "labels.csv".to_string()
        } else {
            format!("{stem}.labels.csv")
        };
        let csv = self.path.with_file_name(name);
        let mut reader = csv::Reader::from_path(csv).ok()?;
        let mut out = vec![String::new(); self.clips];
        let mut seen = 0;
        for row in reader.records() {
            let row = row.ok()?;
            let i: usize = row.get(0)?.parse().ok()?;
            *out.get_mut(i)? = row.get(2)?.to_string();
            seen += 1;
        }
        (seen == self.clips).then_some(out)
    }
}
