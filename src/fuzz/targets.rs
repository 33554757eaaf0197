//! What is fuzzed: each parser of a file users hand us, with valid seed
//! files made by our own writers, the words of its format, and what runs on
//! an input (the parser and the code that consumes what it returns).

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use super::mutate::{self, Rng};
use crate::analysis::{
    EstimateOptions, JobSpec, Project, StatsFile, build_report, estimate_npz, failure,
};
use crate::figure::Figure;
use crate::npz::{NpzWriter, npy_header_bytes};
use crate::report::{Partial, Warning, read_report};
use crate::stats::BootstrapConfig;
use crate::testing;
use crate::video::ClipArray;

/// A parser under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// Activation archives (`stadyn estimate`): zip, npy headers, data.
    Npz,
    /// Clip arrays (`.npy` probe videos).
    Npy,
    /// Model manifests (`<model>.json`).
    Manifest,
    /// Project files (`*.stadyn.toml`) and the settings checks after them.
    Project,
    /// Report JSON, and every figure drawn from it.
    Report,
    /// Statistics files as stored (the integrity check in front).
    StatsFile,
    /// Statistics payloads behind a valid integrity check: the decoder,
    /// the count checks, and the report built from them.
    StatsPayload,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 7] = [
        Target::Npz,
        Target::Npy,
        Target::Manifest,
        Target::Project,
        Target::Report,
        Target::StatsFile,
        Target::StatsPayload,
    ];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::Npz => "npz",
            Target::Npy => "npy",
            Target::Manifest => "manifest",
            Target::Project => "project",
            Target::Report => "report",
            Target::StatsFile => "stats_file",
            Target::StatsPayload => "stats_payload",
        }
    }

    /// The target called `name`.
    pub fn from_name(name: &str) -> Option<Target> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    fn is_text(self) -> bool {
        matches!(self, Target::Manifest | Target::Project | Target::Report)
    }

    fn file_name(self) -> &'static str {
        match self {
            Target::Npz => "input.npz",
            Target::Npy => "input.npy",
            Target::Manifest => "input.json",
            Target::Project => "input.stadyn.toml",
            Target::Report => "report.json",
            Target::StatsFile | Target::StatsPayload => "stats.bin",
        }
    }

    /// Valid inputs to start from, written by our own writers into `scratch`.
    pub fn seeds(self, scratch: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
        Ok(match self {
            Target::Npz => npz_seeds(scratch)?,
            Target::Npy => npy_seeds(),
            Target::Manifest => manifest_seeds(),
            Target::Project => project_seeds(),
            Target::Report => report_seeds()?,
            Target::StatsFile => vec![StatsFile::seal(&postcard::to_stdvec(&stats_seed())?)],
            Target::StatsPayload => vec![postcard::to_stdvec(&stats_seed())?],
        })
    }

    /// Tokens of the format that mutations insert.
    pub fn words(self, seeds: &[Vec<u8>]) -> Vec<String> {
        let mut words: Vec<String> = match self {
            Target::Npz | Target::Npy => [
                "'descr': '<f4', ",
                "'descr': '>i8', ",
                "'descr': '|u1', ",
                "'descr': '<U3', ",
                "'fortran_order': True, ",
                "'shape': (), ",
                "'shape': (0, 4), ",
                "'shape': (18446744073709551615, 2), ",
                "za",
                "zb",
                "factor",
                "layer",
                "/",
            ]
            .map(String::from)
            .to_vec(),
            _ => Vec::new(),
        };
        if self.is_text() {
            for s in seeds {
                words.extend(keys(&String::from_utf8_lossy(s)));
            }
        }
        words.sort();
        words.dedup();
        words
    }

    /// A mutant of `input` (`other` is a second corpus entry).
    pub fn mutate(self, rng: &mut Rng, input: &[u8], other: &[u8], words: &[&str]) -> Vec<u8> {
        let mut v = input.to_vec();
        match self {
            _ if self.is_text() => mutate::text(rng, &mut v, other, words),
            // Mostly damage one member and zip the archive up again, so
            // the zip's checksums hold and the npy inside gets tested.
            Target::Npz if !rng.one_in(4) => {
                if let Some(z) = mutate_member(rng, input, other, words) {
                    return z;
                }
                mutate::bytes(rng, &mut v, other);
            }
            Target::Npy if rng.one_in(3) => mutate::text(rng, &mut v, other, words),
            _ => mutate::bytes(rng, &mut v, other),
        }
        v
    }

    /// Runs the parser, and what consumes its result, on `input` written to
    /// a file in `scratch`. `Ok` when accepted, else the refusal's message.
    pub fn exec(self, input: &[u8], scratch: &Path) -> Result<(), String> {
        let path = scratch.join(self.file_name());
        let bytes = match self {
            Target::StatsPayload => StatsFile::seal(input),
            _ => input.to_vec(),
        };
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write the input: {e}"))?;
        let r = match self {
            Target::Npz => exec_npz(&path),
            Target::Npy => exec_npy(&path),
            Target::Manifest => crate::model::Manifest::read(&path)
                .map(|m| {
                    let _ = (m.input_hw(), m.probes("x"));
                })
                .map_err(anyhow::Error::from),
            Target::Project => exec_project(&path),
            Target::Report => exec_report(&path),
            Target::StatsFile | Target::StatsPayload => exec_stats(&path),
        };
        r.map_err(|e| format!("{e:#}"))
    }
}

