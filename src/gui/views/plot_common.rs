//! What the plot views share: the palette as egui colours, number
//! formatting (`%` for shares, `ρ` for correlations), the tooltip, and the
//! pure hit-testing functions that hover, click and box select use.
//!
//! Hit testing works in plot coordinates (what `PlotUi::pointer_coordinate`
//! returns) so it is tested without a UI; a pixel tolerance is turned into
//! plot units with the transform's `dvalue_dpos` (plot units per pixel).

use egui::Color32;

use crate::figure::palette;
use crate::stats::Category;

/// How a model entry is named in a view (as in the exported figures).
pub(crate) use crate::figure::entry_label;

/// An sRGB triple of [`palette`] as an egui colour.
pub(crate) fn rgb(c: [u8; 3]) -> Color32 {
    Color32::from_rgb(c[0], c[1], c[2])
}

/// The colour of a channel category.
pub(crate) fn category_color(c: Category) -> Color32 {
    rgb(palette::category(c))
}

/// The name of a category as the views print it.
pub(crate) fn category_name(c: Category) -> &'static str {
    match c {
        Category::Dynamic => "dynamic",
        Category::Static => "static",
        Category::Joint => "joint",
        Category::Neither => "none",
        Category::Unassigned => "unassigned",
    }
}

/// A share in percent: `12.3 %`.
pub(crate) fn pct(v: f64) -> String {
    format!("{v:.1} %")
}

/// A 95 % interval of a share: `[10.0, 14.5] %`.
pub(crate) fn pct_ci(ci: [f64; 2]) -> String {
    format!("[{:.1}, {:.1}] %", ci[0], ci[1])
}

/// A correlation: `0.812`.
pub(crate) fn rho(v: f64) -> String {
    format!("{v:.3}")
}

/// "3 selected: 2 static, 1 none" (categories in report order, empty ones
/// left out); "none selected" for an empty selection.
pub(crate) fn selection_summary(categories: impl IntoIterator<Item = Category>) -> String {
    let mut counts = [0usize; 5];
    let mut total = 0;
    for c in categories {
        counts[Category::ALL.iter().position(|&a| a == c).unwrap_or(4)] += 1;
        total += 1;
    }
    if total == 0 {
        return "none selected".to_string();
    }
    let parts: Vec<String> = Category::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(c, n)| format!("{n} {}", category_name(*c)))
        .collect();
    format!("{total} selected: {}", parts.join(", "))
}

/// Shows `add` in a tooltip at the pointer at once (no hover delay), as
/// egui_plot does for its own labels.
pub(crate) fn tooltip(response: &egui::Response, add: impl FnOnce(&mut egui::Ui)) {
    egui::Tooltip::always_open(
        response.ctx.clone(),
        response.layer_id,
        response.id,
        egui::PopupAnchor::Pointer,
    )
    .gap(12.0)
    .show(add);
}

/// A rectangle in plot coordinates, corners in any order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PlotRect {
    /// Smallest x and y.
    pub min: [f64; 2],
    /// Largest x and y.
    pub max: [f64; 2],
}

impl PlotRect {
    /// The rectangle spanned by two corners.
    pub(crate) fn from_corners(a: [f64; 2], b: [f64; 2]) -> Self {
        Self {
            min: [a[0].min(b[0]), a[1].min(b[1])],
            max: [a[0].max(b[0]), a[1].max(b[1])],
        }
    }

    /// Whether `p` lies inside (bounds included).
    pub(crate) fn contains(&self, p: [f64; 2]) -> bool {
        (0..2).all(|k| p[k] >= self.min[k] && p[k] <= self.max[k])
    }
}

/// The index of the point of `positions` nearest to `at`, measured in
/// pixels (`units_per_px`: plot units per pixel on x and y), if one lies
/// within `max_px`. Ties go to the later point (drawn on top). Non-finite
/// positions are never hit.
pub(crate) fn nearest_point(
    positions: &[[f64; 2]],
    at: [f64; 2],
    units_per_px: [f64; 2],
    max_px: f64,
) -> Option<usize> {
    let (sx, sy) = (units_per_px[0].abs(), units_per_px[1].abs());
    if !(sx > 0.0 && sy > 0.0) {
        return None;
    }
    let mut best: Option<(usize, f64)> = None;
    for (i, p) in positions.iter().enumerate() {
        let (dx, dy) = ((p[0] - at[0]) / sx, (p[1] - at[1]) / sy);
        let d2 = dx * dx + dy * dy;
        if d2.is_finite() && d2 <= max_px * max_px && best.is_none_or(|(_, b)| d2 <= b) {
            best = Some((i, d2));
        }
    }
    best.map(|(i, _)| i)
}

