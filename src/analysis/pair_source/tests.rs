//! Pairs of models with several inputs: what each member of each input is,
//! checked clip by clip against the rules of METHOD.md §2.

use super::*;
use crate::model::{FlowEncoding, InputSpec};
use crate::pairs::{PairPlan, flow_jitter_params, jitter_flow_clip};
use crate::video::demo::{DemoSpec, DemoTask};

fn probe(dir: &Path, flow: bool) -> ProbeSpec {
    crate::testing::demo_probe(dir, flow, 24).unwrap()
}

fn input(name: &str, kind: InputKind, frames: usize) -> InputSpec {
    InputSpec {
        name: name.into(),
        kind,
        frames,
        window: 8,
        short_side: 16,
        crop: Some([16, 16]),
        ..InputSpec::default()
    }
}

fn manifest(inputs: Vec<InputSpec>) -> Manifest {
    let mut m = Manifest {
        inputs,
        ..Manifest::default()
    };
    m.check().unwrap();
    m.normalize();
    m
}

/// A two-stream model of 4 frames per stream, its flow as `encoding`.
fn two_stream(encoding: FlowEncoding) -> Manifest {
    manifest(vec![
        input("rgb", InputKind::Rgb, 4),
        InputSpec {
            encoding,
            ..input("flow", InputKind::Flow, 4)
        },
    ])
}

#[test]
fn two_stream_pairs_share_the_flow_or_the_rgb() {
    let dir = tempfile::tempdir().unwrap();
    let probe = probe(dir.path(), true);
    for encoding in [FlowEncoding::Uv, FlowEncoding::Color] {
        let m = two_stream(encoding);
        let source = PairSource::new(&probe, &m).unwrap();
        let mut seen = [0; 2];
        for id in 0..24 {
            let p = source.build(id).unwrap();
            assert_eq!(p.others.len(), 1);
            let flow = &p.others[0];
            assert_eq!(flow.kind, InputKind::Flow);
            assert_eq!(flow.uv, encoding == FlowEncoding::Uv);
            assert_eq!((flow.a.t, flow.a.h, flow.a.w), (4, 16, 16));
            match p.spec.factor {
                Factor::Dynamic => {
                    assert_ne!(p.a, p.b, "two styles");
                    assert_eq!(flow.a, flow.b, "the same motion");
                }
                Factor::Static => {
                    assert_eq!(p.a, p.b, "the same appearance, frames in order");
                    let mut jittered = flow.a.clone();
                    let (hue, sat) = flow_jitter_params(5, id);
                    jitter_flow_clip(&mut jittered, flow.uv, hue, sat);
                    assert_eq!(flow.b, jittered, "member 2's flow is jittered");
                    assert_ne!(flow.a, flow.b);
                }
            }
            seen[p.spec.factor.index()] += 1;
            let members = p.member(2);
            assert_eq!(members.len(), 2);
            assert!(std::ptr::eq(members[1], &p.others[0].b));
        }
        assert!(seen.iter().all(|&n| n > 3), "{seen:?}");
    }
}

#[test]
fn kept_flow_frames_change_no_clip_and_stay_within_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let probe = probe(dir.path(), true);
    for encoding in [FlowEncoding::Uv, FlowEncoding::Color] {
        let m = two_stream(encoding);
        let kept = PairSource::new(&probe, &m).unwrap();
        let none = PairSource::new(&probe, &m).unwrap();
        none.set_cache_limit(0);
        for id in 0..24 {
            let first = kept.build(id).unwrap();
            let again = kept.build(id).unwrap(); // from the kept flow
            let read = none.build(id).unwrap(); // read and converted anew
            for p in [&again, &read] {
                assert_eq!(
                    (&p.others[0].a, &p.others[0].b),
                    (&first.others[0].a, &first.others[0].b),
                    "pair {id}, {encoding:?}"
                );
            }
        }
        assert!(kept.kept_flow_bytes() > 0, "flow frames were kept");
        assert!(kept.kept_flow_bytes() <= kept.cached_bytes());
        assert_eq!(none.cached_bytes(), 0);
    }
}

