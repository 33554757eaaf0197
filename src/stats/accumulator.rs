//! [`LayerAccumulator`]: the streaming state of one layer (co-moments per
//! factor and channel, plus bootstrap replicates), fed pair by pair or in
//! batches, mergeable across shards.

use super::bootstrap::Replicates;
use super::error::MAX_MAGNITUDE;
use super::moments::FactorMoments;
use super::{BootstrapConfig, Factor, LayerEstimate, LayerScores, StatsError, UnitEstimate};
use serde::{Deserialize, Serialize};

/// A batch of pairs for one layer, row-major: `za` and `zb` hold
/// `pair_ids.len()` rows of C values each.
#[derive(Clone, Copy, Debug)]
pub struct PairBatch<'a, T> {
    /// A stable id per pair (its index in the pair plan): it seeds the pair's
    /// bootstrap weights, so it must be the same whichever shard sees the pair.
    pub pair_ids: &'a [u64],
    /// The factor of each pair.
    pub factors: &'a [Factor],
    /// Member 1 of each pair, `n × C`.
    pub za: &'a [T],
    /// Member 2 of each pair, `n × C`.
    pub zb: &'a [T],
}

/// Streaming statistics of one layer. Memory: 10·C + B·4·C doubles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerAccumulator {
    name: String,
    channels: usize,
    factors: [FactorMoments; 2],
    bootstrap: Option<Replicates>,
}

impl LayerAccumulator {
    /// An empty accumulator for a layer of `channels` channels. With
    /// `bootstrap.replicates == 0` no confidence intervals are kept.
    pub fn new(name: impl Into<String>, channels: usize, bootstrap: BootstrapConfig) -> Self {
        Self {
            name: name.into(),
            channels,
            factors: [FactorMoments::new(channels), FactorMoments::new(channels)],
            bootstrap: (bootstrap.replicates > 0).then(|| Replicates::new(bootstrap, channels)),
        }
    }

    /// Whether a layer of `channels` channels that has seen `pairs` pairs
    /// per factor (dynamic, static) can be estimated: at least one channel
    /// and 2 pairs of each factor. [`estimate`](Self::estimate) checks it;
    /// callers that know the counts up front check it before allocating.
    pub fn check_estimable(
        layer: &str,
        channels: usize,
        pairs: [u64; 2],
    ) -> Result<(), StatsError> {
        if channels == 0 {
            return Err(StatsError::NoChannels {
                layer: layer.to_string(),
            });
        }
        for f in Factor::ALL {
            let have = pairs[f.index()];
            if have < 2 {
                return Err(StatsError::TooFewPairs {
                    layer: layer.to_string(),
                    factor: f.name(),
                    have,
                });
            }
        }
        Ok(())
    }

    /// Bytes an accumulator of `channels` channels holds with `bootstrap`:
    /// per channel 10 doubles of moments and 4 per bootstrap replicate.
    /// Callers check it against memory before [`new`](Self::new) allocates.
    pub fn memory_bytes(channels: usize, bootstrap: BootstrapConfig) -> u128 {
        channels as u128 * (10 + 4 * bootstrap.replicates as u128) * 8
    }

    /// The layer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of channels C.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Pairs seen per factor `[dynamic, static]`.
    pub fn pairs(&self) -> [u64; 2] {
        [self.factors[0].count, self.factors[1].count]
    }

    /// The bootstrap settings, if replicates are kept.
    pub fn bootstrap(&self) -> Option<BootstrapConfig> {
        self.bootstrap.as_ref().map(|b| b.config)
    }

    /// Adds one pair. Nothing is changed if the input is rejected.
    pub fn push_pair<T: Copy + Into<f64>>(
        &mut self,
        pair_id: u64,
        factor: Factor,
        za: &[T],
        zb: &[T],
    ) -> Result<(), StatsError> {
        self.push_batch(PairBatch {
            pair_ids: &[pair_id],
            factors: &[factor],
            za,
            zb,
        })
    }

    /// Adds a batch of pairs. The whole batch is checked first (sizes,
    /// NaN/Inf); if anything is wrong, nothing is added.
    pub fn push_batch<T: Copy + Into<f64>>(
        &mut self,
        batch: PairBatch<'_, T>,
    ) -> Result<(), StatsError> {
        self.check_batch(&batch)?;
        let n = batch.pair_ids.len();
        let c = self.channels;
        for r in 0..n {
            let row = r * c..(r + 1) * c;
            let f = batch.factors[r];
            self.factors[f.index()].push(&batch.za[row.clone()], &batch.zb[row]);
        }
        if let Some(boot) = &mut self.bootstrap {
            boot.push_batch(batch.pair_ids, batch.factors, batch.za, batch.zb, c);
        }
        Ok(())
    }

