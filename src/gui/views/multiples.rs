//! Small multiples: the ρ_S–ρ_D scatter of the selected layer at every
//! checkpoint of the selected model, in a grid (Channels tab, "all
//! checkpoints"); a click on one opens that checkpoint in the full scatter.

use egui::{Color32, Id, Stroke};
use egui_plot::{HLine, Plot, PlotBounds, PlotPoint, PlotPoints, Points, VLine};

use super::plot_common::{category_color, category_name, entry_label, fixed};
use crate::figure::channel_points;
use crate::gui::state::AppState;
use crate::stats::Category;

/// One small scatter: its title and its points per category.
struct Small {
    title: String,
    /// `(ρ_S, ρ_D)` per category, in `Category::ALL` order.
    buckets: [Vec<PlotPoint>; 5],
    /// The smallest ρ (sets the shared axes).
    min_rho: f64,
}

/// The grid's plot data, for one derived generation.
#[derive(Default)]
pub(crate) struct Multiples {
    cache: Option<(u64, Vec<Small>)>,
}

impl Multiples {
    /// Draws the grid; returns the position (in the model's checkpoints)
    /// of the one clicked.
    pub(crate) fn ui(&mut self, ui: &mut egui::Ui, state: &AppState) -> Option<usize> {
        let (report, group, layer) = (
            state.report.as_deref()?,
            state.derived.groups.get(state.selection.group)?,
            state.selection.layer.as_deref()?,
        );
        if self
            .cache
            .as_ref()
            .is_none_or(|(g, _)| *g != state.derived.generation)
        {
            let smalls = group
                .entries
                .iter()
                .map(|&e| {
                    let l = report.models[e].layers.iter().find(|l| l.name == layer);
                    let mut buckets: [Vec<PlotPoint>; 5] = Default::default();
                    let mut min_rho = 0.0f64;
                    for p in l
                        .map(|l| channel_points(l, state.settings.tau).0)
                        .unwrap_or_default()
                    {
                        let k = Category::ALL
                            .iter()
                            .position(|&c| c == p.category)
                            .unwrap_or(4);
                        buckets[k].push(PlotPoint::new(p.rho_static, p.rho_dynamic));
                        min_rho = min_rho.min(p.rho_static).min(p.rho_dynamic);
                    }
                    Small {
                        title: entry_label(report, e, false),
                        buckets,
                        min_rho,
                    }
                })
                .collect();
            self.cache = Some((state.derived.generation, smalls));
        }
        let (_, smalls) = self.cache.as_ref()?;
        let lower =
            super::plot_scatter::axis_lower(smalls.iter().map(|s| s.min_rho).fold(0.0, f64::min));
        let selected = state
            .selection
            .checkpoint
            .min(smalls.len().saturating_sub(1));
        let side = 230.0f32;
        let cols = ((ui.available_width() / (side + 16.0)).floor() as usize).max(1);
        let tau = state.settings.tau;
        let mut clicked = None;
        ui.label(format!(
            "{layer} at each of {} checkpoints, same axes, τ = {tau:.2}: click one to open it",
            smalls.len()
        ));
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for (row, chunk) in smalls.chunks(cols).enumerate() {
                    ui.horizontal(|ui| {
                        for (j, s) in chunk.iter().enumerate() {
                            let k = row * cols + j;
                            let stroke = if k == selected {
                                Stroke::new(2.0, ui.visuals().selection.stroke.color)
                            } else {
                                ui.visuals().widgets.noninteractive.bg_stroke
                            };
                            egui::Frame::group(ui.style())
                                .stroke(stroke)
                                .show(ui, |ui| {
                                    ui.set_width(side);
                                    ui.vertical(|ui| {
                                        ui.add(egui::Label::new(&s.title).truncate());
                                        let plot = Plot::new("small")
                                            .id(Id::unique(("stadyn.multiples", k)))
                                            .width(side)
                                            .height(side)
                                            .data_aspect(1.0)
                                            .show_axes([false, false]);
                                        let r = fixed(plot).show(ui, |p| {
                                            p.set_plot_bounds(PlotBounds::from_min_max(
                                                [lower - 0.03; 2],
                                                [1.03; 2],
                                            ));
                                            let grey = Color32::from_gray(150);
                                            p.vline(VLine::new("τ", tau).color(grey));
                                            p.hline(HLine::new("τ", tau).color(grey));
                                            for (cat, pts) in Category::ALL.iter().zip(&s.buckets) {
                                                p.points(
                                                    Points::new(
                                                        category_name(*cat),
                                                        PlotPoints::Borrowed(pts),
                                                    )
                                                    .color(category_color(*cat))
                                                    .radius(1.5),
                                                );
                                            }
                                        });
                                        if r.response.clicked() {
                                            clicked = Some(k);
                                        }
                                    });
                                });
                        }
                    });
                }
            });
        clicked
    }
}
