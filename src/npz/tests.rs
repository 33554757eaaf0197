use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::*;

/// A `.npy` file with the given header dict and raw data (version 1.0).
fn npy(dict: &str, data: &[u8]) -> Vec<u8> {
    let len = (10 + dict.len() + 1).next_multiple_of(64) - 10;
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&u16::try_from(len).unwrap().to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.resize(10 + len - 1, b' ');
    out.push(b'\n');
    out.extend_from_slice(data);
    out
}

/// A zip entry `<name>.npy` holding a C-order array.
fn entry(name: &str, descr: &str, shape: &str, data: &[u8]) -> (String, Vec<u8>) {
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    (format!("{name}.npy"), npy(&dict, data))
}

fn method(deflate: bool) -> CompressionMethod {
    if deflate {
        CompressionMethod::Deflated
    } else {
        CompressionMethod::Stored
    }
}

/// Writes a zip with the given raw entries.
fn raw_zip(path: &Path, entries: &[(String, Vec<u8>)], deflate: bool) {
    let options = SimpleFileOptions::default().compression_method(method(deflate));
    let mut zip = ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn le<T: Copy, const N: usize>(values: &[T], f: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    values.iter().flat_map(|&v| f(v)).collect()
}

/// The error message of a result that must be an error.
fn err<T>(result: Result<T, NpzError>) -> String {
    result.err().unwrap().to_string()
}

/// Reads all rows of `name` in chunks of `chunk` rows.
fn stream(archive: &NpzArchive, name: &str, chunk: usize) -> Vec<f64> {
    let mut reader = archive.rows(name).unwrap();
    let (mut all, mut out, mut rows) = (Vec::new(), Vec::new(), 0);
    loop {
        let n = reader.read_rows(chunk, &mut out).unwrap();
        if n == 0 {
            break;
        }
        assert!(n <= chunk);
        assert_eq!(out.len(), n * reader.cols());
        rows += n;
        all.extend_from_slice(&out);
    }
    assert_eq!(rows, reader.rows());
    all
}

fn sample(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (i as f32 * 0.37).sin() * 1e3 / (i as f32 + 1.0))
        .collect()
}

fn write_sample(path: &Path, compressed: bool) -> (Vec<f32>, Vec<f64>) {
    let za = sample(6);
    let zb: Vec<f64> = (0..6).map(|i| f64::from(i) * 0.1 - 0.25).collect();
    let mut w = NpzWriter::create_with(path, compressed).unwrap();
    w.add_f32("za", &[2, 3], &za).unwrap();
    w.add_f64("layer/zb", &[3, 2], &zb).unwrap();
    w.add_i64("factor", &[3], &[7, -1, i64::MAX]).unwrap();
    w.add_strings("labels", &["a", "héllo", ""]).unwrap();
    w.add_f64("scalar", &[], &[2.5]).unwrap();
    w.add_f32("empty", &[0, 4], &[]).unwrap();
    w.finish().unwrap();
    (za, zb)
}

#[test]
fn round_trips_every_add() {
    for compressed in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.npz");
        let (za, zb) = write_sample(&path, compressed);
        let a = NpzArchive::open(&path).unwrap();
        assert_eq!(a.path(), path);
        let names = ["za", "layer/zb", "factor", "labels", "scalar", "empty"];
        assert_eq!(a.names(), names);
        let (h, v) = a.read_f64("za").unwrap();
        assert_eq!(
            (h.dtype, h.shape, h.fortran_order),
            (DType::F32, vec![2, 3], false)
        );
        assert_eq!(v, za.iter().map(|&x| f64::from(x)).collect::<Vec<_>>());
        assert_eq!(a.read_f64("layer/zb").unwrap().1, zb);
        let (h, v) = a.read_i64("factor").unwrap();
        assert_eq!((h.dtype, v), (DType::I64, vec![7, -1, i64::MAX]));
        assert_eq!(a.header("labels").unwrap().dtype, DType::Unicode(5));
        assert_eq!(a.read_strings("labels").unwrap(), ["a", "héllo", ""]);
        let (h, v) = a.read_f64("scalar").unwrap();
        assert_eq!((h.len(), v), (1, vec![2.5]));
        let mut empty = a.rows("empty").unwrap();
        assert_eq!((empty.rows(), empty.cols()), (0, 4));
        assert_eq!(empty.read_rows(10, &mut Vec::new()).unwrap(), 0);
        let zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(
            zip.by_index_data(0).unwrap().compression(),
            method(compressed)
        );
    }
}

