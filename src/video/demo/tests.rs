//! The demo generator: deterministic, labels independent of what they must
//! not depend on, and a written folder that reads back as a probe set.

use super::*;
use crate::video::{ProbeSet, VideoSource};

#[test]
fn embedded_images_decode() {
    for img in assets::objects().iter().chain(assets::backgrounds()) {
        assert!(img.w >= 64 && img.h >= 64, "{}×{}", img.w, img.h);
    }
    // objects have transparent corners and an opaque middle
    for img in assets::objects() {
        assert_eq!(img.px[3], 0.0);
        assert!(img.sample(32.0, 32.0, true)[3] > 0.9);
    }
}

#[test]
fn clips_are_deterministic_and_differ() {
    let spec = DemoSpec::new(DemoTask::Motion, 7);
    let a = render_clip(&spec, 3);
    assert_eq!(a, render_clip(&spec, 3));
    assert_ne!(a.frames, render_clip(&spec, 4).frames);
    assert_ne!(
        a.frames,
        render_clip(&DemoSpec::new(DemoTask::Motion, 8), 3).frames
    );
    assert_eq!(a.frames.len(), 16);
    assert_eq!(a.frames[0].dimensions(), (64, 64));
    assert_ne!(a.frames[0], a.frames[15], "the object moves");
}

/// Centre of mass of |frame − median background| would be fragile; instead
/// follow the object through the scene parameters: for the motion task the
/// label is the direction of the drawn velocity.
#[test]
fn motion_labels_follow_the_velocity() {
    let spec = DemoSpec::new(DemoTask::Motion, 1);
    let mut seen = [0usize; 4];
    for i in 0..200 {
        let s = scene::Scene::draw(&spec, i);
        let (vx, vy) = s.velocity().expect("motion clips have an object");
        let want = if vx.abs() > vy.abs() {
            if vx > 0.0 { 0 } else { 1 }
        } else if vy > 0.0 {
            2
        } else {
            3
        };
        assert_eq!(s.label, want);
        seen[s.label] += 1;
    }
    assert!(seen.iter().all(|&c| c > 30), "{seen:?}");
}

#[test]
fn appearance_labels_are_the_object() {
    let spec = DemoSpec::new(DemoTask::Appearance, 1);
    let mut seen = [0usize; 6];
    for i in 0..300 {
        let s = scene::Scene::draw(&spec, i);
        assert_eq!(Some(s.label), s.object_index());
        seen[s.label] += 1;
    }
    assert!(seen.iter().all(|&c| c > 25), "{seen:?}");
}

#[test]
fn written_folder_is_a_probe_set() {
    let dir = tempfile::tempdir().unwrap();
    let spec = DemoSpec {
        frames: 6,
        width: 40,
        height: 24,
        ..DemoSpec::new(DemoTask::Scenes, 5)
    };
    let mut calls = 0;
    let data = write_demo_data(&spec, 10, dir.path(), |_, _| calls += 1).unwrap();
    assert!(calls >= 1);
    assert_eq!(data.n, 10);
    assert_eq!(data.counts.iter().sum::<usize>(), 10);
    let set = ProbeSet::discover(dir.path(), None).unwrap();
    assert_eq!(set.videos.len(), 10);
    assert!(
        set.warnings.is_empty(),
        "labels.npy is passed over: {:?}",
        set.warnings
    );
    assert_eq!(set.videos[0].id, "clips-0000");
    let want = render_clip(&spec, 7);
    assert_eq!(
        set.videos[7].class.as_deref(),
        Some(SCENE_KINDS[want.label])
    );
    let VideoSource::Array { .. } = &set.videos[7].source else {
        panic!("not an array source")
    };
    let info = set.videos[7].source.info().unwrap();
    assert_eq!((info.frames, info.width, info.height), (6, 40, 24));
    let frames = set.videos[7].source.read_frames(&[5, 0, 5]).unwrap();
    assert_eq!(frames[0], want.frames[5]);
    assert_eq!(frames[1], want.frames[0]);
    assert_eq!(frames[2], want.frames[5]);
    // the labels file for Python
    let labels = std::fs::read(dir.path().join("labels.npy")).unwrap();
    let n = labels.len();
    let last = i64::from_le_bytes(labels[n - 8..].try_into().unwrap());
    assert_eq!(last as usize, render_clip(&spec, 9).label);
}

