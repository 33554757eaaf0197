//! The channel evidence the accumulator keeps: per-channel bootstrap
//! replicates against a direct weighted computation, batch-size
//! invariance, exact shard merges of top windows, the pair sample and the
//! intervals, and the coverage of the per-channel 95 % intervals.

use super::*;

const BOOT: BootstrapConfig = BootstrapConfig {
    replicates: 12,
    seed: 7,
};

/// ρ of channel `ch` over the rows of factor `f`, each row weighted by its
/// Poisson weight in replicate `r`, two-pass (what the streaming replicate
/// must equal).
fn direct_replicate(d: &Data, f: Factor, r: u64, ch: usize) -> Option<f64> {
    let c = d.c;
    let rows: Vec<(f64, f64, f64)> = (0..d.n())
        .filter(|&i| d.factor[i] == f)
        .map(|i| {
            let w = f64::from(poisson_weight(BOOT.seed, i as u64, r));
            (w, d.za[i * c + ch], d.zb[i * c + ch])
        })
        .filter(|(w, _, _)| *w > 0.0)
        .collect();
    if rows.len() < 2 {
        return None;
    }
    let n: f64 = rows.iter().map(|r| r.0).sum();
    let ma = rows.iter().map(|r| r.0 * r.1).sum::<f64>() / n;
    let mb = rows.iter().map(|r| r.0 * r.2).sum::<f64>() / n;
    let m = 0.5 * (ma + mb);
    let cov = rows
        .iter()
        .map(|r| r.0 * (r.1 - m) * (r.2 - m))
        .sum::<f64>()
        / n;
    let mu = m;
    let var = rows
        .iter()
        .map(|r| r.0 * ((r.1 - mu).powi(2) + (r.2 - mu).powi(2)))
        .sum::<f64>()
        / (2.0 * n);
    (var > 0.0).then(|| cov / var)
}

fn push_in_batches(acc: &mut LayerAccumulator, d: &Data, ids: &[u64], size: usize) {
    let c = d.c;
    for chunk in ids.chunks(size) {
        let rows = |m: &Vec<f64>| -> Vec<f64> {
            chunk
                .iter()
                .flat_map(|&i| m[i as usize * c..(i as usize + 1) * c].to_vec())
                .collect()
        };
        let factors: Vec<Factor> = chunk.iter().map(|&i| d.factor[i as usize]).collect();
        acc.push_batch(PairBatch {
            pair_ids: chunk,
            factors: &factors,
            za: &rows(&d.za),
            zb: &rows(&d.zb),
        })
        .unwrap();
    }
}

#[test]
fn per_channel_replicates_equal_a_direct_weighted_computation() {
    let mut rng = Rng::new(21);
    let d = Data::random(&mut rng, 160, 5, [0.8, 0.3], 1e4);
    let mut acc = LayerAccumulator::new("l", d.c, BOOT);
    push_in_batches(&mut acc, &d, &d.ids(), 7);
    let est = acc.estimate(0.5).unwrap();
    let ci = est.units.ci.as_ref().unwrap();
    assert_eq!(ci.replicates.replicates(), 12);
    for f in Factor::ALL {
        for r in 0..12 {
            for ch in 0..d.c {
                let want = direct_replicate(&d, f, r as u64, ch).unwrap();
                let got = ci.replicates.rho(f.index(), r, ch).unwrap();
                assert_close(got, want, 1e-9, &format!("{f:?} rep {r} ch {ch}"));
            }
        }
    }
    // Intervals hold the point estimate's neighbourhood; stability in [0, 1].
    for ch in 0..d.c {
        let [lo, hi] = ci.rho[0][ch].unwrap();
        assert!(lo <= hi);
        let s = ci.stability[ch].unwrap();
        assert!((0.0..=1.0).contains(&s));
    }
}

