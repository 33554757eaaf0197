//! CSV of exactly the numbers a figure plots: the layer bars, the channel
//! scatter of one layer (or of two, side by side), the channels whose
//! category changed, and the training curves with their settle points.

use crate::figure::data::{
    CategoryChange, CategoryCurve, ChannelPoint, LayerBar, SettleCriterion, TrainingCurve,
    model_groups, training_curves,
};
use crate::report::{LayerReport, Report};
use crate::stats::CategoryCounts;

fn fmt_opt(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// The seven share columns: dynamic pct, lo, hi, static pct, lo, hi, residual pct.
fn share_columns(pct: &[f64; 3], ci: Option<[[f64; 2]; 3]>) -> [String; 7] {
    let c = |k: usize, j: usize| fmt_opt(ci.map(|c| c[k][j]));
    [
        pct[0].to_string(),
        c(0, 0),
        c(0, 1),
        pct[1].to_string(),
        c(1, 0),
        c(1, 1),
        pct[2].to_string(),
    ]
}

/// A file-name-safe form of a name (for figure files).
pub fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn to_string(rows: Vec<Vec<String>>) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(&r)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// τ and the channels per category, as the bar and category CSVs name them.
const COUNT_COLUMNS: [&str; 6] = [
    "tau",
    "units_dynamic",
    "units_static",
    "units_joint",
    "units_none",
    "units_unassigned",
];

/// The cells of [`COUNT_COLUMNS`].
fn count_cells(tau: f64, n: &CategoryCounts) -> [String; 6] {
    [
        tau.to_string(),
        n.dynamic.to_string(),
        n.static_.to_string(),
        n.joint.to_string(),
        n.none.to_string(),
        n.unassigned.to_string(),
    ]
}

/// The layer bars: one row per model (checkpoint) and layer, with the
/// intervals and the channel-category counts at the bars' τ.
pub fn bars_csv(bars: &[LayerBar], tau: f64) -> anyhow::Result<String> {
    let after: Vec<&str> = COUNT_COLUMNS.iter().copied().chain(["stream"]).collect();
    let mut rows = vec![header(&["channels"], &after)];
    for b in bars {
        let mut row = vec![
            b.model.clone(),
            b.checkpoint.clone().unwrap_or_default(),
            fmt_opt(b.epoch),
            b.layer.clone(),
            b.channels.to_string(),
        ];
        row.extend(share_columns(&b.pct, b.ci));
        row.extend(count_cells(tau, &b.counts));
        row.push(b.stream.clone().unwrap_or_default());
        rows.push(row);
    }
    to_string(rows)
}

/// The scatter of one layer: one row per plotted channel.
pub fn points_csv(
    layer: &LayerReport,
    points: &[ChannelPoint],
    tau: f64,
) -> anyhow::Result<String> {
    let mut rows = vec![points_header()];
    rows.extend(point_rows(layer, points, tau));
    to_string(rows)
}

/// Scatters side by side (the Compare view): the rows of [`points_csv`]
/// after a first column naming the entry each comes from.
pub fn compared_points_csv(
    sides: &[(&str, &LayerReport, &[ChannelPoint])],
    tau: f64,
) -> anyhow::Result<String> {
    let mut header = vec!["entry".to_string()];
    header.extend(points_header());
    let mut rows = vec![header];
    for (entry, layer, points) in sides {
        for r in point_rows(layer, points, tau) {
            rows.push(std::iter::once(entry.to_string()).chain(r).collect());
        }
    }
    to_string(rows)
}

/// The channels whose category differs between two entries (the Compare
/// view): one row per layer and changed channel.
pub fn changes_csv(layers: &[(&str, Vec<CategoryChange>)]) -> anyhow::Result<String> {
    let mut rows = vec![
        ["layer", "channel", "from", "to"]
            .map(String::from)
            .to_vec(),
    ];
    for (layer, changes) in layers {
        for c in changes {
            rows.push(vec![
                layer.to_string(),
                c.channel.to_string(),
                c.from.name().to_string(),
                c.to.name().to_string(),
            ]);
        }
    }
    to_string(rows)
}

fn points_header() -> Vec<String> {
    [
        "layer",
        "channel",
        "rho_static",
        "rho_dynamic",
        "category",
        "tau",
    ]
    .map(String::from)
    .to_vec()
}

fn point_rows(layer: &LayerReport, points: &[ChannelPoint], tau: f64) -> Vec<Vec<String>> {
    points
        .iter()
        .map(|p| {
            vec![
                layer.name.clone(),
                p.channel.to_string(),
                p.rho_static.to_string(),
                p.rho_dynamic.to_string(),
                p.category.name().to_string(),
                tau.to_string(),
            ]
        })
        .collect()
}

/// The training curves of one model: one row per checkpoint and layer.
pub fn curves_csv(model: &str, curves: &[TrainingCurve]) -> anyhow::Result<String> {
    let mut rows = vec![training_header()];
    push_curves(&mut rows, model, curves);
    to_string(rows)
}

fn training_header() -> Vec<String> {
    header(&[], &["settled_from_epoch", "settled_from_epoch_probs"])
}

/// model, checkpoint, epoch, layer, `before`, the share columns (what
/// [`share_columns`] writes), `after`.
fn header(before: &[&str], after: &[&str]) -> Vec<String> {
    const SHARES: [&str; 7] = [
        "dynamic_pct",
        "dynamic_lo",
        "dynamic_hi",
        "static_pct",
        "static_lo",
        "static_hi",
        "residual_pct",
    ];
    ["model", "checkpoint", "epoch", "layer"]
        .iter()
        .chain(before)
        .chain(&SHARES)
        .chain(after)
        .map(|c| c.to_string())
        .collect()
}

fn push_curves(rows: &mut Vec<Vec<String>>, model: &str, curves: &[TrainingCurve]) {
    for c in curves {
        let settled = c.settled_epoch(SettleCriterion::Percentages);
        let settled_probs = c.settled_epoch(SettleCriterion::Probabilities);
        for p in &c.points {
            let mut row = vec![
                model.to_string(),
                p.checkpoint.clone().unwrap_or_default(),
                p.epoch.to_string(),
                c.layer.clone(),
            ];
            row.extend(share_columns(&p.pct, p.ci));
            row.push(fmt_opt(settled));
            row.push(fmt_opt(settled_probs));
            rows.push(row);
        }
    }
}

/// The channels per category of one model's layers across its checkpoints
/// at `tau` (what the Training tab stacks): one row per checkpoint and layer.
pub fn category_curves_csv(
    model: &str,
    curves: &[CategoryCurve],
    tau: f64,
) -> anyhow::Result<String> {
    let mut rows = vec![
        ["model", "epoch", "layer", "channels"]
            .iter()
            .chain(&COUNT_COLUMNS)
            .map(|c| c.to_string())
            .collect(),
    ];
    for c in curves {
        for ((e, n), k) in c.xs.iter().zip(&c.counts).zip(&c.channels) {
            let mut row = vec![
                model.to_string(),
                e.to_string(),
                c.layer.clone(),
                k.to_string(),
            ];
            row.extend(count_cells(tau, n));
            rows.push(row);
        }
    }
    to_string(rows)
}

/// The checkpoints' fractions (accuracies) the training figure draws on its
/// right axis: one row per metric and checkpoint.
pub fn metrics_csv(model: &str, metrics: &[(String, Vec<[f64; 2]>)]) -> anyhow::Result<String> {
    let mut rows = vec![vec![
        "model".to_string(),
        "epoch".into(),
        "metric".into(),
        "value".into(),
    ]];
    for (name, pts) in metrics {
        for p in pts {
            rows.push(vec![
                model.to_string(),
                p[0].to_string(),
                name.clone(),
                p[1].to_string(),
            ]);
        }
    }
    to_string(rows)
}

/// The training curves of every model with checkpoints: one row per model,
/// checkpoint and layer, with the epoch from which the layer's bias has
/// settled, the same on each row of that layer: `settled_from_epoch` by the
/// reference's percentages, `settled_from_epoch_probs` by the probabilities
/// (see [`SettleCriterion`]).
pub fn training_csv(report: &Report) -> anyhow::Result<String> {
    let mut rows = vec![training_header()];
    for g in model_groups(report).iter().filter(|g| g.entries.len() > 1) {
        push_curves(&mut rows, &g.name, &training_curves(report, g));
    }
    to_string(rows)
}
