//! Hand-computed cases, the reference's rounding, published rows, and the
//! streaming estimator against the direct matrix formulas.

use super::*;

#[test]
fn hand_computed_single_channel() {
    // Dynamic pairs (1,1), (3,3): m = 2, cov = 1. Static pairs (0,2), (2,0):
    // m = 1, cov = −1. All eight values have mean 1.5 and variance 1.25.
    let mut acc = LayerAccumulator::new("l", 1, NO_BOOT);
    acc.push_pair(0, Factor::Dynamic, &[1.0], &[1.0]).unwrap();
    acc.push_pair(1, Factor::Static, &[0.0], &[2.0]).unwrap();
    acc.push_pair(2, Factor::Dynamic, &[3.0], &[3.0]).unwrap();
    acc.push_pair(3, Factor::Static, &[2.0], &[0.0]).unwrap();
    let e = acc.estimate(0.5).unwrap();
    assert_close(e.scores.total_variance, 1.25, 1e-15, "V");
    assert_close(e.scores.scores[0], 0.8, 1e-15, "s_D");
    assert_close(e.scores.scores[1], -0.8, 1e-15, "s_S");
    // softmax([0.8, −0.8, 1]) by hand: e^−0.2, e^−1.8, 1 over their sum.
    let (x, y) = ((-0.2f64).exp(), (-1.8f64).exp());
    let s = x + y + 1.0;
    assert_close(e.scores.probs[0], x / s, 1e-15, "p_D");
    assert_close(e.scores.probs[1], y / s, 1e-15, "p_S");
    assert_eq!(e.scores.dims, [0, 0, 1]);
    assert_eq!(e.scores.pct, [0.0, 0.0, 100.0]);
    assert_eq!(e.units.rho[0], vec![Some(1.0)]);
    assert_eq!(e.units.rho[1], vec![Some(-1.0)]);
    assert_eq!(e.units.category, vec![Category::Dynamic]);
    assert_eq!(e.pairs, [2, 2]);
}

#[test]
fn hand_computed_dims_and_pct() {
    // Scores [0, 0, 1] give p = [0.21194…, 0.21194…, 0.57612…].
    let s = LayerScores::from_scores([0.0, 0.0, 1.0], 100_000, 1.0);
    assert_eq!(s.dims, [21194, 21194, 57612]);
    assert_eq!(s.pct, [21.2, 21.2, 57.6]);
    // C = 10: trunc(2.119) = 2 each, residual 6.
    let s = LayerScores::from_scores([0.0, 0.0, 1.0], 10, 1.0);
    assert_eq!(s.dims, [2, 2, 6]);
    assert_eq!(s.pct, [20.0, 20.0, 60.0]);
    // C = 7: 100·(1/7) = 14.2857… → 14.3; 100·(5/7) = 71.428… → 71.4.
    let s = LayerScores::from_scores([0.0, 0.0, 1.0], 7, 1.0);
    assert_eq!(s.dims, [1, 1, 5]);
    assert_eq!(s.pct, [14.3, 14.3, 71.4]);
}

#[test]
fn single_factor_ceiling_and_residual_floor() {
    let s = LayerScores::from_scores([1.0, -1.0, 1.0], 1_000_000, 1.0);
    // e/(e + e + e^−1) ≈ 46.8 %
    assert_eq!(s.pct[0], 46.8);
    let s = LayerScores::from_scores([1.0, 1.0, 1.0], 999_999, 1.0);
    assert!(s.pct[2] >= 33.3);
}

#[test]
fn python_round_half_even() {
    // Values checked against CPython's round(x, 1).
    let cases = [
        (0.25, 0.2),
        (0.35, 0.3),
        (0.75, 0.8),
        (1.25, 1.2),
        (12.25, 12.2),
        (0.05, 0.1),
        (2.675, 2.7),
        (100.0 * (49.0 / 400.0), 12.2),
        (12.5, 12.5),
        (99.95, 100.0),
    ];
    for (x, want) in cases {
        assert_eq!(round_half_even(x, 1), want, "round({x}, 1)");
    }
    assert_eq!(round_half_even(2.675, 2), 2.67);
}

#[test]
fn published_rows_round_trip() {
    let rows = [
        [21.4, 38.4, 40.2],
        [23.1, 34.0, 42.9],
        [28.2, 30.7, 41.1],
        [27.3, 30.9, 41.8],
        [23.8, 27.3, 48.9],
        [31.6, 21.9, 46.5],
    ];
    let s = scores_from_pct(rows[0]);
    assert!(
        (s[0] - 0.370).abs() < 5e-4 && (s[1] - 0.954).abs() < 5e-4,
        "{s:?}"
    );
    assert_eq!(s[2], 1.0);
    // The exact published example comes back digit for digit at C = 2048.
    let back = LayerScores::from_scores(scores_from_pct(rows[0]), 2048, 1.0);
    assert_eq!(back.pct, rows[0]);
    // Inverting a *rounded* row loses the dims behind it: the two factors'
    // shares come back exactly, the residual (C − dims_D − dims_S) within 0.1.
    for row in rows {
        let back = LayerScores::from_scores(scores_from_pct(row), 2048, 1.0);
        assert_eq!(back.pct[..2], row[..2], "row {row:?}");
        assert!(
            (back.pct[2] - row[2]).abs() <= 0.1 + 1e-9,
            "row {row:?}: {back:?}"
        );
    }
}

#[test]
fn streaming_matches_direct_formulas() {
    let mut rng = Rng::new(7);
    let d = Data::random(&mut rng, 301, 9, [0.7, 0.3], 0.0);
    let e = d.accumulate(NO_BOOT).estimate(0.5).unwrap();
    let (scores, rho) = direct(&d);
    for f in 0..2 {
        assert_close(e.scores.scores[f], scores[f], 1e-11, "score");
        for (got, want) in e.units.rho[f].iter().zip(&rho[f]) {
            assert_close(got.unwrap(), want.unwrap(), 1e-11, "rho");
        }
    }
}

#[test]
fn f32_input_matches_f64_of_same_values() {
    let mut rng = Rng::new(8);
    let d = Data::random(&mut rng, 100, 5, [0.5, 0.5], 3.0);
    let za32: Vec<f32> = d.za.iter().map(|&x| x as f32).collect();
    let zb32: Vec<f32> = d.zb.iter().map(|&x| x as f32).collect();
    let mut acc = LayerAccumulator::new("l", d.c, NO_BOOT);
    acc.push_batch(PairBatch {
        pair_ids: &d.ids(),
        factors: &d.factor,
        za: &za32,
        zb: &zb32,
    })
    .unwrap();
    let widened = Data {
        c: d.c,
        za: za32.iter().map(|&x| f64::from(x)).collect(),
        zb: zb32.iter().map(|&x| f64::from(x)).collect(),
        factor: d.factor.clone(),
    };
    let (scores, _) = direct(&widened);
    let e = acc.estimate(0.5).unwrap();
    assert_close(e.scores.scores[0], scores[0], 1e-11, "s_D");
    assert_close(e.scores.scores[1], scores[1], 1e-11, "s_S");
}
