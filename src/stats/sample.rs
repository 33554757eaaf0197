//! A deterministic sample of pairs per factor with every channel's values
//! of both members (issue 11's "evidence behind ρ": member 1 against
//! member 2, per factor). The sample is the M pairs with the smallest
//! hash of (seed, pair id), ties by id, so it does not depend on the order
//! pairs arrive in, and shards fed disjoint pairs merge into exactly the
//! single run's sample. Memory: M·C·2 `f32` per factor.
//!
//! Kept by every [`LayerAccumulator`](super::LayerAccumulator) (saved,
//! resumed, cached and merged with it).

use super::Factor;
use crate::hash::mix;
use serde::{Deserialize, Serialize};

/// One sampled pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampledPair {
    /// Its rank key: the hash of (seed, pair id).
    pub key: u64,
    /// The pair's id.
    pub pair: u64,
    /// Member 1's value per channel.
    pub a: Vec<f32>,
    /// Member 2's value per channel.
    pub b: Vec<f32>,
}

/// Up to M pairs of each factor, smallest key first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairSample {
    m: usize,
    seed: u64,
    channels: usize,
    /// Indexed by [`Factor::index`].
    factors: [Vec<SampledPair>; 2],
}

impl PairSample {
    /// An empty sample of up to `m` pairs per factor of `channels` channels.
    pub fn new(channels: usize, m: usize, seed: u64) -> Self {
        Self {
            m,
            seed,
            channels,
            factors: [Vec::new(), Vec::new()],
        }
    }

    /// Pairs kept per factor at most (M).
    pub fn m(&self) -> usize {
        self.m
    }

    /// The seed of the sample's hash.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Checks a sample read from a file: `channels` values per member, at
    /// most M pairs per factor, keys that are the pairs' hashes, in order.
    pub fn check(&self, channels: usize) -> Result<(), String> {
        let ok = self.channels == channels
            && self.factors.iter().all(|list| {
                list.len() <= self.m
                    && list.iter().all(|p| {
                        p.key == self.key(p.pair)
                            && p.a.len() == channels
                            && p.b.len() == channels
                            && p.a.iter().chain(&p.b).all(|v| v.is_finite())
                    })
                    && list
                        .windows(2)
                        .all(|w| (w[0].key, w[0].pair) < (w[1].key, w[1].pair))
            });
        if ok {
            Ok(())
        } else {
            Err(format!(
                "the pair sample is not valid for {channels} channels"
            ))
        }
    }

    /// The key of pair `id`: where it ranks for being sampled.
    pub fn key(&self, id: u64) -> u64 {
        mix(self.seed ^ mix(id))
    }

    /// The sampled pairs of a factor, smallest key first.
    pub fn pairs(&self, factor: Factor) -> &[SampledPair] {
        &self.factors[factor.index()]
    }

    /// Takes in one pair (its members' values, one per channel). Values are
    /// kept as `f32` (for showing; the estimator keeps `f64` moments).
    /// Another number of values is refused and nothing is taken in.
    pub fn push(&mut self, pair: u64, factor: Factor, a: &[f64], b: &[f64]) -> Result<(), String> {
        if a.len() != self.channels || b.len() != self.channels {
            return Err(format!(
                "{} and {} values for a pair sample of {} channels",
                a.len(),
                b.len(),
                self.channels
            ));
        }
        let key = self.key(pair);
        let list = &mut self.factors[factor.index()];
        if !admits(list, self.m, key, pair) {
            return Ok(());
        }
        let take = |v: &[f64]| v.iter().map(|&x| x as f32).collect();
        insert(
            list,
            SampledPair {
                key,
                pair,
                a: take(a),
                b: take(b),
            },
            self.m,
        );
        Ok(())
    }

    /// Takes in another layer's sample of the same settings, fed other pairs.
    pub fn merge(&mut self, other: &Self) -> Result<(), String> {
        let shape = |s: &Self| (s.m, s.seed, s.channels);
        if shape(self) != shape(other) {
            return Err(format!(
                "pair samples (M, seed, channels) {:?} and {:?} cannot merge",
                shape(self),
                shape(other)
            ));
        }
        for (mine, theirs) in self.factors.iter_mut().zip(&other.factors) {
            for p in theirs {
                if admits(mine, self.m, p.key, p.pair) {
                    insert(mine, p.clone(), self.m);
                }
            }
        }
        Ok(())
    }
}

/// Whether a pair of this key and id ranks among the first `m` of `list`.
/// Whether pair `pair` (of key `key`) enters the sample: it ranks among
/// the `m` smallest keys and is not in it yet (a per-frame model gives a
/// row per frame of a pair, all of one id: the pair's first row is kept).
fn admits(list: &[SampledPair], m: usize, key: u64, pair: u64) -> bool {
    m > 0
        && (list.len() < m || (key, pair) < (list[m - 1].key, list[m - 1].pair))
        && list
            .binary_search_by(|x| (x.key, x.pair).cmp(&(key, pair)))
            .is_err()
}

fn insert(list: &mut Vec<SampledPair>, p: SampledPair, m: usize) {
    let at = list.partition_point(|x| (x.key, x.pair) < (p.key, p.pair));
    list.insert(at, p);
    list.truncate(m);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(id: u64, c: usize) -> (Vec<f64>, Vec<f64>) {
        let x = id as f64;
        let a: Vec<f64> = (0..c).map(|k| (x + k as f64).sin()).collect();
        let b = a.iter().map(|v| v * 0.5 + x.cos()).collect();
        (a, b)
    }

    fn factor(id: u64) -> Factor {
        if id.is_multiple_of(3) {
            Factor::Static
        } else {
            Factor::Dynamic
        }
    }

    fn fed(ids: impl Iterator<Item = u64>, m: usize, seed: u64) -> PairSample {
        let mut s = PairSample::new(2, m, seed);
        for id in ids {
            let (a, b) = values(id, 2);
            s.push(id, factor(id), &a, &b).unwrap();
        }
        s
    }

    #[test]
    fn the_sample_is_the_smallest_keys_whatever_the_order() {
        let s = fed(0..1000, 32, 5);
        let backwards = fed((0..1000).rev(), 32, 5);
        assert_eq!(s, backwards);
        for f in Factor::ALL {
            let mut want: Vec<(u64, u64)> = (0..1000u64)
                .filter(|&id| factor(id) == f)
                .map(|id| (s.key(id), id))
                .collect();
            want.sort_unstable();
            let got: Vec<(u64, u64)> = s.pairs(f).iter().map(|p| (p.key, p.pair)).collect();
            assert_eq!(got, want[..32]);
            let p = &s.pairs(f)[0];
            let (a, _) = values(p.pair, 2);
            assert_eq!(p.a, vec![a[0] as f32, a[1] as f32]);
        }
        assert_ne!(
            fed(0..1000, 32, 6).pairs(Factor::Dynamic),
            s.pairs(Factor::Dynamic)
        );
    }

    #[test]
    fn shards_merge_into_exactly_the_single_run() {
        let single = fed(0..900, 50, 1);
        let mut merged = fed((0..900).filter(|i| i % 4 == 3), 50, 1);
        for s in 0..3 {
            merged
                .merge(&fed((0..900).filter(|i| i % 4 == s), 50, 1))
                .unwrap();
        }
        assert_eq!(merged, single);
        let err = merged.merge(&PairSample::new(2, 50, 2)).unwrap_err();
        assert!(err.contains("cannot merge"), "{err}");
        let err = merged
            .push(1, Factor::Static, &[1.0], &[1.0, 2.0])
            .unwrap_err();
        assert!(err.contains("1 and 2 values"), "{err}");
    }
}
