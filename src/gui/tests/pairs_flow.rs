//! The Videos & pairs view with a multi-input model: the `two_stream`
//! fixture shows both members' optical flow under the RGB members, the
//! `two_pathway` fixture its fast pathway at the frame of the scrubber.

use std::path::Path;

use egui_kittest::kittest::Queryable as _;

use super::pairs::{harness, loaded};
use crate::analysis::Project;
use crate::stats::Factor;
use crate::video::demo::{DemoSpec, DemoTask, write_demo_data, write_demo_flow};

/// A project of 12 pairs over 4 demo clips with their exact flow, and the
/// fixture model `fixture` (its manifest is all the view reads).
fn project(dir: &Path, fixture: &str) -> Project {
    let probe = dir.join("probe");
    let spec = DemoSpec {
        frames: 8,
        width: 24,
        height: 20,
        ..DemoSpec::new(DemoTask::Scenes, 3)
    };
    write_demo_data(&spec, 4, &probe, |_, _| {}).unwrap();
    write_demo_flow(&spec, 4, &probe).unwrap();
    let model = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models")
        .join(fixture);
    let toml = format!(
        "[probe]\nvideos = {:?}\npairs = 12\nseed = 5\n[[model]]\npath = {:?}\n",
        probe.display().to_string(),
        model.display().to_string()
    );
    toml::from_str(&toml).unwrap()
}

#[test]
fn a_two_stream_model_shows_the_flow_of_both_members() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(project(dir.path(), "two_stream.pt"));
    loaded(&mut h, 0);
    let [selected, other] = h.state().view.shown();
    let (selected, other) = (selected.unwrap(), other.unwrap());
    for p in [&selected, &other] {
        assert_eq!(p.others.len(), 1, "the flow input");
        assert_eq!(p.others[0].a.len(), 4);
        match p.spec.factor {
            Factor::Static => assert_ne!(p.others[0].a, p.others[0].b),
            Factor::Dynamic => assert_eq!(p.others[0].a, p.others[0].b),
        }
    }
    // Under each pair's members, both members' flow.
    assert_eq!(h.query_all_by_label("flow · member 1").count(), 2);
    assert!(h.query_by_label("flow · member 2 (jittered)").is_some());
    assert!(h.query_by_label("flow · member 2 (same flow)").is_some());
    assert_eq!(h.query_all_by_label("The model's flow").count(), 2);
    // A two-stream static pair keeps its frames in order.
    let title = "static pair: same frames in order, member 2's flow jittered";
    assert!(h.query_by_label_contains(title).is_some());
    assert!(h.query_by_label_contains("shuffled").is_none());
}

#[test]
fn a_pathway_of_more_frames_follows_the_scrubber_in_proportion() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(project(dir.path(), "two_pathway.pt"));
    loaded(&mut h, 0);
    let [selected, _] = h.state().view.shown();
    let selected = selected.unwrap();
    assert_eq!(
        selected.original.len(),
        4,
        "the slow pathway is the primary"
    );
    assert_eq!(selected.others[0].a.len(), 8);
    // The moving picture follows the primary pathway's 4 frames, the fast
    // one's row at the frame in proportion.
    let gif = crate::gui::views::pairs::export::snapshot(
        &selected,
        crate::gui::views::channel_panel::snapshot::PanelFile::Gif,
        8.0,
    )
    .unwrap();
    assert_eq!(gif.movie.len(), 4);
    let size = gif.movie[0].dimensions();
    assert!(gif.movie.iter().all(|m| m.dimensions() == size));
    assert_eq!(
        h.query_all_by_label("pathway 'fast' · member 1 (frame 0 of 0–7)")
            .count(),
        2
    );
    h.key_press(egui::Key::End);
    h.step();
    h.step();
    // The slow pathway's last frame (3 of 0–3) goes with the fast one's 6.
    assert_eq!(
        h.query_all_by_label_contains("model sees: frame 3 of 0–3")
            .count(),
        2
    );
    assert_eq!(
        h.query_all_by_label("pathway 'fast' · member 1 (frame 6 of 0–7)")
            .count(),
        2
    );
}

#[test]
fn the_pair_figure_adds_the_flow_rows() {
    use crate::gui::views::channel_panel::snapshot::PanelFile;
    use crate::gui::views::pairs::export::snapshot;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(project(dir.path(), "two_stream.pt"));
    loaded(&mut h, 0);
    for p in h.state().view.shown().into_iter().flatten() {
        let s = snapshot(&p, PanelFile::Svg, 8.0).unwrap();
        let labels: Vec<&str> = s.rows.iter().map(|(l, _)| l.as_str()).collect();
        let second = match p.spec.factor {
            Factor::Static => "flow · member 2 (jittered)",
            Factor::Dynamic => "flow · member 2 (same flow)",
        };
        assert_eq!(labels.len(), 4, "{labels:?}");
        assert_eq!(labels[2..], ["flow · member 1", second]);
        // 4 frames of 16 pixels, 2 between.
        assert_eq!(s.rows[2].1[0].1.dimensions(), (70, 16));
        // The moving picture shows the flow too: each frame a row taller.
        let gif = snapshot(&p, PanelFile::Gif, 8.0).unwrap();
        assert_eq!(gif.movie.len(), 4);
        let without = {
            let mut q = (*p).clone();
            q.others.clear();
            snapshot(&q, PanelFile::Gif, 8.0).unwrap()
        };
        let (w, h) = gif.movie[0].dimensions();
        let (w0, h0) = without.movie[0].dimensions();
        assert_eq!(w, w0);
        assert!(h > h0 + w0 / 4, "{h} against {h0} without the flow");
        assert!(gif.movie.iter().all(|m| m.dimensions() == (w, h)));
        let path = dir.path().join(format!("{}.svg", s.stem));
        s.write(&path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.contains(second), "{second}");
        if p.spec.factor == Factor::Static {
            assert!(
                s.lines[0].contains("optical flow jittered"),
                "{}",
                s.lines[0]
            );
            assert!(!s.lines.iter().any(|l| l.contains("shuffled")));
        }
    }
}
