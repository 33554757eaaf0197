//! The channel's map over both members of a static pair and a dynamic pair,
//! side by side, one frame at a time: scrubbed and played with the controls
//! and keys of Videos & pairs ([`scrubber`]), blended over the frames at
//! the opacity the user picks. Every member is coloured over one range (the
//! complete answer's, shared with the top windows), so members compare.

use egui::{ColorImage, TextureHandle, TextureOptions};
use image::RgbImage;

use crate::gui::action::Action;
use crate::gui::playback::Playback;
use crate::gui::state::AppState;
use crate::gui::views::scrubber;
use crate::inspect::blend_rgba;
use crate::stats::Factor;
use crate::worker::maps::WindowMaps;

/// Shown height of a member's frame (points), about.
const MEMBER_HEIGHT: f32 = 112.0;

/// The player's state.
pub(super) struct MapsPlayer {
    /// The frame shown and whether it plays (tests read it).
    pub(super) playback: Playback,
    was_playing: bool,
    /// Opacity of the map over the frames, in [0, 1].
    pub(super) opacity: f32,
    /// One texture per member shown, and what they show: (answer, frame,
    /// opacity).
    textures: Vec<TextureHandle>,
    painted: Option<(u64, usize, f32)>,
}

impl Default for MapsPlayer {
    fn default() -> Self {
        Self {
            playback: Playback::default(),
            was_playing: false,
            opacity: 0.55,
            textures: Vec::new(),
            painted: None,
        }
    }
}

/// The members the player shows, static pair first: the answer's windows
/// without a stored value (the shown pair and its companion).
pub(super) fn members(windows: &[WindowMaps]) -> Vec<&WindowMaps> {
    let mut lead: Vec<&WindowMaps> = windows
        .iter()
        .take_while(|w| w.window.value.is_none())
        .collect();
    // stable: members stay in order within a pair
    lead.sort_by_key(|w| (w.factor != Factor::Static, w.window.pair));
    lead
}

/// `frames`' frame `f` blended with the map at `opacity` (RGBA8), or `None`.
pub(super) fn blended(w: &WindowMaps, f: usize, opacity: f32) -> Option<Vec<u8>> {
    let frame = w.frames.frames.get(f.min(w.frames.len().checked_sub(1)?))?;
    let heat = w.heat.frames.get(f.min(w.heat.len().checked_sub(1)?))?;
    Some(blend_rgba(frame, heat, opacity))
}

/// RGBA8 pixels as an RGB image.
pub(super) fn rgb(rgba: &[u8], width: usize, height: usize) -> RgbImage {
    let data = rgba
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    RgbImage::from_raw(width as u32, height as u32, data).unwrap_or_default()
}

impl MapsPlayer {
    /// Draws the controls and the members of `windows` (answer `answer`).
    pub(super) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        answer: u64,
        windows: &[WindowMaps],
        actions: &mut Vec<Action>,
    ) {
        let shown = members(windows);
        let count = shown.iter().map(|w| w.frames.len()).max().unwrap_or(0);
        self.playback.set_fps(state.settings.fps);
        self.playback.set_looping(state.settings.looping);
        self.playback.set_count(count);
        scrubber::keys(ui, &mut self.playback, state);
        scrubber::step(ui, &mut self.playback, &mut self.was_playing);
        ui.horizontal_wrapped(|ui| {
            ui.add(
                egui::Slider::new(&mut self.opacity, 0.0..=1.0)
                    .text("map opacity")
                    .fixed_decimals(2),
            )
            .on_hover_text("0: the frames alone; 1: the channel's map alone");
        });
        scrubber::controls(ui, &mut self.playback, state, actions);
        let f = self.playback.frame();
        let now = (answer, f, self.opacity);
        if self.painted != Some(now) || self.textures.len() != shown.len() {
            self.paint(ui.ctx(), &shown, f);
            self.painted = Some(now);
        }
        ui.horizontal_top(|ui| {
            for (i, (w, tex)) in shown.iter().zip(&self.textures).enumerate() {
                if i == 2 {
                    ui.separator();
                }
                let size = tex.size_vec2();
                let scale = (MEMBER_HEIGHT / size.y.max(1.0)).clamp(1.0, 8.0).floor();
                ui.vertical(|ui| {
                    ui.label(format!(
                        "{} pair {} · member {}",
                        w.factor.name(),
                        w.window.pair,
                        w.window.member
                    ));
                    ui.image((tex.id(), size * scale));
                });
            }
        });
        ui.weak(format!(
            "frame {} of the {count} the model sees (Space, Left/Right arrow, Home, End)",
            f + 1
        ));
    }

    fn paint(&mut self, ctx: &egui::Context, shown: &[&WindowMaps], f: usize) {
        let images: Vec<ColorImage> = shown
            .iter()
            .map(|w| {
                let px = blended(w, f, self.opacity).unwrap_or_default();
                if px.len() == w.frames.width * w.frames.height * 4 {
                    ColorImage::from_rgba_unmultiplied([w.frames.width, w.frames.height], &px)
                } else {
                    ColorImage::filled([1, 1], egui::Color32::GRAY)
                }
            })
            .collect();
        if self.textures.len() != images.len() {
            self.textures = images
                .into_iter()
                .enumerate()
                .map(|(i, img)| {
                    ctx.load_texture(
                        format!("stadyn-channel-member-{i}"),
                        img,
                        TextureOptions::NEAREST,
                    )
                })
                .collect();
        } else {
            for (tex, img) in self.textures.iter_mut().zip(images) {
                tex.set(img, TextureOptions::NEAREST);
            }
        }
    }
}
