//! The project panel with a real worker: τ, a failing job, a project whose
//! probe folder is missing, and (with libtorch) Cancel on a running job.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

use crate::gui::StadynApp;
use crate::gui::action::Action;
use crate::gui::state::{JobStatus, Settings};
use crate::gui::views::project::{DEVICE_LABEL, TAU_LABEL};
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
    assert!(run_disabled(&h));
    assert!(shows(&h, "Cannot run: probe folder"));
}

fn run_disabled(h: &Harness<'_, StadynApp>) -> bool {
    h.get_by_label("Run").accesskit_node().is_disabled()
}

#[test]
fn run_is_disabled_with_its_reason_without_a_probe_folder() {
    let mut app = app();
    // A new, untitled project: a model and no probe folder yet.
    app.apply(Action::AddModel(demo_model()));
    let mut h = harness(app);
    step_until(&mut h, 30, |a| a.state.project_info.is_some());
    h.run();
    assert!(run_disabled(&h), "Run is disabled");
    assert!(
        shows(&h, "Cannot run: no probe folder"),
        "the reason beside it"
    );
    let count =
        |h: &Harness<'_, StadynApp>| h.query_all_by_label_contains("no probe folder yet").count();
    let before = count(&h);
    h.get_by_label("Run").hover();
    h.run();
    assert_eq!(count(&h), before + 1, "and as hover text");
    h.get_by_label("Run").click();
    h.run();
    assert_eq!(h.state().state.job, JobStatus::Idle, "nothing started");
}

#[test]
fn run_is_disabled_with_its_reason_without_models() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 2);
    let mut app = app();
    app.apply(Action::SetProbe(probe));
    let mut h = harness(app);
    step_until(&mut h, 30, |a| a.state.project_info.is_some());
    h.run();
    assert!(run_disabled(&h));
    assert!(shows(&h, "Cannot run: the project has no models"));
    // A model added: Run is enabled.
    h.state_mut().apply(Action::AddModel(demo_model()));
    step_until(&mut h, 30, |a| {
        a.state
            .project_info
            .as_ref()
            .is_some_and(|i| i.problems.is_empty())
    });
    h.run();
    assert!(!run_disabled(&h));
    assert!(!shows(&h, "Cannot run"));
}

#[test]
fn the_device_selector_lists_the_workers_devices_and_sets_the_device() {
    let mut app = app();
    app.apply(Action::AddModel(demo_model()));
    let mut h = harness(app);
    step_until(&mut h, 30, |a| {
        a.state.project_info.is_some() && !a.state.devices.is_empty()
    });
    assert_eq!(h.state().state.devices, crate::worker::job::devices());
    // As if the worker had found two CUDA devices.
    let two = ["cpu", "cuda:0", "cuda:1"].map(String::from).to_vec();
    h.state_mut().state.devices = two;
    h.run();
    h.get_by_label(DEVICE_LABEL).click();
    h.run();
    for d in ["auto", "cpu", "cuda:0", "cuda:1"] {
        assert!(h.query_all_by_label(d).next().is_some(), "{d} is offered");
    }
    h.get_by_label("cuda:1").click();
    h.run();
    let project = h.state().state.project.clone().unwrap();
    assert_eq!(project.run.device, "cuda:1", "a run uses it");
    // On a machine without that device, Run says why it cannot start.
    h.state_mut().state.devices = vec!["cpu".into()];
    h.run();
    assert!(run_disabled(&h));
    assert!(shows(&h, "device 'cuda:1' is not on this machine"));
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
    // The panel's status lines settle after the first batches (the rate
    // and time left appear): click once they have, as a user would.
    step_until(
        &mut h,
        60,
        |a| matches!(a.state.job, JobStatus::Running { progress, .. } if progress.done >= 24),
    );
    h.step();
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

#[test]
fn an_edited_project_saves_and_reopens_as_the_same_job() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 2);
    let file = dir.path().join("mine.stadyn.toml");
    let mut app = app();
    let to = file.clone();
    app.set_save_picker(Box::new(move |stem, ext, _| {
        assert_eq!((stem, ext), ("untitled.stadyn", "toml"));
        Ok(Some(to.clone()))
    }));
    app.apply(Action::SetProbe(probe));
    app.apply(Action::AddModel(demo_model()));
    app.apply(Action::SetPairs(60));
    app.apply(Action::SetTau(0.4));
    let mut h = harness(app);
    step_until(&mut h, 30, |a| a.state.project_info.is_some());
    // Advanced: bootstrap and batch, then Save as…
    h.get_by_label("Advanced").scroll_to_me();
    h.run();
    h.get_by_label("Advanced").click();
    h.run();
    for (label, value) in [("Bootstrap", 25.0), ("Batch", 4.0)] {
        h.get_by_label(label).scroll_to_me();
        h.run();
        h.get_by_label(label).set_value_accesskit(value);
        h.run();
    }
    h.get_by_label("Save as…").click();
    h.run();
    assert!(shows(&h, "Saved"), "{:?}", h.state().state.messages);
    let edited = h.state().state.project.clone().unwrap();
    assert_eq!(
        (
            edited.probe.pairs,
            edited.estimator.bootstrap,
            edited.run.batch
        ),
        (60, 25, 4)
    );
    assert_eq!(
        h.state().state.project_path.as_deref(),
        Some(file.as_path())
    );
    let back = crate::analysis::Project::load(&file).unwrap();
    let mut expect = edited.clone();
    expect.estimator.threshold = 0.4; // τ is saved
    assert_eq!(back, expect);
    let key = |p: &crate::analysis::Project| {
        crate::analysis::JobSpec::from_project(p)
            .unwrap()
            .identity()
            .unwrap()
            .0
    };
    assert_eq!(key(&back), key(&edited), "reopened: the same cache entry");
    // Save again writes the same file without asking.
    h.state_mut().apply(Action::SetSeed(7));
    h.get_by_label("Save").click();
    h.run();
    assert_eq!(crate::analysis::Project::load(&file).unwrap().probe.seed, 7);
}

