//! Opening a report file: a partial one (a run stopped early, a merge of
//! some shards) says so in the panel and the window title, and the warnings
//! stored in it are listed in the messages.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::layers::fixture;
use crate::gui::StadynApp;
use crate::gui::state::{Level, Settings};
use crate::report::{Partial, Warning, write_report};

fn open(report: &crate::report::Report) -> (tempfile::TempDir, Harness<'static, StadynApp>) {
    open_with(report, |_| {})
}

/// [`open`] after `beside` put more files in the report's folder.
fn open_with(
    report: &crate::report::Report,
    beside: impl FnOnce(&std::path::Path),
) -> (tempfile::TempDir, Harness<'static, StadynApp>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    write_report(&path, report).unwrap();
    beside(dir.path());
    let app = StadynApp::with_settings(Settings::default(), Some(path));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut StadynApp| app.show(ui), app);
    let deadline = Instant::now() + Duration::from_secs(30);
    while h.state().state.report.is_none() {
        assert!(Instant::now() < deadline, "the report did not open");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.run();
    (dir, h)
}

#[test]
fn a_partial_report_says_how_far_it_got() {
    let mut report = fixture::report();
    report.partial = Some(Partial {
        pairs_done: 120,
        pairs_planned: 400,
    });
    let (_dir, h) = open(&report);
    let text = "partial: 120 of 400 pairs";
    assert!(h.query_by_label_contains(text).is_some(), "in the panel");
    assert!(h.state().window_title().contains(text), "in the title");

    let (_dir, h) = open(&fixture::report());
    assert!(h.query_by_label_contains("partial:").is_none());
    assert!(!h.state().window_title().contains("partial"));
}

#[test]
fn a_partial_report_of_a_staged_job_says_how_far_its_first_models_got() {
    // Three models done to pair 48, the slow one not started: "0 of 400"
    // would hide the bars on screen.
    let mut report = fixture::report();
    report.partial = Some(Partial {
        pairs_done: 0,
        pairs_planned: 400,
    });
    for (k, m) in report.models.iter_mut().enumerate() {
        m.pairs_done = Some(if k < 3 { 48 } else { 0 });
    }
    let (_dir, h) = open(&report);
    let text = "partial: 48 of 400 pairs (3 of 4 models so far)";
    assert!(h.query_by_label_contains(text).is_some(), "in the panel");
}

#[test]
fn the_statistics_of_a_results_folder_follow_its_report() {
    let boot = crate::stats::BootstrapConfig {
        replicates: 4,
        seed: 1,
    };
    let layer = crate::testing::accumulator("l", 3, 10, boot);
    let model = crate::testing::model_stats("m", None, vec![layer], 0);
    let stats = crate::testing::stats_file(vec![model], 10, boot);
    let report = crate::analysis::build_report(&stats, 0.5);
    let settle = |h: &mut Harness<'static, StadynApp>| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while h.state().state.stats_awaited.is_some() {
            assert!(Instant::now() < deadline, "the statistics never came");
            h.step();
            std::thread::sleep(Duration::from_millis(10));
        }
        h.run();
    };

    let (_dir, mut h) = open_with(&report, |d| {
        stats.save(&d.join("stats.bin")).unwrap();
    });
    settle(&mut h);
    assert_eq!(h.state().state.stats.as_deref(), Some(&stats));

    // Damaged statistics: the report stays, and the user is told.
    let (_dir, mut h) = open_with(&report, |d| {
        std::fs::write(d.join("stats.bin"), b"STADYNSB and then nothing").unwrap();
    });
    settle(&mut h);
    let s = &h.state().state;
    assert!(s.stats.is_none() && s.report.is_some());
    assert!(
        s.messages
            .iter()
            .any(|m| m.level == Level::Warning && m.text.contains("statistics cannot be read")),
        "{:?}",
        s.messages
    );
}

#[test]
fn the_warnings_of_an_opened_report_are_listed() {
    let mut report = fixture::report();
    report.warnings.push(Warning {
        path: "probe/broken.mp4".into(),
        reason: "cannot be decoded".into(),
    });
    let (_dir, h) = open(&report);
    let messages = &h.state().state.messages;
    assert!(
        messages
            .iter()
            .any(|m| m.level == Level::Warning && m.text == "probe/broken.mp4: cannot be decoded"),
        "{messages:?}"
    );
    assert!(h.query_by_label_contains("cannot be decoded").is_some());
}
