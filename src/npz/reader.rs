//! Reading `.npz` archives: whole arrays, and 2-D float arrays streamed row by row.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::CrcReader;
use flate2::read::DeflateDecoder;
use zip::result::ZipError;
use zip::{CompressionMethod, ZipArchive, ZipReadOptions};

use super::npy::{self, HeaderError};
use super::{DType, NpyHeader};
use super::{NpzError, shape_repr};

/// Bytes decoded per step when reading element data.
const CHUNK_BYTES: usize = 1 << 20;
/// Most elements reserved up front, whatever a (possibly corrupt) header claims.
const MAX_RESERVE: usize = 1 << 24;

const EXPECT_FLOAT: &str = "float32 or float64";
const EXPECT_INT: &str = "an integer dtype";
const EXPECT_STRING: &str = "a string dtype ('<U' or '|S')";
const EXPECT_ANY: &str = "a numeric, bool or string dtype";

/// An opened `.npz` archive.
///
/// Reading methods take `&self`: each opens the file anew, so arrays (and
/// several [`RowReader`]s) can be read independently.
pub struct NpzArchive {
    path: PathBuf,
    zip: ZipArchive<BufReader<File>>,
}

impl fmt::Debug for NpzArchive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NpzArchive")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl NpzArchive {
    /// Opens the archive at `path` and reads its directory.
    pub fn open(path: &Path) -> Result<Self, NpzError> {
        let owned = || path.to_path_buf();
        let io_error = |error| NpzError::Io {
            path: owned(),
            error,
        };
        let mut file = File::open(path).map_err(io_error)?;
        let mut magic = [0u8; 6];
        let n = read_full(&mut file, &mut magic).map_err(io_error)?;
        if &magic[..n] == b"\x93NUMPY" {
            return Err(NpzError::NpyNotNpz { path: owned() });
        }
        if n < 4 || !matches!(&magic[..4], b"PK\x03\x04" | b"PK\x05\x06") {
            return Err(NpzError::NotZip { path: owned() });
        }
        file.seek(SeekFrom::Start(0)).map_err(io_error)?;
        let zip = ZipArchive::new(BufReader::new(file)).map_err(|e| match e {
            ZipError::Io(error) => io_error(error),
            other => NpzError::BadZip {
                path: owned(),
                detail: other.to_string(),
            },
        })?;
        Ok(Self { path: owned(), zip })
    }

    /// The archive's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Names of the arrays, in archive order: the names of the entries that
    /// end in `.npy`, without that suffix.
    pub fn names(&self) -> Vec<String> {
        self.zip
            .file_names()
            .filter_map(|name| Some(name.ok()?.strip_suffix(".npy")?.to_string()))
            .collect()
    }

    /// The header of array `name`.
    pub fn header(&self, name: &str) -> Result<NpyHeader, NpzError> {
        Ok(self.open_array(name, EXPECT_ANY)?.header)
    }

    /// Reads the whole of array `name` as `f64`, in C (row-major) order
    /// whatever its storage order. Any numeric or bool dtype is accepted.
    pub fn read_f64(&self, name: &str) -> Result<(NpyHeader, Vec<f64>), NpzError> {
        let mut array = self.open_array(name, EXPECT_FLOAT)?;
        let (dtype, big) = (array.header.dtype, array.header.big_endian);
        if !dtype.is_numeric() {
            return Err(array.dtype_error(EXPECT_FLOAT));
        }
        let data = array.read_all(|bytes, out| npy::decode_f64(dtype, big, bytes, out))?;
        Ok(array.c_order(data))
    }

    /// Reads the whole of array `name` as `i64`, in C order. Integer and bool
    /// dtypes are accepted, and float dtypes whose values are all exact
    /// integers; the error for any other value names its (C-order) index.
    pub fn read_i64(&self, name: &str) -> Result<(NpyHeader, Vec<i64>), NpzError> {
        let mut array = self.open_array(name, EXPECT_INT)?;
        let (dtype, big) = (array.header.dtype, array.header.big_endian);
        if dtype == DType::U64 {
            let data = array.read_all(|bytes, out| npy::decode_u64(dtype, big, bytes, out))?;
            let (header, data) = array.c_order(data);
            let data = array.to_i64(&data, |&v| i64::try_from(v).ok(), u64::to_string)?;
            Ok((header, data))
        } else if dtype.is_integer() {
            let data = array.read_all(|bytes, out| npy::decode_i64(dtype, big, bytes, out))?;
            Ok(array.c_order(data))
        } else if dtype.is_float() {
            let data = array.read_all(|bytes, out| npy::decode_f64(dtype, big, bytes, out))?;
            let (header, data) = array.c_order(data);
            let data = array.to_i64(&data, |&v| float_to_i64(v), f64::to_string)?;
            Ok((header, data))
        } else {
            Err(array.dtype_error(EXPECT_INT))
        }
    }

    /// Reads the whole of string array `name` (`<U`: UTF-32; `|S`: bytes,
    /// decoded as UTF-8 with invalid sequences replaced), in C order,
    /// trailing NULs stripped from each element.
    pub fn read_strings(&self, name: &str) -> Result<Vec<String>, NpzError> {
        let mut array = self.open_array(name, EXPECT_STRING)?;
        let (dtype, big) = (array.header.dtype, array.header.big_endian);
        if dtype.is_numeric() {
            return Err(array.dtype_error(EXPECT_STRING));
        }
        let data = array.read_all(|bytes, out| npy::decode_strings(dtype, big, bytes, out))?;
        Ok(array.c_order(data).1)
    }

    /// A streaming reader over the rows of the 2-D (N×C) array `name`.
    ///
    /// Float dtypes are expected; other numeric dtypes are converted to
    /// `f64` too. Memory stays O(chunk) for C-order arrays, stored or
    /// deflated; a Fortran-order array is read whole into memory and
    /// transposed here, as streaming its rows would need the whole array.
    pub fn rows(&self, name: &str) -> Result<RowReader, NpzError> {
        let mut array = self.open_array(name, EXPECT_FLOAT)?;
        let header = array.header.clone();
        if !header.dtype.is_numeric() {
            return Err(array.dtype_error(EXPECT_FLOAT));
        }
        let &[rows, cols] = header.shape.as_slice() else {
            let ((path, array), shape) = (array.loc.parts(), shape_repr(&header.shape));
            let expected = "a 2-D N×C array (N rows of C channels)";
            return Err(NpzError::Shape {
                path,
                array,
                shape,
                expected,
            });
        };
        let memory = if header.fortran_order {
            let (dtype, big) = (header.dtype, header.big_endian);
            let data = array.read_all(|bytes, out| npy::decode_f64(dtype, big, bytes, out))?;
            Some(npy::fortran_to_c(data, &header.shape))
        } else {
            None
        };
        Ok(RowReader {
            array,
            rows,
            cols,
            next: 0,
            buf: Vec::new(),
            memory,
        })
    }

    /// Opens the entry of array `name` on a fresh file handle and reads its
    /// header; `expected` is used in the error for an unsupported dtype.
    fn open_array(&self, name: &str, expected: &'static str) -> Result<ArrayStream, NpzError> {
        let path = self.path.clone();
        let Some(index) = self.zip.index_for_name(&format!("{name}.npy")) else {
            let (array, available) = (name.to_string(), self.names());
            return Err(NpzError::NoArray {
                path,
                array,
                available,
            });
        };
        let loc = Loc {
            path,
            array: name.to_string(),
        };
        let entry = self.zip.by_index_data(index).map_err(|e| loc.zip(e))?;
        if entry.encrypted() {
            return Err(loc.unsupported("encrypted".into()));
        }
        let deflated = match entry.compression() {
            CompressionMethod::Stored => false,
            CompressionMethod::Deflated => true,
            other => return Err(loc.unsupported(format!("with zip compression '{other}'"))),
        };
        let (compressed_size, size, crc32) = (entry.compressed_size(), entry.size(), entry.crc32());
        let mut file = File::open(&loc.path).map_err(|e| loc.io(e))?;
        let zip_file = entry.with_reader(&mut file, ZipReadOptions::new());
        let data_start = zip_file.map_err(|e| loc.zip(e))?.data_start();
        let data_start =
            data_start.ok_or_else(|| loc.corrupt("its zip entry has no data offset"))?;
        file.seek(SeekFrom::Start(data_start))
            .map_err(|e| loc.io(e))?;
        let raw = file.take(compressed_size);
        let inner: Box<dyn Read + Send> = if deflated {
            Box::new(DeflateDecoder::new(raw))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, raw))
        };
        let mut reader = CrcReader::new(inner);
        let (header, header_len) = match npy::read_header(&mut reader) {
            Ok(parsed) => parsed,
            Err(HeaderError::Malformed(detail)) => return Err(loc.bad_header(detail)),
            Err(HeaderError::Unsupported(descr)) => return Err(loc.dtype(descr, expected)),
            Err(HeaderError::Io(error)) => return Err(loc.io(error)),
        };
        let data_bytes = header.data_bytes();
        let got = size.saturating_sub(header_len);
        if got < data_bytes {
            return Err(loc.truncated(data_bytes, got));
        }
        let rest = got - data_bytes;
        let data_read = 0;
        Ok(ArrayStream {
            loc,
            header,
            reader,
            data_bytes,
            data_read,
            rest,
            crc32,
        })
    }
}

