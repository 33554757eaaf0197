//! Compare: two entries (two models, or two checkpoints of one model) side
//! by side — their layer bars, the scatters of one layer they share, and the
//! channels whose category differs between them (counts per from → to;
//! clicking a count selects those channels).

use std::collections::BTreeSet;

use egui::{Id, vec2};
use egui_plot::PlotPoint;

use super::plot_bars::{BarGroup, BarKind, BarLayout};
use super::plot_common::{category_name, entry_label, pct, pct_ci, rho, tooltip};
use super::plot_scatter::{
    Moves, ScatterData, ScatterInput, Shown, axis_lower, emit_selection, radius_for, show_scatter,
};
use super::plot_stack::show_stacked;
use crate::compare::{
    ChannelMove, DeltaRow, channel_moves, channels_correspond, deltas, why_not_channels,
};
use crate::figure::{CategoryChange, category_changes, channel_points};
use crate::gui::action::{Action, SelectMode, Tab};
use crate::gui::state::AppState;
use crate::report::Report;
use crate::stats::Category;

/// The layer the scatters show (as in the exported figure).
pub(crate) use crate::figure::common_layer;

/// Compare: two models or checkpoints side by side, and the channels whose category changed.
#[derive(Default)]
pub struct CompareView {
    /// What is drawn, and the `(generation, a, b, layer, selection)` it was made for.
    cache: Option<(Key, Compared)>,
    /// Box-selection starts of the two scatters.
    drag_from: [Option<[f64; 2]>; 2],
    /// Whether B's scatter leaves out the arrows from A.
    hide_moves: bool,
    /// A against several entries.
    baseline: super::baseline::Baseline,
}

type Key = (u64, usize, usize, Option<String>, BTreeSet<usize>);

/// The plot data of a pair of entries.
pub(crate) struct Compared {
    /// Bars of both entries.
    pub layout: BarLayout,
    /// The layer both scatters show (one both entries have).
    pub layer: Option<String>,
    /// Scatter of that layer in each entry.
    pub scatters: Vec<(ScatterData, Shown)>,
    /// Axis minimum of both scatters.
    pub lower: f64,
    /// Channels whose category differs (`None`: channel counts differ).
    pub changes: Option<Vec<CategoryChange>>,
    /// Why channels are not compared: different models (their channels do
    /// not correspond), else `None`.
    pub unrelated: Option<String>,
    /// B − A per common layer with intervals, from the statistics (`Err`:
    /// why not).
    pub deltas: Result<Vec<DeltaRow>, String>,
    /// Each channel's move from A to B at the scatters' layer (channels
    /// that correspond only).
    pub moves: Option<Moves>,
}

/// The pair the Compare view shows: the one picked, else [`default_pair`].
pub(crate) fn compared_pair(state: &AppState) -> Option<(usize, usize)> {
    state.selection.compare.or_else(|| default_pair(state))
}

/// The pair shown when none was picked: the first and the selected
/// checkpoint of a model with checkpoints, else the selected and another model.
pub(crate) fn default_pair(state: &AppState) -> Option<(usize, usize)> {
    let groups = &state.derived.groups;
    let g = groups.get(state.selection.group)?;
    let sel = state.selected_entry()?;
    if g.entries.len() > 1 {
        let first = *g.entries.first()?;
        let other = if first == sel {
            *g.entries.last()?
        } else {
            sel
        };
        return Some((first, other));
    }
    let other = groups
        .iter()
        .flat_map(|g| g.entries.last())
        .find(|&&e| e != sel)?;
    Some((sel, *other))
}

