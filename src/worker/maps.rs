//! [`MapLoader`]: the channel panel's maps, computed on a named background
//! thread (`stadyn-maps`) so the UI never runs a model.
//!
//! A [`MapRequest`] names a model file, the probe settings of the results,
//! a layer, a channel and the pair members (windows) to show. The thread
//! rebuilds each member from its pair id, runs the model once per member and
//! keeps the layer's maps of **every** channel (an LRU bounded by bytes), so
//! another channel of the same layer needs no forward pass. It answers with
//! one [`MapEvent`]: every window's frames and the channel's map over them,
//! coloured over one range shared by the request's windows, or why not.
//! Before the first map of a model it checks that the model file is the one
//! the statistics were made with (SHA-256), and every map's pooled value
//! against the stored one when the request gives it.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender};

use super::pairs::{Frames, nearest_other};
use super::{Latest, Waker};
use crate::analysis::{ModelStats, PairSource, ProbeSpec, file_hash};
use crate::inspect::{Range, overlay_frames, pooled_check, strip};
use crate::model::{Extractor, LayerMaps, Manifest};
use crate::stats::{End, Factor, LayerAccumulator};
use crate::video::Clip;

/// Bytes of maps kept (all channels of a layer, per member).
pub const MAPS_CACHE_BYTES: usize = 256 << 20;

/// One pair member to show.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// The pair.
    pub pair: u64,
    /// Member 1 or 2.
    pub member: u8,
    /// The channel's stored pooled value, to check the recomputed map
    /// against (`None`: not checked, e.g. the pair shown in the scrubber).
    pub value: Option<f64>,
    /// Which end of the channel's top windows it is (`None`: not a top
    /// window).
    pub end: Option<End>,
    /// The member's frame the stored value is (per-frame models; 0 for
    /// clip models).
    pub frame: u32,
}

impl Window {
    /// A member of a pair shown in the scrubber (no stored value to check).
    pub fn shown(pair: u64, member: u8) -> Self {
        Self {
            pair,
            member,
            value: None,
            end: None,
            frame: 0,
        }
    }

    /// A top window of the channel, with its stored pooled value.
    pub fn top(pair: u64, member: u8, value: f64, end: End) -> Self {
        Self {
            pair,
            member,
            value: Some(value),
            end: Some(end),
            frame: 0,
        }
    }
}

/// One request.
#[derive(Clone, Debug, PartialEq)]
pub struct MapRequest {
    /// The request's id (the app drops events of older ones).
    pub request: u64,
    /// The model file.
    pub model: PathBuf,
    /// Its SHA-256 as the statistics recorded it.
    pub sha256: String,
    /// The probe settings of the results (rebuild pairs by id).
    pub probe: ProbeSpec,
    /// The layer.
    pub layer: String,
    /// The channel.
    pub channel: usize,
    /// The members to show, in order.
    pub windows: Vec<Window>,
    /// Also show the pair of the other factor nearest to the first window's
    /// pair (the one Videos & pairs shows beside it) (both members, right after the leading windows without a
    /// stored value), so a static and a dynamic pair are side by side.
    pub companion: bool,
}

impl MapRequest {
    /// The channel panel's request (id 0; the sender numbers it): both
    /// members of `pair` and of its companion, then the first `per_end`
    /// top windows of each end that the statistics of layer `acc` of
    /// `model` keep for `channel`.
    pub fn panel(
        model: &ModelStats,
        probe: &ProbeSpec,
        acc: &LayerAccumulator,
        channel: usize,
        pair: u64,
        per_end: usize,
    ) -> Self {
        let mut windows = vec![Window::shown(pair, 1), Window::shown(pair, 2)];
        for end in [End::High, End::Low] {
            let top = acc.top().get(channel, end).iter().take(per_end);
            windows.extend(top.map(|w| Window {
                frame: w.frame,
                ..Window::top(w.pair, w.member, w.value, end)
            }));
        }
        Self {
            request: 0,
            model: model.path.clone().into(),
            sha256: model.sha256.clone(),
            probe: probe.clone(),
            layer: acc.name().to_string(),
            channel,
            windows,
            companion: true,
        }
    }
}

