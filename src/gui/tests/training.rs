//! The Training view: the checkpoint slider moves every view (bars and
//! scatter), clicking a curve selects its layer and checkpoint, a model
//! without checkpoints says so; and the shared axes and epoch hit testing.

use egui::Modifiers;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;

use super::layers::{click_at, fixture, screen_pos};
use crate::figure::data::fraction_metrics;
use crate::gui::action::{Action, Tab};
use crate::gui::views::layers::bar_groups;
use crate::gui::views::training::{curve_bounds, nearest_epoch};

#[test]
fn the_checkpoint_slider_moves_every_view() {
    let mut h = fixture::harness(fixture::app(Tab::Training));
    let (points, bars) = {
        let s = &h.state().state;
        (s.derived.points.clone(), bar_groups(s, false))
    };
    assert_eq!(h.state().state.selection.checkpoint, 2);
    h.get_by_role_and_label(Role::Slider, "checkpoint")
        .set_value_accesskit(0.0);
    h.run();
    let s = &h.state().state;
    assert_eq!(s.selection.checkpoint, 0);
    assert_eq!(s.selected_entry(), Some(0));
    assert_ne!(s.derived.points, points, "the scatter follows");
    let now = bar_groups(s, false);
    assert_ne!(now, bars, "the bars follow");
    assert_eq!(now[0].entry, 0);
    assert!(
        h.query_all_by_label("epoch 0").next().is_some(),
        "the slider names the checkpoint"
    );
}

#[test]
fn clicking_a_curve_selects_its_layer_and_checkpoint() {
    let mut h = fixture::harness(fixture::app(Tab::Training));
    let id = egui::Id::unique(("stadyn.training", "conv1"));
    let pos = screen_pos(&h, id, [1.0, 30.0]);
    click_at(&mut h, pos, Modifiers::NONE);
    let s = &h.state().state;
    assert_eq!(s.selection.layer.as_deref(), Some("conv1"));
    assert_eq!(s.selection.checkpoint, 1);
}

#[test]
fn a_model_without_checkpoints_says_so() {
    let mut app = fixture::app(Tab::Training);
    app.apply(Action::SelectModel(1));
    let mut h = fixture::harness(app);
    assert!(h.query_by_label_contains("single checkpoint").is_some());
    h.get_by_label("Show cnn3d (3 checkpoints)").click();
    h.run();
    assert_eq!(h.state().state.selection.group, 0);
}

#[test]
fn the_curves_share_axes_that_hold_every_interval() {
    let app = fixture::app(Tab::Training);
    let curves = &app.state.derived.curves;
    assert_eq!(curves.len(), 2);
    assert_eq!(
        curves[0].settled,
        Some(2),
        "shares move by more than the interval"
    );
    let b = curve_bounds(curves);
    assert!(b.min()[0] < 0.0 && b.max()[0] > 2.0);
    // Largest: dynamic 30 % + 2 at epoch 2, static 30 % + 3 at epoch 0 → 40.
    assert_eq!(b.min()[1], 0.0);
    assert!((b.max()[1] - 42.0).abs() < 1e-9);
    assert_eq!(nearest_epoch(&[0.0, 1.0, 2.0], 1.4), Some(1));
    assert_eq!(nearest_epoch(&[0.0, 1.0, 2.0], 7.0), Some(2));
    assert_eq!(nearest_epoch(&[], 1.0), None);
}

#[test]
fn the_settle_point_is_provisional_while_results_arrive() {
    let app = fixture::app(Tab::Training);
    let report = app.state.report.clone().unwrap();
    let h = fixture::harness(app);
    assert!(
        h.query_all_by_label_contains("settles at epoch")
            .next()
            .is_some()
    );
    assert!(
        h.query_all_by_label_contains("(provisional)")
            .next()
            .is_none()
    );
    let mut app = fixture::app(Tab::Training);
    app.state.set_report(report, true);
    let h = fixture::harness(app);
    assert!(
        h.query_all_by_label_contains("so far (provisional)")
            .next()
            .is_some()
    );
}

