//! Training: for the selected model's checkpoints, the static and dynamic
//! share of each layer against epoch (one small plot per layer, same axes),
//! with the 95 % intervals as bands, a dashed line where the layer's bias
//! settles (`TrainingCurve::settled_by`, on the probabilities unless the
//! user picks the reference's percentages), a line at the selected
//! checkpoint, and the checkpoints' recorded fractions (accuracy) dotted on
//! a right axis.
//!
//! The checkpoint slider moves every view (bars and scatter read the
//! selected checkpoint); clicking a plot selects its layer and the
//! checkpoint nearest the click.

use egui::{Color32, Id, Stroke};
use egui_plot::{
    AxisHints, FilledArea, HPlacement, Line, LineStyle, MarkerShape, Plot, PlotBounds, PlotPoint,
    PlotPoints, Points, VLine,
};

use super::plot_categories::{Axis, category_areas};
use super::plot_common::{
    Swatch, category_color, checkpoint_slider, fixed, legend_row, pct, pct_ci, rgb, tooltip,
};
use crate::figure::{CategoryCurve, SettleCriterion, TrainingCurve, category_curve, palette};
use crate::gui::action::Action;
use crate::gui::state::AppState;

/// Training: static and dynamic share per layer against epoch, and where each settles.
#[derive(Default)]
pub struct TrainingView {
    /// Lines per curve and the shared axes, for one derived generation.
    cache: Option<(u64, Vec<CurveLines>, PlotBounds)>,
    /// Which values decide the settle marker.
    criterion: SettleCriterion,
    /// Whether the channels per category are not stacked under the curves.
    hide_categories: bool,
}

/// The polylines of one curve.
struct CurveLines {
    dynamic: Vec<PlotPoint>,
    static_: Vec<PlotPoint>,
    epochs: Vec<f64>,
    /// The checkpoints' recorded numbers between 0 and 1 (accuracies and
    /// the like), `(name, (epoch, value))`, drawn on the right axis.
    metrics: Vec<(String, Vec<[f64; 2]>)>,
    /// Per point, every recorded number of its checkpoint, for the tooltip.
    recorded: Vec<String>,
    /// Channels per category at each checkpoint, at the current τ.
    categories: CategoryCurve,
}

impl CurveLines {
    fn new(c: &TrainingCurve, report: &crate::report::Report, tau: f64) -> Self {
        let line = |k: usize| {
            c.points
                .iter()
                .map(|p| PlotPoint::new(p.epoch, p.pct[k]))
                .collect()
        };
        Self {
            dynamic: line(0),
            static_: line(1),
            epochs: c.points.iter().map(|p| p.epoch).collect(),
            metrics: crate::figure::data::fraction_metrics(c, report),
            categories: category_curve(report, c, tau),
            recorded: c
                .points
                .iter()
                .map(|p| {
                    let m = report.models.get(p.model_index);
                    m.into_iter()
                        .flat_map(|m| &m.metrics)
                        .map(|(k, v)| format!("{k} {v:.4}"))
                        .collect::<Vec<_>>()
                        .join(" · ")
                })
                .collect(),
        }
    }
}

/// The checkpoint epochs to tick on the x axis (`figure::data::tick_epochs`,
/// the same as the exported figure).
pub(crate) fn epoch_ticks(epochs: &[f64]) -> Vec<f64> {
    crate::figure::data::tick_epochs(epochs)
}

/// Grid marks at `ticks` (one thickness).
pub(crate) fn tick_marks(ticks: &[f64]) -> Vec<egui_plot::GridMark> {
    let step = match (ticks.first(), ticks.last()) {
        (Some(a), Some(b)) if b > a => (b - a) / 8.0,
        _ => 1.0,
    };
    ticks
        .iter()
        .map(|&value| egui_plot::GridMark {
            value,
            step_size: step,
        })
        .collect()
}

/// The share (%) that an accuracy of 1 is drawn at: the top grid line
/// under the plot's top `y_max` (a multiple of 10, at least 10).
pub(crate) fn accuracy_scale(y_max: f64) -> f64 {
    ((y_max / 10.0).floor() * 10.0).max(10.0)
}

