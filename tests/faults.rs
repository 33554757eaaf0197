//! Fault paths of `stadyn analyze` and `stadyn merge`, end to end: each
//! gives exactly what a clean run gives, or refuses with a clear message
//! and a non-zero exit — never a wrong number with exit 0. A batch that
//! fails for one model counts for none, damaged statistics are refused or
//! recomputed, a run that measured nothing fails, absurd settings are usage
//! errors, and a signal leaves a partial report and a resumable run.

use crate::util::{
    analyze, analyze_with, assert_same_results, fixture_model as model, probe, report, s, stadyn,
    stderr, text, tiny_args,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Asserts that a command failed with `code` and said `needle`.
fn refused(o: &Output, code: i32, needle: &str) {
    assert_eq!(o.status.code(), Some(code), "{}", text(o));
    assert!(
        stderr(o).contains(needle),
        "expected '{needle}': {}",
        text(o)
    );
}

/// Every file named `name` under `dir`.
fn find(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == name) {
                out.push(p);
            }
        }
    }
    out
}

/// Flips two bytes in the middle of a file.
fn damage(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    bytes[mid + 7] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

/// A checkpoint folder: epoch 1 a working model, epoch 2 one that fails on
/// a batch of exactly 4 pairs (8 clips).
fn failing_checkpoints(dir: &Path) -> PathBuf {
    let ckpt = dir.join("ckpt");
    std::fs::create_dir_all(&ckpt).unwrap();
    for (file, fixture, epoch) in [
        ("epoch_1.pt", "c2d", 1),
        ("epoch_2.pt", "fails_on_batch8", 2),
    ] {
        std::fs::copy(model(fixture), ckpt.join(file)).unwrap();
        let manifest = format!(
            r#"{{"frames": 4, "window": 8, "short_side": 16, "crop": [16, 16], "epoch": {epoch}}}"#
        );
        std::fs::write(ckpt.join(file).with_extension("json"), manifest).unwrap();
    }
    ckpt
}

#[test]
fn a_failed_batch_counts_for_no_model_and_a_rerun_equals_a_clean_run() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let ckpt = failing_checkpoints(d.path());
    let run = |out: &Path, batch: &str, extra: &[&str]| {
        let mut args = vec![
            "--checkpoints",
            s(&ckpt),
            "--videos",
            s(&probe),
            "--pairs",
            "24",
            "--bootstrap",
            "10",
            "--save-every",
            "5",
            "--device",
            "cpu",
            "--batch",
            batch,
            "--out",
            s(out),
        ];
        args.extend(extra);
        analyze(d.path(), &args)
    };
    // Batches of 5: four pass, the last (4 pairs, 8 clips) fails in the
    // second checkpoint after the first one has run it.
    let o = run(&d.path().join("failed"), "5", &[]);
    refused(&o, 1, "simulated failure");
    // The natural reaction: another batch size. It resumes where the saved
    // statistics stop, and must not feed the failed batch twice.
    let resumed = d.path().join("resumed");
    let o = run(&resumed, "3", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(stderr(&o).contains("resumed from pair 20"), "{}", text(&o));
    let clean = d.path().join("clean");
    let o = run(&clean, "3", &["--no-cache"]);
    assert!(o.status.success(), "{}", text(&o));
    let (r, c) = (report(&resumed), report(&clean));
    for m in r["models"].as_array().unwrap() {
        for l in m["layers"].as_array().unwrap() {
            let p = &l["pairs"];
            assert_eq!(
                p["dynamic"].as_u64().unwrap() + p["static"].as_u64().unwrap(),
                24
            );
        }
    }
    assert_same_results(&r, &c, 1e-12);
}

#[test]
fn a_run_that_measures_nothing_fails_and_is_not_reused() {
    let d = tempfile::tempdir().unwrap();
    // No readable video at all.
    let bad = d.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("a.mp4"), b"not a video").unwrap();
    std::fs::write(bad.join("b.mp4"), b"nor this").unwrap();
    let out = d.path().join("out");
    let o = analyze_with(d.path(), &tiny_args(&bad, &out, 20, &[]));
    refused(&o, 1, "can be read");
    assert!(!out.join("report.json").exists());

    // Too few pairs for any layer: an error, twice (never "reused" as complete).
    let probe = probe(d.path());
    for _ in 0..2 {
        let o = analyze_with(d.path(), &tiny_args(&probe, &out, 2, &[]));
        refused(&o, 1, "no layer of tiny3d could be estimated");
        assert!(!stderr(&o).contains("reused"), "{}", text(&o));
        assert!(!out.join("report.json").exists());
    }
}

