//! Tidy CSVs (one observation per row, pandas/seaborn-ready) and the
//! reference code's two-row `<name>_dim_est.csv`.
//!
//! - `layers.csv`: one row per model × checkpoint × layer × factor
//!   (dynamic, static, residual) with score, prob, dims, pct, the 95 % CI
//!   and the layer's stream (empty when the manifest tags none).
//! - `unit_categories.csv`: one row per model × checkpoint × layer × category.
//! - `channels.csv`: one row per channel with ρ_D, ρ_S, unit softmax,
//!   category, the 95 % intervals of both ρ and the category's stability
//!   (empty without per-channel replicates). An undefined ρ is an empty
//!   cell (NaN in pandas).

use crate::files::atomic_write;
use crate::report::{LayerReport, ModelReport, Report};
use crate::stats::Category;
use anyhow::Context as _;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const FACTORS: [&str; 3] = ["dynamic", "static", "residual"];

fn fmt_opt(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

fn key_fields(m: &ModelReport, l: &LayerReport) -> [String; 4] {
    [
        m.name.clone(),
        m.checkpoint.clone().unwrap_or_default(),
        fmt_opt(m.epoch),
        l.name.clone(),
    ]
}

/// Writes a CSV atomically: `header`, then every record `rows` emits.
pub fn write_csv(
    path: &Path,
    header: &[&str],
    rows: impl FnOnce(&mut dyn FnMut(Vec<String>) -> anyhow::Result<()>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    atomic_write(path, |w| {
        let mut out = ::csv::Writer::from_writer(w);
        out.write_record(header)?;
        rows(&mut |record| Ok(out.write_record(&record)?))?;
        out.flush()?;
        Ok(())
    })
    .with_context(|| format!("cannot write '{}'", path.display()))
}

/// Writes `layers.csv`.
pub fn write_layers_csv(path: &Path, report: &Report) -> anyhow::Result<()> {
    let header = [
        "model",
        "checkpoint",
        "epoch",
        "layer",
        "layer_index",
        "channels",
        "factor",
        "pairs",
        "score",
        "prob",
        "dims",
        "pct",
        "pct_ci_low",
        "pct_ci_high",
        "score_ci_low",
        "score_ci_high",
        "stream",
    ];
    write_csv(path, &header, |emit| {
        for m in &report.models {
            for (li, l) in m.layers.iter().enumerate() {
                for (k, factor) in FACTORS.iter().enumerate() {
                    let pairs = match k {
                        0 => l.pairs.dynamic.to_string(),
                        1 => l.pairs.static_.to_string(),
                        _ => String::new(),
                    };
                    let pct_ci = l.ci95.as_ref().map(|c| c.pct[k]);
                    let score_ci = l.ci95.as_ref().and_then(|c| c.scores.get(k).copied());
                    let mut row = key_fields(m, l).to_vec();
                    row.extend([
                        li.to_string(),
                        l.channels.to_string(),
                        factor.to_string(),
                        pairs,
                        l.scores[k].to_string(),
                        l.probs[k].to_string(),
                        l.dims[k].to_string(),
                        l.pct[k].to_string(),
                        fmt_opt(pct_ci.map(|c| c[0])),
                        fmt_opt(pct_ci.map(|c| c[1])),
                        fmt_opt(score_ci.map(|c| c[0])),
                        fmt_opt(score_ci.map(|c| c[1])),
                        l.stream.clone().unwrap_or_default(),
                    ]);
                    emit(row)?;
                }
            }
        }
        Ok(())
    })
}

/// Writes `unit_categories.csv` (percentages over all C channels).
pub fn write_unit_categories_csv(path: &Path, report: &Report) -> anyhow::Result<()> {
    let header = [
        "model",
        "checkpoint",
        "epoch",
        "layer",
        "threshold",
        "category",
        "channels",
        "pct",
    ];
    write_csv(path, &header, |emit| {
        for m in &report.models {
            for l in &m.layers {
                for c in Category::ALL {
                    let n = l.units.counts.get(c);
                    let pct = if l.channels == 0 {
                        0.0
                    } else {
                        100.0 * n as f64 / l.channels as f64
                    };
                    let mut row = key_fields(m, l).to_vec();
                    row.extend([
                        report.settings.threshold.to_string(),
                        c.name().to_string(),
                        n.to_string(),
                        pct.to_string(),
                    ]);
                    emit(row)?;
                }
            }
        }
        Ok(())
    })
}

/// Writes `channels.csv`.
pub fn write_channels_csv(path: &Path, report: &Report) -> anyhow::Result<()> {
    let header = [
        "model",
        "checkpoint",
        "epoch",
        "layer",
        "channel",
        "rho_dynamic",
        "rho_static",
        "softmax_dynamic",
        "softmax_static",
        "softmax_residual",
        "category",
        "rho_dynamic_lo",
        "rho_dynamic_hi",
        "rho_static_lo",
        "rho_static_hi",
        "stability",
    ];
    write_csv(path, &header, |emit| {
        for m in &report.models {
            for l in &m.layers {
                let u = &l.units;
                for ch in 0..l.channels {
                    let soft = u.softmax.get(ch).copied().flatten();
                    let ci = |v: &Option<Vec<Option<[f64; 2]>>>| {
                        v.as_ref().and_then(|v| v.get(ch).copied().flatten())
                    };
                    let (d, s) = (ci(&u.rho_dynamic_ci95), ci(&u.rho_static_ci95));
                    let stable = u
                        .stability
                        .as_ref()
                        .and_then(|v| v.get(ch).copied().flatten());
                    let mut row = key_fields(m, l).to_vec();
                    row.extend([
                        ch.to_string(),
                        fmt_opt(u.rho_dynamic.get(ch).copied().flatten()),
                        fmt_opt(u.rho_static.get(ch).copied().flatten()),
                        fmt_opt(soft.map(|s| s[0])),
                        fmt_opt(soft.map(|s| s[1])),
                        fmt_opt(soft.map(|s| s[2])),
                        u.category
                            .get(ch)
                            .map(|c| c.name())
                            .unwrap_or("")
                            .to_string(),
                        fmt_opt(d.map(|i| i[0])),
                        fmt_opt(d.map(|i| i[1])),
                        fmt_opt(s.map(|i| i[0])),
                        fmt_opt(s.map(|i| i[1])),
                        fmt_opt(stable),
                    ]);
                    emit(row)?;
                }
            }
        }
        Ok(())
    })
}

/// The reference code's two-row CSV: the dims row, then the pct row, written
/// as Python's `csv.writer` writes lists of ints and floats (CRLF line ends,
/// floats in `repr` form such as `40.0`).
pub fn dim_est_csv(layer: &LayerReport) -> String {
    let dims: Vec<String> = layer.dims.iter().map(|d| d.to_string()).collect();
    let pct: Vec<String> = layer.pct.iter().map(|p| format!("{p:?}")).collect();
    format!("{}\r\n{}\r\n", dims.join(","), pct.join(","))
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// File name of a layer's `_dim_est.csv`: `<layer>_dim_est.csv` when the
/// report has one model, else prefixed with the model (and checkpoint).
pub fn dim_est_file_name(report: &Report, model: &ModelReport, layer: &LayerReport) -> String {
    let mut stem = String::new();
    if report.models.len() > 1 {
        stem.push_str(&sanitize(&model.name));
        stem.push('_');
        if let Some(ck) = &model.checkpoint {
            let ck = Path::new(ck)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned());
            stem.push_str(&sanitize(&ck.unwrap_or_default()));
            stem.push('_');
        }
    }
    stem.push_str(&sanitize(&layer.name));
    format!("{stem}_dim_est.csv")
}

/// Writes every layer's `_dim_est.csv` into `dir` (names made unique if two
/// layers sanitize to the same name); returns the paths.
pub fn write_dim_est_csvs(dir: &Path, report: &Report) -> anyhow::Result<Vec<PathBuf>> {
    let mut seen = HashSet::new();
    let mut written = Vec::new();
    for m in &report.models {
        for l in &m.layers {
            let mut name = dim_est_file_name(report, m, l);
            let mut k = 2;
            while !seen.insert(name.clone()) {
                name = format!("{}_{k}_dim_est.csv", name.trim_end_matches("_dim_est.csv"));
                k += 1;
            }
            let path = dir.join(&name);
            let text = dim_est_csv(l);
            atomic_write(&path, |w| Ok(w.write_all(text.as_bytes())?))?;
            written.push(path);
        }
    }
    Ok(written)
}
