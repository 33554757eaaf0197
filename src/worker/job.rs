//! [`JobWorker`]: opens projects and reports and runs analysis jobs for the
//! app, off the UI thread.
//!
//! Threads: `stadyn-worker` takes [`Command`]s one at a time (opening a
//! project may generate the demo's probe clips, so it runs here); each run
//! gets its own `stadyn-job` thread, so a long job never holds up an open.
//! A new run first cancels and joins the previous one (two runs must not
//! write the same cache entry at once). Every [`Reply`] carries the id of
//! the request it answers, so the app drops replies to requests it no longer
//! waits for. Cancelling sets the job's flag directly, without a queue.
//!
//! A job that fails or panics ends with [`Event::Finished`]`(Err(..))`; the
//! worker keeps running.

mod open;
mod run;
#[cfg(test)]
pub(crate) mod tests;

pub use open::{Cached, LoadedProject, ProbeInfo, ProjectInfo};

use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded};

use super::Waker;
use crate::analysis::{CacheUse, Progress, Project, Started, StatsFile};
use crate::report::{Report, Warning};

/// Replies waiting for the UI before the worker waits for it. Progress and
/// partial reports, which later ones supersede, take at most half of it and
/// are dropped beyond that, so the events that must arrive (warnings, the
/// job's end) find room even when the UI is behind.
const EVENT_CAPACITY: usize = 256;

/// Pairs between partial reports (and saved statistics) in the app: small,
/// so the bars start moving within seconds (the CLI uses 64). Automatic
/// batches are no larger (see `analysis::run_job`).
pub const SAVE_EVERY: usize = 8;

/// Identifies a request; every [`Reply`] carries the id it answers.
pub type RequestId = u64;

/// What the app asks the worker (built by [`JobWorker`]'s methods).
enum Command {
    OpenProject {
        id: RequestId,
        path: PathBuf,
    },
    Inspect {
        id: RequestId,
        project: Box<Project>,
        path: Option<PathBuf>,
    },
    OpenReport {
        id: RequestId,
        path: PathBuf,
    },
    Run {
        id: RequestId,
        project: Box<Project>,
        use_cache: bool,
        cancel: Arc<AtomicBool>,
    },
}

/// An event for the request `id`.
#[derive(Debug)]
pub struct Reply {
    /// The request answered.
    pub id: RequestId,
    /// What happened.
    pub event: Event,
}

/// What the worker tells the app.
#[derive(Debug)]
pub enum Event {
    /// A project was opened or re-inspected after an edit (answers
    /// [`JobWorker::open_project`] and [`JobWorker::inspect`]).
    ProjectLoaded(Box<LoadedProject>),
    /// A report file was read (answers [`JobWorker::open_report`]).
    ReportLoaded {
        /// The file.
        path: PathBuf,
        /// Its report.
        report: Arc<Report>,
        /// Whether a `stats.bin` lies beside it: its statistics follow in a
        /// [`Event::StatsLoaded`] (or why they cannot be used).
        stats_follow: bool,
        /// The style-strength sweep it belongs to (`sweep.csv` in its
        /// folder or the one above), or why that table cannot be read.
        sweep: Option<Result<Arc<crate::figure::sweep::Sweep>, String>>,
    },
    /// The statistics of the results just shown, read after them (answers
    /// the open that sent a project or report whose `stats_follow` is
    /// set): they arrive, or why they cannot be used.
    StatsLoaded(Result<Arc<StatsFile>, String>),
    /// A project or report could not be opened.
    OpenFailed {
        /// The file.
        path: PathBuf,
        /// Why (the whole error chain).
        error: String,
    },
    /// The job started: pairs left, pairs in all, models per pair.
    Started(Started),
    /// Pairs done, throughput and time left.
    Progress(Progress),
    /// A report of the pairs done so far.
    Partial(Arc<Report>),
    /// A skipped input or a model without a manifest; the job goes on.
    Warning(Warning),
    /// Something the user may like to know (the probe clips were generated).
    Note(String),
    /// The devices runs can use on this machine (`cpu`, then `cuda:N` for
    /// each CUDA device libtorch sees); sent once when the worker starts,
    /// with id 0.
    Devices(Vec<String>),
    /// The job ended: its report, or why there is none (failed, cancelled).
    Finished(Result<JobResult, String>),
}

/// The report of a finished job and how the cache was used.
#[derive(Clone, Debug)]
pub struct JobResult {
    /// The final report.
    pub report: Arc<Report>,
    /// Computed, resumed or reused from the cache.
    pub cache: CacheUse,
    /// The statistics the report was built from.
    pub stats: Arc<StatsFile>,
}

/// Sends replies to the app and wakes it after each.
#[derive(Clone)]
struct Outbox {
    tx: Sender<Reply>,
    waker: Waker,
}

impl Outbox {
    /// Sends, waiting while the app is behind.
    fn send(&self, id: RequestId, event: Event) {
        if self.tx.send(Reply { id, event }).is_ok() {
            (self.waker)();
        }
    }

    /// Sends unless the app is behind (for events that later ones
    /// supersede): they fill at most half of the queue, leaving the rest to
    /// what [`Self::send`] must deliver.
    fn offer(&self, id: RequestId, event: Event) {
        let room = self.tx.capacity().map_or(usize::MAX, |c| c / 2);
        if self.tx.len() < room && self.tx.try_send(Reply { id, event }).is_ok() {
            (self.waker)();
        }
    }
}

