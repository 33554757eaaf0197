//! Building pairs and strips from specs.

use super::{mean_abs_diff, moving_square};
use crate::pairs::{PairPlan, PairSpec, PairsError, builtin_styles, make_pair, pair_strip};
use crate::stats::Factor;
use crate::video::Clip;

fn first(plan: &PairPlan, factor: Factor) -> PairSpec {
    plan.ids()
        .map(|id| plan.spec(id))
        .find(|s| s.factor == factor)
        .unwrap()
}

fn styled(index: usize, clip: &Clip) -> Clip {
    let mut out = clip.clone();
    builtin_styles()[index].apply(&mut out);
    out
}

#[test]
fn static_pair_is_member_one_with_its_frames_reordered() {
    let styles = builtin_styles();
    let clip = moving_square(6, 24, 32);
    let plan = PairPlan::new(8, 50, 3, styles.len(), 6).unwrap();
    let spec = first(&plan, Factor::Static);
    let (a, b) = make_pair(&spec, &clip, &styles).unwrap();
    assert_eq!(a, styled(spec.style_a, &clip));
    assert_eq!((a.t, a.h, a.w), (b.t, b.h, b.w));
    for (i, &src) in spec.permutation.iter().enumerate() {
        assert_eq!(b.frame(i), a.frame(src));
    }
    let mut frames_a: Vec<&[f32]> = (0..a.t).map(|f| a.frame(f)).collect();
    let mut frames_b: Vec<&[f32]> = (0..b.t).map(|f| b.frame(f)).collect();
    let order = |x: &&[f32], y: &&[f32]| x.partial_cmp(y).unwrap();
    frames_a.sort_by(order);
    frames_b.sort_by(order);
    assert_eq!(frames_a, frames_b, "the same set of frames");
    assert_ne!(a, b, "but in another order");
}

#[test]
fn dynamic_pair_is_two_styles_of_the_same_frames() {
    let styles = builtin_styles();
    let clip = moving_square(6, 24, 32);
    let plan = PairPlan::new(8, 50, 3, styles.len(), 6).unwrap();
    let spec = first(&plan, Factor::Dynamic);
    let (a, b) = make_pair(&spec, &clip, &styles).unwrap();
    assert_eq!(a, styled(spec.style_a, &clip));
    assert_eq!(b, styled(spec.style_b, &clip));
    assert_eq!((a.t, a.h, a.w), (b.t, b.h, b.w));
    assert!(mean_abs_diff(&a.data, &b.data) > 0.03);
}

#[test]
fn specs_that_do_not_fit_are_errors() {
    let styles = builtin_styles();
    let clip = moving_square(4, 16, 16);
    let plan = PairPlan::new(1, 40, 2, 9, 4).unwrap();
    let mut spec = first(&plan, Factor::Dynamic);
    spec.style_b = 9;
    assert!(matches!(
        make_pair(&spec, &clip, &styles),
        Err(PairsError::StyleOutOfRange { style: 9, .. })
    ));
    let mut spec = first(&plan, Factor::Static);
    spec.style_a = 0;
    spec.permutation = vec![1, 0];
    assert!(matches!(
        make_pair(&spec, &clip, &styles),
        Err(PairsError::FrameCount {
            expected: 2,
            frames: 4,
            ..
        })
    ));
    spec.permutation = vec![1, 1, 2, 3];
    assert!(matches!(
        make_pair(&spec, &clip, &styles),
        Err(PairsError::BadPermutation { .. })
    ));
}

#[test]
fn strip_shows_three_labelled_rows_of_frames() {
    let styles = builtin_styles();
    let names: Vec<&str> = styles.iter().map(|s| s.name()).collect();
    let clip = moving_square(5, 24, 32);
    let plan = PairPlan::new(2, 20, 3, styles.len(), 5).unwrap();
    for factor in [Factor::Static, Factor::Dynamic] {
        let spec = first(&plan, factor);
        let (a, b) = make_pair(&spec, &clip, &styles).unwrap();
        let strip = pair_strip(&clip, &a, &b, &spec, &names);
        assert!(strip.width() >= 5 * 32 && strip.height() >= 3 * 24 + 3 * 7);
        // Every frame of every row appears unscaled somewhere in the strip.
        for row in [&clip, &a, &b] {
            for f in 0..row.t {
                let frame = row.frame_image(f);
                let found = (0..=strip.height() - 24).any(|top| {
                    (0..=strip.width() - 32).step_by(2).any(|left| {
                        frame
                            .enumerate_pixels()
                            .step_by(37)
                            .all(|(x, y, p)| strip.get_pixel(left + x, top + y) == p)
                    })
                });
                assert!(found, "{factor:?}: frame {f} missing");
            }
        }
        // Labels: light text pixels above the first row of frames.
        let text = (0..8u32)
            .flat_map(|y| (0..strip.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| strip.get_pixel(x, y).0[0] > 200)
            .count();
        assert!(text > 20, "label drawn");
    }
}
