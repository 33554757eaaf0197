//! The estimator of METHOD.md §4–6: streaming, exact, mergeable.
//!
//! # Contract
//! - Input: pairs of pooled activations `za`, `zb` ∈ R^C (member 1 and member 2
//!   of one pair) with a [`Factor`]: 0 = dynamic (the two members share motion),
//!   1 = static (they share appearance). Values may be `f32` or `f64`; all
//!   arithmetic is `f64`.
//! - Memory is O(C) per layer (O(B·C) with B bootstrap replicates, plus the
//!   channel evidence of [`UnitConfig`]: O((R + M + k)·C) for R per-channel
//!   replicates, M sampled pairs and k top windows per end), whatever
//!   the number of pairs: per channel and factor we keep weighted co-moments
//!   (count, means of a and b, M2 of a and b, co-moment of a and b), updated
//!   with Welford's rule and merged with Chan et al.'s pairwise rule, so large
//!   offsets (mean 1e5, spread 1) lose no precision.
//! - [`LayerAccumulator::merge`] of two accumulators fed disjoint pairs equals
//!   one accumulator fed all pairs (up to floating-point rounding, ~1e-12).
//! - NaN/Inf input is rejected before anything is updated (the accumulator is
//!   left as it was); so are mismatched lengths.
//! - [`LayerAccumulator::estimate`] needs at least 2 pairs of each factor and
//!   a non-zero total variance, else it returns an error.
//! - A channel whose variance over a factor's rows is exactly zero has an
//!   undefined ρ for that factor (`None`), and is `Unassigned`; no epsilon.

mod accumulator;
mod bootstrap;
mod delta;
mod error;
mod extremes;
mod layer;
mod moments;
mod sample;
mod unit;
mod unit_boot;

pub use accumulator::{LayerAccumulator, PairBatch};
pub use bootstrap::{BootstrapCi, BootstrapConfig, poisson_weight};
pub use delta::{LayerDelta, layer_delta};
pub use error::{MAX_MAGNITUDE, StatsError};
pub use extremes::{End, Extremes, Window};
pub use layer::{LayerScores, round_half_even, scores_from_pct};
pub use sample::{PairSample, SampledPair};
pub use unit::{Category, CategoryCounts, UnitEstimate, categorize};
pub use unit_boot::{UnitIntervals, UnitReplicates};

use serde::{Deserialize, Serialize};

/// Which factor two members of a pair share. Index convention of METHOD.md:
/// 0 = dynamic, 1 = static (2 = residual, which is not a pair factor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Factor {
    /// The members share motion (same frames, two styles).
    Dynamic = 0,
    /// The members share appearance (same frames, shuffled).
    Static = 1,
}

impl Factor {
    /// Both pair factors, in index order.
    pub const ALL: [Factor; 2] = [Factor::Dynamic, Factor::Static];

    /// The index used in files and arrays (0 or 1).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Parses the integer code used in files; anything but 0 or 1 is `None`.
    pub fn from_code(code: i64) -> Option<Factor> {
        match code {
            0 => Some(Factor::Dynamic),
            1 => Some(Factor::Static),
            _ => None,
        }
    }

    /// Lower-case name, as in reports.
    pub fn name(self) -> &'static str {
        match self {
            Factor::Dynamic => "dynamic",
            Factor::Static => "static",
        }
    }
}

/// What each channel keeps beyond its moments: the evidence the channel
/// inspector shows (top windows, a sample of pairs, per-channel bootstrap).
/// It changes the statistics, so it is part of a job's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitConfig {
    /// Pair members kept per channel at each end (highest, lowest pooled
    /// value); 0 keeps none.
    pub top_k: usize,
    /// Pairs per factor sampled with every channel's values of both
    /// members (the smallest hashes of (seed, pair id)); 0 keeps none.
    pub sample_pairs: usize,
    /// Bootstrap replicates that also keep per-channel moments (at most the
    /// layer's replicates; the first ones, with the same weights).
    pub replicates: usize,
}

impl Default for UnitConfig {
    fn default() -> Self {
        Self {
            top_k: 16,
            sample_pairs: 256,
            replicates: 200,
        }
    }
}

impl UnitConfig {
    /// Nothing kept beyond the moments.
    pub const NONE: UnitConfig = UnitConfig {
        top_k: 0,
        sample_pairs: 0,
        replicates: 0,
    };
}

/// Everything the estimator says about one layer.
#[derive(Clone, Debug)]
pub struct LayerEstimate {
    /// Number of channels C.
    pub channels: usize,
    /// Pairs seen per factor `[dynamic, static]`.
    pub pairs: [u64; 2],
    /// Layer-wise scores, probabilities, dims and percentages.
    pub scores: LayerScores,
    /// Per-channel ρ, unit softmax and categories.
    pub units: UnitEstimate,
    /// Bootstrap confidence intervals, if replicates were kept.
    pub ci: Option<BootstrapCi>,
}

#[cfg(test)]
mod tests;