/// The devices a run can use here: the CPU, and each CUDA device libtorch
/// sees (asked on the worker's thread: the first question loads CUDA).
pub fn devices() -> Vec<String> {
    let mut list = vec!["cpu".to_string()];
    #[cfg(feature = "torch")]
    list.extend((0..crate::model::cuda_devices()).map(|i| format!("cuda:{i}")));
    list
}

/// The app's handle on the worker thread; dropping it cancels the job and
/// lets the threads end.
pub struct JobWorker {
    commands: Option<Sender<Command>>,
    events: Receiver<Reply>,
    /// Answers to commands the worker thread could not take (it failed to
    /// start, or its queue is full), given before the worker's replies.
    refused: RefCell<VecDeque<Reply>>,
    /// Wakes the UI for a refused command's answer.
    waker: Waker,
    next_id: RequestId,
    running: Option<(RequestId, Arc<AtomicBool>)>,
    use_cache: bool,
}

impl JobWorker {
    /// Starts the worker thread; `waker` is called after every reply.
    pub fn new(waker: Waker) -> Self {
        let (tx, events) = bounded(EVENT_CAPACITY);
        let outbox = Outbox {
            tx,
            waker: Arc::clone(&waker),
        };
        let (commands, rx) = bounded::<Command>(64);
        let started = std::thread::Builder::new()
            .name("stadyn-worker".into())
            .spawn(move || run::command_loop(&rx, &outbox));
        let commands = match started {
            Ok(_) => Some(commands),
            Err(e) => {
                log::error!("cannot start the worker thread: {e}");
                None
            }
        };
        Self {
            commands,
            events,
            refused: RefCell::default(),
            waker,
            next_id: 0,
            running: None,
            use_cache: true,
        }
    }

    /// Whether runs read and write the result cache (default: yes; tests
    /// turn it off to leave the user's cache alone).
    pub fn set_use_cache(&mut self, on: bool) {
        self.use_cache = on;
    }

    /// Opens a project file: parse, prepare the probe set (may generate the
    /// demo's clips), expand the models, look for cached results.
    pub fn open_project(&mut self, path: PathBuf) -> RequestId {
        let id = self.next();
        self.command(Command::OpenProject { id, path });
        id
    }

    /// Like [`Self::open_project`] for a project edited in memory (`path`:
    /// the file it came from, if any).
    pub fn inspect(&mut self, project: Project, path: Option<PathBuf>) -> RequestId {
        let id = self.next();
        let project = Box::new(project);
        self.command(Command::Inspect { id, project, path });
        id
    }

    /// Reads a report file.
    pub fn open_report(&mut self, path: PathBuf) -> RequestId {
        let id = self.next();
        self.command(Command::OpenReport { id, path });
        id
    }

    /// Runs the analysis of `project` (through the cache unless turned
    /// off), cancelling the job that runs now, if any.
    pub fn run(&mut self, project: Project) -> RequestId {
        let id = self.next();
        if let Some((_, flag)) = &self.running {
            flag.store(true, Ordering::Relaxed);
        }
        let cancel = Arc::new(AtomicBool::new(false));
        self.running = Some((id, Arc::clone(&cancel)));
        let command = Command::Run {
            id,
            project: Box::new(project),
            use_cache: self.use_cache,
            cancel,
        };
        self.command(command);
        id
    }

    /// Asks job `id` to stop (its statistics are saved, so a later run
    /// resumes); it ends with `Finished(Err("cancelled ..."))`. Harmless for
    /// an id that is not running.
    pub fn cancel(&self, id: RequestId) {
        if let Some((running, flag)) = &self.running
            && *running == id
        {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// The next reply, if one is waiting (never blocks).
    pub fn try_recv(&self) -> Option<Reply> {
        let refused = self.refused.borrow_mut().pop_front();
        refused.or_else(|| self.events.try_recv().ok())
    }

    /// The next reply, waiting up to `timeout` (for tests and scripts).
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Reply> {
        let refused = self.refused.borrow_mut().pop_front();
        refused.or_else(|| self.events.recv_timeout(timeout).ok())
    }

    fn next(&mut self) -> RequestId {
        self.next_id += 1;
        self.next_id
    }

    /// Queues a command without waiting; when the worker cannot take it,
    /// answers it at once with an error.
    fn command(&self, command: Command) {
        let refused = match &self.commands {
            Some(c) => c.try_send(command).err().map(|e| e.into_inner()),
            None => Some(command),
        };
        let Some(command) = refused else { return };
        let error = "the worker thread is not running or is overloaded (see the log)".to_string();
        let (id, event) = match command {
            Command::OpenProject { id, path } | Command::OpenReport { id, path } => {
                (id, Event::OpenFailed { path, error })
            }
            Command::Inspect { id, path, .. } => (
                id,
                Event::OpenFailed {
                    path: path.unwrap_or_default(),
                    error,
                },
            ),
            Command::Run { id, .. } => (id, Event::Finished(Err(error))),
        };
        self.refused.borrow_mut().push_back(Reply { id, event });
        (self.waker)();
    }
}

impl Drop for JobWorker {
    fn drop(&mut self) {
        if let Some((_, flag)) = &self.running {
            flag.store(true, Ordering::Relaxed);
        }
        // Closing the command channel ends the worker loop; the job, told
        // to cancel, saves its statistics and ends by itself.
        self.commands = None;
    }
}
