//! The Layers tab's robustness views: convergence (from the report's
//! history) and the style-strength sweep (found beside an opened report),
//! a click selecting a layer, and what each says when it has nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::layers::fixture;
use crate::figure::sweep::{sweep_csv, sweep_rows};
use crate::gui::StadynApp;
use crate::gui::action::{Action, Tab};
use crate::gui::state::{LayersShow, Settings};
use crate::report::convergence::record;
use crate::report::write_report;

fn has_text(h: &Harness<'_, StadynApp>, needle: &str) -> bool {
    h.query_all_by(|n| {
        n.label()
            .or_else(|| n.value())
            .is_some_and(|l| l.contains(needle))
    })
    .next()
    .is_some()
}

#[test]
fn convergence_shows_each_layer_against_the_pairs_and_a_click_selects_it() {
    let mut app = fixture::app(Tab::Layers);
    let mut report = fixture::report();
    let last = 2; // cnn3d, epoch 2
    let layers = report.models[last].layers.clone();
    for n in [64, 128, 192, 256] {
        record(&mut report.models[last].convergence, n, &layers);
    }
    app.state.set_report(Arc::new(report), false);
    app.apply(Action::SelectModel(0));
    let mut h = fixture::harness(app);
    h.get_by_label("Convergence").click();
    h.run();
    assert_eq!(
        h.state().state.settings.layers_show,
        LayersShow::Convergence
    );
    assert!(has_text(&h, "after 256 pairs"), "the summary line");
    // The tab's export is what it shows: every point of every layer.
    let r = crate::gui::export::content(Tab::Layers, &h.state().state).unwrap();
    assert!(r.stem.starts_with("convergence_"), "{}", r.stem);
    assert_eq!(r.csv.lines().count(), 1 + 4 * layers.len());
    assert!(r.svg.contains("pairs measured"));
    assert!(has_text(&h, "moved at most 0.0 / 0.0 pp"));
    // The checkpoint slider is there: epoch 0 has no history, and says why.
    h.get_by_role_and_label(egui::accesskit::Role::Slider, "checkpoint")
        .set_value_accesskit(0.0);
    h.run();
    assert!(has_text(&h, "has no convergence history"));
    h.get_by_role_and_label(egui::accesskit::Role::Slider, "checkpoint")
        .set_value_accesskit(2.0);
    h.run();
    // Selecting a layer by its panel.
    h.state_mut().apply(Action::SelectLayer("conv2".into()));
    h.run();
    let plot = egui::Id::unique((crate::gui::views::robustness::CONVERGENCE_PLOT, 0usize));
    let pos = super::layers::screen_pos(&h, plot, [128.0, 20.0]);
    super::layers::click_at(&mut h, pos, egui::Modifiers::NONE);
    assert_eq!(h.state().state.selection.layer.as_deref(), Some("conv1"));
}

#[test]
fn a_sweep_beside_an_opened_report_is_shown_per_layer() {
    let dir = tempfile::tempdir().unwrap();
    let full = fixture::report();
    let mut weak = fixture::report();
    for m in &mut weak.models {
        for l in &mut m.layers {
            l.pct[0] += 10.0;
        }
    }
    let rows = sweep_rows(&[(0.0, weak), (1.0, full.clone())]);
    std::fs::write(dir.path().join("sweep.csv"), sweep_csv(&rows).unwrap()).unwrap();
    let at_one = dir.path().join("strength_1");
    std::fs::create_dir_all(&at_one).unwrap();
    write_report(&at_one.join("report.json"), &full).unwrap();
    // Opening the sweep's folder opens its full-strength report.
    let app = StadynApp::with_settings(
        Settings {
            layers_show: LayersShow::Strength,
            ..Settings::default()
        },
        Some(dir.path().to_path_buf()),
    );
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
    assert!(
        h.state().state.sweep.is_some(),
        "the sweep beside it was read"
    );
    let conv2 = &full.models[2].layers[1];
    let want = format!(
        "dynamic {:.1} to {:.1} %",
        conv2.pct[0] + 10.0,
        conv2.pct[0]
    );
    h.state_mut().apply(Action::SelectModel(0));
    h.run();
    assert!(has_text(&h, &want), "{want}");
    assert!(has_text(&h, "from strength 0 to 1"));
    let r = crate::gui::export::content(Tab::Layers, &h.state().state).unwrap();
    assert!(r.stem.starts_with("strength_"), "{}", r.stem);
    // Two strengths × two layers × three factors, and the header.
    assert_eq!(r.csv.lines().count(), 1 + 2 * 2 * 3);
}

#[test]
fn without_a_sweep_the_tab_says_how_to_make_one() {
    let mut app = fixture::app(Tab::Layers);
    app.apply(Action::SetLayersShow(LayersShow::Strength));
    let h = fixture::harness(app);
    assert!(has_text(&h, "stadyn sweep PROJECT"));
    assert!(h.query_by_label("Open a sweep's folder…").is_some());
}

#[test]
fn tagged_layers_show_their_stream_in_the_bars() {
    let mut app = fixture::app(Tab::Layers);
    let mut report = fixture::report();
    for m in &mut report.models {
        m.layers[1].stream = Some("motion".into());
    }
    app.state.set_report(Arc::new(report), false);
    app.apply(Action::SelectModel(0));
    let h = fixture::harness(app);
    assert!(
        has_text(&h, "stream: motion"),
        "the legend names the stream"
    );
}