#[test]
fn streams_rows_in_chunks() {
    for compressed in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.npz");
        let small = sample(50 * 13);
        // Over a MiB, so one read spans several decode chunks.
        let big: Vec<f64> = (0..300 * 500).map(|i| f64::from(i) / 3.0).collect();
        let mut w = NpzWriter::create_with(&path, compressed).unwrap();
        w.add_f32("za", &[50, 13], &small).unwrap();
        w.add_f64("zb", &[300, 500], &big).unwrap();
        w.finish().unwrap();
        let a = NpzArchive::open(&path).unwrap();
        let whole = a.read_f64("za").unwrap().1;
        for chunk in [1, 7, 50, usize::MAX] {
            assert_eq!(stream(&a, "za", chunk), whole, "chunk {chunk}");
        }
        for chunk in [1, 7, 300] {
            assert_eq!(stream(&a, "zb", chunk), big, "chunk {chunk}");
        }
    }
}

#[test]
fn fortran_order_is_transposed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.npz");
    // The C-order value at (i, j, k) is 100i + 10j + k; stored column-major.
    let value = |i, j, k| f64::from(100 * i + 10 * j + k);
    let f_order: Vec<f64> = (0..4)
        .flat_map(|k| (0..3).flat_map(move |j| (0..2).map(move |i| value(i, j, k))))
        .collect();
    let c_order: Vec<f64> = (0..2)
        .flat_map(|i| (0..3).flat_map(move |j| (0..4).map(move |k| value(i, j, k))))
        .collect();
    let dict3 = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }";
    let dict2 = "{'fortran_order': True, 'shape': (2, 3), 'descr': '<i4'}";
    let t3 = npy(dict3, &le(&f_order, f64::to_le_bytes));
    let t2 = npy(dict2, &le(&[0, 3, 1, 4, 2, 5], i32::to_le_bytes));
    raw_zip(&path, &[("t3.npy".into(), t3), ("t2.npy".into(), t2)], true);
    let a = NpzArchive::open(&path).unwrap();
    let (h, v) = a.read_f64("t3").unwrap();
    assert!(h.fortran_order);
    assert_eq!((h.shape, v), (vec![2, 3, 4], c_order));
    assert_eq!(a.read_i64("t2").unwrap().1, [0, 1, 2, 3, 4, 5]);
    assert_eq!(stream(&a, "t2", 1), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
}

#[test]
fn big_endian_and_other_dtypes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.npz");
    let f16 = [0x3c00u16, 0xc000, 0x3555, 0x0001, 0x7c00, 0x7bff];
    let f = [1.5, -2.0, 1e-300, 7.0];
    let m = [
        entry("f", ">f8", "(2, 2)", &le(&f, f64::to_be_bytes)),
        entry(
            "i",
            ">i4",
            "(3,)",
            &le(&[1, -2, i32::MAX], i32::to_be_bytes),
        ),
        entry(
            "u",
            ">U2",
            "(2,)",
            &le(&[0x61, 0x1F600, 0x62, 0], u32::to_be_bytes),
        ),
        entry("h", "<f2", "(6,)", &le(&f16, u16::to_le_bytes)),
        entry("s", "|S3", "(2,)", b"ab\0xyz"),
        entry("b", "|b1", "(3,)", &[1, 0, 1]),
        entry("q", "<u8", "(2,)", &le(&[5, u64::MAX], u64::to_le_bytes)),
        entry("old", "<u2", "(2L,)", &le(&[9, 65535], u16::to_le_bytes)),
    ];
    raw_zip(&path, &m, false);
    let a = NpzArchive::open(&path).unwrap();
    let (h, v) = a.read_f64("f").unwrap();
    assert_eq!(
        (h.big_endian, h.descr(), h.dtype.descr()),
        (true, ">f8".into(), "<f8".into())
    );
    assert_eq!((v, stream(&a, "f", 1)), (f.to_vec(), f.to_vec()));
    assert_eq!(a.read_i64("i").unwrap().1, [1, -2, i64::from(i32::MAX)]);
    assert_eq!(a.read_strings("u").unwrap(), ["a😀", "b"]);
    let half = [
        1.0,
        -2.0,
        0.333_251_953_125,
        2f64.powi(-24),
        f64::INFINITY,
        65504.0,
    ];
    assert_eq!(a.read_f64("h").unwrap().1, half);
    assert_eq!(a.read_strings("s").unwrap(), ["ab", "xyz"]);
    assert_eq!(a.read_i64("b").unwrap().1, [1, 0, 1]);
    assert_eq!(a.read_f64("b").unwrap().1, [1.0, 0.0, 1.0]);
    assert!(err(a.read_i64("q")).contains(&format!("holds {} at index 1", u64::MAX)));
    assert_eq!(a.read_i64("old").unwrap().1, [9, 65535]);
    let e = err(a.rows("s"));
    assert!(
        e.ends_with("array 's' has dtype '|S3'; expected float32 or float64"),
        "{e}"
    );
}

