//! [`PairsError`]: what can go wrong when planning or building pairs.

use thiserror::Error;

/// An invalid pair plan, shard, pair or flow image. Each variant carries the
/// offending values.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PairsError {
    /// Dynamic pairs need two different styles of the same clip.
    #[error(
        "dynamic pairs need at least 2 styles (two different styles of the same clip), got {styles}"
    )]
    TooFewStyles {
        /// The number of styles given.
        styles: usize,
    },
    /// Static pairs need a non-identity permutation of the frames.
    #[error(
        "static pairs need at least 2 frames per clip (a non-identity frame permutation), got {frames}"
    )]
    TooFewFrames {
        /// The number of frames T given.
        frames: usize,
    },
    /// A plan over an empty probe set.
    #[error("a pair plan needs at least 1 probe video, got 0")]
    NoVideos,
    /// A plan with nothing to do.
    #[error("a pair plan needs at least 1 pair, got 0")]
    NoPairs,
    /// Shard `index` of `count` does not exist.
    #[error("shard {index} of {count} does not exist (shards are numbered 0..{count})")]
    BadShard {
        /// The requested shard index.
        index: usize,
        /// The number of shards.
        count: usize,
    },
    /// A pair names a style that is not in the list it is built with.
    #[error("pair {id} uses style {style}, but only {styles} styles are available")]
    StyleOutOfRange {
        /// The pair id.
        id: u64,
        /// The style index the pair names.
        style: usize,
        /// The number of styles available.
        styles: usize,
    },
    /// A static pair's permutation does not fit the clip.
    #[error("pair {id} permutes {expected} frames, but the clip has {frames}")]
    FrameCount {
        /// The pair id.
        id: u64,
        /// The permutation's length (the plan's T).
        expected: usize,
        /// The clip's number of frames.
        frames: usize,
    },
    /// A static pair's permutation is not a permutation of `0..T`.
    #[error("pair {id}: {permutation:?} is not a permutation of 0..{frames}")]
    BadPermutation {
        /// The pair id.
        id: u64,
        /// The offending order.
        permutation: Vec<usize>,
        /// The clip's number of frames.
        frames: usize,
    },
    /// A flow image whose length is not `h · w · 3`.
    #[error("flow image has {len} values, expected h·w·3 = {h}·{w}·3")]
    FlowImageSize {
        /// The slice length.
        len: usize,
        /// The stated height.
        h: usize,
        /// The stated width.
        w: usize,
    },
}