impl Compared {
    /// The plot data of entries `a` and `b` at `state`'s τ and selection.
    pub(crate) fn new(state: &AppState, report: &Report, a: usize, b: usize) -> Self {
        let tau = state.settings.tau;
        let groups: Vec<BarGroup> = [a, b]
            .iter()
            .map(|&e| {
                let (group, checkpoint) = state
                    .derived
                    .groups
                    .iter()
                    .enumerate()
                    .find_map(|(gi, g)| Some((gi, g.entries.iter().position(|&x| x == e)?)))
                    .unwrap_or((0, 0));
                BarGroup {
                    label: entry_label(report, e, true),
                    group,
                    checkpoint,
                    entry: e,
                }
            })
            .collect();
        let layout = BarLayout::new(report, &state.derived.bars, groups, true);
        let layer = common_layer(report, a, b, state.selection.layer.as_deref());
        let find = |e: usize| {
            let name = layer.as_deref()?;
            report.models.get(e)?.layers.iter().find(|l| l.name == name)
        };
        let unrelated =
            (!channels_correspond(report, a, b)).then(|| why_not_channels(report, a, b));
        let rings: BTreeSet<usize> = if layer == state.selection.layer && unrelated.is_none() {
            state.selection.channels.clone()
        } else {
            BTreeSet::new()
        };
        let mut scatters = Vec::new();
        let mut min = 0.0f64;
        for l in [find(a), find(b)].into_iter().flatten() {
            let data = ScatterData::new(&channel_points(l, tau).0);
            min = min.min(data.min_rho());
            let shown = Shown::new(&data, data.positions.clone(), &rings);
            scatters.push((data, shown));
        }
        let mut changes = find(a)
            .zip(find(b))
            .filter(|_| unrelated.is_none())
            .and_then(|(la, lb)| category_changes(la, lb, tau));
        if tau != report.settings.threshold {
            // The reports' stabilities are at their threshold; at another τ
            // they need the statistics' replicates (else unknown).
            let reps = |e: usize| {
                layer
                    .as_deref()
                    .and_then(|l| state.replicates_of(report, e, l))
            };
            let (ra, rb) = (reps(a), reps(b));
            for c in changes.iter_mut().flatten() {
                c.stability = [
                    ra.as_ref()
                        .and_then(|r| r.stability(c.channel, c.from, tau)),
                    rb.as_ref().and_then(|r| r.stability(c.channel, c.to, tau)),
                ];
            }
        }
        let deltas = match state.stats.as_deref() {
            Some(stats) => deltas(report, stats, (a, b), None, false).map_err(|e| format!("{e:#}")),
            None => Err(state.without_stats(
                "Intervals of the differences need the statistics (a run, or a results folder \
                 with its stats.bin)",
            )),
        };
        let moves = find(a)
            .zip(find(b))
            .filter(|_| unrelated.is_none())
            .and_then(|(la, lb)| channel_moves(la, lb, tau))
            .map(|m| moves_of(&m, changes.as_deref().unwrap_or(&[])));
        Self {
            layout,
            layer,
            scatters,
            lower: axis_lower(min),
            changes,
            unrelated,
            deltas,
            moves,
        }
    }
}

/// The arrows of channels' moves; a change's certainty from `changes`
/// (whose stabilities follow τ).
fn moves_of(moves: &[ChannelMove], changes: &[CategoryChange]) -> Moves {
    let mut out = Moves::default();
    for m in moves {
        let (Some(from), Some(to)) = (m.from, m.to) else {
            continue;
        };
        let group = match changes.iter().find(|c| c.channel == m.channel) {
            None => &mut out.kept,
            Some(c) if c.certain() == Some(true) => &mut out.certain,
            Some(_) => &mut out.uncertain,
        };
        group
            .0
            .push(PlotPoint::new(from.rho_static, from.rho_dynamic));
        group.1.push(PlotPoint::new(to.rho_static, to.rho_dynamic));
    }
    out
}

