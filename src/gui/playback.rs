//! [`Playback`]: the scrubber's pure state machine — which frame is shown,
//! whether it plays, at what speed, and what happens at the end of the clip.
//! It knows nothing of egui: the view calls [`Playback::step`] with the time
//! since the last frame, so tests drive it with made-up `dt`s.
//!
//! # Contract
//! - Frames are `0..count`; with `count == 0` the frame is 0 and nothing plays.
//! - [`step`](Playback::step) accumulates `dt · fps` and advances by whole
//!   frames, carrying the fraction to the next step (so 8 fps stepped at
//!   60 Hz advances 8 frames a second, not 0 or 60). Negative, NaN or
//!   infinite `dt` is ignored.
//! - At the end of the clip: looping wraps to frame 0 (and keeps the
//!   fraction); otherwise it stops on the last frame and pauses.
//! - Frame steps ([`next`](Playback::next), [`prev`](Playback::prev)) pause
//!   and stop at the ends (they never wrap).
//! - [`toggle`](Playback::toggle) on the last frame of a paused, non-looping
//!   clip restarts from frame 0 (pressing play after the end replays).

use std::time::Duration;

/// Slowest and fastest speeds (frames per second).
pub const FPS_RANGE: std::ops::RangeInclusive<f32> = 0.5..=60.0;

/// The playback state of one clip.
#[derive(Clone, Debug, PartialEq)]
pub struct Playback {
    frame: usize,
    count: usize,
    playing: bool,
    fps: f32,
    looping: bool,
    /// Fraction of a frame accumulated since the last frame change, in [0, 1).
    acc: f32,
}

impl Default for Playback {
    fn default() -> Self {
        Self::new(0)
    }
}

impl Playback {
    /// Paused on frame 0 of `count` frames, 8 fps, looping.
    pub fn new(count: usize) -> Self {
        Self {
            frame: 0,
            count,
            playing: false,
            fps: 8.0,
            looping: true,
            acc: 0.0,
        }
    }

    /// The frame shown.
    pub fn frame(&self) -> usize {
        self.frame
    }

    /// Number of frames.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Whether it plays.
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Speed in frames per second.
    pub fn fps(&self) -> f32 {
        self.fps
    }

    /// Whether the end wraps to the start.
    pub fn looping(&self) -> bool {
        self.looping
    }

    /// Sets the number of frames (a new clip); keeps the frame when it
    /// still exists, else shows the last one. No frames: frame 0, paused.
    pub fn set_count(&mut self, count: usize) {
        self.count = count;
        self.frame = self.frame.min(count.saturating_sub(1));
        if count == 0 {
            self.playing = false;
            self.acc = 0.0;
        }
    }

    /// Sets the speed, clamped to [`FPS_RANGE`] (NaN keeps the old speed).
    pub fn set_fps(&mut self, fps: f32) {
        if !fps.is_nan() {
            self.fps = fps.clamp(*FPS_RANGE.start(), *FPS_RANGE.end());
        }
    }

    /// Sets whether the end wraps to the start.
    pub fn set_looping(&mut self, looping: bool) {
        self.looping = looping;
    }

    /// Starts playing (nothing with no frames; from frame 0 when paused at
    /// the end of a non-looping clip).
    pub fn play(&mut self) {
        if self.count == 0 {
            return;
        }
        if !self.looping && self.frame + 1 >= self.count {
            self.frame = 0;
        }
        self.playing = true;
        self.acc = 0.0;
    }

    /// Pauses.
    pub fn pause(&mut self) {
        self.playing = false;
        self.acc = 0.0;
    }

    /// Play ↔ pause.
    pub fn toggle(&mut self) {
        if self.playing {
            self.pause();
        } else {
            self.play();
        }
    }

    /// Advances by `dt` seconds of playing; returns whether the frame changed.
    pub fn step(&mut self, dt: f32) -> bool {
        if !self.playing || self.count == 0 || !dt.is_finite() || dt <= 0.0 {
            return false;
        }
        self.acc += dt * self.fps;
        let whole = self.acc.floor();
        self.acc -= whole;
        if whole < 1.0 {
            return false;
        }
        let before = self.frame;
        let last = self.count - 1;
        // Saturating: a huge dt (the app slept) must not overflow.
        let target = (self.frame as f64 + f64::from(whole)).min(usize::MAX as f64) as usize;
        if target <= last {
            self.frame = target;
        } else if self.looping {
            self.frame = target % self.count;
        } else {
            self.frame = last;
            self.pause();
        }
        self.frame != before
    }

    /// One frame forward (pauses; stays on the last frame).
    pub fn next(&mut self) {
        self.pause();
        self.frame = (self.frame + 1).min(self.count.saturating_sub(1));
    }

    /// One frame back (pauses; stays on frame 0).
    pub fn prev(&mut self) {
        self.pause();
        self.frame = self.frame.saturating_sub(1);
    }

    /// The first frame (keeps playing if it was).
    pub fn first(&mut self) {
        self.set_frame(0);
    }

    /// The last frame (keeps playing if it was).
    pub fn last(&mut self) {
        self.set_frame(usize::MAX);
    }

    /// Shows frame `i` (clamped to the clip); resets the fraction.
    pub fn set_frame(&mut self, i: usize) {
        self.frame = i.min(self.count.saturating_sub(1));
        self.acc = 0.0;
    }

