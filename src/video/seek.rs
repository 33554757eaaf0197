//! Decoding a window late in a video file without decoding everything
//! before it: seek to the keyframe before the window, decode from there, and
//! keep the frames by their exact timestamps.
//!
//! # Why the frames are the same as decoding from frame 0
//! Frame `n` of a file is the `n`-th frame its decoder puts out, in
//! presentation order. When every packet of the video stream has a
//! presentation timestamp, no two share one, none is marked *discard* (an
//! edit list hiding it) and there are as many packets as frames, then frame
//! `n` is the packet with the `n`-th smallest timestamp: the packet table
//! (`ffprobe -show_entries packet`, demuxing only) maps frame indices to
//! timestamps, as decord does. The window is then decoded from the last
//! keyframe (in decode order) presented at or before its first frame, with
//! timestamps kept as stored (`-copyts`), and frames are picked with
//! `select` by timestamp, not by count, so where the seek lands does not
//! matter as long as it is at or before that keyframe. Every frame presented
//! at or after a keyframe decodes from it (closed GOPs, and open GOPs whose
//! leading frames come before it), so the pixels are those of the full
//! decode; the tests check it byte for byte on B-frames, open GOPs, variable
//! frame rate, MPEG-TS, VP8/VP9, 10-bit, rotated and truncated files.
//!
//! # When it is not used
//! A table that breaks a rule above, a window that starts at frame 0, or a
//! seek whose decode does not give every wanted frame (then the video is
//! decoded from frame 0 as before, and not sought again): the numbers never
//! depend on whether seeking was used. `STADYN_NO_SEEK=1` turns it off.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use super::ffmpeg::{Pick, Tools, select_pts_expr};

/// Where each frame of a video file is, from its packets.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FrameTable {
    /// Presentation timestamps, ascending: frame `n` is `pts[n]`.
    pub pts: Vec<i64>,
    /// Keyframes in decode order: `(pts, dts)` (dts = pts when missing).
    pub keys: Vec<(i64, i64)>,
    /// Seconds per timestamp unit.
    pub time_base: f64,
    /// The file's start time in seconds (what `-ss` counts from).
    pub start_s: f64,
}

/// Parses `ffprobe -of compact=p=1` output of
/// `packet=pts,dts,flags:stream=time_base:format=start_time`; `None` when
/// the table breaks a rule of the module docs (a missing timestamp, a
/// repeated one, a discarded packet, no time base).
pub(crate) fn parse_table(text: &str) -> Option<FrameTable> {
    let mut pts = Vec::new();
    let mut keys = Vec::new();
    let mut time_base = None;
    let mut start_s = 0.0;
    for line in text.lines() {
        let mut fields = line.split('|');
        let section = fields.next().unwrap_or("");
        let kv: HashMap<&str, &str> = fields.filter_map(|f| f.split_once('=')).collect();
        match section {
            "packet" => {
                let p: i64 = kv.get("pts")?.parse().ok()?;
                let flags = kv.get("flags").copied().unwrap_or("");
                if flags.contains('D') {
                    return None;
                }
                if flags.contains('K') {
                    let d = kv.get("dts").and_then(|d| d.parse().ok()).unwrap_or(p);
                    keys.push((p, d));
                }
                pts.push(p);
            }
            "stream" => {
                let (n, d) = kv.get("time_base")?.split_once('/')?;
                let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
                time_base = (n > 0.0 && d > 0.0).then_some(n / d);
            }
            "format" => {
                start_s = kv
                    .get("start_time")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0.0);
            }
            _ => {}
        }
    }
    pts.sort_unstable();
    if pts.is_empty() || pts.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    Some(FrameTable {
        pts,
        keys,
        time_base: time_base?,
        start_s,
    })
}

impl FrameTable {
    /// How to decode the frames `sorted` (ascending, unique, within the
    /// table) by seeking; `None` when decoding from frame 0 is as good (the
    /// first frame is frame 0, or no keyframe comes before it).
    pub fn pick(&self, sorted: &[usize]) -> Option<Pick<'static>> {
        let &first = sorted.first()?;
        let target = *self.pts.get(first)?;
        if first == 0 || sorted.iter().any(|&i| i >= self.pts.len()) {
            return None;
        }
        let &(_, dts) = self.keys.iter().rev().find(|&&(p, _)| p <= target)?;
        // Microseconds, 2 µs early: ffprobe prints the start time rounded.
        let seek_us = ((dts as f64 * self.time_base - self.start_s) * 1e6).floor() - 2.0;
        if seek_us <= 0.0 {
            return None;
        }
        let mut runs: Vec<(i64, i64)> = Vec::new();
        let mut prev = None;
        for &i in sorted {
            let p = self.pts[i];
            match runs.last_mut() {
                Some(run) if prev == Some(i.wrapping_sub(1)) => run.1 = p,
                _ => runs.push((p, p)),
            }
            prev = Some(i);
        }
        Some(Pick::Seek {
            seek_s: seek_us / 1e6,
            filter: select_pts_expr(&runs),
            count: sorted.len(),
        })
    }
}

/// A file as it was when its table was read.
type FileKey = (PathBuf, u64, Option<SystemTime>);

/// Tables read so far (`None`: the file is not sought); cleared when it
/// holds this many files.
const TABLES_KEPT: usize = 4096;

fn tables() -> &'static Mutex<HashMap<FileKey, Option<Arc<FrameTable>>>> {
    static TABLES: OnceLock<Mutex<HashMap<FileKey, Option<Arc<FrameTable>>>>> = OnceLock::new();
    TABLES.get_or_init(Default::default)
}

fn file_key(path: &Path) -> Option<FileKey> {
    let meta = std::fs::metadata(path).ok()?;
    Some((path.to_path_buf(), meta.len(), meta.modified().ok()))
}

/// Whether seeking is turned off (`STADYN_NO_SEEK` set, and not `0`).
fn seeking_off() -> bool {
    std::env::var_os("STADYN_NO_SEEK").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The frame table of `path` with `frames` frames, read once per file
/// version; `None` when seeking is off or the file breaks a rule.
pub(crate) fn table(tools: &Tools, path: &Path, frames: usize) -> Option<Arc<FrameTable>> {
    if seeking_off() {
        return None;
    }
    let key = file_key(path)?;
    if let Some(known) = tables().lock().ok()?.get(&key) {
        return known.clone();
    }
    let read = super::ffmpeg::packet_table(tools, path)
        .ok()
        .and_then(|text| parse_table(&text))
        .filter(|t| t.pts.len() == frames)
        .map(Arc::new);
    let mut map = tables().lock().ok()?;
    if map.len() >= TABLES_KEPT {
        map.clear();
    }
    map.insert(key, read.clone());
    read
}

/// Stops seeking in `path` (a seek did not give every frame).
pub(crate) fn forget(path: &Path) {
    if let (Some(key), Ok(mut map)) = (file_key(path), tables().lock()) {
        map.insert(key, None);
    }
}
