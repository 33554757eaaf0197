//! The Channels view: τ re-buckets at once, clicking and box-dragging
//! select channels (shift adds, ctrl toggles, empty space clears), the
//! table sorts by the clicked header, points glide to a new checkpoint, and
//! the trails and hit testing on their own.

use egui::accesskit::Role;
use egui::{Event, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::layers::{click_at, fixture, screen_pos};
use crate::gui::StadynApp;
use crate::gui::action::{Action, SelectMode, Tab};
use crate::gui::views::ChannelsView;
use crate::gui::views::channels::{SCATTER_PLOT, Track};
use crate::gui::views::plot_common::{PlotRect, nearest_point, points_in_rect};
use crate::gui::views::plot_scatter::select_mode;
use crate::gui::views::plot_table::{Column, Row, sort_rows};
use crate::stats::{Category, CategoryCounts};

fn counts(app: &StadynApp) -> CategoryCounts {
    let cats: Vec<Category> = app
        .state
        .derived
        .points
        .iter()
        .map(|p| p.category)
        .collect();
    CategoryCounts::count(&cats)
}

/// The screen position of channel `c`'s point.
fn point_pos(h: &Harness<'_, StadynApp>, c: usize) -> Pos2 {
    let p = h
        .state()
        .state
        .derived
        .points
        .iter()
        .find(|p| p.channel == c)
        .unwrap();
    screen_pos(
        h,
        egui::Id::unique(SCATTER_PLOT),
        [p.rho_static, p.rho_dynamic],
    )
}

fn selected(h: &Harness<'_, StadynApp>) -> Vec<usize> {
    h.state().state.selection.channels.iter().copied().collect()
}

#[test]
fn moving_tau_rebuckets_the_points_at_once() {
    let mut h = fixture::harness(fixture::app(Tab::Channels));
    let before = counts(h.state());
    assert_eq!((before.dynamic, before.static_, before.joint), (3, 2, 0));
    h.get_by_role_and_label(Role::Slider, "τ")
        .set_value_accesskit(0.3);
    h.run();
    assert!((h.state().state.settings.tau - 0.3).abs() < 1e-9);
    let after = counts(h.state());
    assert_eq!((after.dynamic, after.static_, after.joint), (2, 1, 2));
}

#[test]
fn clicking_points_selects_adds_and_toggles_channels() {
    let mut h = fixture::harness(fixture::app(Tab::Channels));
    let p2 = point_pos(&h, 2);
    click_at(&mut h, p2, Modifiers::NONE);
    assert_eq!(selected(&h), vec![2]);
    let p3 = point_pos(&h, 3);
    click_at(&mut h, p3, Modifiers::SHIFT);
    assert_eq!(selected(&h), vec![2, 3]);
    assert_eq!(point_pos(&h, 2), p2, "selecting does not move the plot");
    click_at(&mut h, p2, Modifiers::CTRL);
    assert_eq!(selected(&h), vec![3]);
    // Empty space (low ρ_D, high ρ_S) clears.
    let empty = screen_pos(&h, egui::Id::unique(SCATTER_PLOT), [0.9, -0.1]);
    click_at(&mut h, empty, Modifiers::NONE);
    assert!(selected(&h).is_empty());
}

#[test]
fn clicking_a_point_opens_its_channel_panel() {
    let mut h = fixture::harness(fixture::app(Tab::Channels));
    assert!(h.query_by_label("Save…").is_none());
    let p2 = point_pos(&h, 2);
    click_at(&mut h, p2, Modifiers::NONE);
    h.run();
    assert!(h.query_by_label("Channel 2").is_some());
    assert!(h.query_by_label("Save…").is_some());
    // The fixture is a report alone: what needs the statistics says so.
    assert!(h.query_by_label_contains("need the statistics").is_some());
    // The checkpoint slider keeps the channel and its panel.
    h.state_mut().apply(Action::SelectCheckpoint(0));
    h.run();
    assert_eq!(selected(&h), vec![2]);
    assert!(h.query_by_label("Channel 2").is_some());
    // Two channels: no panel.
    let p3 = point_pos(&h, 3);
    click_at(&mut h, p3, Modifiers::SHIFT);
    h.run();
    assert!(h.query_by_label("Channel 2").is_none());
}

#[test]
fn the_selected_channels_export_as_a_selection_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = fixture::app(Tab::Channels);
    let save = dir.path().to_path_buf();
    app.set_save_picker(Box::new(move |stem, ext, _| {
        Ok(Some(save.join(format!("{stem}.{ext}"))))
    }));
    app.apply(Action::SetTau(0.3));
    app.apply(Action::SelectChannels {
        channels: vec![4, 2],
        mode: SelectMode::Replace,
    });
    let mut h = fixture::harness(app);
    let layer = h.state().state.selection.layer.clone().unwrap();
    h.get_by_label("Export channels…").click();
    let file = dir.path().join(format!("{layer}_channels.json"));
    for _ in 0..200 {
        h.step();
        if h.state()
            .state
            .messages
            .iter()
            .any(|m| m.text.starts_with("Exported"))
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let sel: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(sel["layer"], layer.as_str());
    assert_eq!(sel["threshold"], 0.3, "at the τ shown");
    let points = &h.state().state.derived.points;
    for (k, c) in [2usize, 4].into_iter().enumerate() {
        let p = points.iter().find(|p| p.channel == c).unwrap();
        let got = &sel["channels"][k];
        assert_eq!(got["channel"], c);
        assert_eq!(got["category"], p.category.name());
        assert_eq!(got["rho_dynamic"], p.rho_dynamic);
    }
}

#[test]
fn dragging_a_box_selects_the_points_inside() {
    let mut h = fixture::harness(fixture::app(Tab::Channels));
    let id = egui::Id::unique(SCATTER_PLOT);
    // Channels 3 (ρ_S 0.25, ρ_D 0.80) and 4 (0.10, 0.95) lie inside; 2 (0.40, 0.63) not.
    let (a, b) = (
        screen_pos(&h, id, [0.0, 0.75]),
        screen_pos(&h, id, [0.3, 1.0]),
    );
    h.event(Event::PointerMoved(a));
    h.event(Event::PointerButton {
        pos: a,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    for k in 1..=5 {
        h.event(Event::PointerMoved(a + (b - a) * (k as f32 / 5.0)));
    }
    h.event(Event::PointerButton {
        pos: b,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run();
    assert_eq!(selected(&h), vec![3, 4]);
}

#[test]
fn the_table_sorts_by_the_clicked_header() {
    let mut app = fixture::app(Tab::Channels);
    app.apply(Action::SelectChannels {
        channels: vec![0, 2, 4],
        mode: SelectMode::Replace,
    });
    let mut h = fixture::harness(app);
    let y = |h: &Harness<'_, StadynApp>, text: &str| h.get_by_label(text).rect().min.y;
    // ρ_S: channel 0 → 0.700, 2 → 0.400, 4 → 0.100; by channel first.
    assert!(y(&h, "0.700") < y(&h, "0.100"));
    h.get_by_label("ρ_S").click();
    h.run();
    assert!(y(&h, "0.100") < y(&h, "0.400") && y(&h, "0.400") < y(&h, "0.700"));
    h.get_by_label("ρ_S asc").click();
    h.run();
    assert!(y(&h, "0.700") < y(&h, "0.100"), "a second click reverses");
    assert!(h.query_by_label("ρ_S desc").is_some());
}

#[test]
fn the_table_sort_puts_undefined_last() {
    let row = |channel, s: Option<f64>| Row {
        channel,
        rho_static: s,
        rho_dynamic: s,
        category: Category::Neither,
        ci: None,
        stability: s,
    };
    let mut rows = vec![row(0, Some(0.5)), row(1, None), row(2, Some(0.1))];
    sort_rows(&mut rows, Column::RhoStatic, false);
    assert_eq!(
        rows.iter().map(|r| r.channel).collect::<Vec<_>>(),
        vec![2, 0, 1]
    );
    sort_rows(&mut rows, Column::RhoStatic, true);
    assert_eq!(
        rows.iter().map(|r| r.channel).collect::<Vec<_>>(),
        vec![0, 2, 1]
    );
}

#[test]
fn points_glide_to_the_new_checkpoint() {
    let mut app = fixture::app(Tab::Channels);
    let glide = f64::from(app.state.settings.glide_secs);
    let mut view = ChannelsView::default();
    view.update(&app.state, 10.0);
    let old: Vec<[f64; 2]> = view.shown_positions().unwrap().to_vec();
    let old_counts = view.shown_counts().unwrap();
    app.apply(Action::SelectCheckpoint(0));
    let target: Vec<[f64; 2]> = app
        .state
        .derived
        .points
        .iter()
        .map(|p| [p.rho_static, p.rho_dynamic])
        .collect();
    assert_ne!(old, target);
    view.update(&app.state, 20.0);
    assert_eq!(
        view.shown_positions().unwrap(),
        old.as_slice(),
        "starts where they were"
    );
    view.update(&app.state, 20.0 + glide / 2.0);
    let mid = view.shown_positions().unwrap().to_vec();
    assert_eq!(
        view.shown_counts().unwrap(),
        old_counts,
        "colours change on arrival, not before"
    );
    for ((m, o), t) in mid.iter().zip(&old).zip(&target) {
        for k in 0..2 {
            let (lo, hi) = (o[k].min(t[k]), o[k].max(t[k]));
            assert!(
                m[k] > lo - 1e-12 && m[k] < hi + 1e-12 && (lo == hi || (m[k] - o[k]).abs() > 1e-9)
            );
        }
    }
    view.update(&app.state, 20.0 + glide + 0.01);
    assert_eq!(view.shown_positions().unwrap(), target.as_slice());
    assert_ne!(
        view.shown_counts().unwrap(),
        old_counts,
        "arrived: new colours"
    );
    // A glide of 0 jumps.
    app.apply(Action::SetCheckpointPlayback {
        rate: 1.0,
        looping: true,
        glide: 0.0,
    });
    app.apply(Action::SelectCheckpoint(2));
    view.update(&app.state, 30.0);
    assert_eq!(view.shown_positions().unwrap(), old.as_slice());
}

#[test]
fn changing_the_checkpoint_animates_and_then_settles() {
    let mut h = fixture::harness(fixture::app(Tab::Channels));
    h.state_mut().apply(Action::SelectCheckpoint(1));
    h.step();
    let repaint = h
        .output()
        .viewport_output
        .values()
        .any(|v| v.repaint_delay.is_zero());
    assert!(repaint, "the animation asks for frames");
    h.run();
}

#[test]
fn trails_follow_each_selected_channel_across_checkpoints() {
    let app = fixture::app(Tab::Channels);
    let track = Track::new(&app.state);
    assert_eq!(track.per_checkpoint.len(), 3);
    let trails = track.trails(&[0, 5]);
    assert_eq!(trails.len(), 2);
    assert_eq!(trails[0].len(), 3, "one vertex per checkpoint");
    let (d, s) = fixture::rho(0, 1.0, 0.0);
    assert!((trails[0][1].x - s).abs() < 1e-12 && (trails[0][1].y - d).abs() < 1e-12);
    assert!(trails[1].is_empty(), "channel 5 is undefined everywhere");
    assert!((track.lower - -0.2).abs() < 1e-12);
}

#[test]
fn hit_testing_measures_in_pixels() {
    let pts = [[0.0, 0.0], [0.5, 0.5], [0.52, 0.5]];
    // 0.01 plot units per pixel: 0.52 is 2 px from 0.5.
    assert_eq!(
        nearest_point(&pts, [0.515, 0.5], [0.01, 0.01], 8.0),
        Some(2)
    );
    assert_eq!(nearest_point(&pts, [0.2, 0.2], [0.01, 0.01], 8.0), None);
    assert_eq!(nearest_point(&pts, [0.2, 0.2], [0.01, 0.01], 50.0), Some(0));
    assert_eq!(
        nearest_point(&pts, [0.5, 0.5], [0.0, 0.01], 8.0),
        None,
        "degenerate transform"
    );
    let rect = PlotRect::from_corners([0.6, 0.6], [0.4, 0.4]);
    assert_eq!(points_in_rect(&pts, rect), vec![1, 2]);
    assert_eq!(select_mode(Modifiers::SHIFT), SelectMode::Add);
    assert_eq!(select_mode(Modifiers::CTRL), SelectMode::Toggle);
    assert_eq!(select_mode(Modifiers::COMMAND), SelectMode::Toggle);
    assert_eq!(select_mode(Modifiers::NONE), SelectMode::Replace);
}

#[test]
fn the_tau_sweep_is_shown_and_a_click_sets_tau() {
    let mut h = fixture::harness(fixture::app(Tab::Channels));
    assert!(h.query_by_label("Categories against τ").is_some());
    let id = egui::Id::unique(("stadyn.categories", "τ", "conv2"));
    let pos = super::layers::screen_pos(&h, id, [0.3, 50.0]);
    click_at(&mut h, pos, Modifiers::NONE);
    let tau = h.state().state.settings.tau;
    assert!((tau - 0.3).abs() < 0.011, "τ = {tau}");
}

#[test]
fn small_multiples_show_every_checkpoint_and_open_one() {
    let mut h = fixture::harness(fixture::app(Tab::Channels));
    h.get_by_label("all checkpoints").click();
    h.run();
    assert!(
        h.query_by_label_contains("at each of 3 checkpoints")
            .is_some()
    );
    let id = egui::Id::unique(("stadyn.multiples", 0usize));
    let pos = super::layers::screen_pos(&h, id, [0.5, 0.5]);
    click_at(&mut h, pos, Modifiers::NONE);
    let s = &h.state().state;
    assert_eq!(s.selection.checkpoint, 0, "the first one opened");
    assert!(
        h.query_by_label_contains("at each of").is_none(),
        "back to one scatter"
    );
}

#[test]
fn a_click_keeps_the_channel_it_pressed_on_when_the_points_move() {
    let mut h = fixture::harness(fixture::app(Tab::Channels));
    let pos = point_pos(&h, 2);
    let button = |pressed| Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Modifiers::NONE,
    };
    h.event(Event::PointerMoved(pos));
    h.event(button(true));
    h.step();
    // New numbers arrive while the button is down: the points move.
    h.state_mut().apply(Action::SelectCheckpoint(0));
    h.step();
    assert_ne!(point_pos(&h, 2), pos, "channel 2 moved away");
    h.event(button(false));
    h.step();
    h.step();
    assert_eq!(
        selected(&h),
        vec![2],
        "the channel pressed on, not what lies there now"
    );
}
