//! The project panel: models and their checkpoints, the probe set and its
//! settings, τ, run/cancel with progress, and the messages (warnings and
//! errors, dismissable). Edits become actions; the worker re-reads the
//! project after each (models, probe videos, cached results).

mod advanced;
mod device;
mod job;

#[cfg(test)]
pub(crate) use device::DEVICE_LABEL;
use device::device_problem;
#[cfg(test)]
pub(crate) use job::TAU_LABEL;

use std::path::Path;
use std::sync::OnceLock;

use crate::analysis::{ModelSpec, Project};
use crate::gui::action::{Action, OpenKind};
use crate::gui::state::{AppState, JobStatus};

/// The project panel: models, checkpoints, probe set, run/cancel, progress, messages.
#[derive(Default)]
pub struct ProjectView {
    /// The project's pairs / seed / frames as last seen, and as being edited
    /// (sent when an edit ends, so a drag does not re-read the project every
    /// frame).
    edit: Option<(Edit, Edit)>,
}

/// Numbers being edited.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Edit {
    pairs: usize,
    seed: u64,
    frames: usize,
}

/// The built-in style names (decoding the styles' pictures once).
fn style_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        crate::pairs::builtin_styles()
            .iter()
            .map(|s| s.name().to_string())
            .collect()
    })
}

impl ProjectView {
    /// Draws the view and returns what the user asked for.
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    if ui.button("Open project…").clicked() {
                        actions.push(Action::OpenDialog(OpenKind::Project));
                    }
                    if ui.button("Open report…").clicked() {
                        actions.push(Action::OpenDialog(OpenKind::Report));
                    }
                    if state.project.is_some() {
                        if ui
                            .button("Save")
                            .on_hover_text("Save the project as edited here, with τ (Ctrl+S)")
                            .clicked()
                        {
                            actions.push(Action::SaveProject { as_new: false });
                        }
                        if ui.button("Save as…").clicked() {
                            actions.push(Action::SaveProject { as_new: true });
                        }
                    }
                });
                if state.project.is_some()
                    && ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::S))
                {
                    actions.push(Action::SaveProject { as_new: false });
                }
                if let Some(busy) = &state.busy {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(busy);
                    });
                }
                ui.separator();
                match &state.project {
                    Some(project) => self.project_ui(ui, state, project, actions),
                    None => no_project(ui, state, actions),
                }
                ui.separator();
                job::analysis_ui(ui, state, actions);
                job::messages_ui(ui, state, actions);
            });
    }

    fn project_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        project: &Project,
        actions: &mut Vec<Action>,
    ) {
        let base = state.project_path.as_deref().and_then(Path::parent);
        let name = project.name.as_deref().unwrap_or("untitled");
        ui.heading(name);
        if let Some(p) = &state.project_path {
            ui.weak(short(p, None))
                .on_hover_text(p.display().to_string());
        }
        partial_ui(ui, state);
        let info = state.project_info.as_ref();
        egui::CollapsingHeader::new("Models")
            .default_open(true)
            .show(ui, |ui| {
                match info {
                    Some(i) => models_grid(ui, &i.models, base),
                    None => {
                        ui.weak(format!("{} model entries", project.models.len()));
                    }
                }
                ui.horizontal_wrapped(|ui| {
                    if ui.button("Add model…").clicked() {
                        actions.push(Action::OpenDialog(OpenKind::Model));
                    }
                    if ui.button("Add checkpoints…").clicked() {
                        actions.push(Action::OpenDialog(OpenKind::Checkpoints));
                    }
                });
            });
        egui::CollapsingHeader::new("Probe set")
            .default_open(true)
            .show(ui, |ui| {
                self.probe_ui(ui, state, project, base, actions);
            });
        device::device_ui(ui, state, &project.run.device, actions);
        advanced::advanced_ui(ui, project, actions);
        if let Some(i) = info {
            for p in &i.problems {
                ui.colored_label(ui.visuals().error_fg_color, p);
            }
        }
    }

    fn probe_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        project: &Project,
        base: Option<&Path>,
        actions: &mut Vec<Action>,
    ) {
        let probe = &project.probe;
        ui.horizontal_wrapped(|ui| {
            if probe.videos.as_os_str().is_empty() {
                ui.weak("no folder yet");
            } else {
                ui.label(short(&probe.videos, base))
                    .on_hover_text(probe.videos.display().to_string());
            }
            if ui.button("Probe folder…").clicked() {
                actions.push(Action::OpenDialog(OpenKind::Probe));
            }
        });
        match state.project_info.as_ref().map(|i| &i.probe) {
            Some(Ok(p)) => {
                let skipped = if p.skipped > 0 {
                    format!(" ({} entries skipped)", p.skipped)
                } else {
                    String::new()
                };
                ui.label(format!(
                    "{} videos · layout {}{skipped}",
                    p.videos, p.layout
                ));
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            None => {}
        }
        let model_frames = state
            .project_info
            .as_ref()
            .map_or(&[][..], |i| &i.model_frames[..]);
        let current = Edit {
            pairs: probe.pairs,
            seed: probe.seed,
            // Setting T starts from what the first model asks for.
            frames: probe.frames.unwrap_or_else(|| {
                model_frames
                    .first()
                    .and_then(|f| f.first())
                    .copied()
                    .unwrap_or(8)
            }),
        };
        let (seen, edit) = self.edit.get_or_insert((current, current));
        if *seen != current {
            // Another project opened, or an edit was applied.
            (*seen, *edit) = (current, current);
        }
        let mut ended = false;
        egui::Grid::new("stadyn.project.probe")
            .num_columns(2)
            .show(ui, |ui| {
                let l = ui.label("Pairs");
                let r = ui
                    .add(egui::DragValue::new(&mut edit.pairs).range(2..=1_000_000))
                    .labelled_by(l.id)
                    .on_hover_text("Static and dynamic pairs in the plan");
                ended |= edit_ended(&r);
                ui.end_row();
                let l = ui.label("Seed");
                let r = ui
                    .add(egui::DragValue::new(&mut edit.seed))
                    .labelled_by(l.id);
                ended |= edit_ended(&r);
                ui.end_row();
                let l = ui.label("Frames T");
                ui.horizontal(|ui| {
                    let mut own = probe.frames.is_some();
                    let pathways = state.project_info.as_ref().is_some_and(|i| i.pathways);
                    // A model of pathways takes each pathway's own frames:
                    // T can be unset there, not set.
                    let c = ui
                        .add_enabled(own || !pathways, egui::Checkbox::new(&mut own, "set"))
                        .on_hover_text("Unset: each model's manifest says")
                        .on_disabled_hover_text(
                            "A model of pathways takes each pathway's own frames from its \
                             manifest",
                        );
                    if c.changed() {
                        actions.push(Action::SetFrames(own.then_some(edit.frames)));
                    }
                    if own {
                        let r = ui
                            .add(egui::DragValue::new(&mut edit.frames).range(1..=512))
                            .labelled_by(l.id);
                        if edit_ended(&r) && probe.frames != Some(edit.frames) {
                            actions.push(Action::SetFrames(Some(edit.frames)));
                        }
                    } else {
                        // Not a number of the project's: what the models ask.
                        ui.weak(frames_text(model_frames))
                            .on_hover_text("Each model's manifest: \"a/b\" for a model whose inputs take a and b frames");
                    }
                });
                ui.end_row();
            });
        if ended {
            if edit.pairs != probe.pairs {
                actions.push(Action::SetPairs(edit.pairs));
            }
            if edit.seed != probe.seed {
                actions.push(Action::SetSeed(edit.seed));
            }
        }
        styles_ui(ui, &probe.styles, actions);
    }
}

