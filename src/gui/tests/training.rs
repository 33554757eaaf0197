//! The Training view: the checkpoint slider moves every view (bars and
//! scatter), clicking a curve selects its layer and checkpoint, a model
//! without checkpoints says so; and the shared axes and epoch hit testing.

use egui::Modifiers;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;

use super::layers::{click_at, fixture, screen_pos};
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
