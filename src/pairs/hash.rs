//! Counter-based random draws: every draw is a pure function of
//! `(seed, stream, pair id, counter)`, so any shard can compute any pair on
//! its own and the same seed gives the same pairs on every machine and every
//! version of every dependency (no `rand` algorithm involved).
//!
//! # The hash
//! [`mix`] is the SplitMix64 finalizer (Steele, Lea & Flood 2014; the
//! constants of Vigna's `splitmix64.c`). A [`Stream`] for `(seed, kind, id)`
//! has the key `k = mix(mix(seed ^ kind) + mix(id))` and its `i`-th draw is
//! `mix(k + (i + 1) · 0x9E3779B97F4A7C15)`: SplitMix64 seeded with `k`.
//! Integers below `n` use Lemire's multiply-shift with rejection (unbiased).
//! [`shuffle_index`] is a keyed bijection on `0..n` (a 6-round balanced
//! Feistel network on the next even number of bits, cycle-walked into
//! `0..n`), so position `i` of a shuffled order is computed in O(1) expected
//! time without materializing the order.

pub(crate) use crate::hash::{GAMMA, mix};

/// Which quantity a stream draws (domain separation: changing how one field
/// is drawn never shifts another).
#[derive(Clone, Copy, Debug)]
#[repr(u64)]
pub(crate) enum StreamKind {
    /// The pair's factor.
    Factor = 0x0001_f4c7,
    /// The pair's styles.
    Style = 0x0002_57e1,
    /// The pair's window start.
    Start = 0x0003_57a7,
    /// The static pair's permutation.
    Permutation = 0x0004_9e72,
    /// The video shuffle of one epoch (`id` = epoch).
    VideoShuffle = 0x0005_51d0,
    /// The flow jitter parameters.
    FlowJitter = 0x0006_f10e,
    /// The static pair's permutation of a further pathway (the seed is
    /// keyed by the pathway's index, see [`crate::pairs::PairPlan::pathway_permutation`]).
    PathwayPermutation = 0x0007_9a7d,
}

/// A SplitMix64 sequence keyed by `(seed, kind, id)`.
#[derive(Clone, Debug)]
pub(crate) struct Stream {
    key: u64,
    counter: u64,
}

impl Stream {
    /// The stream of `kind` for `id` under `seed`.
    pub(crate) fn new(seed: u64, kind: StreamKind, id: u64) -> Self {
        let key = mix(mix(seed ^ kind as u64).wrapping_add(mix(id)));
        Self { key, counter: 0 }
    }

    /// The next 64-bit draw.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.counter = self.counter.wrapping_add(1);
        mix(self.key.wrapping_add(self.counter.wrapping_mul(GAMMA)))
    }

    /// A uniform integer in `0..n` (Lemire 2019, unbiased); `n` must be ≥ 1.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0, "below(0)");
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// A uniform float in `[0, 1)` (53 random bits).
    pub(crate) fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform float in `[lo, hi)`.
    pub(crate) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit_f64()
    }
}

/// Position `index` of a keyed pseudo-random order of `0..n`: a bijection on
/// `0..n` for every `key` (see the module doc). `index` must be `< n`.
pub(crate) fn shuffle_index(index: u64, n: u64, key: u64) -> u64 {
    debug_assert!(index < n, "shuffle_index({index}, {n})");
    if n <= 1 {
        return 0;
    }
    let bits = 64 - (n - 1).leading_zeros();
    let half = bits.div_ceil(2);
    let mask = (1u64 << half) - 1;
    let mut x = index;
    // Cycle walking: the Feistel network permutes 0..2^(2·half) ⊇ 0..n, so
    // following the cycle from a point of 0..n comes back into 0..n (after
    // fewer than 4 steps on average, as the domain is < 4n).
    loop {
        let (mut left, mut right) = (x >> half, x & mask);
        for round in 0..6u64 {
            let f = mix(key ^ mix(right.wrapping_add(round << 56))) & mask;
            (left, right) = (right, left ^ f);
        }
        x = (left << half) | right;
        if x < n {
            return x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_matches_splitmix64_reference() {
        // splitmix64.c with state 0: the first output is mix(GAMMA).
        assert_eq!(mix(GAMMA), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut s = Stream::new(1, StreamKind::Style, 2);
        let mut seen = [0usize; 7];
        for _ in 0..7000 {
            seen[s.below(7) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| (850..1150).contains(&c)), "{seen:?}");
    }

    #[test]
    fn shuffle_index_is_a_bijection() {
        for n in [1u64, 2, 3, 5, 16, 17, 100, 1000] {
            for key in [0u64, 7, u64::MAX] {
                let mut image: Vec<u64> = (0..n).map(|i| shuffle_index(i, n, key)).collect();
                image.sort_unstable();
                assert_eq!(image, (0..n).collect::<Vec<_>>(), "n = {n}, key = {key}");
            }
        }
    }

    #[test]
    fn streams_are_domain_separated() {
        let a = Stream::new(5, StreamKind::Factor, 9).next_u64();
        let b = Stream::new(5, StreamKind::Style, 9).next_u64();
        let c = Stream::new(5, StreamKind::Factor, 10).next_u64();
        assert!(a != b && a != c && b != c);
    }
}
