//! [`PairSource`]: builds pair `id` of a job's plan from the probe set —
//! decode the window, sample T frames, preprocess, style or permute
//! (METHOD.md §2). Used by the job's producer thread, `stadyn pairs` and
//! `stadyn bench`.

use super::ProbeSpec;
use super::probe_check::{self, CheckedProbe, video_key};
use crate::model::{InputKind, Manifest};
use crate::pairs::{Blend, BoxedStyle, PairPlan, PairSpec, builtin_styles, make_pair};
use crate::report::Warning;
use crate::stats::Factor;
use crate::video::flow::FlowSource;
use crate::video::{Clip, Preprocess, ProbeSet, ProbeVideo, VideoSource, plan_clip};
use anyhow::Context as _;
use image::RgbImage;
use multi::InputPlan;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

mod decode;
mod multi;

use decode::{Loaded, VideoCache};

/// Turns a decoded frame into the frame kept for display (see
/// [`PairSource::build_with_window`]).
pub type Shrink<'a> = &'a dyn Fn(&RgbImage) -> RgbImage;

/// One built pair.
#[derive(Clone, Debug)]
pub struct BuiltPair {
    /// The plan's specification of the pair.
    pub spec: PairSpec,
    /// The preprocessed clip before styling.
    pub original: Clip,
    /// Member 1.
    pub a: Clip,
    /// Member 2.
    pub b: Clip,
    /// Notes for the user (e.g. a short video was cycled).
    pub notes: Vec<String>,
    /// A multi-input model's other inputs, in the model's order (the
    /// primary input, `a` and `b`, left out). Empty for one-input models.
    pub others: Vec<OtherInput>,
    /// The position of the primary input among the model's inputs.
    pub primary: usize,
}

/// Both members of one further input of a multi-input model.
#[derive(Clone, Debug)]
pub struct OtherInput {
    /// The input's name in the manifest.
    pub name: String,
    /// What it carries.
    pub kind: InputKind,
    /// Whether the clips hold (u, v) flow (else images in [0, 1]).
    pub uv: bool,
    /// Member 1.
    pub a: Clip,
    /// Member 2.
    pub b: Clip,
}

impl BuiltPair {
    /// Both members' clips of every input, in the model's order.
    pub fn into_members(self) -> (Vec<Clip>, Vec<Clip>) {
        let (mut a, mut b): (Vec<Clip>, Vec<Clip>) =
            self.others.into_iter().map(|o| (o.a, o.b)).unzip();
        let at = self.primary.min(a.len());
        a.insert(at, self.a);
        b.insert(at, self.b);
        (a, b)
    }

    /// Member `m`'s (1 or 2) clip of every input, in the model's order: what
    /// [`Extractor::extract`](crate::model::Extractor::extract) takes per item.
    pub fn member(&self, m: u8) -> Vec<&Clip> {
        let mut out: Vec<&Clip> = self
            .others
            .iter()
            .map(|o| if m == 2 { &o.b } else { &o.a })
            .collect();
        let primary = if m == 2 { &self.b } else { &self.a };
        out.insert(self.primary.min(out.len()), primary);
        out
    }
}

/// Where pair `id`'s members come from, without decoding anything (for
/// `stadyn pairs --list` and the channel inspector's `top.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct PlanEntry {
    /// The plan's specification of the pair.
    pub spec: PairSpec,
    /// Member 1's video (for the pre-stylized layout, its style folder).
    pub video: PathBuf,
    /// Member 2's video (differs from `video` for a dynamic pair of
    /// pre-stylized folders).
    pub video_b: PathBuf,
    /// The clip's index within a clip array (`.npy` of N clips), else `None`.
    pub clip: Option<usize>,
    /// First raw frame of the window.
    pub window_start: usize,
    /// The T raw frame indices member 1 sees, in order (member 2 of a
    /// static pair sees them permuted by `spec.permutation`).
    pub frames: Vec<usize>,
    /// Style names of member 1 and member 2.
    pub styles: [String; 2],
    /// The model's other pathways (a two-pathway model), in input order.
    pub pathways: Vec<PathwayPlan>,
}

