//! Draws a [`BarLayout`] as stacked bars: the factor shares (dynamic /
//! static / residual % with the 95 % intervals as whiskers) or the
//! channel-category shares (% of channels), with a legend row above, the
//! layer names on the argument axis and the group names over each group.
//! Panning and zooming are off: the frame is fixed, so a click always
//! lands where the bar was drawn.

use egui::{Align2, Id, Rangef, Stroke};
use egui_plot::{AxisHints, Bar, BarChart, GridMark, Line, Plot, PlotMemory, PlotPoint, Text};

use super::plot_bars::{BAR_WIDTH, BarHit, BarKind, BarLayout};
use super::plot_common::{Swatch, fixed, legend_row, rgb};
use crate::figure::palette;

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
    let mut entries: Vec<(Swatch, &str)> = (0..kind.segments())
        .map(|k| (Swatch::Fill(kind.color(k)), kind.name(k)))
        .collect();
    if kind == BarKind::Factors {
        entries.push((Swatch::Rule(strong, false), "95 % CI"));
    }
    // Tagged layers: a marker in their stream's colour after the bar
    // (horizontal bars; upright ones say the stream in the label only).
    let streams = stream_tags(layout);
    let marked = kind == BarKind::Factors && layout.horizontal && !streams.is_empty();
    let stream_names: Vec<String> = streams.iter().map(|t| format!("stream: {t}")).collect();
    if marked {
        for (t, name) in streams.iter().zip(&stream_names) {
            entries.push((Swatch::Fill(rgb(palette::stream(t))), name.as_str()));
        }
    }
    legend_row(ui, &entries);
    // Vertical bars: names must fit the room one slot had last frame.
    let room = (!layout.horizontal)
        .then(|| PlotMemory::load(ui.ctx(), id))
        .flatten()
        .map_or(f32::INFINITY, |m| {
            m.transform().dpos_dvalue_x().abs() as f32
        });
    // All names, or (when one does not fit) every layer by its number.
    let names_fit = layout
        .slots
        .iter()
        .all(|s| fit(&s.bar.label(), room) == s.bar.label());
    let arg_axis = AxisHints::new(if layout.horizontal {
        egui_plot::Axis::Y
    } else {
        egui_plot::Axis::X
    })
    .label(if names_fit {
        "layer"
    } else {
        "layer (numbered in manifest order; hover for its name)"
    })
    .label_spacing(Rangef::new(6.0, 10.0))
    .formatter(move |mark: GridMark, _| slot_label(layout, mark.value, names_fit));
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
    let mut plot = fixed(Plot::new(id).id(id));
    if layout.horizontal {
        let width = layout
            .slots
            .iter()
            .map(|s| s.bar.label().chars().count())
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
        if marked {
            for t in &streams {
                let bars: Vec<Bar> = layout
                    .slots
                    .iter()
                    .filter(|s| s.bar.stream.as_deref() == Some(t.as_str()))
                    .map(|s| {
                        Bar::new(-s.pos, 2.5)
                            .base_offset(101.5)
                            .width(BAR_WIDTH)
                            .fill(rgb(palette::stream(t)))
                            .horizontal()
                    })
                    .collect();
                plot_ui.bar_chart(
                    BarChart::new(format!("stream: {t}"), bars).color(rgb(palette::stream(t))),
                );
            }
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
            let slots = layout.slots.iter().filter(|s| s.group == gi).count() as f32;
            let text = egui::RichText::new(fit(&g.label, room * slots)).strong();
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

/// The layer name of the slot at argument-axis value `value`, or its
/// number in its group (from 1) unless `names`.
fn slot_label(layout: &BarLayout, value: f64, names: bool) -> String {
    let pos = if layout.horizontal { -value } else { value };
    let Some(s) = layout.slots.iter().find(|s| (s.pos - pos).abs() < 1e-6) else {
        return String::new();
    };
    if names {
        return s.bar.label();
    }
    let index = layout
        .slots
        .iter()
        .take_while(|o| o.pos < s.pos)
        .filter(|o| o.group == s.group)
        .count();
    (index + 1).to_string()
}

/// `text` if it fits `room` points (about 7 per character), else its end
/// after "…" (names differ most at the end), else nothing.
pub(crate) fn fit(text: &str, room: f32) -> String {
    let chars = (room / 7.0).floor().max(0.0) as usize;
    let n = text.chars().count();
    if n <= chars {
        text.to_string()
    } else if chars >= 4 {
        let tail: String = text.chars().skip(n + 1 - chars).collect();
        format!("…{tail}")
    } else {
        String::new()
    }
}

/// The stream tags of the layout's bars, in first-seen order.
fn stream_tags(layout: &BarLayout) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in &layout.slots {
        if let Some(t) = &s.bar.stream
            && !out.contains(t)
        {
            out.push(t.clone());
        }
    }
    out
}
