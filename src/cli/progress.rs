//! The progress of a job on the terminal: a bar on a terminal, plain lines
//! otherwise (logs, clusters); warnings printed above the bar.

use crate::analysis::{JobEvent, Started};
use std::io::IsTerminal;

/// Prints a job's events.
pub struct ProgressLine {
    bar: indicatif::ProgressBar,
    tty: bool,
    quiet: bool,
    stage: usize,
}

impl ProgressLine {
    /// A bar on a terminal (none when `quiet`), plain lines otherwise.
    pub fn new(quiet: bool) -> Self {
        let tty = std::io::stderr().is_terminal() && !quiet;
        let bar = indicatif::ProgressBar::hidden();
        if tty {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40.cyan/blue} {pos}/{len} pairs  {per_sec}  {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
        }
        Self {
            bar,
            tty,
            quiet,
            stage: 0,
        }
    }

    /// Shows one event.
    pub fn event(&mut self, e: JobEvent) {
        match e {
            JobEvent::Started(Started {
                remaining,
                total,
                models,
            }) => {
                self.bar.set_length(total as u64);
                self.bar.set_position((total - remaining) as u64);
                if !self.quiet && !self.tty {
                    eprintln!("analyzing {remaining} of {total} pairs with {models} model(s)");
                }
            }
            JobEvent::Progress(p) => {
                // the job's time left (all stages), and which stage runs
                let eta = p
                    .eta
                    .map(|d| format!("{}s left", d.as_secs()))
                    .unwrap_or_default();
                let stage = if p.stages > 1 {
                    format!("stage {}/{} ({} models)", p.stage + 1, p.stages, p.models)
                } else {
                    String::new()
                };
                let skipped = if p.skipped > 0 {
                    format!("{} skipped  ", p.skipped)
                } else {
                    String::new()
                };
                if p.stage != self.stage {
                    // a new stage goes over the same pairs with other models
                    self.stage = p.stage;
                    self.bar.reset();
                }
                self.bar.set_position(p.done as u64);
                self.bar.set_message(format!("{skipped}{eta}  {stage}"));
                if !self.quiet && !self.tty {
                    eprintln!(
                        "  {}/{} pairs ({skipped}{:.1} pairs/s, {eta}) {stage}",
                        p.done, p.total, p.rate
                    );
                }
            }
            JobEvent::Warning(w) => self
                .bar
                .suspend(|| eprintln!("warning: {}: {}", w.path, w.reason)),
            JobEvent::Partial(_) => {}
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
