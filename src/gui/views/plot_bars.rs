//! Stacked layer bars, shared by the Layers and Compare views: a
//! [`BarLayout`] (computed when the report, τ or the selection changes)
//! places one slot per layer, grouped by model or checkpoint, and
//! [`show_stacked`] draws either the factor shares (dynamic / static /
//! residual % with the 95 % intervals as whiskers) or the channel-category
//! shares (% of channels) of those slots.
//!
//! Coordinates: a slot sits at argument `pos`; in horizontal mode the plot
//! point is `[value, -pos]` (first layer on top), in vertical mode
//! `[pos, value]`. [`BarLayout::bar_at`] inverts that for hover and click.

use egui::{Align2, Color32, Id, Rangef, Stroke};
use egui_plot::{
    AxisHints, Bar, BarChart, GridMark, Legend, Line, Plot, PlotBounds, PlotPoint, Text,
};

use super::plot_common::{category_color, rgb};
use crate::analysis::Report;
use crate::figure::{LayerBar, palette};
use crate::stats::Category;

/// Width of a bar in argument units (slots are 1 apart).
pub(crate) const BAR_WIDTH: f64 = 0.8;

/// One group of bars: a model at a checkpoint.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BarGroup {
    /// Label drawn over the group.
    pub label: String,
    /// Index into `derived.groups`.
    pub group: usize,
    /// Position of the checkpoint in that group.
    pub checkpoint: usize,
    /// Index into `report.models`.
    pub entry: usize,
}

/// One bar: a layer of a group's entry.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BarSlot {
    /// The plotted numbers.
    pub bar: LayerBar,
    /// Index into [`BarLayout::groups`].
    pub group: usize,
    /// Argument position.
    pub pos: f64,
    /// Dimensions per factor.
    pub dims: [usize; 3],
    /// Pairs `[dynamic, static]`.
    pub pairs: [u64; 2],
    /// Cumulative factor shares: segment `k` spans `fac[k]..fac[k + 1]`.
    pub fac: [f64; 4],
    /// Cumulative category shares (dynamic, static, joint, none, unassigned).
    pub cat: [f64; 6],
}

/// What a stacked plot shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BarKind {
    /// Dynamic / static / residual share of the layer's dimensions.
    Factors,
    /// Share of channels per category.
    Categories,
}

impl BarKind {
    fn segments(self) -> usize {
        match self {
            BarKind::Factors => 3,
            BarKind::Categories => 5,
        }
    }

    fn name(self, k: usize) -> &'static str {
        match (self, k) {
            (BarKind::Factors, 0) => "dynamic %",
            (BarKind::Factors, 1) => "static %",
            (BarKind::Factors, _) => "residual %",
            (BarKind::Categories, 0) => "dynamic channels %",
            (BarKind::Categories, 1) => "static channels %",
            (BarKind::Categories, 2) => "joint channels %",
            (BarKind::Categories, 3) => "none channels %",
            (BarKind::Categories, _) => "unassigned channels %",
        }
    }

    fn color(self, k: usize) -> Color32 {
        match self {
            BarKind::Factors => rgb(palette::FACTORS[k.min(2)]),
            BarKind::Categories => category_color(Category::ALL[k.min(4)]),
        }
    }
}

/// Where a pointer is over a stacked bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BarHit {
    /// Index into [`BarLayout::slots`].
    pub slot: usize,
    /// The segment under the pointer (`None` past the top of the stack).
    pub segment: Option<usize>,
}

/// Groups and slots of a stacked bar plot.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct BarLayout {
    /// The groups, in display order.
    pub groups: Vec<BarGroup>,
    /// The bars, group by group, layers in manifest order.
    pub slots: Vec<BarSlot>,
    /// Bars lie horizontally (layer names on the y axis).
    pub horizontal: bool,
}

impl BarLayout {
    /// The bars of `groups` taken from `bars` (the derived bars of `report`).
    pub(crate) fn new(
        report: &Report,
        bars: &[LayerBar],
        groups: Vec<BarGroup>,
        horizontal: bool,
    ) -> Self {
        let mut slots = Vec::new();
        let mut cursor = 0.0;
        for (gi, g) in groups.iter().enumerate() {
            let mut pos = cursor + 1.0;
            for b in bars.iter().filter(|b| b.model_index == g.entry) {
                let layer = report
                    .models
                    .get(b.model_index)
                    .and_then(|m| m.layers.get(b.layer_index));
                let (dims, pairs) = layer.map_or(([0; 3], [0; 2]), |l| {
                    (l.dims, [l.pairs.dynamic, l.pairs.static_])
                });
                let mut fac = [0.0; 4];
                for k in 0..3 {
                    fac[k + 1] = fac[k] + b.pct[k].max(0.0);
                }
                let mut cat = [0.0; 6];
                for (k, &c) in Category::ALL.iter().enumerate() {
                    cat[k + 1] = cat[k] + b.category_pct(c);
                }
                slots.push(BarSlot {
                    bar: b.clone(),
                    group: gi,
                    pos,
                    dims,
                    pairs,
                    fac,
                    cat,
                });
                pos += 1.0;
            }
            cursor = pos - 0.5;
        }
        Self {
            groups,
            slots,
            horizontal,
        }
    }