/// The keys and table headers of a JSON or TOML text, as insertable words.
fn keys(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            out.push(format!("\n{t}\n"));
        } else if let Some((k, _)) = t.split_once(" = ") {
            out.push(format!("\n{k} = "));
        } else if let Some((k, _)) = t.split_once("\": ") {
            out.push(format!("{k}\": "));
        }
    }
    out
}

fn exec_npz(path: &Path) -> anyhow::Result<()> {
    for keep_going in [false, true] {
        let options = EstimateOptions {
            bootstrap: BootstrapConfig {
                replicates: 8,
                seed: 1,
            },
            keep_going,
            // Small chunks: several reads per array, as in a large file.
            chunk_values: 16,
            ..EstimateOptions::default()
        };
        let report = estimate_npz(path, &options, &mut |_, _, _| {})?;
        serde_json::to_string(&report)?;
    }
    Ok(())
}

fn exec_npy(path: &Path) -> anyhow::Result<()> {
    let Some(a) = ClipArray::find(path)? else {
        return Ok(());
    };
    for index in 0..a.clips.min(2) {
        let _ = a.info();
        a.read_frames(index, &[0, a.frames - 1])?;
    }
    let _ = a.classes();
    Ok(())
}

fn exec_project(path: &Path) -> anyhow::Result<()> {
    let p = Project::load(path)?;
    let mut spec = JobSpec::new("fuzz", p.probe.clone(), Vec::new());
    spec.threshold = p.estimator.threshold;
    spec.bootstrap = p.estimator.bootstrap;
    spec.batch = p.run.batch;
    spec.threads = p.run.threads;
    spec.check()?;
    for m in &p.models {
        if let Some(c) = &m.checkpoints {
            let _ = crate::analysis::checkpoint_epoch(Path::new(c));
        }
    }
    Ok(())
}

fn exec_report(path: &Path) -> anyhow::Result<()> {
    let report = read_report(path)?;
    let mut figures = crate::figure::catalogue::every(&report);
    let last = report.models.len().saturating_sub(1);
    figures.push(Figure::Compare {
        a: 0,
        b: last,
        layer: None,
        selected: vec![0, 1],
    });
    if let Some(l) = report.models.first().and_then(|m| m.layers.first()) {
        figures.push(Figure::Channels {
            entry: 0,
            layer: l.name.clone(),
            selected: vec![0, usize::MAX],
        });
    }
    for f in figures {
        // Refusing a figure ("nothing to draw") is fine; panicking is not.
        let _ = f.render(&report, 0.5);
    }
    // What the app derives from a report it opens (bars, points, curves).
    #[cfg(feature = "gui")]
    {
        let mut state = crate::gui::state::AppState::default();
        state.set_report(std::sync::Arc::new(report), false);
        state.selection.checkpoint = 0;
        state.refresh();
    }
    Ok(())
}

