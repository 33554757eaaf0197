//! Reading and writing NumPy `.npz` archives (what `np.savez` and
//! `np.savez_compressed` produce): a zip file whose entries are `.npy`
//! arrays, the array `k` being stored as the entry `k.npy`.
//!
//! [`NpzArchive`] opens an archive and reads whole arrays ([`NpzArchive::read_f64`],
//! [`NpzArchive::read_i64`], [`NpzArchive::read_strings`]) or streams a 2-D
//! float array row by row in O(chunk) memory ([`NpzArchive::rows`] and
//! [`RowReader`]), for stored and deflated entries alike. [`NpzWriter`]
//! writes archives that `np.load` reads.
//!
//! Arrays come back in C (row-major) order whatever their storage order;
//! big-endian (`>`) arrays are byte-swapped. [`DType`] and [`NpyHeader`]
//! describe an array's `.npy` header.
//!
//! Every error ([`NpzError`]) names the archive and, where it applies, the
//! array, in words meant for the person who saved the file.

use std::io;
use std::path::PathBuf;

mod npy;
mod reader;
mod writer;

#[cfg(test)]
mod tests;

pub use reader::{NpzArchive, RowReader};
pub use writer::NpzWriter;

/// Reads the header of a standalone `.npy` file from its start: the header
/// and the byte offset where the element data begins. The error is a
/// sentence saying what is wrong with the header.
pub fn read_npy_header(reader: &mut impl io::Read) -> Result<(NpyHeader, u64), String> {
    npy::read_header(reader).map_err(|e| match e {
        npy::HeaderError::Malformed(detail) => detail,
        npy::HeaderError::Unsupported(descr) => format!("unsupported dtype '{descr}'"),
        npy::HeaderError::Io(error) => io_message(&error),
    })
}

/// The header bytes NumPy writes for a C-order array of `descr` (e.g. `|u1`)
/// and `shape`; the element data follows directly.
pub fn npy_header_bytes(descr: &str, shape: &[usize]) -> Vec<u8> {
    writer::encode_header(descr, shape)
}

