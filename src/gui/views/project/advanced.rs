//! The project's settings the panel does not show at first sight, in an
//! "Advanced" section: bootstrap replicates, frames' window, probe layout,
//! batch size and threads. Each edit is an `Action::EditProject` the app
//! applies like the others (the job identity follows, and so the cache).

use crate::analysis::{Project, limits};
use crate::gui::action::{Action, ProjectEdit};
use crate::video::Layout;

/// The "Advanced" section.
pub(super) fn advanced_ui(ui: &mut egui::Ui, project: &Project, actions: &mut Vec<Action>) {
    egui::CollapsingHeader::new("Advanced")
        .id_salt("stadyn.project.advanced")
        .default_open(false)
        .show(ui, |ui| {
            egui::Grid::new("stadyn.project.advanced.grid")
                .num_columns(2)
                .show(ui, |ui| rows(ui, project, actions));
        });
}

fn rows(ui: &mut egui::Ui, project: &Project, actions: &mut Vec<Action>) {
    let mut b = project.estimator.bootstrap;
    let l = ui.label("Bootstrap");
    let r = ui
        .add(egui::DragValue::new(&mut b).range(0..=limits::MAX_BOOTSTRAP))
        .labelled_by(l.id)
        .on_hover_text("Replicates of the 95 % intervals (0: none)");
    if r.changed() && b != project.estimator.bootstrap {
        actions.push(Action::EditProject(ProjectEdit::Bootstrap(b)));
    }
    ui.end_row();
    optional(
        ui,
        ("Window W", "frames the model's T frames are sampled from"),
        project.probe.window,
        (1, limits::MAX_FRAMES),
        ProjectEdit::Window,
        actions,
    );
    let l = ui.label("Layout");
    let name = project.probe.layout.map_or("detected", |l| l.name());
    egui::ComboBox::from_id_salt("stadyn.project.layout")
        .selected_text(name)
        .show_ui(ui, |ui| {
            let mut choice = project.probe.layout;
            ui.selectable_value(&mut choice, None, "detected");
            for layout in Layout::ALL {
                ui.selectable_value(&mut choice, Some(layout), layout.name());
            }
            if choice != project.probe.layout {
                actions.push(Action::EditProject(ProjectEdit::Layout(choice)));
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    let mut batch = project.run.batch;
    let l = ui.label("Batch");
    let r = ui
        .add(egui::DragValue::new(&mut batch).range(0..=limits::MAX_BATCH))
        .labelled_by(l.id)
        .on_hover_text("Pairs per model batch (0: sized to memory)");
    if r.changed() && batch != project.run.batch {
        actions.push(Action::EditProject(ProjectEdit::Batch(batch)));
    }
    ui.end_row();
    optional(
        ui,
        ("Threads", "libtorch threads (unset: every core)"),
        project.run.threads,
        (1, limits::MAX_THREADS),
        ProjectEdit::Threads,
        actions,
    );
}

/// A row of an optional number: a "set" box and its value.
fn optional(
    ui: &mut egui::Ui,
    (label, tip): (&str, &str),
    value: Option<usize>,
    (lo, hi): (usize, usize),
    edit: impl Fn(Option<usize>) -> ProjectEdit,
    actions: &mut Vec<Action>,
) {
    let l = ui.label(label);
    ui.horizontal(|ui| {
        let mut own = value.is_some();
        let mut v = value.unwrap_or(lo.max(8).min(hi));
        if ui.checkbox(&mut own, "set").on_hover_text(tip).changed() {
            actions.push(Action::EditProject(edit(own.then_some(v))));
        }
        let r = ui
            .add_enabled(own, egui::DragValue::new(&mut v).range(lo..=hi))
            .labelled_by(l.id);
        if own && r.changed() && value != Some(v) {
            actions.push(Action::EditProject(edit(Some(v))));
        }
    });
    ui.end_row();
}
