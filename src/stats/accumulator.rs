//! [`LayerAccumulator`]: the streaming state of one layer (co-moments per
//! factor and channel, plus bootstrap replicates), fed pair by pair or in
//! batches, mergeable across shards.

use super::bootstrap::Replicates;
use super::error::MAX_MAGNITUDE;
use super::moments::FactorMoments;
use super::unit_boot::UnitIntervals;
use super::{
    BootstrapConfig, Extremes, Factor, LayerEstimate, LayerScores, PairSample, StatsError,
    UnitConfig, UnitEstimate,
};
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

/// Streaming statistics of one layer. Memory (doubles): 10·C of moments,
/// 4·C per bootstrap replicate and 6·C more per per-channel replicate, plus
/// the channel evidence of [`UnitConfig`] (see [`memory_bytes`](Self::memory_bytes)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerAccumulator {
    name: String,
    channels: usize,
    factors: [FactorMoments; 2],
    bootstrap: Option<Replicates>,
    /// Each channel's k highest and lowest pair members.
    top: Extremes,
    /// Up to M pairs per factor with both members' values.
    sample: PairSample,
}

impl LayerAccumulator {
    /// An empty accumulator for a layer of `channels` channels, keeping the
    /// default channel evidence ([`UnitConfig::default`]). With
    /// `bootstrap.replicates == 0` no confidence intervals are kept.
    pub fn new(name: impl Into<String>, channels: usize, bootstrap: BootstrapConfig) -> Self {
        Self::with_units(name, channels, bootstrap, UnitConfig::default())
    }

    /// An empty accumulator keeping the channel evidence `units` (its
    /// per-channel replicates are at most `bootstrap.replicates`; the
    /// sample's hash is seeded with `bootstrap.seed`).
    pub fn with_units(
        name: impl Into<String>,
        channels: usize,
        bootstrap: BootstrapConfig,
        units: UnitConfig,
    ) -> Self {
        Self {
            name: name.into(),
            channels,
            factors: [FactorMoments::new(channels), FactorMoments::new(channels)],
            bootstrap: (bootstrap.replicates > 0)
                .then(|| Replicates::new(bootstrap, channels, units.replicates)),
            top: Extremes::new(channels, units.top_k),
            sample: PairSample::new(channels, units.sample_pairs, bootstrap.seed),
        }
    }

    /// The channel evidence this accumulator keeps.
    pub fn units(&self) -> UnitConfig {
        UnitConfig {
            top_k: self.top.k(),
            sample_pairs: self.sample.m(),
            replicates: self.bootstrap.as_ref().map_or(0, |b| b.units.len()),
        }
    }

    /// Each channel's ρ in each per-channel bootstrap replicate (`None`
    /// without them): what recomputes stability at another τ.
    pub fn unit_replicates(&self) -> Option<super::UnitReplicates> {
        self.bootstrap.as_ref()?.unit_replicates(self.channels)
    }

    /// Each channel's highest and lowest pair members.
    pub fn top(&self) -> &Extremes {
        &self.top
    }

