//! The channel panel under the Channels scatter: one selected channel looked
//! inside. Its ρ with 95 % intervals and category stability; member 1
//! against member 2 of the sampled pairs behind each ρ; and the channel's
//! map over the frames the model sees, for both members of the pair shown
//! in Videos & pairs and for the channel's top windows (highest and lowest
//! pooled activation), computed by a [`MapLoader`] thread. Clicking a window
//! opens its pair in Videos & pairs. Needs the statistics (a finished or
//! cached run, or a results folder with its `stats.bin`).

use std::sync::Arc;

use egui::{ColorImage, TextureHandle, TextureOptions};
use egui_plot::{Line, Plot, PlotPoints, Points};

use super::channels::uncertainty_lines;
use super::plot_common::rho;
use crate::analysis::ModelStats;
use crate::figure::evidence::pearson;
use crate::figure::{ChannelPoint, palette};
use crate::gui::action::{Action, Tab};
use crate::gui::state::AppState;
use crate::stats::{End, Factor, LayerAccumulator};
use crate::worker::maps::{MapEvent, MapLoader, MapRequest, Window, WindowMaps};

/// Top windows shown per end.
pub(crate) const SHOWN_PER_END: usize = 4;

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
}

/// An answer, with its textures (uploaded on first draw).
struct Shown {
    windows: Arc<Vec<WindowMaps>>,
    textures: Vec<Option<TextureHandle>>,
    seconds: f64,
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
        ui.horizontal(|ui| {
            ui.strong(format!("Channel {channel}"));
            if ui
                .button("Export channel…")
                .on_hover_text(
                    "Its top windows (strips, GIFs, maps as .npy), the pairs behind ρ and \
                     channel.json, in a <layer>_c<C> folder (as stadyn channels writes them)",
                )
                .clicked()
            {
                actions.push(Action::ExportChannel(channel));
            }
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
        let Some((stats_model, acc)) = layer_stats(state) else {
            ui.label(
                "Maps, top windows and the pairs behind ρ need the statistics: run the \
                 project, or open a results folder with its stats.bin.",
            );
            return;
        };
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(260.0);
                pair_scatters(ui, acc, channel, point);
            });
            ui.separator();
            ui.vertical(|ui| self.windows_ui(ui, state, stats_model, acc, channel, actions));
        });
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
            let complete = !matches!(
                ev,
                MapEvent::Ready {
                    complete: false,
                    ..
                }
            );
            if complete {
                self.asked = None;
            }
            let shown = match ev {
                MapEvent::Ready {
                    windows, seconds, ..
                } => Ok(Shown {
                    textures: vec![None; windows.len()],
                    windows,
                    seconds,
                }),
                MapEvent::Failed { message, .. } => Err(message),
            };
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
        if self.loader.is_none() && self.loader_error.is_none() {
            let ctx = ctx.clone();
            match MapLoader::spawn(Arc::new(move || ctx.request_repaint())) {
                Ok(l) => self.loader = Some(l),
                Err(e) => self.loader_error = Some(format!("cannot start the maps thread: {e}")),
            }
        }
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

    fn windows_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        model: &ModelStats,
        acc: &LayerAccumulator,
        channel: usize,
        actions: &mut Vec<Action>,
    ) {
        let (Some(entry), Some(layer), Some(probe)) = (
            state.selected_entry(),
            state.selection.layer.as_deref(),
            state.stats.as_ref().and_then(|s| s.probe.as_ref()),
        ) else {
            ui.label("These statistics have no probe videos (activations from a file).");
            return;
        };
        let pair = state.selection.pair;
        let key: Key = (entry, layer.to_string(), channel, pair);
        // The request is built only when it is sent (not every frame).
        let request = || {
            let mut windows = vec![
                Window {
                    pair,
                    member: 1,
                    value: None,
                },
                Window {
                    pair,
                    member: 2,
                    value: None,
                },
            ];
            for end in [End::High, End::Low] {
                let top = acc.top().get(channel, end).iter().take(SHOWN_PER_END);
                windows.extend(top.map(|w| Window {
                    pair: w.pair,
                    member: w.member,
                    value: Some(w.value),
                }));
            }
            MapRequest {
                request: 0,
                model: model.path.clone().into(),
                sha256: model.sha256.clone(),
                probe: probe.clone(),
                layer: layer.to_string(),
                channel,
                windows,
            }
        };
        self.ask(ui.ctx(), &key, request);
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
            "Frames the model sees (top) and the channel's map over them (one colour range \
             for all windows); {:.0} ms",
            shown.seconds * 1000.0
        ));
        egui::ScrollArea::vertical()
            .id_salt("stadyn.channel.windows")
            .show(ui, |ui| {
                let ctx = ui.ctx().clone();
                for (i, tex) in shown.textures.iter_mut().enumerate() {
                    tex.get_or_insert_with(|| texture(&ctx, &shown.windows[i], i));
                }
                let widest = shown
                    .textures
                    .iter()
                    .flatten()
                    .map(|t| t.size_vec2().x * strip_scale(t))
                    .fold(1.0, f32::max);
                let gap = ui.spacing().item_spacing.x;
                let columns = ((ui.available_width() + gap) / (widest + gap))
                    .floor()
                    .max(1.0) as usize;
                let all: Vec<usize> = (0..shown.windows.len()).collect();
                for row in all.chunks(columns) {
                    ui.horizontal(|ui| {
                        for &i in row {
                            let Some(tex) = &shown.textures[i] else {
                                continue;
                            };
                            let w = &shown.windows[i];
                            if window_ui(ui, i, w, tex) {
                                actions.push(Action::ShowPair(w.window.pair));
                                actions.push(Action::ShowTab(Tab::Pairs));
                            }
                        }
                    });
                }
            });
    }
}