/// Shared axes of every curve: epochs across, 0 to the largest share (or
/// interval bound) rounded up to 10 %.
pub(crate) fn curve_bounds(curves: &[TrainingCurve]) -> PlotBounds {
    let mut x = (f64::INFINITY, f64::NEG_INFINITY);
    let mut y_max: f64 = 10.0;
    for p in curves.iter().flat_map(|c| &c.points) {
        x = (x.0.min(p.epoch), x.1.max(p.epoch));
        let hi =
            p.ci.map_or(p.pct[0].max(p.pct[1]), |ci| ci[0][1].max(ci[1][1]));
        y_max = y_max.max(hi.max(p.pct[0]).max(p.pct[1]));
    }
    if !x.0.is_finite() {
        x = (0.0, 1.0);
    }
    let pad = ((x.1 - x.0) * 0.04).max(0.1);
    let y_max = ((y_max / 10.0).ceil() * 10.0).min(100.0);
    PlotBounds::from_min_max([x.0 - pad, 0.0], [x.1 + pad, y_max + 2.0])
}

/// The index of the epoch in `epochs` nearest to `x`.
pub(crate) fn nearest_epoch(epochs: &[f64], x: f64) -> Option<usize> {
    epochs
        .iter()
        .enumerate()
        .min_by(|a, b| (a.1 - x).abs().total_cmp(&(b.1 - x).abs()))
        .map(|(i, _)| i)
}

impl TrainingView {
    /// Draws the view and returns what the user asked for.
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
        let Some(report) = state.report.as_deref() else {
            ui.label("No results yet: run the project, or open a report.");
            return;
        };
        let groups = &state.derived.groups;
        let Some(group) = groups.get(state.selection.group) else {
            return;
        };
        ui.horizontal_wrapped(|ui| {
            super::plot_common::model_combo(ui, state, actions);
            checkpoint_slider(ui, state, actions);
            egui::ComboBox::from_label("settles by")
                .selected_text(self.criterion.label())
                .show_ui(ui, |ui| {
                    for k in SettleCriterion::ALL {
                        ui.selectable_value(&mut self.criterion, k, k.label())
                            .on_hover_text(k.rule());
                    }
                })
                .response
                .on_hover_text(format!(
                    "Where a layer's bias settles: {}",
                    self.criterion.rule()
                ));
            let mut show = !self.hide_categories;
            if ui
                .checkbox(&mut show, "channel categories")
                .on_hover_text(
                    "Under each curve, the layer's channels per category (dynamic, static, \
                     joint, none, unassigned) at each checkpoint, at the current τ",
                )
                .changed()
            {
                self.hide_categories = !show;
            }
        });
        if group.entries.len() < 2 || state.derived.curves.is_empty() {
            ui.separator();
            ui.label(format!(
                "“{}” has a single checkpoint: there is nothing to plot over training. \
                 Add a folder of checkpoints to the project to see how its biases form.",
                group.name
            ));
            for (gi, g) in groups
                .iter()
                .enumerate()
                .filter(|(_, g)| g.entries.len() > 1)
            {
                if ui
                    .button(format!(
                        "Show {} ({})",
                        g.name,
                        crate::figure::count(g.entries.len(), "checkpoint")
                    ))
                    .clicked()
                {
                    actions.push(Action::SelectModel(gi));
                }
            }
            return;
        }
        if self
            .cache
            .as_ref()
            .is_none_or(|(g, ..)| *g != state.derived.generation)
        {
            let lines = state
                .derived
                .curves
                .iter()
                .map(|c| CurveLines::new(c, report, state.settings.tau))
                .collect();
            self.cache = Some((
                state.derived.generation,
                lines,
                curve_bounds(&state.derived.curves),
            ));
        }
        let Some((_, lines, bounds)) = &self.cache else {
            return;
        };
        let selected_epoch = state
            .selected_entry()
            .and_then(|e| report.models.get(e))
            .map(|m| m.epoch.unwrap_or(state.selection.checkpoint as f64));
        let (dyn_c, stat_c) = (rgb(palette::DYNAMIC), rgb(palette::STATIC));
        let strong = ui.visuals().strong_text_color();
        let mut legend = vec![
            (Swatch::Line(dyn_c), "dynamic %"),
            (Swatch::Line(stat_c), "static %"),
            (Swatch::Fill(dyn_c.gamma_multiply(0.3)), "95 % CI"),
            (
                Swatch::Rule(strong.gamma_multiply(0.6), true),
                "bias settled",
            ),
            (
                Swatch::Rule(Color32::from_gray(140), false),
                "selected checkpoint",
            ),
        ];
        if lines.iter().any(|l| !l.metrics.is_empty()) {
            legend.push((
                Swatch::Line(Color32::from_gray(150)),
                "recorded accuracy (dotted, right axis)",
            ));
        }
        if !self.hide_categories {
            for cat in crate::stats::Category::ALL {
                legend.push((
                    Swatch::Fill(category_color(cat)),
                    match cat {
                        crate::stats::Category::Dynamic => "dynamic channels",
                        crate::stats::Category::Static => "static channels",
                        crate::stats::Category::Joint => "joint",
                        crate::stats::Category::Neither => "none",
                        crate::stats::Category::Unassigned => "unassigned",
                    },
                ));
            }
        }
        legend_row(ui, &legend);
        ui.separator();
        let spacing = ui.spacing().item_spacing.x;
        let cols = ((ui.available_width() / 380.0).floor() as usize).max(1);
        // Less each frame's margins and stroke.
        let width = (ui.available_width() - spacing * (cols as f32 - 1.0)) / cols as f32 - 16.0;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let curves = &state.derived.curves;
                for (row_curves, row_lines) in curves.chunks(cols).zip(lines.chunks(cols)) {
                    ui.horizontal(|ui| {
                        for (c, l) in row_curves.iter().zip(row_lines) {
                            let selected =
                                state.selection.layer.as_deref() == Some(c.layer.as_str());
                            let view = CurveView {
                                bounds: *bounds,
                                selected_epoch,
                                selected,
                                width,
                                provisional: state.partial,
                                criterion: self.criterion,
                                categories: !self.hide_categories,
                            };
                            if let Some(k) = curve_plot(ui, c, l, &view) {
                                actions.push(Action::SelectLayer(c.layer.clone()));
                                let pos = group
                                    .entries
                                    .iter()
                                    .position(|&e| e == c.points[k].model_index);
                                if let Some(pos) = pos.filter(|&p| p != state.selection.checkpoint)
                                {
                                    actions.push(Action::SelectCheckpoint(pos));
                                }
                            }
                        }
                    });
                }
            });
    }
}

