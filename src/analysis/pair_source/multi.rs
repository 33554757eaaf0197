//! Pairs for models of several inputs (METHOD.md §2): two-stream models (RGB
//! and optical flow of the same frames) and two-pathway models (each
//! pathway its own frames of the shared window).

use super::{BuiltPair, Loaded, OtherInput, PairSource, Shrink};
use crate::analysis::ProbeSpec;
use crate::analysis::probe_check::{CheckedProbe, video_key};
use crate::model::{InputKind, InputSpec, Manifest};
use crate::pairs::{PairSpec, make_pair, two_stream_flow, two_stream_rgb};
use crate::stats::Factor;
use crate::video::flow::{FlowFrame, FlowSource, MAKE_FLOW, color_clip, uv_clip};
use crate::video::{Clip, Preprocess, VideoSource, plan_clip, preprocess};
use image::RgbImage;
use std::sync::Arc;

/// One input of the model and how its clips are made.
#[derive(Clone, Debug)]
pub(super) struct InputPlan {
    /// The manifest's input (frames and window as the job sets them).
    pub spec: InputSpec,
    /// Its spatial preprocessing.
    pub preprocess: Preprocess,
}

/// The inputs of `manifest` as the job builds them: the probe's `frames`
/// applies to every input of a two-stream model and is refused for
/// pathways (each has its own); the probe's `window` applies to all.
pub(super) fn input_plans(
    probe: &ProbeSpec,
    manifest: &Manifest,
) -> anyhow::Result<Vec<InputPlan>> {
    let mut inputs = manifest.inputs();
    let multi = inputs.len() > 1;
    let pathways = inputs.iter().any(|i| i.kind == InputKind::Pathway);
    if let Some(t) = probe.frames {
        anyhow::ensure!(
            !pathways,
            "frames are set for the job ({t}), but the model has pathways, each with its own \
             frames in its manifest: leave frames unset"
        );
        inputs.iter_mut().for_each(|i| i.frames = t);
    }
    if let Some(w) = probe.window {
        inputs.iter_mut().for_each(|i| i.window = w);
    }
    inputs
        .into_iter()
        .map(|spec| {
            let preprocess = preprocess_of(&spec);
            preprocess.check().map_err(|e| {
                if multi {
                    anyhow::anyhow!("the size of the model's input '{}': {e}", spec.name)
                } else {
                    anyhow::anyhow!("the model's input size: {e}")
                }
            })?;
            if pathways && spec.frames < 2 {
                anyhow::bail!(
                    "pathway '{}' has {} frame: a static pair permutes each pathway's frames, \
                     which needs at least 2",
                    spec.name,
                    spec.frames
                );
            }
            Ok(InputPlan { spec, preprocess })
        })
        .collect()
}

/// The spatial preprocessing an input asks for.
fn preprocess_of(spec: &InputSpec) -> Preprocess {
    match spec.size {
        Some([h, w]) => Preprocess::fixed(h, w),
        None => {
            let crop = spec.crop.unwrap_or([spec.short_side; 2]);
            Preprocess {
                short_side: spec.short_side,
                crop: Some((crop[0], crop[1])),
                size: None,
            }
        }
    }
}

/// Every probe video's flow (see [`FlowSource::find`]), checked to cover
/// the video and, for a `uv` input, to hold fields. A video without flow
/// refuses the job (every model of a job sees the same pairs, so no video
/// can be left out for one of them), naming how to make flow.
pub(super) fn find_flows(
    checked: &CheckedProbe,
    inputs: &[InputPlan],
) -> anyhow::Result<Vec<Option<FlowSource>>> {
    let uv = inputs.iter().any(|i| i.spec.is_uv());
    let mut flows = Vec::new();
    let mut missing = Vec::new();
    for video in &checked.set.videos {
        let sources = std::iter::once(&video.source).chain(video.styled.iter().map(|(_, s)| s));
        let mut found = None;
        for source in sources {
            if let Some(flow) = FlowSource::find(source)? {
                found = Some(flow);
                break;
            }
        }
        let Some(flow) = found else {
            missing.push(video.source.path().display().to_string());
            flows.push(None);
            continue;
        };
        if let Some(info) = checked.infos.get(&video_key(&video.source)) {
            flow.check_covers(video.source.path(), info.frames)?;
        }
        if uv && flow.is_images() {
            anyhow::bail!(
                "{} holds colour-coded flow images, which do not give (u, v): the model's flow \
                 input has \"encoding\": \"uv\", so it needs .flo or .npy fields",
                flow.path().display()
            );
        }
        flows.push(Some(flow));
    }
    if let Some(first) = missing.first() {
        anyhow::bail!(
            "{} of the {} probe videos have no optical flow (e.g. '{first}'), and the model \
             takes flow. {MAKE_FLOW}",
            missing.len(),
            checked.set.videos.len()
        );
    }
    Ok(flows)
}

