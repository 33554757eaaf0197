//! The "?" panel: on every tab it opens, says what the tab shows with the
//! numbers on screen, and states the τ rule exactly.

use egui_kittest::kittest::Queryable as _;

use super::layers::fixture;
use crate::gui::action::{Action, Tab};

#[test]
fn the_question_mark_explains_every_tab_with_the_numbers_on_screen() {
    let mut h = fixture::harness(fixture::app(Tab::Layers));
    assert!(h.query_by_label_contains("About Layers").is_none());
    h.get_by_label("?").click();
    h.run();
    assert!(h.query_by_label_contains("About Layers").is_some());
    // The fixture's conv2 at epoch 2: 6 channels, dims 2/2/2.
    assert!(
        h.query_by_label_contains("C = 6 channels: dims 2 dynamic")
            .is_some()
    );
    h.state_mut().apply(Action::ShowTab(Tab::Channels));
    h.run();
    assert!(h.query_by_label_contains("About Channels").is_some());
    assert!(
        h.query_by_label_contains("dynamic when ρ_D > τ and ρ_S < τ")
            .is_some(),
        "the rule, strict"
    );
    assert!(
        h.query_by_label_contains("Of 6 channels at τ = 0.50")
            .is_some()
    );
    for (tab, text) in [
        (Tab::Training, "Where a bias settles"),
        (Tab::Compare, "paired"),
        (Tab::Pairs, "A static pair is one clip"),
    ] {
        h.state_mut().apply(Action::ShowTab(tab));
        h.run();
        assert!(
            h.query_all_by_label_contains(text).next().is_some(),
            "{}: {text}",
            tab.label()
        );
    }
    // It closes.
    h.get_by_label("?").click();
    h.run();
    assert!(h.query_by_label_contains("About Videos").is_none());
}

#[test]
fn presenter_mode_enlarges_and_hides_the_project_panel() {
    let mut h = fixture::harness(fixture::app(Tab::Layers));
    assert!(
        h.query_by_label_contains("Analysis").is_some(),
        "the project panel"
    );
    h.get_by_label("Presenter").click();
    h.run();
    assert!(h.state().state.settings.presenter);
    assert!(h.query_by_label_contains("Analysis").is_none(), "hidden");
    assert!((h.ctx.zoom_factor() - 1.4).abs() < 1e-6);
    h.get_by_label("High contrast").click();
    h.run();
    assert_eq!(
        h.ctx.global_style().visuals.override_text_color,
        Some(egui::Color32::BLACK)
    );
    h.get_by_label("Presenter").click();
    h.run();
    assert!(h.query_by_label_contains("Analysis").is_some());
    assert!((h.ctx.zoom_factor() - 1.0).abs() < 1e-6);
}
