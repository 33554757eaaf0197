//! `stadyn estimate` against an independent NumPy implementation of the
//! reference `dim_est` (tools/numpy_reference.py): dims, pct and categories
//! identical, scores and ρ to 1e-9 relative, on several layers of different
//! widths, dtypes, offsets and dead channels, stored and deflated archives.

use crate::util::{python, repo, stadyn, text};
use std::process::Command;

fn cross_check(seed: u64, compressed: bool, threshold: &str) {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let npz = dir.path().join("acts.npz");
    let tool = repo("tools/numpy_reference.py");
    let mut make = Command::new(&py);
    make.arg(&tool)
        .arg("make")
        .arg(&npz)
        .args(["--seed", &seed.to_string()]);
    if compressed {
        make.arg("--compressed");
    }
    let out = make.output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out_dir = dir.path().join("out");
    let out = stadyn(&[
        "estimate",
        npz.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--threshold",
        threshold,
        "--bootstrap",
        "20",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = Command::new(&py)
        .arg(&tool)
        .arg("check")
        .arg(&npz)
        .arg(out_dir.join("report.json"))
        .args(["--threshold", threshold])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn matches_numpy_reference_stored() {
    cross_check(1, false, "0.5");
}

#[test]
fn matches_numpy_reference_compressed_other_threshold() {
    cross_check(2, true, "0.3");
}