    /// Checks a batch as [`push_batch`](Self::push_batch) does, without
    /// adding it: a batch that passes is added by `push_batch` without error.
    /// A job checks every layer of every model before adding any, so a batch
    /// counts for all of them or for none.
    pub fn check_batch<T: Copy + Into<f64>>(
        &self,
        batch: &PairBatch<'_, T>,
    ) -> Result<(), StatsError> {
        let n = batch.pair_ids.len();
        let c = self.channels;
        self.check_len("number of factors", n, batch.factors.len())?;
        self.check_len("values in za (pairs × channels)", n * c, batch.za.len())?;
        self.check_len("values in zb (pairs × channels)", n * c, batch.zb.len())?;
        let bad_row = |r: usize| {
            let row = r * c..(r + 1) * c;
            batch.za[row.clone()]
                .iter()
                .chain(&batch.zb[row])
                .any(|v| !(*v).into().is_finite())
        };
        let bad: Vec<usize> = (0..n).filter(|&r| bad_row(r)).collect();
        let huge = (0..n).find_map(|r| {
            let row = r * c..(r + 1) * c;
            batch.za[row.clone()]
                .iter()
                .chain(&batch.zb[row])
                .map(|v| (*v).into().abs())
                .find(|v| *v > MAX_MAGNITUDE)
                .map(|v| (r, v))
        });
        if let Some(&first_row) = bad.first() {
            return Err(StatsError::NonFinite {
                layer: self.name.clone(),
                rows: bad.len(),
                total: n,
                first_row,
            });
        }
        if let Some((row, value)) = huge {
            return Err(StatsError::TooLarge {
                layer: self.name.clone(),
                row,
                value,
            });
        }
        Ok(())
    }

    /// Checks that statistics read from a file hang together: every vector
    /// has C entries, counts and weights agree, the bootstrap keeps as many
    /// replicates as its settings say, and every number is finite. A file
    /// that passes can be estimated and merged without panicking.
    pub fn check_consistent(&self) -> Result<(), String> {
        let c = self.channels;
        let layer = &self.name;
        for (f, m) in Factor::ALL.iter().zip(&self.factors) {
            let vectors = [&m.mean_a, &m.mean_b, &m.m2_a, &m.m2_b, &m.c_ab];
            if vectors.iter().any(|v| v.len() != c) {
                return Err(format!(
                    "layer '{layer}': {} moments do not have {c} channels",
                    f.name()
                ));
            }
            let finite = vectors.iter().all(|v| v.iter().all(|x| x.is_finite()));
            if !finite || m.weight != m.count as f64 {
                return Err(format!(
                    "layer '{layer}': {} moments are not valid",
                    f.name()
                ));
            }
        }
        if let Some(b) = &self.bootstrap {
            if b.reps.len() != b.config.replicates {
                return Err(format!(
                    "layer '{layer}': {} bootstrap replicates, settings say {}",
                    b.reps.len(),
                    b.config.replicates
                ));
            }
            let ok = b.reps.iter().flatten().all(|r| {
                r.mean_a.len() == c
                    && r.mean_b.len() == c
                    && [r.weight, r.m2_a, r.m2_b, r.c_ab]
                        .iter()
                        .chain(&r.mean_a)
                        .chain(&r.mean_b)
                        .all(|x| x.is_finite())
                    && r.weight >= 0.0
            });
            if !ok {
                return Err(format!(
                    "layer '{layer}': bootstrap replicates are not valid"
                ));
            }
        }
        Ok(())
    }

    fn check_len(&self, what: &str, expected: usize, got: usize) -> Result<(), StatsError> {
        if expected == got {
            Ok(())
        } else {
            Err(StatsError::ShapeMismatch {
                layer: self.name.clone(),
                what: what.to_string(),
                expected,
                got,
            })
        }
    }

    /// Merges the statistics of another shard of the same layer (disjoint
    /// pairs). Fails, changing nothing, if channels or bootstrap settings differ.
    pub fn merge(&mut self, other: &Self) -> Result<(), StatsError> {
        let mismatch = |reason: String| StatsError::MergeMismatch {
            layer: self.name.clone(),
            reason,
        };
        if self.name != other.name {
            return Err(mismatch(format!("the other layer is '{}'", other.name)));
        }
        if self.channels != other.channels {
            return Err(mismatch(format!(
                "{} channels vs {} channels",
                self.channels, other.channels
            )));
        }
        match (&mut self.bootstrap, &other.bootstrap) {
            (Some(mine), Some(theirs)) => mine.merge(&other.name, theirs)?,
            (None, None) => {}
            _ => {
                return Err(mismatch(
                    "one has bootstrap replicates, the other does not".to_string(),
                ));
            }
        }
        self.factors[0].merge(&other.factors[0]);
        self.factors[1].merge(&other.factors[1]);
        Ok(())
    }

    /// Layer scores, unit ρ and categories at threshold `tau`, and bootstrap
    /// intervals (95 %).
    pub fn estimate(&self, tau: f64) -> Result<LayerEstimate, StatsError> {
        Self::check_estimable(&self.name, self.channels, self.pairs())?;
        let summaries = [self.factors[0].summary(), self.factors[1].summary()];
        let scores = LayerScores::from_summaries(&self.name, &summaries, self.channels)?;
        Ok(LayerEstimate {
            channels: self.channels,
            pairs: self.pairs(),
            scores,
            units: UnitEstimate::from_moments(&self.factors, tau),
            ci: self
                .bootstrap
                .as_ref()
                .and_then(|b| b.ci(&self.name, self.channels, 0.95)),
        })
    }
}
