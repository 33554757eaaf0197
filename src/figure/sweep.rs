//! A style-strength sweep (`stadyn sweep`): the same job at several
//! strengths of the built-in styles, and each layer's shares against the
//! strength. `sweep.csv` holds exactly what the figure and the app draw,
//! one row per model × checkpoint × layer × strength × factor:
//! `model,checkpoint,epoch,layer,strength,factor,pct,lo,hi`.
//!
//! Why: the dynamic pairs differ only by style, so a weaker style makes
//! the members more alike and the dynamic share can only look larger. How
//! far a layer's shares move with the strength says how much its numbers
//! owe to the styles chosen.

use super::data::{CurvePoint, TrainingCurve};
use crate::report::Report;
use anyhow::Context as _;
use std::path::Path;

const FACTORS: [&str; 3] = ["dynamic", "static", "residual"];

/// One layer of one entry at one strength.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRow {
    /// Model name.
    pub model: String,
    /// Checkpoint label (empty: none).
    pub checkpoint: String,
    /// Epoch, when known.
    pub epoch: Option<f64>,
    /// Layer name.
    pub layer: String,
    /// Strength of the built-in styles.
    pub strength: f64,
    /// `[dynamic, static, residual]` percentages.
    pub pct: [f64; 3],
    /// Their 95 % intervals, when computed.
    pub ci: Option<[[f64; 2]; 3]>,
}

/// A sweep's table as the app holds it: where it was read, and its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// The sweep's folder (holding `sweep.csv`).
    pub dir: std::path::PathBuf,
    /// Its rows.
    pub rows: Vec<SweepRow>,
}

impl Sweep {
    /// Reads the sweep of folder `dir` (its `sweep.csv`).
    pub fn read(dir: &Path) -> anyhow::Result<Sweep> {
        Ok(Sweep {
            dir: dir.to_path_buf(),
            rows: read_sweep_csv(&dir.join("sweep.csv"))?,
        })
    }

    /// The sweep a report at `report_path` belongs to: `sweep.csv` in the
    /// report's folder or the one above (`DIR/strength_<s>/report.json`).
    /// `None` when there is none; `Err` when there is one that cannot be read.
    pub fn beside(report_path: &Path) -> Option<anyhow::Result<Sweep>> {
        let folder = report_path.parent()?;
        [Some(folder), folder.parent()]
            .into_iter()
            .flatten()
            .find(|d| d.join("sweep.csv").is_file())
            .map(Sweep::read)
    }

    /// The report to show for a sweep folder: its full-strength run, else
    /// its strongest.
    pub fn main_report(dir: &Path) -> Option<std::path::PathBuf> {
        let mut runs: Vec<(f64, std::path::PathBuf)> = std::fs::read_dir(dir)
            .ok()?
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let s: f64 = name.strip_prefix("strength_")?.parse().ok()?;
                let report = e.path().join("report.json");
                report.is_file().then_some((s, report))
            })
            .collect();
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        runs.pop().map(|(_, p)| p)
    }

    /// Whether the sweep has results for entry `(model, checkpoint)`.
    pub fn has(&self, model: &str, checkpoint: &str) -> bool {
        self.rows
            .iter()
            .any(|r| r.model == model && r.checkpoint == checkpoint)
    }
}

/// The rows of the reports of a sweep, `(strength, report)` each, in the
/// order given.
pub fn sweep_rows(runs: &[(f64, Report)]) -> Vec<SweepRow> {
    let mut rows = Vec::new();
    for (strength, report) in runs {
        for m in &report.models {
            for l in &m.layers {
                rows.push(SweepRow {
                    model: m.name.clone(),
                    checkpoint: m.checkpoint.clone().unwrap_or_default(),
                    epoch: m.epoch,
                    layer: l.name.clone(),
                    strength: *strength,
                    pct: l.pct,
                    ci: l.ci95.as_ref().map(|c| c.pct),
                });
            }
        }
    }
    rows
}

