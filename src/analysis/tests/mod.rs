//! `run_job` without libtorch: a Rust extractor (per-channel means of the
//! whole clip, which ignore frame order, and of the first frame, which do
//! not) on a probe set of frame folders. Covers cancellation and resume.

use super::*;
use crate::model::{Extractor, LayerOutput, Manifest, ModelError, PoolRule};
use crate::report::Report;
use crate::video::Clip;
use std::sync::atomic::{AtomicBool, Ordering};

mod stages;

struct Means(Manifest);

impl Extractor for Means {
    fn manifest(&self) -> &Manifest {
        &self.0
    }
    fn extract(&mut self, clips: &[&Clip]) -> Result<Vec<LayerOutput>, ModelError> {
        let mut all = Vec::new();
        let mut first = Vec::new();
        for c in clips {
            for ch in 0..3 {
                let values = |f: usize| c.frame(f).iter().skip(ch).step_by(3).sum::<f32>();
                let n = (c.h * c.w) as f32;
                all.push((0..c.t).map(values).sum::<f32>() / (n * c.t as f32));
                first.push(values(0) / n);
            }
        }
        let layer = |name: &str, data| LayerOutput {
            name: name.into(),
            channels: 3,
            data,
            raw_shape: vec![clips.len() as i64, 3],
            rule: PoolRule::Pooled,
        };
        Ok(vec![layer("clip_mean", all), layer("first_frame", first)])
    }
}

/// Four frame folders of 12 frames: a bright bar moving over a colour gradient.
fn probe(dir: &std::path::Path) -> std::path::PathBuf {
    let root = dir.join("probe");
    for v in 0..4u32 {
        let folder = root.join(format!("video{v}"));
        std::fs::create_dir_all(&folder).unwrap();
        for f in 0..12u32 {
            let img = image::RgbImage::from_fn(24, 20, |x, y| {
                let bar = (x + 2 * f + 3 * v) % 24 < 4;
                if bar {
                    image::Rgb([250, 250, 250])
                } else {
                    image::Rgb([(x * 10) as u8, (y * 12) as u8, (40 * v) as u8])
                }
            });
            img.save(folder.join(format!("{f:03}.png"))).unwrap();
        }
    }
    root
}

fn spec(probe: std::path::PathBuf, model: std::path::PathBuf) -> JobSpec {
    let probe = ProbeSpec {
        pairs: 40,
        seed: 3,
        ..ProbeSpec::new(probe)
    };
    JobSpec {
        bootstrap: 16,
        device: "cpu".into(),
        batch: 4,
        save_every: 4,
        ..JobSpec::new("test", probe, vec![ModelSpec::file("means", model)])
    }
}

fn manifest() -> Manifest {
    Manifest {
        frames: 6,
        window: 8,
        short_side: 16,
        crop: Some([16, 16]),
        ..Manifest::default()
    }
}

