//! The app's background threads: the analysis job ([`job`]) and pair
//! loading for the scrubber ([`pairs`]). Commands go in and events come out
//! over bounded crossbeam channels; a [`Waker`] (in the app:
//! `egui::Context::request_repaint`) is called after each event, so nothing
//! here depends on egui and the UI thread never waits.

pub mod job;
pub mod maps;
pub mod pairs;

use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};

/// Called after every event sent to the UI, from the worker's thread.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// The UI side of a thread that serves the newest request: requests go in
/// without blocking (a request that does not fit waits, replacing an older
/// unsent one, until the next poll) and events come out. Dropping it
/// disconnects both channels, which ends the thread; with
/// [`join_on_drop`](Self::join_on_drop) the drop also waits for it (a thread
/// that holds a libtorch model must not outlive the process's exit).
pub struct Latest<R, E> {
    requests: Option<Sender<R>>,
    events: Option<Receiver<E>>,
    pending: Option<R>,
    thread: Option<std::thread::JoinHandle<()>>,
    join_on_drop: bool,
}

impl<R: Send + 'static, E: Send + 'static> Latest<R, E> {
    /// Starts the thread `name` running `serve` on the request and event
    /// channels.
    pub fn spawn(
        name: &str,
        serve: impl FnOnce(Receiver<R>, Sender<E>) + Send + 'static,
    ) -> std::io::Result<Self> {
        let (req_tx, req_rx) = bounded(4);
        let (ev_tx, ev_rx) = bounded(8);
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || serve(req_rx, ev_tx))?;
        Ok(Self {
            requests: Some(req_tx),
            events: Some(ev_rx),
            pending: None,
            thread: Some(thread),
            join_on_drop: false,
        })
    }

    /// Makes dropping the handle wait for the thread to end (after the
    /// request it is serving).
    pub fn join_on_drop(mut self) -> Self {
        self.join_on_drop = true;
        self
    }

    /// Sends a request; never blocks.
    pub fn request(&mut self, request: R) {
        self.pending = Some(request);
        self.flush();
    }

    fn flush(&mut self) {
        let (Some(r), Some(requests)) = (self.pending.take(), &self.requests) else {
            return;
        };
        match requests.try_send(r) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(r)) => self.pending = Some(r),
        }
    }

    /// The next event, if one is ready; never blocks.
    pub fn try_recv(&mut self) -> Option<E> {
        self.flush();
        self.events.as_ref()?.try_recv().ok()
    }

    /// Waits up to `timeout` for an event (tests and benchmarks, never the UI).
    pub fn recv_timeout(&mut self, timeout: std::time::Duration) -> Option<E> {
        self.flush();
        self.events.as_ref()?.recv_timeout(timeout).ok()
    }
}

impl<R, E> Drop for Latest<R, E> {
    fn drop(&mut self) {
        // Both channels go first: the thread's next recv or send fails and
        // it returns.
        self.requests = None;
        self.events = None;
        if let Some(t) = self.thread.take().filter(|_| self.join_on_drop) {
            let _ = t.join();
        }
    }
}
