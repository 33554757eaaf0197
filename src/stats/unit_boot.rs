//! Per-channel bootstrap (issue 11): each channel's co-moments in the first
//! R bootstrap replicates, fed the same Poisson weights as the layer's
//! replicates; from them each channel's ρ per replicate, its 95 % percentile
//! interval and its category stability (the share of replicates that give
//! the channel the category of the point estimate).
//!
//! A replicate's means live in its [`TraceMoments`](super::moments::TraceMoments)
//! (the layer needs them too); this adds per channel the M2 of both members
//! and their co-moment: 6·C doubles per replicate (two factors), on top of
//! the layer's 4·C.

use super::Category;
use super::unit::{categorize, rho_of};
use serde::{Deserialize, Serialize};

/// Per-channel M2 of both members and their co-moment, one factor of one
/// replicate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct UnitMoments {
    pub m2_a: Vec<f64>,
    pub m2_b: Vec<f64>,
    pub c_ab: Vec<f64>,
}

/// One side of a Chan merge: weight, per-channel means, and (for the side
/// merged in) per-channel M2 and co-moment.
pub(crate) struct Side<'a> {
    pub weight: f64,
    pub mean_a: &'a [f64],
    pub mean_b: &'a [f64],
}

impl UnitMoments {
    pub fn new(channels: usize) -> Self {
        Self {
            m2_a: vec![0.0; channels],
            m2_b: vec![0.0; channels],
            c_ab: vec![0.0; channels],
        }
    }

    /// Chan's merge of `other` (weight and means in `theirs`) into these
    /// moments (weight and means in `mine`, before the means are updated).
    pub fn merge(&mut self, mine: &Side<'_>, theirs: &Side<'_>, other: &UnitMoments) {
        let n = mine.weight + theirs.weight;
        if theirs.weight == 0.0 {
            return;
        }
        let f = mine.weight * theirs.weight / n;
        for c in 0..self.m2_a.len() {
            let da = theirs.mean_a[c] - mine.mean_a[c];
            let db = theirs.mean_b[c] - mine.mean_b[c];
            self.m2_a[c] += other.m2_a[c] + da * da * f;
            self.m2_b[c] += other.m2_b[c] + db * db * f;
            self.c_ab[c] += other.c_ab[c] + da * db * f;
        }
    }

    /// Whether every vector has `channels` finite entries.
    pub fn is_valid(&self, channels: usize) -> bool {
        [&self.m2_a, &self.m2_b, &self.c_ab]
            .iter()
            .all(|v| v.len() == channels && v.iter().all(|x| x.is_finite()))
    }

    /// Appends ρ per channel of this replicate and factor to `out` (`NaN`
    /// where undefined).
    pub fn push_rho(&self, side: &Side<'_>, out: &mut Vec<f64>) {
        out.extend((0..self.m2_a.len()).map(|c| {
            rho_of(
                side.weight,
                side.mean_a[c] - side.mean_b[c],
                self.m2_a[c] + self.m2_b[c],
                self.c_ab[c],
            )
            .unwrap_or(f64::NAN)
        }));
    }
}

/// Each channel's ρ in each of R replicates, and what follows from them.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitReplicates {
    channels: usize,
    /// `[ρ_D, ρ_S]`, each R × C replicate-major; `NaN` where a replicate
    /// has fewer than 2 pairs of the factor or the channel no variance.
    rho: [Vec<f64>; 2],
}

impl UnitReplicates {
    /// From per-replicate ρ (R × C each, replicate-major).
    pub(crate) fn new(channels: usize, rho: [Vec<f64>; 2]) -> Self {
        Self { channels, rho }
    }

    /// Replicates R.
    pub fn replicates(&self) -> usize {
        self.rho[0].len().checked_div(self.channels).unwrap_or(0)
    }

    /// Channel `c`'s ρ of factor `f` (0 dynamic, 1 static) in replicate `r`
    /// (`None` where undefined).
    pub fn rho(&self, f: usize, r: usize, c: usize) -> Option<f64> {
        let v = *self.rho.get(f)?.get(r * self.channels + c)?;
        v.is_finite().then_some(v)
    }

    /// The 95 % (or `level`) percentile interval of channel `c`'s ρ of
    /// factor `f` over the replicates where it is defined; `None` if fewer
    /// than 2 are.
    pub fn interval(&self, f: usize, c: usize, level: f64) -> Option<[f64; 2]> {
        let mut v: Vec<f64> = (0..self.replicates())
            .filter_map(|r| self.rho(f, r, c))
            .collect();
        if v.len() < 2 {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let alpha = (1.0 - level) / 2.0;
        Some([
            super::bootstrap::quantile(&v, alpha),
            super::bootstrap::quantile(&v, 1.0 - alpha),
        ])
    }

    /// The share of replicates (of those where both ρ of channel `c` are
    /// defined) whose category at `tau` is `category`; `None` if none is.
    pub fn stability(&self, c: usize, category: Category, tau: f64) -> Option<f64> {
        let (mut same, mut valid) = (0usize, 0usize);
        for r in 0..self.replicates() {
            let (Some(d), Some(s)) = (self.rho(0, r, c), self.rho(1, r, c)) else {
                continue;
            };
            valid += 1;
            same += usize::from(categorize(Some(d), Some(s), tau) == category);
        }
        (valid > 0).then(|| same as f64 / valid as f64)
    }
}

/// Per-channel intervals and category stability of a layer.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitIntervals {
    /// 95 % intervals of `[ρ_D, ρ_S]` per channel (`None` where fewer than
    /// 2 replicates define ρ).
    pub rho: [Vec<Option<[f64; 2]>>; 2],
    /// Per channel, the share of replicates that give it the category of
    /// the point estimate at the threshold it was made with.
    pub stability: Vec<Option<f64>>,
    /// The replicates' ρ, to recompute stability at another threshold.
    pub replicates: UnitReplicates,
}

impl UnitIntervals {
    /// Intervals at `level` and stability of `categories` at `tau`.
    pub fn new(replicates: UnitReplicates, categories: &[Category], tau: f64) -> Self {
        let c = replicates.channels;
        let rho = [0, 1].map(|f| (0..c).map(|ch| replicates.interval(f, ch, 0.95)).collect());
        let mut out = Self {
            rho,
            stability: Vec::new(),
            replicates,
        };
        out.restabilize(categories, tau);
        out
    }

    /// Recomputes stability for the categories at another threshold.
    pub fn restabilize(&mut self, categories: &[Category], tau: f64) {
        self.stability = categories
            .iter()
            .enumerate()
            .map(|(c, &cat)| self.replicates.stability(c, cat, tau))
            .collect();
    }
}