    /// How long until the next frame change while playing (for
    /// `request_repaint_after`); `None` when paused.
    pub fn until_next_frame(&self) -> Option<Duration> {
        (self.playing && self.count > 0)
            .then(|| Duration::from_secs_f32(((1.0 - self.acc) / self.fps).max(0.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn playing(count: usize, fps: f32, looping: bool) -> Playback {
        let mut p = Playback::new(count);
        p.set_fps(fps);
        p.set_looping(looping);
        p.play();
        p
    }

    #[test]
    fn new_is_paused_on_frame_zero() {
        let p = Playback::new(10);
        assert_eq!((p.frame(), p.count(), p.is_playing()), (0, 10, false));
        assert!(p.until_next_frame().is_none());
    }

    #[test]
    fn paused_step_does_nothing() {
        let mut p = Playback::new(10);
        assert!(!p.step(10.0));
        assert_eq!(p.frame(), 0);
    }

    #[test]
    fn step_accumulates_fractions() {
        // 8 fps stepped at 60 Hz: 60 steps of 1/60 s advance 8 frames.
        let mut p = playing(100, 8.0, true);
        let changes = (0..60).filter(|_| p.step(1.0 / 60.0)).count();
        assert_eq!(p.frame(), 8);
        assert_eq!(changes, 8);
        // Less than a frame's time: no change.
        let mut p = playing(100, 4.0, true);
        assert!(!p.step(0.2));
        assert!(p.step(0.1)); // 0.8 + 0.4 = 1.2 frames
        assert_eq!(p.frame(), 1);
    }

    #[test]
    fn step_skips_frames_on_a_long_dt() {
        let mut p = playing(100, 10.0, true);
        assert!(p.step(0.35));
        assert_eq!(p.frame(), 3);
    }

    #[test]
    fn bad_dt_is_ignored() {
        let mut p = playing(10, 8.0, true);
        for dt in [-1.0, 0.0, f32::NAN, f32::INFINITY] {
            assert!(!p.step(dt));
        }
        assert_eq!(p.frame(), 0);
        assert!(p.is_playing());
        // Huge but finite: wraps, no overflow.
        p.step(1.0e30);
        assert!(p.frame() < 10);
    }

    #[test]
    fn end_loops_when_looping() {
        let mut p = playing(4, 1.0, true);
        p.set_frame(3);
        assert!(p.step(1.0));
        assert_eq!(p.frame(), 0);
        assert!(p.is_playing());
        // Several laps in one step wrap modulo the count.
        p.step(9.0);
        assert_eq!(p.frame(), 1);
    }

    #[test]
    fn end_stops_when_not_looping() {
        let mut p = playing(4, 1.0, false);
        p.step(2.0);
        assert_eq!(p.frame(), 2);
        assert!(p.step(5.0));
        assert_eq!(p.frame(), 3);
        assert!(!p.is_playing());
        // Play after the end replays from the start.
        p.toggle();
        assert!(p.is_playing());
        assert_eq!(p.frame(), 0);
    }

    #[test]
    fn toggle_plays_and_pauses() {
        let mut p = Playback::new(5);
        p.toggle();
        assert!(p.is_playing());
        p.toggle();
        assert!(!p.is_playing());
        // Looping clip paused on the last frame: play continues from there.
        p.set_frame(4);
        p.toggle();
        assert_eq!(p.frame(), 4);
    }

    #[test]
    fn frame_steps_pause_and_clamp() {
        let mut p = playing(3, 8.0, true);
        p.next();
        assert!(!p.is_playing());
        assert_eq!(p.frame(), 1);
        p.next();
        p.next();
        assert_eq!(p.frame(), 2, "next stops on the last frame, even looping");
        p.prev();
        p.prev();
        p.prev();
        assert_eq!(p.frame(), 0, "prev stops on frame 0");
    }

    #[test]
    fn first_last_and_set_frame() {
        let mut p = Playback::new(7);
        p.last();
        assert_eq!(p.frame(), 6);
        p.first();
        assert_eq!(p.frame(), 0);
        p.set_frame(4);
        assert_eq!(p.frame(), 4);
        p.set_frame(100);
        assert_eq!(p.frame(), 6);
        // Jumping keeps playing.
        p.play();
        p.first();
        assert!(p.is_playing());
    }

    #[test]
    fn empty_clip_never_plays() {
        let mut p = Playback::new(0);
        p.play();
        assert!(!p.is_playing());
        p.next();
        p.last();
        p.set_frame(3);
        assert_eq!(p.frame(), 0);
        let mut p = playing(5, 8.0, true);
        p.set_count(0);
        assert!(!p.is_playing());
        assert_eq!(p.frame(), 0);
    }

    #[test]
    fn set_count_keeps_or_clamps_the_frame() {
        let mut p = Playback::new(10);
        p.set_frame(5);
        p.set_count(20);
        assert_eq!(p.frame(), 5);
        p.set_count(3);
        assert_eq!(p.frame(), 2);
    }

    #[test]
    fn fps_is_clamped() {
        let mut p = Playback::new(3);
        p.set_fps(1000.0);
        assert_eq!(p.fps(), *FPS_RANGE.end());
        p.set_fps(0.0);
        assert_eq!(p.fps(), *FPS_RANGE.start());
        p.set_fps(f32::NAN);
        assert_eq!(p.fps(), *FPS_RANGE.start());
    }

    #[test]
    fn until_next_frame_counts_the_fraction() {
        let mut p = playing(10, 4.0, true);
        assert_eq!(p.until_next_frame(), Some(Duration::from_secs_f32(0.25)));
        p.step(0.125);
        let left = p.until_next_frame().unwrap().as_secs_f32();
        assert!((left - 0.125).abs() < 1e-4, "{left}");
    }
}