/// Changed channels per `(from, to)`, in category order; empty ones left out.
pub(crate) fn change_counts(changes: &[CategoryChange]) -> Vec<(Category, Category, Vec<usize>)> {
    let mut out = Vec::new();
    for from in Category::ALL {
        for to in Category::ALL {
            let ch: Vec<usize> = changes
                .iter()
                .filter(|c| c.from == from && c.to == to)
                .map(|c| c.channel)
                .collect();
            if !ch.is_empty() {
                out.push((from, to, ch));
            }
        }
    }
    out
}

impl CompareView {
    /// Draws the view and returns what the user asked for.
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
        let Some(report) = state.report.as_deref() else {
            ui.label("No results yet: run the project, or open a report.");
            return;
        };
        let Some((a, b)) = compared_pair(state) else {
            ui.label("Compare needs two models, or a model with several checkpoints.");
            return;
        };
        ui.horizontal_wrapped(|ui| {
            for (side, current, other) in [("A", a, b), ("B", b, a)] {
                egui::ComboBox::from_label(side)
                    .selected_text(entry_label(report, current, true))
                    .show_ui(ui, |ui| {
                        for e in 0..report.models.len() {
                            let text = entry_label(report, e, true);
                            if ui.selectable_label(e == current, text).clicked() && e != current {
                                let pair = if side == "A" { (e, other) } else { (other, e) };
                                actions.push(Action::SetCompare(pair.0, pair.1));
                            }
                        }
                    });
            }
            if ui.button("Swap").clicked() {
                actions.push(Action::SetCompare(b, a));
            }
        });
        let sel = &state.selection;
        let fresh = self
            .cache
            .as_ref()
            .is_some_and(|((g, ka, kb, layer, channels), _)| {
                (*g, *ka, *kb) == (state.derived.generation, a, b)
                    && *layer == sel.layer
                    && channels == &sel.channels
            });
        if !fresh {
            let key = (
                state.derived.generation,
                a,
                b,
                sel.layer.clone(),
                sel.channels.clone(),
            );
            self.cache = Some((key, Compared::new(state, report, a, b)));
        }
        let Some((_, cmp)) = &self.cache else { return };
        ui.separator();
        let room = ui.available_height();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                self.baseline.ui(ui, state, report, a, actions);
                let width = ui.available_width();
                let n = cmp.layout.slots.len() as f32;
                let bars = vec2(
                    (width * 0.6).max(300.0),
                    (80.0 + 30.0 * n).clamp(220.0, 480.0),
                );
                ui.horizontal_top(|ui| {
                    ui.allocate_ui(bars, |ui| ui.vertical(|ui| bars_ui(ui, cmp, actions)));
                    ui.vertical(|ui| {
                        changes_ui(ui, state, cmp, actions);
                        ui.separator();
                        deltas_ui(ui, cmp);
                    });
                });
                ui.separator();
                // the scatters fit below the bars when there is room (else scroll)
                let half = (width - ui.spacing().item_spacing.x) / 2.0;
                let height = (room - bars.y - 90.0).clamp(240.0, half.clamp(240.0, 420.0));
                if cmp.moves.is_some() {
                    let mut show = !self.hide_moves;
                    ui.checkbox(&mut show, "arrows from A in B's scatter")
                        .on_hover_text(
                            "Each channel's move from A to B: strong, a certain change of \
                             category; lighter, an uncertain one; faint, the category stays",
                        );
                    self.hide_moves = !show;
                }
                let view = (a, b, height, !self.hide_moves);
                scatters(ui, state, report, cmp, view, &mut self.drag_from, actions);
            });
    }
}

