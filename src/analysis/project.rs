//! Project files (`*.stadyn.toml`): the probe set, the models (single files
//! or checkpoint folders/globs ordered by epoch), layers, estimator and run
//! settings. Relative paths are relative to the project file.
//!
//! ```toml
//! name = "demo"
//! [probe]
//! videos = "probe"            # folder; layout detected unless `layout` is set
//! pairs = 200
//! seed = 0
//! styles = ["colour-coffee", "paint"]   # default: all built-in
//! strength = 1             # the built-in styles' strength, 0 to 1 (default 1)
//! # style_strength = { paint = 0.5 }   # per style, over `strength`
//! [estimator]
//! threshold = 0.5
//! bootstrap = 200
//! [run]
//! device = "auto"
//! batch = 0                 # pairs per batch; 0 sizes batches to memory
//! [[model]]
//! name = "r3d"
//! path = "models/r3d_18.pt"         # one TorchScript file, or
//! # checkpoints = "ckpt/*.pt"       # a glob or a folder of checkpoints
//! # layers = ["layer3", "layer4"]
//! ```

use super::ProbeSpec;
use crate::model::Manifest;
use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A parsed project file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// The probe set.
    pub probe: ProbeSpec,
    /// Estimator settings.
    #[serde(default)]
    pub estimator: EstimatorSettings,
    /// Run settings.
    #[serde(default)]
    pub run: RunSettings,
    /// The models.
    #[serde(rename = "model", default)]
    pub models: Vec<ModelEntry>,
}

/// Estimator settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EstimatorSettings {
    /// Unit-category threshold τ.
    pub threshold: f64,
    /// Bootstrap replicates.
    pub bootstrap: usize,
    /// Pair members kept per channel at each end (top windows).
    pub top_k: usize,
    /// Pairs per factor sampled with every channel's values.
    pub sample_pairs: usize,
    /// Bootstrap replicates that also keep per-channel moments (channel
    /// intervals and stability), at most `bootstrap`.
    pub channel_bootstrap: usize,
}

impl Default for EstimatorSettings {
    fn default() -> Self {
        let units = crate::stats::UnitConfig::default();
        Self {
            threshold: 0.5,
            bootstrap: 200,
            top_k: units.top_k,
            sample_pairs: units.sample_pairs,
            channel_bootstrap: units.replicates,
        }
    }
}

impl EstimatorSettings {
    /// The channel evidence these settings keep.
    pub fn units(&self) -> crate::stats::UnitConfig {
        crate::stats::UnitConfig {
            top_k: self.top_k,
            sample_pairs: self.sample_pairs,
            replicates: self.channel_bootstrap,
        }
    }
}

/// Run settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunSettings {
    /// `auto`, `cpu`, `cuda` or `cuda:N`.
    pub device: String,
    /// Pairs per model batch (0: sized to memory).
    pub batch: usize,
    /// libtorch threads (default: all cores).
    pub threads: Option<usize>,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self {
            device: "auto".into(),
            batch: 0,
            threads: None,
        }
    }
}

/// One model entry: a file or a set of checkpoints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    /// Display name (default: the file or folder stem).
    #[serde(default)]
    pub name: Option<String>,
    /// One TorchScript file.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// A glob (`ckpt/*.pt`) or a folder of TorchScript checkpoints.
    #[serde(default)]
    pub checkpoints: Option<String>,
    /// Layers to probe (default: the manifest's, or every output).
    #[serde(default)]
    pub layers: Vec<String>,
}

/// One model file to run, with its place among checkpoints.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSpec {
    /// Model (group) name.
    pub name: String,
    /// The TorchScript file.
    pub path: PathBuf,
    /// Checkpoint label (file name) when the model has several.
    pub checkpoint: Option<String>,
    /// Epoch, from the manifest or the file name.
    pub epoch: Option<f64>,
    /// Layers to probe (empty: manifest's or all).
    pub layers: Vec<String>,
}

impl ModelSpec {
    /// One model file (no checkpoints) under `name`, every layer it returns.
    pub fn file(name: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        Self {
            name: name.into(),
            path: path.into(),
            checkpoint: None,
            epoch: None,
            layers: Vec::new(),
        }
    }
}