#[test]
fn read_i64_accepts_integral_floats_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.npz");
    let mut w = NpzWriter::create(&path).unwrap();
    w.add_f64("ok", &[3], &[0.0, 1.0, -4.0]).unwrap();
    w.add_f32("bad", &[2, 2], &[0.0, 1.0, 0.5, 2.0]).unwrap();
    w.add_f64("nan", &[1], &[f64::NAN]).unwrap();
    w.finish().unwrap();
    let a = NpzArchive::open(&path).unwrap();
    assert_eq!(a.read_i64("ok").unwrap().1, [0, 1, -4]);
    assert!(matches!(
        a.read_i64("bad"),
        Err(NpzError::NotInteger { index: 2, .. })
    ));
    let e = err(a.read_i64("bad"));
    assert!(e.ends_with(
        "array 'bad' holds 0.5 at index 2, which is not a 64-bit integer; expected integers"
    ));
    assert!(err(a.read_i64("nan")).contains("holds NaN at index 0"));
    let want = format!(
        "'{}': no array 'missing' (arrays: ok, bad, nan)",
        path.display()
    );
    assert_eq!(err(a.read_i64("missing")), want);
}

#[test]
fn damaged_files_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name);
    let e = err(NpzArchive::open(&d("no.npz")));
    assert_eq!(
        e,
        format!(
            "cannot read '{}': No such file or directory",
            d("no.npz").display()
        )
    );
    std::fs::write(d("text.npz"), "hello, world").unwrap();
    let e = err(NpzArchive::open(&d("text.npz")));
    assert_eq!(
        e,
        format!(
            "'{}' is not a NumPy .npz archive (not a zip file)",
            d("text.npz").display()
        )
    );
    std::fs::write(d("one.npy"), entry("x", "<f8", "(0,)", &[]).1).unwrap();
    assert!(matches!(
        NpzArchive::open(&d("one.npy")),
        Err(NpzError::NpyNotNpz { .. })
    ));
    write_sample(&d("cut.npz"), false);
    let bytes = std::fs::read(d("cut.npz")).unwrap();
    std::fs::write(d("cut.npz"), &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        NpzArchive::open(&d("cut.npz")),
        Err(NpzError::BadZip { .. })
    ));

    let data = le(&[1.0f64; 20], f64::to_le_bytes);
    let mut huge = b"\x93NUMPY\x02\x00".to_vec();
    huge.extend_from_slice(&(1u32 << 31).to_le_bytes());
    let record = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }";
    let m = [
        entry("short", "<f8", "(10, 4)", &data[..100]),
        ("magic.npy".into(), b"NUMPY garbage".to_vec()),
        (
            "dict.npy".into(),
            npy("{'descr': '<f8', 'shape': (3,", &data),
        ),
        (
            "nokey.npy".into(),
            npy("{'descr': '<f8', 'shape': (3,)}", &data),
        ),
        ("huge.npy".into(), huge),
        entry("overflow", "<f8", "(4294967296, 4294967296)", &data),
        entry("negative", "<f8", "(-1,)", &data),
        entry("list", "<f8", "[2]", &data),
        entry("complex", "<c16", "(2,)", &data),
        entry("flat", "<f8", "(20,)", &data),
        ("record.npy".into(), npy(record, &data)),
    ];
    for deflate in [false, true] {
        let p = d("bad.npz");
        raw_zip(&p, &m, deflate);
        let a = NpzArchive::open(&p).unwrap();
        let pre = format!("'{}': array", p.display());
        let e = err(a.rows("short"));
        assert_eq!(
            e,
            format!("{pre} 'short' is truncated (expected 320 bytes, got 100)")
        );
        assert!(matches!(
            a.read_f64("short"),
            Err(NpzError::Truncated {
                expected: 320,
                got: 100,
                ..
            })
        ));
        for name in [
            "magic", "dict", "nokey", "huge", "overflow", "negative", "list",
        ] {
            let e = err(a.header(name));
            assert!(
                e.starts_with(&format!("{pre} '{name}' has a malformed .npy header: ")),
                "{e}"
            );
        }
        let e = err(a.rows("complex"));
        assert_eq!(
            e,
            format!("{pre} 'complex' has dtype '<c16'; expected float32 or float64")
        );
        let e = err(a.rows("flat"));
        assert!(e.starts_with(&format!(
            "{pre} 'flat' has shape (20,); expected a 2-D N×C array"
        )));
        assert!(err(a.header("record")).contains("has dtype '[('a', '<f4')]'"));
    }
}