/// The indices of the points of `positions` inside `rect`, in order.
pub(crate) fn points_in_rect(positions: &[[f64; 2]], rect: PlotRect) -> Vec<usize> {
    positions
        .iter()
        .enumerate()
        .filter(|(_, p)| rect.contains(**p))
        .map(|(i, _)| i)
        .collect()
}

/// `a + (b - a) · t`.
pub(crate) fn lerp(a: [f64; 2], b: [f64; 2], t: f64) -> [f64; 2] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

/// Smoothstep easing on `[0, 1]` (clamped).
pub(crate) fn ease(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// The categories of the selected `channels` given the scatter `points`
/// (sorted by channel, as `figure::channel_points` makes them); a channel
/// without a point (undefined ρ) counts as unassigned.
pub(crate) fn selected_categories<'a>(
    points: &'a [crate::figure::ChannelPoint],
    channels: impl IntoIterator<Item = &'a usize> + 'a,
) -> impl Iterator<Item = Category> + 'a {
    channels.into_iter().map(move |&c| {
        points
            .binary_search_by_key(&c, |p| p.channel)
            .map_or(Category::Unassigned, |i| points[i].category)
    })
}

/// The selected model's checkpoint: play/pause through training (rate,
/// loop and glide in the "speed" menu), steps, and a slider (1-based
/// position of N, with its label). Nothing for a model with one checkpoint.
/// A click on them gives the checkpoint player the keys.
pub(crate) fn checkpoint_slider(
    ui: &mut egui::Ui,
    state: &crate::gui::state::AppState,
    actions: &mut Vec<crate::gui::action::Action>,
) {
    use crate::gui::action::Action;
    use crate::gui::checkpoints::{ActivePlayer, PlayerCmd, claim_keys};
    let (Some(report), Some(g)) = (
        state.report.as_deref(),
        state.derived.groups.get(state.selection.group),
    ) else {
        return;
    };
    if g.entries.len() < 2 {
        return;
    }
    // A row of their own in the caller's wrapping row, so that they never
    // run over what lies beside it (the Channels table).
    ui.end_row();
    let rect = ui
        .scope(|ui| {
            {
                let mut cmd = |ui: &mut egui::Ui, text: &str, tip: &str, c: PlayerCmd| {
                    if ui.button(text).on_hover_text(tip).clicked() {
                        actions.push(Action::Checkpoints(c));
                    }
                };
                cmd(ui, "|<", "First checkpoint (Home)", PlayerCmd::First);
                cmd(ui, "<", "Previous checkpoint (Left arrow)", PlayerCmd::Prev);
                let play = if state.checkpoints.is_playing() {
                    "Pause training"
                } else {
                    "Play training"
                };
                cmd(
                    ui,
                    play,
                    "Play through the checkpoints: bars, scatter and curves move together \
                     (Space)",
                    PlayerCmd::Toggle,
                );
                cmd(ui, ">", "Next checkpoint (Right arrow)", PlayerCmd::Next);
                cmd(ui, ">|", "Last checkpoint (End)", PlayerCmd::Last);
            }
            speed_menu(ui, state, actions);
            let last = g.entries.len() - 1;
            let mut k = state.selection.checkpoint.min(last);
            let label = g
                .entries
                .get(k)
                .map_or_else(String::new, |&e| entry_label(report, e, false));
            let r = ui.add(
                egui::Slider::new(&mut k, 0..=last)
                    .text("checkpoint")
                    .custom_formatter(|v, _| format!("{}/{}", v as usize + 1, last + 1))
                    .custom_parser(|t| {
                        let n: f64 = t.split('/').next()?.trim().parse().ok()?;
                        Some(n - 1.0)
                    }),
            );
            ui.add(egui::Label::new(label).truncate());
            if r.changed() {
                actions.push(Action::SelectCheckpoint(k));
            }
        })
        .response
        .rect;
    if state.active_player != ActivePlayer::Checkpoints {
        actions.extend(claim_keys(ui, rect, ActivePlayer::Checkpoints));
    }
}

