//! The channels per category of one layer across training, as stacked
//! areas under the layer's curve on the Training tab (dynamic at the
//! bottom, then static, joint, none and unassigned, each as a share of the
//! layer's channels at the current τ).

use egui::{Color32, Id};
use egui_plot::{FilledArea, Plot, PlotBounds, VLine};

use super::plot_common::{category_color, category_name, fixed, tooltip};
use crate::figure::CategoryCurve;
use crate::stats::Category;

/// Draws `c` over the epochs `x` (the curves' shared range) with a line at
/// the selected epoch.
pub(crate) fn category_areas(
    ui: &mut egui::Ui,
    c: &CategoryCurve,
    x: [f64; 2],
    selected_epoch: Option<f64>,
) {
    let bands: Vec<[[f64; 2]; 5]> = (0..c.epochs.len()).map(|k| c.stacked(k)).collect();
    let plot = Plot::new("categories")
        .id(Id::unique(("stadyn.training.categories", &c.layer)))
        .height(90.0)
        .x_axis_label("epoch")
        .y_axis_label("channels (%)");
    let out = fixed(plot).show(ui, |plot_ui| {
        plot_ui.set_plot_bounds(PlotBounds::from_min_max([x[0], 0.0], [x[1], 100.0]));
        for (k, cat) in Category::ALL.into_iter().enumerate() {
            let lo: Vec<f64> = bands.iter().map(|b| b[k][0]).collect();
            let hi: Vec<f64> = bands.iter().map(|b| b[k][1]).collect();
            let color = category_color(cat);
            plot_ui.add(
                FilledArea::new(category_name(cat), &c.epochs, &lo, &hi)
                    .fill_color(color.gamma_multiply(0.75))
                    .stroke(egui::Stroke::new(0.5, color)),
            );
        }
        if let Some(e) = selected_epoch {
            plot_ui.vline(
                VLine::new("selected checkpoint", e)
                    .color(Color32::from_gray(140))
                    .width(1.5),
            );
        }
        plot_ui
            .response()
            .hover_pos()
            .and_then(|_| plot_ui.pointer_coordinate())
            .and_then(|p| super::training::nearest_epoch(&c.epochs, p.x))
    });
    if let Some(k) = out.inner {
        tooltip(&out.response, |ui| {
            ui.strong(format!("{}: channels at epoch {}", c.layer, c.epochs[k]));
            let (n, total) = (c.counts[k], c.channels[k]);
            for cat in Category::ALL {
                ui.label(format!("{}: {} of {total}", category_name(cat), n.get(cat)));
            }
        });
    }
}
