//! SIGINT and SIGTERM during a long command: the first asks the job to stop
//! (it saves its statistics and the command writes what it has); a second
//! SIGINT ends the process at once. Exit codes follow the shell's
//! convention: 130 for SIGINT, 143 for SIGTERM.

use signal_hook::consts::{SIGINT, SIGTERM};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The signal flags of a running command.
pub struct Signals {
    cancel: Arc<AtomicBool>,
    interrupted: Arc<AtomicBool>,
    terminated: Arc<AtomicBool>,
}

impl Signals {
    /// Registers the handlers.
    pub fn register() -> anyhow::Result<Self> {
        let s = Self {
            cancel: Arc::new(AtomicBool::new(false)),
            interrupted: Arc::new(AtomicBool::new(false)),
            terminated: Arc::new(AtomicBool::new(false)),
        };
        // A second Ctrl-C ends the process at once: checked before the flag is set.
        signal_hook::flag::register_conditional_shutdown(SIGINT, 130, s.interrupted.clone())?;
        signal_hook::flag::register(SIGINT, s.interrupted.clone())?;
        signal_hook::flag::register(SIGTERM, s.terminated.clone())?;
        signal_hook::flag::register(SIGINT, s.cancel.clone())?;
        signal_hook::flag::register(SIGTERM, s.cancel.clone())?;
        Ok(s)
    }

    /// The flag a job polls: set by either signal.
    pub fn cancel(&self) -> &AtomicBool {
        &self.cancel
    }

    /// The signal that stopped the command.
    pub fn name(&self) -> &'static str {
        if self.terminated.load(Ordering::Relaxed) {
            "SIGTERM"
        } else {
            "SIGINT (Ctrl-C)"
        }
    }

    /// 143 after SIGTERM, else 130.
    pub fn exit_code(&self) -> u8 {
        if self.terminated.load(Ordering::Relaxed) {
            143
        } else {
            130
        }
    }
}
