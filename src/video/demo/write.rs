//! [`write_demo_data`]: a folder of demo clips that is both a training set
//! for Python (`clips.npy` uint8 N×T×H×W×3, `labels.npy` int64 N) and a probe
//! set for stadyn (`.npy` clip arrays are probe videos; `labels.csv` gives
//! their classes), with `demo-data.json` saying how it was made.

use std::io::{BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{DemoSpec, assets, render_clip};
use crate::files::atomic_write;
use crate::npz::npy_header_bytes;

/// The description written to `demo-data.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoData {
    /// What was generated.
    #[serde(flatten)]
    pub spec: DemoSpec,
    /// Number of clips.
    pub n: usize,
    /// Class names in label order.
    pub classes: Vec<String>,
    /// Clips per class.
    pub counts: Vec<usize>,
    /// The stadyn version that wrote it.
    pub tool_version: String,
    /// Where the images come from.
    pub sources: String,
}

/// Clips rendered per batch (and per thread).
const BATCH: usize = 32;

/// Writes clips `0..n` of `spec` into `out` (created if needed). Each file is
/// written under a temporary name and renamed, so an interrupted run leaves
/// no half-written array under the final name. `progress(done, n)` is called
/// after each batch.
pub fn write_demo_data(
    spec: &DemoSpec,
    n: usize,
    out: &Path,
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<DemoData> {
    use anyhow::Context as _;
    anyhow::ensure!(n > 0, "the number of clips must be at least 1");
    anyhow::ensure!(
        spec.frames > 0 && spec.width > 0 && spec.height > 0,
        "frames, width and height must be positive"
    );
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the folder '{}'", out.display()))?;
    let (t, h, w) = (spec.frames, spec.height as usize, spec.width as usize);
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let mut labels = Vec::with_capacity(n);
    atomic_write(&out.join("clips.npy"), |file| {
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        writer.write_all(&npy_header_bytes("|u1", &[n, t, h, w, 3]))?;
        let mut start = 0;
        while start < n {
            let end = (start + BATCH * threads).min(n);
            for clip in render_range(spec, start, end, threads) {
                labels.push(clip.label);
                for frame in &clip.frames {
                    writer.write_all(frame.as_raw())?;
                }
            }
            start = end;
            progress(start, n);
        }
        writer.flush()?;
        Ok(())
    })?;

    let mut npy = npy_header_bytes("<i8", &[n]);
    for &l in &labels {
        npy.extend_from_slice(&(l as i64).to_le_bytes());
    }
    atomic_write(&out.join("labels.npy"), |f| Ok(f.write_all(&npy)?))?;
    let classes: Vec<String> = spec.task.classes().iter().map(|c| c.to_string()).collect();
    let mut csv = String::from("index,label,class\n");
    for (i, &l) in labels.iter().enumerate() {
        csv.push_str(&format!("{i},{l},{}\n", classes[l]));
    }
    atomic_write(
        &out.join("labels.csv"),
        |f| Ok(f.write_all(csv.as_bytes())?),
    )?;
    let mut counts = vec![0; classes.len()];
    for &l in &labels {
        counts[l] += 1;
    }
    let data = DemoData {
        spec: *spec,
        n,
        classes,
        counts,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        sources: format!(
            "objects {:?} and backgrounds {:?} from the scikit-image 0.26.0 wheel's data \
             images (CC0 / public domain; see stadyn's assets/README.md)",
            assets::OBJECTS,
            assets::BACKGROUNDS
        ),
    };
    let json = serde_json::to_string_pretty(&data)?;
    atomic_write(&out.join("demo-data.json"), |f| {
        Ok(f.write_all(json.as_bytes())?)
    })?;
    Ok(data)
}

/// Writes the exact optical flow of clips `0..n` of `spec` into
/// `out/clips.flow.npy` (float32 N×T×H×W×2, (u, v) in pixels from frame t to
/// t + 1), beside the `clips.npy` [`write_demo_data`] writes: the flow
/// two-stream models read ([`crate::video::flow`]).
pub fn write_demo_flow(spec: &DemoSpec, n: usize, out: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(n > 0, "the number of clips must be at least 1");
    let (t, h, w) = (spec.frames, spec.height as usize, spec.width as usize);
    atomic_write(&out.join("clips.flow.npy"), |file| {
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        writer.write_all(&npy_header_bytes("<f4", &[n, t, h, w, 2]))?;
        for i in 0..n as u64 {
            for field in super::render_flow(spec, i) {
                let bytes: Vec<u8> = field.iter().flat_map(|v| v.to_le_bytes()).collect();
                writer.write_all(&bytes)?;
            }
        }
        writer.flush()?;
        Ok(())
    })
}

/// Clips `start..end`, rendered on up to `threads` threads, in order.
fn render_range(spec: &DemoSpec, start: usize, end: usize, threads: usize) -> Vec<super::DemoClip> {
    let ids: Vec<u64> = (start as u64..end as u64).collect();
    let chunk = ids.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = ids
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|&i| render_clip(spec, i))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(clips) => clips,
                // rendering has no failure path; a panic there is re-raised
                Err(payload) => std::panic::resume_unwind(payload),
            })
            .collect()
    })
}
