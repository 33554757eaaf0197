//! Videos & pairs: a scrubber (play/pause, frame steps, speed, loop, a frame
//! slider) over the selected pair's video window at display resolution, the
//! frames the model sees, and both members of a static and a dynamic pair
//! (the selected pair and the nearest pair of the other factor).
//!
//! Pairs are built by the view's own [`PairLoader`] thread; the view never
//! waits for it (a spinner shows while a pair loads). Playback runs over the
//! W frames of the window; the model frames follow (the last sampled frame
//! at or before the window position). Keys, when no text field has focus:
//! Space play/pause, Left/Right arrow frame step, Home/End first/last frame.

pub(crate) mod export;
mod rows;
mod textures;

use std::sync::Arc;

use super::channel_panel::snapshot::PanelFile;
use super::scrubber;
use crate::analysis::Project;
use crate::gui::action::Action;
use crate::gui::playback::Playback;
use crate::gui::state::AppState;
use crate::worker::pairs::{ModelInput, PairEvent, PairFrames, PairLoader, PairRequest, Role};
use textures::TextureCache;

/// What the view shows for one of the two pairs.
#[derive(Clone, Debug, Default)]
enum Slot {
    /// Nothing asked yet.
    #[default]
    Empty,
    /// Built.
    Ready(Arc<PairFrames>),
    /// Could not be built.
    Failed(String),
}

/// Videos & pairs: the scrubber over the original clip and the members of
/// the selected static and dynamic pairs.
#[derive(Default)]
pub struct PairsView {
    /// The scrubber's state (tests read it).
    pub playback: Playback,
    /// Whether playback was on last frame (the first playing frame does not step).
    was_playing: bool,
    loader: Option<PairLoader>,
    /// Why the loader thread could not start.
    loader_error: Option<String>,
    /// The last request sent (its id and what it asked for).
    asked: Option<PairRequest>,
    selected: Slot,
    other: Slot,
    /// Which of the request's pairs are still loading.
    waiting: [bool; 2],
    /// Index of the model (in the project) whose input is shown.
    model: usize,
    /// Ask again even if nothing changed (the Reload button).
    reload: bool,
    textures: TextureCache,
}

