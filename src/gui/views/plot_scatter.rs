//! The ρ_S (x) – ρ_D (y) scatter, shared by the Channels and Compare views:
//! [`ScatterData`] (made when the derived points change) holds the points
//! and their per-category buckets; [`show_scatter`] draws them with the τ
//! lines, the selection rings and the trails, and reports hover, click and
//! box selection in terms of point indices. Channels whose category is
//! unstable (fewer than 90 % of bootstrap replicates agree) are faded; the
//! selected and the hovered channel show their 95 % intervals as a cross.
//!
//! Axes: both run from `lower` to 1, where `lower` is −0.2 unless some
//! channel of the layer (at any checkpoint) lies below, then −1: most
//! channels correlate positively, and a fixed frame keeps the points in
//! place when the checkpoint or τ changes. One unit is as long on both axes.

use egui::{Color32, Id, Modifiers, Stroke};
use egui_plot::{
    HLine, Legend, Line, LineStyle, Plot, PlotBounds, PlotPoint, PlotPoints, Points, Polygon, VLine,
};

use super::plot_arrows::arrows;
use super::plot_common::{
    PlotRect, category_color, category_name, fixed, nearest_point, points_in_rect,
};
use super::plot_dots::dots;
use crate::figure::ChannelPoint;
use crate::gui::action::{Action, SelectMode};
use crate::stats::Category;

/// At most this many selected channels show their interval crosses.
pub(crate) const MAX_CROSSES: usize = 100;

/// How near (pixels) the pointer must be to hover or click a point.
pub(crate) const HIT_PX: f64 = 8.0;

/// The axis minimum for a layer whose smallest ρ is `min_rho`.
pub(crate) fn axis_lower(min_rho: f64) -> f64 {
    if min_rho < -0.2 { -1.0 } else { -0.2 }
}

/// The points of one layer at one checkpoint, sorted by channel.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ScatterData {
    /// The points (as `figure::channel_points` made them).
    pub points: Vec<ChannelPoint>,
    /// `[ρ_S, ρ_D]` per point.
    pub positions: Vec<[f64; 2]>,
}

impl ScatterData {
    /// The scatter of `points` (sorted by channel).
    pub(crate) fn new(points: &[ChannelPoint]) -> Self {
        Self {
            points: points.to_vec(),
            positions: points
                .iter()
                .map(|p| [p.rho_static, p.rho_dynamic])
                .collect(),
        }
    }

    /// The index of `channel`'s point, if it has one.
    pub(crate) fn index_of(&self, channel: usize) -> Option<usize> {
        self.points
            .binary_search_by_key(&channel, |p| p.channel)
            .ok()
    }

    /// The smallest ρ of any point (0 without points).
    pub(crate) fn min_rho(&self) -> f64 {
        self.positions.iter().flatten().copied().fold(0.0, f64::min)
    }
}

/// How a point is coloured: its category, faded when unstable.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Look {
    /// The category.
    pub category: Category,
    /// Whether that category is stable (`None`: not known).
    pub stable: Option<bool>,
}

impl Look {
    /// The look of `p` as it is.
    pub(crate) fn of(p: &ChannelPoint) -> Self {
        Self {
            category: p.category,
            stable: p.stable(),
        }
    }
}

/// What is drawn: positions (possibly mid-animation) split by category.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Shown {
    /// Position per point of the [`ScatterData`].
    pub positions: Vec<[f64; 2]>,
    /// Positions per category, in `Category::ALL` order (stable or unknown
    /// stability).
    pub buckets: [Vec<PlotPoint>; 5],
    /// Positions per category of channels whose category is unstable.
    pub faded: [Vec<PlotPoint>; 5],
    /// Positions of the selected channels.
    pub rings: Vec<PlotPoint>,
    /// Per point, its 95 % intervals as offsets from its ρ:
    /// `[[ρ_S lo, hi], [ρ_D lo, hi]]`.
    pub offsets: Vec<Option<[[f64; 2]; 2]>>,
    /// The selected points (indices), at most [`MAX_CROSSES`], that get crosses.
    pub crossed: Vec<usize>,
}

impl Shown {
    /// `positions` of `data`'s points, with rings at the `selected` channels.
    pub(crate) fn new<'a>(
        data: &ScatterData,
        positions: Vec<[f64; 2]>,
        selected: impl IntoIterator<Item = &'a usize>,
    ) -> Self {
        let looks: Vec<Look> = data.points.iter().map(Look::of).collect();
        Self::looking(data, positions, selected, &looks)
    }

    /// As [`Shown::new`], each point coloured as `looks` says (points
    /// gliding to a new checkpoint keep their old colour until they arrive).
    pub(crate) fn looking<'a>(
        data: &ScatterData,
        positions: Vec<[f64; 2]>,
        selected: impl IntoIterator<Item = &'a usize>,
        looks: &[Look],
    ) -> Self {
        let mut buckets: [Vec<PlotPoint>; 5] = Default::default();
        let mut faded: [Vec<PlotPoint>; 5] = Default::default();
        for (look, pos) in looks.iter().zip(&positions) {
            let k = Category::ALL
                .iter()
                .position(|&c| c == look.category)
                .unwrap_or(4);
            let to = if look.stable == Some(false) {
                &mut faded
            } else {
                &mut buckets
            };
            to[k].push(PlotPoint::new(pos[0], pos[1]));
        }
        let chosen: Vec<usize> = selected
            .into_iter()
            .filter_map(|&c| data.index_of(c))
            .collect();
        let rings = chosen
            .iter()
            .map(|&i| PlotPoint::new(positions[i][0], positions[i][1]))
            .collect();
        let offsets = data
            .points
            .iter()
            .map(|p| {
                p.ci.map(|[s, d]| {
                    [
                        [s[0] - p.rho_static, s[1] - p.rho_static],
                        [d[0] - p.rho_dynamic, d[1] - p.rho_dynamic],
                    ]
                })
            })
            .collect();
        Self {
            positions,
            buckets,
            faded,
            rings,
            offsets,
            crossed: chosen.into_iter().take(MAX_CROSSES).collect(),
        }
    }
}

