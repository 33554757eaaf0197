//! The Videos & pairs view driven through egui_kittest: keyboard shortcuts,
//! pair browsing, the frames shown, a broken video; on a generated probe set
//! (small demo clips in a temporary folder).

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use crate::analysis::{PairSource, Project};
use crate::gui::StadynApp;
use crate::gui::action::{Action, Tab};
use crate::gui::state::{AppState, Settings};
use crate::gui::views::PairsView;
use crate::model::Manifest;
use crate::stats::Factor;
use crate::video::demo::{DemoSpec, DemoTask, write_demo_data};
use crate::worker::pairs::Frames;

/// T = 4 of W = 12 frames at 24×32.
fn manifest() -> Manifest {
    Manifest {
        frames: 4,
        window: 12,
        size: Some([24, 32]),
        ..Manifest::default()
    }
}

/// A project of 12 pairs over `clips` demo clips (none: one broken video)
/// and one model whose manifest is [`manifest`].
fn project(dir: &Path, clips: usize) -> Project {
    let probe = dir.join("probe");
    if clips > 0 {
        let spec = DemoSpec {
            frames: 16,
            width: 48,
            height: 32,
            ..DemoSpec::new(DemoTask::Motion, 3)
        };
        write_demo_data(&spec, clips, &probe, |_, _| {}).unwrap();
    } else {
        std::fs::create_dir_all(&probe).unwrap();
        std::fs::write(probe.join("broken.mp4"), b"not a video").unwrap();
    }
    let model = dir.join("model.pt");
    std::fs::write(&model, b"").unwrap();
    let json = serde_json::to_string(&manifest()).unwrap();
    std::fs::write(Manifest::sidecar(&model), json).unwrap();
    let toml = format!(
        "[probe]\nvideos = {:?}\npairs = 12\nseed = 5\n[[model]]\npath = {:?}\n",
        probe.display().to_string(),
        model.display().to_string()
    );
    toml::from_str(&toml).unwrap()
}

pub(super) struct Fixture {
    pub(super) view: PairsView,
    pub(super) state: AppState,
}

/// The view alone, with the two actions it emits applied as the app does.
pub(super) fn harness(project: Project) -> Harness<'static, Fixture> {
    let state = AppState {
        project: Some(project),
        ..AppState::default()
    };
    let fixture = Fixture {
        view: PairsView::default(),
        state,
    };
    Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .build_ui_state(
            |ui, f: &mut Fixture| {
                let mut actions = Vec::new();
                f.view.ui(ui, &f.state, &mut actions);
                for a in actions {
                    match a {
                        Action::ShowPair(id) => f.state.selection.pair = id,
                        Action::SetPlayback { fps, looping } => {
                            f.state.settings.fps = fps;
                            f.state.settings.looping = looping;
                        }
                        _ => {}
                    }
                }
            },
            fixture,
        )
}

/// Steps frames until `done`, for at most a minute (loading runs on the
/// loader's thread).
pub(super) fn step_until<S>(
    h: &mut Harness<'_, S>,
    what: &str,
    done: impl Fn(&Harness<'_, S>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(h) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
        h.step();
    }
}

pub(super) fn loaded(h: &mut Harness<'_, Fixture>, pair: u64) {
    step_until(h, "the pair", |h| {
        let v = &h.state().view;
        !v.loading() && v.shown_pair() == Some(pair)
    });
}

fn frame(h: &Harness<'_, Fixture>) -> usize {
    h.state().view.playback.frame()
}

#[test]
fn keys_move_the_frame() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(project(dir.path(), 4));
    loaded(&mut h, 0);
    assert_eq!(h.state().view.playback.count(), 12, "playback runs over W");
    assert_eq!(frame(&h), 0);
    h.key_press(egui::Key::ArrowRight);
    h.step();
    assert_eq!(frame(&h), 1);
    h.key_press(egui::Key::ArrowRight);
    h.step();
    h.key_press(egui::Key::ArrowLeft);
    h.step();
    assert_eq!(frame(&h), 1);
    h.key_press(egui::Key::End);
    h.step();
    assert_eq!(frame(&h), 11);
    h.key_press(egui::Key::Home);
    h.step();
    assert_eq!(frame(&h), 0);
    h.key_press(egui::Key::Space);
    h.step();
    assert!(h.state().view.playback.is_playing());
    h.key_press(egui::Key::Space);
    h.step();
    assert!(!h.state().view.playback.is_playing());
}

