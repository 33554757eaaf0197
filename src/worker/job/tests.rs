//! The worker without a window: opening projects and reports, failing and
//! cancelled jobs. Helpers here are shared with the GUI tests.

use super::{Event, JobWorker, Reply};
use crate::analysis::{Project, Started};
use crate::report::{Report, ReportSettings};
use crate::stats::BootstrapConfig;
use crate::video::demo::{DemoSpec, DemoTask, write_demo_data};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The committed demo model the job tests run.
pub(crate) fn demo_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/models/cnn3d-motion/epoch_10.00.pt")
}

/// Writes `n` small motion clips into `dir/probe`.
pub(crate) fn demo_probe(dir: &Path, n: usize) -> PathBuf {
    let probe = dir.join("probe");
    let spec = DemoSpec {
        frames: 16,
        width: 48,
        height: 48,
        ..DemoSpec::new(DemoTask::Motion, 3)
    };
    write_demo_data(&spec, n, &probe, |_, _| {}).unwrap();
    probe
}

/// A project of `model` on `probe` with `pairs` pairs, batches of 8, no bootstrap.
pub(crate) fn project(model: &Path, probe: &Path, pairs: usize) -> Project {
    let text = format!(
        "name = \"test\"\n[probe]\nvideos = {:?}\npairs = {pairs}\n\
         [estimator]\nbootstrap = 0\n[run]\ndevice = \"cpu\"\nbatch = 8\n\
         [[model]]\npath = {:?}\n",
        probe.display().to_string(),
        model.display().to_string(),
    );
    toml::from_str(&text).unwrap()
}

fn worker() -> (JobWorker, Arc<AtomicUsize>) {
    let wakes = Arc::new(AtomicUsize::new(0));
    let w = Arc::clone(&wakes);
    let mut worker = JobWorker::new(Arc::new(move || {
        w.fetch_add(1, Ordering::Relaxed);
    }));
    worker.set_use_cache(false);
    (worker, wakes)
}

/// Replies to `id` until one that ends the request (or 60 s pass).
fn until_done(w: &JobWorker, id: u64) -> Vec<Event> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut events = Vec::new();
    while Instant::now() < deadline {
        let Some(Reply { id: got, event }) = w.recv_timeout(Duration::from_millis(100)) else {
            continue;
        };
        if let Event::Devices(_) = event {
            continue; // said once at start
        }
        assert_eq!(got, id, "a reply to another request: {event:?}");
        let end = matches!(
            event,
            Event::ProjectLoaded(_)
                | Event::ReportLoaded { .. }
                | Event::OpenFailed { .. }
                | Event::Finished(_)
        );
        events.push(event);
        if end {
            return events;
        }
    }
    panic!("no end after 60 s: {events:?}");
}

fn finished(events: &[Event]) -> &Result<super::JobResult, String> {
    match events.last() {
        Some(Event::Finished(r)) => r,
        other => panic!("not finished: {other:?}"),
    }
}

#[test]
fn a_missing_probe_folder_is_reported_with_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.stadyn.toml");
    let model = demo_model();
    std::fs::write(
        &file,
        format!(
            "[probe]\nvideos = \"nowhere\"\n[[model]]\npath = {:?}\n",
            model.display().to_string()
        ),
    )
    .unwrap();
    let (mut w, wakes) = worker();
    let id = w.open_project(file.clone());
    let events = until_done(&w, id);
    let Some(Event::ProjectLoaded(p)) = events.last() else {
        panic!("{events:?}");
    };
    assert_eq!(p.path.as_deref(), Some(file.as_path()));
    let err = p.info.probe.as_ref().unwrap_err();
    assert!(
        err.contains("nowhere") && err.contains("does not exist"),
        "{err}"
    );
    assert_eq!(p.info.models.len(), 1);
    assert!(p.cached.is_none());
    assert!(wakes.load(Ordering::Relaxed) >= 1, "the waker was called");
}

#[test]
fn an_unreadable_project_fails_to_open_and_the_worker_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.stadyn.toml");
    std::fs::write(&bad, "this is = not [a project").unwrap();
    let (mut w, _) = worker();
    let id = w.open_project(bad.clone());
    let events = until_done(&w, id);
    let Some(Event::OpenFailed { path, error }) = events.last() else {
        panic!("{events:?}");
    };
    assert_eq!(path, &bad);
    assert!(error.contains("is not valid"), "{error}");
    let id = w.open_project(dir.path().join("missing.stadyn.toml"));
    assert!(matches!(
        until_done(&w, id).last(),
        Some(Event::OpenFailed { .. })
    ));
}

