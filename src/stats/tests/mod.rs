//! Tests of the estimator: hand-computed cases, a direct (two-pass, matrix)
//! implementation of METHOD.md §4–5 to compare against, properties, merges,
//! stability and errors. This file holds the shared helpers.

mod delta;
mod errors;
mod evidence;
mod exact;
mod properties;
mod units;

pub(super) use super::*;

/// A small deterministic generator for test data (SplitMix64 + Box–Muller).
pub(crate) struct Rng(crate::hash::SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(crate::hash::SplitMix64(seed))
    }
    pub fn uniform(&mut self) -> f64 {
        self.0.uniform()
    }
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Pairs as plain matrices: `za`, `zb` are N×C row-major.
pub(super) struct Data {
    pub c: usize,
    pub za: Vec<f64>,
    pub zb: Vec<f64>,
    pub factor: Vec<Factor>,
}

impl Data {
    pub fn n(&self) -> usize {
        self.factor.len()
    }

    /// Pairs whose members share a latent part with weight `share[f]` per factor.
    pub fn random(rng: &mut Rng, n: usize, c: usize, share: [f64; 2], offset: f64) -> Self {
        let mut d = Data {
            c,
            za: Vec::new(),
            zb: Vec::new(),
            factor: Vec::new(),
        };
        for i in 0..n {
            // Alternate so that both factors always have pairs.
            let f = if i % 2 == 0 || rng.uniform() < 0.3 {
                Factor::Dynamic
            } else {
                Factor::Static
            };
            let s = share[f.index()];
            for ch in 0..c {
                let common = rng.normal();
                let scale = 1.0 + ch as f64 * 0.1;
                d.za.push(offset + scale * (s * common + (1.0 - s) * rng.normal()));
                d.zb.push(offset + scale * (s * common + (1.0 - s) * rng.normal()));
            }
            d.factor.push(f);
        }
        d
    }

    pub fn ids(&self) -> Vec<u64> {
        (0..self.n() as u64).collect()
    }

    pub fn accumulate(&self, boot: BootstrapConfig) -> LayerAccumulator {
        let mut acc = LayerAccumulator::new("layer", self.c, boot);
        acc.push_batch(PairBatch {
            pair_ids: &self.ids(),
            factors: &self.factor,
            za: &self.za,
            zb: &self.zb,
        })
        .unwrap();
        acc
    }
}

/// METHOD.md §4–5 written out on matrices, two-pass, as the reference does.
pub(super) fn direct(d: &Data) -> ([f64; 2], [Vec<Option<f64>>; 2]) {
    let (n, c) = (d.n(), d.c);
    let col = |m: &Vec<f64>, rows: &[usize], ch: usize| -> Vec<f64> {
        rows.iter().map(|&r| m[r * c + ch]).collect()
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let all: Vec<usize> = (0..n).collect();
    let mut total = 0.0;
    for ch in 0..c {
        let mut z = col(&d.za, &all, ch);
        z.extend(col(&d.zb, &all, ch));
        let mu = mean(&z);
        total += z.iter().map(|x| (x - mu) * (x - mu)).sum::<f64>() / z.len() as f64;
    }
    let mut scores = [0.0; 2];
    let mut rho = [Vec::new(), Vec::new()];
    for f in Factor::ALL {
        let rows: Vec<usize> = (0..n).filter(|&r| d.factor[r] == f).collect();
        let mut cov_sum = 0.0;
        for ch in 0..c {
            let a = col(&d.za, &rows, ch);
            let b = col(&d.zb, &rows, ch);
            let m = 0.5 * (mean(&a) + mean(&b));
            let cov = a
                .iter()
                .zip(&b)
                .map(|(x, y)| (x - m) * (y - m))
                .sum::<f64>()
                / a.len() as f64;
            let mut u = a.clone();
            u.extend(&b);
            let mu = mean(&u);
            let var = u.iter().map(|x| (x - mu) * (x - mu)).sum::<f64>() / u.len() as f64;
            cov_sum += cov;
            rho[f.index()].push((var > 0.0).then(|| cov / var));
        }
        scores[f.index()] = cov_sum / total;
    }
    (scores, rho)
}

pub(super) fn assert_close(a: f64, b: f64, rel: f64, what: &str) {
    let tol = rel * a.abs().max(b.abs()).max(1e-300);
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (rel tol {rel})");
}

pub(super) const NO_BOOT: BootstrapConfig = BootstrapConfig {
    replicates: 0,
    seed: 0,
};
