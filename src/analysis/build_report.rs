//! [`build_report`]: the report of statistics, and [`failure`]: whether it
//! may be used as a measurement. One layer that cannot be estimated does not
//! discard the others: it is left out with a warning. A run that measured
//! nothing, or a model none of whose layers could be estimated, is a failure
//! (the CLI exits 1), never an empty table with exit 0.

use super::StatsFile;
use crate::report::{LayerReport, ModelReport, Partial, Report, Warning};
use crate::stats::StatsError;

/// The report of the statistics gathered so far, at threshold `threshold`.
/// Layers that cannot be estimated yet (fewer than 2 pairs of a factor) are
/// left out; while the run is incomplete silently, once it is complete with
/// a warning. Layers that cannot be estimated for another reason (every
/// channel constant, no channels) are left out with a warning.
pub fn build_report(stats: &StatsFile, threshold: f64) -> Report {
    let mut settings = stats.settings.clone();
    settings.threshold = threshold;
    let mut report = Report::new(settings);
    report.job_key = Some(stats.job_key.clone());
    report.probe_root = Some(stats.settings.input.clone());
    let whole = stats.covers_all();
    report.partial = (!whole).then_some(Partial {
        pairs_done: stats.done,
        pairs_planned: stats.plan_pairs,
    });
    report.warnings = stats.warnings.clone();
    report.style_strength = stats
        .probe
        .as_ref()
        .map(super::ProbeSpec::weakened_styles)
        .unwrap_or_default();
    for m in &stats.models {
        let mut model = ModelReport::new(m.name.clone(), m.checkpoint.clone(), m.epoch);
        model.pairs_done = Some(m.done);
        model.path = Some(m.path.clone());
        model.sha256 = Some(m.sha256.clone());
        model.metrics = m.metrics.clone();
        model.convergence = m.history.clone();
        model.rows_per_pair = (m.rows > 1).then_some(m.rows);
        for acc in &m.layers {
            match acc.estimate(threshold) {
                Ok(e) => model.layers.push(LayerReport {
                    stream: m.streams.get(acc.name()).cloned(),
                    ..LayerReport::from_estimate(acc.name(), e)
                }),
                Err(StatsError::TooFewPairs { .. }) if !whole => {}
                Err(e) => report.warnings.push(Warning {
                    path: model_label(m.name.as_str(), m.checkpoint.as_deref()),
                    reason: format!("{e}; this layer is left out of the report"),
                }),
            }
        }
        if !m.layers.is_empty() {
            for (layer, tag) in &m.streams {
                if !m.layers.iter().any(|l| l.name() == layer) {
                    report.warnings.push(Warning {
                        path: model_label(m.name.as_str(), m.checkpoint.as_deref()),
                        reason: format!(
                            "the manifest puts layer '{layer}' in stream '{tag}', but no probed \
                             layer has that name (a typo in `streams`?)"
                        ),
                    });
                }
            }
        }
        report.models.push(model);
    }
    report
}

/// Appends to each model's convergence history the point of `report` (the
/// report of `stats` as they are now) when the model measured pairs since
/// its last point, and copies the histories into the report.
pub fn record_history(stats: &mut StatsFile, report: &mut Report) {
    for (m, r) in stats.models.iter_mut().zip(&mut report.models) {
        let pairs = m.measured();
        if crate::report::convergence::record(&mut m.history, pairs, &r.layers) {
            r.convergence = m.history.clone();
        }
    }
}

/// `name` or `name@checkpoint`, as entries are named everywhere.
pub fn model_label(name: &str, checkpoint: Option<&str>) -> String {
    match checkpoint {
        Some(c) => format!("{name}@{c}"),
        None => name.to_string(),
    }
}

/// Why a report of `stats` is not a measurement: no pair was measured, or
/// (for statistics of the whole plan, finished: one run, or every shard
/// merged) a model has no layer that could be estimated. `None` when it is
/// usable. A shard alone is not judged on its layers: it may hold too few
/// pairs to report alone and still merge.
pub fn failure(report: &Report, stats: &StatsFile) -> Option<String> {
    if stats.total > 0 && stats.done > 0 && stats.measured() == 0 {
        return Some(format!(
            "no pair could be measured: all {} pairs done so far were skipped (see the warnings)",
            stats.done
        ));
    }
    if !stats.covers_all() {
        return None;
    }
    let empty: Vec<String> = report
        .models
        .iter()
        .filter(|m| m.layers.is_empty())
        .map(|m| model_label(&m.name, m.checkpoint.as_deref()))
        .collect();
    if empty.is_empty() {
        return None;
    }
    let reasons: Vec<String> = report
        .warnings
        .iter()
        .filter(|w| empty.contains(&w.path))
        .map(|w| format!("  {}: {}", w.path, w.reason))
        .collect();
    Some(format!(
        "no layer of {} could be estimated{}",
        empty.join(", "),
        if reasons.is_empty() {
            String::new()
        } else {
            format!(":\n{}", reasons.join("\n"))
        }
    ))
}
