//! A fuzzer for the parsers of files users hand us (activation archives,
//! clip arrays, manifests, projects, reports, statistics files), on stable
//! Rust, offline, with no extra dependency.
//!
//! It is mutation-based, not coverage-guided: it starts from valid files
//! made by our own writers, damages them ([`mutate`]) and runs the parser
//! and what consumes its result ([`Target::exec`]). An input joins the
//! corpus when it is accepted or refused in a way not seen before (the
//! refusal's message with numbers and names blanked), a cheap stand-in
//! for new code reached. A panic is a finding; so is an input slower than
//! the configured limit. `cargo test` runs a short, seeded, reproducible
//! run of every target (`tests/fuzz.rs`); `make fuzz` the long one
//! (`examples/fuzz.rs`, results in BENCHMARKS.md).

pub mod mutate;
pub mod targets;

pub use targets::Target;

use std::cell::RefCell;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

use mutate::Rng;

/// How long a run lasts.
#[derive(Clone, Copy, Debug)]
pub enum Budget {
    /// This many executions (reproducible with the same seed).
    Execs(u64),
    /// Until this much time has passed.
    Time(Duration),
}

/// One run's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// What is fuzzed.
    pub target: Target,
    /// Seed of the mutations.
    pub seed: u64,
    /// How long.
    pub budget: Budget,
    /// A folder for the input files (written once per execution).
    pub scratch: PathBuf,
    /// Where inputs of findings are saved (`None`: kept in memory only).
    pub findings_dir: Option<PathBuf>,
    /// An input slower than this is a finding.
    pub slow: Duration,
}

/// What a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingKind {
    /// The parser or a consumer panicked.
    Panic,
    /// One execution took longer than [`Config::slow`].
    Slow,
}

/// An input that made the code panic or crawl.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Panic or slow.
    pub kind: FindingKind,
    /// The panic's message and place, or the time taken.
    pub message: String,
    /// Where the input was saved, if it was.
    pub saved: Option<PathBuf>,
    /// The input.
    pub input: Vec<u8>,
}

/// What a run did.
#[derive(Clone, Debug)]
pub struct Summary {
    /// What was fuzzed.
    pub target: Target,
    /// Executions.
    pub execs: u64,
    /// Mutants accepted (the seeds, always accepted, not counted).
    pub accepted: u64,
    /// Distinct kinds of refusal seen.
    pub refusal_kinds: usize,
    /// Corpus size at the end.
    pub corpus: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// The slowest execution.
    pub slowest: Duration,
    /// Panics and slow inputs (one per place).
    pub findings: Vec<Finding>,
}

impl Summary {
    /// True when nothing panicked or crawled.
    pub fn clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// One line for a log or BENCHMARKS.md.
    pub fn line(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        format!(
            "{:<14} {:>9} execs in {:>6.0} s ({:>6.0}/s), {:>7} accepted, {:>4} kinds of refusal, corpus {:>3}, slowest {:>6.1} ms, {} finding(s)",
            self.target.name(),
            self.execs,
            secs,
            self.execs as f64 / secs.max(1e-9),
            self.accepted,
            self.refusal_kinds,
            self.corpus,
            self.slowest.as_secs_f64() * 1e3,
            self.findings.len()
        )
    }
}

/// Most corpus entries kept.
const MAX_CORPUS: usize = 512;

