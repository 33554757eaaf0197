//! The pair plan: determinism, sharding, the factor/style/permutation rules
//! and video coverage.

use std::collections::{HashMap, HashSet};

use crate::pairs::{PairPlan, PairSpec, PairsError};
use crate::stats::Factor;

fn plan(seed: u64, pairs: usize, videos: usize, styles: usize, frames: usize) -> PairPlan {
    PairPlan::new(seed, pairs, videos, styles, frames).unwrap()
}

#[test]
fn same_seed_same_pairs_and_larger_plans_extend_smaller_ones() {
    let small = plan(42, 50, 9, 4, 8);
    let large = plan(42, 5000, 9, 4, 8);
    for id in small.ids() {
        assert_eq!(small.spec(id), large.spec(id));
        assert_eq!(small.spec(id), plan(42, 50, 9, 4, 8).spec(id));
    }
    let other = plan(43, 50, 9, 4, 8);
    let differ = small
        .ids()
        .filter(|&id| small.spec(id) != other.spec(id))
        .count();
    assert!(
        differ > 45,
        "another seed gives other pairs ({differ} of 50 differ)"
    );
}

#[test]
fn pinned_pairs_do_not_drift() {
    // Regression guard: a run's pairs are re-created from its seed, on any
    // machine and any later version; these values must never change.
    let p = plan(2024, 100, 10, 4, 6);
    let (d, s) = (Factor::Dynamic, Factor::Static);
    let spec = |id, video, factor, style_a, style_b, permutation: &[usize], start_draw| PairSpec {
        id,
        video,
        factor,
        start_draw,
        style_a,
        style_b,
        permutation: permutation.to_vec(),
    };
    let want = [
        spec(0, 4, s, 0, 0, &[4, 1, 5, 3, 0, 2], 0xe6d0_6921_193d_e296),
        spec(1, 9, d, 3, 1, &[], 0x2abe_0f08_8ec1_0383),
        spec(2, 5, d, 1, 2, &[], 0x636a_9999_5b83_f31c),
        spec(3, 2, s, 3, 3, &[0, 4, 1, 2, 3, 5], 0x1980_4532_84fc_4867),
        spec(4, 6, s, 2, 2, &[2, 5, 0, 3, 4, 1], 0x2f53_af10_1383_b754),
        spec(5, 8, d, 3, 2, &[], 0x5617_2f3b_b987_e5ad),
    ];
    for want in want {
        assert_eq!(p.spec(want.id), want);
    }
}

#[test]
fn shards_partition_the_ids() {
    let p = plan(1, 103, 10, 4, 8);
    for n in 1..6 {
        let mut seen = HashSet::new();
        for i in 0..n {
            for id in p.shard(i, n).unwrap() {
                assert_eq!(id % n as u64, i as u64);
                assert!(seen.insert(id), "id {id} in two shards");
            }
        }
        assert_eq!(seen, p.ids().collect::<HashSet<_>>());
    }
    assert_eq!(
        p.shard(3, 3).err(),
        Some(PairsError::BadShard { index: 3, count: 3 })
    );
    assert!(p.shard(0, 0).is_err());
    assert_eq!(p.shard(5, 200).unwrap().count(), 1);
}

#[test]
fn factor_is_a_fair_coin() {
    let p = plan(7, 20_000, 100, 4, 8);
    let statics = p
        .ids()
        .filter(|&id| p.spec(id).factor == Factor::Static)
        .count();
    let frac = statics as f64 / 20_000.0;
    // σ = 0.0035; 5σ bound.
    assert!((frac - 0.5).abs() < 0.018, "static fraction {frac}");
}

