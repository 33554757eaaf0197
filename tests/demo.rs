//! The embedded demo as ground truth, through the real pipeline (tch, real
//! decoding of generated clip arrays, real pairs): models with different
//! inputs in one job, the frame-order-invariant C2D demo model, and the
//! motion- vs appearance-trained 3-D CNNs.

use crate::util::{repo, text};
use std::path::Path;
use std::process::{Command, Output};

fn stadyn(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stadyn"))
        .args(args)
        .env("STADYN_CACHE_DIR", cache)
        .output()
        .unwrap()
}

fn report(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A small scenes probe set written by `stadyn demo-data`.
fn scenes(dir: &Path, n: usize) -> std::path::PathBuf {
    let p = dir.join("scenes");
    let o = stadyn(
        dir,
        &[
            "demo-data",
            "--task",
            "scenes",
            "--n",
            &n.to_string(),
            "--seed",
            "3",
            "--out",
            s(&p),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    p
}

fn scores(r: &serde_json::Value, model: usize) -> Vec<(String, f64, f64)> {
    r["models"][model]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap().to_string(),
                l["scores"][0].as_f64().unwrap(),
                l["scores"][1].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn models_with_different_inputs_share_the_pairs() {
    let d = tempfile::tempdir().unwrap();
    let probe = scenes(d.path(), 8);
    let tiny = repo("tests/fixtures/models/tiny3d.pt");
    // the same network at another input: 6 frames of 24×24
    let fixed = d.path().join("tiny24.pt");
    std::fs::copy(&tiny, &fixed).unwrap();
    std::fs::write(
        d.path().join("tiny24.json"),
        r#"{"frames": 6, "window": 8, "short_side": 24, "crop": [24, 24]}"#,
    )
    .unwrap();
    let run = |models: &[&Path], out: &str| {
        let out = d.path().join(out);
        let mut args = vec![
            "analyze",
            "--videos",
            s(&probe),
            "--pairs",
            "20",
            "--bootstrap",
            "0",
        ];
        for m in models {
            args.extend(["--model", s(m)]);
        }
        args.extend([
            "--batch",
            "4",
            "--no-cache",
            "--device",
            "cpu",
            "--quiet",
            "--out",
        ]);
        let outs = out.display().to_string();
        args.push(&outs);
        let o = stadyn(d.path(), &args);
        assert!(o.status.success(), "{}", text(&o));
        report(&out)
    };
    let both = run(&[&tiny, &fixed], "both");
    let alone_tiny = run(&[&tiny], "tiny");
    let alone_fixed = run(&[&fixed], "fixed");
    // 4×16² and 6×24² inputs in one job give exactly what each model
    // gives alone: the same pairs, built at each model's input.
    for (got, want) in [
        (scores(&both, 0), scores(&alone_tiny, 0)),
        (scores(&both, 1), scores(&alone_fixed, 0)),
    ] {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.0, w.0);
            assert!(
                (g.1 - w.1).abs() <= 1e-9 * w.1.abs().max(1e-12),
                "{g:?} vs {w:?}"
            );
            assert!(
                (g.2 - w.2).abs() <= 1e-9 * w.2.abs().max(1e-12),
                "{g:?} vs {w:?}"
            );
        }
    }
    assert_ne!(scores(&both, 0), scores(&both, 1));
}