/// The frames and permutation of one pathway besides the primary one.
#[derive(Clone, Debug, PartialEq)]
pub struct PathwayPlan {
    /// The input's name in the manifest.
    pub name: String,
    /// The raw frame indices member 1 sees, in order.
    pub frames: Vec<usize>,
    /// How member 2 of a static pair sees them (its own permutation, drawn
    /// apart from the primary one's); empty for a dynamic pair.
    pub permutation: Vec<usize>,
}

impl PlanEntry {
    /// Member `member`'s video relative to `root`, with `#<clip>` for a clip
    /// of a clip array (`clips.npy#17`).
    pub fn video_name(&self, member: u8, root: &Path) -> String {
        let path = if member == 2 {
            &self.video_b
        } else {
            &self.video
        };
        let rel = path.strip_prefix(root).unwrap_or(path).to_string_lossy();
        match self.clip {
            Some(c) => format!("{rel}#{c}"),
            None => rel.into_owned(),
        }
    }
}

/// The probe set, plan, styles and preprocessing of a job.
pub struct PairSource {
    checked: Arc<CheckedProbe>,
    notes: Vec<Warning>,
    plan: PairPlan,
    styles: Vec<BoxedStyle>,
    style_names: Vec<String>,
    stylized: bool,
    preprocess: Preprocess,
    window: usize,
    frames: usize,
    /// Every input of the model, with its preprocessing (one entry for
    /// one-input models).
    inputs: Vec<InputPlan>,
    /// The position of the primary input (`preprocess`, `frames`) in `inputs`.
    primary: usize,
    /// Each video's flow, by video index (empty without flow inputs).
    flows: Vec<Option<FlowSource>>,
    /// Each video is probed once (an ffprobe run for a file), and small
    /// videos are decoded once (an ffmpeg run each time otherwise).
    cache: Mutex<VideoCache>,
}

impl PairSource {
    /// Discovers and checks the probe set of `probe_spec` (see
    /// [`CheckedProbe`]) and makes its plan for models that take
    /// `manifest`'s input.
    pub fn new(probe_spec: &ProbeSpec, manifest: &Manifest) -> anyhow::Result<Self> {
        Self::from_checked(
            Arc::new(CheckedProbe::open(probe_spec)?),
            probe_spec,
            manifest,
        )
    }

    /// [`new`](Self::new) over a probe set already checked (the input
    /// groups of a job share one check).
    pub fn from_checked(
        checked: Arc<CheckedProbe>,
        probe_spec: &ProbeSpec,
        manifest: &Manifest,
    ) -> anyhow::Result<Self> {
        let probe = &checked.set;
        let frames = probe_spec.frames.unwrap_or(manifest.frames);
        let window = probe_spec.window.unwrap_or(manifest.window);
        let inputs = multi::input_plans(probe_spec, manifest)?;
        let primary = manifest.primary();
        let preprocess = inputs[primary].preprocess.clone();
        let imported = probe.styles();
        let stylized = !imported.is_empty();
        let styles = select_styles(probe_spec)?;
        if stylized && !probe_spec.weakened_styles().is_empty() {
            anyhow::bail!(
                "a style strength is set, but '{}' holds imported pre-stylized folders: their \
                 strength was fixed when they were made and is not stadyn's to set (remove \
                 `strength` / `style_strength`, or use the built-in styles)",
                probe_spec.videos.display()
            );
        }
        let style_names = if stylized {
            imported
        } else {
            styles.iter().map(|s| s.name().to_string()).collect()
        };
        let plan = PairPlan::new(
            probe_spec.seed,
            probe_spec.pairs,
            probe.videos.len(),
            style_names.len(),
            frames,
        )?;
        let mut notes = input_notes(&checked, &preprocess);
        if window < frames {
            // From the manifest (flags are checked with the other settings).
            notes.push(Warning {
                path: "settings".into(),
                reason: super::limits::window_note(window, frames),
            });
        }
        let cache = VideoCache {
            infos: checked.infos.clone(),
            needs: plan_needs(&plan, &checked, (stylized, &style_names), &inputs, window),
            limit: decode::CACHE_TOTAL_BYTES,
            ..VideoCache::default()
        };
        let flows = if inputs.iter().any(|i| i.spec.kind == InputKind::Flow) {
            multi::find_flows(&checked, &inputs)?
        } else {
            Vec::new()
        };
        Ok(Self {
            checked,
            notes,
            plan,
            styles,
            style_names,
            stylized,
            preprocess,
            window,
            frames,
            inputs,
            primary,
            flows,
            cache: Mutex::new(cache),
        })
    }

