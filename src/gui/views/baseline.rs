//! Compare's "A as the baseline" section: entry A against several others
//! at once, B − A of every layer they share with paired bootstrap intervals
//! (the `compare` room's `deltas`, as `stadyn compare --b … --b …`), in one
//! table and one chart; "Save Δ…" writes the table (CSV) and the chart
//! (SVG, PNG) as `stadyn compare` does.

use std::collections::BTreeSet;
use std::sync::Arc;

use egui::Color32;
use egui_plot::{Line, Plot, PlotPoints, Points};

use super::plot_common::{Swatch, entry_label, legend_row, rgb};
use crate::compare::{DeltaRow, deltas, selector_of};
use crate::figure::palette;
use crate::gui::action::Action;
use crate::gui::state::AppState;
use crate::report::Report;

/// The entries compared with the baseline and their rows.
#[derive(Default)]
pub(crate) struct Baseline {
    /// The other entries (indices into `report.models`).
    others: BTreeSet<usize>,
    /// Rows for `(generation, baseline, others)`.
    cache: Option<(Key, Result<Vec<DeltaRow>, String>)>,
}

type Key = (u64, usize, BTreeSet<usize>);

impl Baseline {
    /// The section for baseline `a`.
    pub(crate) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        report: &Report,
        a: usize,
        actions: &mut Vec<Action>,
    ) {
        egui::CollapsingHeader::new(format!(
            "A as the baseline: {} against several entries",
            entry_label(report, a, true)
        ))
        .id_salt("stadyn.compare.baseline")
        .show(ui, |ui| {
            self.pick(ui, state, report, a);
            self.others.remove(&a);
            if self.others.is_empty() {
                ui.weak("Tick the entries to compare with A.");
                return;
            }
            let key = (state.derived.generation, a, self.others.clone());
            if self.cache.as_ref().is_none_or(|(k, _)| *k != key) {
                let rows = rows(state, report, a, &self.others);
                self.cache = Some((key, rows));
            }
            let Some((_, rows)) = &self.cache else { return };
            match rows {
                Ok(rows) => {
                    table(ui, rows);
                    chart(ui, rows);
                    if ui
                        .button("Save Δ…")
                        .on_hover_text("The table as CSV and the chart as SVG and PNG")
                        .clicked()
                    {
                        actions.push(Action::ExportDeltas {
                            rows: Arc::new(rows.clone()),
                            baseline: selector_of(report, a),
                        });
                    }
                }
                Err(e) => {
                    ui.weak(e);
                }
            }
        });
    }

    /// The entries to compare: a tick per entry, and per model "all".
    fn pick(&mut self, ui: &mut egui::Ui, state: &AppState, report: &Report, a: usize) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Compare with:");
            for g in &state.derived.groups {
                ui.menu_button(format!("{} ({})", g.name, g.entries.len()), |ui| {
                    if g.entries.len() > 1 && ui.button("all checkpoints").clicked() {
                        self.others.extend(g.entries.iter().filter(|&&e| e != a));
                    }
                    for &e in &g.entries {
                        let mut on = self.others.contains(&e);
                        let label = entry_label(report, e, false);
                        if ui
                            .add_enabled(e != a, egui::Checkbox::new(&mut on, label))
                            .changed()
                        {
                            if on {
                                self.others.insert(e);
                            } else {
                                self.others.remove(&e);
                            }
                        }
                    }
                });
            }
            if !self.others.is_empty() && ui.button("Clear").clicked() {
                self.others.clear();
            }
        });
    }
}

/// B − A for each of `others`, every layer each shares with A.
fn rows(
    state: &AppState,
    report: &Report,
    a: usize,
    others: &BTreeSet<usize>,
) -> Result<Vec<DeltaRow>, String> {
    let stats = state.stats.as_deref().ok_or_else(|| {
        state.without_stats(
            "Intervals of the differences need the statistics (a run, or a results folder \
             with its stats.bin)",
        )
    })?;
    let mut out = Vec::new();
    for &b in others {
        out.extend(deltas(report, stats, (a, b), None, false).map_err(|e| format!("{e:#}"))?);
    }
    Ok(out)
}

fn fmt(v: f64, ci: Option<[f64; 2]>) -> String {
    match ci {
        Some([lo, hi]) => format!("{v:+.1} [{lo:+.1}, {hi:+.1}]"),
        None => format!("{v:+.1}"),
    }
}

/// One row per compared entry and layer.
fn table(ui: &mut egui::Ui, rows: &[DeltaRow]) {
    egui::Grid::new("stadyn.compare.baseline.table")
        .striped(true)
        .show(ui, |ui| {
            for h in ["#", "B", "layer", "Δ dynamic", "Δ static", "draws"] {
                ui.strong(h);
            }
            ui.end_row();
            for (i, r) in rows.iter().enumerate() {
                let d = &r.delta;
                ui.label((i + 1).to_string());
                ui.label(&r.b);
                ui.label(&r.layer);
                for k in 0..2 {
                    ui.label(fmt(d.delta[k], d.ci.map(|c| c[k])));
                }
                ui.label(if d.paired { "paired" } else { "unpaired" });
                ui.end_row();
            }
        });
}

/// Δ dynamic (blue) and Δ static (red) of every row with interval whiskers,
/// rows left to right as in the table, 0 marked.
fn chart(ui: &mut egui::Ui, rows: &[DeltaRow]) {
    let (dyn_c, stat_c) = (rgb(palette::DYNAMIC), rgb(palette::STATIC));
    legend_row(
        ui,
        &[
            (Swatch::Line(dyn_c), "Δ dynamic"),
            (Swatch::Line(stat_c), "Δ static"),
            (Swatch::Line(Color32::from_gray(140)), "0"),
            (
                Swatch::Rule(Color32::from_gray(200), false),
                "95 % interval",
            ),
        ],
    );
    Plot::new("baseline")
        .id(egui::Id::unique("stadyn.compare.baseline.chart"))
        .height(220.0)
        .x_axis_label("row of the table (#)")
        .y_axis_label("B − A (points)")
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 5.0, 10.0]))
        .x_axis_formatter(|mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 1.0 {
                format!("{i}")
            } else {
                String::new()
            }
        })
        .show(ui, |p| {
            let n = rows.len() as f64;
            p.line(
                Line::new("0", PlotPoints::from(vec![[0.5, 0.0], [n + 0.5, 0.0]]))
                    .color(Color32::from_gray(140)),
            );
            for (k, name, color, dx) in [
                (0, "Δ dynamic", dyn_c, -0.12),
                (1, "Δ static", stat_c, 0.12),
            ] {
                let pts: Vec<[f64; 2]> = rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| [(i + 1) as f64 + dx, r.delta.delta[k]])
                    .collect();
                p.points(Points::new(name, pts).color(color).radius(4.0));
                for (i, r) in rows.iter().enumerate() {
                    if let Some(ci) = r.delta.ci {
                        let x = (i + 1) as f64 + dx;
                        p.line(
                            Line::new(name, PlotPoints::from(vec![[x, ci[k][0]], [x, ci[k][1]]]))
                                .color(color)
                                .width(1.5),
                        );
                    }
                }
            }
        });
}
