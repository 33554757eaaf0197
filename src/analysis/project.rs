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
//! styles = ["reinhard", "texture", "posterize", "paint"]   # default: all built-in
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

use crate::model::Manifest;
use crate::video::demo::{DemoData, DemoSpec, DemoTask, write_demo_data};
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
    pub probe: ProbeSettings,
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

/// Probe-set settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSettings {
    /// Folder of probe videos.
    pub videos: PathBuf,
    /// Layout name (`files`, `classes`, `frames`, `davis`, `stylized`); detected if absent.
    #[serde(default)]
    pub layout: Option<String>,
    /// Number of pairs.
    #[serde(default = "default_pairs")]
    pub pairs: usize,
    /// Seed of the pair plan.
    #[serde(default)]
    pub seed: u64,
    /// Built-in style names (default: all).
    #[serde(default)]
    pub styles: Vec<String>,
    /// Frames T, overriding the models' manifests.
    #[serde(default)]
    pub frames: Option<usize>,
    /// Window W, overriding the models' manifests.
    #[serde(default)]
    pub window: Option<usize>,
    /// Demo clips to generate into `videos` when they are not there yet
    /// (see [`Project::prepare_probe`]).
    #[serde(default)]
    pub generate: Option<GenerateSettings>,
}

/// A probe set that stadyn makes itself (`[probe.generate]`): `n` demo clips
/// of `task` (see [`crate::video::demo`]), plus files copied in beside them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateSettings {
    /// `motion`, `appearance` or `scenes`.
    pub task: DemoTask,
    /// Number of clips.
    pub n: usize,
    /// Seed of the clips.
    #[serde(default)]
    pub seed: u64,
    /// Frames per clip.
    #[serde(default = "default_frames")]
    pub frames: usize,
    /// Frame size `[width, height]`.
    #[serde(default = "default_size")]
    pub size: [u32; 2],
    /// Video files copied into the folder too (relative to the project file),
    /// e.g. real footage the set-up step fetched.
    #[serde(default)]
    pub include: Vec<PathBuf>,
}

fn default_frames() -> usize {
    16
}

fn default_size() -> [u32; 2] {
    [64, 64]
}

impl GenerateSettings {
    /// The generator's spec.
    pub fn spec(&self) -> DemoSpec {
        DemoSpec {
            frames: self.frames,
            width: self.size[0],
            height: self.size[1],
            ..DemoSpec::new(self.task, self.seed)
        }
    }
}

fn default_pairs() -> usize {
    200
}

/// Estimator settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EstimatorSettings {
    /// Unit-category threshold τ.
    pub threshold: f64,
    /// Bootstrap replicates.
    pub bootstrap: usize,
}

impl Default for EstimatorSettings {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            bootstrap: 200,
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
}

impl Project {
    /// Makes sure a generated probe set (`[probe.generate]`) is in place:
    /// when `videos` lacks the clips (or holds others), writes them, and
    /// copies the `include` files in. Returns what was done, `None` when
    /// nothing was needed. Projects without `[probe.generate]` are untouched.
    pub fn prepare_probe(&self) -> anyhow::Result<Option<String>> {
        let Some(g) = &self.probe.generate else {
            return Ok(None);
        };
        let dir = &self.probe.videos;
        let mut done = Vec::new();
        let current = std::fs::read_to_string(dir.join("demo-data.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<DemoData>(&t).ok())
            .is_some_and(|d| d.spec == g.spec() && d.n == g.n && dir.join("clips.npy").is_file());
        if !current {
            write_demo_data(&g.spec(), g.n, dir, |_, _| {})?;
            done.push(format!("generated {} {} clips", g.n, g.task));
        }
        for f in &g.include {
            let name = f
                .file_name()
                .with_context(|| format!("include '{}' is not a file", f.display()))?;
            let to = dir.join(name);
            let same = |a: &Path, b: &Path| {
                let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
                    return false;
                };
                a.len() == b.len()
            };
            if !same(f, &to) {
                if !f.is_file() {
                    anyhow::bail!(
                        "the probe set includes '{}', which does not exist (the set-up step \
                         `scripts/setup.sh` fetches it)",
                        f.display()
                    );
                }
                crate::export::atomic_write(&to, |out| {
                    let mut from = std::fs::File::open(f)?;
                    std::io::copy(&mut from, out)?;
                    Ok(())
                })?;
                done.push(format!("copied in {}", f.display()));
            }
        }
        Ok((!done.is_empty()).then(|| format!("{}: {}", dir.display(), done.join(", "))))
    }
}

/// Expands model entries into the files to run; checkpoints ordered by epoch.
pub fn expand_models(entries: &[ModelEntry]) -> anyhow::Result<Vec<ModelSpec>> {
    let mut out = Vec::new();
    for e in entries {
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
                        .then_with(|| a.path.cmp(&b.path))
                });
                out.extend(specs);
            }
            _ => anyhow::bail!("each [[model]] needs exactly one of `path` or `checkpoints`"),
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

/// A checkpoint's epoch: the manifest's `epoch`, else the last number in the file name.
pub fn checkpoint_epoch(path: &Path) -> Option<f64> {
    if let Ok((m, None)) = Manifest::for_model(path)
        && m.epoch.is_some()
    {
        return m.epoch;
    }
    let name = path.file_stem()?.to_string_lossy();
    let digits: String = name
        .chars()
        .rev()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok()
}