#[test]
fn recorded_fractions_share_the_plot_on_a_right_axis() {
    let mut report = fixture::report();
    for (e, (acc, loss)) in [(0.3, 2.0), (0.6, 1.0), (0.9, 0.5)].into_iter().enumerate() {
        let m = &mut report.models[e];
        m.metrics.insert("accuracy".into(), acc);
        m.metrics.insert("val_loss".into(), loss);
    }
    let curve =
        &crate::figure::training_curves(&report, &crate::figure::model_groups(&report)[0])[0];
    let lines = fraction_metrics(curve, &report);
    assert_eq!(
        lines.len(),
        1,
        "a loss above 1 shares no scale with a fraction"
    );
    assert_eq!(lines[0].0, "accuracy");
    assert_eq!(lines[0].1, vec![[0.0, 0.3], [1.0, 0.6], [2.0, 0.9]]);
    let mut app = fixture::app(Tab::Training);
    let h = fixture::harness(fixture::app(Tab::Training));
    assert!(h.query_by_label_contains("recorded accuracy").is_none());
    app.state.set_report(std::sync::Arc::new(report), false);
    let h = fixture::harness(app);
    assert!(h.query_by_label_contains("recorded accuracy").is_some());
}

#[test]
fn the_settle_criterion_is_chosen_and_said() {
    let mut h = fixture::harness(fixture::app(Tab::Training));
    let found = |h: &egui_kittest::Harness<'_, crate::gui::StadynApp>, text: &str| {
        h.query_all_by_label_contains(text).count()
    };
    assert_eq!(found(&h, "settles at epoch 2"), 2, "both layers");
    assert_eq!(found(&h, "(by %)"), 0);
    h.get_by_label("settles by").click();
    h.run();
    h.get_by_label("percentages (reference)").click();
    h.run();
    assert_eq!(found(&h, "settles at epoch 2 (by %)"), 2);
}

#[test]
fn training_plays_and_the_keys_drive_the_checkpoints() {
    let mut h = fixture::harness(fixture::app(Tab::Training));
    h.get_by_label("|<").click();
    h.run();
    assert_eq!(h.state().state.selection.checkpoint, 0);
    h.get_by_label("Play training").click();
    h.run();
    assert!(h.state().state.checkpoints.is_playing());
    assert!(h.query_by_label("Pause training").is_some());
    // Steps come from the clock: drive it as the frame loop does.
    let app = h.state_mut();
    let mut moved = Vec::new();
    for _ in 0..4 {
        let (count, pace) = (3, (1.0, true));
        let now = app.state.selection.checkpoint;
        if let Some(k) = app.state.checkpoints.tick(0.6, count, now, pace) {
            app.apply(Action::SelectCheckpoint(k));
            moved.push(k);
        }
    }
    assert!(!moved.is_empty(), "it advanced: {moved:?}");
    // Space pauses, the arrows step: the checkpoint player was clicked last.
    h.key_press(egui::Key::Space);
    h.run();
    assert!(!h.state().state.checkpoints.is_playing());
    h.key_press(egui::Key::End);
    h.run();
    assert_eq!(h.state().state.selection.checkpoint, 2);
    h.key_press(egui::Key::ArrowLeft);
    h.run();
    assert_eq!(h.state().state.selection.checkpoint, 1);
    // On Videos & pairs the arrows are the frame player's, not the checkpoints'.
    h.state_mut().apply(Action::ShowTab(Tab::Pairs));
    h.run();
    h.key_press(egui::Key::ArrowLeft);
    h.run();
    assert_eq!(h.state().state.selection.checkpoint, 1);
}

#[test]
fn the_accuracy_axis_has_round_ticks() {
    use crate::gui::views::training::accuracy_scale;
    assert_eq!(
        accuracy_scale(52.0),
        50.0,
        "1.0 at the 50 % line: ticks 0.2, 0.4, …"
    );
    assert_eq!(accuracy_scale(102.0), 100.0);
    assert_eq!(accuracy_scale(2.0), 10.0);
}

#[test]
fn every_checkpoint_is_ticked_while_the_labels_stay_readable() {
    use crate::gui::views::training::epoch_ticks;
    let demo = [0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0];
    assert_eq!(epoch_ticks(&demo), vec![0.0, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0]);
    assert_eq!(epoch_ticks(&[0.0, 1.0, 2.0]), vec![0.0, 1.0, 2.0]);
    assert_eq!(
        epoch_ticks(&[0.0, 9.9, 10.0]),
        vec![0.0, 10.0],
        "the last wins"
    );
    assert!(epoch_ticks(&[]).is_empty());
}
