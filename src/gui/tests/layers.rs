//! The Layers view on a hand-made report: bar hit testing, clicking a bar
//! (selects its layer, model and checkpoint; the scatter follows), grouping
//! by checkpoint, and the selected-channels summary. Also the report
//! fixture and click helpers the other plot-view tests share.

use egui::{Event, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use egui_plot::{PlotMemory, PlotPoint};

use crate::gui::StadynApp;
use crate::gui::action::{Action, Tab};
use crate::gui::views::layers::{BARS_PLOT, bar_groups};
use crate::gui::views::plot_bars::{BarKind, BarLayout};

pub(super) mod fixture {
    //! A report of two models: "cnn3d" with three checkpoints (epochs 0–2)
    //! and "c2d" with one; both have layers "conv1" (4 channels) and
    //! "conv2" (6 channels, channel 5 undefined). Shares and ρ move with
    //! the epoch so every checkpoint plots differently.

    use std::sync::Arc;

    use egui_kittest::Harness;

    use crate::gui::StadynApp;
    use crate::gui::action::{Action, Tab};
    use crate::gui::state::Settings;
    use crate::report::{LayerReport, ModelReport, Report};
    use crate::testing;

    /// ρ_D, ρ_S of channel `c` of a layer at epoch `k` (`salt` varies models).
    pub(crate) fn rho(c: usize, k: f64, salt: f64) -> (f64, f64) {
        let d = (0.05 + 0.17 * c as f64 + 0.12 * k + salt).min(0.95);
        let s = (0.9 - 0.15 * c as f64 - 0.1 * k + salt).max(-0.1);
        (d, s)
    }

    /// A layer of `channels` channels at epoch `k`; `undefined` channels get no ρ.
    pub(crate) fn layer(
        name: &str,
        channels: usize,
        k: f64,
        salt: f64,
        undefined: &[usize],
    ) -> LayerReport {
        let rhos: Vec<(Option<f64>, Option<f64>)> = (0..channels)
            .map(|c| {
                if undefined.contains(&c) {
                    (None, None)
                } else {
                    let (d, s) = rho(c, k, salt);
                    (Some(d), Some(s))
                }
            })
            .collect();
        let d = 10.0 + 10.0 * k + 50.0 * salt;
        let s = 30.0 - 5.0 * k;
        let pct = [d, s, 100.0 - d - s];
        let ci = [
            [d - 2.0, d + 2.0],
            [s - 3.0, s + 3.0],
            [pct[2] - 4.0, pct[2] + 4.0],
        ];
        testing::layer(name, &rhos, pct, Some(ci), 40)
    }

    /// A model entry at `epoch` (`None`: a model without checkpoints).
    pub(crate) fn model(name: &str, epoch: Option<f64>, salt: f64) -> ModelReport {
        let k = epoch.unwrap_or(0.0);
        testing::model(
            name,
            epoch,
            vec![
                layer("conv1", 4, k, salt, &[]),
                layer("conv2", 6, k, salt, &[5]),
            ],
        )
    }

    /// The fixture report: entries 0–2 are cnn3d epochs 0–2, entry 3 is c2d.
    pub(crate) fn report() -> Report {
        testing::report(
            vec![
                model("cnn3d", Some(0.0), 0.0),
                model("cnn3d", Some(1.0), 0.0),
                model("cnn3d", Some(2.0), 0.0),
                model("c2d", None, 0.1),
            ],
            20,
        )
    }

    /// The app showing `tab` of the fixture report (cnn3d, last checkpoint, conv2).
    pub(crate) fn app(tab: Tab) -> StadynApp {
        let mut app = StadynApp::with_settings(
            Settings {
                tab,
                ..Settings::default()
            },
            None,
        );
        app.state.set_report(Arc::new(report()), false);
        // The final checkpoint, as choosing the model does.
        app.apply(Action::SelectModel(0));
        app
    }

    /// A 1280×800 harness driving the real app.
    pub(crate) fn harness(app: StadynApp) -> Harness<'static, StadynApp> {
        let mut h = Harness::builder()
            .with_size(egui::vec2(1280.0, 800.0))
            .with_max_steps(24) // a checkpoint glide takes a few
            .build_ui_state(|ui, app: &mut StadynApp| app.show(ui), app);
        h.run();
        h
    }
}

/// The screen position of plot point `p` in the plot with global id `plot`.
pub(super) fn screen_pos(h: &Harness<'_, StadynApp>, plot: egui::Id, p: [f64; 2]) -> Pos2 {
    let mem = PlotMemory::load(&h.ctx, plot).expect("the plot was drawn");
    mem.transform()
        .position_from_point(&PlotPoint::new(p[0], p[1]))
}

