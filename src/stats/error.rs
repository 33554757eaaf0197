//! Errors of the estimator: each names the layer and what was wrong.

use thiserror::Error;

/// The largest activation magnitude the estimator takes: squares and sums of
/// squares of values up to this stay far from f64 overflow for any number of
/// pairs and channels.
pub const MAX_MAGNITUDE: f64 = 1e100;

/// Why the estimator refused an input or could not produce an estimate.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StatsError {
    /// Fewer than two pairs of one factor: covariances are meaningless.
    #[error(
        "layer '{layer}': {have} {factor} pair(s); the estimator needs at least 2 pairs of each factor"
    )]
    TooFewPairs {
        /// Layer name.
        layer: String,
        /// "dynamic" or "static".
        factor: &'static str,
        /// How many pairs of that factor were seen.
        have: u64,
    },
    /// Two arrays that must agree in size do not.
    #[error("layer '{layer}': {what}: expected {expected}, got {got}")]
    ShapeMismatch {
        /// Layer name.
        layer: String,
        /// Which quantity disagrees.
        what: String,
        /// What was expected.
        expected: usize,
        /// What was given.
        got: usize,
    },
    /// A factor code other than 0 (dynamic) or 1 (static).
    #[error(
        "layer '{layer}': factor of row {row} is {value}; factors must be 0 (dynamic) or 1 (static)"
    )]
    BadFactor {
        /// Layer name.
        layer: String,
        /// Row index.
        row: usize,
        /// The offending value.
        value: String,
    },
    /// NaN or infinite activations.
    #[error(
        "layer '{layer}': {rows} of {total} row(s) contain NaN or Inf (first: row {first_row}); nothing from this batch was used"
    )]
    NonFinite {
        /// Layer name.
        layer: String,
        /// Rows with at least one non-finite value.
        rows: usize,
        /// Rows in the batch.
        total: usize,
        /// First offending row (index within the batch).
        first_row: usize,
    },
    /// Values so large that their squares overflow: no variance can be computed.
    #[error(
        "layer '{layer}': a value of magnitude {value:e} (first: row {row}); values beyond {limit:e} \
         are too large to square in the estimator (rescale them)",
        limit = MAX_MAGNITUDE
    )]
    TooLarge {
        /// Layer name.
        layer: String,
        /// Row index within the batch.
        row: usize,
        /// The offending magnitude.
        value: f64,
    },
    /// A layer with no channels: there is nothing to estimate.
    #[error("layer '{layer}' has 0 channels: there is nothing to estimate")]
    NoChannels {
        /// Layer name.
        layer: String,
    },
    /// Every channel is constant over all rows: the scores divide by zero.
    #[error(
        "layer '{layer}': every channel is constant over all pairs (total variance 0); no score can be computed"
    )]
    ZeroVariance {
        /// Layer name.
        layer: String,
    },
    /// Two accumulators that cannot be merged.
    #[error("cannot merge statistics of layer '{layer}': {reason}")]
    MergeMismatch {
        /// Layer name.
        layer: String,
        /// What differs.
        reason: String,
    },
}
