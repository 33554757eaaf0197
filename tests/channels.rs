//! `stadyn channels` end to end on known answers: the `inspect` fixture
//! model (channel 0 of "stage" is the red plane passed through) over a
//! committed pre-stylized PNG probe set, so no built-in style enters.

use crate::util::{analyze, python, repo, s, stadyn, stadyn_with_cache, text};
use std::path::{Path, PathBuf};

/// Copies the stylized fixture and the model into `dir` (so the tests can
/// change them) and returns (probe, model).
fn copies(dir: &Path) -> (PathBuf, PathBuf) {
    let probe = dir.join("stylized");
    for style in std::fs::read_dir(repo("tests/fixtures/stylized")).unwrap() {
        let style = style.unwrap().path();
        for video in std::fs::read_dir(&style).unwrap() {
            let video = video.unwrap().path();
            let to = probe
                .join(style.file_name().unwrap())
                .join(video.file_name().unwrap());
            std::fs::create_dir_all(&to).unwrap();
            for f in std::fs::read_dir(&video).unwrap() {
                let f = f.unwrap().path();
                std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
            }
        }
    }
    let model = dir.join("inspect.pt");
    for ext in ["pt", "json"] {
        let from = repo(&format!("tests/fixtures/models/inspect.{ext}"));
        std::fs::copy(from, dir.join(format!("inspect.{ext}"))).unwrap();
    }
    (probe, model)
}

fn run_analyze(cache: &Path, probe: &Path, model: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "--videos",
        s(probe),
        "--model",
        s(model),
        "--pairs",
        "60",
        "--bootstrap",
        "50",
        "--top-k",
        "8",
        "--device",
        "cpu",
        "--out",
        s(out),
    ];
    args.extend(extra);
    let o = analyze(cache, &args);
    assert!(o.status.success(), "{}", text(&o));
}

fn channels(results: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "channels",
        s(results),
        "--model",
        "inspect",
        "--layer",
        "stage",
        "--out",
        s(out),
    ];
    args.extend(extra);
    stadyn(&args)
}

