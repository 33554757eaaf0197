//! Channels: the ρ_S–ρ_D scatter of the selected layer at the selected
//! checkpoint, coloured by category at τ, with the τ lines and a τ slider.
//!
//! Click selects a channel (shift adds, ctrl/cmd toggles), dragging selects
//! a box (same modifiers), a click on empty space clears. When the
//! checkpoint changes the points glide from their old to their new places
//! over `settings.glide_secs` (their colours change on arrival); with
//! `settings.trails` each selected channel's path across the checkpoints is
//! drawn. The table beside lists the selected
//! channels, sortable by any column.

use std::collections::BTreeSet;
use std::sync::Arc;

use egui::Id;
use egui_plot::PlotPoint;

use super::plot_categories::{Axis, category_areas};
use super::plot_common::{
    category_name, checkpoint_slider, ease, entry_label, lerp, rho, selected_categories,
    selection_summary, tooltip,
};
use super::plot_scatter::{
    Look, ScatterData, ScatterInput, Shown, axis_lower, emit_selection, radius_for, show_scatter,
};
use super::plot_table::SelectedTable;
use crate::figure::{CategoryCurve, ChannelPoint, STABLE, tau_grid, tau_sweep};
use crate::gui::action::{Action, SelectMode};
use crate::gui::state::AppState;
use crate::report::Report;

/// Global id of the scatter plot (tests read its transform).
pub(crate) const SCATTER_PLOT: &str = "stadyn.channels.scatter";
/// At most this many selected channels get a trail.
pub(crate) const MAX_TRAILS: usize = 200;

/// Channels: the ρ_S–ρ_D scatter of the selected layer, with τ lines and selection.
#[derive(Default)]
pub struct ChannelsView {
    /// The plotted data and what it was made from.
    scatter: Option<Scatter>,
    /// A running checkpoint transition.
    anim: Option<Anim>,
    /// Start of a box selection (plot coordinates).
    drag_from: Option<[f64; 2]>,
    /// The table of selected channels.
    table: SelectedTable,
    /// The panel of one selected channel (its maps, top windows, pairs).
    panel: super::channel_panel::ChannelPanel,
    /// The τ sweep of the shown layer, for (entry, layer).
    sweep: Option<((usize, String), CategoryCurve)>,
    /// Whether the grid of every checkpoint's scatter is shown instead.
    show_multiples: bool,
    /// The channel under the pointer when the button last went down.
    pressed_on: Option<usize>,
    /// That grid.
    multiples: super::multiples::Multiples,
}

/// The scatter of one derived generation.
struct Scatter {
    generation: u64,
    group: usize,
    entry: Option<usize>,
    layer: Option<String>,
    data: ScatterData,
    shown: Shown,
    /// The selection the rings and trails were made for, and the trails flag.
    made_for: (BTreeSet<usize>, bool),
    track: Track,
    trails: Vec<Vec<PlotPoint>>,
}

/// Positions of the selected layer's channels at every checkpoint of the
/// selected model (for trails and a stable axis range).
#[derive(Default)]
pub(crate) struct Track {
    report: Option<Arc<Report>>,
    group: usize,
    layer: Option<String>,
    /// `[checkpoint][channel]`: `[ρ_S, ρ_D]`, `None` where undefined.
    pub per_checkpoint: Vec<Vec<Option<[f64; 2]>>>,
    /// Axis minimum over all of them.
    pub lower: f64,
}

impl Track {
    /// The track of `state`'s selected model and layer.
    pub(crate) fn new(state: &AppState) -> Self {
        let (report, group, layer) = (
            state.report.clone(),
            state.selection.group,
            state.selection.layer.clone(),
        );
        let mut per_checkpoint = Vec::new();
        let mut min = 0.0f64;
        if let (Some(r), Some(g), Some(name)) = (&report, state.derived.groups.get(group), &layer) {
            for &e in &g.entries {
                let layers = r.models.get(e).map_or(&[][..], |m| &m.layers[..]);
                let Some(l) = layers.iter().find(|l| &l.name == name) else {
                    continue;
                };
                let row: Vec<Option<[f64; 2]>> = l
                    .units
                    .rho_static
                    .iter()
                    .zip(&l.units.rho_dynamic)
                    .map(|(s, d)| s.zip(*d).map(|(s, d)| [s, d]))
                    .collect();
                min = row.iter().flatten().flatten().copied().fold(min, f64::min);
                per_checkpoint.push(row);
            }
        }
        Self {
            report,
            group,
            layer,
            per_checkpoint,
            lower: axis_lower(min),
        }
    }