/// What went wrong while reading or writing an `.npz` archive.
///
/// Each variant carries the archive's path (and the array's name where it
/// applies); the `Display` text is a complete sentence for end users.
#[derive(Debug, thiserror::Error)]
pub enum NpzError {
    /// The file could not be opened or read.
    #[error("cannot read '{}': {}", .path.display(), io_message(.error))]
    Io {
        /// The archive.
        path: PathBuf,
        /// The operating system's error.
        error: io::Error,
    },
    /// The file is not a zip archive at all.
    #[error("'{}' is not a NumPy .npz archive (not a zip file)", .path.display())]
    NotZip {
        /// The file.
        path: PathBuf,
    },
    /// The file is a single `.npy` array rather than an `.npz` archive.
    #[error(
        "'{}' is a single NumPy .npy array, not an .npz archive; save the arrays with np.savez",
        .path.display()
    )]
    NpyNotNpz {
        /// The file.
        path: PathBuf,
    },
    /// The file looks like a zip archive but its structure is damaged.
    #[error("'{}' is a damaged zip archive ({detail}); was it written completely?", .path.display())]
    BadZip {
        /// The archive.
        path: PathBuf,
        /// What the zip reader found wrong.
        detail: String,
    },
    /// The archive holds no array of that name.
    #[error("'{}': no array '{array}' ({})", .path.display(), name_list(.available))]
    NoArray {
        /// The archive.
        path: PathBuf,
        /// The name asked for.
        array: String,
        /// The arrays the archive does hold, in archive order.
        available: Vec<String>,
    },
    /// The array's zip entry uses a compression method or encryption that is not supported.
    #[error(
        "'{}': array '{array}' is stored {how}, which stadyn cannot read; re-save it with np.savez or np.savez_compressed",
        .path.display()
    )]
    Unsupported {
        /// The archive.
        path: PathBuf,
        /// The array.
        array: String,
        /// How it is stored, e.g. "with zip compression 'Bzip2'" or "encrypted".
        how: String,
    },
    /// The array's `.npy` header cannot be parsed.
    #[error("'{}': array '{array}' has a malformed .npy header: {detail}", .path.display())]
    BadHeader {
        /// The archive.
        path: PathBuf,
        /// The array.
        array: String,
        /// What is wrong with the header.
        detail: String,
    },
    /// The array's element type is not one the caller can use.
    #[error("'{}': array '{array}' has dtype '{descr}'; expected {expected}", .path.display())]
    Dtype {
        /// The archive.
        path: PathBuf,
        /// The array.
        array: String,
        /// NumPy's descriptor of the array's dtype, e.g. `<c16`.
        descr: String,
        /// What would have been accepted, e.g. "float32 or float64".
        expected: &'static str,
    },
    /// The array's shape is not the one the caller needs.
    #[error("'{}': array '{array}' has shape {shape}; expected {expected}", .path.display())]
    Shape {
        /// The archive.
        path: PathBuf,
        /// The array.
        array: String,
        /// The shape, written as NumPy does, e.g. `(1000,)`.
        shape: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// The array's data ends before its header says it should.
    #[error("'{}': array '{array}' is truncated (expected {expected} bytes, got {got})", .path.display())]
    Truncated {
        /// The archive.
        path: PathBuf,
        /// The array.
        array: String,
        /// Bytes of element data the header announces.
        expected: u64,
        /// Bytes of element data actually present.
        got: u64,
    },
    /// The array's compressed data or checksum is damaged.
    #[error("'{}': array '{array}' is corrupt ({detail})", .path.display())]
    Corrupt {
        /// The archive.
        path: PathBuf,
        /// The array.
        array: String,
        /// What was found wrong.
        detail: String,
    },
    /// Reading the array's data failed.
    #[error("cannot read array '{array}' from '{}': {}", .path.display(), io_message(.error))]
    ReadArray {
        /// The archive.
        path: PathBuf,
        /// The array.
        array: String,
        /// The underlying error.
        error: io::Error,
    },
    /// An array that must hold integers holds a value that is not one.
    #[error(
        "'{}': array '{array}' holds {value} at index {index}, which is not a 64-bit integer; expected integers",
        .path.display()
    )]
    NotInteger {
        /// The archive.
        path: PathBuf,
        /// The array.
        array: String,
        /// Flat index (C order) of the first offending element.
        index: usize,
        /// The offending value, as text.
        value: String,
    },
    /// Writing the archive failed.
    #[error("cannot write '{}': {detail}", .path.display())]
    Write {
        /// The archive being written.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// An array handed to [`NpzWriter`] is inconsistent (shape vs. data, name).
    #[error("cannot write array '{array}' to '{}': {detail}", .path.display())]
    InvalidArray {
        /// The archive being written.
        path: PathBuf,
        /// The array.
        array: String,
        /// What is inconsistent.
        detail: String,
    },
}

/// An I/O error's message without the trailing " (os error N)".
fn io_message(error: &io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text,
    }
}

