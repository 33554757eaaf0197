//! The short fuzz run: every parser of a file users hand us, a few thousand
//! seeded mutants each (reproducible), must refuse or accept without a panic.
//! The long run is `make fuzz` (see BENCHMARKS.md).

use std::time::Duration;

use stadyn::fuzz::{Budget, Config, Target, run};

fn short_run(target: Target, execs: u64) {
    let dir = tempfile::tempdir().unwrap();
    let summary = run(&Config {
        target,
        seed: 1,
        budget: Budget::Execs(execs),
        scratch: dir.path().join("scratch"),
        findings_dir: None,
        slow: Duration::from_secs(60),
    })
    .unwrap();
    println!("{}", summary.line());
    for f in &summary.findings {
        let head: Vec<u8> = f.input.iter().copied().take(400).collect();
        println!(
            "{:?}: {}\ninput ({} bytes, first 400): {:?}",
            f.kind,
            f.message,
            f.input.len(),
            String::from_utf8_lossy(&head)
        );
    }
    assert!(summary.clean(), "{}", summary.line());
    // The fuzzer reached past the first check: some mutants were accepted and
    // several kinds of refusal were met.
    assert!(summary.accepted > 0, "{}", summary.line());
    assert!(summary.refusal_kinds >= 3, "{}", summary.line());
}

#[test]
fn fuzz_npz() {
    short_run(Target::Npz, 10_000);
}

#[test]
fn fuzz_npy() {
    short_run(Target::Npy, 10_000);
}

#[test]
fn fuzz_manifest() {
    short_run(Target::Manifest, 10_000);
}

#[test]
fn fuzz_project() {
    short_run(Target::Project, 10_000);
}

#[test]
fn fuzz_report() {
    short_run(Target::Report, 10_000);
}

#[test]
fn fuzz_stats_file() {
    short_run(Target::StatsFile, 10_000);
}

#[test]
fn fuzz_stats_payload() {
    short_run(Target::StatsPayload, 10_000);
}