/// The text of `sweep.csv`.
pub fn sweep_csv(rows: &[SweepRow]) -> anyhow::Result<String> {
    let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "model",
        "checkpoint",
        "epoch",
        "layer",
        "strength",
        "factor",
        "pct",
        "lo",
        "hi",
    ])?;
    for r in rows {
        for (k, factor) in FACTORS.iter().enumerate() {
            w.write_record([
                r.model.clone(),
                r.checkpoint.clone(),
                opt(r.epoch),
                r.layer.clone(),
                r.strength.to_string(),
                (*factor).to_string(),
                r.pct[k].to_string(),
                opt(r.ci.map(|c| c[k][0])),
                opt(r.ci.map(|c| c[k][1])),
            ])?;
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// Reads `sweep.csv` back into rows (three lines per row, as written).
pub fn read_sweep_csv(path: &Path) -> anyhow::Result<Vec<SweepRow>> {
    let bad = |why: String| anyhow::anyhow!("'{}' is not a sweep table: {why}", path.display());
    let mut reader = ::csv::Reader::from_path(path)
        .with_context(|| format!("cannot read '{}'", path.display()))?;
    let header: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
    if header
        != [
            "model",
            "checkpoint",
            "epoch",
            "layer",
            "strength",
            "factor",
            "pct",
            "lo",
            "hi",
        ]
    {
        return Err(bad(format!("its columns are {}", header.join(","))));
    }
    let num = |s: &str, what: &str| -> anyhow::Result<f64> {
        let v: f64 = s
            .parse()
            .map_err(|_| bad(format!("{what} '{s}' is not a number")))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(bad(format!("{what} is {v}")))
        }
    };
    let opt = |s: &str, what: &str| -> anyhow::Result<Option<f64>> {
        if s.is_empty() {
            Ok(None)
        } else {
            num(s, what).map(Some)
        }
    };
    let records: Vec<::csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    if !records.len().is_multiple_of(3) {
        return Err(bad(format!("{} lines, not three per layer", records.len())));
    }
    let mut rows = Vec::new();
    for three in records.chunks(3) {
        let r = &three[0];
        let mut row = SweepRow {
            model: r[0].to_string(),
            checkpoint: r[1].to_string(),
            epoch: opt(&r[2], "epoch")?,
            layer: r[3].to_string(),
            strength: num(&r[4], "strength")?,
            pct: [0.0; 3],
            ci: Some([[0.0; 2]; 3]),
        };
        for (k, line) in three.iter().enumerate() {
            if &line[5] != FACTORS[k] || (0..5).any(|i| line[i] != r[i]) {
                return Err(bad(format!(
                    "the lines of {} {} at strength {} are not dynamic, static, residual",
                    row.model, row.layer, row.strength
                )));
            }
            row.pct[k] = num(&line[6], "pct")?;
            match (opt(&line[7], "lo")?, opt(&line[8], "hi")?) {
                (Some(lo), Some(hi)) => {
                    if let Some(ci) = &mut row.ci {
                        ci[k] = [lo, hi];
                    }
                }
                _ => row.ci = None,
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The entries of a sweep, `(model, checkpoint)`, in first-seen order.
pub fn sweep_entries(rows: &[SweepRow]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for r in rows {
        let e = (r.model.clone(), r.checkpoint.clone());
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// One curve per layer of entry `(model, checkpoint)`: its shares against
/// the strength (each point's `epoch` holds the strength), in increasing
/// strength, layers in first-seen order.
pub fn sweep_curves(rows: &[SweepRow], model: &str, checkpoint: &str) -> Vec<TrainingCurve> {
    let mine: Vec<&SweepRow> = rows
        .iter()
        .filter(|r| r.model == model && r.checkpoint == checkpoint)
        .collect();
    let mut layers: Vec<&str> = Vec::new();
    for r in &mine {
        if !layers.contains(&r.layer.as_str()) {
            layers.push(&r.layer);
        }
    }
    layers
        .into_iter()
        .map(|layer| {
            let mut points: Vec<CurvePoint> = mine
                .iter()
                .filter(|r| r.layer == layer)
                .map(|r| CurvePoint {
                    model_index: 0,
                    epoch: r.strength,
                    checkpoint: (!r.checkpoint.is_empty()).then(|| r.checkpoint.clone()),
                    pct: r.pct,
                    ci: r.ci,
                    probs: [f64::NAN; 3],
                    probs_ci: None,
                })
                .collect();
            points.sort_by(|a, b| a.epoch.total_cmp(&b.epoch));
            TrainingCurve {
                layer: layer.to_string(),
                points,
                settled: None,
                settled_probs: None,
            }
        })
        .collect()
}

/// The figure of a sweep: for the last checkpoint of every model, one
/// panel per layer of its shares against the strength, models side by side.
pub fn sweep_svg(rows: &[SweepRow], title: &str) -> String {
    let entries = sweep_entries(rows);
    let mut last: Vec<(String, String)> = Vec::new();
    for (m, c) in &entries {
        // Entries come in report order: a model's last checkpoint wins.
        match last.iter_mut().find(|(lm, _)| lm == m) {
            Some(e) => e.1 = c.clone(),
            None => last.push((m.clone(), c.clone())),
        }
    }
    let parts: Vec<String> = last
        .iter()
        .map(|(m, c)| {
            let name = if c.is_empty() {
                m.clone()
            } else {
                format!("{m} @ {c}")
            };
            super::svg::curves_svg(
                &sweep_curves(rows, m, c),
                &format!("{title}: {name}"),
                "style strength (0: the clip itself, 1: the style in full)",
                false,
            )
        })
        .collect();
    super::svg::compose(&[parts])
}

/// Layers whose shares at the weakest and the strongest strength differ
/// by more than the intervals allow (the two intervals do not overlap):
/// `(model, checkpoint, layer, factor)`, for the command's summary.
pub fn strength_sensitive(rows: &[SweepRow]) -> Vec<(String, String, String, &'static str)> {
    let mut out = Vec::new();
    for (m, c) in sweep_entries(rows) {
        for curve in sweep_curves(rows, &m, &c) {
            let (Some(a), Some(b)) = (curve.points.first(), curve.points.last()) else {
                continue;
            };
            for k in 0..2 {
                if let (Some(ca), Some(cb)) = (a.ci, b.ci)
                    && (ca[k][1] < cb[k][0] || cb[k][1] < ca[k][0])
                {
                    out.push((m.clone(), c.clone(), curve.layer.clone(), FACTORS[k]));
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::testing;

    fn run(strength: f64, d: f64, ci: [[f64; 2]; 3]) -> (f64, Report) {
        let rhos = [(Some(0.9), Some(0.2)), (Some(0.3), Some(0.8))];
        let layer = |name| testing::layer(name, &rhos, [d, 30.0, 70.0 - d], Some(ci), 40);
        let m = testing::model("m", Some(3.0), vec![layer("a"), layer("b")]);
        (strength, testing::report(vec![m], 10))
    }

    #[test]
    fn the_table_reads_back_as_written_and_curves_follow_the_strength() {
        let wide = [[10.0, 30.0], [25.0, 35.0], [40.0, 60.0]];
        let narrow_high = [[44.0, 46.0], [28.0, 32.0], [20.0, 30.0]];
        let runs = vec![
            run(1.0, 20.0, wide),
            run(0.0, 45.0, narrow_high),
            run(0.5, 30.0, wide),
        ];
        let rows = sweep_rows(&runs);
        assert_eq!(rows.len(), 6);
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sweep.csv");
        std::fs::write(&p, sweep_csv(&rows).unwrap()).unwrap();
        assert_eq!(read_sweep_csv(&p).unwrap(), rows);
        let curves = sweep_curves(&rows, "m", "epoch_3.pt");
        assert_eq!(curves.len(), 2);
        let xs: Vec<f64> = curves[0].points.iter().map(|p| p.epoch).collect();
        assert_eq!(xs, [0.0, 0.5, 1.0]);
        assert_eq!(curves[0].points[0].pct[0], 45.0);
        // Dynamic at 0 ([44, 46]) and at 1 ([10, 30]) do not overlap.
        let moved = strength_sensitive(&rows);
        assert_eq!(moved.len(), 2, "{moved:?}");
        assert!(moved.iter().all(|m| m.3 == "dynamic"));
        assert!(sweep_svg(&rows, "t").contains("m @ epoch_3.pt"));
    }

    #[test]
    fn a_damaged_table_is_refused_with_the_reason() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sweep.csv");
        let rows = sweep_rows(&[run(1.0, 20.0, [[0.0, 1.0]; 3])]);
        let text = sweep_csv(&rows).unwrap();
        let cut: Vec<&str> = text.lines().take(3).collect();
        std::fs::write(&p, cut.join("\n")).unwrap();
        let e = read_sweep_csv(&p).unwrap_err().to_string();
        assert!(e.contains("not three per layer"), "{e}");
        std::fs::write(&p, text.replace(",static,", ",dynamic,")).unwrap();
        let e = read_sweep_csv(&p).unwrap_err().to_string();
        assert!(e.contains("not dynamic, static, residual"), "{e}");
        std::fs::write(&p, text.replace("model,", "name,")).unwrap();
        assert!(read_sweep_csv(&p).is_err());
        std::fs::write(&p, text.replacen(",20,", ",inf,", 1)).unwrap();
        assert!(read_sweep_csv(&p).is_err());
    }
}
