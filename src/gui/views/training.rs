//! Training: for the selected model's checkpoints, the static and dynamic
//! share of each layer against epoch (one small plot per layer, same axes),
//! with the 95 % intervals as bands, a dashed line where the layer's bias
//! settles (`TrainingCurve::settled`) and a line at the selected checkpoint.
//!
//! The checkpoint slider moves every view (bars and scatter read the
//! selected checkpoint); clicking a plot selects its layer and the
//! checkpoint nearest the click.

use egui::{Color32, Id, Stroke};
use egui_plot::{
    FilledArea, Line, LineStyle, MarkerShape, Plot, PlotBounds, PlotPoint, PlotPoints, Points,
    VLine,
};

use super::plot_common::{Swatch, checkpoint_slider, fixed, legend_row, pct, pct_ci, rgb, tooltip};
use crate::figure::{TrainingCurve, palette};
use crate::gui::action::Action;
use crate::gui::state::AppState;

/// Training: static and dynamic share per layer against epoch, and where each settles.
#[derive(Default)]
pub struct TrainingView {
    /// Lines per curve and the shared axes, for one derived generation.
    cache: Option<(u64, Vec<CurveLines>, PlotBounds)>,
}

/// The polylines of one curve.
struct CurveLines {
    dynamic: Vec<PlotPoint>,
    static_: Vec<PlotPoint>,
    epochs: Vec<f64>,
}

impl CurveLines {
    fn new(c: &TrainingCurve) -> Self {
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
        }
    }
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
            egui::ComboBox::from_label("model")
                .selected_text(&group.name)
                .show_ui(ui, |ui| {
                    for (gi, g) in groups.iter().enumerate() {
                        let text = format!("{} ({} checkpoints)", g.name, g.entries.len());
                        if ui
                            .selectable_label(gi == state.selection.group, text)
                            .clicked()
                            && gi != state.selection.group
                        {
                            actions.push(Action::SelectModel(gi));
                        }
                    }
                });
            checkpoint_slider(ui, state, actions);
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
                    .button(format!("Show {} ({} checkpoints)", g.name, g.entries.len()))
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
            let lines = state.derived.curves.iter().map(CurveLines::new).collect();
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
        legend_row(
            ui,
            &[
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
            ],
        );
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
                let settled = c.settled.and_then(|k| c.points.get(k)).map(|p| p.epoch);
                ui.horizontal(|ui| {
                    ui.strong(&c.layer);
                    ui.label(match (settled, provisional) {
                        (Some(e), false) => format!("settles at epoch {e}"),
                        (Some(e), true) => format!("settles at epoch {e} so far (provisional)"),
                        (None, _) => "no intervals: settling unknown".to_string(),
                    })
                    .on_hover_text(if provisional {
                        "Results are still arriving: the settle point can move until the job \
                         is done"
                    } else {
                        "The first checkpoint from which the layer's dynamic and static \
                         percentages stay within the final checkpoint's 95 % intervals"
                    });
                });
                let plot = Plot::new("curve")
                    .id(Id::unique(("stadyn.training", &c.layer)))
                    .height(200.0)
                    .x_axis_label("epoch")
                    .y_axis_label("share (%)");
                let out = fixed(plot).show(ui, |plot_ui| {
                    plot_ui.set_plot_bounds(bounds);
                    let hovered = plot_ui
                        .response()
                        .hover_pos()
                        .and_then(|_| plot_ui.pointer_coordinate())
                        .and_then(|p| nearest_epoch(&l.epochs, p.x));
                    let clicked = hovered.filter(|_| plot_ui.response().clicked());
                    if c.points.iter().all(|p| p.ci.is_some()) {
                        for (k, name, color) in
                            [(0, "dynamic 95 % CI", dyn_c), (1, "static 95 % CI", stat_c)]
                        {
                            let lo: Vec<f64> = c
                                .points
                                .iter()
                                .map(|p| p.ci.map_or(0.0, |ci| ci[k][0]))
                                .collect();
                            let hi: Vec<f64> = c
                                .points
                                .iter()
                                .map(|p| p.ci.map_or(0.0, |ci| ci[k][1]))
                                .collect();
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
                            ui.label(format!("{name}: {}{ci}", pct(p.pct[k])));
                        }
                    });
                }
                clicked
            })
            .inner
        })
        .inner
}