impl Project {
    /// Reads a project file, making paths absolute relative to it.
    pub fn load(path: &Path) -> anyhow::Result<Project> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read project '{}'", path.display()))?;
        let mut p: Project = toml::from_str(&text)
            .with_context(|| format!("project '{}' is not valid", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        p.probe.videos = base.join(&p.probe.videos);
        if let Some(g) = &mut p.probe.generate {
            for f in &mut g.include {
                *f = base.join(&*f);
            }
        }
        for m in &mut p.models {
            if let Some(f) = &m.path {
                m.path = Some(base.join(f));
            }
            if let Some(g) = &m.checkpoints {
                m.checkpoints = Some(base.join(g).to_string_lossy().into_owned());
            }
        }
        if p.models.is_empty() {
            anyhow::bail!("project '{}' has no [[model]]", path.display());
        }
        Ok(p)
    }

    /// Writes the project to `path` (atomically), its paths relative to the
    /// file's folder where they lie inside it, so that the folder can move;
    /// [`Project::load`] reads it back as it was.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let base = path.parent().unwrap_or(Path::new("."));
        let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
        let rel = |p: &Path| -> PathBuf {
            let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
            abs.strip_prefix(&base)
                .map_or(abs.clone(), Path::to_path_buf)
        };
        let mut p = self.clone();
        p.probe.videos = rel(&p.probe.videos);
        if let Some(g) = &mut p.probe.generate {
            for f in &mut g.include {
                *f = rel(f);
            }
        }
        for m in &mut p.models {
            if let Some(f) = &m.path {
                m.path = Some(rel(f));
            }
            if let Some(g) = &m.checkpoints {
                m.checkpoints = Some(rel(Path::new(g)).to_string_lossy().into_owned());
            }
        }
        let text = toml::to_string_pretty(&p).context("cannot write the project as TOML")?;
        crate::files::atomic_write(path, |w| {
            w.write_all(b"# A stadyn project (saved by stadyn).\n")?;
            Ok(w.write_all(text.as_bytes())?)
        })
        .with_context(|| format!("cannot save the project to '{}'", path.display()))
    }
}

/// Expands model entries into the files to run; checkpoints ordered by
/// epoch (those whose epoch neither manifest nor name states come last, in
/// natural order of their names). Two entries with the same name are
/// refused: reports, caches and the app tell models apart by name
/// (checkpoints of one entry share it).
pub fn expand_models(entries: &[ModelEntry]) -> anyhow::Result<Vec<ModelSpec>> {
    let mut out: Vec<ModelSpec> = Vec::new();
    let mut names: Vec<(String, String)> = Vec::new();
    for e in entries {
        let first = out.len();
        match (&e.path, &e.checkpoints) {
            (Some(path), None) => {
                let manifest = Manifest::for_model(path).ok().map(|(m, _)| m);
                out.push(ModelSpec {
                    name: e
                        .name
                        .clone()
                        .or_else(|| manifest.as_ref().and_then(|m| m.name.clone()))
                        .unwrap_or_else(|| stem(path)),
                    path: path.clone(),
                    checkpoint: None,
                    epoch: manifest.and_then(|m| m.epoch),
                    layers: e.layers.clone(),
                });
            }
            (None, Some(pattern)) => {
                let files = checkpoint_files(pattern)?;
                let name = e.name.clone().unwrap_or_else(|| {
                    let p = Path::new(pattern);
                    stem(if p.is_dir() {
                        p
                    } else {
                        p.parent().unwrap_or(p)
                    })
                });
                let mut specs: Vec<ModelSpec> = files
                    .into_iter()
                    .map(|f| ModelSpec {
                        name: name.clone(),
                        checkpoint: f.file_name().map(|n| n.to_string_lossy().into_owned()),
                        epoch: checkpoint_epoch(&f),
                        path: f,
                        layers: e.layers.clone(),
                    })
                    .collect();
                specs.sort_by(|a, b| {
                    a.epoch
                        .unwrap_or(f64::INFINITY)
                        .total_cmp(&b.epoch.unwrap_or(f64::INFINITY))
                        .then_with(|| crate::video::natural_path_cmp(&a.path, &b.path))
                });
                out.extend(specs);
            }
            _ => anyhow::bail!("each [[model]] needs exactly one of `path` or `checkpoints`"),
        }
        let what = e
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .or_else(|| e.checkpoints.clone())
            .unwrap_or_default();
        if let Some(m) = out.get(first) {
            if let Some((_, other)) = names.iter().find(|(n, _)| *n == m.name) {
                anyhow::bail!(
                    "two models are named '{}' ({other} and {what}): give each [[model]] (or \
                     --model file) its own name",
                    m.name
                );
            }
            names.push((m.name.clone(), what));
        }
    }
    Ok(out)
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into())
}

/// The `.pt` files of a folder or a glob.
pub fn checkpoint_files(pattern: &str) -> anyhow::Result<Vec<PathBuf>> {
    let p = Path::new(pattern);
    let pattern = if p.is_dir() {
        p.join("*.pt").to_string_lossy().into_owned()
    } else {
        pattern.to_string()
    };
    let files: Vec<PathBuf> = glob::glob(&pattern)
        .with_context(|| format!("bad checkpoint pattern '{pattern}'"))?
        .filter_map(Result::ok)
        .filter(|f| f.is_file())
        .collect();
    if files.is_empty() {
        anyhow::bail!("no checkpoints match '{pattern}'");
    }
    Ok(files)
}

/// A checkpoint's epoch: the manifest's `epoch`, else what the file name
/// says (see [`epoch_from_name`]); `None` when neither says.
pub fn checkpoint_epoch(path: &Path) -> Option<f64> {
    if let Ok((m, None)) = Manifest::for_model(path)
        && m.epoch.is_some()
    {
        return m.epoch;
    }
    epoch_from_name(&path.file_stem()?.to_string_lossy())
}