impl PairSource {
    /// Builds pair `id` for a model of several inputs: the primary input as
    /// `a`/`b`, the others in `others`.
    pub(super) fn build_multi(
        &self,
        id: u64,
        shrink: Option<Shrink<'_>>,
    ) -> Result<(BuiltPair, Vec<RgbImage>), String> {
        let spec = self.plan.spec(id);
        let video = &self.checked.set.videos[spec.video];
        let source_of = |k: usize| self.style_source(video, k);
        let (src_a, src_b) = (source_of(spec.style_a), source_of(spec.style_b));
        let primary = &self.inputs[self.primary];
        let first = self.load_input(
            src_a,
            spec.start_draw,
            primary.spec.frames,
            &primary.preprocess,
            shrink,
        )?;
        let Loaded {
            clip: first_clip,
            notes,
            window,
            frames,
        } = first;
        let mut members: Vec<(Clip, Clip)> = Vec::with_capacity(self.inputs.len());
        if let Some(pathways) = self.shared_pathways(&spec, src_a)? {
            members = pathways;
        }
        for (j, input) in self.inputs.iter().enumerate().skip(members.len()) {
            let load = |source: &VideoSource| -> Result<Clip, String> {
                if j == self.primary && std::ptr::eq(source, src_a) {
                    return Ok(first_clip.clone());
                }
                self.load_input(
                    source,
                    spec.start_draw,
                    input.spec.frames,
                    &input.preprocess,
                    None,
                )
                .map(|l| l.clip)
            };
            let pair = match input.spec.kind {
                InputKind::Flow => {
                    let flow = self.flow_clip(spec.video, &frames, input)?;
                    two_stream_flow(&spec, &flow, input.spec.is_uv(), self.plan.seed())
                }
                InputKind::Rgb if self.stylized => {
                    let a = load(src_a)?;
                    let b = match spec.factor {
                        Factor::Static => a.clone(),
                        Factor::Dynamic => load(src_b)?,
                    };
                    (a, b)
                }
                InputKind::Rgb => {
                    two_stream_rgb(&spec, &load(src_a)?, &self.styles).map_err(|e| e.to_string())?
                }
                InputKind::Pathway => {
                    let permutation = if j == self.primary {
                        spec.permutation.clone()
                    } else if spec.factor == Factor::Static {
                        self.plan.pathway_permutation(id, j, input.spec.frames)
                    } else {
                        Vec::new()
                    };
                    let own = PairSpec {
                        permutation,
                        ..spec.clone()
                    };
                    let a = load(src_a)?;
                    if self.stylized {
                        let b = match spec.factor {
                            Factor::Static => a.permuted(&own.permutation),
                            Factor::Dynamic => load(src_b)?,
                        };
                        (a, b)
                    } else {
                        make_pair(&own, &a, &self.styles).map_err(|e| e.to_string())?
                    }
                }
            };
            members.push(pair);
        }
        let mut others = Vec::new();
        let mut main = None;
        for (j, ((a, b), input)) in members.into_iter().zip(&self.inputs).enumerate() {
            if j == self.primary {
                main = Some((a, b));
            } else {
                others.push(OtherInput {
                    name: input.spec.name.clone(),
                    kind: input.spec.kind,
                    uv: input.spec.is_uv(),
                    a,
                    b,
                });
            }
        }
        let (a, b) = main.ok_or("the model has no primary input")?;
        let pair = BuiltPair {
            spec,
            original: first_clip,
            a,
            b,
            notes,
            others,
            primary: self.primary,
        };
        Ok((pair, window))
    }

