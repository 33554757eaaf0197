//! `stadyn compare` end to end: two checkpoints of a demo model and the
//! `tiny3d` fixture analyzed in one job; an entry against itself is exactly
//! zero, checkpoints are paired and their channels compared, a model
//! without a layer in common and a report without its statistics are
//! refused with the reason.

use crate::util::{analyze, probe, repo, s, stadyn, text};
use std::path::Path;

/// Two checkpoints of the demo's motion 3-D CNN (epochs 0 and 10) and tiny3d
/// over six short clips, 40 pairs, 40 replicates, into `dir/results`.
fn results(dir: &Path) -> std::path::PathBuf {
    let ckpts = dir.join("cnn3d-motion");
    std::fs::create_dir_all(&ckpts).unwrap();
    for e in ["00.00", "10.00"] {
        for ext in ["pt", "json"] {
            let from = repo(&format!("sample_data/models/cnn3d-motion/epoch_{e}.{ext}"));
            std::fs::copy(from, ckpts.join(format!("epoch_{e}.{ext}"))).unwrap();
        }
    }
    // A `metrics` object in one manifest, to see it in the report.
    let last = ckpts.join("epoch_10.00.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&last).unwrap()).unwrap();
    m["metrics"] = serde_json::json!({"val_loss": 0.625});
    std::fs::write(&last, m.to_string()).unwrap();
    let videos = probe(dir);
    let out = dir.join("results");
    let pattern = format!("{}/*.pt", ckpts.display());
    let tiny = repo("tests/fixtures/models/tiny3d.pt");
    let o = analyze(
        &dir.join("cache"),
        &[
            "--videos",
            s(&videos),
            "--checkpoints",
            &pattern,
            "--model",
            s(&tiny),
            "--pairs",
            "40",
            "--bootstrap",
            "40",
            "--device",
            "cpu",
            "--out",
            s(&out),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    out
}

fn compare(results: &Path, out: &Path, a: &str, bs: &[&str]) -> std::process::Output {
    let mut args = vec!["compare", s(results), "--a", a];
    for b in bs {
        args.extend(["--b", b]);
    }
    args.extend(["--out", s(out)]);
    stadyn(&args)
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

#[test]
fn deltas_with_paired_intervals_and_channel_moves() {
    let d = tempfile::tempdir().unwrap();
    let results = results(d.path());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results.join("report.json")).unwrap())
            .unwrap();
    let models = report["models"].as_array().unwrap();
    let at = |e: f64| {
        models
            .iter()
            .position(|m| m["epoch"].as_f64() == Some(e))
            .unwrap()
    };
    let (e0, e10) = (at(0.0), at(10.0));
    // The checkpoints' recorded numbers reach the report: the manifest's
    // accuracies and its `metrics` object (added to epoch 10's below).
    let metrics = &models[e10]["metrics"];
    assert_eq!(metrics["accuracy"].as_f64(), Some(1.0), "{metrics}");
    assert_eq!(metrics["val_loss"].as_f64(), Some(0.625), "{metrics}");
    assert!(models[e0]["metrics"]["val_loss"].is_null());
    let tiny = models.iter().find(|m| m["name"] == "tiny3d").unwrap();
    assert!(tiny.get("metrics").is_none(), "no manifest numbers: absent");
    let name = models[e0]["name"].as_str().unwrap().to_string();
    let (a, b) = (format!("{name}@0"), format!("{name}@10"));

    // An entry against itself: every difference and bound exactly 0, paired.
    let same = d.path().join("same");
    let o = compare(&results, &same, &a, &[&a]);
    assert!(o.status.success(), "{}", text(&o));
    let got = rows(&same.join("delta.csv"));
    assert_eq!(got.len(), 3 * 3, "3 layers × 3 factors");
    for r in &got {
        assert_eq!(&r[6..], ["0", "0", "0", "true"], "{r:?}");
    }

    // Epoch 0 against epoch 10: B − A of the report's percentages, paired,
    // the interval around it; every channel's move.
    let out = d.path().join("cmp");
    let o = compare(&results, &out, &a, &[&b]);
    assert!(o.status.success(), "{}", text(&o));
    let pct = |entry: usize, layer: usize, k: usize| {
        report["models"][entry]["layers"][layer]["pct"][k]
            .as_f64()
            .unwrap()
    };
    for (i, r) in rows(&out.join("delta.csv")).iter().enumerate() {
        let (layer, k) = (i / 3, i % 3);
        let v = |j: usize| r[j].parse::<f64>().unwrap();
        assert_eq!(
            (v(4), v(5)),
            (pct(e0, layer, k), pct(e10, layer, k)),
            "{r:?}"
        );
        assert!((v(6) - (v(5) - v(4))).abs() < 1e-9, "{r:?}");
        assert!(v(7) <= v(8), "{r:?}");
        assert_eq!(r[9], "true");
    }
    let moves = rows(&out.join("delta_channels.csv"));
    let channels: usize = (0..3)
        .map(|l| models[e0]["layers"][l]["channels"].as_u64().unwrap() as usize)
        .sum();
    assert_eq!(moves.len(), channels);
    for m in &moves {
        assert_eq!(m[12] == "true", m[8] != m[9], "{m:?}");
    }
    for f in [
        "delta.svg",
        "delta.png",
        "arrows_cnn3d-motion_10_stage3.png",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }

    // tiny3d has none of the 3-D CNN's layers: refused, naming both.
    let o = compare(&results, &d.path().join("x"), &a, &["tiny3d"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("have no layer in common"), "{}", text(&o));

    // A report without its statistics: exit 1 with the reason.
    let bare = d.path().join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    std::fs::copy(results.join("report.json"), bare.join("report.json")).unwrap();
    let o = compare(&bare, &d.path().join("y"), &a, &[&b]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("has no stats.bin"), "{}", text(&o));
}