/// How one layer's plot is shown.
struct CurveView {
    bounds: PlotBounds,
    selected_epoch: Option<f64>,
    /// Whether its layer is the selected one.
    selected: bool,
    width: f32,
    /// Whether results are still arriving (the settle point may move).
    provisional: bool,
    /// Which values decide the settle marker.
    criterion: SettleCriterion,
    /// Whether the channels per category are stacked under the curve.
    categories: bool,
}

/// One layer's plot; returns the point (index into `c.points`) clicked.
fn curve_plot(
    ui: &mut egui::Ui,
    c: &TrainingCurve,
    l: &CurveLines,
    v: &CurveView,
) -> Option<usize> {
    let CurveView {
        bounds,
        selected_epoch,
        selected,
        width,
        provisional,
        criterion,
        categories,
    } = *v;
    let strong = ui.visuals().strong_text_color();
    let frame_stroke = if selected {
        Stroke::new(2.0, ui.visuals().selection.stroke.color)
    } else {
        ui.visuals().widgets.noninteractive.bg_stroke
    };
    let (dyn_c, stat_c) = (rgb(palette::DYNAMIC), rgb(palette::STATIC));
    egui::Frame::group(ui.style())
        .stroke(frame_stroke)
        .show(ui, |ui| {
            ui.set_width(width);
            ui.vertical(|ui| {
                let settled = c.settled_epoch(criterion);
                ui.horizontal(|ui| {
                    ui.strong(&c.layer);
                    let by = match criterion {
                        SettleCriterion::Probabilities => "",
                        SettleCriterion::Percentages => " (by %)",
                    };
                    ui.label(match (settled, provisional) {
                        (Some(e), false) => format!("settles at epoch {e}{by}"),
                        (Some(e), true) => {
                            format!("settles at epoch {e}{by} so far (provisional)")
                        }
                        (None, _) => "no intervals: settling unknown".to_string(),
                    })
                    .on_hover_text(format!(
                        "By the {}: settled {}.{}",
                        criterion.label(),
                        criterion.rule(),
                        if provisional {
                            " Results are still arriving: the settle point can move until \
                             the job is done."
                        } else {
                            ""
                        }
                    ));
                });
                // Recorded fractions (accuracy) share the plot on a right
                // axis: 0 to 1 over the shares' 0 to the top grid line (a
                // multiple of 10 %, so the right ticks are round too).
                let top = accuracy_scale(bounds.max()[1]);
                let ticks = epoch_ticks(&l.epochs);
                let mut plot = Plot::new("curve")
                    .id(Id::unique(("stadyn.training", &c.layer)))
                    .height(200.0)
                    .x_axis_label("epoch")
                    .y_axis_label("share (%)")
                    .x_grid_spacer(move |_| tick_marks(&ticks))
                    .x_axis_formatter(|mark, _| format!("{}", mark.value));
                if !l.metrics.is_empty() {
                    plot = plot.custom_y_axes(vec![
                        AxisHints::new_y().label("share (%)"),
                        AxisHints::new_y()
                            .label("accuracy (0–1)")
                            .placement(HPlacement::Right)
                            .formatter(move |mark, _| format!("{:.2}", mark.value / top)),
                    ]);
                }
                let out = fixed(plot).show(ui, |plot_ui| {
                    plot_ui.set_plot_bounds(bounds);
                    let hovered = plot_ui
                        .response()
                        .hover_pos()
                        .and_then(|_| plot_ui.pointer_coordinate())
                        .and_then(|p| nearest_epoch(&l.epochs, p.x));
                    let clicked = hovered.filter(|_| plot_ui.response().clicked());
                    for (k, name, color) in
                        [(0, "dynamic 95 % CI", dyn_c), (1, "static 95 % CI", stat_c)]
                    {
                        if let Some((lo, hi)) = c.band(k) {
                            plot_ui.add(
                                FilledArea::new(name, &l.epochs, &lo, &hi)
                                    .fill_color(color.gamma_multiply(0.2)),
                            );
                        }
                    }
                    for (name, pts, color) in [
                        ("dynamic %", &l.dynamic, dyn_c),
                        ("static %", &l.static_, stat_c),
                    ] {
                        plot_ui.line(
                            Line::new(name, PlotPoints::Borrowed(pts))
                                .color(color)
                                .width(2.0),
                        );
                        plot_ui.points(
                            Points::new(name, PlotPoints::Borrowed(pts))
                                .color(color)
                                .radius(2.5),
                        );
                    }
                    for (k, (name, pts)) in l.metrics.iter().enumerate() {
                        let scaled: Vec<[f64; 2]> =
                            pts.iter().map(|p| [p[0], p[1] * top]).collect();
                        let grey = Color32::from_gray(if k % 2 == 0 { 170 } else { 120 });
                        plot_ui.line(
                            Line::new(name.as_str(), scaled)
                                .color(grey)
                                .width(1.5)
                                .style(LineStyle::dotted_dense()),
                        );
                    }
                    if let Some(e) = settled {
                        plot_ui.vline(
                            VLine::new("settled", e)
                                .color(strong.gamma_multiply(0.6))
                                .style(LineStyle::dashed_loose()),
                        );
                    }
                    if let Some(e) = selected_epoch {
                        plot_ui.vline(
                            VLine::new("selected checkpoint", e)
                                .color(Color32::from_gray(140))
                                .width(1.5),
                        );
                    }
                    if let Some(k) = hovered {
                        let p = &c.points[k];
                        let ring = vec![[p.epoch, p.pct[0]], [p.epoch, p.pct[1]]];
                        plot_ui.points(
                            Points::new("", ring)
                                .shape(MarkerShape::Circle)
                                .filled(false)
                                .radius(6.0)
                                .color(strong),
                        );
                    }
                    (hovered, clicked)
                });
                let (hovered, clicked) = out.inner;
                if let Some(k) = hovered {
                    let p = &c.points[k];
                    tooltip(&out.response, |ui| {
                        ui.strong(format!("{} — epoch {}", c.layer, p.epoch));
                        if let Some(ck) = &p.checkpoint {
                            ui.label(ck);
                        }
                        for (k, name) in [(0, "dynamic"), (1, "static"), (2, "residual")] {
                            let ci = p
                                .ci
                                .map_or(String::new(), |ci| format!("  95 % CI {}", pct_ci(ci[k])));
                            let probs = p.probs_ci.map_or(String::new(), |ci| {
                                format!(" [{:.3}, {:.3}]", ci[k][0], ci[k][1])
                            });
                            ui.label(format!(
                                "{name}: {}{ci}; probability {:.3}{probs}",
                                pct(p.pct[k]),
                                p.probs[k]
                            ));
                        }
                        if let Some(r) = l.recorded.get(k).filter(|r| !r.is_empty()) {
                            ui.label(format!("recorded: {r}"));
                        }
                    });
                }
                let mut clicked = clicked;
                if categories {
                    let axis = Axis {
                        label: "epoch",
                        range: [bounds.min()[0], bounds.max()[0]],
                        marker: selected_epoch,
                        height: 90.0,
                    };
                    clicked = category_areas(ui, &l.categories, &axis).or(clicked);
                }
                clicked
            })
            .inner
        })
        .inner
}