/// The frames T the models ask for, for the panel: "8", "4/8" for a
/// two-pathway model, "8, 16" for models that differ; "the models'" before
/// they are known.
fn frames_text(model_frames: &[Vec<usize>]) -> String {
    if model_frames.is_empty() {
        return "the models'".into();
    }
    model_frames
        .iter()
        .map(|f| f.iter().map(usize::to_string).collect::<Vec<_>>().join("/"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a number edit is done: a drag let go, a typed value entered, or
/// a change by other means (arrow keys, accessibility).
fn edit_ended(r: &egui::Response) -> bool {
    r.drag_stopped() || r.lost_focus() || (r.changed() && !r.dragged() && !r.has_focus())
}

/// Checkboxes of the built-in styles; none ticked in the project means all.
fn styles_ui(ui: &mut egui::Ui, styles: &[String], actions: &mut Vec<Action>) {
    let names = style_names();
    let on = |n: &String| styles.is_empty() || styles.contains(n);
    let ticked = names.iter().filter(|n| on(n)).count();
    ui.label("Styles (dynamic pairs)");
    ui.horizontal_wrapped(|ui| {
        for name in names {
            let mut checked = on(name);
            let last = checked && ticked == 1;
            let r = ui
                .add_enabled(!last, egui::Checkbox::new(&mut checked, name))
                .on_disabled_hover_text("At least one style is needed");
            if r.changed() {
                let chosen: Vec<String> = names
                    .iter()
                    .filter(|n| if *n == name { checked } else { on(n) })
                    .cloned()
                    .collect();
                let all = chosen.len() == names.len();
                actions.push(Action::SetStyles(if all { Vec::new() } else { chosen }));
            }
        }
    });
}

fn no_project(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    match &state.report_path {
        Some(p) => {
            ui.heading("Report");
            ui.label(short(p, None))
                .on_hover_text(p.display().to_string());
            partial_ui(ui, state);
            ui.weak("A report is read-only: open its project to run it again.");
        }
        None => {
            ui.label("No project open. Open a project or a report, or start one:");
        }
    }
    ui.horizontal_wrapped(|ui| {
        if ui.button("Add model…").clicked() {
            actions.push(Action::OpenDialog(OpenKind::Model));
        }
        if ui.button("Add checkpoints…").clicked() {
            actions.push(Action::OpenDialog(OpenKind::Checkpoints));
        }
    });
}

/// "partial: 120 of 400 pairs" when the report shown is one of a run that
/// stopped early (or a merge of some shards).
fn partial_ui(ui: &mut egui::Ui, state: &AppState) {
    if let Some(note) = state.partial_note() {
        ui.colored_label(ui.visuals().warn_fg_color, note)
            .on_hover_text(
                "The results shown are of the pairs done so far: the shares and intervals \
                 of the whole plan may differ",
            );
    }
}

/// One row per model: name, checkpoints, epochs, file (or folder).
fn models_grid(ui: &mut egui::Ui, models: &[ModelSpec], base: Option<&Path>) {
    if models.is_empty() {
        ui.weak("No models yet.");
        return;
    }
    egui::Grid::new("stadyn.project.models")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            ui.strong("Model");
            ui.strong("Ckpts");
            ui.strong("Epochs");
            ui.strong("File");
            ui.end_row();
            for group in models.chunk_by(|a, b| a.name == b.name) {
                let first = &group[0];
                ui.label(&first.name);
                ui.label(group.len().to_string());
                let epochs: Vec<f64> = group.iter().filter_map(|m| m.epoch).collect();
                ui.label(epoch_range(&epochs));
                let shown = if first.checkpoint.is_some() {
                    first.path.parent().unwrap_or(&first.path)
                } else {
                    &first.path
                };
                // The last part only, so that the panel stays narrow; the
                // whole path on hover.
                let name = shown
                    .file_name()
                    .map_or_else(|| short(shown, base), |n| n.to_string_lossy().into_owned());
                ui.label(name).on_hover_text(shown.display().to_string());
                ui.end_row();
            }
        });
}

/// "0–10", "3", or "—".
fn epoch_range(epochs: &[f64]) -> String {
    let lo = epochs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = epochs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if epochs.is_empty() {
        "—".into()
    } else if lo == hi {
        format!("{lo}")
    } else {
        format!("{lo}–{hi}")
    }
}

/// A path relative to `base` when under it, else its last two components.
fn short(p: &Path, base: Option<&Path>) -> String {
    if let Some(rel) = base.and_then(|b| p.strip_prefix(b).ok()) {
        return rel.display().to_string();
    }
    let n = p.components().count();
    p.components()
        .skip(n.saturating_sub(2))
        .collect::<std::path::PathBuf>()
        .display()
        .to_string()
}

/// Why Run cannot start now (empty: it can). A job that runs is no reason
/// shown to the user (Cancel is beside Run), but Run waits for it too.
pub(crate) fn run_blockers(state: &AppState) -> Vec<String> {
    let Some(project) = &state.project else {
        return vec![match state.report_path {
            Some(_) => "a report is read-only: open its project to run it".into(),
            None => "no project open: open one, or add a model".into(),
        }];
    };
    if state.busy.is_some() {
        return vec!["the project is still opening".into()];
    }
    let mut reasons = Vec::new();
    // What the worker found when it last looked at the project.
    if let Some(info) = &state.project_info {
        if let Err(e) = &info.probe {
            reasons.push(e.clone());
        }
        reasons.extend(info.problems.iter().cloned());
        if let Some(why) = device_problem(&project.run.device, &state.devices) {
            reasons.push(why);
        }
    }
    reasons
}

/// Whether Run can start now.
pub(crate) fn can_run(state: &AppState) -> bool {
    run_blockers(state).is_empty()
        && !matches!(
            state.job,
            JobStatus::Running { .. } | JobStatus::Cancelling { .. }
        )
}
