//! The result cache: statistics of every run, keyed by the job's identity
//! and shard, under the user cache dir. A finished run is reused at once; a
//! run that was killed resumes from its last saved statistics.

use super::{JobEvent, JobOutput, JobSpec, ModelLoader, Report, StatsFile, build_report, run_job};
use std::path::PathBuf;
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
    Ok(cache_root()
        .join("jobs")
        .join(format!(
            "{}-{}of{}",
            &key[..24],
            spec.shard.index,
            spec.shard.count
        ))
        .join("stats.bin"))
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
    /// The report of the statistics saved.
    pub report: Report,
    /// Pairs done.
    pub done: usize,
    /// Pairs in the job's shard.
    pub total: usize,
}

impl CachedResults {
    /// Whether the run finished (nothing left to compute).
    pub fn complete(&self) -> bool {
        self.done >= self.total
    }
}

/// The report of the statistics the cache holds of `spec`, computed without
/// running anything (the GUI shows it on opening a project): of a finished
/// run, or of an interrupted one (which a run resumes). `None` when the
/// cache has nothing of this job, or too little for a report.
pub fn cached_report(spec: &JobSpec) -> anyhow::Result<Option<CachedResults>> {
    let path = cached_stats_path(spec)?;
    let Ok(mut s) = StatsFile::load(&path) else {
        return Ok(None);
    };
    let (key, _) = spec.identity()?;
    if s.job_key != key || s.shard != spec.shard {
        return Ok(None);
    }
    s.settings.threshold = spec.threshold;
    let report = match build_report(&s, &s.settings, spec.threshold) {
        Ok(r) => r,
        Err(e) if s.complete() => return Err(e),
        Err(_) => return Ok(None),
    };
    Ok(Some(CachedResults {
        report,
        done: s.done,
        total: s.total,
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
    let path = cached_stats_path(spec)?;
    if let Some(dir) = path.parent() {
        crate::export::ensure_writable_dir(dir)?;
    }
    let previous = StatsFile::load(&path).ok();
    let (key, _) = spec.identity()?;
    match previous {
        Some(mut s) if s.job_key == key && s.shard == spec.shard && s.complete() => {
            s.settings.threshold = spec.threshold;
            let report =
                build_report(&s, &s.settings, spec.threshold).map_err(|e| format!("{e:#}"));
            Ok((JobOutput { report, stats: s }, CacheUse::Reused))
        }
        Some(s) if s.job_key == key && s.shard == spec.shard => {
            let from = s.done;
            let out = run_job(spec, load_model, Some(s), Some(&path), on_event, cancel)?;
            Ok((out, CacheUse::Resumed { from }))
        }
        _ => Ok((
            run_job(spec, load_model, None, Some(&path), on_event, cancel)?,
            CacheUse::Fresh,
        )),
    }
}
