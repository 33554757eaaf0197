//! Tests of the pair loader on generated probe sets (small demo clips in a
//! temporary folder; an mp4 through the system ffmpeg when it is there).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::thread::PairCache;
use super::*;
use crate::video::demo::{DemoSpec, DemoTask, write_demo_data};
use crate::video::plan_clip;

/// A probe set of `n` demo clips of 16 frames, 48×32.
pub(crate) fn demo_probe(dir: &Path, n: usize) -> ProbeSpec {
    let spec = DemoSpec {
        frames: 16,
        width: 48,
        height: 32,
        ..DemoSpec::new(DemoTask::Motion, 3)
    };
    write_demo_data(&spec, n, dir, |_, _| {}).unwrap();
    probe(dir, 12)
}

fn probe(dir: &Path, pairs: usize) -> ProbeSpec {
    ProbeSpec {
        pairs,
        seed: 5,
        ..ProbeSpec::new(dir)
    }
}

/// A small model input: T = 4 of W = 12 frames at 24×32.
pub(crate) fn small_manifest() -> Manifest {
    Manifest {
        frames: 4,
        window: 12,
        size: Some([24, 32]),
        ..Manifest::default()
    }
}

fn counting_waker() -> (Waker, Arc<AtomicUsize>) {
    let n = Arc::new(AtomicUsize::new(0));
    let m = n.clone();
    (
        Arc::new(move || {
            m.fetch_add(1, Ordering::SeqCst);
        }),
        n,
    )
}

/// The two events of `request` (selected, other), waiting up to a minute.
fn answer(loader: &mut PairLoader, request: u64) -> (PairEvent, PairEvent) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut selected, mut other) = (None, None);
    while selected.is_none() || other.is_none() {
        assert!(Instant::now() < deadline, "no answer to request {request}");
        let Some(ev) = loader.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        if ev.request() != request {
            continue;
        }
        let role = match &ev {
            PairEvent::Loaded { role, .. } | PairEvent::Failed { role, .. } => *role,
        };
        match role {
            Role::Selected => selected = Some(ev),
            Role::Other => other = Some(ev),
        }
    }
    (selected.unwrap(), other.unwrap())
}

fn loaded(ev: PairEvent) -> Arc<PairFrames> {
    match ev {
        PairEvent::Loaded { pair, .. } => pair,
        PairEvent::Failed { message, .. } => panic!("failed: {message}"),
    }
}

fn failed(ev: PairEvent) -> String {
    match ev {
        PairEvent::Failed { message, .. } => message,
        PairEvent::Loaded { pair, .. } => panic!("loaded pair {}", pair.spec.id),
    }
}

fn request(id: u64, probe: &ProbeSpec, pair: u64) -> PairRequest {
    PairRequest {
        request: id,
        probe: probe.clone(),
        model: ModelInput::Manifest(Box::new(small_manifest())),
        pair,
    }
}

/// The loader's frames are `PairSource::build`'s, and its window is the
/// video's raw window.
fn check_against_build(probe: &ProbeSpec, pair: &PairFrames) {
    let source = PairSource::new(probe, &small_manifest()).unwrap();
    let built = source.build(pair.spec.id).unwrap();
    assert_eq!(pair.spec, built.spec);
    assert_eq!(pair.original, Frames::from_clip(&built.original));
    assert_eq!(pair.a, Frames::from_clip(&built.a));
    assert_eq!(pair.b, Frames::from_clip(&built.b));
    assert_eq!((pair.a.len(), pair.a.width, pair.a.height), (4, 32, 24));
    assert!(pair.others.is_empty(), "a one-input model");
    let video = &source.probe().videos[built.spec.video];
    let info = video.source.info().unwrap();
    let plan = plan_clip(info.frames, built.spec.start_draw, 12, 4);
    let raw = video.source.read_frames(&plan.window).unwrap();
    let shown: Vec<_> = raw.iter().map(display_frame).collect();
    assert_eq!(pair.window, Frames::from_images(&shown));
    assert_eq!(pair.window.len(), 12);
    // The sampled window positions are the model's frames.
    for (t, &pos) in pair.sampled.iter().enumerate() {
        assert_eq!(plan.window[pos], plan.frames[t]);
        assert_eq!(pair.model_frame(pos), t);
    }
}

