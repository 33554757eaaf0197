//! Pooling rules (METHOD.md §3): how a layer output becomes one vector per clip.

use super::Manifest;
use serde::{Deserialize, Serialize};

/// How an output of a given rank is pooled to N×C.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolRule {
    /// N×C×T×H×W: mean over T, H, W.
    SpaceTime,
    /// N×L×D tokens: mean over all L tokens (CLS included).
    Tokens,
    /// N×C×H×W per-frame maps (declared in the manifest): mean over H, W.
    PerFrame,
    /// N×C: as is.
    Pooled,
}

impl PoolRule {
    /// The axes averaged away.
    pub fn dims(self) -> &'static [i64] {
        match self {
            PoolRule::SpaceTime => &[2, 3, 4],
            PoolRule::Tokens => &[1],
            PoolRule::PerFrame => &[2, 3],
            PoolRule::Pooled => &[],
        }
    }

    /// A short description, for `inspect-model`.
    pub fn describe(self) -> &'static str {
        match self {
            PoolRule::SpaceTime => "mean over T,H,W",
            PoolRule::Tokens => "mean over tokens",
            PoolRule::PerFrame => "mean over H,W (per frame)",
            PoolRule::Pooled => "as is",
        }
    }
}

/// The rule for output `name` of `shape`, or why it cannot be pooled.
pub fn pool_rule(name: &str, shape: &[i64], m: &Manifest) -> Result<PoolRule, String> {
    match shape.len() {
        5 => Ok(PoolRule::SpaceTime),
        3 => Ok(PoolRule::Tokens),
        2 => Ok(PoolRule::Pooled),
        4 if m.per_frame.iter().any(|p| p == name) || m.rows_per_member() > 1 => {
            Ok(PoolRule::PerFrame)
        }
        4 => Err(format!(
            "output '{name}' has rank 4 {shape:?}; add it to the manifest's \"per_frame\" list if it is an N×C×H×W per-frame map"
        )),
        r => Err(format!(
            "output '{name}' has rank {r} {shape:?}; expected N×C×T×H×W (5), N×L×D tokens (3) or N×C (2)"
        )),
    }
}
