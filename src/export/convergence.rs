//! `convergence.csv`: every model's layer estimates against the pairs
//! measured, one row per model × checkpoint × layer × point × factor
//! (the report's `convergence`). Written only when some model has a
//! history (merged shards have none).

use super::csv::write_csv;
use crate::report::Report;
use std::path::Path;

const FACTORS: [&str; 3] = ["dynamic", "static", "residual"];

/// Whether `report` has a convergence history to write.
pub fn has_convergence(report: &Report) -> bool {
    report.models.iter().any(|m| !m.convergence.is_empty())
}

/// Writes `convergence.csv`.
pub fn write_convergence_csv(path: &Path, report: &Report) -> anyhow::Result<()> {
    let header = [
        "model",
        "checkpoint",
        "epoch",
        "layer",
        "pairs",
        "factor",
        "pct",
        "pct_ci_low",
        "pct_ci_high",
        "prob",
        "prob_ci_low",
        "prob_ci_high",
    ];
    let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    write_csv(path, &header, |emit| {
        for m in &report.models {
            for point in &m.convergence {
                for l in &point.layers {
                    for (k, factor) in FACTORS.iter().enumerate() {
                        emit(vec![
                            m.name.clone(),
                            m.checkpoint.clone().unwrap_or_default(),
                            opt(m.epoch),
                            l.name.clone(),
                            point.pairs.to_string(),
                            (*factor).to_string(),
                            l.pct[k].to_string(),
                            opt(l.pct_ci95.map(|c| c[k][0])),
                            opt(l.pct_ci95.map(|c| c[k][1])),
                            l.probs[k].to_string(),
                            opt(l.probs_ci95.map(|c| c[k][0])),
                            opt(l.probs_ci95.map(|c| c[k][1])),
                        ])?;
                    }
                }
            }
        }
        Ok(())
    })
}
