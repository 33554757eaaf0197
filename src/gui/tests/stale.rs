//! View state that points into a report (the compared pair, the selected
//! model, checkpoint, layer and channels) follows the report when it
//! changes, and exports never index past it: a regression test of a crash
//! (exporting Compare after opening a smaller report), and the selection
//! following its entries when a report's entries move.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::layers::fixture;
use crate::gui::StadynApp;
use crate::gui::action::{Action, SelectMode, Tab};
use crate::gui::export::content;
use crate::gui::state::{AppState, Level, Settings};
use crate::report::{Report, write_report};
use crate::testing;

/// A report of 28 checkpoints of "many" (epochs 0–27) and one "c2d".
fn many() -> Report {
    let mut models: Vec<_> = (0..28)
        .map(|k| fixture::model("many", Some(k as f64), 0.0))
        .collect();
    models.push(fixture::model("c2d", None, 0.1));
    testing::report(models, 20)
}

/// A report of one model.
fn one() -> Report {
    testing::report(vec![fixture::model("solo", None, 0.2)], 20)
}

fn write(dir: &Path, name: &str, report: &Report) -> std::path::PathBuf {
    let path = dir.join(name);
    write_report(&path, report).unwrap();
    path
}

/// Steps frames until `done` holds (the worker reads files on its thread).
fn step_until(h: &mut Harness<'_, StadynApp>, what: &str, done: impl Fn(&AppState) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(&h.state().state) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.run();
}

fn models(s: &AppState) -> usize {
    s.report.as_ref().map_or(0, |r| r.models.len())
}

#[test]
fn exporting_compare_after_opening_a_smaller_report_does_not_crash() {
    let dir = tempfile::tempdir().unwrap();
    let big = write(dir.path(), "big.json", &many());
    let small = write(dir.path(), "small.json", &one());
    let settings = Settings {
        tab: Tab::Compare,
        ..Settings::default()
    };
    let mut app = StadynApp::with_settings(settings, Some(big));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&asked);
    let out = dir.path().to_path_buf();
    app.set_save_picker(Box::new(move |stem, ext, _| {
        log.lock().unwrap().push(format!("{stem}.{ext}"));
        Ok(Some(out.join(format!("{stem}.{ext}"))))
    }));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut StadynApp| app.show(ui), app);
    step_until(&mut h, "the big report", |s| models(s) == 29);

    // Compare two entries far from the first, as picking them in the view does.
    h.state_mut().apply(Action::SetCompare(8, 26));
    h.run();
    assert!(h.query_by_label("many · epoch 26").is_some());

    // Open a report of one model, then export Compare.
    h.state_mut().apply(Action::OpenReport(small));
    step_until(&mut h, "the small report", |s| models(s) == 1);
    h.get_by_label("CSV").click();
    h.run();
    let s = &h.state().state;
    assert_eq!(s.selection.compare, None, "the pair is gone");
    assert!(
        h.query_by_label_contains("#8").is_none(),
        "no stale entry shown"
    );
    assert!(asked.lock().unwrap().is_empty(), "nothing to save");
    assert!(
        s.messages
            .iter()
            .any(|m| m.level == Level::Warning && m.text == "Compare has nothing to export yet"),
        "{:?}",
        s.messages
    );
}

#[test]
fn every_tab_exports_nothing_rather_than_index_past_the_report() {
    let mut app = fixture::app(Tab::Layers);
    app.apply(Action::SetCompare(0, 3));
    app.apply(Action::SelectChannels {
        channels: vec![1, 4],
        mode: SelectMode::Replace,
    });
    // A state whose report shrank behind the selection's back (no refresh):
    // exports check every index instead of trusting it.
    app.state.report = Some(Arc::new(one()));
    for tab in [Tab::Layers, Tab::Channels, Tab::Training, Tab::Compare] {
        let _ = content(tab, &app.state);
    }
    // Through set_report the selection is checked again.
    app.state.set_report(Arc::new(one()), false);
    let sel = &app.state.selection;
    assert_eq!(sel.compare, None);
    assert_eq!((sel.group, sel.checkpoint), (0, 0));
    assert!(content(Tab::Compare, &app.state).is_none());
    assert!(
        content(Tab::Training, &app.state).is_none(),
        "no checkpoints"
    );
    assert!(content(Tab::Layers, &app.state).is_some());
    assert!(content(Tab::Channels, &app.state).is_some());
}

#[test]
fn the_selection_follows_its_entries_when_a_report_moves_them() {
    let mut app = fixture::app(Tab::Compare);
    // cnn3d epoch 1 against c2d; cnn3d epoch 1 selected, its conv1 and a channel.
    app.apply(Action::SetCompare(1, 3));
    app.apply(Action::SelectCheckpoint(1));
    app.apply(Action::SelectLayer("conv1".into()));
    app.apply(Action::SelectChannels {
        channels: vec![2],
        mode: SelectMode::Replace,
    });
    // A later partial report: another model's stage joined in front.
    let mut moved = fixture::report();
    moved.models.insert(0, fixture::model("front", None, 0.3));
    app.state.set_report(Arc::new(moved), true);
    let s = &app.state;
    assert_eq!(s.selection.compare, Some((2, 4)), "the same two entries");
    assert_eq!(s.selected_entry(), Some(2), "still cnn3d at epoch 1");
    assert_eq!(s.derived.groups[s.selection.group].name, "cnn3d");
    assert_eq!(s.selection.layer.as_deref(), Some("conv1"));
    assert_eq!(
        s.selection.channels.iter().copied().collect::<Vec<_>>(),
        [2]
    );

    // A report without the compared entries drops the pair; the selected
    // model falls back to the first one's last checkpoint.
    let other = testing::report(
        vec![
            fixture::model("x", Some(0.0), 0.0),
            fixture::model("x", Some(5.0), 0.0),
        ],
        20,
    );
    app.state.set_report(Arc::new(other), false);
    let s = &app.state;
    assert_eq!(s.selection.compare, None);
    assert_eq!(s.selected_entry(), Some(1));
}
