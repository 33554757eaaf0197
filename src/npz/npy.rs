//! The `.npy` format: header parsing and decoding of raw element bytes.

use std::io::{self, Read};

use super::{DType, FIXED, NpyHeader, shape_repr};

/// The `.npy` magic string.
pub(crate) const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// Longest header text accepted; NumPy's own limit is far lower.
const MAX_HEADER_LEN: usize = 1 << 20;
/// Longest string element accepted, in characters or bytes.
const MAX_STRING_LEN: usize = 1 << 20;
/// Deepest nesting of brackets accepted in a header.
const MAX_DEPTH: usize = 16;

/// Parses a descriptor such as `<f4`; returns the type and whether it is
/// big-endian, or `None` for a type this module does not handle.
pub(crate) fn parse_descr(descr: &str) -> Option<(DType, bool)> {
    let (order, rest) = match descr.as_bytes().first()? {
        order @ (b'<' | b'>' | b'|' | b'=') => (*order, descr.get(1..)?),
        _ => (b'=', descr),
    };
    let digits = rest.get(1..)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: usize = digits.parse().ok()?;
    let dtype = match (rest.as_bytes()[0], n) {
        (b'U', 1..=MAX_STRING_LEN) => DType::Unicode(n),
        (b'S' | b'a', 1..=MAX_STRING_LEN) => DType::Bytes(n),
        _ => FIXED.iter().find(|(_, code)| *code == rest)?.0,
    };
    let big = match order {
        b'>' => true,
        b'=' => cfg!(target_endian = "big"),
        _ => false,
    };
    let multibyte = dtype.itemsize() > 1 && !matches!(dtype, DType::Bytes(_));
    Some((dtype, big && multibyte))
}

/// Why a header could not be read.
#[derive(Debug)]
pub(crate) enum HeaderError {
    /// The header is not a valid `.npy` header; the text says why.
    Malformed(String),
    /// The header is valid but its dtype (the descriptor given) is not handled.
    Unsupported(String),
    /// Reading the bytes failed.
    Io(io::Error),
}

/// Reads a `.npy` header; returns it with the number of bytes it took.
pub(crate) fn read_header(reader: &mut impl Read) -> Result<(NpyHeader, u64), HeaderError> {
    let mut preamble = [0u8; 8];
    read_exact(reader, &mut preamble)?;
    if &preamble[..6] != MAGIC {
        return Err(HeaderError::Malformed(
            "it does not start with the \\x93NUMPY magic (not a .npy array)".into(),
        ));
    }
    let (len, preamble_len) = match preamble[6] {
        1 => {
            let mut bytes = [0u8; 2];
            read_exact(reader, &mut bytes)?;
            (usize::from(u16::from_le_bytes(bytes)), 10)
        }
        2 | 3 => {
            let mut bytes = [0u8; 4];
            read_exact(reader, &mut bytes)?;
            let len = usize::try_from(u32::from_le_bytes(bytes)).unwrap_or(usize::MAX);
            (len, 12)
        }
        major => {
            let minor = preamble[7];
            let text = format!("unsupported .npy format version {major}.{minor}");
            return Err(HeaderError::Malformed(text));
        }
    };
    if len > MAX_HEADER_LEN {
        let text = format!("the header claims {len} bytes, over the 1 MiB limit");
        return Err(HeaderError::Malformed(text));
    }
    let mut text = vec![0u8; len];
    read_exact(reader, &mut text)?;
    let header = parse_header_text(&String::from_utf8_lossy(&text))?;
    Ok((header, (preamble_len + len) as u64))
}

fn read_exact(reader: &mut impl Read, buf: &mut [u8]) -> Result<(), HeaderError> {
    reader.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            HeaderError::Malformed("the data ends inside the header".into())
        }
        _ => HeaderError::Io(e),
    })
}