/// What the user did with the scatter this frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ScatterResponse {
    /// The point under the pointer.
    pub hovered: Option<usize>,
    /// A click: the point hit (`None`: empty space) and how it combines.
    pub clicked: Option<(Option<usize>, SelectMode)>,
    /// A finished box selection: the points inside and how they combine.
    pub boxed: Option<(Vec<usize>, SelectMode)>,
}

/// How a click or box combines with the selection: shift adds, ctrl/cmd toggles.
pub(crate) fn select_mode(m: Modifiers) -> SelectMode {
    if m.command || m.ctrl {
        SelectMode::Toggle
    } else if m.shift {
        SelectMode::Add
    } else {
        SelectMode::Replace
    }
}

/// Arrows from each channel's point in entry A to its point in entry B,
/// in three groups: category kept, changed uncertainly, changed certainly
/// (or with unknown certainty).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Moves {
    /// `(origins, tips)` of channels whose category stays.
    pub kept: (Vec<PlotPoint>, Vec<PlotPoint>),
    /// Of changes not known to be certain.
    pub uncertain: (Vec<PlotPoint>, Vec<PlotPoint>),
    /// Of certain changes (both ends at least 90 % stable).
    pub certain: (Vec<PlotPoint>, Vec<PlotPoint>),
}

/// Everything [`show_scatter`] draws.
pub(crate) struct ScatterInput<'a> {
    /// Where they are drawn.
    pub shown: &'a Shown,
    /// Trails of the selected channels (one polyline each).
    pub trails: &'a [Vec<PlotPoint>],
    /// Channels' moves from another entry, drawn as arrows (Compare).
    pub moves: Option<&'a Moves>,
    /// Category threshold.
    pub tau: f64,
    /// Axis minimum ([`axis_lower`]).
    pub lower: f64,
    /// Marker radius (pixels).
    pub radius: f32,
}

/// A marker radius that keeps `n` points readable.
pub(crate) fn radius_for(n: usize) -> f32 {
    if n > 2000 {
        2.0
    } else if n > 300 {
        2.5
    } else {
        3.5
    }
}