/// The layer bars of both entries (click: select that layer).
fn bars_ui(ui: &mut egui::Ui, cmp: &Compared, actions: &mut Vec<Action>) {
    let id = Id::unique("stadyn.compare.bars");
    let (r, resp) = show_stacked(ui, id, &cmp.layout, BarKind::Factors, None);
    if let Some(s) = r.hovered.and_then(|h| cmp.layout.slots.get(h.slot)) {
        let label = cmp.layout.groups.get(s.group).map_or("", |g| &g.label);
        tooltip(&resp, |ui| {
            ui.strong(format!("{label} — {}", s.bar.layer));
            for (k, name) in ["dynamic", "static", "residual"].iter().enumerate() {
                let ci = s
                    .bar
                    .ci
                    .map_or(String::new(), |ci| format!("  95 % CI {}", pct_ci(ci[k])));
                ui.label(format!("{name}: {}{ci}", pct(s.bar.pct[k])));
            }
        });
    }
    if let Some(s) = r.clicked.and_then(|slot| cmp.layout.slots.get(slot)) {
        actions.push(Action::SelectLayer(s.bar.layer.clone()));
    }
}

/// The two scatters of the common layer, side by side.
fn scatters(
    ui: &mut egui::Ui,
    state: &AppState,
    report: &Report,
    cmp: &Compared,
    (a, b, height, arrows): (usize, usize, f32, bool),
    drag_from: &mut [Option<[f64; 2]>; 2],
    actions: &mut Vec<Action>,
) {
    let Some(layer) = &cmp.layer else {
        ui.label("These two have no layer in common.");
        return;
    };
    ui.strong(format!(
        "Channels of {layer} at τ = {:.2}",
        state.settings.tau
    ));
    let width = (ui.available_width() - ui.spacing().item_spacing.x) / 2.0;
    ui.horizontal(|ui| {
        for (side, ((data, shown), entry)) in cmp.scatters.iter().zip([a, b]).enumerate() {
            ui.allocate_ui(vec2(width, height + 40.0), |ui| {
                ui.vertical(|ui| {
                    ui.label(entry_label(report, entry, true));
                    let input = ScatterInput {
                        shown,
                        trails: &[],
                        moves: cmp.moves.as_ref().filter(|_| arrows && side == 1),
                        tau: state.settings.tau,
                        lower: cmp.lower,
                        radius: radius_for(data.points.len()),
                    };
                    let id = Id::unique(("stadyn.compare.scatter", side));
                    let (r, resp) = show_scatter(ui, id, &input, &mut drag_from[side]);
                    if let Some(i) = r.hovered {
                        let p = data.points[i];
                        tooltip(&resp, |ui| {
                            ui.strong(format!("channel {}", p.channel));
                            ui.label(format!(
                                "ρ_S = {}, ρ_D = {}",
                                rho(p.rho_static),
                                rho(p.rho_dynamic)
                            ));
                            ui.label(category_name(p.category));
                        });
                    }
                    let mut emitted = Vec::new();
                    emit_selection(&r, data, !state.selection.channels.is_empty(), &mut emitted);
                    if !emitted.is_empty() && state.selection.layer.as_deref() != Some(layer) {
                        actions.push(Action::SelectLayer(layer.clone()));
                    }
                    actions.extend(emitted);
                });
            });
        }
    });
}

/// B − A of each common layer's dynamic and static percentages with their
/// 95 % bootstrap intervals (paired where both entries cover the same pairs).
fn deltas_ui(ui: &mut egui::Ui, cmp: &Compared) {
    ui.strong("Differences B − A (percentage points)");
    let rows = match &cmp.deltas {
        Ok(rows) => rows,
        Err(e) => {
            ui.weak(e);
            return;
        }
    };
    let fmt = |v: f64, ci: Option<[f64; 2]>| match ci {
        Some([lo, hi]) => format!("{v:+.1} [{lo:+.1}, {hi:+.1}]"),
        None => format!("{v:+.1}"),
    };
    egui::Grid::new("stadyn.compare.deltas")
        .striped(true)
        .show(ui, |ui| {
            ui.label("layer");
            ui.label("Δ dynamic");
            ui.label("Δ static");
            ui.label("draws");
            ui.end_row();
            for r in rows {
                let d = &r.delta;
                ui.label(&r.layer);
                for k in 0..2 {
                    ui.label(fmt(d.delta[k], d.ci.map(|c| c[k])));
                }
                let (draws, why) = if d.paired {
                    ("paired", "The same pairs under the same bootstrap weights")
                } else {
                    ("unpaired", "Other pairs: independent bootstrap draws")
                };
                ui.label(draws).on_hover_text(why);
                ui.end_row();
            }
        });
    ui.weak("[95 % bootstrap interval]; an interval without 0 is a difference beyond resampling");
}

