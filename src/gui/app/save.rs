//! Save / Save As of the project edited in the app: what the panel shows
//! (models, probe set, pairs, seed, styles, device, the advanced settings)
//! and the τ of the views, written as a project file that reopens as the
//! same job (the same cache entry).

use super::StadynApp;
use crate::gui::state::Level;

impl StadynApp {
    /// Writes the project to its file, or (`as_new`, or a project never
    /// saved) to a file the user picks, which becomes its file.
    pub(super) fn save_project(&mut self, as_new: bool) {
        let Some(project) = self.state.project.as_ref() else {
            self.state.message(
                Level::Warning,
                "There is no project to save (a report is read-only)",
            );
            return;
        };
        let mut project = project.clone();
        project.estimator.threshold = self.state.settings.tau;
        let path = match self.state.project_path.clone().filter(|_| !as_new) {
            Some(p) => p,
            None => {
                let stem = format!(
                    "{}.stadyn",
                    project
                        .name
                        .as_deref()
                        .unwrap_or("project")
                        .replace(['/', '\\'], "_")
                );
                let near = self.near();
                match (self.pick_save)(&stem, "toml", near.as_deref()) {
                    Ok(Some(p)) => p,
                    Ok(None) => return,
                    Err(e) => {
                        self.state.message(Level::Error, e);
                        return;
                    }
                }
            }
        };
        match project.save(&path) {
            Ok(()) => {
                // The project shown stays as it is (τ lives in the settings;
                // an inspection of it may be on its way back).
                let s = &mut self.state;
                s.project_path = Some(path.clone());
                s.settings.last_path = Some(path.clone());
                s.message(Level::Info, format!("Saved {}", path.display()));
            }
            Err(e) => self
                .state
                .message(Level::Error, format!("Save failed: {e:#}")),
        }
    }
}
