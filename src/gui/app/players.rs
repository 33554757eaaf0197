//! The checkpoint player in the frame loop: its keys, taken before the
//! views are drawn when they are the checkpoint player's, and its steps.

use super::StadynApp;
use crate::gui::action::Action;
use crate::gui::checkpoints::{
    ActivePlayer, PlayerCmd, frames_player_recent, key_commands, tab_has_checkpoints,
};

impl StadynApp {
    /// Before the views are drawn: the checkpoint player's keys (on a tab
    /// with checkpoint controls, when it was clicked last or no frame player
    /// is on screen) and, while it plays, its next step.
    pub(super) fn drive_checkpoints(&mut self, ctx: &egui::Context) {
        let tab = self.state.settings.tab;
        let ours =
            self.state.active_player == ActivePlayer::Checkpoints || !frames_player_recent(ctx);
        if tab_has_checkpoints(tab) && ours {
            for cmd in key_commands(ctx) {
                self.apply(Action::Checkpoints(cmd));
            }
        }
        let dt = ctx.input(|i| i.unstable_dt).min(0.5);
        let (count, current, pace) = self.player_inputs();
        if let Some(k) = self.state.checkpoints.tick(dt, count, current, pace) {
            self.apply(Action::SelectCheckpoint(k));
        }
        if let Some(d) = self.state.checkpoints.until_next() {
            ctx.request_repaint_after(d);
        }
    }

    /// Applies a command of the checkpoint controls or keys.
    pub(super) fn checkpoint_command(&mut self, cmd: PlayerCmd) {
        self.state.active_player = ActivePlayer::Checkpoints;
        let (count, current, pace) = self.player_inputs();
        if let Some(k) = self.state.checkpoints.command(cmd, count, current, pace) {
            self.apply(Action::SelectCheckpoint(k));
        }
    }

    /// The selected model's number of checkpoints, the selected one, and the
    /// player's rate and looping.
    fn player_inputs(&self) -> (usize, usize, (f32, bool)) {
        let s = &self.state;
        let count = s
            .derived
            .groups
            .get(s.selection.group)
            .map_or(0, |g| g.entries.len());
        let pace = (s.settings.checkpoint_rate, s.settings.checkpoint_loop);
        (count, s.selection.checkpoint, pace)
    }
}