/// Parses the header's dict literal.
fn parse_header_text(text: &str) -> Result<NpyHeader, HeaderError> {
    let bad = |s: String| HeaderError::Malformed(s);
    let mut parser = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    let value = parser.value(0).map_err(bad)?;
    parser.skip_ws();
    let Lit::Dict(items) = value else {
        return Err(bad("the header is not a dict".into()));
    };
    if parser.pos != parser.s.len() {
        return Err(bad(format!(
            "unexpected text after the dict at byte {}",
            parser.pos
        )));
    }
    let get = |key: &str| {
        let item = items
            .iter()
            .find(|(k, _, _)| matches!(k, Lit::Str(s) if s == key));
        let missing = || HeaderError::Malformed(format!("the key '{key}' is missing"));
        item.map(|(_, value, raw)| (value, raw.trim()))
            .ok_or_else(missing)
    };
    let (descr, raw) = get("descr")?;
    let parsed = match descr {
        Lit::Str(descr) => parse_descr(descr),
        _ => None,
    };
    let Some((dtype, big_endian)) = parsed else {
        let shown = if let Lit::Str(descr) = descr {
            descr.as_str()
        } else {
            raw
        };
        return Err(HeaderError::Unsupported(shown.to_string()));
    };
    let fortran_order = match get("fortran_order")? {
        (Lit::Bool(b), _) => *b,
        (_, raw) => return Err(bad(format!("'fortran_order' is {raw}, not True or False"))),
    };
    let (shape, raw) = get("shape")?;
    let to_dim = |d: &Lit| match d {
        Lit::Int(n) => usize::try_from(*n).ok(),
        _ => None,
    };
    let shape = match shape {
        Lit::Seq(dims) if raw.starts_with('(') => {
            dims.iter().map(to_dim).collect::<Option<Vec<_>>>()
        }
        _ => None,
    };
    let Some(shape) = shape else {
        return Err(bad(format!(
            "'shape' is {raw}, not a tuple of non-negative integers"
        )));
    };
    let fits = (shape.iter())
        .try_fold(dtype.itemsize() as u64, |acc, &d| acc.checked_mul(d as u64))
        .is_some_and(|bytes| usize::try_from(bytes).is_ok());
    if !fits {
        return Err(bad(format!(
            "the shape {} is impossibly large",
            shape_repr(&shape)
        )));
    }
    Ok(NpyHeader {
        dtype,
        fortran_order,
        shape,
        big_endian,
    })
}

/// A Python literal, as far as `.npy` headers use them.
enum Lit {
    Str(String),
    Int(u64),
    Bool(bool),
    None,
    /// A tuple or list.
    Seq(Vec<Lit>),
    /// Keys and values, each value with its source text.
    Dict(Vec<(Lit, Lit, String)>),
}

