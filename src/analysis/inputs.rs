//! [`Inputs`]: the input groups of a job. Models that take the same input
//! (frames, window, size, layout, dtype) share one [`PairSource`]; models
//! with different inputs (a 112-pixel 3-D CNN beside a 224-pixel
//! transformer, or TransNetV2's 27×48 frames beside the demo's 32×32) each
//! get the same pairs — same video, factor, window draw and styles — built
//! at their own input.

use super::probe_check::CheckedProbe;
use super::{BuiltPair, JobSpec, PairSource, available_bytes};
use crate::model::{Extractor, Manifest};
use crate::report::Warning;
use std::sync::Arc;

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
        for m in &manifests {
            check_memory(spec, m)?;
        }
        let checked = Arc::new(CheckedProbe::open(&spec.probe)?);
        let sources = manifests
            .iter()
            .map(|m| PairSource::from_checked(checked.clone(), &spec.probe, m))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self { sources, group })
    }

    /// What the groups' inputs do to the probe videos (upscaling, ignored
    /// rotation), each said once.
    pub fn notes(&self) -> Vec<Warning> {
        let mut notes: Vec<Warning> = Vec::new();
        for w in self.sources.iter().flat_map(|s| s.input_notes()) {
            if !notes.contains(w) {
                notes.push(w.clone());
            }
        }
        notes
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

/// Whether two manifests describe the same model inputs (built the same
/// way, laid out the same way).
fn same_input(a: &Manifest, b: &Manifest) -> bool {
    let (x, y) = (a.inputs(), b.inputs());
    x.len() == y.len()
        && x.iter()
            .zip(&y)
            .all(|(p, q)| p.same_clips(q) && (p.layout, p.dtype) == (q.layout, q.dtype))
}

/// Refuses frames T (or a model input) so large that one pair of clips
/// would not fit in memory, before anything is decoded. Every input of the
/// model counts.
fn check_memory(spec: &JobSpec, m: &Manifest) -> anyhow::Result<()> {
    let mut pair = 0u64;
    let mut said = Vec::new();
    for input in m.inputs() {
        let frames = spec.probe.frames.unwrap_or(input.frames) as u64;
        let (h, w) = match (input.size, input.crop) {
            (Some([h, w]), _) | (None, Some([h, w])) => (u64::from(h), u64::from(w)),
            (None, None) => (u64::from(input.short_side), u64::from(input.short_side)),
        };
        // Two clips of f32 RGB, plus the model's own activations (at least as much again).
        pair = pair.saturating_add(
            frames
                .saturating_mul(h)
                .saturating_mul(w)
                .saturating_mul(3 * 4 * 2 * 2),
        );
        said.push(format!("frames T = {frames} at {w}×{h}"));
    }
    let available = available_bytes().unwrap_or(u64::MAX);
    if pair > available / 2 {
        anyhow::bail!(
            "{} need about {:.1} GB per pair, more than half the memory available ({:.1} GB): \
             lower --frames",
            said.join(" and "),
            pair as f64 / 1e9,
            available as f64 / 1e9
        );
    }
    Ok(())
}