/// Converts a float to `i64` if it is an exact integer in range.
fn float_to_i64(v: f64) -> Option<i64> {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    (v.fract() == 0.0 && (-LIMIT..LIMIT).contains(&v)).then_some(v as i64)
}

/// Reads until `buf` is full or the reader ends; returns the bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The archive and array an error is about; builds the errors.
struct Loc {
    path: PathBuf,
    array: String,
}

impl Loc {
    fn parts(&self) -> (PathBuf, String) {
        (self.path.clone(), self.array.clone())
    }

    /// An I/O error met while reading the entry: a damaged deflate stream
    /// is corruption, anything else a read failure.
    fn io(&self, error: io::Error) -> NpzError {
        let (path, array) = self.parts();
        match error.kind() {
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => NpzError::Corrupt {
                path,
                array,
                detail: error.to_string(),
            },
            _ => NpzError::ReadArray { path, array, error },
        }
    }

    fn zip(&self, error: ZipError) -> NpzError {
        match error {
            ZipError::Io(error) => self.io(error),
            other => NpzError::BadZip {
                path: self.path.clone(),
                detail: other.to_string(),
            },
        }
    }

    fn unsupported(&self, how: String) -> NpzError {
        let (path, array) = self.parts();
        NpzError::Unsupported { path, array, how }
    }

