//! Convergence: a model's layer estimates against the number of pairs seen,
//! one [`ConvergencePoint`] per save of the statistics, so a user can tell
//! whether the pairs were enough (the shares and their intervals stop
//! moving long before the end).
//!
//! Each point is exact for the pairs it counts: the statistics are a prefix
//! of the shard's pairs in plan order, so a point says what a run of that
//! many pairs would have reported. Where the points fall depends on the
//! save interval and batch size; their numbers do not.

use super::LayerReport;
use serde::{Deserialize, Serialize};

/// Points kept per model: past this, every second older point is dropped
/// (the first and the newest stay), so a long run keeps a bounded history.
pub const MAX_POINTS: usize = 128;

/// One layer's estimate at a point of the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerPoint {
    /// Layer name.
    pub name: String,
    /// Percentages `[dynamic, static, residual]`, as the report's `pct`.
    pub pct: [f64; 3],
    /// Their 95 % bootstrap intervals (`null` without bootstrap).
    pub pct_ci95: Option<[[f64; 2]; 3]>,
    /// Softmax probabilities `[dynamic, static, residual]`.
    pub probs: [f64; 3],
    /// Their 95 % bootstrap intervals (`null` without bootstrap).
    pub probs_ci95: Option<[[f64; 2]; 3]>,
}

impl LayerPoint {
    /// The point of a layer's report.
    pub fn of(layer: &LayerReport) -> Self {
        Self {
            name: layer.name.clone(),
            pct: layer.pct,
            pct_ci95: layer.ci95.as_ref().map(|c| c.pct),
            probs: layer.probs,
            probs_ci95: layer.ci95.as_ref().map(|c| c.probs),
        }
    }
}

/// A model's layer estimates after `pairs` measured pairs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConvergencePoint {
    /// Pairs measured (seen by every layer).
    pub pairs: usize,
    /// The layers that could be estimated then, in display order.
    pub layers: Vec<LayerPoint>,
}

/// Appends the point of `layers` after `pairs` measured pairs to `history`,
/// unless the last point already counts as many (nothing new was measured)
/// or no layer could be estimated yet; thins the history past
/// [`MAX_POINTS`]. Returns whether a point was added.
pub fn record(history: &mut Vec<ConvergencePoint>, pairs: usize, layers: &[LayerReport]) -> bool {
    if layers.is_empty() || history.last().is_some_and(|p| p.pairs >= pairs) {
        return false;
    }
    history.push(ConvergencePoint {
        pairs,
        layers: layers.iter().map(LayerPoint::of).collect(),
    });
    if history.len() > MAX_POINTS {
        let last = history.len() - 1;
        let mut k = 0;
        history.retain(|_| {
            let keep = k % 2 == 0 || k == last;
            k += 1;
            keep
        });
    }
    true
}

/// One layer's history: `(pairs, point)` for every point that has the layer.
pub fn layer_series<'a>(
    history: &'a [ConvergencePoint],
    layer: &'a str,
) -> impl Iterator<Item = (usize, &'a LayerPoint)> + 'a {
    history
        .iter()
        .filter_map(move |p| Some((p.pairs, p.layers.iter().find(|l| l.name == layer)?)))
}

/// How settled a layer's share of factor `k` (0 dynamic, 1 static, 2
/// residual) is: the largest distance, in percentage points, between the
/// final value and any value over the second half of the pairs (`None`
/// with fewer than two points in that half).
pub fn late_drift(history: &[ConvergencePoint], layer: &str, k: usize) -> Option<f64> {
    let series: Vec<(usize, f64)> = layer_series(history, layer)
        .map(|(n, l)| (n, l.pct[k]))
        .collect();
    let &(last_n, last) = series.last()?;
    let late: Vec<f64> = series
        .iter()
        .filter(|(n, _)| 2 * n >= last_n)
        .map(|(_, v)| (v - last).abs())
        .collect();
    (late.len() >= 2).then(|| late.into_iter().fold(0.0, f64::max))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn layer(name: &str, d: f64) -> LayerReport {
        crate::testing::layer(
            name,
            &[(Some(0.9), Some(0.1))],
            [d, 30.0, 70.0 - d],
            None,
            10,
        )
    }

    #[test]
    fn a_point_is_added_only_when_pairs_were_measured() {
        let mut h = Vec::new();
        assert!(!record(&mut h, 10, &[]), "nothing estimable yet");
        assert!(record(&mut h, 10, &[layer("a", 20.0)]));
        assert!(!record(&mut h, 10, &[layer("a", 25.0)]), "no new pairs");
        assert!(record(&mut h, 20, &[layer("a", 25.0)]));
        assert_eq!(h.iter().map(|p| p.pairs).collect::<Vec<_>>(), [10, 20]);
        assert_eq!(h[1].layers[0].pct[0], 25.0);
    }

    #[test]
    fn a_long_history_is_thinned_keeping_the_first_and_the_newest() {
        let mut h = Vec::new();
        for n in 1..=1000 {
            record(&mut h, n, &[layer("a", 20.0)]);
            assert!(h.len() <= MAX_POINTS);
            assert_eq!(h[0].pairs, 1);
            assert_eq!(h.last().unwrap().pairs, n);
            assert!(h.windows(2).all(|w| w[0].pairs < w[1].pairs));
        }
    }

    #[test]
    fn late_drift_looks_at_the_second_half_only() {
        let mut h = Vec::new();
        for (n, d) in [(10, 50.0), (20, 30.0), (30, 22.0), (40, 20.0)] {
            record(&mut h, n, &[layer("a", d)]);
        }
        // Second half of 40 pairs: points at 20, 30, 40.
        assert_eq!(late_drift(&h, "a", 0), Some(10.0));
        assert_eq!(late_drift(&h, "b", 0), None);
        assert_eq!(layer_series(&h, "a").count(), 4);
    }
}