    /// The plot point of argument `arg` and value `value`.
    pub(crate) fn point(&self, arg: f64, value: f64) -> [f64; 2] {
        if self.horizontal {
            [value, -arg]
        } else {
            [arg, value]
        }
    }

    /// `(argument, value)` of a plot point.
    fn arg_value(&self, p: [f64; 2]) -> (f64, f64) {
        if self.horizontal {
            (-p[1], p[0])
        } else {
            (p[0], p[1])
        }
    }

    /// The slot and segment of `kind` under plot point `p`, if any.
    pub(crate) fn bar_at(&self, p: [f64; 2], kind: BarKind) -> Option<BarHit> {
        let (arg, value) = self.arg_value(p);
        let slot = self
            .slots
            .iter()
            .position(|s| (arg - s.pos).abs() <= BAR_WIDTH / 2.0)?;
        let stack = self.stack(slot, kind);
        let top = stack.last().copied().unwrap_or(0.0).max(100.0);
        if !(0.0..=top).contains(&value) {
            return None;
        }
        let segment = stack
            .windows(2)
            .position(|w| value >= w[0] && value <= w[1]);
        Some(BarHit { slot, segment })
    }

    /// The centre (plot coordinates) of segment `segment` of slot `slot`.
    #[cfg(test)]
    pub(crate) fn segment_center(
        &self,
        slot: usize,
        kind: BarKind,
        segment: usize,
    ) -> Option<[f64; 2]> {
        let s = self.slots.get(slot)?;
        let stack = self.stack(slot, kind);
        let (lo, hi) = (stack.get(segment)?, stack.get(segment + 1)?);
        Some(self.point(s.pos, (lo + hi) / 2.0))
    }

    /// The cumulative shares of a slot.
    fn stack(&self, slot: usize, kind: BarKind) -> &[f64] {
        match (self.slots.get(slot), kind) {
            (Some(s), BarKind::Factors) => &s.fac,
            (Some(s), BarKind::Categories) => &s.cat,
            (None, _) => &[],
        }
    }

    /// The slot of layer `layer` of entry `entry`.
    pub(crate) fn slot_of(&self, entry: usize, layer: &str) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.bar.model_index == entry && s.bar.layer == layer)
    }

    /// Plot bounds: every slot, values 0–100 % (+ room for group labels).
    fn bounds(&self) -> PlotBounds {
        let last = self.slots.last().map_or(1.0, |s| s.pos);
        let (a0, a1) = (0.0, last + 0.6);
        let (v0, v1) = if self.horizontal {
            (0.0, 105.0)
        } else {
            (0.0, 112.0)
        };
        let (p, q) = (self.point(a0, v0), self.point(a1, v1));
        PlotBounds::from_min_max(
            [p[0].min(q[0]), p[1].min(q[1])],
            [p[0].max(q[0]), p[1].max(q[1])],
        )
    }
}

/// What the user did with a stacked plot this frame.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct StackResponse {
    /// The bar under the pointer.
    pub hovered: Option<BarHit>,
    /// The slot clicked.
    pub clicked: Option<usize>,
}

