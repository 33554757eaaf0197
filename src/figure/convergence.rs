//! The convergence of one entry's estimates: each layer's shares against
//! the pairs measured (the report's `convergence`), as curves the app and
//! the figures draw. `convergence.csv` (see [`crate::export`]) holds the
//! same numbers.

use super::data::{CurvePoint, TrainingCurve};
use crate::report::ModelReport;
use crate::report::convergence::layer_series;

/// One curve per layer of `model` (in its display order, then any layer
/// only the history has): the shares at each point of its history, each
/// point's `epoch` holding the pairs measured.
pub fn convergence_curves(model: &ModelReport) -> Vec<TrainingCurve> {
    let mut layers: Vec<&str> = model.layers.iter().map(|l| l.name.as_str()).collect();
    for p in &model.convergence {
        for l in &p.layers {
            if !layers.contains(&l.name.as_str()) {
                layers.push(&l.name);
            }
        }
    }
    layers
        .into_iter()
        .map(|layer| TrainingCurve {
            layer: layer.to_string(),
            points: layer_series(&model.convergence, layer)
                .map(|(pairs, l)| CurvePoint {
                    model_index: 0,
                    epoch: pairs as f64,
                    checkpoint: None,
                    pct: l.pct,
                    ci: l.pct_ci95,
                    probs: l.probs,
                    probs_ci: l.probs_ci95,
                })
                .collect(),
            settled: None,
            settled_probs: None,
        })
        .filter(|c| !c.points.is_empty())
        .collect()
}

/// The numbers of the convergence figure: one row per layer and point,
/// `model,checkpoint,epoch,layer,pairs,dynamic_pct,…,residual_pct`, the
/// intervals beside each share.
pub fn convergence_csv(model: &ModelReport) -> anyhow::Result<String> {
    let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "model",
        "checkpoint",
        "epoch",
        "layer",
        "pairs",
        "dynamic_pct",
        "dynamic_lo",
        "dynamic_hi",
        "static_pct",
        "static_lo",
        "static_hi",
        "residual_pct",
    ])?;
    for c in convergence_curves(model) {
        for p in &c.points {
            let ci = |k: usize, e: usize| opt(p.ci.map(|c| c[k][e]));
            w.write_record([
                model.name.clone(),
                model.checkpoint.clone().unwrap_or_default(),
                opt(model.epoch),
                c.layer.clone(),
                p.epoch.to_string(),
                p.pct[0].to_string(),
                ci(0, 0),
                ci(0, 1),
                p.pct[1].to_string(),
                ci(1, 0),
                ci(1, 1),
                p.pct[2].to_string(),
            ])?;
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// What a reader wants to know of a layer's convergence, in one line: the
/// interval width now and how far the shares moved over the second half of
/// the pairs.
pub fn convergence_summary(model: &ModelReport, layer: &str) -> Option<String> {
    use crate::report::convergence::late_drift;
    let last = layer_series(&model.convergence, layer).last()?;
    let width = last
        .1
        .pct_ci95
        .map(|c| {
            format!(
                "interval widths {:.1} / {:.1} pp",
                c[0][1] - c[0][0],
                c[1][1] - c[1][0]
            )
        })
        .unwrap_or_else(|| "no intervals".into());
    let drift = match (
        late_drift(&model.convergence, layer, 0),
        late_drift(&model.convergence, layer, 1),
    ) {
        (Some(d), Some(s)) => {
            format!("moved at most {d:.1} / {s:.1} pp over the last half of the pairs")
        }
        _ => "too few points to judge the last half".into(),
    };
    Some(format!(
        "after {} pairs: dynamic / static {width}; {drift}",
        last.0
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::report::convergence::record;
    use crate::testing;

    #[test]
    fn curves_and_summary_follow_the_history() {
        let ci = [[18.0, 22.0], [28.0, 33.0], [45.0, 54.0]];
        let layer = |d: f64| {
            testing::layer(
                "a",
                &[(Some(0.5), Some(0.5))],
                [d, 30.0, 70.0 - d],
                Some(ci),
                10,
            )
        };
        let mut m = testing::model("m", None, vec![layer(20.0)]);
        for (n, d) in [(16, 40.0), (32, 25.0), (48, 21.0), (64, 20.0)] {
            record(&mut m.convergence, n, &[layer(d)]);
        }
        let c = convergence_curves(&m);
        assert_eq!(c.len(), 1);
        let xs: Vec<f64> = c[0].points.iter().map(|p| p.epoch).collect();
        assert_eq!(xs, [16.0, 32.0, 48.0, 64.0]);
        assert_eq!(c[0].points[1].pct[0], 25.0);
        let s = convergence_summary(&m, "a").unwrap();
        assert!(s.starts_with("after 64 pairs"), "{s}");
        assert!(s.contains("interval widths 4.0 / 5.0 pp"), "{s}");
        assert!(s.contains("moved at most 5.0 / 0.0 pp"), "{s}");
        assert!(convergence_summary(&m, "b").is_none());
    }
}
