//! The channel panel under the Channels scatter: one selected channel looked
//! inside. Its ρ with 95 % intervals and category stability; member 1
//! against member 2 of the sampled pairs behind each ρ; the channel's map
//! over the frames the model sees for both members of a static and a
//! dynamic pair, scrubbed and played ([`player`]); and its top windows
//! (highest and lowest pooled activation) as strips ([`strips`]), all from a
//! [`MapLoader`] thread. Clicking a window opens its pair in Videos & pairs.
//! "Save…" writes the panel as a figure or the player as a GIF or MP4
//! ([`snapshot`]), or the channel's folder as `stadyn channels` does. Needs
//! the statistics (a finished or cached run, or a results folder with its
//! `stats.bin`).

mod player;
pub mod snapshot;
mod strips;

use std::sync::Arc;

use egui::TextureHandle;
use egui_plot::{Line, Plot, PlotPoints, Points};

use super::channels::uncertainty_lines;
use super::plot_common::rho;
use crate::analysis::ModelStats;
use crate::figure::evidence::pearson;
use crate::figure::{ChannelPoint, entry_label, palette};
use crate::gui::action::Action;
use crate::gui::state::AppState;
use crate::inspect::{Range, channel_dir_name};
use crate::stats::{End, Factor, LayerAccumulator};
use crate::worker::maps::{MapEvent, MapLoader, MapRequest, WindowMaps};
use player::MapsPlayer;
use snapshot::{PanelFile, PanelSnapshot, Scatter};

/// Top windows shown per end.
pub(crate) const SHOWN_PER_END: usize = 4;

/// Candidates asked for per end: twice those shown, so that members shared
/// by several pairs (the same clip, window and style) are shown once.
const ASKED_PER_END: usize = 2 * SHOWN_PER_END;

/// What the maps were asked for: entry, layer, channel, the shown pair.
type Key = (usize, String, usize, u64);

/// The panel's state: the maps thread and what it last answered.
#[derive(Default)]
pub struct ChannelPanel {
    loader: Option<MapLoader>,
    loader_error: Option<String>,
    next_request: u64,
    /// The request in flight and its key.
    asked: Option<(u64, Key)>,
    /// The last answer: its key, and the windows or why not.
    shown: Option<(Key, Result<Shown, String>)>,
    /// Answers received so far (the player repaints on a new one).
    answers: u64,
    /// What was last prepared ([`prepare`](Self::prepare)): entry, layer, pair.
    prepared: Option<(usize, String, u64)>,
    player: MapsPlayer,
}

/// An answer, with its textures (uploaded on first draw).
struct Shown {
    windows: Arc<Vec<WindowMaps>>,
    textures: Vec<Option<TextureHandle>>,
    range: Range,
    seconds: f64,
    complete: bool,
}

