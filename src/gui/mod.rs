//! The desktop app (eframe/egui): the project panel on the left, the views
//! in tabs; the worker thread (`crate::worker`) does every slow thing.
//!
//! Frame: drain worker events → draw (views read [`AppState`] and return
//! [`Action`]s) → apply the actions. See ARCHITECTURE.md.

pub mod action;
mod app;
pub mod checkpoints;
pub mod export;
mod playback;
pub mod state;
#[cfg(test)]
mod tests;
pub mod views;

pub use action::{Action, Tab};
pub use app::StadynApp;
pub use state::AppState;

use std::path::PathBuf;

/// Opens the desktop app; `path` is a project or report to open (none: the demo).
pub fn run(path: Option<PathBuf>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("stadyn")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 500.0]),
        ..Default::default()
    };
    eframe::run_native(
        "stadyn",
        options,
        Box::new(move |cc| Ok(Box::new(StadynApp::new(cc, path)))),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the app window: {e}"))
}
