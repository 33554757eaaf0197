//! The app's top-level state and frame.

use std::path::PathBuf;

/// The desktop app.
pub struct StadynApp {
    path: Option<PathBuf>,
}

impl StadynApp {
    /// An app that will open `path` (a project or a report), or the demo.
    pub fn new(path: Option<PathBuf>) -> Self {
        Self { path }
    }

    /// The window's contents (separate from [`eframe::App`] so tests can drive it).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        ui.heading("stadyn");
        ui.label("How much static (appearance) and dynamic (motion) information does a video model encode?");
        ui.add_space(12.0);
        match &self.path {
            Some(p) => ui.label(format!("Opening '{}' in the app comes with the project views.", p.display())),
            None => ui.label("The embedded demo project (demo models, a pretrained video model, real footage) comes in a later version."),
        };
        ui.add_space(8.0);
        ui.label("Available now, headless:");
        ui.monospace("stadyn analyze --model M.pt --videos DIR --out OUT   # run a TorchScript model on static/dynamic pairs");
        ui.monospace("stadyn pairs DIR --out OUT                           # look at the pairs the model will see");
        ui.monospace("stadyn estimate ACTS.npz --out OUT                   # biases from activations you extracted");
        ui.monospace("stadyn inspect-model M.pt | merge | bench | doctor   # see stadyn --help");
    }
}

impl eframe::App for StadynApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| self.show(ui));
    }
}