/// One member's frames with the channel's map over them.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowMaps {
    /// Which member.
    pub window: Window,
    /// The pair's factor.
    pub factor: Factor,
    /// The frames the model sees.
    pub frames: Frames,
    /// The channel's map alone, coloured over the answer's shared range (the
    /// view blends it over `frames` at the opacity the user picks).
    pub heat: Frames,
    /// One image: the frames in a row over their overlays (2 px apart).
    pub strip: Frames,
    /// The map's mean (the pooled value, recomputed).
    pub pooled: f64,
    /// An earlier window of the answer that is the very same clip (two pairs
    /// can share a member: same clip, window and style), if any.
    pub same_as: Option<usize>,
}

/// What the loader sends back.
#[derive(Clone, Debug)]
pub enum MapEvent {
    /// Every window of the request.
    Ready {
        /// The request's id.
        request: u64,
        /// One per requested window, in order.
        windows: Arc<Vec<WindowMaps>>,
        /// The range the colours span.
        range: Range,
        /// Seconds since the request reached the thread.
        seconds: f64,
        /// `false` for the early answer with the shown pair alone (coloured
        /// over its own range); the complete answer follows.
        complete: bool,
    },
    /// Why there are no maps.
    Failed {
        /// The request's id.
        request: u64,
        /// For the user.
        message: String,
    },
}

impl MapEvent {
    /// The id of the request it answers.
    pub fn request(&self) -> u64 {
        match self {
            Self::Ready { request, .. } | Self::Failed { request, .. } => *request,
        }
    }
}

/// The handle of the thread; dropping it stops the thread.
pub struct MapLoader(Latest<MapRequest, MapEvent>);

impl MapLoader {
    /// Starts the thread; `waker` is called after every event.
    pub fn spawn(waker: Waker) -> std::io::Result<Self> {
        // Joined on drop: the thread holds a libtorch model, which must be
        // freed before the process exits.
        Latest::spawn("stadyn-maps", move |req, ev| run(&req, &ev, &waker))
            .map(|l| Self(l.join_on_drop()))
    }

    /// Asks for maps; never blocks (a newer request replaces an unsent one).
    pub fn request(&mut self, request: MapRequest) {
        self.0.request(request);
    }

    /// The next event, if one is ready; never blocks.
    pub fn try_recv(&mut self) -> Option<MapEvent> {
        self.0.try_recv()
    }

    /// Waits up to `timeout` for an event (tests and benchmarks, never the UI).
    pub fn recv_timeout(&mut self, timeout: std::time::Duration) -> Option<MapEvent> {
        self.0.recv_timeout(timeout)
    }
}

fn run(requests: &Receiver<MapRequest>, events: &Sender<MapEvent>, waker: &Waker) {
    let mut state = Thread::default();
    while let Ok(mut req) = requests.recv() {
        while let Ok(newer) = requests.try_recv() {
            req = newer;
        }
        let start = std::time::Instant::now();
        let mut early = |windows: Vec<WindowMaps>, range: Range| {
            let _ = events.send(MapEvent::Ready {
                request: req.request,
                windows: Arc::new(windows),
                range,
                seconds: start.elapsed().as_secs_f64(),
                complete: false,
            });
            waker();
        };
        let served = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            state.serve(&req, &mut early)
        }));
        let event = match served {
            Ok(Ok((windows, range))) => MapEvent::Ready {
                request: req.request,
                windows: Arc::new(windows),
                range,
                seconds: start.elapsed().as_secs_f64(),
                complete: true,
            },
            Ok(Err(message)) => MapEvent::Failed {
                request: req.request,
                message,
            },
            Err(_) => {
                state = Thread::default();
                MapEvent::Failed {
                    request: req.request,
                    message: "internal error while computing maps (see the log)".into(),
                }
            }
        };
        if events.send(event).is_err() {
            return;
        }
        waker();
    }
}

/// Key of one member's maps: model, layer, pair, member.
type MapsKey = (PathBuf, String, u64, u8);

