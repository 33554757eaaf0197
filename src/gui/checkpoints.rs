//! Playing through training: a [`CheckpointPlayer`] steps the selected
//! checkpoint of the selected model at a set rate, so the bars, the scatter
//! (whose points glide) and the curves' checkpoint line move together; and
//! which player the keys drive ([`ActivePlayer`]).
//!
//! # Contract
//! - The player follows the selection: a checkpoint chosen elsewhere (a
//!   slider, a click on a curve) is where it goes on from.
//! - While it plays, each step is one `SelectCheckpoint` the app applies like
//!   any other; at the last checkpoint it wraps when looping, else pauses.
//! - Keys (Space, Left/Right arrow, Home/End) drive the player clicked last:
//!   the checkpoint player on the tabs that show a checkpoint control, the
//!   frame player of Videos & pairs or of the channel panel otherwise. A
//!   frame player on screen takes them unless the checkpoint player was
//!   clicked after it ([`frames_take_keys`]).

use std::time::Duration;

use super::action::{Action, Tab};
use super::playback::Playback;

/// Which player the keys drive, by the last one the user clicked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ActivePlayer {
    /// A frame player (Videos & pairs, the channel panel).
    #[default]
    Frames,
    /// The checkpoint player.
    Checkpoints,
}

/// What the checkpoint controls or keys ask of the player.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayerCmd {
    /// Play ↔ pause.
    Toggle,
    /// One checkpoint on (pauses).
    Next,
    /// One checkpoint back (pauses).
    Prev,
    /// The first checkpoint.
    First,
    /// The last checkpoint.
    Last,
}

/// Whether `tab` shows the checkpoint controls (and so the checkpoint
/// player can take the keys there).
pub fn tab_has_checkpoints(tab: Tab) -> bool {
    matches!(tab, Tab::Layers | Tab::Channels | Tab::Training)
}

/// Whether a frame player drawn on `tab` takes the keys: unless the
/// checkpoint player was clicked last and `tab` shows it.
pub fn frames_take_keys(tab: Tab, active: ActivePlayer) -> bool {
    !(tab_has_checkpoints(tab) && active == ActivePlayer::Checkpoints)
}

/// The checkpoint player of the selected model.
#[derive(Clone, Debug)]
pub struct CheckpointPlayer {
    playback: Playback,
    /// Whether it played on the last tick (the first playing tick does not
    /// advance: its `dt` is the idle time before).
    was_playing: bool,
}

impl Default for CheckpointPlayer {
    fn default() -> Self {
        let mut playback = Playback::new(0);
        playback.set_fps(1.0);
        Self {
            playback,
            was_playing: false,
        }
    }
}

impl CheckpointPlayer {
    /// Whether it plays.
    pub fn is_playing(&self) -> bool {
        self.playback.is_playing()
    }

    /// Follows the model (`count` checkpoints) and the selected checkpoint
    /// (`current`, clamped), and the rate and looping settings.
    fn sync(&mut self, count: usize, current: usize, rate: f32, looping: bool) {
        if self.playback.count() != count {
            self.playback.set_count(count);
        }
        let current = current.min(count.saturating_sub(1));
        if self.playback.frame() != current {
            self.playback.set_frame(current);
        }
        self.playback.set_fps(rate);
        self.playback.set_looping(looping);
    }

    /// Applies `cmd` with the model's `count` checkpoints and the selected
    /// one `current`; returns the checkpoint to select when it moved.
    pub fn command(
        &mut self,
        cmd: PlayerCmd,
        count: usize,
        current: usize,
        (rate, looping): (f32, bool),
    ) -> Option<usize> {
        self.sync(count, current, rate, looping);
        let before = self.playback.frame();
        let p = &mut self.playback;
        match cmd {
            PlayerCmd::Toggle => p.toggle(),
            PlayerCmd::Next => p.next(),
            PlayerCmd::Prev => p.prev(),
            PlayerCmd::First => p.first(),
            PlayerCmd::Last => p.last(),
        }
        self.was_playing = false;
        (p.frame() != before || current >= count).then_some(p.frame())
    }

    /// One UI frame `dt` seconds after the last: follows the selection and,
    /// while playing, advances; returns the checkpoint to select when it
    /// moved. A model with fewer than 2 checkpoints stops it.
    pub fn tick(
        &mut self,
        dt: f32,
        count: usize,
        current: usize,
        (rate, looping): (f32, bool),
    ) -> Option<usize> {
        self.sync(count, current, rate, looping);
        if count < 2 {
            self.playback.pause();
        }
        let moved = self.playback.is_playing() && self.was_playing && self.playback.step(dt);
        self.was_playing = self.playback.is_playing();
        moved.then_some(self.playback.frame())
    }

    /// Stops playing (a new report, another model).
    pub fn stop(&mut self) {
        self.playback.pause();
        self.was_playing = false;
    }

