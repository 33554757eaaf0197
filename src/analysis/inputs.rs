//! [`Inputs`]: the input groups of a job. Models that take the same input
//! (frames, window, size, layout, dtype) share one [`PairSource`]; models
//! with different inputs (a 112-pixel 3-D CNN beside a 224-pixel
//! transformer, or TransNetV2's 27×48 frames beside the demo's 32×32) each
//! get the same pairs — same video, factor, window draw and styles — built
//! at their own input.

use super::{BuiltPair, JobSpec, PairSource};
use crate::model::{Extractor, Manifest};

/// The pair sources of a job and which one each model uses.
pub(super) struct Inputs {
    sources: Vec<PairSource>,
    group: Vec<usize>,
}

impl Inputs {
    /// Groups `models` by input and makes a source per group.
    pub fn new(spec: &JobSpec, models: &[Box<dyn Extractor>]) -> anyhow::Result<Self> {
        let mut manifests: Vec<&Manifest> = Vec::new();
        let mut group = Vec::with_capacity(models.len());
        for m in models {
            let g = match manifests.iter().position(|k| same_input(k, m.manifest())) {
                Some(g) => g,
                None => {
                    manifests.push(m.manifest());
                    manifests.len() - 1
                }
            };
            group.push(g);
        }
        anyhow::ensure!(!manifests.is_empty(), "the job has no models");
        let sources = manifests
            .iter()
            .map(|m| PairSource::new(spec, m))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self { sources, group })
    }

    /// The first group's source (probe set, plan and styles are shared).
    pub fn first(&self) -> &PairSource {
        &self.sources[0]
    }

    /// Number of input groups.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// The models of input group `g`, in job order.
    pub fn models_of(&self, g: usize) -> Vec<usize> {
        (0..self.group.len())
            .filter(|&m| self.group[m] == g)
            .collect()
    }

    /// Pair `id` at group `g`'s input; an error (a broken video) skips the pair.
    pub fn build(&self, id: u64, g: usize) -> Result<BuiltPair, String> {
        self.sources[g].build(id)
    }
}

/// Whether two manifests describe the same model input.
fn same_input(a: &Manifest, b: &Manifest) -> bool {
    (
        a.frames,
        a.window,
        a.short_side,
        a.crop,
        a.size,
        a.layout,
        a.dtype,
    ) == (
        b.frames,
        b.window,
        b.short_side,
        b.crop,
        b.size,
        b.layout,
        b.dtype,
    )
}
