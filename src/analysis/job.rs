//! [`JobSpec`]: everything that determines an analysis run, and its
//! identity (the hash that names its cache entry and guards merges).

use super::{ModelSpec, ProbeSpec, Shard};
use crate::stats::UnitConfig;
use crate::video::{ProbeSet, VideoSource};
use anyhow::Context as _;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::PathBuf;

/// Bump when a change makes old statistics wrong (estimator, pairs, preprocessing).
/// 2: clips of one `.npy` clip array were decoded from a cache keyed by the
/// file alone, so every pair from an array got the first clip's frames.
/// 3: pairs are planned over the probe videos that pass a check before the
/// run (unreadable ones are left out, not skipped mid-run).
/// 4: the statistics keep each channel's top windows, a pair sample and
/// per-channel bootstrap replicates.
pub const ESTIMATOR_VERSION: u32 = 4;

/// An analysis run: models × probe pairs → statistics and a report.
#[derive(Clone, Debug)]
pub struct JobSpec {
    /// Display name of the run.
    pub name: String,
    /// The probe set and pair plan (its seed also seeds the bootstrap weights).
    pub probe: ProbeSpec,
    /// The models (checkpoints expanded, in order).
    pub models: Vec<ModelSpec>,
    /// Unit-category threshold τ.
    pub threshold: f64,
    /// Bootstrap replicates.
    pub bootstrap: usize,
    /// The channel evidence kept per layer (top windows, pair sample,
    /// per-channel replicates).
    pub units: UnitConfig,
    /// `auto`, `cpu`, `cuda`, `cuda:N`.
    pub device: String,
    /// Pairs per model batch; 0 sizes batches to the memory one pair takes.
    pub batch: usize,
    /// libtorch threads.
    pub threads: Option<usize>,
    /// The part of the plan to run.
    pub shard: Shard,
    /// Pairs between saved statistics / partial reports.
    pub save_every: usize,
}

#[derive(Serialize)]
struct Identity<'a> {
    estimator_version: u32,
    pairs: usize,
    seed: u64,
    styles: &'a [String],
    /// Built-in styles below full strength (absent at full strength, so
    /// jobs from before the setting keep their identity).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    strength: std::collections::BTreeMap<String, f64>,
    frames: Option<usize>,
    window: Option<usize>,
    layout: Option<String>,
    bootstrap: usize,
    units: UnitConfig,
    probe: Vec<(String, u64, u64)>,
    models: Vec<ModelIdentity>,
}

/// What identifies one model of a job.
#[derive(Serialize)]
struct ModelIdentity {
    name: String,
    checkpoint: Option<String>,
    /// SHA-256 of the model file.
    sha256: String,
    /// SHA-256 of its manifest as read (JSON).
    manifest: String,
    layers: Vec<String>,
}

/// SHA-256 of a file's bytes, hex (memoized by path, size and mtime: model
/// files are hashed once per process).
pub fn file_hash(path: &std::path::Path) -> anyhow::Result<String> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    type Memo = HashMap<(PathBuf, u64, u64), String>;
    static MEMO: Mutex<Option<Memo>> = Mutex::new(None);
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read '{}'", path.display()))?;
    let memo_key = (path.to_path_buf(), meta.len(), mtime(&meta));
    if let Some(h) = MEMO
        .lock()
        .ok()
        .and_then(|m| m.as_ref().and_then(|m| m.get(&memo_key).cloned()))
    {
        return Ok(h);
    }
    let h = hash_bytes(path)?;
    if let Ok(mut m) = MEMO.lock() {
        m.get_or_insert_with(HashMap::new)
            .insert(memo_key, h.clone());
    }
    Ok(h)
}