#[test]
fn playing_advances_and_buttons_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(project(dir.path(), 4));
    loaded(&mut h, 0);
    h.get_by_label("Play").click();
    h.run_steps(4);
    assert!(h.state().view.playback.is_playing());
    assert!(frame(&h) > 0, "4 frames of 0.25 s at 8 fps");
    h.get_by_label("Pause").click();
    h.step();
    assert!(!h.state().view.playback.is_playing());
    h.key_press(egui::Key::Home);
    h.step();
    h.get_by_label(">").click();
    h.step();
    assert_eq!(frame(&h), 1);
    // The loop checkbox goes to the persisted settings.
    h.get_by_label("loop").click();
    h.step();
    assert!(!h.state().state.settings.looping);
    assert!(!h.state().view.playback.looping());
}

#[test]
fn next_pair_shows_the_next_pair() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(project(dir.path(), 4));
    loaded(&mut h, 0);
    h.get_by_label("Next pair >").click();
    h.step();
    assert_eq!(h.state().state.selection.pair, 1);
    loaded(&mut h, 1);
    assert!(h.query_by_label_contains("pair 1 · ").is_some());
    h.get_by_label("< Previous pair").click();
    h.step();
    loaded(&mut h, 0);
}

#[test]
fn the_view_shows_what_the_model_sees() {
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), 4);
    let probe = project.probe.clone();
    let mut h = harness(project);
    h.state_mut().state.selection.pair = 2;
    loaded(&mut h, 2);
    let [selected, other] = h.state().view.shown();
    let (selected, other) = (selected.unwrap(), other.unwrap());
    assert_eq!(selected.spec.id, 2);
    assert_ne!(selected.spec.factor, other.spec.factor);
    let source = PairSource::new(&probe, &manifest()).unwrap();
    for shown in [&selected, &other] {
        let built = source.build(shown.spec.id).unwrap();
        assert_eq!(shown.a, Frames::from_clip(&built.a));
        assert_eq!(shown.b, Frames::from_clip(&built.b));
        assert_eq!(shown.original, Frames::from_clip(&built.original));
    }
    let static_pair = if selected.spec.factor == Factor::Static {
        &selected
    } else {
        &other
    };
    let order: Vec<String> = static_pair
        .spec
        .permutation
        .iter()
        .map(usize::to_string)
        .collect();
    let title = format!(
        "static pair: same frames, shuffled (order {})",
        order.join(" ")
    );
    assert!(h.query_by_label_contains(&title).is_some(), "{title}");
    assert!(h.query_by_label_contains("dynamic pair: ").is_some());
}

#[test]
fn a_broken_video_shows_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(project(dir.path(), 0));
    step_until(&mut h, "the error", |h| !h.state().view.loading());
    assert!(h.query_all_by_label_contains("broken.mp4").next().is_some());
    // Reload asks again (and fails again).
    h.get_by_label("Reload").click();
    h.run_steps(2);
    step_until(&mut h, "the error again", |h| !h.state().view.loading());
    assert!(h.query_all_by_label_contains("broken.mp4").next().is_some());
    // Keys on an empty scrubber do nothing.
    h.key_press(egui::Key::ArrowRight);
    h.step();
    assert_eq!(frame(&h), 0);
}

#[test]
fn no_project_no_pairs() {
    let mut h = Harness::new_ui_state(
        |ui, v: &mut PairsView| v.ui(ui, &AppState::default(), &mut Vec::new()),
        PairsView::default(),
    );
    h.step();
    assert!(h.query_by_label_contains("Open a project").is_some());
}

#[test]
fn the_app_browses_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        tab: Tab::Pairs,
        ..Settings::default()
    };
    let mut app = StadynApp::with_settings(settings, None);
    app.state.project = Some(project(dir.path(), 4));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut StadynApp| app.show(ui), app);
    step_until(&mut h, "pair 0", |h| {
        h.query_by_label_contains("pair 0 · ").is_some()
    });
    h.get_by_label("Next pair >").click();
    h.step();
    assert_eq!(h.state().state.selection.pair, 1);
    step_until(&mut h, "pair 1", |h| {
        h.query_by_label_contains("pair 1 · ").is_some()
    });
    h.key_press(egui::Key::ArrowRight);
    h.step();
    h.step();
    // Both pairs' videos follow the scrubber.
    assert_eq!(
        h.query_all_by_label_contains("video: frame 1 of 0–11")
            .count(),
        2
    );
}
