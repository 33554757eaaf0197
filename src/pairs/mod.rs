//! Probe pairs (METHOD.md §1–2): the seeded [`PairPlan`] (which video,
//! factor, styles, window and frame order each pair uses), the built-in
//! temporally consistent [`Style`]s, [`make_pair`] to build the two member
//! clips, [`pair_strip`] to look at a pair, and flow jitter for two-stream
//! models ([`jitter_flow`]).
//!
//! - A **static** pair shares appearance: member 1 is the clip in style
//!   `style_a`, member 2 the same frames in a non-identity random order.
//! - A **dynamic** pair shares motion: the same frames in the same order,
//!   rendered in two different styles.
//!
//! Everything random is counter-based on `(seed, pair id)`, so shards agree
//! without talking to each other.

mod build;
mod error;
mod flow;
mod font;
mod hash;
mod plan;
mod strip;
pub mod style;

#[cfg(test)]
mod tests;

pub use build::{make_pair, two_stream_flow, two_stream_rgb};
pub use error::PairsError;
pub use flow::{flow_jitter_params, jitter_flow, jitter_flow_clip};
pub use plan::{PairPlan, PairSpec};
pub use strip::pair_strip;
pub use style::{Blend, BoxedStyle, Style, builtin_styles};