#[test]
fn top_windows_maps_and_intervals_match_known_answers() {
    let d = tempfile::tempdir().unwrap();
    let (probe, model) = copies(d.path());
    let results = d.path().join("results");
    run_analyze(&d.path().join("cache"), &probe, &model, &results, &[]);
    let out = d.path().join("channels");
    let o = channels(&results, &out, &["--channel", "0,1"]);
    assert!(o.status.success(), "{}", text(&o));
    let c0 = out.join("stage_c0");
    let top = std::fs::read_to_string(c0.join("top.csv")).unwrap();
    assert_eq!(top.lines().count(), 1 + 16, "{top}");
    assert!(top.starts_with("rank,end,pair,member,video,window_start,value,frame\n"));
    for f in [
        "high_1.png",
        "high_8.gif",
        "low_8_map.npy",
        "pairs.csv",
        "pairs.png",
    ] {
        assert!(c0.join(f).is_file(), "{f}");
    }
    // ρ_S of the red plane's mean is 1 (a shuffle keeps the mean), with its interval.
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(c0.join("channel.json")).unwrap()).unwrap();
    assert!(
        (meta["rho_static"].as_f64().unwrap() - 1.0).abs() < 1e-9,
        "{meta}"
    );
    let ci = meta["rho_static_ci95"].as_array().unwrap();
    assert!((ci[0].as_f64().unwrap() - 1.0).abs() < 1e-9, "{meta}");
    assert_eq!(meta["category"], "static");
    assert_eq!(meta["stability"], 1.0);
    // The selection file beside the folders carries the same numbers.
    let sel: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("stage_channels.json")).unwrap())
            .unwrap();
    assert_eq!(sel["schema"], "stadyn.channels/1");
    assert_eq!(
        (&sel["model"], &sel["layer"]),
        (&meta["model"], &meta["layer"])
    );
    let listed: Vec<u64> = sel["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["channel"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, [0, 1]);
    for k in ["rho_static", "rho_static_ci95", "category", "stability"] {
        assert_eq!(sel["channels"][0][k], meta[k], "{k}");
    }
    // The drop-in StaticDropout reads that very file and trains with it.
    static_dropout_reads(&out.join("stage_channels.json"));
    // The sampled pairs: every static pair's members have equal values.
    let pairs = std::fs::read_to_string(c0.join("pairs.csv")).unwrap();
    for line in pairs.lines().skip(1).filter(|l| l.starts_with("static")) {
        let v: Vec<&str> = line.split(',').collect();
        let (a, b): (f32, f32) = (v[2].parse().unwrap(), v[3].parse().unwrap());
        assert!((a - b).abs() < 1e-6, "{line}");
    }
    // Brute force in NumPy from the plan `stadyn pairs --list` writes.
    let plan = d.path().join("plan.csv");
    let o = stadyn(&[
        "pairs",
        s(&probe),
        "--model",
        s(&model),
        "--pairs",
        "60",
        "--list",
        s(&plan),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let with_pillow = python().filter(|py| {
        let ok = std::process::Command::new(py)
            .args(["-c", "import PIL"])
            .output()
            .is_ok_and(|o| o.status.success());
        // `make test` sets STADYN_PYTHON to the set-up's environment, which has Pillow.
        assert!(
            ok || std::env::var_os("STADYN_PYTHON").is_none(),
            "no Pillow in STADYN_PYTHON"
        );
        ok
    });
    if let Some(py) = with_pillow {
        let o = std::process::Command::new(py)
            .arg(repo("tools/check_top_windows.py"))
            .args([&plan, &probe, &c0])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("ok: 16 top windows"));
    }
    // A category picks its channels; an unknown layer or model is said.
    let o = channels(&results, &d.path().join("cat"), &["--category", "static"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(d.path().join("cat/stage_c0/top.csv").is_file());
    let o = stadyn(&[
        "channels",
        s(&results),
        "--model",
        "nope",
        "--layer",
        "stage",
        "--channel",
        "0",
        "--out",
        s(&out),
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("no model 'nope'"), "{}", text(&o));
}

#[test]
fn changed_files_and_bare_reports_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let (probe, model) = copies(d.path());
    let results = d.path().join("results");
    run_analyze(&d.path().join("cache"), &probe, &model, &results, &[]);
    let out = d.path().join("channels");
    // A probe frame rewritten: named, exit 1, nothing written for it.
    let frame = probe.join("style_1/video0/003.png");
    let bytes = std::fs::read(&frame).unwrap();
    std::fs::write(&frame, [&bytes[..], b"\0"].concat()).unwrap();
    let o = channels(&results, &out, &["--channel", "0"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("003.png"), "{}", text(&o));
    std::fs::write(&frame, &bytes).unwrap();
    // The model file replaced.
    std::fs::copy(repo("tests/fixtures/models/tiny3d.pt"), &model).unwrap();
    let o = channels(&results, &out, &["--channel", "0"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("inspect.pt (its SHA-256 differs)"),
        "{}",
        text(&o)
    );
    // A report without its statistics.
    std::fs::remove_file(results.join("stats.bin")).unwrap();
    let o = channels(&results, &out, &["--channel", "0"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("no stats.bin"), "{}", text(&o));
}

#[test]
fn shards_merge_into_the_same_channel_evidence() {
    let d = tempfile::tempdir().unwrap();
    let (probe, model) = copies(d.path());
    let cache = d.path().join("cache");
    let single = d.path().join("single");
    run_analyze(&cache, &probe, &model, &single, &[]);
    let mut parts = Vec::new();
    for i in 0..3 {
        let part = d.path().join(format!("part{i}"));
        run_analyze(
            &cache,
            &probe,
            &model,
            &part,
            &["--shard", &format!("{i}/3")],
        );
        parts.push(part);
    }
    let merged = d.path().join("merged");
    let mut args = vec!["merge", "--out", s(&merged)];
    args.extend(parts.iter().map(|p| s(p)));
    let o = stadyn_with_cache(&cache, &args);
    assert!(o.status.success(), "{}", text(&o));
    let read = |dir: &Path, c: usize, f: &str| {
        let out = d
            .path()
            .join(format!("ch-{}", dir.file_name().unwrap().to_string_lossy()));
        let o = channels(dir, &out, &["--channel", &c.to_string()]);
        assert!(o.status.success(), "{}", text(&o));
        std::fs::read_to_string(out.join(format!("stage_c{c}")).join(f)).unwrap()
    };
    for c in [0, 1] {
        assert_eq!(read(&single, c, "top.csv"), read(&merged, c, "top.csv"));
        assert_eq!(read(&single, c, "pairs.csv"), read(&merged, c, "pairs.csv"));
        let meta = |dir: &Path| -> serde_json::Value {
            serde_json::from_str(&read(dir, c, "channel.json")).unwrap()
        };
        let (a, b) = (meta(&single), meta(&merged));
        assert_eq!(a["stability"], b["stability"]);
        for key in ["rho_dynamic_ci95", "rho_static_ci95"] {
            for k in 0..2 {
                let (x, y) = (a[key][k].as_f64().unwrap(), b[key][k].as_f64().unwrap());
                assert!(
                    (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                    "{key}: {x} vs {y}"
                );
            }
        }
    }
}

/// `tools/static_dropout.py --self-test --json FILE` passes on `file` (with
/// the project's Python, when it has torch; `make test` sets it).
fn static_dropout_reads(file: &Path) {
    let Some(py) = python() else { return };
    let has_torch = std::process::Command::new(&py)
        .args(["-c", "import torch"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_torch {
        eprintln!(
            "note: no torch in {}; skipping the StaticDropout check",
            py.display()
        );
        return;
    }
    let o = std::process::Command::new(&py)
        .arg(repo("tools/static_dropout.py"))
        .args(["--self-test", "--json"])
        .arg(file)
        .output()
        .unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("static_dropout self-test: PASS"), "{out}");
    assert!(out.contains("attached to a 'stage'"), "{out}");
}
