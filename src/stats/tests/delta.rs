//! B − A with its bootstrap interval: an entry against itself is exactly 0;
//! each replicate's difference is the difference of the two entries' own
//! replicates; pairing (the same pairs under the same weights) gives a
//! narrower interval than matching replicates that share no weights.

use super::*;

const BOOT: BootstrapConfig = BootstrapConfig {
    replicates: 200,
    seed: 9,
};

/// Model A's pairs and model B's: B sees the same pairs through a slightly
/// different network (A's values plus a little independent noise).
fn two_models(n: usize, c: usize) -> (Data, Data) {
    let mut rng = Rng::new(21);
    let a = Data::random(&mut rng, n, c, [0.6, 0.4], 0.0);
    let mut b = Data {
        c,
        za: a.za.clone(),
        zb: a.zb.clone(),
        factor: a.factor.clone(),
    };
    for v in b.za.iter_mut().chain(b.zb.iter_mut()) {
        *v += 0.3 * rng.normal();
    }
    (a, b)
}

/// A difference without the binary noise, as `layer_delta` reports it.
fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

#[test]
fn an_entry_against_itself_is_exactly_zero() {
    let (a, _) = two_models(300, 40);
    let acc = a.accumulate(BOOT);
    let d = layer_delta(&acc, &acc, true).unwrap();
    assert!(d.paired);
    assert_eq!(d.delta, [0.0; 3]);
    assert_eq!(d.ci, Some([[0.0, 0.0]; 3]));
    assert!(d.valid >= 195);
}

#[test]
fn each_difference_is_the_difference_of_the_entries_replicates() {
    let (a, b) = two_models(300, 40);
    let (ra, rb) = (a.accumulate(BOOT), b.accumulate(BOOT));
    let d = layer_delta(&ra, &rb, true).unwrap();
    let (pa, pb) = (ra.replicate_pct().unwrap(), rb.replicate_pct().unwrap());
    let mut diffs: Vec<f64> = pa
        .iter()
        .zip(&pb)
        .filter_map(|(x, y)| Some(round9(y.as_ref()?[0] - x.as_ref()?[0])))
        .collect();
    diffs.sort_by(f64::total_cmp);
    let q = |p: f64| bootstrap::quantile(&diffs, p);
    assert_eq!(d.ci.unwrap()[0], [q(0.025), q(0.975)]);
    assert_eq!(d.valid, diffs.len());
    let ea = ra.estimate(0.5).unwrap().scores.pct;
    let eb = rb.estimate(0.5).unwrap().scores.pct;
    assert_eq!(d.delta, [0, 1, 2].map(|k| round9(eb[k] - ea[k])));
    assert!(
        d.delta
            .iter()
            .all(|v| (v * 10.0 - (v * 10.0).round()).abs() < 1e-9)
    );
}

#[test]
fn paired_draws_are_narrower_than_unpaired_ones() {
    // Enough channels that the percentages (steps of 100/C) resolve the spread.
    let (a, b) = two_models(400, 400);
    let (ra, rb) = (a.accumulate(BOOT), b.accumulate(BOOT));
    let paired = layer_delta(&ra, &rb, true).unwrap();
    let unpaired = layer_delta(&ra, &rb, false).unwrap();
    assert!(paired.paired && !unpaired.paired);
    assert_eq!(
        paired.delta, unpaired.delta,
        "the point estimate is the same"
    );
    let width = |d: &LayerDelta, k: usize| {
        let [lo, hi] = d.ci.unwrap()[k];
        hi - lo
    };
    for k in 0..2 {
        let (p, u) = (width(&paired, k), width(&unpaired, k));
        assert!(p < 0.8 * u, "factor {k}: paired {p} vs unpaired {u}");
    }
}

#[test]
fn other_seeds_cannot_pair_and_no_replicates_give_no_interval() {
    let (a, b) = two_models(200, 20);
    let other = BootstrapConfig { seed: 10, ..BOOT };
    let d = layer_delta(&a.accumulate(BOOT), &b.accumulate(other), true).unwrap();
    assert!(!d.paired, "other weights: not a paired draw");
    assert!(d.ci.is_some());
    let none = BootstrapConfig {
        replicates: 0,
        seed: 9,
    };
    let d = layer_delta(&a.accumulate(none), &b.accumulate(none), true).unwrap();
    assert_eq!((d.ci, d.valid), (None, 0));
}
