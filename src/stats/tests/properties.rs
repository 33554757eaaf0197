//! Properties: identical and independent members, merges, large offsets,
//! the bootstrap.

use super::*;

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

#[test]
fn bootstrap_batches_equal_pair_by_pair_even_at_large_offsets() {
    let boot = BootstrapConfig {
        replicates: 40,
        seed: 9,
    };
    let mut rng = Rng::new(17);
    let d = Data::random(&mut rng, 300, 5, [0.6, 0.3], 1e5);
    let batched = d.accumulate(boot).estimate(0.5).unwrap().ci.unwrap();
    let mut single = LayerAccumulator::new("layer", d.c, boot);
    for i in 0..d.n() {
        let row = i * d.c..(i + 1) * d.c;
        single
            .push_pair(i as u64, d.factor[i], &d.za[row.clone()], &d.zb[row])
            .unwrap();
    }
    let single = single.estimate(0.5).unwrap().ci.unwrap();
    assert_eq!(batched.valid, single.valid);
    for f in 0..2 {
        for k in 0..2 {
            assert_close(batched.scores[f][k], single.scores[f][k], 1e-9, "ci bound");
        }
    }
    assert_eq!(batched.pct, single.pct);
}
