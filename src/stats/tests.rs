//! Tests of the estimator: hand-computed cases, a direct (two-pass, matrix)
//! implementation of METHOD.md §4–5 to compare against, properties, merges,
//! stability and errors.

use super::*;

/// A small deterministic generator for test data (SplitMix64 + Box–Muller).
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Pairs as plain matrices: `za`, `zb` are N×C row-major.
struct Data {
    c: usize,
    za: Vec<f64>,
    zb: Vec<f64>,
    factor: Vec<Factor>,
}

impl Data {
    fn n(&self) -> usize {
        self.factor.len()
    }

    /// Pairs whose members share a latent part with weight `share[f]` per factor.
    fn random(rng: &mut Rng, n: usize, c: usize, share: [f64; 2], offset: f64) -> Self {
        let mut d = Data {
            c,
            za: Vec::new(),
            zb: Vec::new(),
            factor: Vec::new(),
        };
        for i in 0..n {
            // Alternate so that both factors always have pairs.
            let f = if i % 2 == 0 || rng.uniform() < 0.3 {
                Factor::Dynamic
            } else {
                Factor::Static
            };
            let s = share[f.index()];
            for ch in 0..c {
                let common = rng.normal();
                let scale = 1.0 + ch as f64 * 0.1;
                d.za.push(offset + scale * (s * common + (1.0 - s) * rng.normal()));
                d.zb.push(offset + scale * (s * common + (1.0 - s) * rng.normal()));
            }
            d.factor.push(f);
        }
        d
    }

    fn ids(&self) -> Vec<u64> {
        (0..self.n() as u64).collect()
    }

    fn accumulate(&self, boot: BootstrapConfig) -> LayerAccumulator {
        let mut acc = LayerAccumulator::new("layer", self.c, boot);
        acc.push_batch(PairBatch {
            pair_ids: &self.ids(),
            factors: &self.factor,
            za: &self.za,
            zb: &self.zb,
        })
        .unwrap();
        acc
    }
}

