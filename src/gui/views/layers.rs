//! Layers: stacked dynamic / static / residual bars per layer (95 %
//! intervals as whiskers), one group per model at the selected checkpoint
//! (or, toggled, one per checkpoint of the selected model), and beside them
//! the channel-category shares of the same layers.
//!
//! Clicking a bar selects its layer (and its model and checkpoint); the
//! selected layer is outlined. The layout is rebuilt only when the derived
//! data (report, τ, selection) or a toggle changes.

use egui::Id;

use super::plot_bars::{BarGroup, BarHit, BarKind, BarLayout, BarSlot};
use super::plot_common::{
    category_name, checkpoint_slider, entry_label, pct, pct_ci, selected_categories,
    selection_summary, tooltip,
};
use super::plot_stack::show_stacked;
use crate::figure::ModelGroup;
use crate::gui::action::Action;
use crate::gui::state::{AppState, LayersShow};
use crate::stats::Category;

/// Global id of the factor-bar plot (tests read its transform).
pub(crate) const BARS_PLOT: &str = "stadyn.layers.bars";
/// Global id of the category-share plot.
pub(crate) const SHARES_PLOT: &str = "stadyn.layers.shares";

/// Layers: stacked dynamic / static / residual bars per layer, with intervals and channel-category shares.
#[derive(Default)]
pub struct LayersView {
    /// The layout and what it was built from.
    cache: Option<((u64, bool, bool), BarLayout)>,
}

impl LayersView {
    /// Draws the view and returns what the user asked for.
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
        let Some(report) = state.report.as_deref() else {
            ui.label("No results yet: run the project, or open a report.");
            return;
        };
        let show = state.settings.layers_show;
        ui.horizontal_wrapped(|ui| {
            ui.label("Show:");
            for s in LayersShow::ALL {
                let hint = match s {
                    LayersShow::Bars => "The shares of each layer, and its channel categories",
                    LayersShow::Convergence => {
                        "Each layer's shares against the pairs measured: were they enough?"
                    }
                    LayersShow::Strength => {
                        "Each layer's shares against the strength of the built-in styles \
                         (the results of `stadyn sweep`)"
                    }
                };
                if ui
                    .selectable_label(show == s, s.label())
                    .on_hover_text(hint)
                    .clicked()
                {
                    actions.push(Action::SetLayersShow(s));
                }
            }
            if show != LayersShow::Bars {
                ui.separator();
                super::plot_common::model_combo(ui, state, actions);
                if has_checkpoints(state) {
                    checkpoint_slider(ui, state, actions);
                }
            }
        });
        match show {
            LayersShow::Bars => {}
            LayersShow::Convergence => {
                return super::robustness::convergence_ui(ui, state, actions);
            }
            LayersShow::Strength => return super::robustness::strength_ui(ui, state, actions),
        }
        let mut by_checkpoint = state.settings.layers_by_checkpoint;
        ui.horizontal_wrapped(|ui| {
            let mut horizontal = state.settings.layers_horizontal;
            if ui.checkbox(&mut horizontal, "Horizontal bars").changed() {
                actions.push(Action::SetLayersHorizontal(horizontal));
            }
            let r = ui
                .add_enabled(
                    has_checkpoints(state),
                    egui::Checkbox::new(&mut by_checkpoint, "Group by checkpoint"),
                )
                .on_hover_text(
                    "Show every checkpoint of the selected model instead of one group per model",
                );
            if r.changed() {
                actions.push(Action::SetLayersByCheckpoint(by_checkpoint));
            }
            ui.separator();
            ui.label(format!("τ = {:.2}", state.settings.tau));
            if has_checkpoints(state) && !grouped_by_checkpoint(state) {
                // The checkpoint the bars show (shared with Channels and
                // Training), said and changeable here.
                ui.separator();
                checkpoint_slider(ui, state, actions);
            }
        });
        let by_checkpoint = grouped_by_checkpoint(state);
        let horizontal = state.settings.layers_horizontal;
        let key = (state.derived.generation, horizontal, by_checkpoint);
        if self.cache.as_ref().is_none_or(|(k, _)| *k != key) {
            let groups = bar_groups(state, by_checkpoint);
            let layout = BarLayout::new(report, &state.derived.bars, groups, horizontal);
            self.cache = Some((key, layout));
        }
        let Some((_, layout)) = &self.cache else {
            return;
        };
        let selected = state
            .selected_entry()
            .zip(state.selection.layer.as_deref())
            .and_then(|(e, l)| layout.slot_of(e, l));
        ui.label(summary(state, layout, selected));
        ui.separator();