/// The checkpoint player's rate, looping and the scatter's glide time.
fn speed_menu(
    ui: &mut egui::Ui,
    state: &crate::gui::state::AppState,
    actions: &mut Vec<crate::gui::action::Action>,
) {
    ui.menu_button("speed", |ui| {
        let s = &state.settings;
        let (mut rate, mut looping, mut glide) =
            (s.checkpoint_rate, s.checkpoint_loop, s.glide_secs);
        let mut changed = ui
            .add(
                egui::Slider::new(&mut rate, 0.2..=4.0)
                    .logarithmic(true)
                    .text("checkpoints per second"),
            )
            .changed();
        changed |= ui.checkbox(&mut looping, "loop").changed();
        changed |= ui
            .add(
                egui::Slider::new(&mut glide, crate::gui::state::GLIDE_RANGE)
                    .text("glide (s)")
                    .fixed_decimals(1),
            )
            .on_hover_text("How long the scatter's points take to move to a new checkpoint")
            .changed();
        if changed {
            actions.push(crate::gui::action::Action::SetCheckpointPlayback {
                rate,
                looping,
                glide,
            });
        }
    });
}

/// The "model" menu: every model of the report with its checkpoints;
/// choosing one selects it (at its last checkpoint).
pub(crate) fn model_combo(
    ui: &mut egui::Ui,
    state: &crate::gui::state::AppState,
    actions: &mut Vec<crate::gui::action::Action>,
) {
    let groups = &state.derived.groups;
    let Some(group) = groups.get(state.selection.group) else {
        return;
    };
    egui::ComboBox::from_label("model")
        .selected_text(&group.name)
        .show_ui(ui, |ui| {
            for (gi, g) in groups.iter().enumerate() {
                let text = format!(
                    "{} ({})",
                    g.name,
                    crate::figure::count(g.entries.len(), "checkpoint")
                );
                if ui
                    .selectable_label(gi == state.selection.group, text)
                    .clicked()
                    && gi != state.selection.group
                {
                    actions.push(crate::gui::action::Action::SelectModel(gi));
                }
            }
        });
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Swatch {
    /// A filled square (bars, bands).
    Fill(Color32),
    /// A short horizontal line (curves).
    Line(Color32),
    /// A short vertical line, dashed when `true` (markers across a plot).
    Rule(Color32, bool),
}

/// A legend as one row of widgets above a plot, where it hides no data.
pub(crate) fn legend_row(ui: &mut egui::Ui, entries: &[(Swatch, &str)]) {
    ui.horizontal_wrapped(|ui| {
        for (swatch, label) in entries {
            // a swatch and its label wrap together
            let text = egui::WidgetText::from(*label).into_galley(
                ui,
                Some(egui::TextWrapMode::Extend),
                f32::INFINITY,
                egui::TextStyle::Body,
            );
            let needed = 14.0 + ui.spacing().item_spacing.x + text.size().x;
            if ui.available_size_before_wrap().x < needed {
                ui.end_row();
            }
            let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
            let p = ui.painter();
            match *swatch {
                Swatch::Fill(c) => {
                    p.rect_filled(rect.shrink(1.0), 2.0, c);
                }
                Swatch::Line(c) => {
                    p.line_segment(
                        [rect.left_center(), rect.right_center()],
                        egui::Stroke::new(2.0, c),
                    );
                }
                Swatch::Rule(c, dashed) => {
                    let (top, bottom) = (rect.center_top(), rect.center_bottom());
                    if dashed {
                        p.extend(egui::Shape::dashed_line(
                            &[top, bottom],
                            egui::Stroke::new(1.5, c),
                            3.0,
                            2.0,
                        ));
                    } else {
                        p.line_segment([top, bottom], egui::Stroke::new(1.5, c));
                    }
                }
            }
            ui.label(*label);
            ui.add_space(8.0);
        }
    });
}

/// A plot the user does not pan or zoom (views set the bounds; clicks and
/// drags select instead), with no coordinate readout.
pub(crate) fn fixed(plot: egui_plot::Plot<'_>) -> egui_plot::Plot<'_> {
    plot.show_x(false)
        .show_y(false)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .allow_axis_zoom_drag(false)
}