#[test]
fn cancelling_an_unknown_job_is_harmless() {
    let (mut w, _) = worker();
    w.cancel(12345);
    let id = w.open_report(PathBuf::from("/nonexistent/report.json"));
    w.cancel(id);
    assert!(matches!(
        until_done(&w, id).last(),
        Some(Event::OpenFailed { .. })
    ));
}

#[test]
fn a_report_file_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let mut report = Report::new(ReportSettings {
        command: "analyze".into(),
        input: "probe".into(),
        threshold: 0.5,
        bootstrap: BootstrapConfig {
            replicates: 0,
            seed: 0,
        },
    });
    report.warnings.push(crate::report::Warning {
        path: "a.mp4".into(),
        reason: "skipped".into(),
    });
    crate::report::write_report(&path, &report).unwrap();
    let (mut w, _) = worker();
    let id = w.open_report(path.clone());
    let events = until_done(&w, id);
    let Some(Event::ReportLoaded {
        path: got,
        report: r,
        stats_follow,
        sweep,
    }) = events.last()
    else {
        panic!("{events:?}");
    };
    assert_eq!(got, &path);
    assert!(sweep.is_none(), "no sweep.csv beside it");
    assert_eq!(**r, report);
    assert!(!stats_follow, "no stats.bin beside it");

    // A results folder: the statistics of the same job follow the report;
    // those of another job are refused with the reason.
    let boot = BootstrapConfig {
        replicates: 4,
        seed: 1,
    };
    let layer = crate::testing::accumulator("l", 2, 10, boot);
    let model = crate::testing::model_stats("m", None, vec![layer], 0);
    crate::testing::stats_file(vec![model], 10, boot)
        .save(&dir.path().join("stats.bin"))
        .unwrap();
    for (key, found) in [("other", false), ("k", true)] {
        report.job_key = Some(key.into());
        crate::report::write_report(&path, &report).unwrap();
        let id = w.open_report(path.clone());
        let events = until_done(&w, id);
        let Some(Event::ReportLoaded { stats_follow, .. }) = events.last() else {
            panic!("{events:?}");
        };
        assert!(stats_follow);
        let Some(Reply {
            id: got,
            event: Event::StatsLoaded(stats),
        }) = w.recv_timeout(Duration::from_secs(60))
        else {
            panic!("no statistics after the report");
        };
        assert_eq!(got, id);
        match stats {
            Ok(s) => assert!(found, "job key {key}: {}", s.job_key),
            Err(e) => assert!(!found && e.contains("another job"), "job key {key}: {e}"),
        }
    }

    std::fs::write(&path, "{\"schema\": \"other\"}").unwrap();
    let id = w.open_report(path);
    let events = until_done(&w, id);
    let Some(Event::OpenFailed { error, .. }) = events.last() else {
        panic!("{events:?}");
    };
    assert!(error.contains("schema"), "{error}");
}

#[test]
fn a_run_without_a_probe_folder_fails_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (mut w, _) = worker();
    let id = w.run(project(&demo_model(), &dir.path().join("gone"), 10));
    let events = until_done(&w, id);
    let err = finished(&events).as_ref().unwrap_err();
    assert!(
        err.contains("gone") && err.contains("does not exist"),
        "{err}"
    );
}

#[test]
fn a_run_with_a_missing_model_fails_and_the_worker_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 4);
    let (mut w, _) = worker();
    let missing = dir.path().join("no-such-model.pt");
    let id = w.run(project(&missing, &probe, 10));
    let events = until_done(&w, id);
    let err = finished(&events).as_ref().unwrap_err();
    assert!(err.contains("no-such-model.pt"), "{err}");
    // Still answering.
    let id = w.open_report(dir.path().join("none.json"));
    assert!(matches!(
        until_done(&w, id).last(),
        Some(Event::OpenFailed { .. })
    ));
}

#[cfg(not(feature = "torch"))]
#[test]
fn without_libtorch_a_run_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 4);
    let (mut w, _) = worker();
    let id = w.run(project(&demo_model(), &probe, 10));
    let events = until_done(&w, id);
    let err = finished(&events).as_ref().unwrap_err();
    assert!(err.contains("feature `torch`"), "{err}");
}

