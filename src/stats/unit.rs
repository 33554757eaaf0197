//! Per-channel (unit) analysis of METHOD.md §5: ρ per factor with a per-channel
//! normalizer, unit softmax and categories at threshold τ.

use super::layer::softmax;
use super::moments::FactorMoments;
use super::unit_boot::UnitIntervals;
use serde::{Deserialize, Serialize};

/// A channel's category at threshold τ (strict inequalities).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// ρ_D > τ and ρ_S < τ.
    Dynamic,
    /// ρ_D < τ and ρ_S > τ.
    Static,
    /// ρ_D > τ and ρ_S > τ.
    Joint,
    /// ρ_D < τ and ρ_S < τ (the reference's "none" / residual channels).
    #[serde(rename = "none")]
    Neither,
    /// A ρ exactly at τ, or an undefined ρ (zero-variance channel).
    Unassigned,
}

impl Category {
    /// All categories, in report order.
    pub const ALL: [Category; 5] = [
        Category::Dynamic,
        Category::Static,
        Category::Joint,
        Category::Neither,
        Category::Unassigned,
    ];

    /// The name used in reports and CSVs.
    pub fn name(self) -> &'static str {
        match self {
            Category::Dynamic => "dynamic",
            Category::Static => "static",
            Category::Joint => "joint",
            Category::Neither => "none",
            Category::Unassigned => "unassigned",
        }
    }
}

/// The category of a channel with `rho_dynamic`, `rho_static` at threshold `tau`.
pub fn categorize(rho_dynamic: Option<f64>, rho_static: Option<f64>, tau: f64) -> Category {
    let (Some(d), Some(s)) = (rho_dynamic, rho_static) else {
        return Category::Unassigned;
    };
    if d > tau && s < tau {
        Category::Dynamic
    } else if d < tau && s > tau {
        Category::Static
    } else if d > tau && s > tau {
        Category::Joint
    } else if d < tau && s < tau {
        Category::Neither
    } else {
        Category::Unassigned
    }
}

/// How many channels fall in each category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCounts {
    /// Dynamic channels.
    pub dynamic: usize,
    /// Static channels.
    #[serde(rename = "static")]
    pub static_: usize,
    /// Joint channels.
    pub joint: usize,
    /// Channels below τ for both factors.
    pub none: usize,
    /// Channels with an undefined ρ or a ρ exactly at τ.
    pub unassigned: usize,
}

impl CategoryCounts {
    /// Counts a list of categories.
    pub fn count(categories: &[Category]) -> Self {
        let mut n = Self::default();
        for c in categories {
            *n.get_mut(*c) += 1;
        }
        n
    }

    /// The count of one category.
    pub fn get(&self, c: Category) -> usize {
        match c {
            Category::Dynamic => self.dynamic,
            Category::Static => self.static_,
            Category::Joint => self.joint,
            Category::Neither => self.none,
            Category::Unassigned => self.unassigned,
        }
    }

    fn get_mut(&mut self, c: Category) -> &mut usize {
        match c {
            Category::Dynamic => &mut self.dynamic,
            Category::Static => &mut self.static_,
            Category::Joint => &mut self.joint,
            Category::Neither => &mut self.none,
            Category::Unassigned => &mut self.unassigned,
        }
    }
}

/// Per-channel results of one layer.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitEstimate {
    /// ρ per factor `[ρ_D, ρ_S]`, `None` where the channel's variance over
    /// that factor's rows is zero (undefined, never a made-up number).
    pub rho: [Vec<Option<f64>>; 2],
    /// `softmax([ρ_D, ρ_S, 1])` per channel; `None` when a ρ is undefined.
    pub softmax: Vec<Option<[f64; 3]>>,
    /// Category per channel at `threshold`.
    pub category: Vec<Category>,
    /// Category counts (over all C channels).
    pub counts: CategoryCounts,
    /// The threshold τ the categories were made with.
    pub threshold: f64,
    /// Per-channel bootstrap intervals and category stability, if
    /// per-channel replicates were kept.
    pub ci: Option<UnitIntervals>,
}

impl UnitEstimate {
    pub(crate) fn from_moments(factors: &[FactorMoments; 2], threshold: f64) -> Self {
        let rho = [rho(&factors[0]), rho(&factors[1])];
        let softmax = rho[0]
            .iter()
            .zip(&rho[1])
            .map(|(d, s)| Some(softmax([(*d)?, (*s)?, 1.0])))
            .collect();
        let mut unit = Self {
            rho,
            softmax,
            category: Vec::new(),
            counts: CategoryCounts::default(),
            threshold,
            ci: None,
        };
        unit.recategorize(threshold);
        unit
    }

    /// Re-buckets every channel at a new threshold τ (ρ is unchanged).
    pub fn recategorize(&mut self, threshold: f64) {
        self.threshold = threshold;
        self.category = self.rho[0]
            .iter()
            .zip(&self.rho[1])
            .map(|(d, s)| categorize(*d, *s, threshold))
            .collect();
        self.counts = CategoryCounts::count(&self.category);
        if let Some(ci) = &mut self.ci {
            ci.restabilize(&self.category, threshold);
        }
    }

    /// Share of all C channels in a category, in percent.
    pub fn pct(&self, c: Category) -> f64 {
        let n = self.category.len();
        if n == 0 {
            0.0
        } else {
            100.0 * self.counts.get(c) as f64 / n as f64
        }
    }
}

/// ρ_f[c] = cov_c / Var({A[:,c]} ∪ {B[:,c]}), with `cov_c = Cab/n − (ā − b̄)²/4`
/// and the union variance `(M2a + M2b)/(2n) + (ā − b̄)²/4`.
fn rho(m: &FactorMoments) -> Vec<Option<f64>> {
    (0..m.mean_a.len())
        .map(|c| {
            rho_of(
                m.weight,
                m.mean_a[c] - m.mean_b[c],
                m.m2_a[c] + m.m2_b[c],
                m.c_ab[c],
            )
        })
        .collect()
}

/// One channel's ρ from its weight `n`, the gap of its members' means
/// `ā − b̄`, `M2a + M2b` and the co-moment `Cab`; `None` where the union
/// variance is zero (or the weight is).
pub(crate) fn rho_of(n: f64, gap: f64, m2_sum: f64, c_ab: f64) -> Option<f64> {
    let quarter = 0.25 * gap * gap;
    let var = m2_sum / (2.0 * n) + quarter;
    (n > 0.0 && var > 0.0 && var.is_finite()).then(|| (c_ab / n - quarter) / var)
}
