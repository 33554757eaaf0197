//! The flags of the channel evidence each layer keeps (top windows, the
//! pair sample behind ρ, per-channel bootstrap), shared by `analyze` and
//! `estimate`.

use super::in_range;
use crate::analysis::{MAX_BOOTSTRAP, MAX_SAMPLE_PAIRS, MAX_TOP_K};
use crate::stats::UnitConfig;
use clap::Args;

/// Channel-evidence flags; each overrides the project's (or the default).
#[derive(Args, Debug, Clone, Default)]
pub struct UnitArgs {
    /// Pair members kept per channel at each end (top windows; default 16, 0: none).
    #[arg(long, value_parser = in_range::<0, { MAX_TOP_K }>)]
    pub top_k: Option<usize>,
    /// Pairs per factor kept with every channel's values, the evidence behind ρ (default 256).
    #[arg(long, value_parser = in_range::<0, { MAX_SAMPLE_PAIRS }>)]
    pub sample_pairs: Option<usize>,
    /// Bootstrap replicates that also give per-channel intervals and category
    /// stability (default 200; at most --bootstrap; 0: none).
    #[arg(long, value_parser = in_range::<0, { MAX_BOOTSTRAP }>)]
    pub channel_bootstrap: Option<usize>,
}

impl UnitArgs {
    /// `base` with the flags given applied.
    pub fn apply(&self, base: UnitConfig) -> UnitConfig {
        UnitConfig {
            top_k: self.top_k.unwrap_or(base.top_k),
            sample_pairs: self.sample_pairs.unwrap_or(base.sample_pairs),
            replicates: self.channel_bootstrap.unwrap_or(base.replicates),
        }
    }
}
