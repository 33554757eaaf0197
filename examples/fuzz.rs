//! The long fuzz run: `make fuzz` (or `cargo run --example fuzz -- --help`).
//! Runs each target for a while, prints one line per target, saves the
//! inputs of findings, and exits 1 when there are any. The short run is
//! part of `cargo test` (`tests/fuzz.rs`).

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use stadyn::fuzz::{self, Budget, Config, Target};

/// Fuzz stadyn's file parsers (mutation-based, not coverage-guided).
#[derive(Parser)]
struct Args {
    /// Targets (npz, npy, manifest, project, report, stats_file,
    /// stats_payload); none: all.
    targets: Vec<String>,
    /// Seconds per target.
    #[arg(long, default_value_t = 600)]
    seconds: u64,
    /// Seed of the mutations.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Targets run at once.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Where inputs of findings are saved.
    #[arg(long, default_value = "target/fuzz-findings")]
    findings: PathBuf,
    /// Where each target writes the input it is running (after a crash or
    /// a hang, the input is there).
    #[arg(long, default_value = "target/fuzz-scratch")]
    scratch: PathBuf,
    /// An execution slower than this many milliseconds is a finding.
    #[arg(long, default_value_t = 5000)]
    slow_ms: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let targets: Vec<Target> = if args.targets.is_empty() {
        Target::ALL.to_vec()
    } else {
        args.targets
            .iter()
            .map(|n| Target::from_name(n).ok_or_else(|| anyhow::anyhow!("no fuzz target '{n}'")))
            .collect::<anyhow::Result<_>>()?
    };
    println!(
        "fuzzing {} target(s), {} s each, {} at once, seed {}; running inputs are in {}/<target>",
        targets.len(),
        args.seconds,
        args.jobs,
        args.seed,
        args.scratch.display()
    );
    let queue = std::sync::Mutex::new(targets.into_iter());
    let mut findings = 0;
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..args.jobs.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut summaries = Vec::new();
                    loop {
                        let next = queue.lock().map(|mut q| q.next()).ok().flatten();
                        let Some(target) = next else { break };
                        let config = Config {
                            target,
                            seed: args.seed,
                            budget: Budget::Time(Duration::from_secs(args.seconds)),
                            scratch: args.scratch.join(target.name()),
                            findings_dir: Some(args.findings.clone()),
                            slow: Duration::from_millis(args.slow_ms),
                        };
                        let summary = fuzz::run(&config);
                        match &summary {
                            Ok(s) => {
                                println!("{}", s.line());
                                for f in &s.findings {
                                    println!(
                                        "  {:?}: {} (input: {:?})",
                                        f.kind, f.message, f.saved
                                    );
                                }
                            }
                            Err(e) => println!("{}: cannot run: {e:#}", target.name()),
                        }
                        summaries.push(summary);
                    }
                    summaries
                })
            })
            .collect();
        for w in workers {
            for s in w.join().unwrap_or_default() {
                findings += s.map_or(1, |s| s.findings.len());
            }
        }
    });
    if findings > 0 {
        eprintln!("{findings} finding(s)");
        std::process::exit(1);
    }
    Ok(())
}
