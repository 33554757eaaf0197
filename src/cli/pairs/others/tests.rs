//! The picture of a pair's other input, on a demo probe set with its exact
//! flow and the `two_stream` and `two_pathway` fixtures' manifests.

use std::path::Path;

use super::*;
use crate::analysis::PairSource;
use crate::model::Manifest;

fn source(dir: &Path, fixture: &str) -> PairSource {
    let probe = crate::testing::demo_probe(dir, true, 12).unwrap();
    let json = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models")
        .join(fixture);
    PairSource::new(&probe, &Manifest::read(&json).unwrap()).unwrap()
}

#[test]
fn the_flow_picture_shows_both_members_as_the_colour_wheel() {
    let dir = tempfile::tempdir().unwrap();
    let source = source(dir.path(), "two_stream.json");
    let mut seen = [false; 2];
    for id in 0..12 {
        let pair = source.build(id).unwrap();
        let flow = &pair.others[0];
        let (a, b) = (clip_images(&flow.a, true), clip_images(&flow.b, true));
        assert_eq!(a.len(), 4);
        assert_eq!(a[0].dimensions(), (16, 16));
        match pair.spec.factor {
            Factor::Static => assert_ne!(a, b, "pair {id}: member 2's flow is jittered"),
            Factor::Dynamic => assert_eq!(a, b, "pair {id}: the same flow"),
        }
        seen[pair.spec.factor.index()] = true;
        let picture = other_strip(&pair, flow, ["none", "none"], 6).unwrap();
        // 4 frames of 96 pixels, 12 between: 420, widened for the captions.
        assert_eq!(picture.width(), MIN_WIDTH);
        assert!(picture.height() > 2 * 96, "{}", picture.height());
        // The member rows hold the colour-wheel frames, enlarged.
        let top = picture.height() - 96;
        assert_eq!(picture.get_pixel(0, top), b[0].get_pixel(0, 0));
    }
    assert_eq!(seen, [true, true]);
}

#[test]
fn the_other_pathway_is_shown_with_its_own_frames() {
    let dir = tempfile::tempdir().unwrap();
    let source = source(dir.path(), "two_pathway.json");
    let pair = source.build(0).unwrap();
    let fast = &pair.others[0];
    assert_eq!(fast.kind, InputKind::Pathway);
    let frames = clip_images(&fast.a, fast.uv);
    assert_eq!(frames.len(), 8);
    assert_eq!(frames[3], fast.a.frame_image(3));
    let picture = other_strip(&pair, fast, ["none", "none"], 1).unwrap();
    assert!(picture.width() >= MIN_WIDTH);
}

#[test]
fn file_parts_are_safe() {
    assert_eq!(file_part("flow"), "flow");
    assert_eq!(file_part("a/b c"), "a_b_c");
    assert_eq!(file_part(""), "input");
}
