//! The worker's threads: the command loop (`stadyn-worker`) and one
//! `stadyn-job` thread per run.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::thread::JoinHandle;

use crossbeam_channel::Receiver;

use super::{Command, Event, JobResult, Outbox, RequestId, SAVE_EVERY, open};
use crate::analysis::{CachedStats, JobEvent, JobSpec, ModelSpec, Project, StatsFile, run_cached};
use crate::model::{Extractor, ModelError};

/// Takes commands until the app drops its [`super::JobWorker`].
pub(super) fn command_loop(rx: &Receiver<Command>, out: &Outbox) {
    let devices = guarded(|| Ok(super::devices())).unwrap_or_else(|e| {
        log::warn!("cannot list the CUDA devices: {e}");
        vec!["cpu".into()]
    });
    out.send(0, Event::Devices(devices));
    let mut previous: Option<JoinHandle<()>> = None;
    for command in rx {
        match command {
            Command::OpenProject { id, path } => {
                let opened = guarded(|| open::open_project(&path));
                send_project(out, id, opened.map_err(|error| (path, error)));
            }
            Command::Inspect { id, project, path } => {
                let opened = guarded(|| Ok(open::inspect(*project, path.clone())));
                send_project(out, id, opened.map_err(|e| (path.unwrap_or_default(), e)));
            }
            Command::OpenReport { id, path } => {
                let read =
                    guarded(|| crate::report::read_report(&path).map_err(|e| format!("{e:#}")));
                let (r, beside) = match read {
                    Ok(r) => (r, path.with_file_name("stats.bin")),
                    Err(error) => {
                        out.send(id, Event::OpenFailed { path, error });
                        continue;
                    }
                };
                let key = r.job_key.clone();
                let stats_follow = beside.is_file();
                out.send(
                    id,
                    Event::ReportLoaded {
                        stats_follow,
                        sweep: crate::figure::sweep::Sweep::beside(&path)
                            .map(|s| s.map(Arc::new).map_err(|e| format!("{e:#}"))),
                        path,
                        report: Arc::new(r),
                    },
                );
                if stats_follow {
                    let read = guarded(|| stats_beside(&beside, key.as_deref()));
                    out.send(id, Event::StatsLoaded(read.map(Arc::new)));
                }
            }
            Command::Run {
                id,
                project,
                use_cache,
                cancel,
            } => {
                let job_out = out.clone();
                let before = previous.take();
                let spawned =
                    std::thread::Builder::new()
                        .name("stadyn-job".into())
                        .spawn(move || {
                            if let Some(p) = before {
                                let _ = p.join();
                            }
                            let result =
                                guarded(|| run_project(id, &project, use_cache, &cancel, &job_out));
                            job_out.send(id, Event::Finished(result));
                        });
                match spawned {
                    Ok(h) => previous = Some(h),
                    Err(e) => {
                        let error = format!("cannot start the job thread: {e}");
                        out.send(id, Event::Finished(Err(error)));
                    }
                }
            }
        }
    }
}

/// Sends an opened project (or why it could not be opened), then, when its
/// cached report came without its statistics, reads and sends them.
fn send_project(
    out: &Outbox,
    id: RequestId,
    opened: Result<open::LoadedProject, (std::path::PathBuf, String)>,
) {
    match opened {
        Ok(mut p) => {
            let stats = p.stats.take();
            out.send(id, Event::ProjectLoaded(Box::new(p)));
            let read = match stats {
                None => return,
                Some(CachedStats::Read(s)) => Ok(*s),
                Some(CachedStats::Later(later)) => {
                    guarded(|| later.load().map_err(|e| format!("{e:#}")))
                }
            };
            crate::launch::phase("open: statistics read");
            out.send(id, Event::StatsLoaded(read.map(Arc::new)));
        }
        Err((path, error)) => out.send(id, Event::OpenFailed { path, error }),
    }
}

/// Runs `f`, turning a panic into an error.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(format!("internal error (a bug in stadyn): {what}"))
    })
}

/// The job of a project, as `stadyn analyze PROJECT` runs it, with partial
/// reports every [`SAVE_EVERY`] pairs.
fn run_project(
    id: RequestId,
    project: &Project,
    use_cache: bool,
    cancel: &AtomicBool,
    out: &Outbox,
) -> Result<JobResult, String> {
    let err = |e: anyhow::Error| format!("{e:#}");
    if let Some(done) = project.probe.prepare().map_err(err)? {
        out.send(id, Event::Note(format!("probe set: {done}")));
    }
    let mut spec = JobSpec::from_project(project).map_err(err)?;
    spec.save_every = SAVE_EVERY;
    for reason in spec.check().map_err(err)? {
        let path = "settings".to_string();
        out.send(id, Event::Warning(crate::report::Warning { path, reason }));
    }
    if !spec.probe.videos.exists() {
        return Err(format!(
            "probe folder '{}' does not exist",
            spec.probe.videos.display()
        ));
    }
    let mut on_event = |e: JobEvent| match e {
        JobEvent::Started(s) => out.send(id, Event::Started(s)),
        JobEvent::Progress(p) => out.offer(id, Event::Progress(p)),
        JobEvent::Partial(r) => out.offer(id, Event::Partial(Arc::new(*r))),
        JobEvent::Warning(w) => out.send(id, Event::Warning(w)),
    };
    let loader = loader(&spec, id, out)?;
    let (output, cache) =
        run_cached(&spec, &loader, use_cache, &mut on_event, cancel).map_err(err)?;
    if let Some(why) = output.failure() {
        return Err(why);
    }
    Ok(JobResult {
        report: Arc::new(output.report),
        stats: Arc::new(output.stats),
        cache,
    })
}

/// Loads models as TorchScript, telling the app about missing manifests.
#[cfg(feature = "torch")]
fn loader<'a>(
    spec: &JobSpec,
    id: RequestId,
    out: &'a Outbox,
) -> Result<impl Fn(&ModelSpec) -> Result<Box<dyn Extractor>, ModelError> + 'a, String> {
    let device: crate::model::Device = spec.device.parse()?;
    crate::model::set_threads(spec.threads);
    Ok(move |m: &ModelSpec| {
        let (model, warning) = crate::analysis::load_torchscript(m, device)?;
        if let Some(reason) = warning {
            let path = m.path.display().to_string();
            out.send(id, Event::Warning(crate::report::Warning { path, reason }));
        }
        Ok(model)
    })
}

/// Without libtorch no model loads; cached results are still reused.
#[cfg(not(feature = "torch"))]
fn loader<'a>(
    _spec: &JobSpec,
    _id: RequestId,
    _out: &'a Outbox,
) -> Result<impl Fn(&ModelSpec) -> Result<Box<dyn Extractor>, ModelError> + 'a, String> {
    Ok(|m: &ModelSpec| {
        Err(ModelError::Load {
            path: m.path.clone(),
            reason: "this stadyn was built without TorchScript support (cargo feature \
                     `torch`): it shows reports and cached results but cannot run models"
                .into(),
        })
    })
}

/// The statistics `path` beside a report of job `key`, when they are of
/// that job and intact (anything else: why not; the app shows the report
/// alone).
fn stats_beside(path: &std::path::Path, key: Option<&str>) -> Result<StatsFile, String> {
    let stats = StatsFile::load(path).map_err(|e| e.to_string())?;
    if key == Some(stats.job_key.as_str()) {
        Ok(stats)
    } else {
        Err(format!(
            "'{}' holds the statistics of another job than the report's",
            path.display()
        ))
    }
}
