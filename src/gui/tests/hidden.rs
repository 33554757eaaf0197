//! The app while its window is hidden (minimized, on another workspace):
//! eframe then calls only `App::logic` (on each repaint request), never
//! `App::ui`. The worker's replies are applied there, so a project opens and
//! a job runs to its end, with its results shown, without a painted frame.

use std::time::{Duration, Instant};

use crate::gui::StadynApp;
use crate::gui::action::Action;
use crate::gui::state::JobStatus;
use crate::worker::job::tests::{demo_model, demo_probe, project};

/// Calls `App::logic` whenever a repaint was requested, as eframe does for
/// a hidden window, until `done` holds; panics after 60 s.
fn hidden(
    ctx: &egui::Context,
    app: &mut StadynApp,
    frame: &mut eframe::Frame,
    what: &str,
    done: impl Fn(&StadynApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(app) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what} with the window hidden; job: {:?}",
            app.state.job
        );
        if ctx.has_requested_repaint() {
            let _ = ctx.run_logic(&egui::RawInput::default(), |ctx| {
                eframe::App::logic(app, ctx, frame);
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_project_opens_and_a_job_ends_while_the_window_is_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 6);
    let file = dir.path().join("p.stadyn.toml");
    let text = toml::to_string(&project(&demo_model(), &probe, 24)).unwrap();
    std::fs::write(&file, text).unwrap();
    let ctx = egui::Context::default();
    let cc = eframe::CreationContext::_new_kittest(ctx.clone());
    let mut frame = eframe::Frame::_new_kittest();
    let mut app = StadynApp::new(&cc, Some(file));
    app.set_use_cache(false);

    hidden(&ctx, &mut app, &mut frame, "the project", |a| {
        a.state.project_info.is_some()
    });
    app.apply(Action::Run);
    hidden(&ctx, &mut app, &mut frame, "the job's end", |a| {
        matches!(a.state.job, JobStatus::Done { .. } | JobStatus::Failed(_))
    });
    let s = &app.state;
    if cfg!(feature = "torch") {
        assert_eq!(s.job, JobStatus::Done { cached: false }, "{:?}", s.messages);
        let report = s.report.as_deref().unwrap();
        assert_eq!(report.models.len(), 1);
        assert_eq!(report.partial, None, "the final report");
    } else {
        assert!(matches!(s.job, JobStatus::Failed(_)), "{:?}", s.job);
    }
}