    /// Warnings about the probe videos at this input: videos smaller than
    /// the model's input (upscaled), rotation metadata (ignored).
    pub fn input_notes(&self) -> &[Warning] {
        &self.notes
    }

    /// Videos the probe check left out before planning.
    pub fn left_out(&self) -> &[Warning] {
        &self.checked.left_out
    }

    /// The checked probe set (shared by a job's input groups).
    pub fn checked(&self) -> &Arc<CheckedProbe> {
        &self.checked
    }

    /// Loads a clip (METHOD.md §2 steps 1–3) of the primary input, probing
    /// each video once and decoding small videos once.
    fn load(&self, source: &VideoSource, start_draw: u64) -> Result<(Clip, Vec<String>), String> {
        self.load_window(source, start_draw, None)
            .map(|(clip, notes, _)| (clip, notes))
    }

    /// [`load`](Self::load), also returning the W raw frames of the window
    /// (through `shrink`) when `shrink` is given, from the same decode where
    /// the video's frames are kept (empty when not asked).
    fn load_window(
        &self,
        source: &VideoSource,
        start_draw: u64,
        shrink: Option<Shrink<'_>>,
    ) -> Result<(Clip, Vec<String>, Vec<RgbImage>), String> {
        let loaded = self.load_input(source, start_draw, self.frames, &self.preprocess, shrink)?;
        Ok((loaded.clip, loaded.notes, loaded.window))
    }

    /// The probe set (its readable videos).
    pub fn probe(&self) -> &ProbeSet {
        &self.checked.set
    }

    /// The style names, in the plan's index order.
    pub fn style_names(&self) -> &[String] {
        &self.style_names
    }

    /// The ids of the plan's pairs.
    pub fn ids(&self) -> std::ops::Range<u64> {
        self.plan.ids()
    }

    /// The path of the video pair `spec` comes from.
    pub fn video_path(&self, spec: &PairSpec) -> &Path {
        self.checked.set.videos[spec.video].source.path()
    }