impl ChannelPanel {
    /// Draws the panel for `point` (the selected channel) of the selected
    /// layer at the selected entry.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        point: Option<&ChannelPoint>,
        channel: usize,
        actions: &mut Vec<Action>,
    ) {
        self.poll();
        let stats = layer_stats(state);
        ui.horizontal(|ui| {
            ui.strong(format!("Channel {channel}"));
            self.save_menu(ui, state, stats.map(|s| s.1), point, channel, actions);
            if let Some(p) = point {
                ui.label(format!(
                    "ρ_D = {}, ρ_S = {}",
                    rho(p.rho_dynamic),
                    rho(p.rho_static)
                ));
                for line in uncertainty_lines(p) {
                    ui.weak(line);
                }
            } else {
                ui.label("ρ undefined (the channel does not vary)");
            }
        });
        let Some((stats_model, acc)) = stats else {
            ui.label(state.without_stats(
                "Maps, top windows and the pairs behind ρ need the statistics: run the \
                 project, or open a results folder with its stats.bin.",
            ));
            return;
        };
        let height = ui.available_height();
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(260.0);
                egui::ScrollArea::vertical()
                    .id_salt("stadyn.channel.pairs")
                    .max_height(height)
                    .show(ui, |ui| pair_scatters(ui, acc, channel, point));
            });
            ui.separator();
            ui.vertical(|ui| {
                egui::ScrollArea::vertical()
                    .id_salt("stadyn.channel.maps")
                    .max_height(height)
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        self.maps_ui(ui, state, stats_model, acc, channel, actions);
                    });
            });
        });
    }

    /// Gets the maps thread ready while no channel is open: loads the
    /// selected entry's model and computes the selected layer's maps (every
    /// channel) of the shown pair and its companion, so that selecting a
    /// channel only colours them. Its answer is not shown.
    pub fn prepare(&mut self, ctx: &egui::Context, state: &AppState) {
        self.poll(); // drops the answers of earlier preparations
        let (Some((model, acc)), Some(entry), Some(probe)) = (
            layer_stats(state),
            state.selected_entry(),
            state.stats.as_ref().and_then(|s| s.probe.as_ref()),
        ) else {
            return;
        };
        let pair = state.selection.pair;
        let key = (entry, acc.name().to_string(), pair);
        if self.prepared.as_ref() == Some(&key) || self.asked.is_some() {
            return;
        }
        self.ensure_loader(ctx);
        let Some(loader) = &mut self.loader else {
            return;
        };
        self.next_request += 1;
        loader.request(MapRequest {
            request: self.next_request,
            ..MapRequest::panel(model, probe, acc, 0, pair, 0)
        });
        self.prepared = Some(key);
    }

    fn ensure_loader(&mut self, ctx: &egui::Context) {
        if self.loader.is_none() && self.loader_error.is_none() {
            let ctx = ctx.clone();
            match MapLoader::spawn(Arc::new(move || ctx.request_repaint())) {
                Ok(l) => self.loader = Some(l),
                Err(e) => self.loader_error = Some(format!("cannot start the maps thread: {e}")),
            }
        }
    }

    /// Takes the thread's answers (those of older requests are dropped).
    fn poll(&mut self) {
        let Some(loader) = &mut self.loader else {
            return;
        };
        while let Some(ev) = loader.try_recv() {
            let Some((id, key)) = self.asked.clone() else {
                continue;
            };
            if ev.request() != id {
                continue;
            }
            let shown = match ev {
                MapEvent::Ready {
                    windows,
                    range,
                    seconds,
                    complete,
                    ..
                } => {
                    if complete {
                        self.asked = None;
                    }
                    Ok(Shown {
                        textures: vec![None; windows.len()],
                        windows,
                        range,
                        seconds,
                        complete,
                    })
                }
                MapEvent::Failed { message, .. } => {
                    self.asked = None;
                    Err(message)
                }
            };
            self.answers += 1;
            self.shown = Some((key, shown));
        }
    }

    /// Asks for the maps of `key` unless they are shown or asked for.
    fn ask(&mut self, ctx: &egui::Context, key: &Key, request: impl FnOnce() -> MapRequest) {
        let current = |k: Option<&Key>| k == Some(key);
        if current(self.asked.as_ref().map(|a| &a.1)) || current(self.shown.as_ref().map(|s| &s.0))
        {
            return;
        }
        self.ensure_loader(ctx);
        let Some(loader) = &mut self.loader else {
            return;
        };
        self.next_request += 1;
        let id = self.next_request;
        loader.request(MapRequest {
            request: id,
            ..request()
        });
        self.asked = Some((id, key.clone()));
    }

    /// The player over the shown pairs, then the top windows' strips.
    fn maps_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        model: &ModelStats,
        acc: &LayerAccumulator,
        channel: usize,
        actions: &mut Vec<Action>,
    ) {
        let (Some(entry), Some(probe)) = (
            state.selected_entry(),
            state.stats.as_ref().and_then(|s| s.probe.as_ref()),
        ) else {
            ui.label("These statistics have no probe videos (activations from a file).");
            return;
        };
        let pair = state.selection.pair;
        let key: Key = (entry, acc.name().to_string(), channel, pair);
        // The request is built only when it is sent (not every frame).
        self.ask(ui.ctx(), &key, || {
            MapRequest::panel(model, probe, acc, channel, pair, ASKED_PER_END)
        });
        if let Some(e) = &self.loader_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        let waiting = self.asked.is_some();
        let Some((shown_key, shown)) = &mut self.shown else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("computing the maps…");
            });
            return;
        };
        if waiting || *shown_key != key {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("updating…");
            });
        }
        let shown = match shown {
            Ok(s) => s,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("No maps: {e}"));
                return;
            }
        };
        ui.weak(format!(
            "The channel's map over the frames the model sees; colours span [{:.3}, {:.3}] \
             for every view of this channel{}; {:.0} ms",
            shown.range.lo,
            shown.range.hi,
            if shown.complete {
                ""
            } else {
                " (the shown pairs' own range until the top windows are ready)"
            },
            shown.seconds * 1000.0
        ));
        self.player
            .ui(ui, state, self.answers, &shown.windows, actions);
        ui.separator();
        let kept = kept_windows(&shown.windows);
        let top: Vec<usize> = (0..shown.windows.len())
            .filter(|&i| shown.windows[i].window.end.is_some() && kept[i])
            .collect();
        strips::strips_ui(ui, &shown.windows, &top, &mut shown.textures, actions);
        if !shown.complete {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("top windows…");
            });
        }
    }

    /// The "Save…" menu: the panel as PNG or SVG, the player as GIF or MP4,
    /// and the channel's folder.
    fn save_menu(
        &self,
        ui: &mut egui::Ui,
        state: &AppState,
        acc: Option<&LayerAccumulator>,
        point: Option<&ChannelPoint>,
        channel: usize,
        actions: &mut Vec<Action>,
    ) {
        let windows = self.shown.as_ref().and_then(|(_, s)| s.as_ref().ok());
        ui.menu_button("Save…", |ui| {
            let pics = windows.is_some();
            let items = [
                (PanelFile::Png, "Panel as PNG…", pics),
                (PanelFile::Svg, "Panel as SVG…", pics),
                (PanelFile::Gif, "Maps of the pairs as GIF…", pics),
                (PanelFile::Mp4, "Maps of the pairs as MP4…", pics),
            ];
            for (file, label, enabled) in items {
                let b = ui.add_enabled(enabled, egui::Button::new(label));
                if b.clicked()
                    && let Some(s) = windows
                {
                    let snap = self.snapshot(state, acc, point, channel, s, file);
                    actions.push(Action::ExportPanel(Arc::new(snap)));
                }
            }
            ui.separator();
            if ui
                .button("Channel folder…")
                .on_hover_text(
                    "Its top windows (strips, GIFs, maps as .npy), the pairs behind ρ and \
                     channel.json, in a <layer>_c<C> folder (as stadyn channels writes them)",
                )
                .clicked()
            {
                actions.push(Action::ExportChannel(channel));
            }
        });
    }

    /// A copy of what the panel shows, to write as `file`.
    fn snapshot(
        &self,
        state: &AppState,
        acc: Option<&LayerAccumulator>,
        point: Option<&ChannelPoint>,
        channel: usize,
        shown: &Shown,
        file: PanelFile,
    ) -> PanelSnapshot {
        let layer = acc.map_or("", |a| a.name());
        let entry = match (state.report.as_deref(), state.selected_entry()) {
            (Some(r), Some(e)) => entry_label(r, e, true),
            _ => String::new(),
        };
        let mut lines = Vec::new();
        if let Some(p) = point {
            lines.push(format!(
                "ρ_D = {}, ρ_S = {}; {} at τ = {:.2}",
                rho(p.rho_dynamic),
                rho(p.rho_static),
                p.category.name(),
                state.settings.tau
            ));
            lines.extend(uncertainty_lines(p));
        }
        lines.push(format!(
            "Map colours span [{:.3}, {:.3}] (one range for every view of this channel); \
             map opacity {:.2}",
            shown.range.lo, shown.range.hi, self.player.opacity
        ));
        let scatters = acc.map_or_else(Vec::new, |acc| {
            [Factor::Dynamic, Factor::Static]
                .into_iter()
                .map(|f| Scatter {
                    title: format!("{} pairs", f.name()),
                    colour: factor_colour(f),
                    points: sampled(acc, f, channel),
                    rho: point.map(|p| match f {
                        Factor::Dynamic => p.rho_dynamic,
                        Factor::Static => p.rho_static,
                    }),
                })
                .collect()
        });
        let keep = kept_windows(&shown.windows);
        let kept: Vec<WindowMaps> = shown
            .windows
            .iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|(w, _)| w.clone())
            .collect();
        let movie = matches!(file, PanelFile::Gif | PanelFile::Mp4);
        PanelSnapshot {
            stem: format!("{}_panel", channel_dir_name(layer, channel)),
            file,
            title: format!("{entry} · {layer} · channel {channel}"),
            lines,
            scatters,
            rows: if movie {
                Vec::new()
            } else {
                snapshot::rows(&kept, self.player.opacity)
            },
            movie: if movie {
                snapshot::movie(&kept, self.player.opacity)
            } else {
                Vec::new()
            },
            fps: state.settings.fps,
        }
    }
}

