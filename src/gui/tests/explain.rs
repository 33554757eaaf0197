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
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Presenter").click();
    h.run();
    assert!(h.state().state.settings.presenter);
    assert!(h.query_by_label_contains("Analysis").is_none(), "hidden");
    assert!((h.ctx.zoom_factor() - 1.4).abs() < 1e-6);
    h.get_by_label("View (presenting)").click();
    h.run();
    h.get_by_label("High contrast").click();
    h.run();
    assert_eq!(
        h.ctx.global_style().visuals.override_text_color,
        Some(egui::Color32::BLACK)
    );
    if h.query_by_label("Presenter").is_none() {
        h.get_by_label("View (presenting)").click();
        h.run();
    }
    h.get_by_label("Presenter").click();
    h.run();
    assert!(h.query_by_label_contains("Analysis").is_some());
    assert!((h.ctx.zoom_factor() - 1.0).abs() < 1e-6);
}

/// A report with the demo's model names: cnn3d-motion at epochs 0–2, and
/// the last checkpoints of cnn3d-appearance and c2d-motion (ρ_S = 1).
fn demo_like() -> crate::report::Report {
    use crate::testing::{layer, model, report};
    let rhos = [
        (Some(0.9), Some(0.1)),
        (Some(0.1), Some(0.8)),
        (Some(0.7), Some(0.6)),
    ];
    let frame_wise = [(Some(0.3), Some(1.0)), (Some(0.6), Some(1.0))];
    let stage = |rhos: &[crate::testing::Rho], d: f64| {
        vec![layer(
            "stage3",
            rhos,
            [d, 30.0, 70.0 - d],
            Some([[d - 2.0, d + 2.0], [28.0, 32.0], [0.0, 100.0]]),
            40,
        )]
    };
    report(
        vec![
            model("cnn3d-motion", Some(0.0), stage(&rhos, 10.0)),
            model("cnn3d-motion", Some(1.0), stage(&rhos, 30.0)),
            model("cnn3d-motion", Some(2.0), stage(&rhos, 31.0)),
            model("cnn3d-appearance", Some(2.0), stage(&rhos, 12.0)),
            model("c2d-motion", Some(2.0), stage(&frame_wise, 5.0)),
        ],
        40,
    )
}

#[test]
fn the_tour_sets_each_view_and_resumes_where_it_was_left() {
    let mut app = fixture::app(Tab::Layers);
    app.state
        .set_report(std::sync::Arc::new(demo_like()), false);
    let mut h = fixture::harness(app);
    h.get_by_label("Tour").click();
    h.run();
    assert_eq!(h.state().state.settings.tab, Tab::Pairs);
    assert!(
        h.query_by_label_contains("1 of 6: Two kinds of pairs")
            .is_some()
    );
    h.key_press(egui::Key::PageDown);
    h.run();
    let s = &h.state().state;
    assert_eq!(s.settings.tab, Tab::Layers);
    assert_eq!(s.derived.groups[s.selection.group].name, "cnn3d-motion");
    assert!(
        h.query_by_label_contains("dynamic 31.0 % against 12.0 %")
            .is_some(),
        "the numbers on screen"
    );
    h.key_press(egui::Key::PageDown);
    h.run();
    let s = &h.state().state;
    assert_eq!(
        (s.settings.tab, s.selection.layer.as_deref()),
        (Tab::Channels, Some("stage3"))
    );
    assert!(
        h.query_by_label_contains("smallest of its 2 channels: 1.0000")
            .is_some()
    );
    h.key_press(egui::Key::PageDown);
    h.run();
    assert_eq!(h.state().state.settings.tab, Tab::Training);
    assert!(h.query_by_label_contains("from epoch 1 on").is_some());
    h.key_press(egui::Key::PageDown);
    h.run();
    let s = &h.state().state;
    assert_eq!(
        s.selection.channels.iter().copied().collect::<Vec<_>>(),
        [0]
    );
    assert!(
        h.query_by_label_contains("Inside a dynamic channel")
            .is_some()
    );
    // Left and resumed at the same step.
    h.get_by_label("Leave tour").click();
    h.run();
    assert!(
        h.query_by_label_contains("Inside a dynamic channel")
            .is_none()
    );
    h.get_by_label("Tour").click();
    h.run();
    assert!(
        h.query_by_label_contains("5 of 6: Inside a dynamic channel")
            .is_some()
    );
    h.key_press(egui::Key::PageUp);
    h.run();
    assert_eq!(h.state().state.settings.tab, Tab::Training);
}

#[test]
fn on_small_windows_every_tab_and_export_stays_reachable() {
    use egui_kittest::Harness;
    for (w, h) in [(1024.0, 640.0), (900.0, 600.0)] {
        let mut hs = Harness::builder()
            .with_size(egui::vec2(w, h))
            .with_max_steps(24)
            .build_ui_state(
                |ui, app: &mut crate::gui::StadynApp| app.show(ui),
                fixture::app(Tab::Layers),
            );
        hs.run();
        let mut rects = Vec::new();
        for label in Tab::ALL
            .iter()
            .map(|t| t.label())
            .chain(["?", "View", "PNG", "SVG", "CSV"])
        {
            let r = hs.get_by_label(label).rect();
            assert!(r.max.x <= w + 0.5, "{label} cut off at {w}: {r:?}");
            rects.push((label, r));
        }
        for (i, (a, ra)) in rects.iter().enumerate() {
            for (b, rb) in &rects[i + 1..] {
                assert!(!ra.intersects(*rb), "{a} and {b} overlap at {w}×{h}");
            }
        }
        // The project panel can be hidden for room (View menu).
        hs.get_by_label("View").click();
        hs.run();
        hs.get_by_label("Project panel").click();
        hs.run();
        assert!(hs.state().state.settings.hide_panel);
        assert!(hs.query_by_label_contains("Analysis").is_none());
    }
}