    /// Where style `k`'s rendering of `video` comes from (see [`rendering`]).
    fn style_source<'a>(&self, video: &'a ProbeVideo, k: usize) -> &'a VideoSource {
        rendering(video, self.stylized, &self.style_names, k)
    }

    /// The plan's specification of pair `id`.
    pub fn spec(&self, id: u64) -> PairSpec {
        self.plan.spec(id)
    }

    /// Where pair `id`'s members come from (frame counts from the probe
    /// check's headers; nothing is decoded).
    pub fn plan_entry(&self, id: u64) -> Result<PlanEntry, String> {
        let spec = self.plan.spec(id);
        let video = &self.checked.set.videos[spec.video];
        let source_of = |k: usize| self.style_source(video, k);
        let a = source_of(spec.style_a);
        let b = match spec.factor {
            Factor::Static => a,
            Factor::Dynamic => source_of(spec.style_b),
        };
        let info = match self.checked.infos.get(&video_key(a)) {
            Some(i) => *i,
            None => a.info().map_err(|e| e.to_string())?,
        };
        let plan = plan_clip(info.frames, spec.start_draw, self.window, self.frames);
        let name = |k: usize| self.style_names.get(k).cloned().unwrap_or_default();
        // As `build_multi` makes them.
        let pathways = self
            .other_pathways()
            .map(|(j, input)| {
                let t = input.spec.frames;
                PathwayPlan {
                    name: input.spec.name.clone(),
                    frames: plan_clip(info.frames, spec.start_draw, self.window, t).frames,
                    permutation: match spec.factor {
                        Factor::Static => self.plan.pathway_permutation(id, j, t),
                        Factor::Dynamic => Vec::new(),
                    },
                }
            })
            .collect();
        Ok(PlanEntry {
            pathways,
            styles: [name(spec.style_a), name(spec.style_b)],
            video: a.path().to_path_buf(),
            video_b: b.path().to_path_buf(),
            clip: match a {
                VideoSource::Array { index, .. } => Some(*index),
                _ => None,
            },
            window_start: plan.start,
            frames: plan.frames,
            spec,
        })
    }

    /// The model's pathways other than the primary one, with their
    /// positions among its inputs.
    fn other_pathways(&self) -> impl Iterator<Item = (usize, &InputPlan)> {
        self.inputs
            .iter()
            .enumerate()
            .filter(|&(j, i)| j != self.primary && i.spec.kind == InputKind::Pathway)
    }

    /// The names of the model's pathways other than the primary one (the
    /// [`PlanEntry::pathways`] of every pair).
    pub fn other_pathway_names(&self) -> Vec<String> {
        self.other_pathways()
            .map(|(_, i)| i.spec.name.clone())
            .collect()
    }

    /// Builds pair `id`; the error says why its video cannot be used.
    pub fn build(&self, id: u64) -> Result<BuiltPair, String> {
        self.build_inner(id, None).map(|(pair, _)| pair)
    }

    /// [`build`](Self::build), also returning the W raw frames of the pair's
    /// window (member 1's source, in window order, cycled like the clip's),
    /// each passed through `shrink` (e.g. a downscale for display). The
    /// frames come from the same decode as the clip, except for videos too
    /// large to keep decoded (decoded again; empty if that fails).
    pub fn build_with_window(
        &self,
        id: u64,
        shrink: Shrink<'_>,
    ) -> Result<(BuiltPair, Vec<RgbImage>), String> {
        self.build_inner(id, Some(shrink))
    }

    fn build_inner(
        &self,
        id: u64,
        shrink: Option<Shrink<'_>>,
    ) -> Result<(BuiltPair, Vec<RgbImage>), String> {
        if self.inputs.len() > 1 {
            return self.build_multi(id, shrink);
        }
        let spec = self.plan.spec(id);
        let video = &self.checked.set.videos[spec.video];
        let load = |source: &VideoSource| self.load(source, spec.start_draw);
        if self.stylized {
            // Imported pre-stylized folders: the members come from two style folders.
            let source_of = |k: usize| self.style_source(video, k);
            let (a, notes, window) =
                self.load_window(source_of(spec.style_a), spec.start_draw, shrink)?;
            let b = match spec.factor {
                Factor::Static => a.permuted(&spec.permutation),
                Factor::Dynamic => load(source_of(spec.style_b))?.0,
            };
            let pair = BuiltPair {
                original: a.clone(),
                spec,
                a,
                b,
                notes,
                others: Vec::new(),
                primary: 0,
            };
            Ok((pair, window))
        } else {
            let (clip, notes, window) = self.load_window(&video.source, spec.start_draw, shrink)?;
            let (a, b) = make_pair(&spec, &clip, &self.styles).map_err(|e| e.to_string())?;
            let pair = BuiltPair {
                original: clip,
                spec,
                a,
                b,
                notes,
                others: Vec::new(),
                primary: 0,
            };
            Ok((pair, window))
        }
    }
}

/// What a model's input does to the probe videos, said once per video:
/// upscaling of videos smaller than the input, and rotation metadata,
/// which stadyn ignores (frames are used as stored).
fn input_notes(checked: &CheckedProbe, preprocess: &Preprocess) -> Vec<Warning> {
    let mut notes = Vec::new();
    for v in &checked.set.videos {
        let Some(info) = checked.infos.get(&video_key(&v.source)) else {
            continue;
        };
        let (w, h) = (info.width, info.height);
        let small = match preprocess.size {
            Some((th, tw)) => w < tw || h < th,
            None => w.min(h) < preprocess.short_side,
        };
        let mut said = Vec::new();
        if small {
            let target = match preprocess.size {
                Some((th, tw)) => format!("{tw}×{th}"),
                None => format!("a short side of {}", preprocess.short_side),
            };
            said.push(format!(
                "{w}×{h} is smaller than the model's input ({target}): upscaled"
            ));
        }
        if let Some(r) = info.rotation {
            said.push(format!(
                "has rotation metadata ({r}°), which stadyn ignores: frames are used as stored"
            ));
        }
        if !said.is_empty() {
            notes.push(Warning {
                path: v.source.path().display().to_string(),
                reason: said.join("; "),
            });
        }
    }
    notes
}

