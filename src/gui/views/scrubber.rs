//! The player controls shared by Videos & pairs and the channel panel: the
//! same buttons, frame slider and keys drive a [`Playback`] in both. Keys,
//! when no text field has focus: Space play/pause, Left/Right arrow frame
//! step, Home/End first/last frame (consumed, so a focused button or slider
//! does not act on them too) and unless the checkpoint player was clicked
//! after this one on a tab that shows both (`gui::checkpoints`). Speed and
//! looping are the app's settings, so both players run alike.

use egui::{Key, Modifiers};

use crate::gui::action::Action;
use crate::gui::checkpoints::{self, ActivePlayer};
use crate::gui::playback::{FPS_RANGE, Playback};
use crate::gui::state::AppState;

/// Applies the keyboard shortcuts to `p`, unless a text field has focus or
/// the keys belong to the checkpoint player.
pub fn keys(ui: &mut egui::Ui, p: &mut Playback, state: &AppState) {
    checkpoints::mark_frames_player(ui.ctx());
    if ui.ctx().text_edit_focused()
        || !checkpoints::frames_take_keys(state.settings.tab, state.active_player)
    {
        return;
    }
    ui.input_mut(|i| {
        let mut key = |k| i.consume_key(Modifiers::NONE, k);
        if key(Key::Space) {
            p.toggle();
        }
        if key(Key::ArrowRight) {
            p.next();
        }
        if key(Key::ArrowLeft) {
            p.prev();
        }
        if key(Key::Home) {
            p.first();
        }
        if key(Key::End) {
            p.last();
        }
    });
}

/// Advances `p` by the time since the last frame (not on the first playing
/// frame, tracked in `was_playing`) and asks for the next repaint while it
/// plays.
pub fn step(ui: &egui::Ui, p: &mut Playback, was_playing: &mut bool) {
    if p.is_playing() && *was_playing {
        let dt = ui.input(|i| i.unstable_dt).min(0.5);
        p.step(dt);
    }
    *was_playing = p.is_playing();
    if let Some(d) = p.until_next_frame() {
        ui.ctx().request_repaint_after(d);
    }
}

/// Play/pause, frame steps, speed, loop and the frame slider; a click on
/// them gives this player the keys.
pub fn controls(ui: &mut egui::Ui, p: &mut Playback, state: &AppState, actions: &mut Vec<Action>) {
    let rect = ui
        .scope(|ui| frame_controls(ui, p, state, actions))
        .response
        .rect;
    if state.active_player != ActivePlayer::Frames {
        actions.extend(checkpoints::claim_keys(ui, rect, ActivePlayer::Frames));
    }
}

fn frame_controls(
    ui: &mut egui::Ui,
    p: &mut Playback,
    state: &AppState,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("|<")
            .on_hover_text("First frame (Home)")
            .clicked()
        {
            p.first();
        }
        if ui
            .button("<")
            .on_hover_text("Previous frame (Left arrow)")
            .clicked()
        {
            p.prev();
        }
        let play = if p.is_playing() { "Pause" } else { "Play" };
        if ui
            .button(play)
            .on_hover_text("Play/pause (Space)")
            .clicked()
        {
            p.toggle();
        }
        if ui
            .button(">")
            .on_hover_text("Next frame (Right arrow)")
            .clicked()
        {
            p.next();
        }
        if ui.button(">|").on_hover_text("Last frame (End)").clicked() {
            p.last();
        }
        let (mut fps, mut looping) = (state.settings.fps, state.settings.looping);
        let speed = egui::Slider::new(&mut fps, FPS_RANGE)
            .logarithmic(true)
            .text("fps");
        let changed = ui.add(speed).changed() | ui.checkbox(&mut looping, "loop").changed();
        if changed {
            p.set_fps(fps);
            p.set_looping(looping);
            actions.push(Action::SetPlayback { fps, looping });
        }
    });
    let last = p.count().saturating_sub(1);
    let mut frame = p.frame();
    let slider = egui::Slider::new(&mut frame, 0..=last).text("frame");
    if ui.add_enabled(p.count() > 1, slider).changed() {
        p.set_frame(frame);
    }
}
