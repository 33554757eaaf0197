//! `stadyn pairs` with a two-stream model: beside each pair's RGB strip, a
//! picture of both members' optical flow.

use crate::util::{stadyn, text};
use std::path::Path;

#[test]
fn pairs_of_a_two_stream_model_show_the_flow_of_both_members() {
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe");
    let out = dir.path().join("pairs");
    let (probe_s, out_s) = (probe.to_str().unwrap(), out.to_str().unwrap());
    let made = stadyn(&[
        "demo-data",
        "--task",
        "scenes",
        "--n",
        "4",
        "--frames",
        "8",
        "--size",
        "24x20",
        "--flow",
        "--out",
        probe_s,
    ]);
    assert!(made.status.success(), "{}", text(&made));
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models/two_stream.pt");
    let run = stadyn(&[
        "pairs",
        probe_s,
        "--model",
        model.to_str().unwrap(),
        "--pairs",
        "4",
        "--out",
        out_s,
    ]);
    assert!(run.status.success(), "{}", text(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let strips: Vec<&String> = names.iter().filter(|n| !n.ends_with("_flow.png")).collect();
    assert_eq!(strips.len(), 4, "{names:?}");
    for strip in strips {
        let flow = strip.replace(".png", "_flow.png");
        assert!(names.contains(&flow), "{flow} beside {strip}: {names:?}");
        assert!(stdout.contains(&flow), "{stdout}");
        let rgb = image::open(out.join(strip)).unwrap();
        let flow = image::open(out.join(&flow)).unwrap();
        assert!(
            flow.height() > 2 * 96,
            "both members, enlarged as the strip"
        );
        assert!(rgb.width() > 0);
    }
    assert!(stdout.contains("flow of the static pair"), "{stdout}");
    assert!(stdout.contains("flow of the dynamic pair"), "{stdout}");
}