/// Presses and releases the primary button at `pos` with `modifiers`.
pub(super) fn click_at(h: &mut Harness<'_, StadynApp>, pos: Pos2, modifiers: Modifiers) {
    h.event(Event::PointerMoved(pos));
    for pressed in [true, false] {
        h.event_modifiers(
            Event::PointerButton {
                pos,
                button: PointerButton::Primary,
                pressed,
                modifiers,
            },
            modifiers,
        );
    }
    h.run();
}

/// The layout the Layers view draws for the app's current state.
fn layout(app: &StadynApp, by_checkpoint: bool) -> BarLayout {
    let state = &app.state;
    let report = state.report.as_deref().expect("a report");
    BarLayout::new(
        report,
        &state.derived.bars,
        bar_groups(state, by_checkpoint),
        true,
    )
}

/// Clicks the dynamic segment of layer `layer` of entry `entry`.
fn click_bar(h: &mut Harness<'_, StadynApp>, by_checkpoint: bool, entry: usize, layer: &str) {
    let l = layout(h.state(), by_checkpoint);
    let slot = l.slot_of(entry, layer).expect("the bar is drawn");
    let p = l
        .segment_center(slot, BarKind::Factors, 0)
        .expect("a segment");
    let pos = screen_pos(h, egui::Id::unique(BARS_PLOT), p);
    click_at(h, pos, Modifiers::NONE);
}

#[test]
fn bar_at_finds_the_slot_and_segment_in_both_orientations() {
    let app = fixture::app(Tab::Layers);
    for horizontal in [true, false] {
        let state = &app.state;
        let report = state.report.as_deref().unwrap();
        let l = BarLayout::new(
            report,
            &state.derived.bars,
            bar_groups(state, false),
            horizontal,
        );
        assert_eq!(l.groups.len(), 2, "one group per model");
        assert_eq!(l.slots.len(), 4, "two layers each");
        for slot in 0..l.slots.len() {
            for seg in 0..3 {
                let p = l.segment_center(slot, BarKind::Factors, seg).unwrap();
                let hit = l.bar_at(p, BarKind::Factors).unwrap();
                assert_eq!((hit.slot, hit.segment), (slot, Some(seg)));
            }
        }
        // Between two groups, and past 100 %, nothing is hit.
        let gap = (l.slots[1].pos + l.slots[2].pos) / 2.0;
        assert_eq!(l.bar_at(l.point(gap, 50.0), BarKind::Factors), None);
        assert_eq!(
            l.bar_at(l.point(l.slots[0].pos, 120.0), BarKind::Factors),
            None
        );
    }
}