#[test]
fn loader_frames_equal_pair_source_build() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 5);
    let (waker, wakes) = counting_waker();
    let mut loader = PairLoader::spawn(waker).unwrap();
    loader.request(request(7, &probe, 3));
    let (selected, other) = answer(&mut loader, 7);
    let (selected, other) = (loaded(selected), loaded(other));
    assert_eq!(selected.spec.id, 3);
    assert_ne!(selected.spec.factor, other.spec.factor);
    let source = PairSource::new(&probe, &small_manifest()).unwrap();
    assert_eq!(
        nearest_other(&source, 3, selected.spec.factor),
        Some(other.spec.id)
    );
    check_against_build(&probe, &selected);
    check_against_build(&probe, &other);
    assert!(
        selected.video_id.starts_with("clips-"),
        "{}",
        selected.video_id
    );
    assert!(selected.class.is_some());
    assert!(
        wakes.load(Ordering::SeqCst) >= 2,
        "the waker runs after each event"
    );
}

#[test]
fn a_broken_video_is_an_error_event() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.mp4"), b"not a video at all").unwrap();
    let (waker, _) = counting_waker();
    let mut loader = PairLoader::spawn(waker).unwrap();
    loader.request(request(1, &probe(dir.path(), 4), 0));
    let (selected, other) = answer(&mut loader, 1);
    let message = failed(selected);
    assert!(message.contains("broken.mp4"), "{message}");
    failed(other);
    // The thread lives on: a missing probe set is an error too.
    loader.request(request(2, &probe(&dir.path().join("missing"), 4), 0));
    let (selected, _) = answer(&mut loader, 2);
    assert!(failed(selected).contains("missing"));
}

#[test]
fn the_newest_request_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 3);
    let (waker, _) = counting_waker();
    let mut loader = PairLoader::spawn(waker).unwrap();
    for id in 0..10 {
        loader.request(request(id, &probe, id % 4));
    }
    let (selected, _) = answer(&mut loader, 9);
    assert_eq!(loaded(selected).spec.id, 1);
}

#[test]
fn model_entries_resolve_their_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(&dir.path().join("probe"), 3);
    let model = dir.path().join("m.pt");
    std::fs::write(&model, b"").unwrap();
    std::fs::write(
        Manifest::sidecar(&model),
        serde_json::to_string(&small_manifest()).unwrap(),
    )
    .unwrap();
    let (waker, _) = counting_waker();
    let mut loader = PairLoader::spawn(waker).unwrap();
    let entry = ModelEntry {
        name: None,
        path: Some(model),
        checkpoints: None,
        layers: Vec::new(),
    };
    loader.request(PairRequest {
        model: ModelInput::Entry(entry),
        ..request(1, &probe, 0)
    });
    let pair = loaded(answer(&mut loader, 1).0);
    assert_eq!((pair.a.len(), pair.a.width, pair.a.height), (4, 32, 24));
}