/// One window: its label over its strip; whether it was clicked.
fn window_ui(ui: &mut egui::Ui, i: usize, w: &WindowMaps, tex: &TextureHandle) -> bool {
    let label = match (i, w.window.value) {
        (0 | 1, _) => format!("shown pair {}, member {}", w.window.pair, w.window.member),
        (_, Some(v)) => {
            let end = if i < 2 + SHOWN_PER_END { "high" } else { "low" };
            format!(
                "{end} · pair {} m{} · {v:.3}",
                w.window.pair, w.window.member
            )
        }
        _ => String::new(),
    };
    let size = tex.size_vec2();
    let scale = strip_scale(tex);
    ui.vertical(|ui| {
        ui.set_width(size.x * scale);
        let text = ui
            .add(
                egui::Label::new(label)
                    .truncate()
                    .sense(egui::Sense::click()),
            )
            .on_hover_text("Open this pair in Videos & pairs");
        let image = ui
            .add(egui::Image::new((tex.id(), size * scale)).sense(egui::Sense::click()))
            .on_hover_text("Open this pair in Videos & pairs");
        text.clicked() || image.clicked()
    })
    .inner
}

/// The scale that shows a strip (two rows of frames) about 70 px tall.
fn strip_scale(tex: &TextureHandle) -> f32 {
    (70.0 / tex.size_vec2().y.max(1.0)).clamp(0.5, 4.0)
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

fn texture(ctx: &egui::Context, w: &WindowMaps, i: usize) -> TextureHandle {
    let f = &w.strip;
    let rgba = f.frames.first().map_or(&[][..], Vec::as_slice);
    let image = ColorImage::from_rgba_unmultiplied([f.width, f.height], rgba);
    ctx.load_texture(
        format!("channel-window-{}-{}-{i}", w.window.pair, w.window.member),
        image,
        TextureOptions::NEAREST,
    )
}

/// Member 1 against member 2 of the sampled pairs, per factor.
fn pair_scatters(
    ui: &mut egui::Ui,
    acc: &LayerAccumulator,
    channel: usize,
    point: Option<&ChannelPoint>,
) {
    ui.strong("The pairs behind ρ");
    for (f, colour, rho_f) in [
        (
            Factor::Dynamic,
            palette::DYNAMIC,
            point.map(|p| p.rho_dynamic),
        ),
        (Factor::Static, palette::STATIC, point.map(|p| p.rho_static)),
    ] {
        let pts: Vec<(f32, f32)> = acc
            .sample()
            .pairs(f)
            .iter()
            .filter_map(|p| Some((*p.a.get(channel)?, *p.b.get(channel)?)))
            .collect();
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