#[test]
fn damaged_statistics_are_recomputed_in_the_cache_and_refused_by_merge() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let cache = d.path().join("cache");
    let tiny = model("tiny3d");
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "--model",
            &tiny,
            "--videos",
            s(&probe),
            "--pairs",
            "24",
            "--bootstrap",
            "10",
            "--device",
            "cpu",
            "--out",
            s(out),
        ];
        args.extend(extra);
        crate::util::stadyn_with_cache(&cache, &[&["analyze"], &args[..]].concat())
    };
    let first = d.path().join("first");
    assert!(run(&first, &[]).status.success());
    let cached = find(&cache, "stats.bin");
    assert_eq!(cached.len(), 1);
    damage(&cached[0]);
    let again = d.path().join("again");
    let o = run(&again, &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        stderr(&o).contains("damaged") && stderr(&o).contains("discarded"),
        "{}",
        text(&o)
    );
    assert!(!stderr(&o).contains("reused"), "{}", text(&o));
    assert_same_results(&report(&first), &report(&again), 1e-12);

    // A damaged shard is refused by merge, naming it.
    let shards: Vec<PathBuf> = (0..2).map(|i| d.path().join(format!("shard{i}"))).collect();
    for (i, dir) in shards.iter().enumerate() {
        let shard = format!("{i}/2");
        assert!(run(dir, &["--shard", &shard]).status.success());
    }
    damage(&shards[1].join("stats.bin"));
    let merged = d.path().join("merged");
    let o = stadyn(&["merge", s(&shards[0]), s(&shards[1]), "--out", s(&merged)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let e = stderr(&o);
    assert!(
        e.contains("damaged") && e.contains("shard1"),
        "{}",
        text(&o)
    );
    assert!(!merged.join("report.json").exists());
}

#[test]
fn merge_refuses_to_overwrite_an_input_and_says_what_is_missing() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let shards: Vec<PathBuf> = (0..3).map(|i| d.path().join(format!("s{i}"))).collect();
    for (i, dir) in shards.iter().enumerate() {
        let shard = format!("{i}/3");
        let o = analyze_with(d.path(), &tiny_args(&probe, dir, 90, &["--shard", &shard]));
        assert!(o.status.success(), "{}", text(&o));
    }
    let before = std::fs::read(shards[0].join("stats.bin")).unwrap();
    let o = stadyn(&[
        "merge",
        s(&shards[0]),
        s(&shards[1]),
        s(&shards[2]),
        "--out",
        s(&shards[0]),
    ]);
    refused(&o, 1, "is one of the inputs");
    assert_eq!(std::fs::read(shards[0].join("stats.bin")).unwrap(), before);

    let o = stadyn(&[
        "merge",
        s(&shards[0]),
        s(&shards[1]),
        "--out",
        s(&d.path().join("m")),
    ]);
    refused(&o, 1, "cover 60 of 90 pairs (missing shards: 2/3)");
    // With --allow-partial: a report flagged partial.
    let partial = d.path().join("partial");
    let o = stadyn(&[
        "merge",
        s(&shards[0]),
        s(&shards[1]),
        "--out",
        s(&partial),
        "--allow-partial",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let r = report(&partial);
    assert_eq!(r["partial"]["pairs_done"], 60);
    assert_eq!(r["partial"]["pairs_planned"], 90);
}

#[test]
fn a_cached_result_says_its_warnings_again() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    std::fs::write(probe.join("broken.mp4"), b"not a video").unwrap();
    for round in 0..2 {
        let out = d.path().join(format!("out{round}"));
        let o = analyze_with(d.path(), &tiny_args(&probe, &out, 16, &[]));
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            stderr(&o).contains("broken.mp4: left out before planning"),
            "{}",
            text(&o)
        );
        if round == 1 {
            assert!(stderr(&o).contains("reused cached results"), "{}", text(&o));
        }
    }
}