        let mut clicked = None;
        egui::Panel::right("stadyn.layers.shares.panel")
            .resizable(true)
            .default_size(320.0)
            .show(ui, |ui| {
                ui.label("Channel categories at τ");
                let (r, resp) = show_stacked(
                    ui,
                    Id::unique(SHARES_PLOT),
                    layout,
                    BarKind::Categories,
                    selected,
                );
                if let Some(slot) = r.hovered.and_then(|h| layout.slots.get(h.slot)) {
                    tooltip(&resp, |ui| {
                        category_tooltip(ui, slot, state.settings.tau);
                    });
                }
                clicked = clicked.or(r.clicked);
            });
        let (r, resp) = show_stacked(
            ui,
            Id::unique(BARS_PLOT),
            layout,
            BarKind::Factors,
            selected,
        );
        if let Some(h) = r.hovered {
            tooltip(&resp, |ui| factor_tooltip(ui, report, layout, h));
        }
        if let Some(slot) = r.clicked.or(clicked) {
            select_slot(state, layout, slot, actions);
        }
    }
}

/// Whether the selected model has several checkpoints.
fn has_checkpoints(state: &AppState) -> bool {
    state
        .derived
        .groups
        .get(state.selection.group)
        .is_some_and(|g| g.entries.len() > 1)
}

/// Whether the bars are grouped by checkpoint: asked, and the selected model
/// has checkpoints.
pub(crate) fn grouped_by_checkpoint(state: &AppState) -> bool {
    state.settings.layers_by_checkpoint && has_checkpoints(state)
}

/// The groups the bars show: one per model at the selected checkpoint (other
/// models at their checkpoint nearest in epoch), or, `by_checkpoint`, every
/// checkpoint of the selected model.
pub(crate) fn bar_groups(state: &AppState, by_checkpoint: bool) -> Vec<BarGroup> {
    let (Some(report), groups) = (state.report.as_deref(), &state.derived.groups) else {
        return Vec::new();
    };
    let sel = &state.selection;
    let selected_epoch = state
        .selected_entry()
        .and_then(|e| report.models.get(e))
        .and_then(|m| m.epoch);
    let group_of = |gi: usize, k: usize, entry: usize, label: String| BarGroup {
        label,
        group: gi,
        checkpoint: k,
        entry,
    };
    if by_checkpoint {
        return groups.get(sel.group).map_or_else(Vec::new, |g| {
            g.entries
                .iter()
                .enumerate()
                .map(|(k, &e)| group_of(sel.group, k, e, entry_label(report, e, false)))
                .collect()
        });
    }
    groups
        .iter()
        .enumerate()
        .filter_map(|(gi, g)| {
            let last = g.entries.len().checked_sub(1)?;
            let k = if gi == sel.group {
                sel.checkpoint.min(last)
            } else {
                // Without epochs to match: the final checkpoint.
                nearest_checkpoint(report, g, selected_epoch).unwrap_or(last)
            };
            let entry = *g.entries.get(k)?;
            let label = if g.entries.len() > 1 {
                entry_label(report, entry, true)
            } else {
                g.name.clone()
            };
            Some(group_of(gi, k, entry, label))
        })
        .collect()
}

