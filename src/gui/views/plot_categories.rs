//! Channels per category of one layer as stacked areas (dynamic at the
//! bottom, then static, joint, none and unassigned, each as a share of the
//! layer's channels): across training under each curve of the Training tab,
//! and across τ (the τ sweep) beside the Channels scatter.

use egui::{Color32, Id};
use egui_plot::{FilledArea, Plot, PlotBounds, VLine};

use super::plot_common::{category_color, category_name, fixed, tooltip};
use crate::figure::CategoryCurve;
use crate::stats::Category;

/// What the x axis of a category plot is.
pub(crate) struct Axis<'a> {
    /// Its label ("epoch", "τ").
    pub label: &'a str,
    /// Its range.
    pub range: [f64; 2],
    /// A marked value (the selected checkpoint's epoch, the current τ).
    pub marker: Option<f64>,
    /// The plot's height.
    pub height: f32,
}

/// Draws `c`'s stacked areas along `axis`; returns the point nearest the
/// pointer when the plot was clicked.
pub(crate) fn category_areas(ui: &mut egui::Ui, c: &CategoryCurve, axis: &Axis) -> Option<usize> {
    let bands: Vec<[[f64; 2]; 5]> = (0..c.xs.len()).map(|k| c.stacked(k)).collect();
    let ticks = super::training::epoch_ticks(&c.xs);
    let plot = Plot::new("categories")
        .id(Id::unique(("stadyn.categories", axis.label, &c.layer)))
        .height(axis.height)
        .x_axis_label(axis.label)
        .y_axis_label("channels (%)")
        .x_grid_spacer(move |_| super::training::tick_marks(&ticks))
        .x_axis_formatter(|mark, _| format!("{}", mark.value));
    let out = fixed(plot).show(ui, |plot_ui| {
        let [lo, hi] = axis.range;
        plot_ui.set_plot_bounds(PlotBounds::from_min_max([lo, 0.0], [hi, 100.0]));
        for (k, cat) in Category::ALL.into_iter().enumerate() {
            let lo: Vec<f64> = bands.iter().map(|b| b[k][0]).collect();
            let hi: Vec<f64> = bands.iter().map(|b| b[k][1]).collect();
            let color = category_color(cat);
            plot_ui.add(
                FilledArea::new(category_name(cat), &c.xs, &lo, &hi)
                    .fill_color(color.gamma_multiply(0.75))
                    .stroke(egui::Stroke::new(0.5, color)),
            );
        }
        if let Some(x) = axis.marker {
            plot_ui.vline(
                VLine::new("marked", x)
                    .color(Color32::from_gray(60))
                    .width(1.5),
            );
        }
        let hovered = plot_ui
            .response()
            .hover_pos()
            .and_then(|_| plot_ui.pointer_coordinate())
            .and_then(|p| super::training::nearest_epoch(&c.xs, p.x));
        (hovered, plot_ui.response().clicked())
    });
    let (hovered, clicked) = out.inner;
    let k = hovered?;
    tooltip(&out.response, |ui| {
        ui.strong(format!(
            "{}: channels at {} {}",
            c.layer, axis.label, c.xs[k]
        ));
        let (n, total) = (c.counts[k], c.channels[k]);
        for cat in Category::ALL {
            ui.label(format!("{}: {} of {total}", category_name(cat), n.get(cat)));
        }
    });
    clicked.then_some(k)
}