#[test]
fn fewer_channel_replicates_than_layer_replicates_and_none() {
    let mut rng = Rng::new(3);
    let d = Data::random(&mut rng, 80, 3, [0.5, 0.5], 0.0);
    let units = UnitConfig {
        replicates: 5,
        ..UnitConfig::default()
    };
    let mut acc = LayerAccumulator::with_units("l", 3, BOOT, units);
    push_in_batches(&mut acc, &d, &d.ids(), 80);
    let est = acc.estimate(0.5).unwrap();
    assert_eq!(est.units.ci.unwrap().replicates.replicates(), 5);
    assert_eq!(est.ci.unwrap().replicates, 12);
    let mut none = LayerAccumulator::with_units("l", 3, BOOT, UnitConfig::NONE);
    push_in_batches(&mut none, &d, &d.ids(), 80);
    assert!(none.estimate(0.5).unwrap().units.ci.is_none());
    assert!(none.top().get(0, End::High).is_empty());
    assert!(none.sample().pairs(Factor::Static).is_empty());
}

#[test]
fn batch_size_does_not_change_the_evidence() {
    let mut rng = Rng::new(8);
    let d = Data::random(&mut rng, 120, 4, [0.6, 0.4], 5.0);
    let ids = d.ids();
    let mut one = LayerAccumulator::new("l", d.c, BOOT);
    push_in_batches(&mut one, &d, &ids, 1);
    let mut big = LayerAccumulator::new("l", d.c, BOOT);
    push_in_batches(&mut big, &d, &ids, 50);
    assert_eq!(one.top(), big.top());
    assert_eq!(one.sample(), big.sample());
    let (a, b) = (one.estimate(0.5).unwrap(), big.estimate(0.5).unwrap());
    let (a, b) = (a.units.ci.unwrap(), b.units.ci.unwrap());
    for f in 0..2 {
        for r in 0..12 {
            for ch in 0..d.c {
                let (x, y) = (a.replicates.rho(f, r, ch), b.replicates.rho(f, r, ch));
                assert_close(x.unwrap(), y.unwrap(), 1e-9, "replicate rho");
            }
        }
    }
}

#[test]
fn shards_merge_the_evidence_into_the_single_run() {
    let mut rng = Rng::new(5);
    let d = Data::random(&mut rng, 300, 6, [0.7, 0.2], 100.0);
    let ids = d.ids();
    let units = UnitConfig {
        top_k: 5,
        sample_pairs: 20,
        replicates: 12,
    };
    let mut single = LayerAccumulator::with_units("l", d.c, BOOT, units);
    push_in_batches(&mut single, &d, &ids, 16);
    let shard = |s: u64| {
        let mine: Vec<u64> = ids.iter().copied().filter(|i| i % 3 == s).collect();
        let mut acc = LayerAccumulator::with_units("l", d.c, BOOT, units);
        push_in_batches(&mut acc, &d, &mine, 9);
        acc
    };
    let mut merged = shard(1);
    merged.merge(&shard(2)).unwrap();
    merged.merge(&shard(0)).unwrap();
    assert_eq!(merged.top(), single.top());
    assert_eq!(merged.sample(), single.sample());
    assert_eq!(merged.units(), units);
    let (a, b) = (merged.estimate(0.5).unwrap(), single.estimate(0.5).unwrap());
    let (a, b) = (a.units.ci.unwrap(), b.units.ci.unwrap());
    assert_eq!(a.stability, b.stability);
    for f in 0..2 {
        for ch in 0..d.c {
            let (x, y) = (a.rho[f][ch].unwrap(), b.rho[f][ch].unwrap());
            assert_close(x[0], y[0], 1e-9, "ci low");
            assert_close(x[1], y[1], 1e-9, "ci high");
        }
    }
    // Other evidence settings do not merge, and nothing changes.
    let before = merged.clone();
    let other = LayerAccumulator::with_units("l", d.c, BOOT, UnitConfig::default());
    let err = merged.merge(&other).unwrap_err().to_string();
    assert!(err.contains("channel evidence"), "{err}");
    assert_eq!(merged, before);
}