/// A small recursive-descent parser for Python literals.
struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while (self.s.get(self.pos)).is_some_and(|c| c.is_ascii_whitespace() || *c == 0) {
            self.pos += 1;
        }
    }

    fn fail<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at byte {}", self.pos))
    }

    fn value(&mut self, depth: usize) -> Result<Lit, String> {
        if depth > MAX_DEPTH {
            return self.fail("brackets nested too deeply");
        }
        self.skip_ws();
        match self.s.get(self.pos).copied() {
            Some(quote @ (b'\'' | b'"')) => self.string(quote),
            Some(b'{') => self.items(b'}', depth, true),
            Some(b'(') => self.items(b')', depth, false),
            Some(b'[') => self.items(b']', depth, false),
            Some(c) if c.is_ascii_digit() => self.int(),
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.s.get(self.pos).is_some_and(u8::is_ascii_alphanumeric) {
                    self.pos += 1;
                }
                match &self.s[start..self.pos] {
                    b"True" => Ok(Lit::Bool(true)),
                    b"False" => Ok(Lit::Bool(false)),
                    b"None" => Ok(Lit::None),
                    _ => {
                        self.pos = start;
                        self.fail("unexpected word")
                    }
                }
            }
            Some(_) => self.fail("unexpected character"),
            None => self.fail("unexpected end"),
        }
    }

    fn string(&mut self, quote: u8) -> Result<Lit, String> {
        let mut bytes = Vec::new();
        loop {
            self.pos += 1;
            match self.s.get(self.pos).copied() {
                Some(c) if c == quote => break,
                Some(b'\\') if self.pos + 1 < self.s.len() => {
                    self.pos += 1;
                    bytes.push(self.s[self.pos]);
                }
                Some(c) => bytes.push(c),
                None => return self.fail("unterminated string"),
            }
        }
        self.pos += 1;
        Ok(Lit::Str(String::from_utf8_lossy(&bytes).into_owned()))
    }

    fn int(&mut self) -> Result<Lit, String> {
        let mut n: u64 = 0;
        while let Some(c) = self.s.get(self.pos).copied().filter(u8::is_ascii_digit) {
            let next = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(c - b'0')));
            let Some(next) = next else {
                return self.fail("integer too large");
            };
            n = next;
            self.pos += 1;
        }
        if matches!(self.s.get(self.pos), Some(b'L' | b'l')) {
            self.pos += 1; // Python 2 long suffix, as in `(3L, 4L)`.
        }
        Ok(Lit::Int(n))
    }

    /// A tuple, list (`dict == false`) or dict, up to and including `close`.
    fn items(&mut self, close: u8, depth: usize, dict: bool) -> Result<Lit, String> {
        self.pos += 1;
        let (mut seq, mut pairs) = (Vec::new(), Vec::new());
        loop {
            self.skip_ws();
            if self.s.get(self.pos) == Some(&close) {
                self.pos += 1;
                return Ok(if dict {
                    Lit::Dict(pairs)
                } else {
                    Lit::Seq(seq)
                });
            }
            let item = self.value(depth + 1)?;
            if dict {
                self.skip_ws();
                if self.s.get(self.pos) != Some(&b':') {
                    return self.fail("expected ':'");
                }
                let start = self.pos + 1;
                self.pos = start;
                let value = self.value(depth + 1)?;
                let raw = String::from_utf8_lossy(&self.s[start..self.pos]).into_owned();
                pairs.push((item, value, raw));
            } else {
                seq.push(item);
            }
            self.skip_ws();
            match self.s.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(c) if *c == close => {}
                _ => return self.fail("expected ',' or a closing bracket"),
            }
        }
    }
}

/// Decodes `N`-byte elements with `f` (which reads little-endian bytes).
fn decode<const N: usize, T>(bytes: &[u8], big: bool, out: &mut Vec<T>, f: impl Fn([u8; N]) -> T) {
    let (chunks, _) = bytes.as_chunks::<N>();
    if big {
        out.extend(chunks.iter().map(|c| {
            let mut le = *c;
            le.reverse();
            f(le)
        }));
    } else {
        out.extend(chunks.iter().map(|c| f(*c)));
    }
}

/// Appends the numeric or bool elements in `bytes` as `f64`; string types append nothing.
pub(crate) fn decode_f64(dtype: DType, big: bool, bytes: &[u8], out: &mut Vec<f64>) {
    match dtype {
        DType::Bool => out.extend(bytes.iter().map(|&b| if b == 0 { 0.0 } else { 1.0 })),
        DType::I8 => decode(bytes, big, out, |b| f64::from(i8::from_le_bytes(b))),
        DType::U8 => out.extend(bytes.iter().map(|&b| f64::from(b))),
        DType::I16 => decode(bytes, big, out, |b| f64::from(i16::from_le_bytes(b))),
        DType::U16 => decode(bytes, big, out, |b| f64::from(u16::from_le_bytes(b))),
        DType::I32 => decode(bytes, big, out, |b| f64::from(i32::from_le_bytes(b))),
        DType::U32 => decode(bytes, big, out, |b| f64::from(u32::from_le_bytes(b))),
        DType::I64 => decode(bytes, big, out, |b| i64::from_le_bytes(b) as f64),
        DType::U64 => decode(bytes, big, out, |b| u64::from_le_bytes(b) as f64),
        DType::F16 => decode(bytes, big, out, |b| f16_to_f64(u16::from_le_bytes(b))),
        DType::F32 => decode(bytes, big, out, |b| f64::from(f32::from_le_bytes(b))),
        DType::F64 => decode(bytes, big, out, f64::from_le_bytes),
        DType::Unicode(_) | DType::Bytes(_) => {}
    }
}