/// The checkpoint of `g` whose epoch is nearest to `epoch` (`None` when
/// either is unknown).
fn nearest_checkpoint(
    report: &crate::report::Report,
    g: &ModelGroup,
    epoch: Option<f64>,
) -> Option<usize> {
    let epoch = epoch?;
    g.entries
        .iter()
        .enumerate()
        .filter_map(|(k, &e)| Some((k, (report.models.get(e)?.epoch? - epoch).abs())))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(k, _)| k)
}

/// Emits what clicking slot `slot` means: its model, checkpoint and layer.
fn select_slot(state: &AppState, layout: &BarLayout, slot: usize, actions: &mut Vec<Action>) {
    let Some(s) = layout.slots.get(slot) else {
        return;
    };
    let Some(g) = layout.groups.get(s.group) else {
        return;
    };
    if g.group != state.selection.group {
        actions.push(Action::SelectModel(g.group));
        actions.push(Action::SelectCheckpoint(g.checkpoint));
    } else if Some(g.entry) != state.selected_entry() {
        actions.push(Action::SelectCheckpoint(g.checkpoint));
    }
    actions.push(Action::SelectLayer(s.bar.layer.clone()));
}

/// "Selected: cnn3d · epoch 3 · conv2 (…) — 3 selected: 2 static, 1 none".
fn summary(state: &AppState, layout: &BarLayout, selected: Option<usize>) -> String {
    let Some(s) = selected.and_then(|i| layout.slots.get(i)) else {
        return "Click a bar to select its layer.".to_string();
    };
    let cats = selected_categories(&state.derived.points, &state.selection.channels);
    let entry = state
        .report
        .as_deref()
        .map_or_else(String::new, |r| entry_label(r, s.bar.model_index, true));
    format!(
        "Selected: {} · {} ({} channels, {} unassigned at τ) — {}",
        entry,
        s.bar.layer,
        s.bar.channels,
        s.bar.counts.unassigned,
        selection_summary(cats)
    )
}

/// The hover text of a factor bar: exact shares, intervals, dims, channels, pairs.
fn factor_tooltip(
    ui: &mut egui::Ui,
    report: &crate::report::Report,
    layout: &BarLayout,
    h: BarHit,
) {
    let Some(s) = layout.slots.get(h.slot) else {
        return;
    };
    ui.strong(format!(
        "{} — {}",
        entry_label(report, s.bar.model_index, true),
        s.bar.layer
    ));
    egui::Grid::new("factor_tooltip")
        .num_columns(4)
        .show(ui, |ui| {
            ui.label("");
            ui.label("share");
            ui.label("95 % CI");
            ui.label("dims");
            ui.end_row();
            for (k, name) in ["dynamic", "static", "residual"].iter().enumerate() {
                let text = egui::RichText::new(*name);
                ui.label(if h.segment == Some(k) {
                    text.strong()
                } else {
                    text
                });
                ui.label(pct(s.bar.pct[k]));
                ui.label(s.bar.ci.map_or("—".to_string(), |ci| pct_ci(ci[k])));
                ui.label(s.dims[k].to_string());
                ui.end_row();
            }
        });
    ui.label(format!(
        "{} channels · pairs: {} dynamic, {} static",
        s.bar.channels, s.pairs[0], s.pairs[1]
    ));
}

/// The hover text of a category bar: channels per category.
fn category_tooltip(ui: &mut egui::Ui, s: &BarSlot, tau: f64) {
    ui.strong(format!(
        "{} — {} channels at τ = {tau:.2}",
        s.bar.layer, s.bar.channels
    ));
    egui::Grid::new("category_tooltip")
        .num_columns(3)
        .show(ui, |ui| {
            for c in Category::ALL {
                ui.label(category_name(c));
                ui.label(s.bar.counts.get(c).to_string());
                ui.label(pct(s.bar.category_pct(c)));
                ui.end_row();
            }
        });
}