#[test]
fn checksum_catches_flipped_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.npz");
    let mut w = NpzWriter::create(&path).unwrap();
    w.add_f64("za", &[4, 2], &[1.0; 8]).unwrap();
    w.finish().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(8)
        .position(|b| b == 1.0f64.to_le_bytes())
        .unwrap();
    bytes[at] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let a = NpzArchive::open(&path).unwrap();
    assert!(matches!(a.read_f64("za"), Err(NpzError::Corrupt { .. })));
    let mut rows = a.rows("za").unwrap();
    assert_eq!(rows.read_rows(3, &mut Vec::new()).unwrap(), 3);
    assert!(err(rows.read_rows(3, &mut Vec::new())).contains("CRC-32"));
}

#[test]
fn writer_rejects_inconsistent_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.npz");
    let mut w = NpzWriter::create(&path).unwrap();
    let e = err(w.add_f32("za", &[2, 3], &[0.0; 5]));
    let want = format!(
        "cannot write array 'za' to '{}': the shape (2, 3) holds 6 values but 5 were given",
        path.display()
    );
    assert_eq!(e, want);
    assert!(w.add_f64("zb", &[usize::MAX, 2], &[]).is_err());
    w.add_i64("f", &[1], &[1]).unwrap();
    assert!(w.add_i64("f", &[1], &[1]).is_err());
    w.finish().unwrap();
    assert_eq!(NpzArchive::open(&path).unwrap().names(), ["f"]);
}

/// An interpreter with NumPy (`$STADYN_PYTHON`, else `python3`), if any.
fn python() -> Option<PathBuf> {
    let python =
        PathBuf::from(std::env::var_os("STADYN_PYTHON").unwrap_or_else(|| "python3".into()));
    let ok = Command::new(&python)
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "skipping: no NumPy in {} (set STADYN_PYTHON)",
            python.display()
        );
    }
    ok.then_some(python)
}

fn run_python(python: &Path, script: &str, dir: &Path) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "python failed: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

const NUMPY_WRITES: &str = r#"
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(0)
za = rng.standard_normal((5, 3), dtype=np.float32)
zb = rng.standard_normal((4, 2))
big = rng.standard_normal((300, 17), dtype=np.float32)
half = np.array([1, -2, 0.333, 65504, 6e-8], dtype=np.float16)
np.savez(d + "/a.npz", za=za, **{"layer/zb": zb}, factor=np.array([3, -1, 5]),
         mask=np.array([True, False, True]), labels=np.array(["cat", "dög", ""]),
         fo=np.asfortranarray(np.arange(6.0).reshape(2, 3)), be=np.arange(4, dtype=">f8"), half=half)
np.savez_compressed(d + "/c.npz", za=big, factor=np.arange(300) % 4)
for name, a in [("za", za), ("zb", zb), ("big", big), ("half", half)]:
    print(name, " ".join(repr(float(x)) for x in a.ravel()))
"#;