#[test]
fn mp4_windows_are_downscaled_for_display() {
    let ok = std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: no ffmpeg; skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi"])
        .args(["-i", "testsrc=size=320x240:rate=10", "-frames:v", "20"])
        .args(["-c:v", "mpeg4", "-q:v", "2"])
        .arg(dir.path().join("clip.mp4"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let probe = probe(dir.path(), 4);
    let (waker, _) = counting_waker();
    let mut loader = PairLoader::spawn(waker).unwrap();
    loader.request(request(1, &probe, 0));
    let pair = loaded(answer(&mut loader, 1).0);
    assert_eq!((pair.window.width, pair.window.height), (256, 192));
    check_against_build(&probe, &pair);
}

#[test]
fn display_frames_fit_the_display_side() {
    let big = RgbImage::new(1280, 720);
    assert_eq!(display_frame(&big).dimensions(), (256, 144));
    let tall = RgbImage::new(100, 1000);
    assert_eq!(display_frame(&tall).dimensions(), (26, 256));
    let small = RgbImage::from_pixel(40, 30, image::Rgb([1, 2, 3]));
    assert_eq!(display_frame(&small), small);
}

#[test]
fn clips_convert_to_rgba8() {
    let clip = Clip {
        t: 1,
        h: 1,
        w: 2,
        data: vec![0.0, 0.5, 1.0, -1.0, 2.0, 0.2],
    };
    let f = Frames::from_clip(&clip);
    assert_eq!((f.width, f.height, f.len()), (2, 1, 1));
    assert_eq!(f.frames[0], vec![0, 128, 255, 255, 0, 255, 51, 255]);
    assert_eq!(f.bytes(), 8);
}

fn fake_pair(id: u64, bytes: usize) -> Arc<PairFrames> {
    let frames = Frames {
        width: bytes / 4,
        height: 1,
        frames: vec![vec![0; bytes]],
    };
    Arc::new(PairFrames {
        spec: PairSpec {
            id,
            video: 0,
            factor: Factor::Static,
            start_draw: 0,
            style_a: 0,
            style_b: 0,
            permutation: vec![1, 0],
        },
        video_id: String::new(),
        class: None,
        video_path: PathBuf::new(),
        style_a: String::new(),
        style_b: String::new(),
        original: frames,
        a: Frames::default(),
        b: Frames::default(),
        window: Frames::default(),
        sampled: vec![0, 5, 11],
        notes: Vec::new(),
        others: Vec::new(),
    })
}

#[test]
fn the_cache_keeps_the_recently_used_within_its_bytes() {
    let mut cache = PairCache::new(300);
    let key = |id| ("k".to_string(), id);
    cache.insert(key(0), fake_pair(0, 100));
    cache.insert(key(1), fake_pair(1, 100));
    cache.insert(key(2), fake_pair(2, 100));
    assert!(cache.get(&key(0)).is_some()); // 0 is now the most recent
    cache.insert(key(3), fake_pair(3, 100));
    assert!(cache.get(&key(1)).is_none(), "the least recently used goes");
    assert!(cache.get(&key(0)).is_some());
    assert!(cache.bytes <= 300);
    // One pair over the bound alone is still kept.
    cache.insert(key(4), fake_pair(4, 1000));
    assert!(cache.get(&key(4)).is_some());
    assert_eq!(cache.bytes, 1000);
}

#[test]
fn model_frame_is_the_last_sampled_frame_so_far() {
    let p = fake_pair(0, 4);
    // sampled [0, 5, 11], but `original` has one frame: clamped.
    assert_eq!(p.model_frame(7), 0);
    let mut q = (*p).clone();
    q.original.frames = vec![vec![]; 3];
    let got: Vec<usize> = [0, 4, 5, 10, 11, 30].map(|i| q.model_frame(i)).to_vec();
    assert_eq!(got, vec![0, 0, 1, 1, 2, 2]);
}

/// Regression: `PairSource` kept decoded videos by path, and every clip of a
/// `.npy` clip array shares the array's path, so a source that had built one
/// pair gave every later pair that first clip's frames.
#[test]
fn a_shared_source_builds_each_clip_of_an_array() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 5);
    let shared = PairSource::new(&probe, &small_manifest()).unwrap();
    for id in 0..6 {
        let fresh = PairSource::new(&probe, &small_manifest()).unwrap();
        let (a, b) = (shared.build(id).unwrap(), fresh.build(id).unwrap());
        assert_eq!(a.original, b.original, "pair {id} (video {})", a.spec.video);
    }
}