/// Runs `job` saving statistics in `dir`, cancels it at the first progress
/// event `when` accepts, and returns the statistics saved.
fn cancel_when(
    job: &JobSpec,
    loader: ModelLoader<'_>,
    dir: &std::path::Path,
    when: impl Fn(&Progress) -> bool,
) -> StatsFile {
    let stats_path = dir.join("stats.bin");
    let cancel = AtomicBool::new(false);
    let mut on_event = |e: JobEvent| {
        if let JobEvent::Progress(p) = e
            && when(&p)
        {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let err = run_job(job, loader, None, Some(&stats_path), &mut on_event, &cancel).unwrap_err();
    assert!(err.to_string().contains("cancelled"), "{err}");
    StatsFile::load(&stats_path).unwrap()
}

#[test]
fn frame_order_invariant_layer_and_cancel_then_resume() {
    let d = tempfile::tempdir().unwrap();
    let job = job_in(d.path(), "means.pt");
    let loader = |_: &ModelSpec| -> Result<Box<dyn Extractor>, ModelError> {
        Ok(Box::new(Means(manifest())))
    };
    let never = AtomicBool::new(false);
    let whole = run_job(&job, &loader, None, None, &mut |_| {}, &never).unwrap();
    let report = whole.report;
    let mean = &report.models[0].layers[0];
    for rho in mean.units.rho_static.iter().flatten() {
        assert!(
            (rho - 1.0).abs() < 1e-5,
            "clip means ignore frame order: rho_S {rho}"
        );
    }
    // The first frame changes when frames are shuffled.
    let first = &report.models[0].layers[1];
    assert!(first.units.rho_static.iter().flatten().any(|r| *r < 0.99));

    // Cancel after the first progress event; statistics are saved.
    let saved = cancel_when(&job, &loader, d.path(), |_| true);
    assert!(
        saved.done > 0 && saved.done < saved.total,
        "{} of {}",
        saved.done,
        saved.total
    );
    // Resume: the same report as the uninterrupted run.
    let stats_path = d.path().join("stats.bin");
    let resumed = run_job(
        &job,
        &loader,
        Some(saved),
        Some(&stats_path),
        &mut |_| {},
        &never,
    )
    .unwrap();
    // The run kept its report beside its statistics, for the next open.
    let (key, _) = job.identity().unwrap();
    let kept = super::cache::report_file::read(&stats_path, &key, job.shard, job.threshold)
        .expect("a report beside the statistics");
    assert_eq!(kept.report, resumed.report);
    assert_eq!(kept.later.load().unwrap(), resumed.stats);
    let again = resumed.report;
    for (a, b) in again.models[0].layers.iter().zip(&report.models[0].layers) {
        assert_eq!(a.dims, b.dims);
        assert_eq!(a.pct, b.pct);
        assert_eq!(a.pairs, b.pairs);
        for k in 0..2 {
            assert!((a.scores[k] - b.scores[k]).abs() <= 1e-12 * a.scores[k].abs().max(1.0));
        }
        assert_eq!(
            a.ci95.as_ref().map(|c| c.valid),
            b.ci95.as_ref().map(|c| c.valid)
        );
    }
}

/// A job over the test probe set in `dir`, with a placeholder model file
/// (the Rust extractors stand for it).
fn job_in(dir: &std::path::Path, model: &str) -> JobSpec {
    let path = dir.join(model);
    std::fs::write(&path, b"stands for the Rust extractor").unwrap();
    spec(probe(dir), path)
}

/// Runs `job` to its end with the model `make` builds.
fn run_all(job: &JobSpec, make: impl Fn() -> Box<dyn Extractor>) -> JobOutput {
    let loader = |_: &ModelSpec| -> Result<Box<dyn Extractor>, ModelError> { Ok(make()) };
    run_job(
        job,
        &loader,
        None,
        None,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap()
}

#[test]
fn imported_stylized_folders_give_both_members_from_style_folders() {
    let d = tempfile::tempdir().unwrap();
    let plain = probe(d.path());
    // The reference's layout: style_<k>/<video>/<frame>; style 1 is a darker copy.
    let root = d.path().join("stylized");
    for v in 0..4 {
        for (k, scale) in [(0, 1.0f32), (1, 0.5)] {
            let dst = root.join(format!("style_{k}/video{v}"));
            std::fs::create_dir_all(&dst).unwrap();
            for f in 0..12 {
                let name = format!("{f:03}.png");
                let mut img = image::open(plain.join(format!("video{v}")).join(&name))
                    .unwrap()
                    .to_rgb8();
                img.pixels_mut()
                    .for_each(|p| p.0 = p.0.map(|c| (f32::from(c) * scale) as u8));
                img.save(dst.join(&name)).unwrap();
            }
        }
    }
    let model = d.path().join("means.pt");
    std::fs::write(&model, b"stands for the Rust extractor").unwrap();
    let job = spec(root, model);
    let source = PairSource::new(&job.probe, &manifest()).unwrap();
    assert_eq!(source.style_names(), ["style_0", "style_1"]);
    let dynamic = source
        .ids()
        .map(|id| source.build(id).unwrap())
        .find(|p| p.spec.factor == crate::stats::Factor::Dynamic)
        .unwrap();
    let mean = |c: &Clip| c.data.iter().sum::<f32>() / c.data.len() as f32;
    let (a, b) = (mean(&dynamic.a), mean(&dynamic.b));
    assert!(
        (a - 2.0 * b).abs() < 0.02 || (b - 2.0 * a).abs() < 0.02,
        "members from the two style folders: {a} vs {b}"
    );
    let out = run_all(&job, || Box::new(Means(manifest())));
    let layer = &out.report.models[0].layers[0];
    assert_eq!(layer.pairs.dynamic + layer.pairs.static_, 40);
    // Their strength is not ours to set.
    let mut weak = job.probe.clone();
    weak.strength = Some(0.5);
    let err = PairSource::new(&weak, &manifest())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("imported pre-stylized folders"), "{err}");
    weak.strength = Some(1.0);
    assert!(
        PairSource::new(&weak, &manifest()).is_ok(),
        "full strength is no setting"
    );
}

#[test]
fn style_strength_zero_makes_dynamic_members_identical_and_is_its_own_job() {
    let d = tempfile::tempdir().unwrap();
    let mut job = job_in(d.path(), "means.pt");
    let full = job.identity().unwrap().0;
    job.probe.strength = Some(1.0);
    assert_eq!(
        job.identity().unwrap().0,
        full,
        "strength 1 is the default job"
    );
    job.probe.strength = Some(0.0);
    let (none, readable) = job.identity().unwrap();
    assert_ne!(none, full);
    assert!(readable.contains("style strength"), "{readable}");
    let source = PairSource::new(&job.probe, &manifest()).unwrap();
    let mut seen = 0;
    for p in source.ids().map(|id| source.build(id).unwrap()) {
        if p.spec.factor == crate::stats::Factor::Dynamic {
            assert_eq!(p.a, p.b, "pair {}: two styles at strength 0", p.spec.id);
            seen += 1;
        }
    }
    assert!(seen > 5);
    let layer = &run_all(&job, || Box::new(Means(manifest()))).report.models[0].layers[1];
    for rho in layer.units.rho_dynamic.iter().flatten() {
        assert!((rho - 1.0).abs() < 1e-9, "identical members: rho_D {rho}");
    }
    // One style weakened only: another job again.
    job.probe.strength = None;
    job.probe.style_strength = Some([("paint".to_string(), 0.5)].into());
    assert_ne!(job.identity().unwrap().0, full);
}

/// A model slower than the pair builder, so the channel is full when the job is cancelled.
struct Slow(Means);

impl Extractor for Slow {
    fn manifest(&self) -> &Manifest {
        self.0.manifest()
    }
    fn extract(&mut self, clips: &[&Clip]) -> Result<Vec<LayerOutput>, ModelError> {
        std::thread::sleep(std::time::Duration::from_millis(30));
        self.0.extract(clips)
    }
}

#[test]
fn cancel_returns_promptly_while_the_producer_waits_on_a_full_channel() {
    let d = tempfile::tempdir().unwrap();
    let mut job = job_in(d.path(), "means.pt");
    job.batch = 1;
    job.probe.pairs = 200;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("cancel-test".into())
        .spawn(move || {
            let loader = |_: &ModelSpec| -> Result<Box<dyn Extractor>, ModelError> {
                Ok(Box::new(Slow(Means(manifest()))))
            };
            let cancel = AtomicBool::new(false);
            let mut seen = 0;
            let result = run_job(
                &job,
                &loader,
                None,
                None,
                &mut |e| {
                    if matches!(e, JobEvent::Progress(_)) {
                        seen += 1;
                        if seen == 3 {
                            // Let the producer fill the channel first.
                            std::thread::sleep(std::time::Duration::from_millis(200));
                            cancel.store(true, Ordering::Relaxed);
                        }
                    }
                },
                &cancel,
            );
            let _ = tx.send(result.map(|_| ()).map_err(|e| e.to_string()));
        })
        .unwrap();
    let result = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the cancelled job did not return");
    assert!(result.unwrap_err().contains("cancelled"));
}

/// Asserts two reports agree: dims, percentages, pair counts and scores.
fn assert_same(a: &Report, b: &Report) {
    assert_eq!(a.models.len(), b.models.len());
    for (ma, mb) in a.models.iter().zip(&b.models) {
        assert_eq!(ma.layers.len(), mb.layers.len(), "{}", ma.name);
        for (x, y) in ma.layers.iter().zip(&mb.layers) {
            assert_eq!((x.dims, x.pct, x.pairs), (y.dims, y.pct, y.pairs));
            for k in 0..2 {
                assert!((x.scores[k] - y.scores[k]).abs() <= 1e-12 * x.scores[k].abs().max(1.0));
            }
        }
    }
}

/// [`Means`] plus a layer that is constant on every clip.
struct WithDead(Means);

impl Extractor for WithDead {
    fn manifest(&self) -> &Manifest {
        self.0.manifest()
    }
    fn extract(&mut self, clips: &[&Clip]) -> Result<Vec<LayerOutput>, ModelError> {
        let mut out = self.0.extract(clips)?;
        out.push(LayerOutput {
            name: "dead".into(),
            channels: 2,
            data: vec![1.0; clips.len() * 2],
            raw_shape: vec![clips.len() as i64, 2],
            rule: PoolRule::Pooled,
        });
        Ok(out)
    }
}

#[test]
fn one_layer_that_cannot_be_estimated_leaves_the_others_in_the_report() {
    let d = tempfile::tempdir().unwrap();
    let job = job_in(d.path(), "means.pt");
    let out = run_all(&job, || Box::new(WithDead(Means(manifest()))));
    let names: Vec<&str> = out.report.models[0]
        .layers
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(names, ["clip_mean", "first_frame"]);
    let w = &out.report.warnings;
    assert!(
        w.iter()
            .any(|w| w.path == "means"
                && w.reason.contains("layer 'dead': every channel is constant")),
        "{w:?}"
    );
    assert_eq!(out.failure(), None);
    // The report says where it came from (schema 2).
    let r = &out.report;
    assert_eq!(r.job_key.as_deref(), Some(out.stats.job_key.as_str()));
    assert_eq!(r.partial, None);
    assert_eq!(r.models[0].pairs_done, Some(40));
    assert_eq!(r.models[0].sha256.as_deref().map(str::len), Some(64));
}

/// An extractor whose only layer is constant.
struct OnlyDead(Manifest);

impl Extractor for OnlyDead {
    fn manifest(&self) -> &Manifest {
        &self.0
    }
    fn extract(&mut self, clips: &[&Clip]) -> Result<Vec<LayerOutput>, ModelError> {
        Ok(vec![LayerOutput {
            name: "dead".into(),
            channels: 1,
            data: vec![0.5; clips.len()],
            raw_shape: vec![clips.len() as i64, 1],
            rule: PoolRule::Pooled,
        }])
    }
}

#[test]
fn a_model_with_no_layer_that_can_be_estimated_is_a_failure() {
    let d = tempfile::tempdir().unwrap();
    let job = job_in(d.path(), "dead.pt");
    let out = run_all(&job, || Box::new(OnlyDead(manifest())));
    let why = out.failure().expect("a failure");
    assert!(
        why.contains("no layer of means could be estimated"),
        "{why}"
    );
    assert!(why.contains("every channel is constant"), "{why}");
}

#[test]
fn each_convergence_point_is_the_report_of_a_run_of_that_many_pairs() {
    let d = tempfile::tempdir().unwrap();
    let job = job_in(d.path(), "means.pt");
    let make = || -> Box<dyn Extractor> { Box::new(Means(manifest())) };
    let whole = run_all(&job, make).report;
    let history = &whole.models[0].convergence;
    assert!(history.len() >= 5, "{} points", history.len());
    assert!(history.windows(2).all(|w| w[0].pairs < w[1].pairs));
    let last = history.last().unwrap();
    assert_eq!(last.pairs, job.probe.pairs);
    for (p, l) in last.layers.iter().zip(&whole.models[0].layers) {
        assert_eq!(p.pct, l.pct);
        assert_eq!(p.pct_ci95, l.ci95.as_ref().map(|c| c.pct));
        assert_eq!(p.probs, l.probs);
    }
    // A point in the middle says what a plan of that many pairs reports.
    let mid = &history[history.len() / 2];
    let shorter = JobSpec {
        probe: ProbeSpec {
            pairs: mid.pairs,
            ..job.probe.clone()
        },
        ..job.clone()
    };
    let short = run_all(&shorter, make).report;
    for (p, l) in mid.layers.iter().zip(&short.models[0].layers) {
        assert_eq!(p.name, l.name);
        assert_eq!(p.pct, l.pct, "at {} pairs", mid.pairs);
        assert_eq!(p.pct_ci95, l.ci95.as_ref().map(|c| c.pct));
        for k in 0..3 {
            assert!((p.probs[k] - l.probs[k]).abs() <= 1e-12);
        }
    }
}

#[test]
fn merged_shards_keep_no_convergence_history() {
    let d = tempfile::tempdir().unwrap();
    let job = job_in(d.path(), "means.pt");
    let loader = |_: &ModelSpec| -> Result<Box<dyn Extractor>, ModelError> {
        Ok(Box::new(Means(manifest())))
    };
    let never = AtomicBool::new(false);
    let shard = |index| {
        let spec = JobSpec {
            shard: Shard { index, count: 2 },
            ..job.clone()
        };
        run_job(&spec, &loader, None, None, &mut |_| {}, &never).unwrap()
    };
    let (a, b) = (shard(0), shard(1));
    assert!(!a.stats.models[0].history.is_empty());
    let mut merged = a.stats.clone();
    merged.merge(&b.stats).unwrap();
    assert!(merged.models[0].history.is_empty());
    assert!(build_report(&merged, 0.5).models[0].convergence.is_empty());
}
