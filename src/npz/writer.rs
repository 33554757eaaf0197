//! Writing `.npz` archives that NumPy's `np.load` reads.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use zip::result::ZipError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::npy;
use super::{NpzError, shape_repr};

/// Entries at least this large are written with ZIP64 headers.
const LARGE_ENTRY: u64 = 1 << 31;
/// Bytes encoded per write.
const CHUNK_BYTES: usize = 1 << 16;

/// Writes an `.npz` archive, one array at a time, each array streamed
/// straight into the zip entry `<name>.npy` (format version 1.0, data
/// aligned to 64 bytes, C order, little-endian).
///
/// Call [`NpzWriter::finish`]: without it the archive lacks its directory
/// and cannot be read.
pub struct NpzWriter {
    path: PathBuf,
    zip: ZipWriter<BufWriter<File>>,
    method: CompressionMethod,
    names: Vec<String>,
}

impl fmt::Debug for NpzWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NpzWriter")
            .field("path", &self.path)
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl NpzWriter {
    /// Creates (or truncates) the archive at `path`; entries are stored
    /// uncompressed, as `np.savez` does.
    pub fn create(path: &Path) -> Result<Self, NpzError> {
        Self::create_with(path, false)
    }

    /// Creates the archive at `path`; with `compressed`, entries are
    /// deflated, as `np.savez_compressed` does.
    pub fn create_with(path: &Path, compressed: bool) -> Result<Self, NpzError> {
        let file = File::create(path).map_err(|e| write_error(path, &e))?;
        let method = if compressed {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        let zip = ZipWriter::new(BufWriter::new(file));
        Ok(Self {
            path: path.to_path_buf(),
            zip,
            method,
            names: Vec::new(),
        })
    }

    /// Adds a float32 (`<f4`) array of the given shape; `data` is in C order.
    pub fn add_f32(&mut self, name: &str, shape: &[usize], data: &[f32]) -> Result<(), NpzError> {
        self.add(name, "<f4", shape, data.len(), 4, |w| {
            write_all(w, data, |x| x.to_le_bytes())
        })
    }

    /// Adds a float64 (`<f8`) array of the given shape; `data` is in C order.
    pub fn add_f64(&mut self, name: &str, shape: &[usize], data: &[f64]) -> Result<(), NpzError> {
        self.add(name, "<f8", shape, data.len(), 8, |w| {
            write_all(w, data, |x| x.to_le_bytes())
        })
    }

    /// Adds an int64 (`<i8`) array of the given shape; `data` is in C order.
    pub fn add_i64(&mut self, name: &str, shape: &[usize], data: &[i64]) -> Result<(), NpzError> {
        self.add(name, "<i8", shape, data.len(), 8, |w| {
            write_all(w, data, |x| x.to_le_bytes())
        })
    }

    /// Adds a 1-D unicode string array (`<U n`, `n` the longest string's
    /// length in characters, at least 1). Trailing NUL characters do not
    /// survive the round trip (NumPy strips them too).
    pub fn add_strings(&mut self, name: &str, data: &[&str]) -> Result<(), NpzError> {
        let chars = data
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
            .max(1);
        let descr = format!("<U{chars}");
        let Some(itemsize) = chars.checked_mul(4) else {
            return Err(self.invalid(name, "the strings are too long".into()));
        };
        self.add(name, &descr, &[data.len()], data.len(), itemsize, |w| {
            let mut buf = Vec::with_capacity(itemsize);
            for s in data {
                buf.clear();
                buf.extend(s.chars().flat_map(|c| u32::from(c).to_le_bytes()));
                buf.resize(itemsize, 0);
                w.write_all(&buf)?;
            }
            Ok(())
        })
    }

    /// Writes the zip directory and closes the file.
    pub fn finish(self) -> Result<(), NpzError> {
        let path = self.path;
        let mut file = self.zip.finish().map_err(|e| zip_error(&path, e))?;
        file.flush().map_err(|e| write_error(&path, &e))
    }

    fn invalid(&self, name: &str, detail: String) -> NpzError {
        NpzError::InvalidArray {
            path: self.path.clone(),
            array: name.to_string(),
            detail,
        }
    }

    /// Starts the entry `<name>.npy`, checks `count` against `shape`, writes
    /// the header, then the data with `body`.
    fn add(
        &mut self,
        name: &str,
        descr: &str,
        shape: &[usize],
        count: usize,
        itemsize: usize,
        body: impl FnOnce(&mut ZipWriter<BufWriter<File>>) -> io::Result<()>,
    ) -> Result<(), NpzError> {
        if name.is_empty() {
            return Err(self.invalid(name, "the array name is empty".into()));
        }
        if self.names.iter().any(|n| n == name) {
            return Err(self.invalid(name, "an array of that name was already added".into()));
        }
        let shape_text = shape_repr(shape);
        let expected = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
        let bytes = expected.and_then(|n| n.checked_mul(itemsize));
        let (Some(expected), Some(bytes)) = (expected, bytes) else {
            return Err(self.invalid(name, format!("the shape {shape_text} is impossibly large")));
        };
        if expected != count {
            let detail =
                format!("the shape {shape_text} holds {expected} values but {count} were given");
            return Err(self.invalid(name, detail));
        }
        let header = encode_header(descr, shape);
        let total = header.len() as u64 + bytes as u64;
        let options = SimpleFileOptions::default()
            .compression_method(self.method)
            .large_file(total >= LARGE_ENTRY);
        self.zip
            .start_file(format!("{name}.npy"), options)
            .map_err(|e| zip_error(&self.path, e))?;
        self.names.push(name.to_string());
        self.zip
            .write_all(&header)
            .map_err(|e| write_error(&self.path, &e))?;
        body(&mut self.zip).map_err(|e| write_error(&self.path, &e))
    }
}

/// Writes `data` encoded element by element with `encode`, in chunks.
fn write_all<T: Copy, const N: usize>(
    writer: &mut impl Write,
    data: &[T],
    encode: impl Fn(T) -> [u8; N],
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(CHUNK_BYTES);
    for part in data.chunks(CHUNK_BYTES / N) {
        buf.clear();
        buf.extend(part.iter().flat_map(|&x| encode(x)));
        writer.write_all(&buf)?;
    }
    Ok(())
}

fn write_error(path: &Path, error: &io::Error) -> NpzError {
    NpzError::Write {
        path: path.to_path_buf(),
        detail: super::io_message(error),
    }
}

fn zip_error(path: &Path, error: ZipError) -> NpzError {
    match error {
        ZipError::Io(e) => write_error(path, &e),
        other => NpzError::Write {
            path: path.to_path_buf(),
            detail: other.to_string(),
        },
    }
}

/// The bytes of a version 1.0 `.npy` header (version 2.0 if the text does
/// not fit), padded with spaces so that the data starts at a multiple of 64
/// bytes, as NumPy writes it.
pub(super) fn encode_header(descr: &str, shape: &[usize]) -> Vec<u8> {
    let dict = format!(
        "{{'descr': '{descr}', 'fortran_order': False, 'shape': {}, }}",
        shape_repr(shape)
    );
    let mut preamble = 10;
    let mut total = (preamble + dict.len() + 1).next_multiple_of(64);
    let len16 = u16::try_from(total - preamble);
    if len16.is_err() {
        preamble = 12;
        total = (preamble + dict.len() + 1).next_multiple_of(64);
    }
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(npy::MAGIC);
    match len16 {
        Ok(len) => {
            out.extend_from_slice(&[1, 0]);
            out.extend_from_slice(&len.to_le_bytes());
        }
        Err(_) => {
            out.extend_from_slice(&[2, 0]);
            let len = u32::try_from(total - preamble).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_le_bytes());
        }
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out
}
