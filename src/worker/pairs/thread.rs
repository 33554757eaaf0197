//! The loader thread: serves the newest request, from the cache when it can,
//! and reports every failure as an event.

use std::collections::VecDeque;
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender};

use super::{
    ModelInput, PairEvent, PairFrames, PairRequest, Role, Waker, build_frames, nearest_other,
};
use crate::analysis::{ModelEntry, PairSource, checkpoint_files};
use crate::model::Manifest;
use crate::stats::Factor;

/// Runs until the handle is dropped (either channel disconnects).
pub(super) fn run(
    requests: &Receiver<PairRequest>,
    events: &Sender<PairEvent>,
    waker: &Waker,
    cache_bytes: usize,
) {
    let mut loader = Loader {
        cache: PairCache::new(cache_bytes),
        source: None,
        manifest: None,
    };
    let mut next = None;
    loop {
        let first = match next.take() {
            Some(r) => r,
            None => match requests.recv() {
                Ok(r) => r,
                Err(_) => return,
            },
        };
        let send = |ev: PairEvent| {
            let ok = events.send(ev).is_ok();
            waker();
            ok
        };
        match loader.serve(&newest(requests, first), requests, &send) {
            Served::Done => {}
            Served::Superseded(r) => next = Some(*r),
            Served::Closed => return,
        }
    }
}

/// The newest of `first` and the requests queued behind it.
fn newest(requests: &Receiver<PairRequest>, first: PairRequest) -> PairRequest {
    let mut req = first;
    while let Ok(r) = requests.try_recv() {
        req = r;
    }
    req
}

enum Served {
    Done,
    /// A newer request arrived between the two pairs.
    Superseded(Box<PairRequest>),
    /// The app is gone.
    Closed,
}

struct Loader {
    cache: PairCache,
    /// The last probe set + manifest (as a key) and its pair source.
    source: Option<(String, Arc<PairSource>)>,
    /// The last model entry resolved, its manifest and the warning reading it.
    manifest: Option<(ModelEntry, Manifest, Option<String>)>,
}

impl Loader {
    fn serve(
        &mut self,
        req: &PairRequest,
        requests: &Receiver<PairRequest>,
        send: &dyn Fn(PairEvent) -> bool,
    ) -> Served {
        let failed = |role, message: &str| PairEvent::Failed {
            request: req.request,
            role,
            message: message.to_string(),
        };
        let (key, source, note) = match self.source_for(req) {
            Ok(s) => s,
            Err(message) => {
                let both =
                    send(failed(Role::Selected, &message)) && send(failed(Role::Other, &message));
                return if both { Served::Done } else { Served::Closed };
            }
        };
        let event = |role, result: Result<Arc<PairFrames>, String>| match result {
            Ok(pair) => PairEvent::Loaded {
                request: req.request,
                role,
                pair,
            },
            Err(message) => failed(role, &message),
        };
        let selected = self.pair(&key, &source, req.pair, note.as_deref());
        let factor = selected
            .as_ref()
            .map_or_else(|_| source.spec(req.pair).factor, |p| p.spec.factor);
        if !send(event(Role::Selected, selected)) {
            return Served::Closed;
        }
        if let Ok(r) = requests.try_recv() {
            return Served::Superseded(Box::new(newest(requests, r)));
        }
        let other = match nearest_other(&source, req.pair, factor) {
            Some(id) => self.pair(&key, &source, id, note.as_deref()),
            None => Err(format!(
                "the plan has no {} pair",
                match factor {
                    Factor::Static => Factor::Dynamic.name(),
                    Factor::Dynamic => Factor::Static.name(),
                }
            )),
        };
        if send(event(Role::Other, other)) {
            Served::Done
        } else {
            Served::Closed
        }
    }

    /// The pair source of the request's probe set and model (kept while
    /// they stay the same), its cache key and a note about the manifest.
    fn source_for(
        &mut self,
        req: &PairRequest,
    ) -> Result<(String, Arc<PairSource>, Option<String>), String> {
        let (manifest, note) = match &req.model {
            ModelInput::Manifest(m) => ((**m).clone(), None),
            ModelInput::Entry(e) => match &self.manifest {
                Some((entry, m, note)) if entry == e => (m.clone(), note.clone()),
                _ => {
                    let (m, note) = entry_manifest(e)?;
                    self.manifest = Some((e.clone(), m.clone(), note.clone()));
                    (m, note)
                }
            },
        };
        let key = format!("{:?}|{manifest:?}", req.probe);
        if let Some((k, s)) = &self.source
            && *k == key
        {
            return Ok((key, s.clone(), note));
        }
        let source =
            Arc::new(PairSource::new(&req.probe, &manifest).map_err(|e| format!("{e:#}"))?);
        self.source = Some((key.clone(), source.clone()));
        Ok((key, source, note))
    }

    /// Pair `id`, from the cache or built (a panic while building is an error too).
    fn pair(
        &mut self,
        key: &str,
        source: &PairSource,
        id: u64,
        note: Option<&str>,
    ) -> Result<Arc<PairFrames>, String> {
        let cache_key = (key.to_string(), id);
        if let Some(p) = self.cache.get(&cache_key) {
            return Ok(p);
        }
        let built =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build_frames(source, id)))
                .unwrap_or_else(|_| Err(format!("pair {id}: internal error while building it")));
        let mut pair = built.map_err(|e| format!("pair {id}: {e}"))?;
        pair.notes.extend(note.map(str::to_string));
        let pair = Arc::new(pair);
        self.cache.insert(cache_key, pair.clone());
        Ok(pair)
    }
}

/// The manifest of a project's model: beside its file, or beside its last
/// checkpoint (checkpoints of one model share their input), and the warning
/// when there is none.
fn entry_manifest(e: &ModelEntry) -> Result<(Manifest, Option<String>), String> {
    let file = match (&e.path, &e.checkpoints) {
        (Some(path), _) => path.clone(),
        (None, Some(pattern)) => checkpoint_files(pattern)
            .map_err(|err| format!("{err:#}"))?
            .pop()
            .ok_or_else(|| format!("no checkpoints match '{pattern}'"))?,
        (None, None) => return Err("the model has neither a path nor checkpoints".into()),
    };
    Manifest::for_model(&file).map_err(|err| err.to_string())
}

/// A least-recently-used cache of built pairs, bounded by bytes.
pub(super) struct PairCache {
    entries: VecDeque<((String, u64), Arc<PairFrames>)>,
    pub(super) bytes: usize,
    max_bytes: usize,
}

impl PairCache {
    pub(super) fn new(max_bytes: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            bytes: 0,
            max_bytes,
        }
    }

    pub(super) fn get(&mut self, key: &(String, u64)) -> Option<Arc<PairFrames>> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        let entry = self.entries.remove(i)?;
        let pair = entry.1.clone();
        self.entries.push_back(entry);
        Some(pair)
    }

    pub(super) fn insert(&mut self, key: (String, u64), pair: Arc<PairFrames>) {
        self.bytes += pair.bytes();
        self.entries.push_back((key, pair));
        // The newest entry stays even when it alone is over the bound.
        while self.bytes > self.max_bytes && self.entries.len() > 1 {
            if let Some((_, old)) = self.entries.pop_front() {
                self.bytes -= old.bytes();
            }
        }
    }
}
