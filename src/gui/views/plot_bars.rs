//! Stacked layer bars, shared by the Layers and Compare views: a
//! [`BarLayout`] (computed when the report, τ or the selection changes)
//! places one slot per layer, grouped by model or checkpoint, with the
//! stacked shares of each (`plot_stack` draws them) and the hit testing
//! that hover and click use.
//!
//! Coordinates: a slot sits at argument `pos`; in horizontal mode the plot
//! point is `[value, -pos]` (first layer on top), in vertical mode
//! `[pos, value]`. [`BarLayout::bar_at`] inverts that for hover and click.

use egui::Color32;
use egui_plot::PlotBounds;

use super::plot_common::{category_color, category_name, rgb};
use crate::figure::{LayerBar, palette};
use crate::report::Report;
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
    pub(crate) fn segments(self) -> usize {
        match self {
            BarKind::Factors => 3,
            BarKind::Categories => 5,
        }
    }

    pub(crate) fn name(self, k: usize) -> &'static str {
        match (self, k) {
            (BarKind::Factors, 0) => "dynamic %",
            (BarKind::Factors, 1) => "static %",
            (BarKind::Factors, _) => "residual %",
            (BarKind::Categories, k) => category_name(Category::ALL[k.min(4)]),
        }
    }

    pub(crate) fn color(self, k: usize) -> Color32 {
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
    pub(crate) fn stack(&self, slot: usize, kind: BarKind) -> &[f64] {
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
    pub(crate) fn bounds(&self) -> PlotBounds {
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
