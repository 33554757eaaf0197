//! The project panel with a real worker: τ, a failing job, a project whose
//! probe folder is missing, and (with libtorch) Cancel on a running job.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use crate::gui::StadynApp;
use crate::gui::state::{JobStatus, Settings};
use crate::gui::views::project::TAU_LABEL;
use crate::worker::job::tests::{demo_model, demo_probe, project};

fn harness(app: StadynApp) -> Harness<'static, StadynApp> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut StadynApp| app.show(ui), app)
}

fn app() -> StadynApp {
    let mut app = StadynApp::with_settings(Settings::default(), None);
    app.set_use_cache(false);
    app
}

/// Steps frames (sleeping a little between them, as a window would idle)
/// until `done` holds; panics after `secs`. Returns the longest frame.
fn step_until(
    h: &mut Harness<'_, StadynApp>,
    secs: u64,
    done: impl Fn(&StadynApp) -> bool,
) -> Duration {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut longest = Duration::ZERO;
    while !done(h.state()) {
        assert!(
            Instant::now() < deadline,
            "timed out; job: {:?}",
            h.state().state.job
        );
        let t = Instant::now();
        h.step();
        longest = longest.max(t.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    longest
}

fn tau_slider<'h>(h: &'h Harness<'_, StadynApp>) -> egui_kittest::Node<'h> {
    h.get_by_role_and_label(egui::accesskit::Role::Slider, TAU_LABEL)
}

fn shows(h: &Harness<'_, StadynApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn the_tau_slider_sets_tau() {
    let mut h = harness(app());
    tau_slider(&h).set_value_accesskit(0.8);
    h.run();
    assert!((h.state().state.settings.tau - 0.8).abs() < 1e-9);
}

#[test]
fn a_failing_job_shows_its_error_and_the_app_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 3);
    let mut app = app();
    app.state.project = Some(project(&dir.path().join("no-such-model.pt"), &probe, 20));
    let mut h = harness(app);
    h.get_by_label("Run").click();
    step_until(&mut h, 60, |a| matches!(a.state.job, JobStatus::Failed(_)));
    h.step();
    assert!(shows(&h, "no-such-model.pt"), "the error is shown");
    assert!(shows(&h, "Failed:"));
    // Still drawing and answering: another tab, then Run is enabled again.
    h.query_all_by_label("Training").next().unwrap().click();
    h.step();
    h.get_by_label("Run").click();
    h.step();
    assert!(matches!(
        h.state().state.job,
        JobStatus::Running { .. } | JobStatus::Failed(_)
    ));
}

#[test]
fn a_project_without_its_probe_folder_opens_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.stadyn.toml");
    std::fs::write(
        &file,
        format!(
            "name = \"lost probe\"\n[probe]\nvideos = \"nowhere\"\n[[model]]\npath = {:?}\n",
            demo_model().display().to_string()
        ),
    )
    .unwrap();
    let mut app = StadynApp::with_settings(Settings::default(), Some(file.clone()));
    app.set_use_cache(false);
    let mut h = harness(app);
    step_until(&mut h, 30, |a| a.state.project.is_some());
    h.step();
    assert!(shows(&h, "does not exist"));
    assert!(shows(&h, "lost probe"));
    assert_eq!(
        h.state().state.settings.last_path.as_deref(),
        Some(file.as_path())
    );
    assert!(
        matches!(h.state().state.job, JobStatus::Idle),
        "not run by itself"
    );
}

#[cfg(feature = "torch")]
#[test]
fn cancel_stops_a_running_job_and_the_ui_keeps_responding() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 6);
    let mut app = app();
    app.state.project = Some(project(&demo_model(), &probe, 100_000));
    let mut h = harness(app);
    h.get_by_label("Run").click();
    let computing = |a: &StadynApp| matches!(a.state.job, JobStatus::Running { progress, .. } if progress.done > 0);
    let longest = step_until(&mut h, 60, computing);
    assert!(
        longest < Duration::from_millis(500),
        "a frame took {longest:?}"
    );
    h.get_by_label("Cancel").click();
    let asked = Instant::now();
    let longest = step_until(&mut h, 20, |a| matches!(a.state.job, JobStatus::Idle));
    assert!(asked.elapsed() < Duration::from_secs(10));
    assert!(
        longest < Duration::from_millis(500),
        "a frame took {longest:?}"
    );
    assert!(
        shows(&h, "cancelled after"),
        "the panel says it was cancelled"
    );
    // The panel still answers: τ moves.
    tau_slider(&h).set_value_accesskit(0.3);
    h.step();
    assert!((h.state().state.settings.tau - 0.3).abs() < 1e-9);
}