#[cfg(feature = "torch")]
#[test]
fn a_run_reports_progress_partials_and_the_final_report() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 6);
    let (mut w, _) = worker();
    let id = w.run(project(&demo_model(), &probe, 48));
    let events = until_done(&w, id);
    let result = finished(&events).as_ref().unwrap();
    assert_eq!(result.cache, crate::analysis::CacheUse::Fresh);
    assert_eq!(result.report.models.len(), 1);
    assert_eq!(result.report.models[0].layers.len(), 3);
    assert!(
        matches!(events[0], Event::Started(Started { total: 48, .. })),
        "{events:?}"
    );
    assert!(events.iter().any(|e| matches!(e, Event::Progress(_))));
    assert!(events.iter().any(|e| matches!(e, Event::Partial(_))));
}

#[cfg(feature = "torch")]
#[test]
fn cancel_stops_a_running_job() {
    let dir = tempfile::tempdir().unwrap();
    let probe = demo_probe(dir.path(), 6);
    let (mut w, _) = worker();
    let id = w.run(project(&demo_model(), &probe, 100_000));
    // Wait until it computes, then cancel.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "no progress");
        if let Some(r) = w.recv_timeout(Duration::from_millis(100))
            && matches!(r.event, Event::Progress(_))
        {
            break;
        }
    }
    let asked = Instant::now();
    w.cancel(id);
    let events = until_done(&w, id);
    assert!(asked.elapsed() < Duration::from_secs(10));
    let err = finished(&events).as_ref().unwrap_err();
    assert!(err.contains("cancelled"), "{err}");
}

#[test]
fn superseded_events_leave_room_for_the_ones_that_must_arrive() {
    use super::Outbox;
    let (tx, rx) = crossbeam_channel::bounded(8);
    let out = Outbox {
        tx,
        waker: Arc::new(|| {}),
    };
    // A UI that does not drain (a hidden window): progress piles up.
    for done in 0..100 {
        let p = crate::analysis::Progress {
            done,
            ..Default::default()
        };
        out.offer(1, Event::Progress(p));
    }
    // The job's end still goes in without waiting for the UI.
    let (sent_tx, sent) = crossbeam_channel::bounded(1);
    let job = out.clone();
    std::thread::Builder::new()
        .name("test-job".into())
        .spawn(move || {
            job.send(1, Event::Note("a warning".into()));
            job.send(1, Event::Finished(Err("cancelled".into())));
            let _ = sent_tx.send(());
        })
        .unwrap();
    assert!(
        sent.recv_timeout(Duration::from_secs(10)).is_ok(),
        "the job thread blocked on a queue full of progress"
    );
    let events: Vec<Event> = rx.try_iter().map(|r| r.event).collect();
    assert!(events.len() <= 6, "{} events queued", events.len());
    assert!(matches!(events.last(), Some(Event::Finished(Err(_)))));
}

#[test]
fn the_last_event_waits_for_room_rather_than_being_lost() {
    use super::Outbox;
    let (tx, rx) = crossbeam_channel::bounded(4);
    let out = Outbox {
        tx,
        waker: Arc::new(|| {}),
    };
    let job = out.clone();
    let handle = std::thread::Builder::new()
        .name("test-job".into())
        .spawn(move || {
            for i in 0..10 {
                job.send(1, Event::Note(format!("note {i}")));
            }
            job.send(1, Event::Finished(Err("failed".into())));
        })
        .unwrap();
    let mut events = Vec::new();
    while let Ok(r) = rx.recv_timeout(Duration::from_secs(10)) {
        let end = matches!(r.event, Event::Finished(_));
        events.push(r.event);
        if end {
            break;
        }
    }
    handle.join().unwrap();
    assert_eq!(events.len(), 11, "every note and the end: {events:?}");
}

#[test]
fn the_worker_lists_the_devices_when_it_starts() {
    let (w, _) = worker();
    let reply = w.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(reply.id, 0);
    let Event::Devices(devices) = reply.event else {
        panic!("{:?}", reply.event);
    };
    assert_eq!(devices, super::devices());
    assert_eq!(devices[0], "cpu");
    assert!(
        devices[1..].iter().all(|d| d.starts_with("cuda:")),
        "{devices:?}"
    );
}