/// Appends integer or bool elements as `i64`; other types (including `U64`) append nothing.
pub(crate) fn decode_i64(dtype: DType, big: bool, bytes: &[u8], out: &mut Vec<i64>) {
    match dtype {
        DType::Bool => out.extend(bytes.iter().map(|&b| i64::from(b != 0))),
        DType::I8 => decode(bytes, big, out, |b| i64::from(i8::from_le_bytes(b))),
        DType::U8 => out.extend(bytes.iter().map(|&b| i64::from(b))),
        DType::I16 => decode(bytes, big, out, |b| i64::from(i16::from_le_bytes(b))),
        DType::U16 => decode(bytes, big, out, |b| i64::from(u16::from_le_bytes(b))),
        DType::I32 => decode(bytes, big, out, |b| i64::from(i32::from_le_bytes(b))),
        DType::U32 => decode(bytes, big, out, |b| i64::from(u32::from_le_bytes(b))),
        DType::I64 => decode(bytes, big, out, i64::from_le_bytes),
        _ => {}
    }
}

/// Appends `U64` elements; other types append nothing.
pub(crate) fn decode_u64(dtype: DType, big: bool, bytes: &[u8], out: &mut Vec<u64>) {
    if dtype == DType::U64 {
        decode(bytes, big, out, u64::from_le_bytes);
    }
}

/// Appends string elements, trailing NULs stripped; other types append nothing.
pub(crate) fn decode_strings(dtype: DType, big: bool, bytes: &[u8], out: &mut Vec<String>) {
    let itemsize = dtype.itemsize();
    if itemsize == 0 {
        return;
    }
    for item in bytes.chunks_exact(itemsize) {
        match dtype {
            DType::Unicode(_) => {
                let mut units = Vec::with_capacity(item.len() / 4);
                decode(item, big, &mut units, u32::from_le_bytes);
                while units.last() == Some(&0) {
                    units.pop();
                }
                let text = units
                    .iter()
                    .map(|&u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER));
                out.push(text.collect());
            }
            DType::Bytes(_) => {
                let end = item.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                out.push(String::from_utf8_lossy(&item[..end]).into_owned());
            }
            _ => return,
        }
    }
}

/// Converts an IEEE 754 half-precision value to `f64`.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 == 0 { 1.0 } else { -1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let fraction = f64::from(bits & 0x3ff);
    let magnitude = match exponent {
        0 => fraction * 2f64.powi(-24),
        0x1f if fraction == 0.0 => f64::INFINITY,
        0x1f => f64::NAN,
        _ => (1.0 + fraction / 1024.0) * 2f64.powi(exponent - 15),
    };
    sign * magnitude
}

/// Reorders Fortran-order (column-major) data of the given shape into C
/// (row-major) order. Returns the data unchanged if its length does not
/// match the shape.
pub(crate) fn fortran_to_c<T: Clone>(data: Vec<T>, shape: &[usize]) -> Vec<T> {
    let len = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if shape.len() < 2 || len != Some(data.len()) {
        return data;
    }
    let mut strides = Vec::with_capacity(shape.len());
    let mut stride = 1;
    for &dim in shape {
        strides.push(stride);
        stride *= dim;
    }
    let mut out = Vec::with_capacity(data.len());
    let mut index = vec![0usize; shape.len()];
    let mut offset = 0;
    for _ in 0..data.len() {
        out.push(data[offset].clone());
        for axis in (0..shape.len()).rev() {
            index[axis] += 1;
            offset += strides[axis];
            if index[axis] < shape[axis] {
                break;
            }
            offset -= strides[axis] * shape[axis];
            index[axis] = 0;
        }
    }
    out
}
