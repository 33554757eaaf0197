//! `stadyn analyze` end to end on real video files (made with ffmpeg) and real
//! TorchScript models: a frame-order-invariant model's ρ_S = 1, shards that
//! merge into the unsharded result, the cache and resume after SIGKILL, and
//! every bad input giving a clear error.

use crate::util::{
    analyze, assert_same_results, fixture_model as model, probe, repo, report, s, text,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[test]
fn frame_order_invariant_model_has_rho_static_one() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let out = d.path().join("out");
    let o = analyze(
        d.path(),
        &[
            "--model",
            &model("c2d"),
            "--videos",
            s(&probe),
            "--out",
            s(&out),
            "--pairs",
            "24",
            "--bootstrap",
            "0",
            "--no-cache",
            "--device",
            "cpu",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let r = report(&out);
    let layers = r["models"][0]["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    for l in layers {
        for rho in l["units"]["rho_static"].as_array().unwrap() {
            if let Some(rho) = rho.as_f64() {
                assert!((rho - 1.0).abs() < 1e-5, "{}: rho_S {rho}", l["name"]);
            }
        }
    }
    assert!(out.join("stats.bin").is_file() && out.join("channels.csv").is_file());
}

#[test]
fn shards_merge_into_the_unsharded_run() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let common = [
        "--model",
        &model("tiny3d"),
        "--videos",
        s(&probe),
        "--pairs",
        "30",
        "--bootstrap",
        "20",
        "--device",
        "cpu",
    ];
    let whole = d.path().join("whole");
    let o = analyze(
        d.path(),
        &[&common[..], &["--out", s(&whole), "--no-cache"]].concat(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let mut shard_dirs = Vec::new();
    for i in 0..3 {
        let dir = d.path().join(format!("shard{i}"));
        let spec = format!("{i}/3");
        let o = analyze(
            d.path(),
            &[&common[..], &["--out", s(&dir), "--shard", &spec]].concat(),
        );
        assert!(o.status.success(), "{}", text(&o));
        shard_dirs.push(dir);
    }
    let merged = d.path().join("merged");
    let o = crate::util::stadyn(&[
        "merge",
        s(&shard_dirs[2]),
        s(&shard_dirs[0]),
        s(&shard_dirs[1]),
        "--out",
        s(&merged),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_same_results(&report(&whole), &report(&merged), 1e-12);
    // A missing shard is refused unless asked for.
    let partial = d.path().join("partial");
    let o = crate::util::stadyn(&[
        "merge",
        s(&shard_dirs[0]),
        s(&shard_dirs[1]),
        "--out",
        s(&partial),
    ]);
    assert!(
        !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("missing shards: 2/3"),
        "{}",
        text(&o)
    );
    // The same shard twice is refused.
    let o = crate::util::stadyn(&[
        "merge",
        s(&shard_dirs[0]),
        s(&shard_dirs[0]),
        "--out",
        s(&partial),
    ]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("given twice"),
        "{}",
        text(&o)
    );
}

#[test]
fn merging_different_jobs_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let run = |seed: &str, shard: &str, out: &Path| {
        let o = analyze(
            d.path(),
            &[
                "--model",
                &model("tiny3d"),
                "--videos",
                s(&probe),
                "--pairs",
                "12",
                "--bootstrap",
                "0",
                "--seed",
                seed,
                "--shard",
                shard,
                "--out",
                s(out),
                "--device",
                "cpu",
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
    };
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    run("1", "0/2", &a);
    run("2", "1/2", &b);
    let o = crate::util::stadyn(&["merge", s(&a), s(&b), "--out", s(&d.path().join("m"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("different jobs"),
        "{}",
        text(&o)
    );
}

#[test]
fn cache_reuses_and_a_killed_run_resumes_to_the_same_report() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let cache = d.path().join("cache");
    let args = |out: &Path| -> Vec<String> {
        [
            "--model",
            &model("tiny3d"),
            "--model",
            &model("c2d"),
            "--videos",
            s(&probe),
            "--pairs",
            "48",
            "--bootstrap",
            "10",
            "--batch",
            "2",
            "--save-every",
            "4",
            "--device",
            "cpu",
            "--out",
            s(out),
        ]
        .iter()
        .map(|a| a.to_string())
        .collect()
    };
    // Kill a run once it has saved statistics.
    let killed = d.path().join("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stadyn"))
        .arg("analyze")
        .args(args(&killed))
        .env("STADYN_CACHE_DIR", &cache)
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stats_saved = || {
        walk(&cache)
            .into_iter()
            .any(|p| p.file_name().is_some_and(|n| n == "stats.bin"))
    };
    let t0 = std::time::Instant::now();
    while !stats_saved() && t0.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    assert!(stats_saved(), "no statistics were saved before the kill");
    let resumed_dir = d.path().join("resumed");
    let o = analyze(
        &cache,
        &args(&resumed_dir)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("resumed from pair") || err.contains("reused"),
        "{err}"
    );
    let fresh = d.path().join("fresh");
    let mut fresh_args = args(&fresh);
    fresh_args.push("--no-cache".into());
    let o = analyze(
        &cache,
        &fresh_args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_same_results(&report(&fresh), &report(&resumed_dir), 1e-12);
    // A finished run is reused at once.
    let again = d.path().join("again");
    let o = analyze(
        &cache,
        &args(&again).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("reused cached results"),
        "{}",
        text(&o)
    );
    assert_same_results(&report(&fresh), &report(&again), 0.0);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// An unreadable video is left out before the pairs are planned: `--pairs N`
/// still measures N pairs (over the readable videos), and the report says
/// which file was left out and why.
#[test]
fn an_unreadable_video_is_left_out_and_the_pairs_are_all_measured() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    std::fs::write(probe.join("broken.mp4"), b"not really a video").unwrap();
    let out = d.path().join("out");
    let o = analyze(
        d.path(),
        &[
            "--model",
            &model("c2d"),
            "--videos",
            s(&probe),
            "--out",
            s(&out),
            "--pairs",
            "21",
            "--bootstrap",
            "0",
            "--no-cache",
            "--device",
            "cpu",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let r = report(&out);
    let warnings = r["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| {
            w["path"].as_str().unwrap().ends_with("broken.mp4")
                && w["reason"]
                    .as_str()
                    .unwrap()
                    .contains("left out before planning")
        }),
        "{warnings:?}"
    );
    let pairs = &r["models"][0]["layers"][0]["pairs"];
    let total = pairs["dynamic"].as_u64().unwrap() + pairs["static"].as_u64().unwrap();
    assert_eq!(
        total, 21,
        "--pairs 21 measures 21 pairs over the readable videos"
    );
    assert!(text(&o).contains("measured 21 of 21 pairs"), "{}", text(&o));
}

fn fails(o: &Output, needle: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", text(o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains("panicked") && err.contains(needle),
        "missing '{needle}': {err}"
    );
}

#[test]
fn bad_inputs_are_clear_errors() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let empty = d.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let base = |videos: &Path| -> Vec<String> {
        [
            "--model",
            &model("c2d"),
            "--videos",
            s(videos),
            "--out",
            s(&out),
            "--pairs",
            "4",
            "--no-cache",
            "--device",
            "cpu",
        ]
        .iter()
        .map(|a| a.to_string())
        .collect()
    };
    let run = |args: Vec<String>| {
        analyze(
            d.path(),
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    fails(&run(base(&empty)), "empty");
    fails(&run(base(&d.path().join("nowhere"))), "does not exist");
    let probe = probe(d.path());
    let mut bad_shard = base(&probe);
    bad_shard.extend(["--shard".into(), "3/2".into()]);
    let o = run(bad_shard);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad shard '3/2'"));
    let mut bad_out = base(&probe);
    let file = d.path().join("file");
    std::fs::write(&file, "x").unwrap();
    bad_out[5] = s(&file).to_string();
    fails(&run(bad_out), "not a folder");
    let mut tensor = base(&probe);
    tensor[1] = model("tensor_out");
    fails(&run(tensor), "single tensor");
    let mut nan = base(&probe);
    nan[1] = model("nan_layer");
    fails(&run(nan), "layer 'broken'");
    let mut not_model = base(&probe);
    not_model[1] = s(&file).to_string();
    fails(&run(not_model), "not a TorchScript file");
}

#[test]
fn checkpoints_are_ordered_by_epoch_and_reported() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let ckpt = d.path().join("ckpt");
    std::fs::create_dir_all(&ckpt).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/fixtures/models/tiny3d.json")).unwrap(),
    )
    .unwrap();
    // Epochs from the manifest (10, 2), from the file name (5: PyTorch
    // Lightning's name, whose step is not the epoch), and from neither.
    for (file, epoch) in [
        ("late.pt", Some(10)),
        ("early.pt", Some(2)),
        ("epoch=5-step=1000.pt", None),
        ("final.pt", None),
    ] {
        std::fs::copy(model("tiny3d"), ckpt.join(file)).unwrap();
        let mut m = manifest.clone();
        if let Some(e) = epoch {
            m["epoch"] = e.into();
        }
        std::fs::write(ckpt.join(file).with_extension("json"), m.to_string()).unwrap();
    }
    let out = d.path().join("out");
    let o = analyze(
        d.path(),
        &[
            "--checkpoints",
            s(&ckpt),
            "--videos",
            s(&probe),
            "--out",
            s(&out),
            "--pairs",
            "16",
            "--bootstrap",
            "0",
            "--no-cache",
            "--device",
            "cpu",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let r = report(&out);
    let models = r["models"].as_array().unwrap();
    let got: Vec<(String, Option<f64>)> = models
        .iter()
        .map(|m| {
            (
                m["checkpoint"].as_str().unwrap().to_string(),
                m["epoch"].as_f64(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("early.pt".into(), Some(2.0)),
            ("epoch=5-step=1000.pt".into(), Some(5.0)),
            ("late.pt".into(), Some(10.0)),
            ("final.pt".into(), None),
        ]
    );
    assert!(
        text(&o).contains("neither a manifest nor the file name states the epoch of 1 checkpoint"),
        "{}",
        text(&o)
    );
    assert!(models.iter().all(|m| m["name"] == "ckpt"));
    // Same weights in every checkpoint: the same numbers.
    assert_eq!(
        models[0]["layers"][0]["scores"],
        models[2]["layers"][0]["scores"]
    );
    assert!(out.join("ckpt_early_conv1_dim_est.csv").is_file());
}

#[test]
fn pairs_command_writes_strips() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let out = d.path().join("strips");
    let o = crate::util::stadyn(&[
        "pairs",
        s(&probe),
        "--out",
        s(&out),
        "--pairs",
        "5",
        "--model",
        &model("tiny3d"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("pair") && n.ends_with(".png"))
    );
    assert!(
        names.iter().any(|n| n.contains("_static_"))
            && names.iter().any(|n| n.contains("_dynamic_")),
        "{names:?}"
    );
    // Three rows of T = 4 frames of 16×16 (plus labels and gaps), enlarged
    // 6 times by default (frames at least 96 pixels tall, for a slide).
    let img = image::open(out.join(&names[0])).unwrap();
    assert!(
        img.width() >= 6 * 4 * 16 && img.height() >= 6 * 3 * 16,
        "{}×{}",
        img.width(),
        img.height()
    );
    let o = crate::util::stadyn(&[
        "pairs",
        s(&probe),
        "--out",
        s(&out),
        "--pairs",
        "1",
        "--scale",
        "1",
        "--model",
        &model("tiny3d"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let small = image::open(out.join(&names[0])).unwrap();
    assert_eq!(
        (small.width() * 6, small.height() * 6),
        (img.width(), img.height())
    );
}

#[test]
fn layer_streams_from_the_manifest_reach_the_report_and_the_tables() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let tagged = d.path().join("tagged.pt");
    std::fs::copy(model("tiny3d"), &tagged).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/fixtures/models/tiny3d.json")).unwrap(),
    )
    .unwrap();
    manifest["streams"] =
        serde_json::json!({"conv1": "appearance", "conv2": "fusion", "conv9": "motion"});
    std::fs::write(d.path().join("tagged.json"), manifest.to_string()).unwrap();
    let out = d.path().join("out");
    let o = analyze(
        &d.path().join("cache"),
        &[
            "--model",
            s(&tagged),
            "--videos",
            s(&probe),
            "--pairs",
            "12",
            "--bootstrap",
            "0",
            "--device",
            "cpu",
            "--out",
            s(&out),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("stream 'motion', but no probed layer"),
        "{}",
        text(&o)
    );
    let r = report(&out);
    let layers = r["models"][0]["layers"].as_array().unwrap();
    let stream = |name: &str| layers.iter().find(|l| l["name"] == name).unwrap()["stream"].clone();
    assert_eq!(stream("conv1"), "appearance");
    assert_eq!(stream("conv2"), "fusion");
    assert!(stream("pooled").is_null(), "untagged layers have none");
    let csv = std::fs::read_to_string(out.join("layers.csv")).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",stream"));
    assert!(
        csv.lines()
            .any(|l| l.starts_with("tagged,") && l.contains(",conv2,") && l.ends_with(",fusion"))
    );
}
