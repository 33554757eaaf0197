//! How robust the numbers are, on the Layers tab: each layer's dynamic and
//! static share, with its 95 % interval as a band, against the pairs
//! measured (convergence: were the pairs enough?) or against the strength
//! of the built-in styles (a `stadyn sweep`: how much do the numbers owe to
//! the styles?). One small plot per layer of the selected entry, the
//! selected layer framed; a click selects a layer.

use egui::{Color32, Id, Stroke};
use egui_plot::{FilledArea, Line, Plot, PlotBounds, PlotPoints, Points};

use super::plot_common::{Swatch, entry_label, fixed, legend_row, rgb};
use crate::figure::TrainingCurve;
use crate::figure::convergence::{convergence_curves, convergence_summary};
use crate::figure::palette;
use crate::figure::sweep::{sweep_curves, sweep_entries};
use crate::gui::action::{Action, OpenKind};
use crate::gui::state::AppState;

/// Global id prefix of the convergence plots (tests find them).
pub(crate) const CONVERGENCE_PLOT: &str = "stadyn.layers.convergence";
/// Global id prefix of the style-strength plots.
pub(crate) const STRENGTH_PLOT: &str = "stadyn.layers.strength";

/// The convergence of the selected entry's layers.
pub(crate) fn convergence_ui(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    let (Some(report), Some(e)) = (state.report.as_deref(), state.selected_entry()) else {
        return;
    };
    let Some(model) = report.models.get(e) else {
        return;
    };
    let entry = entry_label(report, e, true);
    let curves = convergence_curves(model);
    if curves.is_empty() {
        ui.label(format!(
            "{entry} has no convergence history: it is kept from the statistics' saves during a \
             run (every 64 pairs by default), so results merged from shards, reports of older \
             stadyn versions and runs of fewer pairs than one save show none."
        ));
        return;
    }
    ui.label(format!(
        "How the shares of {entry} moved as pairs came in: one point per save of the \
         statistics, each exactly what a run of that many pairs reports. Bands: 95 % bootstrap \
         intervals. Flat curves with narrow bands at the right mean more pairs would change \
         little."
    ));
    let summary = |layer: &str| convergence_summary(model, layer);
    if let Some(layer) = panels(
        ui,
        CONVERGENCE_PLOT,
        &curves,
        "pairs measured",
        state.selection.layer.as_deref(),
        &summary,
    ) {
        actions.push(Action::SelectLayer(layer));
    }
}

/// The style-strength sweep of the selected entry's layers.
pub(crate) fn strength_ui(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    let Some(sweep) = state.sweep.as_deref() else {
        ui.label(
            "No style-strength sweep is open. A sweep runs the same job with the built-in \
             styles weakened (0: the clip itself, 1: the style in full) and shows how far each \
             layer's shares owe to the styles: `stadyn sweep PROJECT --strength \
             0.25,0.5,0.75,1 --out DIR`. Open its folder here, or open DIR (or a report in it) \
             as the results.",
        );
        if ui.button("Open a sweep's folder…").clicked() {
            actions.push(Action::OpenDialog(OpenKind::Sweep));
        }
        return;
    };
    let (Some(report), Some(e)) = (state.report.as_deref(), state.selected_entry()) else {
        return;
    };
    let Some(model) = report.models.get(e) else {
        return;
    };
    let checkpoint = model.checkpoint.clone().unwrap_or_default();
    let entry = entry_label(report, e, true);
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("Sweep: {}", sweep.dir.display()));
        if ui.small_button("Open another…").clicked() {
            actions.push(Action::OpenDialog(OpenKind::Sweep));
        }
    });
    if !sweep.has(&model.name, &checkpoint) {
        let has: Vec<String> = sweep_entries(&sweep.rows)
            .into_iter()
            .map(|(m, c)| {
                if c.is_empty() {
                    m
                } else {
                    format!("{m} @ {c}")
                }
            })
            .take(6)
            .collect();
        ui.label(format!(
            "The sweep has no results for {entry}; it has {}{}. Select one of those.",
            has.join(", "),
            if sweep_entries(&sweep.rows).len() > has.len() {
                ", …"
            } else {
                ""
            }
        ));
        return;
    }
    let curves = sweep_curves(&sweep.rows, &model.name, &checkpoint);
    ui.label(format!(
        "The shares of {entry} with the built-in styles at each strength of the sweep (0: \
         both members of a dynamic pair are the clip itself, 1: the styles in full, the \
         default). A weaker style makes dynamic pairs more alike, so the dynamic share can \
         only look larger: a layer whose shares stay inside the bands does not owe its \
         numbers to the styles."
    ));
    let summary = |layer: &str| strength_summary(&curves, layer);
    if let Some(layer) = panels(
        ui,
        STRENGTH_PLOT,
        &curves,
        "style strength",
        state.selection.layer.as_deref(),
        &summary,
    ) {
        actions.push(Action::SelectLayer(layer));
    }
}