#[test]
fn broken_arrays_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let spec = DemoSpec {
        frames: 2,
        width: 8,
        height: 8,
        ..DemoSpec::new(DemoTask::Motion, 0)
    };
    write_demo_data(&spec, 3, dir.path(), |_, _| {}).unwrap();
    let path = dir.path().join("clips.npy");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
    let err = crate::video::ClipArray::open(&path)
        .unwrap_err()
        .to_string();
    assert!(err.contains("cut short"), "{err}");
    std::fs::write(&path, b"not numpy at all").unwrap();
    let err = crate::video::ClipArray::open(&path)
        .unwrap_err()
        .to_string();
    assert!(err.contains(".npy"), "{err}");
    // a folder with only a broken array: a clear "no videos" error naming it
    let err = ProbeSet::discover(dir.path(), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("clips.npy"), "{err}");
}

/// The written flow is the true motion: following it from frame t lands on
/// the same colour at frame t + 1 far more closely than standing still does.
#[test]
fn the_demo_flow_predicts_the_next_frame() {
    let spec = DemoSpec::new(DemoTask::Scenes, 5);
    for index in 0..6 {
        let clip = render_clip(&spec, index);
        let flow = render_flow(&spec, index);
        assert_eq!(flow.len(), 16);
        let (mut moved, mut still) = (0.0f64, 0.0f64);
        for (t, field) in flow.iter().enumerate().take(15) {
            let (a, b) = (&clip.frames[t], &clip.frames[t + 1]);
            for y in 8..56u32 {
                for x in 8..56u32 {
                    let i = (y as usize * 64 + x as usize) * 2;
                    let (u, v) = (field[i], field[i + 1]);
                    let (tx, ty) = (
                        (x as f32 + u).round().clamp(0.0, 63.0) as u32,
                        (y as f32 + v).round().clamp(0.0, 63.0) as u32,
                    );
                    let d = |p: &image::Rgb<u8>, q: &image::Rgb<u8>| -> f64 {
                        (0..3)
                            .map(|c| (f64::from(p.0[c]) - f64::from(q.0[c])).abs())
                            .sum()
                    };
                    moved += d(a.get_pixel(x, y), b.get_pixel(tx, ty));
                    still += d(a.get_pixel(x, y), b.get_pixel(x, y));
                }
            }
        }
        assert!(moved < 0.5 * still, "clip {index}: {moved} vs {still}");
    }
}

#[test]
fn demo_flow_is_written_beside_the_clips_and_found_by_them() {
    let dir = tempfile::tempdir().unwrap();
    let spec = DemoSpec {
        frames: 4,
        width: 16,
        height: 12,
        ..DemoSpec::new(DemoTask::Motion, 2)
    };
    write_demo_data(&spec, 3, dir.path(), |_, _| {}).unwrap();
    write_demo_flow(&spec, 3, dir.path()).unwrap();
    let set = ProbeSet::discover(dir.path(), None).unwrap();
    assert_eq!(set.len(), 3, "the flow array is not a probe video");
    let flow = crate::video::flow::FlowSource::find(&set.videos[2].source)
        .unwrap()
        .unwrap();
    assert_eq!(flow.len(), 4);
    let read = flow.read(&[1]).unwrap();
    let want = render_flow(&spec, 2)[1].clone();
    assert_eq!(
        read[0],
        crate::video::flow::FlowFrame::Field {
            h: 12,
            w: 16,
            uv: want
        }
    );
}
