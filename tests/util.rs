//! Helpers shared by the integration tests.
#![cfg_attr(
    not(feature = "torch"),
    allow(
        dead_code,
        reason = "the analyze helpers serve the tests that run models"
    )
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `stadyn` binary with arguments and its own cache folder.
pub fn stadyn_with_cache(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stadyn"))
        .args(args)
        .env("STADYN_CACHE_DIR", cache)
        .output()
        .unwrap()
}

/// Runs the `stadyn` binary with arguments.
pub fn stadyn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stadyn"))
        .args(args)
        .output()
        .expect("run stadyn")
}

/// A finished command's stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Both output streams of a finished command, for messages.
pub fn text(out: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The Python with NumPy: `STADYN_PYTHON` (set by `make test`), else `python3`
/// if it imports numpy. `None` (with a note) only when neither is usable and
/// `STADYN_PYTHON` is unset; a set but broken `STADYN_PYTHON` fails the test.
pub fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("STADYN_PYTHON") {
        let p = PathBuf::from(p);
        assert!(
            imports_numpy(&p),
            "STADYN_PYTHON={} cannot import numpy",
            p.display()
        );
        return Some(p);
    }
    let p = PathBuf::from("python3");
    if imports_numpy(&p) {
        Some(p)
    } else {
        eprintln!(
            "note: no Python with numpy (run through `make test`); skipping the NumPy cross-check"
        );
        None
    }
}

fn imports_numpy(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import numpy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Path of a file in the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A test fixture model (`tests/fixtures/models/NAME.pt`), as an argument.
pub fn fixture_model(name: &str) -> String {
    repo(&format!("tests/fixtures/models/{name}.pt"))
        .display()
        .to_string()
}

/// Six short mp4 clips of moving test patterns in different hues.
pub fn probe(dir: &Path) -> PathBuf {
    let p = dir.join("probe");
    std::fs::create_dir_all(&p).unwrap();
    for i in 0..6 {
        let out = Command::new("ffmpeg")
            .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i"])
            .arg(format!("testsrc=size=80x64:rate=10,hue=h={}", i * 50))
            .args(["-frames:v", &(14 + 3 * i).to_string()])
            .arg(p.join(format!("clip{i}.mp4")))
            .output()
            .expect("ffmpeg runs (installed by scripts/setup.sh)");
        assert!(out.status.success(), "{}", text(&out));
    }
    p
}

/// `stadyn analyze ARGS` with its own cache folder.
pub fn analyze(cache: &Path, args: &[&str]) -> Output {
    let mut all = vec!["analyze"];
    all.extend(args);
    stadyn_with_cache(cache, &all)
}

/// `analyze` arguments for the `tiny3d` fixture over `probe` into `out`:
/// `pairs` pairs, no bootstrap, on the CPU, then `extra`.
pub fn tiny_args(probe: &Path, out: &Path, pairs: usize, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "--model",
        &fixture_model("tiny3d"),
        "--videos",
        s(probe),
        "--pairs",
        &pairs.to_string(),
        "--bootstrap",
        "0",
        "--device",
        "cpu",
        "--out",
        s(out),
    ]
    .map(String::from)
    .to_vec();
    a.extend(extra.iter().map(|e| e.to_string()));
    a
}

/// `analyze` with owned arguments (see [`tiny_args`]).
pub fn analyze_with(cache: &Path, args: &[String]) -> Output {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    analyze(cache, &a)
}

/// The `report.json` in `dir`.
pub fn report(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

/// Same models and layers, same dims, pct, pair counts and interval
/// percentages everywhere, scores to `rel`.
pub fn assert_same_results(a: &serde_json::Value, b: &serde_json::Value, rel: f64) {
    let (ma, mb) = (
        a["models"].as_array().unwrap(),
        b["models"].as_array().unwrap(),
    );
    assert_eq!(ma.len(), mb.len());
    for (x, y) in ma.iter().zip(mb) {
        assert_eq!(x["checkpoint"], y["checkpoint"]);
        let (lx, ly) = (
            x["layers"].as_array().unwrap(),
            y["layers"].as_array().unwrap(),
        );
        assert_eq!(lx.len(), ly.len(), "layers of {}", x["name"]);
        for (la, lb) in lx.iter().zip(ly) {
            assert_eq!(la["dims"], lb["dims"], "{}", la["name"]);
            assert_eq!(la["pct"], lb["pct"], "{}", la["name"]);
            assert_eq!(la["pairs"], lb["pairs"]);
            assert_eq!(la["ci95"]["pct"], lb["ci95"]["pct"], "{}", la["name"]);
            for k in 0..2 {
                let (p, q) = (
                    la["scores"][k].as_f64().unwrap(),
                    lb["scores"][k].as_f64().unwrap(),
                );
                assert!(
                    (p - q).abs() <= rel * p.abs().max(q.abs()),
                    "{}: {p} vs {q}",
                    la["name"]
                );
            }
        }
    }
}

/// A path as an argument.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
