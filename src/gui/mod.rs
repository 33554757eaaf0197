//! The desktop app (eframe/egui). This first version opens a window that
//! tells the user where things stand; the views come with the demo project.

mod app;

pub use app::StadynApp;

use std::path::PathBuf;

/// Opens the desktop app; `path` is a project or report to open.
pub fn run(path: Option<PathBuf>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("stadyn")
            .with_inner_size([1100.0, 720.0]),
        ..Default::default()
    };
    eframe::run_native(
        "stadyn",
        options,
        Box::new(move |_cc| Ok(Box::new(StadynApp::new(path)))),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the app window: {e}"))
}