    fn bad_header(&self, detail: String) -> NpzError {
        let (path, array) = self.parts();
        NpzError::BadHeader {
            path,
            array,
            detail,
        }
    }

    fn dtype(&self, descr: String, expected: &'static str) -> NpzError {
        let (path, array) = self.parts();
        NpzError::Dtype {
            path,
            array,
            descr,
            expected,
        }
    }

    fn truncated(&self, expected: u64, got: u64) -> NpzError {
        let (path, array) = self.parts();
        NpzError::Truncated {
            path,
            array,
            expected,
            got,
        }
    }

    fn corrupt(&self, detail: &str) -> NpzError {
        let (path, array) = self.parts();
        NpzError::Corrupt {
            path,
            array,
            detail: detail.to_string(),
        }
    }
}

/// One array's entry, positioned after its header, with its own file handle.
struct ArrayStream {
    loc: Loc,
    header: NpyHeader,
    reader: CrcReader<Box<dyn Read + Send>>,
    /// Element bytes the header announces.
    data_bytes: u64,
    /// Element bytes read so far.
    data_read: u64,
    /// Bytes the entry holds after the element data.
    rest: u64,
    /// The entry's CRC-32, from the zip directory.
    crc32: u32,
}

impl ArrayStream {
    fn dtype_error(&self, expected: &'static str) -> NpzError {
        self.loc.dtype(self.header.descr(), expected)
    }

    /// Fills `buf` with the next element bytes.
    fn read_data(&mut self, buf: &mut [u8]) -> Result<(), NpzError> {
        let n = read_full(&mut self.reader, buf).map_err(|e| self.loc.io(e))?;
        self.data_read += n as u64;
        if n < buf.len() {
            return Err(self.loc.truncated(self.data_bytes, self.data_read));
        }
        Ok(())
    }

    /// Reads what follows the data and checks the entry's CRC-32.
    fn finish(&mut self) -> Result<(), NpzError> {
        let rest = &mut (&mut self.reader).take(self.rest);
        let copied = io::copy(rest, &mut io::sink()).map_err(|e| self.loc.io(e))?;
        if copied < self.rest {
            return Err(self
                .loc
                .corrupt("the entry is shorter than the zip directory says"));
        }
        if self.reader.crc().sum() != self.crc32 {
            return Err(self.loc.corrupt("CRC-32 mismatch: the data is damaged"));
        }
        Ok(())
    }

