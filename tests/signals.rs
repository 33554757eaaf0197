//! A run stopped by a signal, and a manifest edited after a run, end to
//! end: a partial report and a run that resumes to the clean result; an
//! edited manifest is another job, never a cache hit.

use crate::util::{
    analyze, assert_same_results, fixture_model as model, probe, report, s, stderr, text,
};
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Starts analyze on a job that takes a while, waits for its first progress
/// line, sends `signal`, and returns its output.
fn interrupted(d: &Path, probe: &Path, out: &Path, signal: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stadyn"))
        .args(["analyze", "--model", &model("tiny3d"), "--videos", s(probe)])
        .args([
            "--pairs",
            "400",
            "--bootstrap",
            "10",
            "--batch",
            "1",
            "--save-every",
            "2",
        ])
        .args(["--device", "cpu", "--threads", "1", "--out", s(out)])
        // the cache `analyze` uses, so the next run resumes
        .env("STADYN_CACHE_DIR", d)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 {
        seen.push_str(&line);
        if line.contains("pairs (") && !line.starts_with("  0/") {
            break;
        }
        line.clear();
    }
    let kill = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    let mut o = child.wait_with_output().unwrap();
    o.stderr = format!("{seen}{rest}").into_bytes();
    o
}

#[test]
fn a_signal_leaves_a_partial_report_and_a_run_that_resumes() {
    let d = tempfile::tempdir().unwrap();
    let probe = probe(d.path());
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let out = d.path().join(format!("out{code}"));
        let o = interrupted(d.path(), &probe, &out, signal);
        assert_eq!(o.status.code(), Some(code), "{}", text(&o));
        assert!(
            stderr(&o).contains("run the same command again to resume"),
            "{}",
            text(&o)
        );
        let r = report(&out);
        let done = r["partial"]["pairs_done"].as_u64().unwrap();
        assert!(done > 0 && done < 400, "{r}");
        assert_eq!(r["partial"]["pairs_planned"], 400);
        assert!(out.join("stats.bin").is_file());
    }
    // Resumed, the result is the clean run's.
    let resumed = d.path().join("resumed");
    let args = |out: &Path, extra: &str| {
        let mut a = vec![
            "--model".to_string(),
            model("tiny3d"),
            "--videos".into(),
            s(&probe).into(),
            "--pairs".into(),
            "400".into(),
            "--bootstrap".into(),
            "10".into(),
            "--device".into(),
            "cpu".into(),
            "--out".into(),
            s(out).into(),
        ];
        if !extra.is_empty() {
            a.push(extra.into());
        }
        a
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        analyze(d.path(), &a)
    };
    let o = run(args(&resumed, ""));
    assert!(o.status.success(), "{}", text(&o));
    assert!(stderr(&o).contains("resumed from pair"), "{}", text(&o));
    let clean = d.path().join("clean");
    let o = run(args(&clean, "--no-cache"));
    assert!(o.status.success(), "{}", text(&o));
    let r = report(&resumed);
    assert!(r["partial"].is_null());
    assert_same_results(&r, &report(&clean), 1e-12);
}

/// A model's manifest says how its input is made (frames, window, sizes,
/// normalisation): results cached for one manifest must not be reused
/// after it changed, or the numbers shown would be of another input.
#[test]
fn an_edited_manifest_is_not_a_cache_hit() {
    let d = tempfile::tempdir().unwrap();
    let videos = crate::util::probe(d.path());
    let model = d.path().join("tiny3d.pt");
    std::fs::copy(crate::util::repo("tests/fixtures/models/tiny3d.pt"), &model).unwrap();
    let manifest = d.path().join("tiny3d.json");
    let write = |mean: f64| {
        let m = serde_json::json!({
            "frames": 4, "window": 8, "short_side": 16, "crop": [16, 16],
            "mean": [mean, mean, mean], "std": [0.25, 0.25, 0.25]
        });
        std::fs::write(&manifest, m.to_string()).unwrap();
    };
    let cache = d.path().join("cache");
    let run = |out: &str| {
        let out = d.path().join(out);
        let o = crate::util::analyze(
            &cache,
            &[
                "--videos",
                crate::util::s(&videos),
                "--model",
                crate::util::s(&model),
                "--pairs",
                "12",
                "--bootstrap",
                "0",
                "--device",
                "cpu",
                "--out",
                crate::util::s(&out),
            ],
        );
        assert!(o.status.success(), "{}", crate::util::text(&o));
        (String::from_utf8_lossy(&o.stderr).into_owned(), out)
    };
    write(0.5);
    let (_, first) = run("first");
    write(0.1);
    let (err, second) = run("second");
    assert!(!err.contains("reused cached results"), "{err}");
    let total = |dir: &std::path::Path| {
        crate::util::report(dir)["models"][0]["layers"][0]["total_variance"]
            .as_f64()
            .unwrap()
    };
    assert_ne!(
        total(&first),
        total(&second),
        "the numbers are of the new input"
    );
    // The same manifest again is a cache hit.
    let (err, _) = run("third");
    assert!(err.contains("reused cached results"), "{err}");
}
