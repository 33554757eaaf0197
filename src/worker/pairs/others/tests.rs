//! The other inputs of a pair as shown: a two-stream model's flow on a
//! demo probe set with its exact flow (the `two_stream` fixture's manifest).

use std::path::{Path, PathBuf};

use super::*;
use crate::analysis::{PairSource, ProbeSpec};
use crate::model::Manifest;
use crate::worker::pairs::build_frames;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models")
        .join(name)
}

/// Four 8-frame scenes clips of 24×20 with their exact flow.
fn probe_with_flow(dir: &Path) -> ProbeSpec {
    crate::testing::demo_probe(dir, true, 12).unwrap()
}

#[test]
fn two_stream_flow_is_shared_by_dynamic_pairs_and_jittered_in_static_ones() {
    let dir = tempfile::tempdir().unwrap();
    let probe = probe_with_flow(dir.path());
    let manifest = Manifest::read(&fixture("two_stream.json")).unwrap();
    let source = PairSource::new(&probe, &manifest).unwrap();
    let mut seen = [0; 2];
    for id in 0..12 {
        let shown = build_frames(&source, id).unwrap();
        assert!(shown.has_flow());
        assert_eq!(shown.others.len(), 1);
        let flow = &shown.others[0];
        assert_eq!((flow.name.as_str(), flow.kind), ("flow", InputKind::Flow));
        assert_eq!(flow.label(), "flow");
        assert_eq!((flow.a.len(), flow.a.width, flow.a.height), (4, 16, 16));
        assert_eq!((flow.b.len(), flow.b.width, flow.b.height), (4, 16, 16));
        // The (u, v) fields are shown as colour-wheel images.
        let built = source.build(id).unwrap();
        assert_eq!(flow.a, Frames::from_uv_clip(&built.others[0].a));
        match shown.spec.factor {
            Factor::Dynamic => {
                assert_eq!(flow.a, flow.b, "pair {id}: the same motion");
                assert_eq!(flow.member2_note(Factor::Dynamic), Some("same flow"));
            }
            Factor::Static => {
                assert_ne!(flow.a, flow.b, "pair {id}: member 2's flow is jittered");
                assert_eq!(shown.a, shown.b, "pair {id}: the same frames, in order");
            }
        }
        assert!(shown.bytes() > shown.original.bytes() * 3 + shown.window.bytes());
        seen[shown.spec.factor.index()] += 1;
    }
    assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
}

#[test]
fn a_flow_field_becomes_the_colour_wheel_frame_by_frame() {
    // Two 1×2 frames: rightward motion, then upward motion twice as fast.
    let clip = Clip {
        t: 2,
        h: 1,
        w: 2,
        data: vec![
            1.0, 0.0, 0.0, 1.0, 0.0, 0.0, //
            0.0, -2.0, 0.0, 0.0, -2.0, 0.0,
        ],
    };
    let f = Frames::from_uv_clip(&clip);
    assert_eq!((f.width, f.height, f.len()), (2, 1, 2));
    for (frame, uv) in [(0, [1.0, 0.0, 1.0, 0.0]), (1, [0.0, -2.0, 0.0, -2.0])] {
        let img = flow_to_color(&uv, 1, 2);
        let rgba: Vec<u8> = img
            .as_raw()
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect();
        assert_eq!(f.frames[frame], rgba);
    }
    assert_ne!(f.frames[0], f.frames[1], "two directions, two colours");
    let empty = Frames::from_uv_clip(&Clip {
        t: 0,
        h: 3,
        w: 4,
        data: Vec::new(),
    });
    assert_eq!((empty.width, empty.height, empty.len()), (4, 3, 0));
}

#[test]
fn a_pathway_of_more_frames_follows_the_primary_in_proportion() {
    let frames = |n: usize| Frames {
        width: 1,
        height: 1,
        frames: vec![vec![0; 4]; n],
    };
    let fast = OtherFrames {
        name: "fast".into(),
        kind: InputKind::Pathway,
        a: frames(8),
        b: frames(8),
    };
    let got: Vec<usize> = (0..4).map(|t| fast.frame_at(t, 4)).collect();
    assert_eq!(got, vec![0, 2, 4, 6]);
    assert_eq!(fast.frame_at(9, 4), 7, "clamped");
    assert_eq!(fast.frame_at(1, 0), 0, "no primary frames");
    assert_eq!(fast.label(), "pathway 'fast'");
    assert_eq!(fast.member2_note(Factor::Static), Some("shuffled"));
    assert_eq!(fast.member2_note(Factor::Dynamic), None);
    let slow = OtherFrames {
        a: frames(2),
        b: frames(2),
        ..fast.clone()
    };
    let got: Vec<usize> = (0..4).map(|t| slow.frame_at(t, 4)).collect();
    assert_eq!(got, vec![0, 0, 1, 1]);
    let none = OtherFrames {
        a: Frames::default(),
        b: Frames::default(),
        ..fast
    };
    assert_eq!(none.frame_at(3, 4), 0);
}

#[test]
fn a_two_pathway_model_shows_its_second_pathway() {
    let dir = tempfile::tempdir().unwrap();
    let probe = probe_with_flow(dir.path());
    let manifest = Manifest::read(&fixture("two_pathway.json")).unwrap();
    let source = PairSource::new(&probe, &manifest).unwrap();
    let shown = build_frames(&source, 0).unwrap();
    assert!(!shown.has_flow());
    assert_eq!(shown.original.len(), 4, "the slow pathway is the primary");
    assert_eq!(shown.others.len(), 1);
    let fast = &shown.others[0];
    assert_eq!(
        (fast.kind, fast.a.len(), fast.b.len()),
        (InputKind::Pathway, 8, 8)
    );
    let built = source.build(0).unwrap();
    assert_eq!(fast.a, Frames::from_clip(&built.others[0].a));
    assert_eq!(fast.b, Frames::from_clip(&built.others[0].b));
}
