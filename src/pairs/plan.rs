//! The seeded pair plan (METHOD.md §2): which video, factor, styles, window
//! and frame permutation each pair uses.
//!
//! Pair `id` is a pure function of `(seed, id)` and the plan's sizes (V,
//! styles, T), never of a sequential RNG (the counter-based SplitMix64 hash
//! is documented in `hash.rs`): shards compute their pairs independently,
//! and a plan with more pairs extends a plan with fewer (pair `id` is the
//! same whatever `pairs` is).
//!
//! Rules:
//! - factor ~ Bernoulli(0.5);
//! - `style_a` uniform over the styles; dynamic: `style_b` uniform over the
//!   other styles; static: `style_b = style_a` and the permutation is uniform
//!   over the `T! − 1` non-identity permutations of `0..T` (Fisher–Yates,
//!   rejecting the identity);
//! - videos: pairs `e·V .. (e+1)·V` ("epoch" `e`) use every video exactly once,
//!   in an order shuffled per epoch; more pairs than videos reuse videos with
//!   fresh windows, styles and permutations;
//! - `start_draw`: a fresh 64-bit draw per pair, turned into a window start by
//!   the video room ([`crate::video::start_frame`]).

use serde::Serialize;

use super::PairsError;
use super::hash::{GAMMA, Stream, StreamKind, mix, shuffle_index};
use crate::stats::Factor;

/// Everything needed to build pair `id` of a plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PairSpec {
    /// The pair's id (its index in the plan).
    pub id: u64,
    /// Index of the probe video.
    pub video: usize,
    /// Which factor the two members share.
    pub factor: Factor,
    /// A uniform 64-bit draw for the window start (mapped to a start frame
    /// by [`crate::video::start_frame`]).
    pub start_draw: u64,
    /// Style of member 1.
    pub style_a: usize,
    /// Style of member 2 (≠ `style_a` for dynamic pairs, = for static).
    pub style_b: usize,
    /// Static pairs: member 2's frame `i` is member 1's frame
    /// `permutation[i]` (never the identity). Empty for dynamic pairs.
    pub permutation: Vec<usize>,
}

/// A seeded plan of `pairs` pairs over `videos` probe videos, `styles`
/// styles and clips of `frames` (T) frames. Build it with [`PairPlan::new`],
/// which checks that both factors are possible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PairPlan {
    seed: u64,
    pairs: usize,
    videos: usize,
    styles: usize,
    frames: usize,
}

impl PairPlan {
    /// A plan; errors when a factor is impossible (fewer than 2 styles or
    /// frames) or there is nothing to plan (no videos, no pairs).
    pub fn new(
        seed: u64,
        pairs: usize,
        videos: usize,
        styles: usize,
        frames: usize,
    ) -> Result<Self, PairsError> {
        if pairs == 0 {
            return Err(PairsError::NoPairs);
        }
        if videos == 0 {
            return Err(PairsError::NoVideos);
        }
        if styles < 2 {
            return Err(PairsError::TooFewStyles { styles });
        }
        if frames < 2 {
            return Err(PairsError::TooFewFrames { frames });
        }
        Ok(Self {
            seed,
            pairs,
            videos,
            styles,
            frames,
        })
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of pairs N (ids `0..N`).
    pub fn pairs(&self) -> usize {
        self.pairs
    }

    /// The number of probe videos V.
    pub fn videos(&self) -> usize {
        self.videos
    }

    /// The number of styles.
    pub fn styles(&self) -> usize {
        self.styles
    }

    /// The number of frames per clip T.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// All pair ids, `0..N`.
    pub fn ids(&self) -> std::ops::Range<u64> {
        0..self.pairs as u64
    }

    /// Pair `id`. Defined for every `id` (ids ≥ N are the pairs a larger plan
    /// with the same seed would add).
    pub fn spec(&self, id: u64) -> PairSpec {
        let factor = if Stream::new(self.seed, StreamKind::Factor, id).next_u64() >> 63 == 0 {
            Factor::Dynamic
        } else {
            Factor::Static
        };
        let mut style = Stream::new(self.seed, StreamKind::Style, id);
        let styles = self.styles as u64;
        let style_a = style.below(styles) as usize;
        let (style_b, permutation) = match factor {
            Factor::Dynamic => {
                // Uniform over the others: draw from S − 1 and skip style_a.
                let other = style.below(styles - 1) as usize;
                (other + usize::from(other >= style_a), Vec::new())
            }
            Factor::Static => (style_a, self.permutation(id)),
        };
        PairSpec {
            id,
            video: self.video(id),
            factor,
            start_draw: Stream::new(self.seed, StreamKind::Start, id).next_u64(),
            style_a,
            style_b,
            permutation,
        }
    }

    /// The ids of shard `index` of `count` (those with `id % count == index`),
    /// in increasing order. The shards of a plan partition its ids.
    pub fn shard(
        &self,
        index: usize,
        count: usize,
    ) -> Result<impl Iterator<Item = u64> + use<>, PairsError> {
        if index >= count {
            return Err(PairsError::BadShard { index, count });
        }
        Ok((index as u64..self.pairs as u64).step_by(count))
    }

    /// The video of pair `id`: position `id mod V` of epoch `id / V`'s order.
    fn video(&self, id: u64) -> usize {
        let v = self.videos as u64;
        let (epoch, position) = (id / v, id % v);
        let key = Stream::new(self.seed, StreamKind::VideoShuffle, epoch).next_u64();
        shuffle_index(position, v, mix(key)) as usize
    }

    /// A uniform non-identity permutation of `0..T` for pair `id`.
    fn permutation(&self, id: u64) -> Vec<usize> {
        let stream = Stream::new(self.seed, StreamKind::Permutation, id);
        non_identity_permutation(stream, self.frames)
    }

    /// The static pair `id`'s permutation of `0..t` for pathway `pathway`
    /// (≥ 1) of a two-pathway model, drawn independently of the first
    /// pathway's ([`PairSpec::permutation`]) and of every other pathway's,
    /// as the reference permutes each pathway on its own. Uniform over the
    /// `t! − 1` non-identity permutations (the identity when `t < 2`).
    pub fn pathway_permutation(&self, id: u64, pathway: usize, t: usize) -> Vec<usize> {
        let seed = self.seed ^ mix((pathway as u64).wrapping_mul(GAMMA));
        let stream = Stream::new(seed, StreamKind::PathwayPermutation, id);
        non_identity_permutation(stream, t)
    }
}

/// A uniform non-identity permutation of `0..t` from `stream` (Fisher–Yates,
/// rejecting the identity); the identity when `t < 2`.
fn non_identity_permutation(mut stream: Stream, t: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..t).collect();
    if t < 2 {
        return order;
    }
    // The chance of a 1000th rejection is at most 2^-1000 (T = 2); the
    // bound only makes the function total.
    for _ in 0..1000 {
        for i in (1..t).rev() {
            let j = stream.below(i as u64 + 1) as usize;
            order.swap(i, j);
        }
        if order.iter().enumerate().any(|(i, &o)| i != o) {
            return order;
        }
    }
    order.rotate_left(1);
    order
}