#[test]
fn the_top_windows_are_the_highest_and_lowest_members() {
    let mut rng = Rng::new(9);
    let d = Data::random(&mut rng, 50, 2, [0.5, 0.5], 0.0);
    let acc = d.accumulate(BOOT);
    let mut all: Vec<(f64, u64, u8)> = (0..d.n())
        .flat_map(|i| [(d.za[i * 2], i as u64, 1u8), (d.zb[i * 2], i as u64, 2)])
        .collect();
    all.sort_by(|x, y| y.0.total_cmp(&x.0));
    let high: Vec<(f64, u64, u8)> = acc
        .top()
        .get(0, End::High)
        .iter()
        .map(|w| (w.value, w.pair, w.member))
        .collect();
    assert_eq!(high, all[..16]);
    let low = acc.top().get(0, End::Low);
    assert_eq!(low[0].value, all[all.len() - 1].0);
}

#[test]
fn stability_follows_the_threshold() {
    let mut rng = Rng::new(17);
    let d = Data::random(&mut rng, 400, 3, [0.9, 0.1], 0.0);
    let mut units = d.accumulate(BOOT).estimate(0.5).unwrap().units;
    // Far from τ every replicate agrees; with τ at a channel's ρ about half do.
    assert!(
        units
            .ci
            .as_ref()
            .unwrap()
            .stability
            .iter()
            .all(|s| s.unwrap() > 0.9)
    );
    let rho_d0 = units.rho[0][0].unwrap();
    units.recategorize(rho_d0);
    let ci = units.ci.as_ref().unwrap();
    let reps = &ci.replicates;
    let want = (0..reps.replicates())
        .filter(|&r| categorize(reps.rho(0, r, 0), reps.rho(1, r, 0), rho_d0) == units.category[0])
        .count() as f64
        / reps.replicates() as f64;
    assert_eq!(ci.stability[0], Some(want));
    assert_eq!(units.category[0], Category::Unassigned);
}

/// 1000 simulated channels with known population ρ (members share a
/// latent with weight s: ρ = s²), 300 pairs per factor: the 95 %
/// intervals cover the truth for 90–99 % of them.
#[test]
fn per_channel_intervals_cover_the_truth() {
    let c = 1000;
    let mut rng = Rng::new(2024);
    let truth: Vec<[f64; 2]> = (0..c)
        .map(|_| [0.9 * rng.uniform(), 0.9 * rng.uniform()])
        .collect();
    let (mut za, mut zb, mut factors) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..600 {
        let f = if i % 2 == 0 {
            Factor::Dynamic
        } else {
            Factor::Static
        };
        for t in &truth {
            let s = t[f.index()].sqrt();
            let e = (1.0 - s * s).sqrt();
            let z = rng.normal();
            za.push(s * z + e * rng.normal());
            zb.push(s * z + e * rng.normal());
        }
        factors.push(f);
    }
    let boot = BootstrapConfig {
        replicates: 200,
        seed: 1,
    };
    let mut acc = LayerAccumulator::new("l", c, boot);
    let ids: Vec<u64> = (0..600).collect();
    acc.push_batch(PairBatch {
        pair_ids: &ids,
        factors: &factors,
        za: &za,
        zb: &zb,
    })
    .unwrap();
    let ci = acc.estimate(0.5).unwrap().units.ci.unwrap();
    for (f, intervals) in ci.rho.iter().enumerate() {
        let covered = intervals
            .iter()
            .zip(&truth)
            .filter(|(i, t)| {
                let [lo, hi] = i.unwrap();
                lo <= t[f] && t[f] <= hi
            })
            .count();
        let share = covered as f64 / c as f64;
        assert!(
            (0.90..=0.99).contains(&share),
            "factor {f}: coverage {share}"
        );
    }
}