#[derive(Default)]
struct Thread {
    /// The loaded model and its file.
    model: Option<(PathBuf, Box<dyn Extractor>)>,
    /// The pair source of the last probe settings and model input.
    source: Option<(String, Arc<PairSource>)>,
    /// Members' clips and every channel's maps, least recently used first.
    maps: VecDeque<(MapsKey, Arc<(Clip, LayerMaps)>)>,
    bytes: usize,
}

impl Thread {
    /// Computes every window; the leading windows without a stored value
    /// (the shown pair) are also handed to `early` as soon as they are
    /// ready, coloured over their own range.
    fn serve(
        &mut self,
        req: &MapRequest,
        early: &mut dyn FnMut(Vec<WindowMaps>, Range),
    ) -> Result<(Vec<WindowMaps>, Range), String> {
        let t0 = std::time::Instant::now();
        let manifest = self.load_model(req)?;
        let t1 = std::time::Instant::now();
        let source = self.source(req, &manifest)?;
        log::debug!(
            "maps: model ready in {:.0} ms, pair source in {:.0} ms",
            (t1 - t0).as_secs_f64() * 1e3,
            t1.elapsed().as_secs_f64() * 1e3
        );
        let mut windows = req.windows.clone();
        let mut lead = windows.iter().take_while(|w| w.value.is_none()).count();
        if req.companion
            && let Some(first) = windows.first()
            && let Some(other) = nearest_other(&source, first.pair, source.spec(first.pair).factor)
        {
            let members = [1, 2].map(|member| Window::shown(other, member));
            windows.splice(lead..lead, members);
            lead += 2;
        }
        let mut got: Vec<Arc<(Clip, LayerMaps)>> = Vec::new();
        for (i, w) in windows.iter().enumerate() {
            let t = std::time::Instant::now();
            got.push(self.member_maps(req, &source, w)?);
            log::debug!(
                "maps: pair {} member {} in {:.0} ms",
                w.pair,
                w.member,
                t.elapsed().as_secs_f64() * 1e3
            );
            if i + 1 == lead && lead < windows.len() {
                let (early_windows, range) = colour(req, &source, &windows[..lead], &got)?;
                early(early_windows, range);
            }
        }
        colour(req, &source, &windows, &got)
    }
}

/// `windows` (with their clips and maps in `got`) coloured over one shared
/// range, each map's pooled value checked against the stored one.
fn colour(
    req: &MapRequest,
    source: &PairSource,
    windows: &[Window],
    got: &[Arc<(Clip, LayerMaps)>],
) -> Result<(Vec<WindowMaps>, Range), String> {
    let maps: Vec<Vec<f32>> = got
        .iter()
        .map(|cm| {
            let (clip, lm) = &**cm;
            lm.frames_upsampled(0, req.channel, clip.t, clip.h, clip.w)
        })
        .collect();
    let range = Range::of(maps.iter().map(Vec::as_slice));
    let mut out = Vec::new();
    for (i, ((w, cm), map)) in windows.iter().zip(got).zip(&maps).enumerate() {
        let (clip, lm) = &**cm;
        let same_as = got[..i].iter().position(|g| g.0.data == clip.data);
        let (pooled, ok) = pooled_check(lm, 0, req.channel, w.value.unwrap_or(0.0), w.frame);
        if let Some(v) = w.value
            && !ok
        {
            return Err(format!(
                "pair {} member {}: the model now gives {pooled:.6} where the statistics \
                     hold {v:.6}; these results are not of this model and probe set",
                w.pair, w.member
            ));
        }
        let frames: Vec<_> = (0..clip.t).map(|f| clip.frame_image(f)).collect();
        let overlays = overlay_frames(clip, map, range, 0.55);
        let heat = overlay_frames(clip, map, range, 1.0);
        out.push(WindowMaps {
            window: *w,
            factor: source.spec(w.pair).factor,
            strip: Frames::from_images(&[strip(&frames, &overlays, 1)]),
            frames: Frames::from_images(&frames),
            heat: Frames::from_images(&heat),
            pooled,
            same_as,
        });
    }
    Ok((out, range))
}