    /// The sampled pairs with both members' values.
    pub fn sample(&self) -> &PairSample {
        &self.sample
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

    /// Bytes an accumulator of `channels` channels holds with `bootstrap`
    /// and `units`: per channel 10 doubles of moments, 4 per bootstrap
    /// replicate, 6 more per per-channel replicate, 2·k windows of 24 bytes
    /// and 2·M·2 `f32` of sampled values (two factors). Callers check it
    /// against memory before [`with_units`](Self::with_units) allocates.
    pub fn memory_bytes(channels: usize, bootstrap: BootstrapConfig, units: UnitConfig) -> u128 {
        let b = bootstrap.replicates as u128;
        let r = (units.replicates as u128).min(b);
        let per_channel = (10 + 4 * b + 6 * r) * 8
            + 2 * units.top_k as u128 * 24
            + 4 * units.sample_pairs as u128 * 4;
        channels as u128 * per_channel
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
        if self.top.k() > 0 || self.sample.m() > 0 {
            let (mut a, mut b) = (Vec::with_capacity(c), Vec::with_capacity(c));
            // A per-frame model's rows of one pair come one after another,
            // its frames in order: a row's frame is its place in that run.
            let mut frame = 0u32;
            for r in 0..n {
                if r > 0 && batch.pair_ids[r] == batch.pair_ids[r - 1] {
                    frame += 1;
                } else {
                    frame = 0;
                }
                let row = r * c..(r + 1) * c;
                a.clear();
                b.clear();
                a.extend(batch.za[row.clone()].iter().map(|&v| v.into()));
                b.extend(batch.zb[row].iter().map(|&v| v.into()));
                let id = batch.pair_ids[r];
                // The lengths were checked above: these cannot fail.
                self.top
                    .push_frame(id, 1, frame, &a)
                    .map_err(|e| self.bug(e))?;
                self.top
                    .push_frame(id, 2, frame, &b)
                    .map_err(|e| self.bug(e))?;
                self.sample
                    .push(id, batch.factors[r], &a, &b)
                    .map_err(|e| self.bug(e))?;
            }
        }
        Ok(())
    }

    fn bug(&self, reason: String) -> StatsError {
        StatsError::MergeMismatch {
            layer: self.name.clone(),
            reason,
        }
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
            if b.units.len() > b.reps.len() || !b.units.iter().flatten().all(|u| u.is_valid(c)) {
                return Err(format!(
                    "layer '{layer}': per-channel bootstrap replicates are not valid"
                ));
            }
        }
        self.top
            .check(c)
            .and_then(|()| self.sample.check(c))
            .map_err(|e| format!("layer '{layer}': {e}"))
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
        if self.units() != other.units() || self.sample.seed() != other.sample.seed() {
            return Err(mismatch(format!(
                "the channel evidence kept differs ({:?}, seed {} vs {:?}, seed {})",
                self.units(),
                self.sample.seed(),
                other.units(),
                other.sample.seed()
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
        // Same shapes (checked above): these cannot fail.
        self.top.merge(&other.top).map_err(mismatch)?;
        self.sample.merge(&other.sample).map_err(mismatch)?;
        Ok(())
    }

    /// Each bootstrap replicate's percentages `[dynamic, static, residual]`,
    /// in replicate order (`None` for a replicate without a result); `None`
    /// without replicates. Replicate r of two layers of one job uses the
    /// same Poisson weights (they hash the seed, r and the pair id), so the
    /// r-th values of two entries are a paired draw.
    pub fn replicate_pct(&self) -> Option<Vec<Option<[f64; 3]>>> {
        let b = self.bootstrap.as_ref()?;
        Some(
            b.replicate_scores(&self.name, self.channels)
                .into_iter()
                .map(|s| s.map(|s| s.pct))
                .collect(),
        )
    }

    /// Layer scores, unit ρ and categories at threshold `tau`, and bootstrap
    /// intervals (95 %).
    pub fn estimate(&self, tau: f64) -> Result<LayerEstimate, StatsError> {
        Self::check_estimable(&self.name, self.channels, self.pairs())?;
        let summaries = [self.factors[0].summary(), self.factors[1].summary()];
        let scores = LayerScores::from_summaries(&self.name, &summaries, self.channels)?;
        let mut units = UnitEstimate::from_moments(&self.factors, tau);
        units.ci = self
            .bootstrap
            .as_ref()
            .and_then(|b| b.unit_replicates(self.channels))
            .map(|reps| UnitIntervals::new(reps, &units.category, tau));
        Ok(LayerEstimate {
            channels: self.channels,
            pairs: self.pairs(),
            scores,
            units,
            ci: self
                .bootstrap
                .as_ref()
                .and_then(|b| b.ci(&self.name, self.channels, 0.95)),
        })
    }
}