    /// Whether it was made for `state`'s report, model and layer.
    fn is_for(&self, state: &AppState) -> bool {
        let same_report = match (&self.report, &state.report) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_report && self.group == state.selection.group && self.layer == state.selection.layer
    }

    /// The paths of `channels` (at most [`MAX_TRAILS`]) across checkpoints.
    pub(crate) fn trails<'a>(
        &self,
        channels: impl IntoIterator<Item = &'a usize>,
    ) -> Vec<Vec<PlotPoint>> {
        if self.per_checkpoint.len() < 2 {
            return Vec::new();
        }
        channels
            .into_iter()
            .take(MAX_TRAILS)
            .map(|&c| {
                self.per_checkpoint
                    .iter()
                    .filter_map(|row| row.get(c).copied().flatten())
                    .map(|p| PlotPoint::new(p[0], p[1]))
                    .collect()
            })
            .collect()
    }
}

/// A transition from the previous checkpoint's positions.
struct Anim {
    /// Start position per point of the new data.
    from: Vec<[f64; 2]>,
    /// Colour per point of the new data until it arrives (its old one).
    looks: Vec<Look>,
    /// Seconds the glide takes.
    secs: f64,
    /// When it started (`InputState::time`).
    start: f64,
}

impl ChannelsView {
    /// Draws the view and returns what the user asked for.
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
        let Some(report) = state.report.as_deref() else {
            ui.label("No results yet: run the project, or open a report.");
            return;
        };
        self.controls(ui, state, report, actions);
        let checkpoints = state
            .derived
            .groups
            .get(state.selection.group)
            .map_or(0, |g| g.entries.len());
        if self.show_multiples && checkpoints > 1 {
            ui.separator();
            if let Some(k) = self.multiples.ui(ui, state) {
                self.show_multiples = false;
                actions.push(Action::SelectCheckpoint(k));
            }
            return;
        }
        let now = ui.input(|i| i.time);
        self.update(state, now);
        if self.anim.is_some() {
            ui.ctx().request_repaint();
        }
        let Some(sc) = &self.scatter else { return };
        ui.label(format!(
            "{} · {} — {} channels plotted, {} with an undefined ρ (not plotted)",
            state
                .selected_entry()
                .map_or(String::new(), |e| entry_label(report, e, true)),
            sc.layer.as_deref().unwrap_or("no layer"),
            sc.data.points.len(),
            state.derived.undefined,
        ));
        ui.separator();
        let single = state.selection.channels.first().copied();
        if let Some(channel) = single.filter(|_| state.selection.channels.len() == 1) {
            let point = sc.data.index_of(channel).map(|i| sc.data.points[i]);
            egui::Panel::bottom("stadyn.channels.panel")
                .resizable(true)
                .default_size(380.0)
                .show(ui, |ui| {
                    self.panel.ui(ui, state, point.as_ref(), channel, actions);
                });
        } else {
            self.panel.prepare(ui.ctx(), state);
        }
        egui::Panel::right("stadyn.channels.table.panel")
            .resizable(true)
            .default_size(300.0)
            .show(ui, |ui| {
                sweep_ui(&mut self.sweep, ui, state, report, actions);
                let cats = selected_categories(&state.derived.points, &state.selection.channels);
                ui.horizontal_wrapped(|ui| {
                    ui.label(selection_summary(cats));
                    let some = !state.selection.channels.is_empty();
                    if ui
                        .add_enabled(some, egui::Button::new("Export channels…"))
                        .on_hover_text(
                            "The selected channels as JSON: ρ with intervals, category and \
                             stability at this τ (tools/train_demo.py --sd-channels reads it)",
                        )
                        .clicked()
                    {
                        actions.push(Action::ExportSelection);
                    }
                });
                if let Some(c) = self.table.ui(
                    ui,
                    state.derived.generation,
                    &state.selection.channels,
                    &sc.data,
                ) {
                    actions.push(Action::SelectChannels {
                        channels: vec![c],
                        mode: SelectMode::Toggle,
                    });
                }
            });
        let n = sc.data.points.len();
        let input = ScatterInput {
            shown: &sc.shown,
            trails: &sc.trails,
            moves: None,
            tau: state.settings.tau,
            lower: sc.track.lower,
            radius: radius_for(n),
        };
        let (mut r, resp) = show_scatter(ui, Id::unique(SCATTER_PLOT), &input, &mut self.drag_from);
        // A click selects the channel that was under the pointer when the
        // button went down, even if the points moved before it came up (new
        // results arriving, a glide): the selection holds channel ids.
        let pressed = ui.input(|i| i.pointer.any_pressed());
        let held = if pressed {
            r.hovered.map(|i| sc.data.points[i].channel)
        } else {
            self.pressed_on
        };
        if let (Some((hit, mode)), Some(ch)) = (r.clicked, held)
            && hit.and_then(|i| sc.data.points.get(i)).map(|p| p.channel) != Some(ch)
            && let Some(i) = sc.data.index_of(ch)
        {
            r.clicked = Some((Some(i), mode));
        }
        if let Some(i) = r.hovered {
            let p = sc.data.points[i];
            tooltip(&resp, |ui| {
                ui.strong(format!("channel {}", p.channel));
                ui.label(format!("ρ_S = {}", rho(p.rho_static)));
                ui.label(format!("ρ_D = {}", rho(p.rho_dynamic)));
                ui.label(format!(
                    "{} at τ = {:.2}",
                    category_name(p.category),
                    state.settings.tau
                ));
                for line in uncertainty_lines(&p) {
                    ui.label(line);
                }
            });
        }
        emit_selection(&r, &sc.data, !state.selection.channels.is_empty(), actions);
        if pressed {
            self.pressed_on = held;
        }
    }

    /// The τ slider, trails, the layer and checkpoint pickers, and the
    /// switch to every checkpoint's scatter.
    fn controls(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        report: &Report,
        actions: &mut Vec<Action>,
    ) {
        ui.horizontal_wrapped(|ui| {
            let mut tau = state.settings.tau;
            if ui
                .add(
                    egui::Slider::new(&mut tau, 0.0..=1.0)
                        .step_by(0.01)
                        .text("τ"),
                )
                .on_hover_text(super::explain::TAU_RULE)
                .changed()
            {
                actions.push(Action::SetTau(tau));
            }
            let layers = state
                .selected_entry()
                .and_then(|e| report.models.get(e))
                .map(|m| &m.layers);
            let current = state.selection.layer.clone().unwrap_or_default();
            egui::ComboBox::from_label("layer")
                .selected_text(&current)
                .show_ui(ui, |ui| {
                    for l in layers.into_iter().flatten() {
                        if ui.selectable_label(l.name == current, &l.name).clicked()
                            && l.name != current
                        {
                            actions.push(Action::SelectLayer(l.name.clone()));
                        }
                    }
                });
            let mut trails = state.settings.trails;
            if ui
                .checkbox(&mut trails, "Trails")
                .on_hover_text("Paths of the selected channels across checkpoints")
                .changed()
            {
                actions.push(Action::SetTrails(trails));
            }
            if ui
                .add_enabled(
                    !state.selection.channels.is_empty(),
                    egui::Button::new("Clear selection"),
                )
                .clicked()
            {
                actions.push(Action::ClearChannels);
            }
            let several = state
                .derived
                .groups
                .get(state.selection.group)
                .is_some_and(|g| g.entries.len() > 1);
            if several {
                ui.checkbox(&mut self.show_multiples, "all checkpoints")
                    .on_hover_text(
                        "The layer's scatter at every checkpoint in a grid (same axes); \
                         click one to open it",
                    );
            }
            checkpoint_slider(ui, state, actions);
        });
    }

    /// Where the points are drawn now (`None` before the first frame).
    #[cfg(test)]
    pub(crate) fn shown_positions(&self) -> Option<&[[f64; 2]]> {
        self.scatter.as_ref().map(|s| s.shown.positions.as_slice())
    }

    /// How many points are drawn in each category's colour now.
    #[cfg(test)]
    pub(crate) fn shown_counts(&self) -> Option<[usize; 5]> {
        let s = &self.scatter.as_ref()?.shown;
        Some(std::array::from_fn(|k| {
            s.buckets[k].len() + s.faded[k].len()
        }))
    }

    /// Brings the cached scatter up to date with `state` at time `now`
    /// (seconds, as `InputState::time`).
    pub(crate) fn update(&mut self, state: &AppState, now: f64) {
        let entry = state.selected_entry();
        let stale = self
            .scatter
            .as_ref()
            .is_none_or(|s| s.generation != state.derived.generation);
        if stale {
            let data = ScatterData::new(&state.derived.points);
            let old = self.scatter.take();
            let same_view = old.as_ref().is_some_and(|o| {
                o.group == state.selection.group && o.layer == state.selection.layer
            });
            match old.as_ref().filter(|_| same_view) {
                Some(o) if o.entry != entry && state.settings.glide_secs > 0.0 => {
                    let (from, looks) = data
                        .points
                        .iter()
                        .zip(&data.positions)
                        .map(|(p, &to)| match o.data.index_of(p.channel) {
                            Some(i) => (o.shown.positions[i], Look::of(&o.data.points[i])),
                            None => (to, Look::of(p)),
                        })
                        .unzip();
                    self.anim = Some(Anim {
                        from,
                        looks,
                        secs: f64::from(state.settings.glide_secs),
                        start: now,
                    });
                }
                Some(o) if o.entry != entry => self.anim = None,
                // Same checkpoint (τ changed): a running transition goes on.
                Some(_) => {}
                None => self.anim = None,
            }
            let track = match old {
                Some(o) if o.track.is_for(state) => o.track,
                _ => Track::new(state),
            };
            self.scatter = Some(Scatter {
                generation: state.derived.generation,
                group: state.selection.group,
                entry,
                layer: state.selection.layer.clone(),
                shown: Shown::new(&data, data.positions.clone(), &state.selection.channels),
                data,
                made_for: (BTreeSet::new(), false),
                track,
                trails: Vec::new(),
            });
        }
        let Some(sc) = self.scatter.as_mut() else {
            return;
        };
        // Compared in place: cloning a large selection every frame is not free.
        let (selection, trails) = (&state.selection.channels, state.settings.trails);
        if stale || sc.made_for.0 != *selection || sc.made_for.1 != trails {
            sc.trails = if trails {
                sc.track.trails(selection)
            } else {
                Vec::new()
            };
            sc.shown = Shown::new(&sc.data, sc.shown.positions.clone(), selection);
            sc.made_for = (selection.clone(), trails);
        }
        if let Some(a) = &self.anim {
            let t = (now - a.start) / a.secs;
            sc.shown = if t >= 1.0 {
                self.anim = None;
                Shown::new(
                    &sc.data,
                    sc.data.positions.clone(),
                    &state.selection.channels,
                )
            } else {
                let e = ease(t);
                let positions = a
                    .from
                    .iter()
                    .zip(&sc.data.positions)
                    .map(|(&f, &to)| lerp(f, to, e))
                    .collect();
                // Colours change on arrival, not before.
                Shown::looking(&sc.data, positions, &state.selection.channels, &a.looks)
            };
        }
    }
}