#[test]
fn adding_a_model_to_an_opened_report_keeps_its_models_or_says_why() {
    use super::layers::fixture;
    // A report of `analyze` with its files: it becomes a project.
    let mut report = fixture::report();
    report.settings.command = "analyze".into();
    report.probe_root = Some("/data/probe".into());
    for (k, m) in report.models.iter_mut().enumerate() {
        m.path = Some(if m.name == "cnn3d" {
            format!("/ck/cnn3d/epoch_{k}.pt")
        } else {
            "/models/c2d.pt".into()
        });
    }
    let mut app = fixture::app(crate::gui::action::Tab::Layers);
    app.state.set_report(std::sync::Arc::new(report), false);
    app.state.report_path = Some("/results/report.json".into());
    app.set_use_cache(false);
    app.apply(Action::AddModel(demo_model()));
    let p = app.state.project.as_ref().unwrap();
    let names: Vec<_> = p
        .models
        .iter()
        .map(|m| m.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names[..2], ["cnn3d", "c2d"], "{names:?}");
    assert_eq!(p.models.len(), 3, "the report's two and the one added");
    assert_eq!(p.probe.videos, std::path::PathBuf::from("/data/probe"));
    // A report of `estimate`: why not, and a new project.
    let mut app = fixture::app(crate::gui::action::Tab::Layers);
    app.state.report_path = Some("/results/report.json".into());
    app.apply(Action::AddModel(demo_model()));
    assert_eq!(app.state.project.as_ref().unwrap().models.len(), 1);
    assert!(
        app.state
            .messages
            .iter()
            .any(|m| m.text.contains("cannot be kept")),
        "{:?}",
        app.state.messages
    );
}

#[test]
fn frames_t_unset_shows_what_the_models_ask_for() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 3);
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/two_pathway.pt");
    let file = dir.path().join("p.stadyn.toml");
    project(&model, &probe, 10).save(&file).unwrap();
    let mut app = StadynApp::with_settings(Settings::default(), Some(file));
    app.set_use_cache(false);
    let mut h = harness(app);
    step_until(&mut h, 30, |a| a.state.project_info.is_some());
    h.run();
    let info = h.state().state.project_info.clone().unwrap();
    assert_eq!(info.model_frames, [vec![4, 8]], "slow and fast pathways");
    assert!(shows(&h, "4/8"), "what the manifest asks, not a default");
    // Pathways take their own frames: T cannot be set for them.
    assert!(info.pathways);
    h.get_by_label("set").click();
    h.run();
    assert_eq!(h.state().state.project.as_ref().unwrap().probe.frames, None);

    // Setting T starts from the first model's (4 for the two-stream
    // fixture, not a default 8).
    let file = dir.path().join("q.stadyn.toml");
    let two_stream = model.with_file_name("two_stream.pt");
    project(&two_stream, &probe, 10).save(&file).unwrap();
    let mut h = harness(StadynApp::with_settings(Settings::default(), Some(file)));
    step_until(&mut h, 30, |a| a.state.project_info.is_some());
    h.run();
    let info = h.state().state.project_info.clone().unwrap();
    assert_eq!((info.model_frames, info.pathways), (vec![vec![4]], false));
    h.get_by_label("set").click();
    h.run();
    assert_eq!(
        h.state().state.project.as_ref().unwrap().probe.frames,
        Some(4)
    );
}