fn exec_stats(path: &Path) -> anyhow::Result<()> {
    let file = StatsFile::load(path)?;
    let report = build_report(&file, 0.5);
    let _ = failure(&report, &file);
    serde_json::to_string(&report)?;
    let mut twin = file.clone();
    let _ = twin.merge(&file);
    Ok(())
}

/// Zip members (name, bytes) of an archive, or `None` when it is not one.
fn members(zip_bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes)).ok()?;
    let mut out = Vec::new();
    for i in 0..archive.len().min(64) {
        let mut f = archive.by_index(i).ok()?;
        let mut bytes = Vec::new();
        f.by_ref()
            .take(mutate::MAX_LEN as u64)
            .read_to_end(&mut bytes)
            .ok()?;
        out.push((f.name().ok()?.to_string(), bytes));
    }
    Some(out)
}

/// Members written as a stored (uncompressed) zip.
fn zip_up(members: &[(String, Vec<u8>)]) -> Option<Vec<u8>> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in members {
        w.start_file(name.as_str(), options).ok()?;
        w.write_all(bytes).ok()?;
    }
    Some(w.finish().ok()?.into_inner())
}

/// An archive with one member damaged, renamed, dropped or repeated.
fn mutate_member(rng: &mut Rng, input: &[u8], other: &[u8], words: &[&str]) -> Option<Vec<u8>> {
    let mut ms = members(input)?;
    if ms.is_empty() {
        return None;
    }
    let k = rng.below(ms.len());
    match rng.below(8) {
        0 => {
            let w = *rng.pick(words);
            ms[k].0 = format!("{}{w}.npy", ms[k].0.trim_end_matches(".npy"));
        }
        1 => {
            ms.remove(k);
        }
        2 => {
            let m = ms[k].clone();
            ms.push(m);
        }
        3 => {
            // A member of another archive in place of this one's.
            let theirs = members(other)?;
            let (_, bytes) = rng.pick(&theirs).clone();
            ms[k].1 = bytes;
        }
        4 | 5 => {
            // The npy header as text (its dict), then the data as bytes.
            let bytes = std::mem::take(&mut ms[k].1);
            ms[k].1 = mutate_npy_text(rng, bytes, words);
        }
        _ => {
            let bytes = std::mem::take(&mut ms[k].1);
            let mut v = bytes;
            mutate::bytes(rng, &mut v, other);
            ms[k].1 = v;
        }
    }
    zip_up(&ms)
}

/// Mutates an npy file's header dict as text, keeping the data after it.
fn mutate_npy_text(rng: &mut Rng, mut bytes: Vec<u8>, words: &[&str]) -> Vec<u8> {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    let data = bytes.split_off(end);
    mutate::text(rng, &mut bytes, &[], words);
    bytes.extend_from_slice(&data);
    bytes
}

fn npz_seeds(scratch: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let path: PathBuf = scratch.join("seed.npz");
    let rows = 12usize;
    let factor: Vec<i64> = (0..rows as i64).map(|i| i % 2).collect();
    let za: Vec<f32> = (0..rows * 3).map(|i| (i as f32 * 0.7).sin()).collect();
    let zb: Vec<f32> = (0..rows * 3).map(|i| (i as f32 * 0.3).cos()).collect();
    let zb64: Vec<f64> = zb.iter().map(|&x| f64::from(x) + 0.1).collect();
    let mut seeds = Vec::new();
    for (compressed, layered) in [(false, false), (true, false), (false, true)] {
        let mut w = NpzWriter::create_with(&path, compressed)?;
        if layered {
            w.add_strings("layer", &["conv1"])?;
            for l in ["conv1", "conv2"] {
                w.add_f32(&format!("{l}/za"), &[rows, 3], &za)?;
                w.add_f64(&format!("{l}/zb"), &[rows, 3], &zb64)?;
                w.add_i64(&format!("{l}/factor"), &[rows], &factor)?;
            }
        } else {
            w.add_f32("za", &[rows, 3], &za)?;
            w.add_f32("zb", &[rows, 3], &zb)?;
            w.add_i64("factor", &[rows], &factor)?;
        }
        w.finish()?;
        seeds.push(std::fs::read(&path)?);
    }
    Ok(seeds)
}