/// Runs one target.
pub fn run(config: &Config) -> anyhow::Result<Summary> {
    install_panic_hook();
    std::fs::create_dir_all(&config.scratch)?;
    let target = config.target;
    let mut corpus = target.seeds(&config.scratch)?;
    let words_owned = target.words(&corpus);
    let words: Vec<&str> = words_owned.iter().map(String::as_str).collect();
    let scratch_text = config.scratch.display().to_string();
    let mut rng = Rng::new(config.seed);
    let mut kinds: HashSet<String> = HashSet::new();
    let mut places: HashSet<String> = HashSet::new();
    let mut summary = Summary {
        target,
        execs: 0,
        accepted: 0,
        refusal_kinds: 0,
        corpus: 0,
        elapsed: Duration::ZERO,
        slowest: Duration::ZERO,
        findings: Vec::new(),
    };
    let start = Instant::now();
    // The seeds run first, unmutated: they must be accepted.
    let mut pending: Vec<Vec<u8>> = corpus.clone();
    loop {
        let done = match config.budget {
            Budget::Execs(n) => summary.execs >= n,
            Budget::Time(d) => start.elapsed() >= d,
        };
        if done && pending.is_empty() {
            break;
        }
        let seeded = !pending.is_empty();
        let input = match pending.pop() {
            Some(seed) => seed,
            None => {
                let a = rng.below(corpus.len());
                let b = rng.below(corpus.len());
                target.mutate(&mut rng, &corpus[a], &corpus[b], &words)
            }
        };
        let t0 = Instant::now();
        let outcome = exec_caught(target, &input, &config.scratch);
        let took = t0.elapsed();
        summary.execs += 1;
        summary.slowest = summary.slowest.max(took);
        let mut finding = None;
        match outcome {
            Ok(Ok(())) => {
                if !seeded {
                    summary.accepted += 1;
                    add(&mut corpus, &mut rng, input.clone());
                }
            }
            Ok(Err(message)) => {
                if seeded {
                    anyhow::bail!("{}: a seed is refused: {message}", target.name());
                }
                if kinds.insert(kind(&message, &scratch_text)) {
                    add(&mut corpus, &mut rng, input.clone());
                }
            }
            Err((message, place)) => {
                if places.insert(place) {
                    finding = Some((FindingKind::Panic, message));
                }
            }
        }
        if took > config.slow && finding.is_none() && places.insert("slow".into()) {
            finding = Some((
                FindingKind::Slow,
                format!("one execution took {:.1} s", took.as_secs_f64()),
            ));
        }
        if let Some((kind, message)) = finding {
            let saved = save_finding(config, &input)?;
            summary.findings.push(Finding {
                kind,
                message,
                saved,
                input,
            });
        }
    }
    summary.elapsed = start.elapsed();
    summary.refusal_kinds = kinds.len();
    summary.corpus = corpus.len();
    Ok(summary)
}

fn add(corpus: &mut Vec<Vec<u8>>, rng: &mut Rng, input: Vec<u8>) {
    if corpus.len() < MAX_CORPUS {
        corpus.push(input);
    } else {
        let k = rng.below(corpus.len());
        corpus[k] = input;
    }
}

/// A refusal's kind: its message with the scratch folder, numbers and
/// quoted names blanked.
fn kind(message: &str, scratch: &str) -> String {
    // Only the message's lines, not the excerpts of the input some parsers
    // quote (TOML: "4 | layout = ...").
    let m: Vec<&str> = message.lines().filter(|l| !l.contains('|')).collect();
    let m = m.join("\n").replace(scratch, "");
    let mut out = String::with_capacity(m.len());
    let mut quote: Option<char> = None;
    let mut last_digit = false;
    for c in m.chars() {
        if matches!(c, '\'' | '"' | '`') && quote.is_none_or(|q| q == c) {
            quote = if quote.is_some() { None } else { Some(c) };
            out.push(c);
            continue;
        }
        if quote.is_some() {
            continue;
        }
        let digit = c.is_ascii_digit();
        if !(digit && last_digit) {
            out.push(if digit { '#' } else { c });
        }
        last_digit = digit;
    }
    out
}

fn save_finding(config: &Config, input: &[u8]) -> anyhow::Result<Option<PathBuf>> {
    let Some(dir) = &config.findings_dir else {
        return Ok(None);
    };
    std::fs::create_dir_all(dir)?;
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(input));
    let path = dir.join(format!("{}-{}.bin", config.target.name(), &hash[..16]));
    std::fs::write(&path, input)?;
    Ok(Some(path))
}

thread_local! {
    /// `Some` while this thread runs an input: the hook stores the panic here.
    static CAUGHT: RefCell<Option<Option<(String, String)>>> = const { RefCell::new(None) };
}

/// Runs one input, turning a panic into `Err((message, place))`.
fn exec_caught(
    target: Target,
    input: &[u8],
    scratch: &Path,
) -> Result<Result<(), String>, (String, String)> {
    CAUGHT.with(|c| *c.borrow_mut() = Some(None));
    let r = catch_unwind(AssertUnwindSafe(|| target.exec(input, scratch)));
    let caught = CAUGHT.with(|c| c.borrow_mut().take()).flatten();
    r.map_err(|_| caught.unwrap_or_else(|| ("panic".into(), "unknown place".into())))
}

/// A panic hook that, on a thread running an input, records the panic
/// quietly, and elsewhere does what the previous hook did.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let fuzzing = CAUGHT.with(|c| c.borrow().is_some());
            if !fuzzing {
                previous(info);
                return;
            }
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let place = info
                .location()
                .map_or_else(String::new, |l| format!("{}:{}", l.file(), l.line()));
            CAUGHT.with(|c| *c.borrow_mut() = Some(Some((format!("{message} at {place}"), place))));
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_kinds_blank_numbers_and_names() {
        assert_eq!(
            kind("/s/x.npz: 'za' has 12 rows, 'zb' 13", "/s/"),
            "x.npz: '' has # rows, '' #"
        );
        assert_eq!(
            kind("unknown field `zz`, expected \"frames\" at line 3", ""),
            "unknown field ``, expected \"\" at line #"
        );
    }
}