impl PairsView {
    /// Draws the view and returns what the user asked for.
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
        self.playback.set_fps(state.settings.fps);
        self.playback.set_looping(state.settings.looping);
        self.receive();
        let Some(project) = &state.project else {
            ui.label("Open a project to see its probe videos and pairs.");
            return;
        };
        let pairs = project.probe.pairs.max(1) as u64;
        let pair = state.selection.pair.min(pairs - 1);
        self.keys(ui, state);
        self.ask(ui.ctx(), project, pair);
        self.step(ui);
        self.header(ui, project, (pair, pairs), state.settings.fps, actions);
        ui.separator();
        self.scrubber(ui, state, actions);
        ui.separator();
        egui::ScrollArea::vertical().show(ui, |ui| self.rows(ui));
    }

    /// The pair id shown (the selected slot's), if loaded.
    pub fn shown_pair(&self) -> Option<u64> {
        match &self.selected {
            Slot::Ready(p) => Some(p.spec.id),
            _ => None,
        }
    }

    /// The selected pair and the nearest pair of the other factor, when loaded.
    pub fn shown(&self) -> [Option<Arc<PairFrames>>; 2] {
        [&self.selected, &self.other].map(|s| match s {
            Slot::Ready(p) => Some(p.clone()),
            _ => None,
        })
    }

    /// Whether a pair is still loading.
    pub fn loading(&self) -> bool {
        self.waiting.iter().any(|&w| w)
    }

    /// Takes the loader's events; those of older requests are dropped.
    fn receive(&mut self) {
        let Some(loader) = &mut self.loader else {
            return;
        };
        let current = self.asked.as_ref().map(|r| r.request);
        while let Some(ev) = loader.try_recv() {
            if Some(ev.request()) != current {
                continue;
            }
            let (role, slot) = match ev {
                PairEvent::Loaded { role, pair, .. } => (role, Slot::Ready(pair)),
                PairEvent::Failed { role, message, .. } => (role, Slot::Failed(message)),
            };
            match role {
                Role::Selected => (self.selected, self.waiting[0]) = (slot, false),
                Role::Other => (self.other, self.waiting[1]) = (slot, false),
            }
        }
        let count = [&self.selected, &self.other]
            .into_iter()
            .filter_map(|s| match s {
                Slot::Ready(p) => Some(p.window.len().max(p.original.len())),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        self.playback.set_count(count);
    }

    /// Sends a request when the probe set, model or pair changed.
    fn ask(&mut self, ctx: &egui::Context, project: &Project, pair: u64) {
        let probe = project.probe.clone();
        self.model = self.model.min(project.models.len().saturating_sub(1));
        let model = match project.models.get(self.model) {
            Some(entry) => ModelInput::Entry(entry.clone()),
            None => ModelInput::Manifest(Box::default()),
        };
        if let Some(a) = &self.asked
            && !self.reload
            && a.probe == probe
            && a.model == model
            && a.pair == pair
        {
            return;
        }
        if self.loader.is_none() && self.loader_error.is_none() {
            let ctx = ctx.clone();
            match PairLoader::spawn(Arc::new(move || ctx.request_repaint())) {
                Ok(l) => self.loader = Some(l),
                Err(e) => self.loader_error = Some(format!("cannot start the pair loader: {e}")),
            }
        }
        let Some(loader) = &mut self.loader else {
            return;
        };
        let request = PairRequest {
            request: self.asked.as_ref().map_or(0, |a| a.request + 1),
            probe,
            model,
            pair,
        };
        loader.request(request.clone());
        self.asked = Some(request);
        self.reload = false;
        self.waiting = [true, true];
    }

    fn keys(&mut self, ui: &mut egui::Ui, state: &AppState) {
        scrubber::keys(ui, &mut self.playback, state);
    }

    fn step(&mut self, ui: &egui::Ui) {
        scrubber::step(ui, &mut self.playback, &mut self.was_playing);
    }

    /// The model picker, pair browsing and what the selected pair is.
    fn header(
        &mut self,
        ui: &mut egui::Ui,
        project: &Project,
        (pair, pairs): (u64, u64),
        fps: f32,
        actions: &mut Vec<Action>,
    ) {
        ui.horizontal_wrapped(|ui| {
            if project.models.len() > 1 {
                let names: Vec<String> = project.models.iter().map(model_name).collect();
                egui::ComboBox::from_label("input of model")
                    .selected_text(names.get(self.model).cloned().unwrap_or_default())
                    .show_index(ui, &mut self.model, names.len(), |i| {
                        names.get(i).cloned().unwrap_or_default()
                    });
            }
            ui.separator();
            if ui
                .add_enabled(pair > 0, egui::Button::new("< Previous pair"))
                .clicked()
            {
                actions.push(Action::ShowPair(pair - 1));
            }
            let label = ui.label("pair");
            let mut id = pair;
            let drag = egui::DragValue::new(&mut id).range(0..=pairs - 1);
            if ui.add(drag).labelled_by(label.id).changed() {
                actions.push(Action::ShowPair(id));
            }
            ui.label(format!("of {pairs}"));
            if ui
                .add_enabled(pair + 1 < pairs, egui::Button::new("Next pair >"))
                .clicked()
            {
                actions.push(Action::ShowPair(pair + 1));
            }
            // The spinner comes last: placed before the export buttons it
            // moved them when a pair finished loading, under the pointer.
            if let Slot::Ready(p) = &self.selected {
                ui.separator();
                ui.label("Export pair:");
                for (label, file) in [
                    ("PNG", PanelFile::Png),
                    ("SVG", PanelFile::Svg),
                    ("GIF", PanelFile::Gif),
                    ("MP4", PanelFile::Mp4),
                ] {
                    let tip = match file {
                        PanelFile::Png | PanelFile::Svg => {
                            "Both members' frames as strips, labelled, for a slide"
                        }
                        _ => "Both members side by side, playing, with a caption",
                    };
                    if ui.button(label).on_hover_text(tip).clicked() {
                        actions.push(Action::ExportPair {
                            pair: p.clone(),
                            file,
                            fps,
                        });
                    }
                }
            }
            if self.loading() {
                ui.add(egui::Spinner::new());
            }
        });
        match &self.selected {
            Slot::Ready(p) => {
                let class = p.class.as_deref().map(|c| format!(" · class {c}"));
                ui.label(format!(
                    "pair {} · {} · video {}{} ({})",
                    p.spec.id,
                    p.spec.factor.name(),
                    p.video_id,
                    class.unwrap_or_default(),
                    p.video_path.display()
                ));
                for n in &p.notes {
                    ui.weak(n);
                }
            }
            Slot::Failed(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                let hint = "Build the pair again (e.g. once the probe set is in place)";
                if ui.button("Reload").on_hover_text(hint).clicked() {
                    self.reload = true;
                }
            }
            Slot::Empty => {}
        }
        if let Some(e) = &self.loader_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    }

    fn scrubber(&mut self, ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
        scrubber::controls(ui, &mut self.playback, state, actions);
    }
}

/// A project model's display name.
fn model_name(m: &crate::analysis::ModelEntry) -> String {
    m.name
        .clone()
        .or_else(|| m.path.as_ref().map(|p| p.display().to_string()))
        .or_else(|| m.checkpoints.clone())
        .unwrap_or_else(|| "model".into())
}