/// The epoch a checkpoint's file name states, in the usual patterns:
/// `epoch=3-step=1000` (PyTorch Lightning), `epoch_3`, `epoch-3`,
/// `checkpoint_epoch_00100`, `epoch_00.25`, `ep3`, `e05` (as a word:
/// `model_e05_acc0.83`), or a name that is only a number (`10`). Other
/// numbers (steps, accuracies) are never taken for the epoch. `None` when
/// the name states none, or two different ones.
pub fn epoch_from_name(stem: &str) -> Option<f64> {
    let s = stem.to_ascii_lowercase();
    let mut found: Vec<f64> = Vec::new();
    // `epoch` followed by an optional separator and a number
    let mut at = 0;
    while let Some(k) = s[at..].find("epoch") {
        let rest = &s[at + k + 5..];
        let rest = rest.strip_prefix(['=', '_', '-']).unwrap_or(rest);
        if let Some(v) = leading_number(rest) {
            found.push(v);
        }
        at += k + 5;
    }
    if found.is_empty() {
        // `ep3` / `e05` as a whole word
        for word in s.split(['_', '-', '=', ' ']) {
            let digits = word
                .strip_prefix("ep")
                .or_else(|| word.strip_prefix('e'))
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
            if let Some(v) = digits.and_then(|d| d.parse::<f64>().ok()) {
                found.push(v);
            }
        }
    }
    if found.is_empty() {
        found.extend(s.parse::<f64>().ok().filter(|v| v.is_finite()));
    }
    let first = *found.first()?;
    found.iter().all(|&v| v == first).then_some(first)
}

/// The number at the start of `s` (digits, optionally `.digits`).
fn leading_number(s: &str) -> Option<f64> {
    let int = s.bytes().take_while(u8::is_ascii_digit).count();
    if int == 0 {
        return None;
    }
    let frac = s[int..]
        .strip_prefix('.')
        .map(|f| f.bytes().take_while(u8::is_ascii_digit).count())
        .filter(|&n| n > 0)
        .map_or(0, |n| n + 1);
    s[..int + frac].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::epoch_from_name;

    #[test]
    fn epochs_are_read_from_the_usual_checkpoint_names() {
        for (name, epoch) in [
            ("epoch=3-step=1000", Some(3.0)),
            ("epoch_3", Some(3.0)),
            ("epoch-3", Some(3.0)),
            ("ep3", Some(3.0)),
            ("e05", Some(5.0)),
            ("model_e05_acc0.83", Some(5.0)),
            ("checkpoint_epoch_00100", Some(100.0)),
            ("epoch_00.25", Some(0.25)),
            ("Epoch7", Some(7.0)),
            ("10", Some(10.0)),
            ("step=1000", None),
            ("model_final", None),
            ("best_acc0.91", None),
            ("epoch_2_epoch_3", None),
        ] {
            assert_eq!(epoch_from_name(name), epoch, "{name}");
        }
    }

    #[test]
    fn a_saved_project_reads_back_the_same_job() {
        use super::Project;
        use crate::analysis::JobSpec;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut demo = Project::load(&root.join("sample_data/demo.stadyn.toml")).unwrap();
        // Its first model (committed checkpoints) over a few clips made here
        // (the demo's own probe set is generated on first use).
        let d = tempfile::tempdir().unwrap();
        let spec = crate::video::demo::DemoSpec {
            frames: 8,
            width: 24,
            height: 24,
            ..crate::video::demo::DemoSpec::new(crate::video::demo::DemoTask::Motion, 1)
        };
        let probe = d.path().join("elsewhere/probe");
        crate::video::demo::write_demo_data(&spec, 3, &probe, |_, _| {}).unwrap();
        demo.probe.videos = probe;
        demo.probe.generate = None;
        demo.models.truncate(1);
        // Saved elsewhere: paths outside the file's folder stay absolute.
        let file = d.path().join("saved/copy.stadyn.toml");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let mut edited = demo.clone();
        edited.probe.pairs = 120;
        edited.estimator.bootstrap = 50;
        edited.run.batch = 16;
        edited.save(&file).unwrap();
        let back = Project::load(&file).unwrap();
        assert_eq!(back, edited);
        // The same job: same identity, so the same cache entry.
        let key = |p: &Project| JobSpec::from_project(p).unwrap().identity().unwrap().0;
        assert_eq!(key(&back), key(&edited));
        assert_ne!(key(&back), key(&demo), "the edits are part of it");
        // Saved beside its files: they are written relative to it.
        let models = d.path().join("models");
        std::fs::create_dir_all(d.path().join("clips")).unwrap();
        std::fs::create_dir_all(&models).unwrap();
        let mut local = edited.clone();
        local.probe.videos = d.path().join("clips");
        local.models[0].checkpoints = Some(models.join("*.pt").display().to_string());
        let file = d.path().join("local.stadyn.toml");
        local.save(&file).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("videos = \"clips\""), "{text}");
        assert!(text.contains("checkpoints = \"models/*.pt\""), "{text}");
        assert_eq!(Project::load(&file).unwrap(), local);
    }
}