/// "from strength 0 to 1: dynamic 43.8 to 35.4 %, static 16.7 to 18.8 %".
fn strength_summary(curves: &[TrainingCurve], layer: &str) -> Option<String> {
    let c = curves.iter().find(|c| c.layer == layer)?;
    let (a, b) = (c.points.first()?, c.points.last()?);
    Some(format!(
        "from strength {} to {}: dynamic {:.1} to {:.1} %, static {:.1} to {:.1} %",
        a.epoch, b.epoch, a.pct[0], b.pct[0], a.pct[1], b.pct[1]
    ))
}

/// One plot per curve, stacked in a scroll area, the `selected` layer
/// framed, one y range for all; returns the layer clicked.
fn panels(
    ui: &mut egui::Ui,
    id: &str,
    curves: &[TrainingCurve],
    x_label: &str,
    selected: Option<&str>,
    summary: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let (dyn_c, stat_c) = (rgb(palette::DYNAMIC), rgb(palette::STATIC));
    legend_row(
        ui,
        &[
            (Swatch::Line(dyn_c), "dynamic %"),
            (Swatch::Line(stat_c), "static %"),
            (Swatch::Fill(dyn_c.gamma_multiply(0.3)), "95 % intervals"),
        ],
    );
    let y_max = crate::figure::curves::share_ceiling(curves);
    let x_max = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.epoch))
        .fold(0.0f64, f64::max);
    let x_max = if x_max > 0.0 { x_max } else { 1.0 };
    let mut clicked = None;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (k, c) in curves.iter().enumerate() {
                let framed = selected == Some(c.layer.as_str());
                let stroke = if framed {
                    Stroke::new(2.0, ui.visuals().selection.stroke.color)
                } else {
                    ui.visuals().widgets.noninteractive.bg_stroke
                };
                egui::Frame::group(ui.style())
                    .stroke(stroke)
                    .show(ui, |ui| {
                        ui.horizontal_wrapped(|ui| {
                            ui.strong(&c.layer);
                            if let Some(s) = summary(&c.layer) {
                                ui.label(s);
                            }
                        });
                        let plot = Plot::new("robustness")
                            .id(Id::unique((id, k)))
                            .height(150.0)
                            .x_axis_label(x_label)
                            .y_axis_label("%");
                        let r = fixed(plot).show(ui, |p| {
                            p.set_plot_bounds(PlotBounds::from_min_max(
                                [0.0, 0.0],
                                [x_max * 1.02, y_max],
                            ));
                            draw_curve(p, c, dyn_c, stat_c);
                        });
                        if r.response.clicked() {
                            clicked = Some(c.layer.clone());
                        }
                    });
            }
        });
    clicked
}

/// One layer's two shares with their bands.
fn draw_curve(p: &mut egui_plot::PlotUi<'_>, c: &TrainingCurve, dyn_c: Color32, stat_c: Color32) {
    let xs: Vec<f64> = c.points.iter().map(|p| p.epoch).collect();
    for (k, name, color) in [(0, "dynamic", dyn_c), (1, "static", stat_c)] {
        if let Some((lo, hi)) = c.band(k) {
            p.add(
                FilledArea::new(format!("{name} 95 % CI"), &xs, &lo, &hi)
                    .fill_color(color.gamma_multiply(0.2)),
            );
        }
        let pts: Vec<[f64; 2]> = c.points.iter().map(|q| [q.epoch, q.pct[k]]).collect();
        p.line(
            Line::new(format!("{name} %"), PlotPoints::from(pts.clone()))
                .color(color)
                .width(2.0),
        );
        p.points(
            Points::new(format!("{name} %"), PlotPoints::from(pts))
                .color(color)
                .radius(2.5),
        );
    }
}
