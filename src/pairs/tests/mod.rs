//! Tests of the pairs room: the plan's rules, the styles' promises
//! (temporal consistency, motion kept, appearance changed, range), pair
//! building and strips. Fixtures are small synthetic clips built here.

mod build;
mod plan;
mod style;

use crate::video::Clip;

/// Side of the moving square.
const SQUARE: usize = 8;

/// Top-left corner of the square in frame `f`.
fn square_at(f: usize) -> (usize, usize) {
    (10 + 2 * f, 4 + 4 * f)
}

/// `t` frames of `h × w`: a fixed colour gradient with a bright square
/// moving down-right (2 px down, 4 px right per frame).
fn moving_square(t: usize, h: usize, w: usize) -> Clip {
    let mut clip = Clip::zeros(t, h, w);
    for f in 0..t {
        let (sy, sx) = square_at(f);
        let frame = clip.frame_mut(f);
        for y in 0..h {
            for x in 0..w {
                let (u, v) = (x as f32 / w as f32, y as f32 / h as f32);
                let inside = (sy..sy + SQUARE).contains(&y) && (sx..sx + SQUARE).contains(&x);
                let p = if inside {
                    [0.97, 0.95, 0.9]
                } else {
                    [0.15 + 0.3 * u, 0.2 + 0.15 * v, 0.45 - 0.3 * u]
                };
                frame[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&p);
            }
        }
    }
    clip
}

/// Mean absolute difference of two equal-length buffers.
fn mean_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len() as f32
}