/// Where style `k`'s rendering of `video` comes from: its style folder
/// for imported pre-stylized sets, else the video itself (built-in styles
/// are applied to it).
fn rendering<'a>(
    video: &'a ProbeVideo,
    stylized: bool,
    style_names: &[String],
    k: usize,
) -> &'a VideoSource {
    match (stylized, style_names.get(k)) {
        (true, Some(name)) => video
            .styled
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&video.source, |(_, s)| s),
        _ => &video.source,
    }
}

/// What `plan`'s pairs read of each video source: a static pair reads one
/// rendering of its video, a dynamic pair two imported renderings (or the
/// video once, styled twice by built-in styles); each reads the sampled
/// frames of every input that takes frames (flow comes from its own files).
fn plan_needs(
    plan: &PairPlan,
    checked: &CheckedProbe,
    (stylized, style_names): (bool, &[String]),
    inputs: &[InputPlan],
    window: usize,
) -> HashMap<probe_check::VideoKey, decode::Need> {
    let mut needs: HashMap<_, decode::Need> = HashMap::new();
    for id in plan.ids() {
        let spec = plan.spec(id);
        let Some(video) = checked.set.videos.get(spec.video) else {
            continue;
        };
        let mut keys = vec![video_key(rendering(
            video,
            stylized,
            style_names,
            spec.style_a,
        ))];
        if spec.factor == Factor::Dynamic {
            keys.push(video_key(rendering(
                video,
                stylized,
                style_names,
                spec.style_b,
            )));
        }
        keys.dedup();
        for key in keys {
            let Some(info) = checked.infos.get(&key) else {
                continue;
            };
            let need = needs.entry(key).or_default();
            need.uses += 1;
            for input in inputs.iter().filter(|i| i.spec.kind != InputKind::Flow) {
                let frames = plan_clip(info.frames, spec.start_draw, window, input.spec.frames);
                need.frames.extend(frames.frames);
            }
        }
    }
    for need in needs.values_mut() {
        need.frames.sort_unstable();
        need.frames.dedup();
    }
    needs
}

/// The built-in styles `probe` names (all when it names none), each at its
/// strength (a [`Blend`] below 1).
fn select_styles(probe: &ProbeSpec) -> anyhow::Result<Vec<BoxedStyle>> {
    probe.check_strength().map_err(anyhow::Error::msg)?;
    let at_strength = |s: BoxedStyle| -> BoxedStyle {
        let strength = probe.strength_of(s.name());
        if strength == 1.0 {
            s
        } else {
            Box::new(Blend::new(s, strength as f32))
        }
    };
    Ok(named_styles(&probe.styles)?
        .into_iter()
        .map(at_strength)
        .collect())
}

fn named_styles(names: &[String]) -> anyhow::Result<Vec<BoxedStyle>> {
    let mut all: Vec<Option<BoxedStyle>> = builtin_styles().into_iter().map(Some).collect();
    if names.is_empty() {
        return Ok(all.into_iter().flatten().collect());
    }
    let available: Vec<String> = all.iter().flatten().map(|s| s.name().to_string()).collect();
    let mut chosen = Vec::new();
    for n in names {
        let i = available.iter().position(|a| a == n).with_context(|| {
            format!(
                "unknown style '{n}'; built-in styles: {}",
                available.join(", ")
            )
        })?;
        if let Some(s) = all[i].take() {
            chosen.push(s);
        }
    }
    Ok(chosen)
}

#[cfg(test)]
mod cache_tests;
#[cfg(test)]
mod tests;
