//! `stadyn estimate` end to end: outputs, fixed report fields, and every bad
//! input giving a clear error with a non-zero exit code.

use crate::util::{stadyn, text};
use stadyn::npz::NpzWriter;
use std::path::{Path, PathBuf};

/// A layer's arrays: N pairs of C channels with member b = a·k + noise.
struct Layer {
    name: &'static str,
    za: Vec<f32>,
    zb: Vec<f32>,
    factor: Vec<i64>,
    c: usize,
}

fn layer(name: &'static str, n: usize, c: usize) -> Layer {
    let mut za = Vec::new();
    let mut zb = Vec::new();
    let mut x = 0.37f32;
    let mut next = || {
        x = (x * 9973.1 + 0.123).fract();
        x
    };
    for i in 0..n {
        for ch in 0..c {
            let a = next() + ch as f32;
            za.push(a);
            zb.push(if i % 2 == 0 { a + 0.1 * next() } else { next() });
        }
    }
    Layer {
        name,
        za,
        zb,
        factor: (0..n as i64).map(|i| i % 2).collect(),
        c,
    }
}

fn write(path: &Path, layers: &[Layer], single_name: Option<&str>) {
    let mut w = NpzWriter::create(path).unwrap();
    for l in layers {
        let n = l.factor.len();
        let key = |leaf: &str| {
            if l.name.is_empty() {
                leaf.to_string()
            } else {
                format!("{}/{leaf}", l.name)
            }
        };
        w.add_f32(&key("za"), &[n, l.c], &l.za).unwrap();
        w.add_f32(&key("zb"), &[n, l.c], &l.zb).unwrap();
        w.add_i64(&key("factor"), &[n], &l.factor).unwrap();
    }
    if let Some(name) = single_name {
        w.add_strings("layer", &[name]).unwrap();
    }
    w.finish().unwrap();
}

fn run(npz: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "estimate",
        npz.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    stadyn(&args)
}

fn failure(npz: &Path, out: &Path) -> String {
    let o = run(npz, out, &[]);
    assert!(!o.status.success(), "expected failure: {}", text(&o));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn tmp() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let npz = dir.path().join("acts.npz");
    let out = dir.path().join("out");
    (dir, npz, out)
}

