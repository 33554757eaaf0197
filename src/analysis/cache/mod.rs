//! The result cache: statistics of every run, keyed by the job's identity
//! and shard, under the user cache dir. A finished run is reused at once; a
//! run that was killed resumes from its last saved statistics. The cache is
//! a convenience: a damaged entry is discarded (and said so) and recomputed,
//! and a cache folder that cannot be written is said once while the run
//! goes on without it. Beside each entry's statistics lies the report made
//! from them ([`report_file`]), so that opening a project shows results at
//! once and reads the statistics after.

pub(super) mod report_file;

pub use report_file::StatsLater;
pub(crate) use report_file::write as keep_report;

use super::stats_file::PayloadHash;
use super::{JobEvent, JobOutput, JobSpec, ModelLoader, StatsFile, build_report, run_job};
use crate::report::{Report, Warning};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// The cache root: `$STADYN_CACHE_DIR`, else `$XDG_CACHE_HOME/stadyn`, else `~/.cache/stadyn`.
pub fn cache_root() -> PathBuf {
    if let Some(d) = std::env::var_os("STADYN_CACHE_DIR") {
        return PathBuf::from(d);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("stadyn")
}

/// Where the statistics of a job's shard live in the cache.
pub fn cached_stats_path(spec: &JobSpec) -> anyhow::Result<PathBuf> {
    let (key, _) = spec.identity()?;
    Ok(path_of(&key, spec))
}

fn path_of(key: &str, spec: &JobSpec) -> PathBuf {
    cache_root()
        .join("jobs")
        .join(format!(
            "{}-{}of{}",
            &key[..24],
            spec.shard.index,
            spec.shard.count
        ))
        .join("stats.bin")
}

/// How [`run_cached`] got its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheUse {
    /// Computed from scratch.
    Fresh,
    /// Continued from saved statistics.
    Resumed {
        /// Pairs already done when it started.
        from: usize,
    },
    /// Finished earlier: nothing computed.
    Reused,
}

/// Results of a job found in the cache.
#[derive(Clone, Debug)]
pub struct CachedResults {
    /// The report of the statistics saved (with the warnings stored with them).
    pub report: Report,
    /// Pairs done.
    pub done: usize,
    /// Pairs in the job's shard.
    pub total: usize,
    /// Whether a run would reuse them as they are (finished, and a measurement).
    pub usable: bool,
    /// The statistics themselves (the channel evidence the app's panel
    /// reads), or what reads them when the report came from beside them.
    pub stats: CachedStats,
}

/// The statistics of [`CachedResults`].
#[derive(Clone, Debug)]
pub enum CachedStats {
    /// Read already (the report was built from them).
    Read(Box<StatsFile>),
    /// Not read yet: the report was kept beside them.
    Later(StatsLater),
}

impl CachedResults {
    /// Whether the run finished (nothing left to compute).
    pub fn complete(&self) -> bool {
        self.done >= self.total
    }
}

/// The statistics the cache holds of the job with identity `key`, if any
/// that belong to it, with their hash; a damaged entry is `Err` with the
/// reason.
fn lookup(
    spec: &JobSpec,
    key: &str,
    path: &Path,
) -> Result<Option<(StatsFile, PayloadHash)>, String> {
    match StatsFile::load_hashed(path) {
        Ok((s, hash)) if s.job_key == key && s.shard == spec.shard => Ok(Some((s, hash))),
        Ok(_) => Ok(None),
        Err(e) if e.is_missing() => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// The report of the statistics the cache holds of `spec`, computed without
/// running anything (the app shows it on opening a project): of a finished
/// run, or of an interrupted one (which a run resumes). `None` when the
/// cache has nothing usable of this job (a damaged entry is left for the
/// next run to discard, with a warning).
pub fn cached_report(spec: &JobSpec) -> anyhow::Result<Option<CachedResults>> {
    let at = |what: &str| crate::launch::phase(&format!("cache: {what}"));
    at("looks up");
    let (key, _) = spec.identity()?;
    at("identity made");
    let path = path_of(&key, spec);
    let shown = |report: &Report| report.models.iter().any(|m| !m.layers.is_empty());
    if let Some(hit) = report_file::read(&path, &key, spec.shard, spec.threshold) {
        at("report read");
        let shows = shown(&hit.report);
        return Ok(shows.then_some(CachedResults {
            report: hit.report,
            done: hit.done,
            total: hit.total,
            usable: hit.usable,
            stats: CachedStats::Later(hit.later),
        }));
    }
    let Ok(Some((s, hash))) = lookup(spec, &key, &path) else {
        return Ok(None);
    };
    at("entry read");
    let report = build_report(&s, spec.threshold);
    report_file::write(&path, hash, &s, spec.threshold, &report);
    at("report built");
    let usable = super::failure(&report, &s).is_none();
    Ok(shown(&report).then(|| CachedResults {
        report,
        done: s.done,
        total: s.total,
        usable,
        stats: CachedStats::Read(Box::new(s)),
    }))
}

/// Runs a job through the cache (or without it when `use_cache` is false).
pub fn run_cached(
    spec: &JobSpec,
    load_model: ModelLoader<'_>,
    use_cache: bool,
    on_event: &mut dyn FnMut(JobEvent),
    cancel: &AtomicBool,
) -> anyhow::Result<(JobOutput, CacheUse)> {
    if !use_cache {
        return Ok((
            run_job(spec, load_model, None, None, on_event, cancel)?,
            CacheUse::Fresh,
        ));
    }
    let at = |what: &str| crate::launch::phase(&format!("cache: {what}"));
    at("looks up");
    spec.check()?;
    let (key, _) = spec.identity()?;
    at("identity made");
    let path = path_of(&key, spec);
    let previous = match lookup(spec, &key, &path) {
        Ok(p) => p,
        Err(reason) => {
            on_event(JobEvent::Warning(Warning {
                path: path.display().to_string(),
                reason: format!("{reason}; the cache entry is discarded and the job recomputed"),
            }));
            None
        }
    };
    let writable = match path.parent().map(crate::files::ensure_writable_dir) {
        Some(Err(e)) => {
            on_event(JobEvent::Warning(Warning {
                path: cache_root().display().to_string(),
                reason: format!(
                    "{e:#}: results will not be cached and an interrupted run cannot resume \
                     (--no-cache silences this)"
                ),
            }));
            false
        }
        _ => true,
    };
    let save_to = writable.then_some(path.as_path());
    at("entry read");
    match previous {
        Some((mut s, hash)) if s.complete() => {
            let report = build_report(&s, spec.threshold);
            report_file::write(&path, hash, &s, spec.threshold, &report);
            s.settings.threshold = spec.threshold;
            at("report built");
            let out = JobOutput { report, stats: s };
            if out.failure().is_none() {
                return Ok((out, CacheUse::Reused));
            }
            // Finished but not a measurement: run again (nothing is left to
            // do, so it fails again the same way, with its reason).
            let from = out.stats.done;
            let out = run_job(spec, load_model, Some(out.stats), save_to, on_event, cancel)?;
            Ok((out, CacheUse::Resumed { from }))
        }
        Some((s, _)) => {
            let from = s.done;
            let out = run_job(spec, load_model, Some(s), save_to, on_event, cancel)?;
            Ok((out, CacheUse::Resumed { from }))
        }
        None => Ok((
            run_job(spec, load_model, None, save_to, on_event, cancel)?,
            CacheUse::Fresh,
        )),
    }
}