/// Draws the scatter in a plot with global id `id`; `drag_from` keeps the
/// start of a box selection between frames.
pub(crate) fn show_scatter(
    ui: &mut egui::Ui,
    id: Id,
    input: &ScatterInput<'_>,
    drag_from: &mut Option<[f64; 2]>,
) -> (ScatterResponse, egui::Response) {
    let strong = ui.visuals().strong_text_color();
    let modifiers = ui.input(|i| i.modifiers);
    let press_origin = ui.input(|i| i.pointer.press_origin());
    let lower = input.lower;
    let plot = Plot::new("scatter")
        .id(id)
        .legend(
            // The corner of negative ρ, where channels are fewest.
            Legend::default()
                .follow_insertion_order(true)
                .position(egui_plot::Corner::LeftBottom),
        )
        .x_axis_label("ρ_S (static correlation)")
        .y_axis_label("ρ_D (dynamic correlation)")
        .data_aspect(1.0);
    let out = fixed(plot).show(ui, |plot_ui| {
        plot_ui.set_plot_bounds(PlotBounds::from_min_max([lower - 0.03; 2], [1.03; 2]));
        let mut r = ScatterResponse::default();
        let pointer = plot_ui.pointer_coordinate().map(|p| [p.x, p.y]);
        let upp = plot_ui.transform().dvalue_dpos();
        let over = plot_ui.response().hover_pos().is_some();
        if over && let Some(p) = pointer {
            r.hovered = nearest_point(&input.shown.positions, p, upp, HIT_PX);
        }
        let resp = plot_ui.response().clone();
        if resp.clicked() {
            r.clicked = Some((r.hovered, select_mode(modifiers)));
        }
        if resp.drag_started() {
            *drag_from = press_origin.map(|o| {
                let p = plot_ui.plot_from_screen(o);
                [p.x, p.y]
            });
        }
        let rect = drag_from
            .zip(pointer)
            .map(|(a, b)| PlotRect::from_corners(a, b));
        if resp.drag_stopped() {
            if let Some(rect) = rect {
                r.boxed = Some((
                    points_in_rect(&input.shown.positions, rect),
                    select_mode(modifiers),
                ));
            }
            *drag_from = None;
        } else if let Some(rect) = rect.filter(|_| resp.dragged()) {
            let corners = vec![
                [rect.min[0], rect.min[1]],
                [rect.max[0], rect.min[1]],
                [rect.max[0], rect.max[1]],
                [rect.min[0], rect.max[1]],
            ];
            plot_ui.polygon(
                Polygon::new("", PlotPoints::new(corners))
                    .stroke(Stroke::new(1.0, strong))
                    .fill_color(strong.gamma_multiply(0.08)),
            );
        }
        if let Some(m) = input.moves {
            let groups = [
                ("category kept", &m.kept, strong.gamma_multiply(0.18)),
                ("change uncertain", &m.uncertain, strong.gamma_multiply(0.5)),
                ("change certain", &m.certain, strong),
            ];
            for (name, (from, to), colour) in groups {
                if from.is_empty() {
                    continue;
                }
                // One mesh per group ([`arrows`]), not two lines per arrow.
                plot_ui.add(arrows(name, from, to, colour, 6.0));
            }
        }
        for trail in input.trails {
            plot_ui.line(
                Line::new("trails", PlotPoints::Borrowed(trail))
                    .color(strong.gamma_multiply(0.45))
                    .width(1.0),
            );
        }
        for (k, c) in Category::ALL.iter().enumerate() {
            let (bucket, faded) = (&input.shown.buckets[k], &input.shown.faded[k]);
            let n = bucket.len() + faded.len();
            if n == 0 && *c == Category::Unassigned {
                continue;
            }
            // The legend's count includes the faded points; they have no entry
            // of their own (an unnamed item is left out of the legend) unless
            // every point of the category is faded.
            let name = format!("{} ({n})", category_name(*c));
            // One mesh per category ([`dots`]), not a circle per point.
            if !faded.is_empty() {
                let faded_name = if bucket.is_empty() { name.as_str() } else { "" };
                let color = category_color(*c).gamma_multiply(0.3);
                plot_ui.add(dots(
                    faded_name,
                    faded,
                    ("uncertain", k),
                    color,
                    input.radius,
                ));
            }
            if bucket.is_empty() && !faded.is_empty() {
                continue;
            }
            let color = category_color(*c);
            plot_ui.add(dots(&name, bucket, ("category", k), color, input.radius));
        }
        let crosses = input.shown.crossed.iter().copied().chain(r.hovered);
        for i in crosses {
            let (Some(Some([s, d])), Some(p)) =
                (input.shown.offsets.get(i), input.shown.positions.get(i))
            else {
                continue;
            };
            let cross = Stroke::new(1.5, strong.gamma_multiply(0.8));
            for pts in [
                vec![[p[0] + s[0], p[1]], [p[0] + s[1], p[1]]],
                vec![[p[0], p[1] + d[0]], [p[0], p[1] + d[1]]],
            ] {
                plot_ui.line(Line::new("", PlotPoints::new(pts)).stroke(cross));
            }
        }
        let tau_line = Stroke::new(1.0, strong.gamma_multiply(0.7));
        let tau_name = format!("τ = {:.2}", input.tau);
        plot_ui.vline(
            VLine::new(&tau_name, input.tau)
                .stroke(tau_line)
                .style(LineStyle::dashed_dense()),
        );
        plot_ui.hline(
            HLine::new(&tau_name, input.tau)
                .stroke(tau_line)
                .style(LineStyle::dashed_dense()),
        );
        if !input.shown.rings.is_empty() {
            plot_ui.points(
                Points::new(
                    format!("selected ({})", input.shown.rings.len()),
                    PlotPoints::Borrowed(&input.shown.rings),
                )
                .id("selected")
                .color(strong)
                .radius(input.radius + 3.0)
                .filled(false),
            );
        }
        if let Some(i) = r.hovered {
            let p = input.shown.positions[i];
            plot_ui.points(
                Points::new("", vec![p])
                    .color(Color32::from_gray(128))
                    .radius(input.radius + 5.0)
                    .filled(false),
            );
        }
        r
    });
    (out.inner, out.response)
}

/// The actions of a click or box selection on the scatter.
pub(crate) fn emit_selection(
    r: &ScatterResponse,
    data: &ScatterData,
    has_selection: bool,
    actions: &mut Vec<Action>,
) {
    let channels = |idx: &[usize]| {
        idx.iter()
            .map(|&i| data.points[i].channel)
            .collect::<Vec<_>>()
    };
    let (idx, mode) = match &r.clicked {
        Some((Some(i), mode)) => (vec![*i], *mode),
        Some((None, mode)) => (Vec::new(), *mode),
        None => match &r.boxed {
            Some((idx, mode)) => (idx.clone(), *mode),
            None => return,
        },
    };
    if idx.is_empty() {
        if mode == SelectMode::Replace && has_selection {
            actions.push(Action::ClearChannels);
        }
        return;
    }
    actions.push(Action::SelectChannels {
        channels: channels(&idx),
        mode,
    });
}
