//! [`ProbeSpec`]: the probe set and pair plan alone, the part of a
//! [`JobSpec`] that decides which pairs exist. `stadyn pairs` and the app's
//! pair viewer build pairs from it without a job.

use super::{JobSpec, Project, Shard};
use crate::video::Layout;
use std::path::PathBuf;

/// The probe set and plan of a project (the part of a [`JobSpec`] that
/// decides which pairs exist).
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeSpec {
    /// Probe-set folder.
    pub probe_root: PathBuf,
    /// Layout (detected when `None`).
    pub layout: Option<Layout>,
    /// Pairs in the plan.
    pub pairs: usize,
    /// Seed of the plan.
    pub seed: u64,
    /// Built-in styles (empty: all).
    pub styles: Vec<String>,
    /// Frames T (default: the manifest's).
    pub frames: Option<usize>,
    /// Window W (default: the manifest's).
    pub window: Option<usize>,
}

impl ProbeSpec {
    /// The probe settings of `project`; the error names a bad layout.
    pub fn from_project(project: &Project) -> Result<Self, String> {
        let p = &project.probe;
        let layout = p
            .layout
            .as_deref()
            .map(str::parse::<Layout>)
            .transpose()
            .map_err(|e| e.0)?;
        Ok(Self {
            probe_root: p.videos.clone(),
            layout,
            pairs: p.pairs,
            seed: p.seed,
            styles: p.styles.clone(),
            frames: p.frames,
            window: p.window,
        })
    }

    /// A job of these settings and no models (what [`super::PairSource::new`] reads).
    pub fn job_spec(&self) -> JobSpec {
        JobSpec {
            name: "pairs".into(),
            probe: ProbeSpec {
                pairs: self.pairs.max(1),
                ..self.clone()
            },
            models: Vec::new(),
            threshold: 0.5,
            bootstrap: 0,
            device: "cpu".into(),
            batch: 1,
            threads: None,
            shard: Shard::ALL,
            save_every: 1,
        }
    }
}