    /// Reads all element data, decoding it chunk by chunk with `decode`, in storage order.
    fn read_all<T>(
        &mut self,
        mut decode: impl FnMut(&[u8], &mut Vec<T>),
    ) -> Result<Vec<T>, NpzError> {
        let itemsize = self.header.dtype.itemsize().max(1);
        let chunk = (CHUNK_BYTES / itemsize).max(1) * itemsize;
        let mut out = Vec::with_capacity(self.header.len().min(MAX_RESERVE));
        let mut buf = Vec::new();
        let mut remaining = self.data_bytes;
        while remaining > 0 {
            let take = usize::try_from(remaining).map_or(chunk, |r| r.min(chunk));
            buf.resize(take, 0);
            self.read_data(&mut buf)?;
            decode(&buf, &mut out);
            remaining -= take as u64;
        }
        self.finish()?;
        Ok(out)
    }

    /// The header, and `data` in C order.
    fn c_order<T: Clone>(&self, data: Vec<T>) -> (NpyHeader, Vec<T>) {
        let fortran = self.header.fortran_order;
        let data = if fortran {
            npy::fortran_to_c(data, &self.header.shape)
        } else {
            data
        };
        (self.header.clone(), data)
    }

    /// Converts values to `i64` with `convert`; the first failure is an error naming its index.
    fn to_i64<T>(
        &self,
        data: &[T],
        convert: impl Fn(&T) -> Option<i64>,
        show: impl Fn(&T) -> String,
    ) -> Result<Vec<i64>, NpzError> {
        let mut out = Vec::with_capacity(data.len());
        for (index, value) in data.iter().enumerate() {
            let Some(v) = convert(value) else {
                let ((path, array), value) = (self.loc.parts(), show(value));
                return Err(NpzError::NotInteger {
                    path,
                    array,
                    index,
                    value,
                });
            };
            out.push(v);
        }
        Ok(out)
    }
}

/// Streams the rows of a 2-D numeric array as `f64`, from its own file
/// handle, in O(chunk) memory (except for Fortran-order arrays, which
/// [`NpzArchive::rows`] reads whole). After an error, drop the reader.
pub struct RowReader {
    array: ArrayStream,
    rows: usize,
    cols: usize,
    /// Index of the next row to read.
    next: usize,
    buf: Vec<u8>,
    /// The whole array in C order, for Fortran-order arrays.
    memory: Option<Vec<f64>>,
}

impl fmt::Debug for RowReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowReader")
            .field("path", &self.array.loc.path)
            .field("array", &self.array.loc.array)
            .field("header", &self.array.header)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl RowReader {
    /// The array's header.
    pub fn header(&self) -> &NpyHeader {
        &self.array.header
    }

    /// Number of rows (N).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (C).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Reads up to `max_rows` next rows, appending row-major f64 values to
    /// `out` (cleared first); returns the number of rows read (0 at the end,
    /// or when `max_rows` is 0). A truncated or corrupt entry is an error,
    /// not a short read; the entry's CRC-32 is checked once the last row is read.
    pub fn read_rows(&mut self, max_rows: usize, out: &mut Vec<f64>) -> Result<usize, NpzError> {
        out.clear();
        let n = max_rows.min(self.rows - self.next);
        if n == 0 {
            return Ok(0);
        }
        let values = n * self.cols;
        if let Some(memory) = &self.memory {
            let start = self.next * self.cols;
            out.extend_from_slice(memory.get(start..start + values).unwrap_or_default());
        } else {
            let (dtype, big) = (self.array.header.dtype, self.array.header.big_endian);
            let itemsize = dtype.itemsize();
            let chunk = (CHUNK_BYTES / itemsize).max(1) * itemsize;
            out.reserve(values.min(MAX_RESERVE));
            let mut remaining = values * itemsize;
            while remaining > 0 {
                let take = remaining.min(chunk);
                self.buf.resize(take, 0);
                self.array.read_data(&mut self.buf)?;
                npy::decode_f64(dtype, big, &self.buf, out);
                remaining -= take;
            }
        }
        self.next += n;
        if self.next == self.rows {
            if self.memory.take().is_none() {
                self.array.finish()?;
            }
            self.buf = Vec::new();
        }
        Ok(n)
    }
}