/// Draws `layout` as stacked bars of `kind` in a plot with the global id
/// `id`, highlighting slot `selected`; returns the hover and click. The
/// caller shows the tooltip (`response`) — its content depends on the view.
pub(crate) fn show_stacked(
    ui: &mut egui::Ui,
    id: Id,
    layout: &BarLayout,
    kind: BarKind,
    selected: Option<usize>,
) -> (StackResponse, egui::Response) {
    let strong = ui.visuals().strong_text_color();
    let arg_axis = AxisHints::new(if layout.horizontal {
        egui_plot::Axis::Y
    } else {
        egui_plot::Axis::X
    })
    .label("layer")
    .label_spacing(Rangef::new(6.0, 10.0))
    .formatter(|mark: GridMark, _| slot_label(layout, mark.value));
    let value_label = match kind {
        BarKind::Factors => "share of the layer's dimensions (%)",
        BarKind::Categories => "share of channels (%)",
    };
    let value_axis = AxisHints::new(if layout.horizontal {
        egui_plot::Axis::X
    } else {
        egui_plot::Axis::Y
    })
    .label(value_label);
    let spacer = move |_: egui_plot::GridInput| slot_marks(layout);
    let mut plot = Plot::new(id)
        .id(id)
        .legend(Legend::default().follow_insertion_order(true))
        .show_x(false)
        .show_y(false)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .allow_axis_zoom_drag(false);
    if layout.horizontal {
        let width = layout
            .slots
            .iter()
            .map(|s| s.bar.layer.chars().count())
            .max()
            .unwrap_or(4);
        plot = plot
            .custom_y_axes(vec![arg_axis])
            .custom_x_axes(vec![value_axis])
            .y_grid_spacer(spacer)
            .y_axis_min_width(width as f32 * 7.5 + 8.0);
    } else {
        plot = plot
            .custom_x_axes(vec![arg_axis])
            .custom_y_axes(vec![value_axis])
            .x_grid_spacer(spacer);
    }
    let out = plot.show(ui, |plot_ui| {
        plot_ui.set_plot_bounds(layout.bounds());
        let hovered = plot_ui
            .response()
            .hover_pos()
            .map(|_| plot_ui.pointer_coordinate())
            .and_then(|p| p.and_then(|p| layout.bar_at([p.x, p.y], kind)));
        let clicked = if plot_ui.response().clicked() {
            hovered.map(|h| h.slot)
        } else {
            None
        };
        for k in 0..kind.segments() {
            let bars = layout
                .slots
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let stack = layout.stack(i, kind);
                    let (lo, hi) = (stack[k], stack[k + 1]);
                    let mut b =
                        Bar::new(s.pos * if layout.horizontal { -1.0 } else { 1.0 }, hi - lo)
                            .base_offset(lo)
                            .width(BAR_WIDTH)
                            .fill(kind.color(k))
                            .name(&s.bar.layer);
                    if layout.horizontal {
                        b = b.horizontal();
                    } else {
                        b = b.vertical();
                    }
                    if Some(i) == selected {
                        b = b.stroke(Stroke::new(2.5, strong));
                    } else if hovered.is_some_and(|h| h.slot == i) {
                        b = b.stroke(Stroke::new(1.0, strong));
                    }
                    b
                })
                .collect();
            plot_ui.bar_chart(BarChart::new(kind.name(k), bars).color(kind.color(k)));
        }
        if kind == BarKind::Factors {
            for s in &layout.slots {
                let Some(ci) = s.bar.ci else { continue };
                for (k, base) in [(0, 0.0), (1, s.fac[1])] {
                    let w = whisker(layout, s.pos, base + ci[k][0], base + ci[k][1]);
                    plot_ui.line(Line::new("95 % CI", w).color(strong).width(1.2));
                }
            }
        }
        for (gi, g) in layout.groups.iter().enumerate() {
            let Some(first) = layout.slots.iter().find(|s| s.group == gi) else {
                continue;
            };
            let last = layout
                .slots
                .iter()
                .rev()
                .find(|s| s.group == gi)
                .map_or(first.pos, |s| s.pos);
            let (p, anchor) = if layout.horizontal {
                (layout.point(first.pos - 0.75, 0.5), Align2::LEFT_CENTER)
            } else {
                (
                    layout.point((first.pos + last) / 2.0, 101.0),
                    Align2::CENTER_BOTTOM,
                )
            };
            let text = egui::RichText::new(&g.label).strong();
            plot_ui.text(
                Text::new("", PlotPoint::new(p[0], p[1]), text)
                    .anchor(anchor)
                    .color(strong),
            );
        }
        StackResponse { hovered, clicked }
    });
    (out.inner, out.response)
}

/// An I-shaped whisker from `lo` to `hi` at argument `pos`, as one polyline.
fn whisker(layout: &BarLayout, pos: f64, lo: f64, hi: f64) -> Vec<[f64; 2]> {
    let c = 0.12;
    [
        (pos - c, hi),
        (pos + c, hi),
        (pos, hi),
        (pos, lo),
        (pos - c, lo),
        (pos + c, lo),
    ]
    .iter()
    .map(|&(a, v)| layout.point(a, v))
    .collect()
}

/// Grid marks (and tick labels) at every slot.
fn slot_marks(layout: &BarLayout) -> Vec<GridMark> {
    let sign = if layout.horizontal { -1.0 } else { 1.0 };
    layout
        .slots
        .iter()
        .map(|s| GridMark {
            value: sign * s.pos,
            step_size: 1.0,
        })
        .collect()
}

/// The layer name of the slot at argument-axis value `value`.
fn slot_label(layout: &BarLayout, value: f64) -> String {
    let pos = if layout.horizontal { -value } else { value };
    layout
        .slots
        .iter()
        .find(|s| (s.pos - pos).abs() < 1e-6)
        .map(|s| s.bar.layer.clone())
        .unwrap_or_default()
}