/// The list of available arrays for [`NpzError::NoArray`], shortened when long.
fn name_list(names: &[String]) -> String {
    const SHOWN: usize = 20;
    if names.is_empty() {
        return "the archive holds no arrays".to_string();
    }
    let mut text = format!("arrays: {}", names[..names.len().min(SHOWN)].join(", "));
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

/// A shape written as NumPy writes it: `()`, `(5,)`, `(3, 4)`.
pub(crate) fn shape_repr(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

/// An array's element type (NumPy's `dtype`), without its byte order (see
/// [`NpyHeader::big_endian`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    /// `|b1`: one byte, nonzero is true.
    Bool,
    /// `|i1`.
    I8,
    /// `<i2`.
    I16,
    /// `<i4`.
    I32,
    /// `<i8`.
    I64,
    /// `|u1`.
    U8,
    /// `<u2`.
    U16,
    /// `<u4`.
    U32,
    /// `<u8`.
    U64,
    /// `<f2`: IEEE 754 half precision.
    F16,
    /// `<f4`.
    F32,
    /// `<f8`.
    F64,
    /// `<U n`: fixed-length unicode strings of `n` characters (UTF-32).
    Unicode(usize),
    /// `|S n`: fixed-length byte strings of `n` bytes.
    Bytes(usize),
}

/// The fixed-size types and their descriptors without the byte order.
pub(crate) const FIXED: [(DType, &str); 12] = [
    (DType::Bool, "b1"),
    (DType::I8, "i1"),
    (DType::I16, "i2"),
    (DType::I32, "i4"),
    (DType::I64, "i8"),
    (DType::U8, "u1"),
    (DType::U16, "u2"),
    (DType::U32, "u4"),
    (DType::U64, "u8"),
    (DType::F16, "f2"),
    (DType::F32, "f4"),
    (DType::F64, "f8"),
];

impl DType {
    /// NumPy's little-endian descriptor of this type, e.g. `<f4`, `|b1`, `<U5`.
    pub fn descr(&self) -> String {
        match self {
            Self::Unicode(n) => format!("<U{n}"),
            Self::Bytes(n) => format!("|S{n}"),
            fixed => {
                let code = FIXED
                    .iter()
                    .find(|(t, _)| t == fixed)
                    .map_or("", |(_, c)| c);
                let order = if fixed.itemsize() == 1 { '|' } else { '<' };
                format!("{order}{code}")
            }
        }
    }

    /// Bytes per element.
    pub fn itemsize(&self) -> usize {
        match self {
            Self::Bool | Self::I8 | Self::U8 => 1,
            Self::I16 | Self::U16 | Self::F16 => 2,
            Self::I32 | Self::U32 | Self::F32 => 4,
            Self::I64 | Self::U64 | Self::F64 => 8,
            Self::Unicode(n) => n.saturating_mul(4),
            Self::Bytes(n) => *n,
        }
    }

    /// Whether the type is a number or a bool (convertible to `f64`).
    pub fn is_numeric(&self) -> bool {
        !matches!(self, Self::Unicode(_) | Self::Bytes(_))
    }

    /// Whether the type is an integer or a bool.
    pub fn is_integer(&self) -> bool {
        self.is_numeric() && !self.is_float()
    }

    /// Whether the type is a floating-point number.
    pub fn is_float(&self) -> bool {
        matches!(self, Self::F16 | Self::F32 | Self::F64)
    }
}

/// The header of one `.npy` array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyHeader {
    /// Element type.
    pub dtype: DType,
    /// Whether the data is stored in Fortran (column-major) order.
    pub fortran_order: bool,
    /// Dimensions; empty for a scalar.
    pub shape: Vec<usize>,
    /// Whether multi-byte elements are stored big-endian (`>` descriptors).
    pub big_endian: bool,
}

impl NpyHeader {
    /// Number of elements: the product of the shape (1 for a scalar).
    pub fn len(&self) -> usize {
        self.shape.iter().fold(1, |acc, &d| acc.saturating_mul(d))
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// NumPy's descriptor including the byte order, e.g. `>f8`.
    pub fn descr(&self) -> String {
        let descr = self.dtype.descr();
        match (self.big_endian, descr.strip_prefix('<')) {
            (true, Some(rest)) => format!(">{rest}"),
            _ => descr,
        }
    }

    /// Bytes of element data: `len() * itemsize`, saturating.
    pub(crate) fn data_bytes(&self) -> u64 {
        let itemsize = self.dtype.itemsize() as u64;
        self.shape
            .iter()
            .fold(itemsize, |acc, &d| acc.saturating_mul(d as u64))
    }
}
