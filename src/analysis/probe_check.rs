//! [`CheckedProbe`]: a probe set whose every video was opened once before
//! any pair is planned. Videos that cannot be read are left out (and said
//! so), so the plan is over readable videos only and `--pairs N` means N
//! measured pairs. The check reads headers (`ffprobe` for a file, the first
//! frame's header for a frame folder), never decodes, and runs a few videos
//! at a time.

use super::ProbeSpec;
use crate::report::Warning;
use crate::video::{ProbeSet, VideoInfo, VideoSource};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A video: its path and, for a `.npy` clip array, the clip's index (every
/// clip of an array shares the array's path).
pub(super) type VideoKey = (PathBuf, usize);

/// The key of a video source.
pub(super) fn video_key(source: &VideoSource) -> VideoKey {
    let index = match source {
        VideoSource::Array { index, .. } => *index,
        _ => 0,
    };
    (source.path().to_path_buf(), index)
}

/// Header checks run at once (each a short `ffprobe` process for a file).
const CHECKS_AT_ONCE: usize = 8;

/// A probe set after its check: the readable videos, what was left out and
/// why, and each source's facts.
pub struct CheckedProbe {
    /// The readable videos (the plan is over these).
    pub set: ProbeSet,
    /// Videos left out, with the reason.
    pub left_out: Vec<Warning>,
    /// Facts of every source of the readable videos.
    pub(super) infos: HashMap<VideoKey, VideoInfo>,
}

impl CheckedProbe {
    /// Discovers the probe set of `spec` and checks every video (for the
    /// pre-stylized layout, every style of it). Fails when no video is
    /// readable, naming a few and why.
    pub fn open(spec: &ProbeSpec) -> anyhow::Result<Self> {
        let mut set = ProbeSet::discover(&spec.videos, spec.layout)?;
        let sources: Vec<&VideoSource> = set
            .videos
            .iter()
            .flat_map(|v| std::iter::once(&v.source).chain(v.styled.iter().map(|(_, s)| s)))
            .collect();
        let results = check_all(&sources);
        let mut infos = HashMap::new();
        let mut bad: HashMap<VideoKey, String> = HashMap::new();
        for (source, result) in sources.iter().zip(results) {
            match result {
                Ok(info) => {
                    infos.insert(video_key(source), info);
                }
                Err(e) => {
                    bad.insert(video_key(source), e);
                }
            }
        }
        let mut left_out = Vec::new();
        let total = set.videos.len();
        set.videos.retain(|v| {
            let reason = std::iter::once(&v.source)
                .chain(v.styled.iter().map(|(_, s)| s))
                .find_map(|s| bad.get(&video_key(s)).map(|r| (s.path(), r)));
            match reason {
                Some((path, why)) => {
                    left_out.push(Warning {
                        path: path.display().to_string(),
                        reason: format!("left out before planning: {why}"),
                    });
                    false
                }
                None => true,
            }
        });
        if set.videos.is_empty() {
            let examples: Vec<String> = left_out
                .iter()
                .take(3)
                .map(|w| format!("{}: {}", w.path, w.reason))
                .collect();
            anyhow::bail!(
                "no video of probe set '{}' can be read ({total} tried), e.g.\n  {}",
                spec.videos.display(),
                examples.join("\n  ")
            );
        }
        Ok(Self {
            set,
            left_out,
            infos,
        })
    }
}

/// `info()` of every source, a few at a time, in order.
fn check_all(sources: &[&VideoSource]) -> Vec<Result<VideoInfo, String>> {
    let results: Mutex<Vec<Option<Result<VideoInfo, String>>>> =
        Mutex::new(vec![None; sources.len()]);
    let next = AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(source) = sources.get(i) else {
                return;
            };
            let r = source.info().map_err(|e| e.to_string());
            if let Ok(mut all) = results.lock() {
                all[i] = Some(r);
            }
        }
    };
    // Arrays and frame folders are checked in microseconds; only files
    // (ffprobe processes) are worth threads.
    let files = sources
        .iter()
        .filter(|s| matches!(s, VideoSource::File(_)))
        .count();
    let threads = files.clamp(1, CHECKS_AT_ONCE);
    std::thread::scope(|scope| {
        for _ in 1..threads {
            // A thread that cannot start leaves its share to the others.
            let _ = std::thread::Builder::new()
                .name("stadyn-probe-check".into())
                .spawn_scoped(scope, work);
        }
        work();
    });
    results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not checked".into())))
        .collect()
}