    /// How long until the next step while playing (for a repaint request).
    pub fn until_next(&self) -> Option<Duration> {
        self.playback.until_next_frame()
    }
}

/// The keys of a player, as commands (consumed so that a focused button or
/// slider does not act on them too); none while a text field has focus.
pub fn key_commands(ctx: &egui::Context) -> Vec<PlayerCmd> {
    if ctx.text_edit_focused() {
        return Vec::new();
    }
    ctx.input_mut(|i| {
        [
            (egui::Key::Space, PlayerCmd::Toggle),
            (egui::Key::ArrowRight, PlayerCmd::Next),
            (egui::Key::ArrowLeft, PlayerCmd::Prev),
            (egui::Key::Home, PlayerCmd::First),
            (egui::Key::End, PlayerCmd::Last),
        ]
        .into_iter()
        .filter(|&(k, _)| i.consume_key(egui::Modifiers::NONE, k))
        .map(|(_, c)| c)
        .collect()
    })
}

/// Where a frame player notes the pass it was last drawn in.
const FRAMES_SEEN: &str = "stadyn.frames_player_seen";

/// Notes that a frame player is on screen in this pass.
pub fn mark_frames_player(ctx: &egui::Context) {
    let now = ctx.cumulative_pass_nr();
    ctx.data_mut(|d| d.insert_temp(egui::Id::unique(FRAMES_SEEN), now));
}

/// Whether a frame player was drawn in this pass or the one before.
pub fn frames_player_recent(ctx: &egui::Context) -> bool {
    let now = ctx.cumulative_pass_nr();
    ctx.data(|d| d.get_temp::<u64>(egui::Id::unique(FRAMES_SEEN)))
        .is_some_and(|n| n + 1 >= now)
}

/// The action that marks the checkpoint player as the one clicked last,
/// when a pointer press landed in `rect`.
pub fn claim_keys(ui: &egui::Ui, rect: egui::Rect, who: ActivePlayer) -> Option<Action> {
    let pressed = ui.input(|i| i.pointer.any_pressed());
    (pressed && ui.rect_contains_pointer(rect)).then_some(Action::ActivatePlayer(who))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: (f32, bool) = (1.0, true);

    #[test]
    fn playing_steps_checkpoints_and_wraps_when_looping() {
        let mut p = CheckpointPlayer::default();
        assert_eq!(p.command(PlayerCmd::Toggle, 3, 0, RATE), None);
        assert!(p.is_playing());
        // the first playing tick only starts the clock
        assert_eq!(p.tick(5.0, 3, 0, RATE), None);
        assert_eq!(p.tick(0.6, 3, 0, RATE), None);
        assert_eq!(p.tick(0.6, 3, 0, RATE), Some(1));
        assert_eq!(p.tick(1.0, 3, 1, RATE), Some(2));
        assert_eq!(p.tick(1.0, 3, 2, RATE), Some(0), "loops");
        // not looping: stops on the last checkpoint
        let once = (1.0, false);
        assert_eq!(p.tick(1.0, 3, 0, once), Some(1));
        assert_eq!(p.tick(1.0, 3, 1, once), Some(2));
        assert_eq!(p.tick(1.0, 3, 2, once), None);
        assert!(!p.is_playing());
        // play again at the end replays from the first
        assert_eq!(p.command(PlayerCmd::Toggle, 3, 2, once), Some(0));
    }

    #[test]
    fn it_follows_a_checkpoint_chosen_elsewhere_and_steps() {
        let mut p = CheckpointPlayer::default();
        assert_eq!(p.command(PlayerCmd::Next, 5, 2, RATE), Some(3));
        assert_eq!(p.command(PlayerCmd::Prev, 5, 0, RATE), None, "at 0");
        assert_eq!(p.command(PlayerCmd::Last, 5, 1, RATE), Some(4));
        assert_eq!(p.command(PlayerCmd::First, 5, 4, RATE), Some(0));
        // the selection's "last checkpoint" (usize::MAX) is the last
        assert_eq!(p.command(PlayerCmd::Last, 5, usize::MAX, RATE), Some(4));
        // a single checkpoint never plays
        p.command(PlayerCmd::Toggle, 1, 0, RATE);
        assert_eq!(p.tick(1.0, 1, 0, RATE), None);
        assert!(!p.is_playing());
    }

    #[test]
    fn the_keys_go_to_the_player_clicked_last() {
        use ActivePlayer::*;
        assert!(
            frames_take_keys(Tab::Pairs, Checkpoints),
            "no checkpoints there"
        );
        assert!(frames_take_keys(Tab::Channels, Frames));
        assert!(!frames_take_keys(Tab::Channels, Checkpoints));
        assert!(!tab_has_checkpoints(Tab::Compare));
    }
}
