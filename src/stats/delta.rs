//! Differences between two entries' layer results, B − A, with a bootstrap
//! interval from the per-replicate differences.
//!
//! **Paired** (two entries of one job: the same pairs, the same bootstrap
//! seed): replicate r of A and replicate r of B weigh every pair with the
//! same Poisson weight (the weights hash the seed, r and the pair id), so
//! `Δ_r = pct_B,r − pct_A,r` is one paired draw and the percentile interval
//! of the Δ_r carries what the two share (the pairs' own variation cancels).
//! An entry against itself gives Δ_r = 0 for every r: an interval of
//! exactly [0, 0].
//!
//! **Unpaired** (other pairs, e.g. another job): the entries' replicates are
//! independent draws, but with one seed they would weigh equal pair ids
//! alike; replicate r of B is therefore matched with replicate
//! `(r + ⌊R/2⌋) mod R` of A, so no two matched replicates share weights.
//!
//! Only replicates where both entries have a result count (`valid`).

use super::bootstrap::quantile;
use super::{LayerAccumulator, StatsError};

/// `[dynamic, static, residual]` of B − A for one layer.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerDelta {
    /// A's percentages.
    pub a: [f64; 3],
    /// B's percentages.
    pub b: [f64; 3],
    /// B − A.
    pub delta: [f64; 3],
    /// 95 % percentile interval of each difference, when both entries kept
    /// bootstrap replicates and at least one matched pair of them has a result.
    pub ci: Option<[[f64; 2]; 3]>,
    /// Whether the replicates were matched as paired draws.
    pub paired: bool,
    /// Matched replicates with a result in both entries.
    pub valid: usize,
}

/// B − A of layer `a` and layer `b` (percentages at any τ: they do not
/// depend on it), `paired` when the two cover the same pairs under the same
/// bootstrap seed (the caller knows: entries of one job). An interval needs
/// replicates in both; paired draws need the same seed and count.
pub fn layer_delta(
    a: &LayerAccumulator,
    b: &LayerAccumulator,
    paired: bool,
) -> Result<LayerDelta, StatsError> {
    let pa = a.estimate(0.5)?.scores.pct;
    let pb = b.estimate(0.5)?.scores.pct;
    let delta = [0, 1, 2].map(|k| clean(pb[k] - pa[k]));
    let same_draws = a.bootstrap().is_some() && a.bootstrap() == b.bootstrap();
    let paired = paired && same_draws;
    let (ci, valid) = match (a.replicate_pct(), b.replicate_pct()) {
        (Some(ra), Some(rb)) if !ra.is_empty() && !rb.is_empty() => {
            let n = ra.len().min(rb.len());
            let shift = if paired { 0 } else { n / 2 };
            let diffs: Vec<[f64; 3]> = (0..n)
                .filter_map(|r| {
                    let x = ra[(r + shift) % n]?;
                    let y = rb[r]?;
                    Some([0, 1, 2].map(|k| clean(y[k] - x[k])))
                })
                .collect();
            (interval(&diffs), diffs.len())
        }
        _ => (None, 0),
    };
    Ok(LayerDelta {
        a: pa,
        b: pb,
        delta,
        ci,
        paired,
        valid,
    })
}

/// `x` rounded to 1e-9: a difference of two one-decimal percentages is a
/// multiple of 0.1 up to the binary representation's noise
/// (16.7 − 12.6 = 4.100000000000001); this gives back 4.1.
fn clean(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// The 95 % percentile interval of each component; `None` when empty.
fn interval(diffs: &[[f64; 3]]) -> Option<[[f64; 2]; 3]> {
    if diffs.is_empty() {
        return None;
    }
    Some([0, 1, 2].map(|k| {
        let mut v: Vec<f64> = diffs.iter().map(|d| d[k]).collect();
        v.sort_by(f64::total_cmp);
        [clean(quantile(&v, 0.025)), clean(quantile(&v, 0.975))]
    }))
}
