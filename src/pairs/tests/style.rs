//! The built-in styles keep their promises: temporally consistent, motion
//! untouched, appearance changed, output in [0, 1].

use super::{SQUARE, mean_abs_diff, moving_square, square_at};
use crate::pairs::builtin_styles;
use crate::video::Clip;

const T: usize = 8;
const H: usize = 40;
const W: usize = 48;

fn styled(style: &dyn crate::pairs::Style, clip: &Clip) -> Clip {
    let mut out = clip.clone();
    style.apply(&mut out);
    out
}

/// Bounding-box centre (y, x) per frame of the pixels that differ from the
/// clip's per-pixel temporal median by more than 0.1 (summed over channels):
/// where the moving content is.
fn moving_centres(clip: &Clip) -> Vec<(f32, f32)> {
    let n = clip.frame_len();
    let mut median = vec![0.0f32; n];
    let mut column = vec![0.0f32; clip.t];
    for (i, m) in median.iter_mut().enumerate() {
        for (f, v) in column.iter_mut().enumerate() {
            *v = clip.data[f * n + i];
        }
        column.sort_unstable_by(f32::total_cmp);
        *m = column[clip.t / 2];
    }
    (0..clip.t)
        .map(|f| {
            let frame = clip.frame(f);
            let (mut y0, mut y1, mut x0, mut x1) = (usize::MAX, 0, usize::MAX, 0);
            for y in 0..clip.h {
                for x in 0..clip.w {
                    let i = (y * clip.w + x) * 3;
                    let d: f32 = (0..3).map(|c| (frame[i + c] - median[i + c]).abs()).sum();
                    if d > 0.1 {
                        (y0, y1, x0, x1) = (y0.min(y), y1.max(y), x0.min(x), x1.max(x));
                    }
                }
            }
            assert!(y0 <= y1, "frame {f}: no moving content found");
            ((y0 + y1) as f32 / 2.0, (x0 + x1) as f32 / 2.0)
        })
        .collect()
}

#[test]
fn there_are_at_least_four_named_styles() {
    let styles = builtin_styles();
    assert!(styles.len() >= 4);
    let mut names: Vec<&str> = styles.iter().map(|s| s.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), styles.len(), "names are unique");
    assert!(
        names
            .iter()
            .all(|n| !n.is_empty() && !n.contains(char::is_whitespace))
    );
}

#[test]
fn identical_frames_stay_identical() {
    let moving = moving_square(T, H, W);
    let still = moving.permuted(&[3; T]);
    for style in builtin_styles() {
        let out = styled(style.as_ref(), &still);
        for f in 1..T {
            assert_eq!(out.frame(f), out.frame(0), "{}: frame {f}", style.name());
        }
    }
}

#[test]
fn the_fixture_square_is_found_where_it_is() {
    let clip = moving_square(T, H, W);
    for (f, (y, x)) in moving_centres(&clip).into_iter().enumerate() {
        let (sy, sx) = square_at(f);
        let half = (SQUARE - 1) as f32 / 2.0;
        assert_eq!((y, x), (sy as f32 + half, sx as f32 + half));
    }
}

#[test]
fn motion_is_where_it_was() {
    let clip = moving_square(T, H, W);
    let before = moving_centres(&clip);
    for style in builtin_styles() {
        let after = moving_centres(&styled(style.as_ref(), &clip));
        for (f, (b, a)) in before.iter().zip(&after).enumerate() {
            assert!(
                (a.0 - b.0).abs() <= 1.0 && (a.1 - b.1).abs() <= 1.0,
                "{}: frame {f}: moving content at {a:?}, was at {b:?}",
                style.name()
            );
        }
    }
}

#[test]
fn styles_change_appearance_and_differ_from_each_other() {
    let clip = moving_square(T, H, W);
    let outs: Vec<(String, Clip)> = builtin_styles()
        .iter()
        .map(|s| (s.name().to_owned(), styled(s.as_ref(), &clip)))
        .collect();
    for (name, out) in &outs {
        let d = mean_abs_diff(&out.data, &clip.data);
        assert!(d > 0.04, "{name} barely changes the clip: {d}");
    }
    for (i, (name_i, out_i)) in outs.iter().enumerate() {
        for (name_j, out_j) in &outs[i + 1..] {
            let d = mean_abs_diff(&out_i.data, &out_j.data);
            assert!(d > 0.03, "{name_i} and {name_j} look alike: {d}");
        }
    }
}

#[test]
fn output_is_finite_and_in_range_even_for_extreme_clips() {
    let mut noise = Clip::zeros(3, 17, 23);
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for v in &mut noise.data {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *v = (state >> 40) as f32 / (1u64 << 24) as f32;
    }
    let mut white = Clip::zeros(2, 9, 9);
    white.data.fill(1.0);
    let clips = [
        moving_square(T, H, W),
        noise,
        Clip::zeros(2, 9, 9),
        white,
        Clip::zeros(1, 1, 1),
        Clip::zeros(0, 4, 4),
        Clip::zeros(2, 0, 3),
    ];
    for style in builtin_styles() {
        for clip in &clips {
            let out = styled(style.as_ref(), clip);
            assert_eq!((out.t, out.h, out.w), (clip.t, clip.h, clip.w));
            assert!(
                out.data
                    .iter()
                    .all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
                "{} leaves [0, 1]",
                style.name()
            );
        }
    }
}

/// `cargo test --release --lib pairs::tests::style::throughput -- --ignored --nocapture`
/// (best and median of 40 runs, so that a busy machine reads less slow).
#[test]
#[ignore = "timing; run in release"]
fn throughput() {
    let clip = moving_square(16, 112, 112);
    for style in builtin_styles() {
        let mut times: Vec<f64> = (0..40)
            .map(|_| {
                let mut out = clip.clone();
                let start = std::time::Instant::now();
                style.apply(&mut out);
                let t = start.elapsed().as_secs_f64();
                std::hint::black_box(out);
                t
            })
            .collect();
        times.sort_unstable_by(f64::total_cmp);
        println!(
            "{:>20}: best {:7.1} clips/s, median {:7.1} clips/s (16×112×112)",
            style.name(),
            1.0 / times[0],
            1.0 / times[times.len() / 2]
        );
    }
}
