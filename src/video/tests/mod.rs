//! Tests of the video room, on real files: test videos are generated at test
//! time with `ffmpeg -f lavfi -i testsrc` into a temporary folder; the
//! resize and linspace rules are checked against PyTorch and NumPy when an
//! interpreter with them is available (`STADYN_PYTHON`, else `python3`).
//! This file holds the shared helpers.

mod decode;
mod discover;
mod errors;
mod preprocess;
mod sampling;
mod seek;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// testsrc frames: 64×48, 10 fps, 30 frames.
pub(crate) const W: u32 = 64;
pub(crate) const H: u32 = 48;
pub(crate) const N: usize = 30;

/// Whether the system `ffmpeg` runs (else the test is skipped with a note).
pub(crate) fn have_ffmpeg() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    let ok = *OK.get_or_init(|| {
        ["ffmpeg", "ffprobe"].iter().all(|p| {
            Command::new(p)
                .arg("-version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    });
    if !ok {
        eprintln!("note: ffmpeg/ffprobe not on PATH; skipping a decoding test");
    }
    ok
}

/// Whether this ffmpeg has the encoder `name` (the list is read once).
pub(crate) fn has_encoder(name: &str) -> bool {
    static ENCODERS: OnceLock<String> = OnceLock::new();
    ENCODERS
        .get_or_init(|| {
            Command::new("ffmpeg")
                .args(["-hide_banner", "-encoders"])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default()
        })
        .split_whitespace()
        .any(|w| w == name)
}

/// Runs ffmpeg on testsrc (`frames` frames of 64×48 at 10 fps), with the
/// output arguments `out_args` (options, then the output path).
pub(crate) fn testsrc(frames: usize, out_args: &[&str]) {
    let (path, opts) = out_args.split_last().unwrap();
    testsrc_outputs(frames, &[(opts, Path::new(path))]);
}

/// One ffmpeg run writing several outputs of testsrc, each `(options,
/// path)` and each `frames` long.
pub(crate) fn testsrc_outputs(frames: usize, outputs: &[(&[&str], &Path)]) {
    let src = format!("testsrc=size={W}x{H}:rate=10");
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(["-f", "lavfi", "-i", &src]);
    for (opts, path) in outputs {
        cmd.args(["-frames:v", &frames.to_string()])
            .args(*opts)
            .arg(path);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "ffmpeg {cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An mp4 of testsrc (libx264 at high quality if available, else mpeg4).
pub(crate) fn make_mp4(dir: &Path, name: &str, frames: usize) -> PathBuf {
    let path = dir.join(name);
    let p = path.to_str().unwrap();
    if has_encoder("libx264") {
        testsrc(
            frames,
            &["-c:v", "libx264", "-crf", "4", "-pix_fmt", "yuv420p", p],
        );
    } else {
        testsrc(frames, &["-c:v", "mpeg4", "-q:v", "2", p]);
    }
    path
}

/// A folder `dir/name` of testsrc frames `frame1.<ext>` … (not zero-padded,
/// so natural order differs from byte order).
pub(crate) fn make_frames(dir: &Path, name: &str, ext: &str, frames: usize) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let pattern = folder.join(format!("frame%d.{ext}"));
    let p = pattern.to_str().unwrap();
    if ext == "png" {
        testsrc(frames, &[p]);
    } else {
        testsrc(frames, &["-q:v", "2", p]);
    }
    folder
}

/// Mean absolute difference of two same-size 8-bit images, in [0, 255].
pub(crate) fn mean_abs_diff(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

/// An interpreter that imports `module` (`$STADYN_PYTHON`, else `python3`),
/// or `None` with a note.
pub(crate) fn python_with(module: &str) -> Option<PathBuf> {
    let python =
        PathBuf::from(std::env::var_os("STADYN_PYTHON").unwrap_or_else(|| "python3".into()));
    let ok = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "note: {} cannot import {module} (set STADYN_PYTHON); skipping the cross-check",
            python.display()
        );
    }
    ok.then_some(python)
}

/// Runs a Python script with arguments; its stdout (panics on failure).
pub(crate) fn run_python(python: &Path, script: &str, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A small deterministic generator (SplitMix64).
pub(crate) struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        let mut g = crate::hash::SplitMix64(self.0);
        let v = g.next_u64();
        self.0 = g.0;
        v
    }

    pub fn byte(&mut self) -> u8 {
        (self.next_u64() >> 56) as u8
    }
}