#[test]
fn reads_what_numpy_writes() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let printed = run_python(&python, NUMPY_WRITES, dir.path());
    let values = |name: &str| -> Vec<f64> {
        let line = printed
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap();
        line.split_whitespace()
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let a = NpzArchive::open(&dir.path().join("a.npz")).unwrap();
    assert_eq!(
        a.names(),
        [
            "za", "layer/zb", "factor", "mask", "labels", "fo", "be", "half"
        ]
    );
    let (h, za) = a.read_f64("za").unwrap();
    assert_eq!(
        (h.dtype, h.shape, h.fortran_order),
        (DType::F32, vec![5, 3], false)
    );
    assert_eq!(za, values("za"));
    assert_eq!(stream(&a, "za", 2), za);
    assert_eq!(a.read_f64("layer/zb").unwrap().1, values("zb"));
    assert_eq!(stream(&a, "layer/zb", 7), values("zb"));
    let (h, factor) = a.read_i64("factor").unwrap();
    assert_eq!((h.dtype, factor), (DType::I64, vec![3, -1, 5]));
    let (h, mask) = a.read_i64("mask").unwrap();
    assert_eq!((h.dtype, mask), (DType::Bool, vec![1, 0, 1]));
    assert_eq!(a.header("labels").unwrap().dtype, DType::Unicode(3));
    assert_eq!(a.read_strings("labels").unwrap(), ["cat", "dög", ""]);
    let (h, fo) = a.read_f64("fo").unwrap();
    assert!(h.fortran_order);
    assert_eq!(fo, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(stream(&a, "fo", 1), fo);
    let (h, be) = a.read_f64("be").unwrap();
    assert_eq!((h.big_endian, be), (true, vec![0.0, 1.0, 2.0, 3.0]));
    assert_eq!(a.read_f64("half").unwrap().1, values("half"));

    let c = NpzArchive::open(&dir.path().join("c.npz")).unwrap();
    let zip = zip::ZipArchive::new(std::fs::File::open(c.path()).unwrap()).unwrap();
    assert_eq!(
        zip.by_index_data(0).unwrap().compression(),
        CompressionMethod::Deflated
    );
    for chunk in [1, 7, 300] {
        assert_eq!(stream(&c, "za", chunk), values("big"));
    }
    let factor = c.read_i64("factor").unwrap().1;
    assert_eq!(factor, (0..300).map(|i| i % 4).collect::<Vec<i64>>());
}

const NUMPY_READS: &str = r#"
import sys, zipfile, numpy as np
d = sys.argv[1]
for name in ["stored.npz", "deflated.npz"]:
    f = np.load(d + "/" + name)
    assert list(f.keys()) == ["za", "layer/zb", "factor", "labels", "scalar", "empty"], list(f.keys())
    za, zb = f["za"], f["layer/zb"]
    assert za.dtype == np.float32 and za.shape == (2, 3), (za.dtype, za.shape)
    assert za.tolist() == np.load(d + "/za.npy").tolist()
    assert zb.dtype == np.float64 and zb.shape == (3, 2)
    assert zb.ravel().tolist() == [i * 0.1 - 0.25 for i in range(6)], zb
    assert f["factor"].dtype == np.int64 and f["factor"].tolist() == [7, -1, 2**63 - 1]
    assert f["labels"].dtype == np.dtype("<U5") and f["labels"].tolist() == ["a", "héllo", ""]
    assert f["scalar"].shape == () and f["scalar"] == 2.5
    assert f["empty"].shape == (0, 4) and f["empty"].dtype == np.float32
    with zipfile.ZipFile(d + "/" + name) as z:
        for info in z.infolist():
            raw = z.read(info)
            assert raw[:8] == b"\x93NUMPY\x01\x00"
            assert (10 + int.from_bytes(raw[8:10], "little")) % 64 == 0
print("ok")
"#;

#[test]
fn numpy_reads_what_we_write() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (za, _) = write_sample(&dir.path().join("stored.npz"), false);
    write_sample(&dir.path().join("deflated.npz"), true);
    // The expected `za` as a plain .npy file, built by hand.
    std::fs::write(
        dir.path().join("za.npy"),
        entry("za", "<f4", "(2, 3)", &le(&za, f32::to_le_bytes)).1,
    )
    .unwrap();
    assert_eq!(run_python(&python, NUMPY_READS, dir.path()).trim(), "ok");
}

#[test]
fn readers_can_move_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<NpzArchive>();
    send::<RowReader>();
    send::<NpzWriter>();
}
