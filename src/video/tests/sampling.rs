//! Temporal sampling: the f32 linspace rule (hand cases and NumPy), start
//! frames, cycled windows, clip plans, natural order.

use super::super::*;
use super::{python_with, run_python};

#[test]
fn linspace_common_settings() {
    assert_eq!(sample_indices(64, 8), [0, 9, 18, 27, 36, 45, 54, 63]);
    assert_eq!(
        sample_indices(64, 16),
        [0, 4, 8, 12, 16, 21, 25, 29, 33, 37, 42, 46, 50, 54, 58, 63]
    );
    assert_eq!(sample_indices(32, 32), (0..32).collect::<Vec<_>>());
    assert_eq!(sample_indices(64, 1), [0]);
    assert_eq!(sample_indices(1, 4), [0, 0, 0, 0]);
    assert!(sample_indices(64, 0).is_empty());
}

#[test]
fn linspace_more_frames_than_window_repeats() {
    assert_eq!(sample_indices(4, 10), [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
    let v = sample_indices(8, 32);
    assert_eq!(v.len(), 32);
    assert!(v.windows(2).all(|p| p[0] <= p[1]));
    assert_eq!((v[0], v[31]), (0, 7));
}

/// Regression: the cast through f32 lifts `14.999…` (f64) to 15; NumPy's
/// `.astype(np.float32)` then `int` gives 15, a plain f64 truncation 14.
#[test]
fn linspace_rounds_through_f32() {
    let v = sample_indices(31, 23);
    assert_eq!(v[11], 15);
    assert_eq!(
        v,
        [
            0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 15, 16, 17, 19, 20, 21, 23, 24, 25, 27, 28, 30
        ]
    );
    assert_eq!(sample_indices(3, 99)[49], 1);
}

#[test]
fn linspace_matches_numpy_on_a_grid() {
    let Some(python) = python_with("numpy") else {
        return;
    };
    let script = "import numpy as np\n\
        for W in range(1, 131):\n\
        \x20 for T in range(1, 71):\n\
        \x20   print(W, T, *np.linspace(0, W - 1, T).astype(np.float32).astype(np.int64).tolist())\n";
    let out = run_python(&python, script, &[]);
    let mut checked = 0;
    for line in out.lines() {
        let nums: Vec<usize> = line
            .split_whitespace()
            .map(|s| s.parse().unwrap())
            .collect();
        let (w, t) = (nums[0], nums[1]);
        assert_eq!(sample_indices(w, t), &nums[2..], "W = {w}, T = {t}");
        checked += 1;
    }
    assert_eq!(checked, 130 * 70);
}

#[test]
fn start_frame_is_draw_mod_choices() {
    // 100 frames, W = 64: starts 0..=36 (37 choices).
    assert_eq!(start_frame(100, 64, 0), 0);
    assert_eq!(start_frame(100, 64, 36), 36);
    assert_eq!(start_frame(100, 64, 37), 0);
    assert_eq!(start_frame(100, 64, u64::MAX), (u64::MAX % 37) as usize);
    // Not longer than W: always 0.
    assert_eq!(start_frame(64, 64, 12345), 0);
    assert_eq!(start_frame(10, 64, 12345), 0);
    assert_eq!(start_frame(0, 64, 7), 0);
    // One more frame than W: two choices.
    assert_eq!(start_frame(65, 64, 3), 1);
}

#[test]
fn window_is_consecutive_and_cycles_short_videos() {
    assert_eq!(window_indices(100, 4, 10), [10, 11, 12, 13]);
    assert_eq!(
        window_indices(5, 12, 0),
        [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]
    );
    assert!(window_indices(0, 12, 0).is_empty());
}

#[test]
fn plan_maps_sampled_positions_through_the_window() {
    let plan = plan_clip(100, 20, 64, 8);
    assert_eq!(plan.start, 20);
    assert_eq!(plan.window.len(), 64);
    assert_eq!(plan.frames, [20, 29, 38, 47, 56, 65, 74, 83]);
    assert!(plan.notes.is_empty());

    let short = plan_clip(30, 999, 64, 8);
    assert_eq!(short.start, 0);
    // Positions 0, 9, …, 63 of the cycled window 0..29, 0..29, 0..3.
    assert_eq!(short.frames, [0, 9, 18, 27, 6, 15, 24, 3]);
    assert_eq!(short.notes.len(), 1);
    assert!(short.notes[0].contains("cycled"), "{:?}", short.notes);
}

#[test]
fn natural_order_of_names() {
    let mut v = vec![
        "frame10.jpg",
        "frame2.jpg",
        "frame1.jpg",
        "frame002.jpg",
        "a.jpg",
    ];
    v.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(
        v,
        [
            "a.jpg",
            "frame1.jpg",
            "frame2.jpg",
            "frame002.jpg",
            "frame10.jpg"
        ]
    );
    assert!(natural_cmp("x99999999999999999999999", "x100000000000000000000000").is_lt());
    assert!(natural_cmp("v1.2", "v1.10").is_lt());
    assert!(natural_cmp("same", "same").is_eq());
}
