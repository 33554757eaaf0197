//! Temporal sampling of METHOD.md §2, steps 1–2, exactly as the reference:
//! a window of W consecutive raw frames from a start frame (a shorter video
//! is cycled), then T of those W frames at `trunc(linspace(0, W−1, T))`
//! computed like `np.linspace(0, W - 1, T).astype(np.float32)` and cast to
//! int.
//!
//! All functions are pure; degenerate sizes are clamped, never panic:
//! `window = 0` behaves as 1, `num_frames = 0` yields an empty window.

/// The start frame for a random `draw`: `draw % (nf − W + 1)` when the video
/// has more than W frames (uniform over `0..=nf − W` for a uniform draw),
/// else 0.
pub fn start_frame(num_frames: usize, window: usize, draw: u64) -> usize {
    if num_frames > window {
        let choices = (num_frames - window + 1) as u64;
        (draw % choices) as usize
    } else {
        0
    }
}

/// The W raw frame indices of a window starting at `start`: `start + i`,
/// wrapped (`mod num_frames`) so that a video shorter than the window is
/// cycled: 0, 1, …, nf−1, 0, 1, ….
/// Empty when `num_frames` is 0.
pub fn window_indices(num_frames: usize, window: usize, start: usize) -> Vec<usize> {
    if num_frames == 0 {
        return Vec::new();
    }
    (0..window).map(|i| (start + i) % num_frames).collect()
}

/// Positions within a window of W frames of the T sampled frames:
/// `trunc(linspace(0, W−1, T))` with NumPy's linspace (f64: `i · step`,
/// `step = (W−1)/(T−1)`, the last point exactly `W−1`), rounded to f32 and
/// then truncated, as `np.linspace(..).astype(np.float32)` followed by an int
/// cast does. The f32 rounding matters: for W = 31, T = 23 it lifts a
/// `…999` value to the next integer.
/// T = 1 gives `[0]`; T > W repeats positions.
pub fn sample_indices(window: usize, t: usize) -> Vec<usize> {
    let stop = window.max(1) as f64 - 1.0;
    match t {
        0 => Vec::new(),
        1 => vec![0],
        _ => {
            let step = stop / (t - 1) as f64;
            (0..t)
                .map(|i| {
                    let y = if i == t - 1 { stop } else { i as f64 * step };
                    (y as f32).trunc() as usize
                })
                .collect()
        }
    }
}

/// Which raw frames one clip uses, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClipPlan {
    /// The start frame of the window.
    pub start: usize,
    /// The W raw frame indices of the window (cycled when the video is
    /// shorter than W).
    pub window: Vec<usize>,
    /// The T raw frame indices to decode, in clip order.
    pub frames: Vec<usize>,
    /// Remarks for the user, e.g. that a short video was cycled.
    pub notes: Vec<String>,
}

/// Plans a clip: start frame from `start_draw`, the W-frame window, the T
/// sampled raw frames. `num_frames` must be the video's frame count.
pub fn plan_clip(num_frames: usize, start_draw: u64, window: usize, t: usize) -> ClipPlan {
    let start = start_frame(num_frames, window, start_draw);
    let win = window_indices(num_frames, window, start);
    let frames = if win.is_empty() {
        Vec::new()
    } else {
        sample_indices(window, t)
            .into_iter()
            .map(|i| win[i.min(win.len() - 1)])
            .collect()
    };
    let mut notes = Vec::new();
    if num_frames < window {
        notes.push(format!(
            "shorter than W = {window} ({num_frames} frames): cycled"
        ));
    }
    ClipPlan {
        start,
        window: win,
        frames,
        notes,
    }
}