#[test]
fn uv_flow_is_the_demos_true_motion_scaled_with_the_resize() {
    let dir = tempfile::tempdir().unwrap();
    let probe = probe(dir.path(), true);
    let m = manifest(vec![
        input("rgb", InputKind::Rgb, 8),
        InputSpec {
            encoding: FlowEncoding::Uv,
            size: Some([10, 12]),
            crop: None,
            ..input("flow", InputKind::Flow, 8)
        },
    ]);
    let source = PairSource::new(&probe, &m).unwrap();
    let p = source.build(0).unwrap();
    // the window is the whole 8-frame clip: frame t's flow is the field of t
    let truth = crate::video::demo::render_flow(
        &DemoSpec {
            frames: 8,
            width: 24,
            height: 20,
            ..DemoSpec::new(DemoTask::Scenes, 3)
        },
        p.spec.video as u64,
    );
    // a constant field stays constant through the resize, scaled by 12/24 and 10/20
    let (u0, v0) = (truth[0][0], truth[0][1]);
    if truth[0].chunks(2).all(|p| p == [u0, v0]) {
        let f = &p.others[0].a;
        assert!((f.data[0] - u0 * 0.5).abs() < 1e-6 && (f.data[1] - v0 * 0.5).abs() < 1e-6);
    }
    assert_eq!((p.others[0].a.h, p.others[0].a.w), (10, 12));
}

#[test]
fn pathways_take_their_own_frames_and_are_permuted_independently() {
    let dir = tempfile::tempdir().unwrap();
    let probe = probe(dir.path(), false);
    let m = manifest(vec![
        input("slow", InputKind::Pathway, 4),
        input("fast", InputKind::Pathway, 8),
    ]);
    let source = PairSource::new(&probe, &m).unwrap();
    let plan = PairPlan::new(5, 24, 4, source.style_names().len(), 4).unwrap();
    let mut differ = 0;
    for id in 0..24 {
        let p = source.build(id).unwrap();
        let fast = &p.others[0];
        assert_eq!((p.a.t, fast.a.t), (4, 8));
        // `pairs --list` says what was built: the fast pathway's own frames
        // (the slow ones are among them) and its own permutation.
        let entry = source.plan_entry(id).unwrap();
        assert_eq!(source.other_pathway_names(), ["fast"]);
        let listed = &entry.pathways[0];
        assert_eq!((listed.name.as_str(), listed.frames.len()), ("fast", 8));
        assert_eq!(entry.frames, [0, 2, 4, 7].map(|k| listed.frames[k]));
        match p.spec.factor {
            Factor::Static => assert_eq!(fast.b, fast.a.permuted(&listed.permutation)),
            Factor::Dynamic => assert!(listed.permutation.is_empty()),
        }
        // the fast pathway's frames of the 8-frame window are all 8 frames;
        // the slow one's are frames 0, 2, 4, 7 of them (trunc(linspace))
        for (s, f) in [(0, 0), (1, 2), (2, 4), (3, 7)] {
            if p.spec.factor == Factor::Dynamic {
                assert_eq!(p.a.frame(s), fast.a.frame(f));
            }
        }
        match p.spec.factor {
            Factor::Dynamic => assert_ne!(fast.a, fast.b),
            Factor::Static => {
                assert_eq!(p.b, p.a.permuted(&p.spec.permutation));
                let own = plan.pathway_permutation(id, 1, 8);
                assert_eq!(fast.b, fast.a.permuted(&own));
                assert_ne!(own, (0..8).collect::<Vec<_>>());
                // not the slow pathway's order stretched over the fast frames
                let stretched: Vec<usize> = (0..8)
                    .map(|i| 2 * p.spec.permutation[i / 2] + i % 2)
                    .collect();
                differ += usize::from(own != stretched);
            }
        }
    }
    assert!(differ > 3, "the pathways' permutations are independent");
}

#[test]
fn a_flow_model_without_flow_is_refused_with_how_to_make_it() {
    let dir = tempfile::tempdir().unwrap();
    let probe = probe(dir.path(), false);
    let m = manifest(vec![
        input("rgb", InputKind::Rgb, 4),
        input("flow", InputKind::Flow, 4),
    ]);
    let e = PairSource::new(&probe, &m).err().unwrap().to_string();
    assert!(
        e.contains("4 of the 4 probe videos have no optical flow") && e.contains("make_flow.py"),
        "{e}"
    );
    // frames set for a two-pathway model are refused: each pathway has its own
    let paths = manifest(vec![
        input("slow", InputKind::Pathway, 4),
        input("fast", InputKind::Pathway, 8),
    ]);
    let set = ProbeSpec {
        frames: Some(4),
        ..probe.clone()
    };
    let e = PairSource::new(&set, &paths).err().unwrap().to_string();
    assert!(e.contains("pathways, each with its own"), "{e}");
}