/// METHOD.md §4–5 written out on matrices, two-pass, as the reference does.
fn direct(d: &Data) -> ([f64; 2], [Vec<Option<f64>>; 2]) {
    let (n, c) = (d.n(), d.c);
    let col = |m: &Vec<f64>, rows: &[usize], ch: usize| -> Vec<f64> {
        rows.iter().map(|&r| m[r * c + ch]).collect()
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let all: Vec<usize> = (0..n).collect();
    let mut total = 0.0;
    for ch in 0..c {
        let mut z = col(&d.za, &all, ch);
        z.extend(col(&d.zb, &all, ch));
        let mu = mean(&z);
        total += z.iter().map(|x| (x - mu) * (x - mu)).sum::<f64>() / z.len() as f64;
    }
    let mut scores = [0.0; 2];
    let mut rho = [Vec::new(), Vec::new()];
    for f in Factor::ALL {
        let rows: Vec<usize> = (0..n).filter(|&r| d.factor[r] == f).collect();
        let mut cov_sum = 0.0;
        for ch in 0..c {
            let a = col(&d.za, &rows, ch);
            let b = col(&d.zb, &rows, ch);
            let m = 0.5 * (mean(&a) + mean(&b));
            let cov = a
                .iter()
                .zip(&b)
                .map(|(x, y)| (x - m) * (y - m))
                .sum::<f64>()
                / a.len() as f64;
            let mut u = a.clone();
            u.extend(&b);
            let mu = mean(&u);
            let var = u.iter().map(|x| (x - mu) * (x - mu)).sum::<f64>() / u.len() as f64;
            cov_sum += cov;
            rho[f.index()].push((var > 0.0).then(|| cov / var));
        }
        scores[f.index()] = cov_sum / total;
    }
    (scores, rho)
}

fn assert_close(a: f64, b: f64, rel: f64, what: &str) {
    let tol = rel * a.abs().max(b.abs()).max(1e-300);
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (rel tol {rel})");
}

const NO_BOOT: BootstrapConfig = BootstrapConfig {
    replicates: 0,
    seed: 0,
};

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

#[test]
fn identical_members_give_rho_one_and_variance_ratio() {
    let mut rng = Rng::new(9);
    let mut d = Data::random(&mut rng, 200, 6, [0.2, 0.2], 1.0);
    // Static pairs get identical members.
    for r in 0..d.n() {
        if d.factor[r] == Factor::Static {
            let row = r * d.c..(r + 1) * d.c;
            let a = d.za[row.clone()].to_vec();
            d.zb[row].copy_from_slice(&a);
        }
    }
    let e = d.accumulate(NO_BOOT).estimate(0.5).unwrap();
    for r in &e.units.rho[1] {
        assert_close(r.unwrap(), 1.0, 1e-12, "rho_S");
    }
    // s_S = Σ_c Var(static rows, channel c) / V.
    let rows: Vec<usize> = (0..d.n())
        .filter(|&r| d.factor[r] == Factor::Static)
        .collect();
    let mut num = 0.0;
    for ch in 0..d.c {
        let v: Vec<f64> = rows.iter().map(|&r| d.za[r * d.c + ch]).collect();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        num += v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64;
    }
    assert_close(
        e.scores.scores[1],
        num / e.scores.total_variance,
        1e-12,
        "s_S",
    );
}

#[test]
fn independent_members_give_rho_near_zero() {
    let mut rng = Rng::new(10);
    let d = Data::random(&mut rng, 20_000, 4, [0.0, 0.0], 0.0);
    let e = d.accumulate(NO_BOOT).estimate(0.5).unwrap();
    for f in 0..2 {
        for r in &e.units.rho[f] {
            assert!(r.unwrap().abs() < 0.05, "rho {r:?}");
        }
        assert!(e.scores.scores[f].abs() < 0.05);
    }
    assert!(e.units.category.iter().all(|c| *c == Category::Neither));
}

#[test]
fn merge_equals_all_at_once() {
    let mut rng = Rng::new(11);
    let d = Data::random(&mut rng, 500, 7, [0.6, 0.4], 2.0);
    let boot = BootstrapConfig {
        replicates: 50,
        seed: 3,
    };
    let whole = d.accumulate(boot).estimate(0.5).unwrap();
    // Three shards of uneven size, merged in an odd order.
    let cuts = [0, 37, 260, 500];
    let mut shards: Vec<LayerAccumulator> = cuts
        .windows(2)
        .map(|w| {
            let mut acc = LayerAccumulator::new("layer", d.c, boot);
            let ids: Vec<u64> = (w[0] as u64..w[1] as u64).collect();
            acc.push_batch(PairBatch {
                pair_ids: &ids,
                factors: &d.factor[w[0]..w[1]],
                za: &d.za[w[0] * d.c..w[1] * d.c],
                zb: &d.zb[w[0] * d.c..w[1] * d.c],
            })
            .unwrap();
            acc
        })
        .collect();
    let mut merged = shards.pop().unwrap();
    for s in &shards {
        merged.merge(s).unwrap();
    }
    let m = merged.estimate(0.5).unwrap();
    assert_eq!(m.pairs, whole.pairs);
    assert_eq!(m.scores.dims, whole.scores.dims);
    assert_eq!(m.scores.pct, whole.scores.pct);
    for f in 0..2 {
        assert_close(m.scores.scores[f], whole.scores.scores[f], 1e-12, "score");
        for ch in 0..d.c {
            assert_close(
                m.units.rho[f][ch].unwrap(),
                whole.units.rho[f][ch].unwrap(),
                1e-12,
                "rho",
            );
        }
    }
    let (a, b) = (m.ci.unwrap(), whole.ci.unwrap());
    assert_eq!(a.valid, b.valid);
    for f in 0..2 {
        for k in 0..2 {
            assert_close(a.scores[f][k], b.scores[f][k], 1e-12, "ci");
        }
    }
}

#[test]
fn large_offset_is_stable() {
    let mut rng = Rng::new(12);
    let d = Data::random(&mut rng, 400, 5, [0.8, 0.1], 0.0);
    let shifted = Data {
        c: d.c,
        za: d.za.iter().map(|x| x + 1e5).collect(),
        zb: d.zb.iter().map(|x| x + 1e5).collect(),
        factor: d.factor.clone(),
    };
    let e0 = d.accumulate(NO_BOOT).estimate(0.5).unwrap();
    let e1 = shifted.accumulate(NO_BOOT).estimate(0.5).unwrap();
    for f in 0..2 {
        // Adding 1e5 costs ~1e-11 of each value's precision; the estimate keeps it.
        assert_close(
            e0.scores.scores[f],
            e1.scores.scores[f],
            1e-8,
            "shifted score",
        );
        for ch in 0..d.c {
            assert_close(
                e0.units.rho[f][ch].unwrap(),
                e1.units.rho[f][ch].unwrap(),
                1e-8,
                "rho",
            );
        }
    }
    assert_eq!(e0.scores.dims, e1.scores.dims);
}

#[test]
fn categories_at_and_around_tau() {
    let t = 0.5;
    let up = 0.5 + 1e-12;
    let down = 0.5 - 1e-12;
    assert_eq!(categorize(Some(up), Some(down), t), Category::Dynamic);
    assert_eq!(categorize(Some(down), Some(up), t), Category::Static);
    assert_eq!(categorize(Some(up), Some(up), t), Category::Joint);
    assert_eq!(categorize(Some(down), Some(down), t), Category::Neither);
    assert_eq!(categorize(Some(t), Some(0.9), t), Category::Unassigned);
    assert_eq!(categorize(Some(0.9), Some(t), t), Category::Unassigned);
    assert_eq!(categorize(None, Some(0.9), t), Category::Unassigned);
    assert_eq!(categorize(Some(0.9), None, t), Category::Unassigned);
}

#[test]
fn recategorize_moves_channels() {
    let mut rng = Rng::new(13);
    let d = Data::random(&mut rng, 300, 8, [0.7, 0.2], 0.0);
    let mut u = d.accumulate(NO_BOOT).estimate(0.5).unwrap().units;
    let before = u.counts;
    u.recategorize(0.99);
    assert_eq!(u.counts.none, 8, "{:?} -> {:?}", before, u.counts);
    u.recategorize(-0.99);
    assert_eq!(u.counts.joint, 8);
}

#[test]
fn dead_channels_are_unassigned() {
    let mut rng = Rng::new(14);
    let mut d = Data::random(&mut rng, 100, 4, [0.5, 0.5], 0.0);
    for r in 0..d.n() {
        // Channel 1 constant everywhere; channel 3 constant on static pairs only.
        d.za[r * d.c + 1] = 0.1;
        d.zb[r * d.c + 1] = 0.1;
        if d.factor[r] == Factor::Static {
            d.za[r * d.c + 3] = -2.0;
            d.zb[r * d.c + 3] = -2.0;
        }
    }
    let e = d.accumulate(NO_BOOT).estimate(0.5).unwrap();
    assert_eq!(e.units.rho[0][1], None);
    assert_eq!(e.units.rho[1][1], None);
    assert!(e.units.rho[0][3].is_some());
    assert_eq!(e.units.rho[1][3], None);
    assert_eq!(e.units.category[1], Category::Unassigned);
    assert_eq!(e.units.category[3], Category::Unassigned);
    assert_eq!(e.units.softmax[3], None);
    assert_eq!(e.units.counts.unassigned, 2);
}

#[test]
fn too_few_pairs_is_an_error() {
    let mut acc = LayerAccumulator::new("conv1", 2, NO_BOOT);
    acc.push_pair(0, Factor::Dynamic, &[1.0, 2.0], &[1.5, 2.5])
        .unwrap();
    acc.push_pair(1, Factor::Dynamic, &[0.0, 1.0], &[0.5, 2.0])
        .unwrap();
    acc.push_pair(2, Factor::Static, &[0.0, 1.0], &[0.5, 2.0])
        .unwrap();
    let err = acc.estimate(0.5).unwrap_err();
    assert_eq!(
        err,
        StatsError::TooFewPairs {
            layer: "conv1".into(),
            factor: "static",
            have: 1
        }
    );
    assert!(err.to_string().contains("at least 2"));
}

#[test]
fn shape_mismatch_is_an_error() {
    let mut acc = LayerAccumulator::new("l", 3, NO_BOOT);
    let err = acc
        .push_pair(0, Factor::Dynamic, &[1.0, 2.0, 3.0], &[1.0, 2.0])
        .unwrap_err();
    assert!(
        matches!(
            err,
            StatsError::ShapeMismatch {
                expected: 3,
                got: 2,
                ..
            }
        ),
        "{err}"
    );
    let err = acc
        .push_batch(PairBatch {
            pair_ids: &[0, 1],
            factors: &[Factor::Dynamic],
            za: &[0.0f32; 6],
            zb: &[0.0f32; 6],
        })
        .unwrap_err();
    assert!(err.to_string().contains("number of factors"), "{err}");
}

#[test]
fn non_finite_input_is_rejected_and_loses_nothing() {
    let mut rng = Rng::new(15);
    let d = Data::random(&mut rng, 50, 3, [0.5, 0.5], 0.0);
    let mut acc = d.accumulate(NO_BOOT);
    let before = acc.clone();
    let mut za = vec![1.0, 2.0, 3.0, 4.0, f64::NAN, 6.0, 1.0, 1.0, f64::INFINITY];
    let zb = vec![0.0; 9];
    let err = acc
        .push_batch(PairBatch {
            pair_ids: &[100, 101, 102],
            factors: &[Factor::Static; 3],
            za: &za,
            zb: &zb,
        })
        .unwrap_err();
    assert_eq!(
        err,
        StatsError::NonFinite {
            layer: "layer".into(),
            rows: 2,
            total: 3,
            first_row: 1
        }
    );
    assert_eq!(
        acc, before,
        "a rejected batch must not change the statistics"
    );
    za[4] = 5.0;
    za[8] = 9.0;
    acc.push_batch(PairBatch {
        pair_ids: &[100, 101, 102],
        factors: &[Factor::Static; 3],
        za: &za,
        zb: &zb,
    })
    .unwrap();
    assert_eq!(acc.pairs()[1], before.pairs()[1] + 3);
}

#[test]
fn zero_variance_layer_is_an_error() {
    let mut acc = LayerAccumulator::new("dead", 2, NO_BOOT);
    for i in 0..4 {
        let f = if i % 2 == 0 {
            Factor::Dynamic
        } else {
            Factor::Static
        };
        acc.push_pair(i, f, &[0.0, 0.0], &[0.0, 0.0]).unwrap();
    }
    assert!(matches!(
        acc.estimate(0.5),
        Err(StatsError::ZeroVariance { .. })
    ));
}

#[test]
fn merge_mismatch_is_an_error_and_changes_nothing() {
    let mut a = LayerAccumulator::new("l", 3, NO_BOOT);
    a.push_pair(0, Factor::Dynamic, &[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0])
        .unwrap();
    let before = a.clone();
    let b = LayerAccumulator::new("l", 4, NO_BOOT);
    assert!(matches!(a.merge(&b), Err(StatsError::MergeMismatch { .. })));
    let c = LayerAccumulator::new(
        "l",
        3,
        BootstrapConfig {
            replicates: 5,
            seed: 1,
        },
    );
    assert!(a.merge(&c).is_err());
    let d = LayerAccumulator::new("other", 3, NO_BOOT);
    assert!(a.merge(&d).is_err());
    assert_eq!(a, before);
    let mut e = LayerAccumulator::new(
        "l",
        3,
        BootstrapConfig {
            replicates: 5,
            seed: 1,
        },
    );
    let f = LayerAccumulator::new(
        "l",
        3,
        BootstrapConfig {
            replicates: 5,
            seed: 2,
        },
    );
    assert!(e.merge(&f).unwrap_err().to_string().contains("seed"));
}

#[test]
fn poisson_weights_have_mean_and_variance_one() {
    let n = 200_000u64;
    let w: Vec<f64> = (0..n)
        .map(|i| f64::from(poisson_weight(42, i, i % 7)))
        .collect();
    let mean = w.iter().sum::<f64>() / n as f64;
    let var = w.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
    assert!((mean - 1.0).abs() < 0.01, "mean {mean}");
    assert!((var - 1.0).abs() < 0.02, "var {var}");
    let zeros = w.iter().filter(|&&x| x == 0.0).count() as f64 / n as f64;
    assert!((zeros - (-1f64).exp()).abs() < 0.005, "P(0) {zeros}");
    assert_eq!(poisson_weight(1, 2, 3), poisson_weight(1, 2, 3));
}

#[test]
fn bootstrap_interval_covers_the_estimate_and_shrinks_with_n() {
    let boot = BootstrapConfig {
        replicates: 200,
        seed: 5,
    };
    let width = |n: usize| {
        let mut rng = Rng::new(16);
        let d = Data::random(&mut rng, n, 6, [0.7, 0.3], 0.0);
        let e = d.accumulate(boot).estimate(0.5).unwrap();
        let ci = e.ci.unwrap();
        assert_eq!(ci.replicates, 200);
        assert!(ci.valid >= 195);
        for f in 0..2 {
            let [lo, hi] = ci.scores[f];
            assert!(
                lo <= e.scores.scores[f] && e.scores.scores[f] <= hi,
                "{lo} {hi}"
            );
        }
        ci.scores[0][1] - ci.scores[0][0]
    };
    let (small, large) = (width(100), width(1600));
    // The width scales like 1/√n: 16× the pairs, about a quarter of the width.
    assert!(large < small * 0.4, "{small} -> {large}");
}