#[test]
fn single_layer_writes_every_output_with_fixed_fields() {
    let (_d, npz, out) = tmp();
    write(&npz, &[layer("", 60, 5)], Some("res5"));
    let o = run(&npz, &out, &["--bootstrap", "30"]);
    assert!(o.status.success(), "{}", text(&o));
    for f in [
        "report.json",
        "layers.csv",
        "unit_categories.csv",
        "channels.csv",
        "res5_dim_est.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(v["schema"], "stadyn.report/2");
    assert!(v["tool_version"].is_string());
    let m = &v["models"][0];
    assert_eq!(m["name"], "acts");
    assert!(m["checkpoint"].is_null() && m["epoch"].is_null());
    let l = &m["layers"][0];
    assert_eq!(l["name"], "res5");
    assert_eq!(l["channels"], 5);
    assert_eq!(l["scores"][2], 1.0);
    let dims: Vec<u64> = l["dims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap())
        .collect();
    assert_eq!(dims.iter().sum::<u64>(), 5);
    assert_eq!(l["ci95"]["replicates"], 30);
    for key in ["rho_dynamic", "rho_static", "category"] {
        assert_eq!(l["units"][key].as_array().unwrap().len(), 5, "{key}");
    }
    assert!(l["units"]["unassigned"].is_u64());
    // The reference's two-row file: dims, then pct as Python writes them.
    let dim_est = std::fs::read_to_string(out.join("res5_dim_est.csv")).unwrap();
    let pct: Vec<String> = l["pct"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{:?}", p.as_f64().unwrap()))
        .collect();
    let want = format!(
        "{}\r\n{}\r\n",
        dims.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(","),
        pct.join(",")
    );
    assert_eq!(dim_est, want);
    let channels = std::fs::read_to_string(out.join("channels.csv")).unwrap();
    assert_eq!(channels.lines().count(), 1 + 5);
    let layers = std::fs::read_to_string(out.join("layers.csv")).unwrap();
    assert_eq!(layers.lines().count(), 1 + 3);
    assert!(String::from_utf8_lossy(&o.stdout).contains("res5"));
}

#[test]
fn layers_keep_archive_order_and_dead_channels_are_null() {
    let (_d, npz, out) = tmp();
    let mut dead = layer("z.last", 40, 4);
    for r in 0..40 {
        dead.za[r * 4 + 1] = 2.0;
        dead.zb[r * 4 + 1] = 2.0;
    }
    write(
        &npz,
        &[layer("b.first", 40, 3), dead, layer("a/mid", 40, 2)],
        None,
    );
    let o = run(&npz, &out, &["--bootstrap", "0"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let names: Vec<&str> = v["models"][0]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["b.first", "z.last", "a/mid"]);
    let units = &v["models"][0]["layers"][1]["units"];
    assert!(units["rho_dynamic"][1].is_null() && units["rho_static"][1].is_null());
    assert_eq!(units["category"][1], "unassigned");
    assert_eq!(units["unassigned"], 1);
    assert!(v["models"][0]["layers"][0]["ci95"].is_null());
    assert!(out.join("a_mid_dim_est.csv").is_file());
}

#[test]
fn missing_input_is_a_clear_error() {
    let (_d, npz, out) = tmp();
    let err = failure(&npz, &out);
    assert!(
        err.contains("acts.npz") && err.contains("No such file"),
        "{err}"
    );
}

#[test]
fn not_an_npz_is_a_clear_error() {
    let (_d, npz, out) = tmp();
    std::fs::write(&npz, b"this is not a zip archive").unwrap();
    let err = failure(&npz, &out);
    assert!(err.contains("not a NumPy .npz"), "{err}");
}

#[test]
fn archive_without_activations_lists_what_it_has() {
    let (_d, npz, out) = tmp();
    let mut w = NpzWriter::create(&npz).unwrap();
    w.add_f64("weights", &[2], &[1.0, 2.0]).unwrap();
    w.finish().unwrap();
    let err = failure(&npz, &out);
    assert!(
        err.contains("no activations") && err.contains("weights"),
        "{err}"
    );
}

#[test]
fn missing_member_is_named() {
    let (_d, npz, out) = tmp();
    let mut w = NpzWriter::create(&npz).unwrap();
    w.add_f32("conv/za", &[2, 1], &[1.0, 2.0]).unwrap();
    w.add_i64("conv/factor", &[2], &[0, 1]).unwrap();
    w.finish().unwrap();
    let err = failure(&npz, &out);
    assert!(err.contains("conv/zb"), "{err}");
}

#[test]
fn bad_factor_names_row_and_value() {
    let (_d, npz, out) = tmp();
    let mut l = layer("conv", 10, 2);
    l.factor[7] = 2;
    write(&npz, &[l], None);
    let err = failure(&npz, &out);
    assert!(err.contains("row 7") && err.contains("is 2"), "{err}");
}

#[test]
fn nan_rows_name_the_layer_and_write_nothing() {
    let (_d, npz, out) = tmp();
    let mut l = layer("layer4", 30, 3);
    l.za[5 * 3 + 1] = f32::NAN;
    l.zb[9 * 3] = f32::INFINITY;
    write(&npz, &[layer("layer3", 30, 3), l], None);
    let err = failure(&npz, &out);
    assert!(
        err.contains("layer4") && err.contains("2 row(s)") && err.contains("row 5"),
        "{err}"
    );
    assert!(!out.join("report.json").exists());
}

#[test]
fn keep_going_leaves_out_the_bad_layer_with_a_warning() {
    let (_d, npz, out) = tmp();
    let mut l = layer("layer4", 30, 3);
    l.za[4] = f32::NAN;
    write(&npz, &[layer("layer3", 30, 3), l], None);
    let o = run(&npz, &out, &["--keep-going", "--bootstrap", "0"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(v["models"][0]["layers"].as_array().unwrap().len(), 1);
    let w = v["warnings"][0]["reason"].as_str().unwrap();
    assert!(w.contains("NaN"), "{w}");
    assert!(
        v["warnings"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with(":layer4")
    );
}

#[test]
fn keep_going_with_every_layer_failed_is_an_error() {
    let (_d, npz, out) = tmp();
    let mut a = layer("layer3", 30, 3);
    a.za[1] = f32::NAN;
    let mut b = layer("layer4", 30, 3);
    b.zb[2] = f32::INFINITY;
    write(&npz, &[a, b], None);
    let o = run(&npz, &out, &["--keep-going", "--bootstrap", "0"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no layer of") && err.contains("layer4"),
        "{err}"
    );
    assert!(!out.join("report.json").exists());
}

#[test]
fn shape_mismatch_is_an_error() {
    let (_d, npz, out) = tmp();
    let mut w = NpzWriter::create(&npz).unwrap();
    w.add_f32("za", &[4, 2], &[0.0; 8]).unwrap();
    w.add_f32("zb", &[4, 3], &[0.0; 12]).unwrap();
    w.add_i64("factor", &[4], &[0, 1, 0, 1]).unwrap();
    w.finish().unwrap();
    let err = failure(&npz, &out);
    assert!(err.contains("shape of zb"), "{err}");
    let mut w = NpzWriter::create(&npz).unwrap();
    w.add_f32("za", &[4, 2], &[0.0; 8]).unwrap();
    w.add_f32("zb", &[4, 2], &[0.0; 8]).unwrap();
    w.add_i64("factor", &[3], &[0, 1, 0]).unwrap();
    w.finish().unwrap();
    let err = failure(&npz, &out);
    assert!(err.contains("length of factor"), "{err}");
}

#[test]
fn too_few_pairs_is_an_error() {
    let (_d, npz, out) = tmp();
    let mut l = layer("conv", 6, 2);
    l.factor = vec![0, 0, 0, 0, 0, 1];
    write(&npz, &[l], None);
    let err = failure(&npz, &out);
    assert!(
        err.contains("1 static pair(s)") && err.contains("at least 2"),
        "{err}"
    );
}

#[test]
fn absurd_channels_without_rows_fail_before_allocating() {
    // Found by the fuzzer's kind of input: 0 rows of 2^32 channels took the
    // estimator to allocate 34 GB for them (abort) before it saw no pairs.
    let (_d, npz, out) = tmp();
    let mut w = NpzWriter::create(&npz).unwrap();
    w.add_f32("za", &[0, 1 << 32], &[]).unwrap();
    w.add_f32("zb", &[0, 1 << 32], &[]).unwrap();
    w.add_i64("factor", &[0], &[]).unwrap();
    w.finish().unwrap();
    let err = failure(&npz, &out);
    assert!(
        err.contains("0 dynamic pair(s)") && err.contains("at least 2"),
        "{err}"
    );
}

#[test]
fn statistics_larger_than_memory_are_refused_before_work() {
    // 2^20 channels with 10 000 bootstrap replicates need about 300 GiB.
    let (_d, npz, out) = tmp();
    write(&npz, &[layer("wide", 4, 1 << 20)], None);
    let o = run(&npz, &out, &["--bootstrap", "10000"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("layer 'wide'")
            && err.contains("1048576 channels")
            && err.contains("10000 bootstrap replicates")
            && err.contains("--bootstrap"),
        "{err}"
    );
}

#[test]
fn unwritable_output_fails_before_work() {
    let (_d, npz, _) = tmp();
    write(&npz, &[layer("conv", 10, 2)], None);
    // A file where the output folder should be.
    let out = npz.clone();
    let err = failure(&npz, &out);
    assert!(err.contains("not a folder"), "{err}");
}

#[test]
fn ignored_arrays_are_warned_about() {
    let (_d, npz, out) = tmp();
    let mut w = NpzWriter::create(&npz).unwrap();
    let l = layer("", 10, 2);
    w.add_f32("za", &[10, 2], &l.za).unwrap();
    w.add_f32("zb", &[10, 2], &l.zb).unwrap();
    w.add_i64("factor", &[10], &l.factor).unwrap();
    w.add_f64("labels", &[2], &[0.0, 1.0]).unwrap();
    w.finish().unwrap();
    let o = run(&npz, &out, &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("labels"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(v["models"][0]["layers"][0]["name"], "layer");
}