#[test]
fn other_models_show_their_checkpoint_nearest_in_epoch() {
    let mut app = fixture::app(Tab::Layers);
    app.apply(Action::SelectCheckpoint(0));
    let groups = bar_groups(&app.state, false);
    assert_eq!(
        groups.iter().map(|g| g.entry).collect::<Vec<_>>(),
        vec![0, 3]
    );
    app.apply(Action::SelectCheckpoint(2));
    let groups = bar_groups(&app.state, false);
    assert_eq!(
        groups.iter().map(|g| g.entry).collect::<Vec<_>>(),
        vec![2, 3]
    );
    let by_ckpt = bar_groups(&app.state, true);
    assert_eq!(
        by_ckpt.iter().map(|g| g.entry).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
}

#[test]
fn clicking_a_layer_bar_selects_that_layer_in_the_scatter() {
    let mut h = fixture::harness(fixture::app(Tab::Layers));
    assert_eq!(h.state().state.selection.layer.as_deref(), Some("conv2"));
    let before = h.state().state.derived.points.clone();
    click_bar(&mut h, false, 2, "conv1");
    let s = &h.state().state;
    assert_eq!(s.selection.layer.as_deref(), Some("conv1"));
    assert_eq!(
        s.derived.points.len(),
        4,
        "the scatter shows conv1's 4 channels"
    );
    assert_ne!(s.derived.points, before);
}

#[test]
fn clicking_a_bar_of_another_model_selects_that_model() {
    let mut h = fixture::harness(fixture::app(Tab::Layers));
    click_bar(&mut h, false, 3, "conv1");
    let s = &h.state().state;
    assert_eq!(s.selection.group, 1);
    assert_eq!(s.selected_entry(), Some(3));
    assert_eq!(s.selection.layer.as_deref(), Some("conv1"));
}

#[test]
fn grouped_by_checkpoint_a_click_selects_that_checkpoint() {
    let mut h = fixture::harness(fixture::app(Tab::Layers));
    h.get_by_label("Group by checkpoint").click();
    h.run();
    assert!(
        h.state().state.settings.layers_by_checkpoint,
        "kept in the settings"
    );
    click_bar(&mut h, true, 0, "conv1");
    let s = &h.state().state;
    assert_eq!((s.selection.group, s.selection.checkpoint), (0, 0));
    assert_eq!(s.selection.layer.as_deref(), Some("conv1"));
}

#[test]
fn the_layers_export_follows_the_grouping_shown() {
    use crate::gui::export::content;
    let mut h = fixture::harness(fixture::app(Tab::Layers));
    let rows = |h: &Harness<'_, StadynApp>| -> Vec<String> {
        let csv = content(Tab::Layers, &h.state().state).unwrap().csv;
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect()
    };
    // by model: cnn3d at its selected (last) checkpoint, c2d
    let layers = fixture::report().models[0].layers.len();
    let by_model = rows(&h);
    assert_eq!(by_model.len(), 2 * layers, "two models");
    assert!(
        by_model
            .iter()
            .all(|r| r.starts_with("cnn3d,") || r.starts_with("c2d,"))
    );
    // by checkpoint: the three checkpoints of cnn3d, in order, and a title saying so
    h.get_by_label("Group by checkpoint").click();
    h.run();
    let by_ckpt = rows(&h);
    assert_eq!(by_ckpt.len(), 3 * layers, "three checkpoints");
    assert!(by_ckpt.iter().all(|r| r.starts_with("cnn3d,")));
    let exported = content(Tab::Layers, &h.state().state).unwrap();
    assert_eq!(exported.stem, "bars_cnn3d_checkpoints");
    assert!(exported.svg.contains("per layer and checkpoint"));
}

#[test]
fn the_selected_channels_are_counted_by_category() {
    let mut app = fixture::app(Tab::Layers);
    // conv2 at epoch 2: channel 0 is static, channel 4 dynamic, 5 undefined.
    app.apply(Action::SelectChannels {
        channels: vec![0, 4, 5],
        mode: crate::gui::action::SelectMode::Replace,
    });
    let h = fixture::harness(app);
    let summary = "3 selected: 1 dynamic, 1 static, 1 unassigned";
    assert!(
        h.query_by_label_contains(summary).is_some(),
        "the summary names the categories"
    );
}

#[test]
fn toggling_horizontal_keeps_clicks_working() {
    let mut h = fixture::harness(fixture::app(Tab::Layers));
    h.get_by_label("Horizontal bars").click();
    h.run();
    let state = &h.state().state;
    assert!(!state.settings.layers_horizontal, "kept in the settings");
    let report = state.report.as_deref().unwrap();
    let l = BarLayout::new(report, &state.derived.bars, bar_groups(state, false), false);
    let slot = l.slot_of(2, "conv1").unwrap();
    let p = l.segment_center(slot, BarKind::Factors, 1).unwrap();
    let pos = screen_pos(&h, egui::Id::unique(BARS_PLOT), p);
    click_at(&mut h, pos, Modifiers::NONE);
    assert_eq!(h.state().state.selection.layer.as_deref(), Some("conv1"));
}

#[test]
fn long_labels_are_fitted_to_their_room() {
    use crate::gui::views::plot_stack::fit;
    assert_eq!(fit("layer1", f32::INFINITY), "layer1");
    assert_eq!(fit("layer3.1.conv2", 70.0), "…3.1.conv2");
    assert_eq!(fit("model · epoch 3", 14.0), "");
}

#[test]
fn the_layers_tab_says_and_changes_the_checkpoint_it_draws() {
    let mut h = fixture::harness(fixture::app(Tab::Layers));
    let last = h.state().state.selection.checkpoint;
    assert!(last > 0, "the fixture's model has checkpoints");
    h.get_by_role_and_label(egui::accesskit::Role::Slider, "checkpoint")
        .set_value_accesskit(0.0);
    h.run();
    assert_eq!(h.state().state.selection.checkpoint, 0);
    // Grouped by checkpoint, every checkpoint is drawn: no slider.
    h.get_by_label("Group by checkpoint").click();
    h.run();
    assert!(
        h.query_by_role_and_label(egui::accesskit::Role::Slider, "checkpoint")
            .is_none()
    );
}