fn hash_bytes(path: &std::path::Path) -> anyhow::Result<String> {
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot read '{}'", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .with_context(|| format!("cannot read '{}'", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// The files the probe set's videos use, with size and mtime, sorted (the
/// probe listing). Only what the layout reads is listed: no folder is walked
/// beyond the layout's depth, so a link to a parent folder cannot loop, and
/// files the layout ignores (a report written into the folder) do not change
/// the job's identity.
pub fn listing(probe: &ProbeSpec) -> anyhow::Result<Vec<(String, u64, u64)>> {
    listing_with(probe, false)
}

/// [`listing`], with the videos' optical-flow files too when `flow` (a job
/// with a two-stream model reads them, so they are part of its identity).
pub fn listing_with(probe: &ProbeSpec, flow: bool) -> anyhow::Result<Vec<(String, u64, u64)>> {
    let set = ProbeSet::discover(&probe.videos, probe.layout)?;
    let mut files: Vec<PathBuf> = Vec::new();
    for v in &set.videos {
        for source in std::iter::once(&v.source).chain(v.styled.iter().map(|(_, s)| s)) {
            match source {
                VideoSource::Frames { files: frames, .. } => {
                    files.extend(frames.iter().cloned());
                }
                other => files.push(other.path().to_path_buf()),
            }
            if flow {
                match crate::video::flow::FlowSource::find(source)? {
                    Some(crate::video::flow::FlowSource::Folder { files: f, .. }) => {
                        files.extend(f);
                    }
                    Some(other) => files.push(other.path().to_path_buf()),
                    None => {}
                }
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files
        .into_iter()
        .map(|p| {
            let (len, time) = std::fs::metadata(&p)
                .map(|m| (m.len(), mtime(&m)))
                .unwrap_or((0, 0));
            let rel = p.strip_prefix(&probe.videos).unwrap_or(&p);
            (rel.display().to_string(), len, time)
        })
        .collect())
}

fn mtime(m: &std::fs::Metadata) -> u64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl JobSpec {
    /// The job's identity: a hash of the model bytes, the probe listing and
    /// every setting that changes the numbers (not the shard, device, batch
    /// size or threads), and the same settings as readable JSON.
    pub fn identity(&self) -> anyhow::Result<(String, String)> {
        let mut flow = false;
        let models = self
            .models
            .iter()
            .map(|m| {
                // The manifest as read (sidecar or defaults): it says how the
                // input is made, so an edited one is another job.
                let (manifest, _) = crate::model::Manifest::for_model(&m.path)?;
                flow |= manifest
                    .inputs()
                    .iter()
                    .any(|i| i.kind == crate::model::InputKind::Flow);
                let manifest = hex::encode(Sha256::digest(serde_json::to_string(&manifest)?));
                Ok(ModelIdentity {
                    name: m.name.clone(),
                    checkpoint: m.checkpoint.clone(),
                    sha256: file_hash(&m.path)?,
                    manifest,
                    layers: m.layers.clone(),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let id = Identity {
            estimator_version: ESTIMATOR_VERSION,
            pairs: self.probe.pairs,
            seed: self.probe.seed,
            styles: &self.probe.styles,
            strength: self.probe.weakened_styles(),
            frames: self.probe.frames,
            window: self.probe.window,
            layout: self.probe.layout.map(|l| l.to_string()),
            bootstrap: self.bootstrap,
            units: self.units,
            probe: listing_with(&self.probe, flow)?,
            models,
        };
        let json = serde_json::to_string(&id)?;
        let key = hex::encode(Sha256::digest(json.as_bytes()));
        let strength = if id.strength.is_empty() {
            String::new()
        } else {
            let each: Vec<String> = id
                .strength
                .iter()
                .map(|(n, s)| format!("{n} {s}"))
                .collect();
            format!(", style strength {}", each.join(" "))
        };
        let readable = format!(
            "{} pairs, seed {}{strength}, bootstrap {}, probe '{}' ({} files), models: {}",
            self.probe.pairs,
            self.probe.seed,
            self.bootstrap,
            self.probe.videos.display(),
            id.probe.len(),
            self.models
                .iter()
                .map(|m| m.checkpoint.clone().unwrap_or_else(|| m.name.clone()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok((key, readable))
    }
}

impl JobSpec {
    /// A job of `models` over `probe` with a project file's defaults: τ 0.5,
    /// 200 bootstrap replicates, device `auto`, batches sized to memory, all
    /// cores, the whole plan (no shard), statistics saved every 64 pairs.
    pub fn new(name: impl Into<String>, probe: ProbeSpec, models: Vec<ModelSpec>) -> Self {
        let estimator = super::EstimatorSettings::default();
        let run = super::RunSettings::default();
        Self {
            name: name.into(),
            probe,
            models,
            threshold: estimator.threshold,
            bootstrap: estimator.bootstrap,
            units: estimator.units(),
            device: run.device,
            batch: run.batch,
            threads: run.threads,
            shard: Shard::ALL,
            save_every: 64,
        }
    }

    /// The job a project describes, as `stadyn analyze PROJECT` runs it:
    /// models expanded (checkpoints ordered by epoch), the whole plan
    /// (no shard), statistics saved every 64 pairs. Reads the file system
    /// (checkpoint folders, manifests); callers override fields after.
    pub fn from_project(project: &super::Project) -> anyhow::Result<JobSpec> {
        let name = project.name.clone().unwrap_or_else(|| "analysis".into());
        let models = super::expand_models(&project.models)?;
        Ok(JobSpec {
            threshold: project.estimator.threshold,
            bootstrap: project.estimator.bootstrap,
            units: project.estimator.units(),
            device: project.run.device.clone(),
            batch: project.run.batch,
            threads: project.run.threads,
            ..JobSpec::new(name, project.probe.clone(), models)
        })
    }
}