/// Which windows of an answer are shown: the pairs of the player always; a
/// top window unless an earlier top window is the very same member (of
/// another pair: same clip, window and style) or its end already shows
/// [`SHOWN_PER_END`].
fn kept_windows(all: &[WindowMaps]) -> Vec<bool> {
    let root = |k: usize| all[k].same_as.unwrap_or(k);
    let mut roots_seen = Vec::new();
    let mut per_end = [0usize; 2];
    all.iter()
        .enumerate()
        .map(|(i, w)| {
            let Some(end) = w.window.end else {
                return true;
            };
            let e = usize::from(end == End::Low);
            if roots_seen.contains(&root(i)) || per_end[e] >= SHOWN_PER_END {
                return false;
            }
            roots_seen.push(root(i));
            per_end[e] += 1;
            true
        })
        .collect()
}

/// The statistics of the selected entry's layer.
fn layer_stats(state: &AppState) -> Option<(&ModelStats, &LayerAccumulator)> {
    let report = state.report.as_ref()?;
    let m = report.models.get(state.selected_entry()?)?;
    let layer = state.selection.layer.as_deref()?;
    let sm = state
        .stats
        .as_ref()?
        .models
        .iter()
        .find(|s| s.name == m.name && s.checkpoint == m.checkpoint)?;
    let acc = sm.layers.iter().find(|l| l.name() == layer)?;
    Some((sm, acc))
}

