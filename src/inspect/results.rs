//! [`Results`]: a results folder's report and statistics, checked against
//! the files they were made from.

use crate::analysis::{ModelStats, StatsFile, file_hash};
use crate::report::{LayerReport, ModelReport, Report, read_report};
use crate::stats::LayerAccumulator;
use anyhow::Context as _;
use std::path::{Path, PathBuf};

/// A results folder: `report.json` and the `stats.bin` it was built from.
pub struct Results {
    /// The folder.
    pub dir: PathBuf,
    /// The report.
    pub report: Report,
    /// The statistics.
    pub stats: StatsFile,
}

/// Which model of a report: `NAME`, `NAME@EPOCH` or `NAME@FILE`.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSelector {
    /// The model's name.
    pub name: String,
    /// An epoch or a checkpoint file name.
    pub at: Option<String>,
}

impl std::str::FromStr for ModelSelector {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (name, at) = match s.split_once('@') {
            Some((n, a)) => (n, Some(a.to_string())),
            None => (s, None),
        };
        if name.is_empty() {
            return Err(format!("'{s}': expected MODEL, MODEL@EPOCH or MODEL@FILE"));
        }
        Ok(Self {
            name: name.to_string(),
            at,
        })
    }
}

impl Results {
    /// Opens `dir/report.json` and `dir/stats.bin` of a job that ran over
    /// probe videos (the channel inspector rebuilds pairs from them); a
    /// report without its statistics, statistics of another job, or of
    /// activations from a file, is an error saying so.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        let r = Self::load(dir, "the channel inspector")?;
        if r.stats.probe.is_none() {
            anyhow::bail!(
                "'{}' holds statistics of activations (stadyn estimate): there are no videos \
                 to show",
                dir.display()
            );
        }
        Ok(r)
    }

    /// Opens `dir/report.json` and `dir/stats.bin` (of any job); `who`
    /// (what needs them) is named when the statistics are missing.
    pub fn load(dir: &Path, who: &str) -> anyhow::Result<Self> {
        let report = read_report(&dir.join("report.json"))?;
        let stats_path = dir.join("stats.bin");
        if !stats_path.is_file() {
            anyhow::bail!(
                "'{}' has no stats.bin: {who} needs the statistics beside the report \
                 (stadyn analyze --out writes both)",
                dir.display()
            );
        }
        let stats = StatsFile::load(&stats_path)?;
        if report.job_key.as_deref() != Some(stats.job_key.as_str()) {
            anyhow::bail!(
                "'{}': report.json and stats.bin are of different jobs",
                dir.display()
            );
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            report,
            stats,
        })
    }

    /// The files that changed since the results were made (see
    /// [`changed_files`]).
    pub fn changed_files(&self) -> anyhow::Result<Vec<String>> {
        changed_files(&self.stats)
    }

    /// The index of the model `sel` names; several checkpoints of one name
    /// need `@EPOCH` or `@FILE`, and the error lists them.
    pub fn find_model(&self, sel: &ModelSelector) -> anyhow::Result<usize> {
        let models = &self.report.models;
        let named: Vec<usize> = (0..models.len())
            .filter(|&i| models[i].name == sel.name)
            .collect();
        if named.is_empty() {
            let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
            anyhow::bail!(
                "no model '{}' in the results; models: {}",
                sel.name,
                names.join(", ")
            );
        }
        let matches = |m: &ModelReport, at: &str| {
            m.checkpoint.as_deref() == Some(at)
                || at
                    .parse::<f64>()
                    .is_ok_and(|e| m.epoch.is_some_and(|me| (me - e).abs() < 1e-9))
        };
        let chosen: Vec<usize> = match &sel.at {
            Some(at) => named
                .iter()
                .copied()
                .filter(|&i| matches(&models[i], at))
                .collect(),
            None => named.clone(),
        };
        match chosen.as_slice() {
            [one] => Ok(*one),
            _ => {
                let list: Vec<String> = named
                    .iter()
                    .map(|&i| {
                        let m = &models[i];
                        match (&m.checkpoint, m.epoch) {
                            (Some(c), Some(e)) => format!("{}@{e} ({c})", m.name),
                            (Some(c), None) => format!("{}@{c}", m.name),
                            _ => m.name.clone(),
                        }
                    })
                    .collect();
                anyhow::bail!(
                    "'{}' {} checkpoint; choose one of: {}",
                    sel.name,
                    if chosen.is_empty() {
                        "names no"
                    } else {
                        "names more than one"
                    },
                    list.join(", ")
                )
            }
        }
    }

    /// Model `m`'s statistics and report of layer `layer` (see [`layer_of`]).
    pub fn layer(
        &self,
        m: usize,
        layer: &str,
    ) -> anyhow::Result<(&ModelStats, &LayerAccumulator, &LayerReport)> {
        layer_of(&self.report, &self.stats, m, layer)
    }
}

/// The files that changed since `stats` were made: each model file whose
/// SHA-256 differs (or that is gone), and each probe file whose size or
/// modification time differs (or that is gone or new), as the job's
/// identity compares them.
pub fn changed_files(stats: &StatsFile) -> anyhow::Result<Vec<String>> {
    let mut changed = Vec::new();
    for m in &stats.models {
        match file_hash(Path::new(&m.path)) {
            Ok(h) if h == m.sha256 => {}
            Ok(_) => changed.push(format!("{} (its SHA-256 differs)", m.path)),
            Err(_) => changed.push(format!("{} (cannot be read)", m.path)),
        }
    }
    let probe = stats.probe.as_ref().context("no probe settings")?;
    let now = crate::analysis::probe_listing(probe).unwrap_or_default();
    let then = &stats.probe_files;
    for f in then.iter().filter(|f| !now.contains(f)) {
        let gone = !now.iter().any(|n| n.0 == f.0);
        changed.push(format!(
            "{} ({})",
            f.0,
            if gone { "gone" } else { "size or time differs" }
        ));
    }
    for f in now.iter().filter(|n| !then.iter().any(|t| t.0 == n.0)) {
        changed.push(format!("{} (new)", f.0));
    }
    Ok(changed)
}

/// Model `m` of `report`: its statistics and report of layer `layer`.
pub fn layer_of<'a>(
    report: &'a Report,
    stats: &'a StatsFile,
    m: usize,
    layer: &str,
) -> anyhow::Result<(&'a ModelStats, &'a LayerAccumulator, &'a LayerReport)> {
    let rm = report.models.get(m).context("no such model")?;
    let sm = stats
        .models
        .iter()
        .find(|s| s.name == rm.name && s.checkpoint == rm.checkpoint)
        .context("the statistics do not have this model")?;
    let names: Vec<&str> = rm.layers.iter().map(|l| l.name.as_str()).collect();
    let lr = rm
        .layers
        .iter()
        .find(|l| l.name == layer)
        .with_context(|| format!("no layer '{layer}'; layers: {}", names.join(", ")))?;
    let acc = sm
        .layers
        .iter()
        .find(|l| l.name() == layer)
        .context("the statistics do not have this layer")?;
    Ok((sm, acc, lr))
}
