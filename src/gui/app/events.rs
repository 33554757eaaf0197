//! Applying the worker's replies to the state. Replies to requests the app
//! no longer waits for (an earlier open, a job that was replaced) are
//! dropped here.

use super::StadynApp;
use crate::analysis::{CacheUse, Started};
use crate::gui::state::{JobStatus, Level};
use crate::worker::job::{Event, LoadedProject, Reply, RequestId};

impl StadynApp {
    /// Applies one reply of the worker.
    pub(super) fn on_reply(&mut self, Reply { id, event }: Reply) {
        match event {
            Event::ProjectLoaded(p) => self.on_project(id, *p),
            Event::ReportLoaded {
                path,
                report,
                stats_follow,
                sweep,
            } => {
                if !self.take_opening(id) {
                    return;
                }
                let s = &mut self.state;
                s.project = None;
                s.project_info = None;
                s.project_path = None;
                s.report_path = Some(path.clone());
                s.settings.last_path = Some(path);
                s.job = JobStatus::Idle;
                s.set_results(report, None, false);
                if stats_follow {
                    s.stats_awaited = Some(id);
                }
                s.sweep = None;
                match sweep {
                    Some(Ok(sweep)) => s.sweep = Some(sweep),
                    Some(Err(e)) => s.message(Level::Warning, format!("style sweep: {e}")),
                    None => {}
                }
                self.list_warnings();
                self.announce("results shown", "from the report file");
            }
            Event::StatsLoaded(read) => {
                let s = &mut self.state;
                if s.stats_awaited != Some(id) {
                    return; // other results are shown by now
                }
                match read {
                    Ok(stats) => s.set_stats(stats),
                    Err(e) => {
                        s.stats_awaited = None;
                        s.message(
                            Level::Warning,
                            format!(
                                "The statistics cannot be read: {e}. The results shown stand; \
                                 the channel views and the intervals of differences need the \
                                 statistics (Analyze computes them again)."
                            ),
                        );
                    }
                }
            }
            Event::OpenFailed { path, error } => {
                let opening = self.take_opening(id);
                let inspecting = self.inspecting == Some(id);
                if !opening && !inspecting {
                    return;
                }
                if inspecting {
                    self.inspecting = None;
                }
                let what = if path.as_os_str().is_empty() {
                    "the project".to_string()
                } else {
                    format!("'{}'", path.display())
                };
                self.state
                    .message(Level::Error, format!("Cannot open {what}: {error}"));
            }
            Event::Started(Started {
                remaining, total, ..
            }) => {
                if let JobStatus::Running { id: job, progress } = &mut self.state.job
                    && *job == id
                {
                    progress.done = total.saturating_sub(remaining);
                    progress.total = total;
                }
            }
            Event::Progress(p) => {
                if let JobStatus::Running { id: job, progress } = &mut self.state.job
                    && *job == id
                {
                    *progress = p;
                }
            }
            Event::Partial(report) => {
                if self.is_job(id) {
                    self.state.set_report(report, true);
                    if self.announced != Some(id) {
                        self.announced = Some(id);
                        self.announce("partial results shown", "the job goes on");
                    }
                }
            }
            Event::Warning(w) => {
                if self.is_job(id) {
                    self.state
                        .message_once(Level::Warning, format!("{}: {}", w.path, w.reason));
                }
            }
            Event::Devices(devices) => self.state.devices = devices,
            Event::Note(text) => {
                if self.is_job(id) {
                    self.state.message(Level::Info, text);
                }
            }
            Event::Finished(result) => {
                let cancelled =
                    matches!(self.state.job, JobStatus::Cancelling { id: j } if j == id);
                if !self.is_job(id) {
                    return;
                }
                let s = &mut self.state;
                match result {
                    Ok(r) => {
                        let cached = r.cache == CacheUse::Reused;
                        s.set_results(r.report, Some(r.stats), false);
                        s.job = JobStatus::Done { cached };
                        self.list_warnings();
                        self.announce(
                            "results shown",
                            if cached { "from the cache" } else { "computed" },
                        );
                    }
                    Err(e) if cancelled => {
                        s.job = JobStatus::Idle;
                        s.message(Level::Info, e);
                    }
                    Err(e) => {
                        s.message(Level::Error, format!("The analysis failed: {e}"));
                        s.job = JobStatus::Failed(e);
                    }
                }
            }
        }
    }

    fn on_project(&mut self, id: RequestId, p: LoadedProject) {
        let opening = self.opening.filter(|o| o.id == id);
        let inspecting = self.inspecting == Some(id);
        if opening.is_none() && !inspecting {
            return;
        }
        let job_running = matches!(
            self.state.job,
            JobStatus::Running { .. } | JobStatus::Cancelling { .. }
        );
        let s = &mut self.state;
        if opening.is_some() {
            self.opening = None;
            s.busy = None;
            s.clear_report();
            s.report_path = None;
            s.project_path = p.path.clone();
            if p.path.is_some() {
                s.settings.last_path = p.path.clone();
            }
        } else {
            self.inspecting = None;
        }
        if let Some(done) = &p.info.prepared {
            s.message(Level::Info, format!("Probe set: {done}"));
        }
        let usable = p.info.problems.is_empty() && p.info.probe.is_ok();
        s.project = Some(p.project);
        s.project_info = Some(p.info);
        let autorun = opening.is_some_and(|o| o.autorun) && usable;
        match p.cached {
            _ if job_running => {}
            Some(c) if c.complete => {
                s.set_results(c.report, None, false);
                if c.stats_follow {
                    s.stats_awaited = Some(id);
                }
                s.job = JobStatus::Done { cached: true };
                self.list_warnings();
                self.announce("results shown", "from the cache");
            }
            Some(c) => {
                // An interrupted run: show what it had; Run resumes it.
                s.set_report(c.report, true);
                s.job = JobStatus::Idle;
                self.list_warnings();
                if autorun {
                    self.run();
                }
            }
            None => {
                s.job = JobStatus::Idle;
                if autorun {
                    self.run();
                }
            }
        }
    }

    /// Lists the warnings the report shown keeps (skipped videos, a model
    /// without a manifest) in the messages, each once: a report opened
    /// from a file or the cache says what a run would have said.
    fn list_warnings(&mut self) {
        let Some(report) = self.state.report.clone() else {
            return;
        };
        for w in &report.warnings {
            self.state
                .message_once(Level::Warning, format!("{}: {}", w.path, w.reason));
        }
    }

    /// One line on stderr when results appear, e.g. "stadyn: results shown
    /// (stadyn demo, 55 models, from the cache, 0.8 s after launch)": a log
    /// for the user, what `scripts/screenshot.sh` waits for, and the
    /// start-up measure of BENCHMARKS.md.
    fn announce(&self, what: &str, how: &str) {
        let models = self.state.report.as_ref().map_or(0, |r| r.models.len());
        let name = self.shown_name().unwrap_or_else(|| "untitled".into());
        let after = crate::launch::elapsed().as_secs_f64();
        eprintln!("stadyn: {what} ({name}, {models} models, {how}, {after:.1} s after launch)");
    }

    /// Whether `id` is the job shown (running or being cancelled).
    fn is_job(&self, id: RequestId) -> bool {
        matches!(
            self.state.job,
            JobStatus::Running { id: j, .. } | JobStatus::Cancelling { id: j } if j == id
        )
    }

    /// Ends the wait for open request `id`; false if it is not awaited.
    fn take_opening(&mut self, id: RequestId) -> bool {
        if self.opening.is_some_and(|o| o.id == id) {
            self.opening = None;
            self.state.busy = None;
            true
        } else {
            false
        }
    }
}