#[test]
fn styles_follow_the_rules() {
    let p = plan(11, 8000, 50, 4, 8);
    let mut style_a = [0usize; 4];
    let mut pairs_ab = HashMap::new();
    for id in p.ids() {
        let s = p.spec(id);
        style_a[s.style_a] += 1;
        match s.factor {
            Factor::Dynamic => {
                assert_ne!(s.style_a, s.style_b);
                assert!(s.permutation.is_empty());
                *pairs_ab.entry((s.style_a, s.style_b)).or_insert(0usize) += 1;
            }
            Factor::Static => assert_eq!(s.style_a, s.style_b),
        }
    }
    assert!(
        style_a.iter().all(|&c| (1800..2200).contains(&c)),
        "{style_a:?}"
    );
    assert_eq!(
        pairs_ab.len(),
        12,
        "every ordered pair of distinct styles occurs"
    );
    assert!(
        pairs_ab.values().all(|&c| (230..440).contains(&c)),
        "{pairs_ab:?}"
    );
    let two = plan(2, 200, 5, 2, 4);
    for id in two.ids() {
        let s = two.spec(id);
        if s.factor == Factor::Dynamic {
            assert_eq!(s.style_a + s.style_b, 1);
        }
    }
}

#[test]
fn permutations_are_uniform_over_the_non_identity_ones() {
    let p = plan(5, 12_000, 30, 4, 3);
    let mut counts: HashMap<Vec<usize>, usize> = HashMap::new();
    for id in p.ids() {
        let s = p.spec(id);
        if s.factor == Factor::Static {
            let mut sorted = s.permutation.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, vec![0, 1, 2]);
            assert_ne!(s.permutation, vec![0, 1, 2], "identity");
            *counts.entry(s.permutation).or_insert(0) += 1;
        }
    }
    assert_eq!(counts.len(), 5, "all 3! − 1 permutations occur: {counts:?}");
    let total: usize = counts.values().sum();
    let expected = total as f64 / 5.0;
    let chi2: f64 = counts
        .values()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    // χ² with 4 degrees of freedom: P(χ² > 23.5) ≈ 1e-4.
    assert!(chi2 < 23.5, "χ² = {chi2}, {counts:?}");

    let two = plan(9, 300, 5, 3, 2);
    for id in two.ids() {
        let s = two.spec(id);
        if s.factor == Factor::Static {
            assert_eq!(s.permutation, vec![1, 0]);
        }
    }
}

#[test]
fn every_block_of_v_pairs_uses_every_video_once() {
    for v in [1usize, 2, 7, 64] {
        let p = plan(3, v * 6, v, 3, 4);
        let mut orders = HashSet::new();
        for block in 0..6u64 {
            let mut order: Vec<usize> = (block * v as u64..(block + 1) * v as u64)
                .map(|id| p.spec(id).video)
                .collect();
            orders.insert(order.clone());
            order.sort_unstable();
            assert_eq!(order, (0..v).collect::<Vec<_>>(), "V = {v}, block {block}");
        }
        if v >= 7 {
            assert!(orders.len() >= 5, "each block is shuffled afresh (V = {v})");
        }
    }
}

#[test]
fn start_draws_are_fresh() {
    let p = plan(4, 1000, 3, 3, 4);
    let draws: HashSet<u64> = p.ids().map(|id| p.spec(id).start_draw).collect();
    assert_eq!(draws.len(), 1000);
    let high = draws.iter().filter(|&&d| d >> 63 == 1).count();
    assert!((430..570).contains(&high), "top bit is a fair coin: {high}");
}

#[test]
fn impossible_plans_are_refused_with_the_reason() {
    let one_style = PairPlan::new(0, 10, 5, 1, 8).unwrap_err();
    assert_eq!(one_style, PairsError::TooFewStyles { styles: 1 });
    assert!(one_style.to_string().contains("at least 2 styles"));
    let one_frame = PairPlan::new(0, 10, 5, 4, 1).unwrap_err();
    assert_eq!(one_frame, PairsError::TooFewFrames { frames: 1 });
    assert!(one_frame.to_string().contains("non-identity"));
    assert_eq!(PairPlan::new(0, 10, 0, 4, 8), Err(PairsError::NoVideos));
    assert_eq!(PairPlan::new(0, 0, 5, 4, 8), Err(PairsError::NoPairs));
}