    /// The members of every pathway when the pathways share their spatial
    /// preprocessing and the styles are built in: the union of the
    /// pathways' frames is styled once, so a raw frame looks the same in
    /// every pathway (a style such as Reinhard's colour transfer follows the
    /// statistics of the clip it is given), then each pathway takes its
    /// frames; a static pair permutes each pathway with its own
    /// permutation. `None` for other models.
    fn shared_pathways(
        &self,
        spec: &PairSpec,
        source: &VideoSource,
    ) -> Result<Option<Vec<(Clip, Clip)>>, String> {
        let pathways = self
            .inputs
            .iter()
            .all(|i| i.spec.kind == InputKind::Pathway);
        let shared = self
            .inputs
            .iter()
            .all(|i| i.preprocess == self.inputs[0].preprocess);
        if !pathways || !shared || self.stylized {
            return Ok(None);
        }
        let (info, all) = self.decoded(source)?;
        let n = info.frames;
        let plans: Vec<Vec<usize>> = self
            .inputs
            .iter()
            .map(|i| plan_clip(n, spec.start_draw, self.window, i.spec.frames).frames)
            .collect();
        let mut union: Vec<usize> = plans.concat();
        union.sort_unstable();
        union.dedup();
        let picked = match all.and_then(|kept| kept.pick(&union)) {
            Some(frames) => frames,
            None => source
                .read_frames_with(&info, &union)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(Arc::new)
                .collect(),
        };
        let clip = preprocess(&picked, &self.inputs[0].preprocess);
        let styled = |k: usize| -> Result<Clip, String> {
            let style = self
                .styles
                .get(k)
                .ok_or_else(|| format!("pair {}: no style {k}", spec.id))?;
            let mut out = clip.clone();
            style.apply(&mut out);
            Ok(out)
        };
        let a = styled(spec.style_a)?;
        let b = match spec.factor {
            Factor::Dynamic => Some(styled(spec.style_b)?),
            Factor::Static => None,
        };
        let mut out = Vec::with_capacity(plans.len());
        for (j, frames) in plans.iter().enumerate() {
            let at: Vec<usize> = frames
                .iter()
                .map(|i| union.binary_search(i).unwrap_or(0))
                .collect();
            let mine = a.permuted(&at);
            let other = match &b {
                Some(b) => b.permuted(&at),
                None if j == self.primary => mine.permuted(&spec.permutation),
                None => mine.permuted(&self.plan.pathway_permutation(spec.id, j, frames.len())),
            };
            out.push((mine, other));
        }
        Ok(Some(out))
    }

    /// The flow clip of video `video`'s raw `frames` for a flow input.
    fn flow_clip(&self, video: usize, frames: &[usize], input: &InputPlan) -> Result<Clip, String> {
        let source = self
            .flows
            .get(video)
            .and_then(Option::as_ref)
            .ok_or_else(|| format!("no optical flow for video {video}"))?;
        let uv = input.spec.is_uv();
        let read = self.ready_flow(video, source, frames, uv)?;
        if uv {
            uv_clip(&read, &input.preprocess, source.path()).map_err(|e| e.to_string())
        } else {
            Ok(color_clip(&read, &input.preprocess))
        }
    }

    /// Video `video`'s flow at raw `frames`, made ready for a flow input
    /// (colour images, or as read for `uv`): kept frames where there are,
    /// the others read, converted and kept while there is room.
    fn ready_flow(
        &self,
        video: usize,
        source: &FlowSource,
        frames: &[usize],
        uv: bool,
    ) -> Result<Vec<Arc<FlowFrame>>, String> {
        let mut ready: Vec<Option<Arc<FlowFrame>>> = match self.cache.lock() {
            Ok(c) => frames.iter().map(|&f| c.flow(video, f, uv)).collect(),
            Err(_) => vec![None; frames.len()],
        };
        let missing: Vec<usize> = (0..frames.len()).filter(|&i| ready[i].is_none()).collect();
        if missing.is_empty() {
            return Ok(ready.into_iter().flatten().collect());
        }
        let wanted: Vec<usize> = missing.iter().map(|&i| frames[i]).collect();
        let read = source.read(&wanted).map_err(|e| e.to_string())?;
        let made: Vec<Arc<FlowFrame>> = read
            .into_iter()
            .map(|frame| {
                Arc::new(match frame {
                    FlowFrame::Field { .. } if !uv => FlowFrame::Image(frame.to_color()),
                    other => other,
                })
            })
            .collect();
        let mut cache = self.cache.lock().ok();
        for (i, frame) in missing.into_iter().zip(made) {
            if let Some(c) = cache.as_mut() {
                c.keep_flow((video, frames[i], uv), &frame);
            }
            ready[i] = Some(frame);
        }
        Ok(ready.into_iter().flatten().collect())
    }
}
