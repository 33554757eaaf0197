//! Layer-wise scores, softmax, dims and percentages (METHOD.md §4), computed
//! exactly as the reference `dim_est` does.

use super::StatsError;
use super::moments::{FactorSummary, total_variance};
use serde::{Deserialize, Serialize};

/// The layer-wise result, always in the order [dynamic, static, residual].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerScores {
    /// `[s_D, s_S, 1.0]`: Σ_c cov_c / V per factor, residual fixed at 1.
    pub scores: [f64; 3],
    /// Max-subtracted softmax of the scores.
    pub probs: [f64; 3],
    /// `trunc(p_k · C)` for dynamic and static; the residual takes the rest.
    pub dims: [usize; 3],
    /// `round(100 · (dims_k / C), 1)`, half to even on the exact binary value.
    pub pct: [f64; 3],
    /// Total variance V (Σ_c of the ddof = 0 variance of `[Za; Zb]`).
    pub total_variance: f64,
}

impl LayerScores {
    /// Computes the layer result from the two factors' summaries.
    pub(crate) fn from_summaries(
        layer: &str,
        factors: &[FactorSummary<'_>; 2],
        channels: usize,
    ) -> Result<Self, StatsError> {
        let v = total_variance(factors);
        if v <= 0.0 || !v.is_finite() {
            return Err(StatsError::ZeroVariance {
                layer: layer.to_string(),
            });
        }
        let scores = [
            factors[0].covariance_sum() / v,
            factors[1].covariance_sum() / v,
            1.0,
        ];
        Ok(Self::from_scores(scores, channels, v))
    }

    /// The softmax → dims → pct chain from given scores (also used to invert
    /// published rows and by bootstrap replicates).
    pub fn from_scores(scores: [f64; 3], channels: usize, total_variance: f64) -> Self {
        let probs = softmax(scores);
        let trunc = |p: f64| (p * channels as f64).trunc() as usize;
        let d0 = trunc(probs[0]);
        let d1 = trunc(probs[1]);
        // Softmax probabilities are < 1 so d0 + d1 ≤ C; saturate all the same.
        let dims = [d0, d1, channels.saturating_sub(d0 + d1)];
        let pct = dims.map(|d| {
            if channels == 0 {
                0.0
            } else {
                round_half_even(100.0 * (d as f64 / channels as f64), 1)
            }
        });
        Self {
            scores,
            probs,
            dims,
            pct,
            total_variance,
        }
    }
}

/// Max-subtracted softmax of three numbers (as the reference's `softmax_fn`
/// with `use_max=True`).
pub(crate) fn softmax(x: [f64; 3]) -> [f64; 3] {
    let m = x[0].max(x[1]).max(x[2]);
    let e = x.map(|v| (v - m).exp());
    let s = e[0] + e[1] + e[2];
    e.map(|v| v / s)
}

/// Rounds to `digits` decimals like Python's `round(x, digits)`: the exact
/// binary value is rounded, ties to even (so 0.25 → 0.2, 0.35 → 0.3 because
/// 0.35 is stored as 0.34999…). Rust's fixed-precision formatting is exact
/// with ties to even, and parsing gives back the nearest double, as Python does.
pub fn round_half_even(x: f64, digits: usize) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.digits$}").parse().unwrap_or(x)
}

/// Inverts a published percentage row `[pct_D, pct_S, pct_R]` to scores with
/// `s_k = 1 + ln(pct_k / pct_R)` (the residual's score is 1).
pub fn scores_from_pct(pct: [f64; 3]) -> [f64; 3] {
    pct.map(|p| 1.0 + (p / pct[2]).ln())
}
