//! Weighted co-moments of one factor's pairs, per channel ([`FactorMoments`])
//! or summed over channels ([`TraceMoments`], what a bootstrap replicate
//! needs for the layer score).
//!
//! Update (Welford, weight w): `n' = n + w`, `δa = a − ā`, `ā += w·δa/n'`,
//! `M2a += w·δa·(a − ā')`, `Cab += w·δa·(b − b̄')`.
//! Merge (Chan et al.): `δ = ā₂ − ā₁`, `M2 = M2₁ + M2₂ + δ²·n₁n₂/n`,
//! `Cab = Cab₁ + Cab₂ + δa·δb·n₁n₂/n`.
//! The weights are frequency weights (1 for plain data, Poisson counts for
//! bootstrap replicates), so ddof = 0 statistics follow exactly.

use serde::{Deserialize, Serialize};

/// Per-channel weighted co-moments of member a and member b of one factor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct FactorMoments {
    /// Number of pairs pushed (unweighted).
    pub count: u64,
    /// Sum of weights.
    pub weight: f64,
    pub mean_a: Vec<f64>,
    pub mean_b: Vec<f64>,
    pub m2_a: Vec<f64>,
    pub m2_b: Vec<f64>,
    pub c_ab: Vec<f64>,
}

impl FactorMoments {
    pub fn new(channels: usize) -> Self {
        Self {
            count: 0,
            weight: 0.0,
            mean_a: vec![0.0; channels],
            mean_b: vec![0.0; channels],
            m2_a: vec![0.0; channels],
            m2_b: vec![0.0; channels],
            c_ab: vec![0.0; channels],
        }
    }

    /// Adds one pair with unit weight. `a` and `b` have length C (checked by the caller).
    pub fn push<T: Copy + Into<f64>>(&mut self, a: &[T], b: &[T]) {
        self.count += 1;
        self.weight += 1.0;
        let inv = 1.0 / self.weight;
        for c in 0..a.len() {
            let (x, y) = (a[c].into(), b[c].into());
            let da = x - self.mean_a[c];
            let db = y - self.mean_b[c];
            self.mean_a[c] += da * inv;
            self.mean_b[c] += db * inv;
            let ra = x - self.mean_a[c];
            let rb = y - self.mean_b[c];
            self.m2_a[c] += da * ra;
            self.m2_b[c] += db * rb;
            self.c_ab[c] += da * rb;
        }
    }

    /// Merges another factor's moments into this one (exact up to rounding).
    pub fn merge(&mut self, other: &Self) {
        if other.weight == 0.0 {
            return;
        }
        if self.weight == 0.0 {
            *self = other.clone();
            return;
        }
        let n1 = self.weight;
        let n2 = other.weight;
        let n = n1 + n2;
        let f = n1 * n2 / n;
        for c in 0..self.mean_a.len() {
            let da = other.mean_a[c] - self.mean_a[c];
            let db = other.mean_b[c] - self.mean_b[c];
            self.mean_a[c] += da * n2 / n;
            self.mean_b[c] += db * n2 / n;
            self.m2_a[c] += other.m2_a[c] + da * da * f;
            self.m2_b[c] += other.m2_b[c] + db * db * f;
            self.c_ab[c] += other.c_ab[c] + da * db * f;
        }
        self.count += other.count;
        self.weight = n;
    }

    /// The channel-summed view used for the layer score.
    pub fn summary(&self) -> FactorSummary<'_> {
        FactorSummary {
            weight: self.weight,
            mean_a: &self.mean_a,
            mean_b: &self.mean_b,
            trace_m2_a: self.m2_a.iter().sum(),
            trace_m2_b: self.m2_b.iter().sum(),
            trace_c_ab: self.c_ab.iter().sum(),
        }
    }
}

/// Co-moments with the per-channel M2 and co-moment summed over channels:
/// all the layer score needs, at 2C numbers instead of 5C.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct TraceMoments {
    /// Number of distinct pairs with a non-zero weight.
    pub count: u64,
    pub weight: f64,
    pub mean_a: Vec<f64>,
    pub mean_b: Vec<f64>,
    pub m2_a: f64,
    pub m2_b: f64,
    pub c_ab: f64,
}

impl TraceMoments {
    pub fn new(channels: usize) -> Self {
        Self {
            count: 0,
            weight: 0.0,
            mean_a: vec![0.0; channels],
            mean_b: vec![0.0; channels],
            m2_a: 0.0,
            m2_b: 0.0,
            c_ab: 0.0,
        }
    }

    pub fn merge(&mut self, other: &Self) {
        self.merge_parts(other.count, &other.summary());
    }

    /// Merges moments given as parts: `count` pairs summarised by `other`.
    pub fn merge_parts(&mut self, count: u64, other: &FactorSummary<'_>) {
        if other.weight == 0.0 {
            return;
        }
        let n1 = self.weight;
        let n2 = other.weight;
        let n = n1 + n2;
        let f = n1 * n2 / n;
        let (mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0);
        for c in 0..self.mean_a.len() {
            let da = other.mean_a[c] - self.mean_a[c];
            let db = other.mean_b[c] - self.mean_b[c];
            self.mean_a[c] += da * n2 / n;
            self.mean_b[c] += db * n2 / n;
            saa += da * da;
            sbb += db * db;
            sab += da * db;
        }
        self.m2_a += other.trace_m2_a + saa * f;
        self.m2_b += other.trace_m2_b + sbb * f;
        self.c_ab += other.trace_c_ab + sab * f;
        self.count += count;
        self.weight = n;
    }

    pub fn summary(&self) -> FactorSummary<'_> {
        FactorSummary {
            weight: self.weight,
            mean_a: &self.mean_a,
            mean_b: &self.mean_b,
            trace_m2_a: self.m2_a,
            trace_m2_b: self.m2_b,
            trace_c_ab: self.c_ab,
        }
    }
}

/// What the layer score needs of one factor: its weight, per-channel means of
/// both members, and the channel-summed M2 and co-moment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FactorSummary<'a> {
    pub weight: f64,
    pub mean_a: &'a [f64],
    pub mean_b: &'a [f64],
    pub trace_m2_a: f64,
    pub trace_m2_b: f64,
    pub trace_c_ab: f64,
}

impl FactorSummary<'_> {
    /// Σ_c cov_c with `cov_c = mean((a − m)(b − m))`, `m = ½(ā + b̄)`:
    /// `Cab/n − (ā − b̄)²/4` summed over channels.
    pub fn covariance_sum(&self) -> f64 {
        let gap: f64 = self
            .mean_a
            .iter()
            .zip(self.mean_b)
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        self.trace_c_ab / self.weight - 0.25 * gap
    }
}

/// Total variance V of METHOD.md §4: Σ_c of the ddof = 0 variance of the
/// 2N rows `[Za; Zb]`, combined from the four groups (a and b of each factor).
pub(crate) fn total_variance(factors: &[FactorSummary<'_>; 2]) -> f64 {
    let total: f64 = factors.iter().map(|f| 2.0 * f.weight).sum();
    if total == 0.0 {
        return 0.0;
    }
    let channels = factors[0].mean_a.len();
    let mut m2 = 0.0;
    for f in factors {
        m2 += f.trace_m2_a + f.trace_m2_b;
    }
    for c in 0..channels {
        let mu = factors
            .iter()
            .map(|f| f.weight * (f.mean_a[c] + f.mean_b[c]))
            .sum::<f64>()
            / total;
        for f in factors {
            let da = f.mean_a[c] - mu;
            let db = f.mean_b[c] - mu;
            m2 += f.weight * (da * da + db * db);
        }
    }
    m2 / total
}