impl Thread {
    /// Loads the model (once per file), checking its SHA-256.
    fn load_model(&mut self, req: &MapRequest) -> Result<Manifest, String> {
        if let Some((path, m)) = &self.model
            && *path == req.model
        {
            return Ok(m.manifest().clone());
        }
        let hash = file_hash(&req.model).map_err(|e| format!("{e:#}"))?;
        if hash != req.sha256 {
            return Err(format!(
                "'{}' changed since these results were made (its SHA-256 differs): its maps \
                 would not be of the model measured",
                req.model.display()
            ));
        }
        let (manifest, _) = Manifest::for_model(&req.model).map_err(|e| e.to_string())?;
        let model = load(&req.model, manifest.clone())?;
        self.model = Some((req.model.clone(), model));
        self.maps.clear();
        self.bytes = 0;
        Ok(manifest)
    }

    fn source(&mut self, req: &MapRequest, manifest: &Manifest) -> Result<Arc<PairSource>, String> {
        let key = format!("{:?}{:?}", req.probe, manifest);
        if let Some((k, s)) = &self.source
            && *k == key
        {
            return Ok(s.clone());
        }
        let s = Arc::new(PairSource::new(&req.probe, manifest).map_err(|e| format!("{e:#}"))?);
        self.source = Some((key, s.clone()));
        Ok(s)
    }

    /// One member's clip and every channel's maps, from the LRU or computed.
    fn member_maps(
        &mut self,
        req: &MapRequest,
        source: &PairSource,
        w: &Window,
    ) -> Result<Arc<(Clip, LayerMaps)>, String> {
        let key = (req.model.clone(), req.layer.clone(), w.pair, w.member);
        if let Some(i) = self.maps.iter().position(|(k, _)| *k == key)
            && let Some(entry) = self.maps.remove(i)
        {
            let found = entry.1.clone();
            self.maps.push_back(entry);
            return Ok(found);
        }
        let built = source
            .build(w.pair)
            .map_err(|e| format!("pair {}: {e}", w.pair))?;
        let one_input = built.others.is_empty();
        let member: Vec<Clip> = built.member(w.member).into_iter().cloned().collect();
        let clip = if w.member == 2 { built.b } else { built.a };
        // Another pair with the very same member (same clip, window, style):
        // its maps are these. (Not for models of several inputs, whose
        // members can share the shown clip and differ in another input.)
        if let Some((_, same)) = self
            .maps
            .iter()
            .find(|(k, e)| one_input && k.0 == key.0 && k.1 == key.1 && e.0.data == clip.data)
        {
            let found = same.clone();
            self.maps.push_back((key, found.clone()));
            return Ok(found);
        }
        let Some((_, model)) = self.model.as_mut() else {
            return Err("no model loaded".into());
        };
        // Every channel: another channel of this layer needs no forward pass.
        let refs: Vec<&Clip> = member.iter().collect();
        let maps = model
            .maps(&refs, &req.layer, &[])
            .map_err(|e| e.to_string())?;
        if req.channel >= maps.shape.channels {
            return Err(format!(
                "layer '{}' has {} channels; there is no channel {}",
                req.layer, maps.shape.channels, req.channel
            ));
        }
        let bytes = maps.data.len() * 4 + clip.data.len() * 4;
        let entry = Arc::new((clip, maps));
        self.maps.push_back((key, entry.clone()));
        self.bytes += bytes;
        while self.bytes > MAPS_CACHE_BYTES && self.maps.len() > 1 {
            if let Some((_, old)) = self.maps.pop_front() {
                self.bytes = self
                    .bytes
                    .saturating_sub(old.1.data.len() * 4 + old.0.data.len() * 4);
            }
        }
        Ok(entry)
    }
}

#[cfg(feature = "torch")]
fn load(path: &std::path::Path, manifest: Manifest) -> Result<Box<dyn Extractor>, String> {
    crate::model::TorchScriptModel::load(path, manifest, crate::model::Device::Cpu)
        .map(|m| Box::new(m) as Box<dyn Extractor>)
        .map_err(|e| e.to_string())
}

#[cfg(not(feature = "torch"))]
fn load(_path: &std::path::Path, _manifest: Manifest) -> Result<Box<dyn Extractor>, String> {
    Err(
        "this stadyn was built without TorchScript support (feature `torch`): it cannot run \
         models to show maps"
            .into(),
    )
}

#[cfg(all(test, feature = "torch"))]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
mod tests;