/// The tooltip's lines on a channel's uncertainty: its intervals and how
/// stable its category is (or why that is not known).
pub(crate) fn uncertainty_lines(p: &ChannelPoint) -> Vec<String> {
    let mut lines = Vec::new();
    match p.ci {
        Some([s, d]) => {
            lines.push(format!("ρ_S 95 %: [{}, {}]", rho(s[0]), rho(s[1])));
            lines.push(format!("ρ_D 95 %: [{}, {}]", rho(d[0]), rho(d[1])));
        }
        None => lines.push("no intervals (run with per-channel bootstrap)".into()),
    }
    lines.push(match p.stability {
        Some(s) if s >= STABLE => {
            format!("category stable: {:.0} % of replicates agree", 100.0 * s)
        }
        Some(s) => format!("category uncertain: {:.0} % of replicates agree", 100.0 * s),
        None => "stability unknown at this τ (needs the statistics)".into(),
    });
    lines
}

/// Channels per category of the shown layer against τ (from the stored
/// ρ), the current τ marked; a click sets τ there.
fn sweep_ui(
    cache: &mut Option<((usize, String), CategoryCurve)>,
    ui: &mut egui::Ui,
    state: &AppState,
    report: &Report,
    actions: &mut Vec<Action>,
) {
    let (Some(entry), Some(layer)) = (state.selected_entry(), state.selection.layer.as_ref())
    else {
        return;
    };
    let key = (entry, layer.clone());
    if cache.as_ref().is_none_or(|(k, _)| *k != key) {
        let l = report
            .models
            .get(entry)
            .and_then(|m| m.layers.iter().find(|l| &l.name == layer));
        *cache = l.map(|l| (key, tau_sweep(l, &tau_grid())));
    }
    let Some((_, sweep)) = cache.as_ref() else {
        return;
    };
    egui::CollapsingHeader::new("Categories against τ")
        .default_open(true)
        .show(ui, |ui| {
            let axis = Axis {
                label: "τ",
                range: [0.0, 1.0],
                marker: Some(state.settings.tau),
                height: 110.0,
            };
            if let Some(k) = category_areas(ui, sweep, &axis) {
                actions.push(Action::SetTau(sweep.xs[k]));
            }
        })
        .header_response
        .on_hover_text(
            "How many channels fall in each category at every τ, from the stored ρ: \
             a channel is dynamic when ρ_D > τ and ρ_S < τ, static when ρ_S > τ and \
             ρ_D < τ, joint when both exceed τ, none when both are below, unassigned \
             when a ρ equals τ or is undefined. Click to \
             set τ there.",
        );
}