#[test]
fn absurd_settings_are_refused_with_the_accepted_range() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let tiny = model("tiny3d");
    let base = ["--model", &tiny, "--videos", s(&probe), "--out", "unused"];
    for (flag, value, needle) in [
        ("--threads", "0", "accepted: 1 to 4096"),
        ("--bootstrap", "100000000000", "accepted: 0 to 10000"),
        ("--pairs", "100000000000000", "accepted: 1 to 100000000"),
        ("--pairs", "0", "accepted: 1 to"),
        ("--threshold", "NaN", "between 0 and 1"),
        ("--threshold", "2", "between 0 and 1"),
        ("--window", "0", "accepted: 1 to"),
        ("--frames", "1", "accepted: 2 to"),
        ("--batch", "0", "accepted: 1 to"),
    ] {
        let mut args = base.to_vec();
        args.extend([flag, value]);
        let o = analyze(d.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {}", text(&o));
        assert!(stderr(&o).contains(needle), "{flag} {value}: {}", text(&o));
    }
    // The same settings in a project file are errors naming the range.
    let project = d.path().join("p.stadyn.toml");
    std::fs::write(
        &project,
        format!(
            "[probe]\nvideos = {:?}\n[run]\nthreads = 0\n[[model]]\npath = {:?}\n",
            s(&probe),
            tiny
        ),
    )
    .unwrap();
    let o = analyze(d.path(), &[s(&project), "--out", s(&d.path().join("o"))]);
    refused(&o, 1, "threads must be between 1 and 4096, got 0");
}

#[test]
fn two_models_with_one_name_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let other = d.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(model("c2d"), other.join("tiny3d.pt")).unwrap();
    let o = analyze(
        d.path(),
        &[
            "--model",
            &model("tiny3d"),
            "--model",
            s(&other.join("tiny3d.pt")),
            "--videos",
            s(&probe),
            "--out",
            s(&d.path().join("o")),
        ],
    );
    refused(&o, 1, "two models are named 'tiny3d'");
}

#[test]
fn an_output_inside_the_probe_folder_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let o = analyze(
        d.path(),
        &[
            "--model",
            &model("tiny3d"),
            "--videos",
            s(&probe),
            "--out",
            s(&probe.join("results")),
        ],
    );
    refused(&o, 1, "inside the probe folder");
    assert!(!probe.join("results").exists());
}

#[test]
fn a_link_to_a_parent_folder_does_not_hang() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    std::os::unix::fs::symlink("..", probe.join("loop")).unwrap();
    std::os::unix::fs::symlink(".", probe.join("self")).unwrap();
    let out = d.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stadyn"))
        .arg("analyze")
        .args(tiny_args(&probe, &out, 12, &[]))
        .env("STADYN_CACHE_DIR", d.path().join("cache"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed().as_secs() > 120 {
            let _ = child.kill();
            panic!("analyze did not finish: a link loop?");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(status.success());
    assert!(out.join("report.json").is_file());
}

#[test]
fn degenerate_inputs_are_warned_about_by_name() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    let ffmpeg = |args: &[&str]| {
        let o = Command::new("ffmpeg")
            .args(["-loglevel", "error", "-y"])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
    };
    // Smaller than the model's 16-pixel input, and a video with rotation metadata.
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=12x10:rate=10",
            "-frames:v",
            "12",
        ]
        .iter()
        .copied()
        .chain([s(&probe.join("tiny.mp4"))])
        .collect::<Vec<_>>(),
    );
    let plain = d.path().join("plain.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=80x64:rate=10",
        "-frames:v",
        "12",
        s(&plain),
    ]);
    ffmpeg(&[
        "-i",
        s(&plain),
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=90",
        s(&probe.join("turned.mp4")),
    ]);
    let extra = ["--frames", "4", "--window", "2", "--no-cache"];
    let o = analyze_with(
        d.path(),
        &tiny_args(&probe, &d.path().join("o"), 16, &extra),
    );
    assert!(o.status.success(), "{}", text(&o));
    let e = stderr(&o);
    assert!(
        e.contains("tiny.mp4: 12×10 is smaller than the model's input"),
        "{e}"
    );
    assert!(e.contains("turned.mp4: has rotation metadata"), "{e}");
    assert!(
        e.contains("window W = 2 is shorter than frames T = 4"),
        "{e}"
    );
}

#[test]
fn a_cache_that_cannot_be_written_is_said_once_and_the_run_goes_on() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    // A file where the cache folder should be: nothing can be written there
    // (root ignores permissions, so a read-only folder would not do).
    let cache = d.path().join("cache-is-a-file");
    std::fs::write(&cache, b"x").unwrap();
    let out = d.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_stadyn"))
        .arg("analyze")
        .args(tiny_args(&probe, &out, 16, &[]))
        .env("STADYN_CACHE_DIR", &cache)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        stderr(&o).matches("--no-cache silences this").count(),
        1,
        "{}",
        text(&o)
    );
    assert!(out.join("report.json").is_file());
}