/// The table of category changes: counts per from → to (click: select
/// those channels).
fn changes_ui(ui: &mut egui::Ui, state: &AppState, cmp: &Compared, actions: &mut Vec<Action>) {
    let Some(layer) = &cmp.layer else { return };
    if let Some(why) = &cmp.unrelated {
        ui.label(format!("{why}."));
        return;
    }
    let Some(changes) = &cmp.changes else {
        ui.label("The two layers have different numbers of channels: channels do not correspond.");
        return;
    };
    let total = cmp.scatters.first().map_or(0, |(d, _)| d.points.len());
    ui.strong(format!(
        "{} channels of {layer} change category (of {total} plotted in A)",
        changes.len()
    ));
    let known = changes.iter().filter(|c| c.certain().is_some()).count();
    let certain = changes.iter().filter(|c| c.certain() == Some(true)).count();
    if known > 0 {
        ui.label(format!(
            "{certain} of them certain: both entries give their category in at least 90 % of \
             bootstrap replicates"
        ));
    } else if !changes.is_empty() {
        ui.label(
            "How certain each change is needs per-channel intervals (stadyn analyze keeps \
             them unless --channel-bootstrap 0), and at another τ than the report's, the \
             statistics (a run, or a results folder with its stats.bin).",
        );
    }
    egui::Grid::new("stadyn.compare.changes")
        .striped(true)
        .show(ui, |ui| {
            ui.label("from");
            ui.label("to");
            ui.label("channels");
            ui.end_row();
            for (from, to, channels) in change_counts(changes) {
                ui.label(category_name(from));
                ui.label(category_name(to));
                ui.label(channels.len().to_string());
                let button = ui.button("Select").on_hover_text("Select these channels");
                if button.clicked() {
                    if state.selection.layer.as_deref() != Some(layer.as_str()) {
                        actions.push(Action::SelectLayer(layer.clone()));
                    }
                    actions.push(Action::SelectChannels {
                        channels,
                        mode: SelectMode::Replace,
                    });
                }
                ui.end_row();
            }
        });
    egui::CollapsingHeader::new(format!("Changed channels ({})", changes.len()))
        .id_salt("stadyn.compare.changed")
        .show(ui, |ui| {
            let h = ui.spacing().interact_size.y;
            egui::ScrollArea::vertical()
                .id_salt("stadyn.compare.changed.rows")
                .max_height(240.0)
                .show_rows(ui, h, changes.len(), |ui, range| {
                    for c in &changes[range] {
                        ui.horizontal(|ui| {
                            let link = ui
                                .add_sized(
                                    [70.0, h],
                                    egui::Link::new(format!("channel {}", c.channel)),
                                )
                                .on_hover_text("Look inside it: its panel in Channels");
                            if link.clicked() {
                                if state.selection.layer.as_deref() != Some(layer.as_str()) {
                                    actions.push(Action::SelectLayer(layer.clone()));
                                }
                                actions.push(Action::SelectChannels {
                                    channels: vec![c.channel],
                                    mode: SelectMode::Replace,
                                });
                                actions.push(Action::ShowTab(Tab::Channels));
                            }
                            ui.label(format!(
                                "{} -> {}",
                                category_name(c.from),
                                category_name(c.to)
                            ));
                            match c.certain() {
                                Some(true) => ui.label("certain"),
                                Some(false) => ui.weak("uncertain"),
                                None => ui.weak(""),
                            };
                        });
                    }
                });
        });
}