fn factor_colour(f: Factor) -> [u8; 3] {
    match f {
        Factor::Dynamic => palette::DYNAMIC,
        Factor::Static => palette::STATIC,
    }
}

/// Member 1 and member 2 of the sampled pairs of factor `f`, for `channel`.
fn sampled(acc: &LayerAccumulator, f: Factor, channel: usize) -> Vec<(f32, f32)> {
    acc.sample()
        .pairs(f)
        .iter()
        .filter_map(|p| Some((*p.a.get(channel)?, *p.b.get(channel)?)))
        .collect()
}

/// Member 1 against member 2 of the sampled pairs, per factor.
fn pair_scatters(
    ui: &mut egui::Ui,
    acc: &LayerAccumulator,
    channel: usize,
    point: Option<&ChannelPoint>,
) {
    ui.strong("The pairs behind ρ");
    for (f, rho_f) in [
        (Factor::Dynamic, point.map(|p| p.rho_dynamic)),
        (Factor::Static, point.map(|p| p.rho_static)),
    ] {
        let pts = sampled(acc, f, channel);
        let r = pearson(&pts).map_or("—".into(), rho);
        ui.label(format!(
            "{} pairs: ρ = {} (all pairs), r = {r} ({} sampled)",
            f.name(),
            rho_f.map_or("—".into(), rho),
            pts.len()
        ));
        let (lo, hi) = pts
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
                let (a, b) = (f64::from(p.0), f64::from(p.1));
                (l.min(a).min(b), h.max(a).max(b))
            });
        let colour = factor_colour(f);
        let c = egui::Color32::from_rgb(colour[0], colour[1], colour[2]);
        Plot::new(("stadyn.channel.pairs", f.index()))
            .height(140.0)
            .data_aspect(1.0)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .x_axis_label("member 1")
            .y_axis_label("member 2")
            .show(ui, |plot_ui| {
                let xy: Vec<[f64; 2]> = pts
                    .iter()
                    .map(|p| [f64::from(p.0), f64::from(p.1)])
                    .collect();
                if lo.is_finite() {
                    plot_ui.line(
                        Line::new("y = x", PlotPoints::new(vec![[lo, lo], [hi, hi]]))
                            .color(egui::Color32::GRAY),
                    );
                }
                plot_ui.points(Points::new(f.name(), xy).color(c).radius(2.0));
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::maps::Window;
    use crate::worker::pairs::Frames;

    fn window(w: Window, same_as: Option<usize>) -> WindowMaps {
        let empty = Frames {
            width: 0,
            height: 0,
            frames: Vec::new(),
        };
        WindowMaps {
            window: w,
            factor: Factor::Dynamic,
            frames: empty.clone(),
            heat: empty.clone(),
            strip: empty,
            pooled: 0.0,
            same_as,
        }
    }

    #[test]
    fn a_member_repeated_by_other_pairs_is_shown_once_and_each_end_is_capped() {
        let top = |pair, end| Window::top(pair, 1, 1.0, end);
        let mut all = vec![
            window(Window::shown(0, 1), None),
            window(Window::shown(0, 2), None),
            // the shown member 1 again: shown (the first top window of it)
            window(top(7, End::High), Some(0)),
            // the same member as window 2, through window 0: a repeat
            window(top(9, End::High), Some(0)),
            window(top(11, End::High), None),
            // the same as window 4: a repeat
            window(top(12, End::High), Some(4)),
        ];
        all.extend((20..30).map(|p| window(top(p, End::High), None)));
        all.push(window(top(40, End::Low), None));
        let kept = kept_windows(&all);
        assert_eq!(&kept[..6], [true, true, true, false, true, false]);
        let high = (0..all.len())
            .filter(|&i| kept[i] && all[i].window.end == Some(End::High))
            .count();
        assert_eq!(high, SHOWN_PER_END);
        assert!(kept[all.len() - 1], "the low end has its own count");
    }
}