fn npy_seeds() -> Vec<Vec<u8>> {
    let clip = |shape: &[usize]| {
        let mut v = npy_header_bytes("|u1", shape);
        let n: usize = shape.iter().product();
        v.extend((0..n).map(|i| (i * 7) as u8));
        v
    };
    let mut labels = npy_header_bytes("<i8", &[2]);
    labels.extend([1i64, 2].iter().flat_map(|x| x.to_le_bytes()));
    vec![clip(&[2, 3, 4, 5, 3]), clip(&[3, 2, 2, 3]), labels]
}

fn manifest_seeds() -> Vec<Vec<u8>> {
    [
        r#"{"frames": 4, "window": 8, "short_side": 16, "crop": [16, 16]}"#,
        r#"{
  "name": "transnetv2",
  "layout": "NTHWC",
  "dtype": "uint8",
  "frames": 16,
  "window": 16,
  "size": [27, 48],
  "layers": ["block1", "block2"],
  "mean": [0.45, 0.45, 0.45],
  "std": [0.225, 0.225, 0.225]
}"#,
        r#"{"layout": "NTCHW", "frames": 8, "window": 64, "short_side": 128, "crop": [112, 112], "ignore": ["logits"]}"#,
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec()
}

fn project_seeds() -> Vec<Vec<u8>> {
    [
        include_str!("../../sample_data/demo.stadyn.toml"),
        r#"name = "checkpoints"
[probe]
videos = "videos"
layout = "files"
pairs = 40
seed = 3
styles = ["paint", "colour-coffee"]
frames = 8
window = 32

[estimator]
threshold = 0.6
bootstrap = 50

[run]
device = "cpu"
batch = 8
threads = 2

[[model]]
name = "r3d"
path = "r3d.pt"
layers = ["layer1", "layer4"]

[[model]]
name = "slow"
checkpoints = "runs/*.pt"
"#,
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec()
}

fn report_seeds() -> anyhow::Result<Vec<Vec<u8>>> {
    let rhos = [
        (Some(0.9), Some(0.1)),
        (Some(0.2), Some(0.8)),
        (None, Some(0.5)),
        (Some(0.6), Some(0.7)),
    ];
    let ci = Some([[20.0, 40.0], [10.0, 30.0], [40.0, 60.0]]);
    let layer = |name: &str, ci| testing::layer(name, &rhos, [30.0, 20.0, 50.0], ci, 10);
    let models = vec![
        testing::model("m", Some(0.0), vec![layer("a", ci), layer("b", None)]),
        testing::model("m", Some(1.0), vec![layer("a", ci), layer("b", ci)]),
        testing::model("other", None, vec![layer("a", None)]),
    ];
    let mut partial = testing::report(models.clone(), 20);
    partial.partial = Some(Partial {
        pairs_done: 8,
        pairs_planned: 20,
    });
    partial.warnings.push(Warning {
        path: "v.mp4".into(),
        reason: "left out".into(),
    });
    let mut old = serde_json::to_value(testing::report(models[2..].to_vec(), 0))?;
    old["schema"] = "stadyn.report/1".into();
    Ok(vec![
        serde_json::to_vec_pretty(&testing::report(models, 20))?,
        serde_json::to_vec_pretty(&partial)?,
        serde_json::to_vec_pretty(&old)?,
    ])
}

/// A statistics file of two models (one with a skipped pair), two layers.
fn stats_seed() -> StatsFile {
    let boot = BootstrapConfig {
        replicates: 4,
        seed: 1,
    };
    let layers = |measured| {
        vec![
            testing::accumulator("l1", 2, measured, boot),
            testing::accumulator("l2", 3, measured, boot),
        ]
    };
    let mut file = testing::stats_file(
        vec![
            testing::model_stats("m", Some(1.0), layers(11), 1),
            testing::model_stats("n", None, layers(12), 0),
        ],
        12,
        boot,
    );
    file.warnings.push(Warning {
        path: "v.mp4".into(),
        reason: "skipped".into(),
    });
    file
}
