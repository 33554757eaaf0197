//! The stages of a job: input groups run cheapest first, resume mid-stage,
//! and the job's first batch ends as soon as it can show bars.

use super::*;

/// Runs `job` to the end, keeping every event.
fn run_with_events(job: &JobSpec, loader: ModelLoader<'_>) -> (JobOutput, Vec<JobEvent>) {
    let mut events = Vec::new();
    let never = AtomicBool::new(false);
    let out = run_job(job, loader, None, None, &mut |e| events.push(e), &never).unwrap();
    (out, events)
}

fn progress(events: &[JobEvent]) -> impl Iterator<Item = &Progress> {
    events.iter().filter_map(|e| match e {
        JobEvent::Progress(p) => Some(p),
        _ => None,
    })
}

fn partials(events: &[JobEvent]) -> impl Iterator<Item = &Report> {
    events.iter().filter_map(|e| match e {
        JobEvent::Partial(r) => Some(&**r),
        _ => None,
    })
}

#[test]
fn input_groups_run_cheapest_first_and_resume_mid_stage() {
    let d = tempfile::tempdir().unwrap();
    let (slow_path, fast_path) = (d.path().join("slow.pt"), d.path().join("fast.pt"));
    std::fs::write(&slow_path, b"slow").unwrap();
    std::fs::write(&fast_path, b"fast").unwrap();
    let mut job = spec(probe(d.path()), slow_path.clone());
    job.batch = 0;
    job.models[0].name = "slow".into();
    job.models.push(ModelSpec {
        name: "fast".into(),
        path: fast_path,
        ..job.models[0].clone()
    });
    // Listed first, a slow model with another input (4 frames, not 6).
    let loader = |m: &ModelSpec| -> Result<Box<dyn Extractor>, ModelError> {
        Ok(if m.path == slow_path {
            Box::new(Slow(Means(Manifest {
                frames: 4,
                ..manifest()
            })))
        } else {
            Box::new(Means(manifest()))
        })
    };
    let never = AtomicBool::new(false);
    let (whole, events) = run_with_events(&job, &loader);
    let mut stages_seen = Vec::new();
    for p in progress(&events) {
        assert_eq!((p.stages, p.models), (2, 1));
        if stages_seen.last() != Some(&p.stage) {
            stages_seen.push(p.stage);
        }
    }
    assert_eq!(stages_seen, [0, 1], "the stages run one after the other");
    // The fast model's results come before the slow model has run.
    let first = partials(&events).next().expect("a partial report");
    assert!(first.models[0].layers.is_empty(), "slow model ran first");
    assert!(!first.models[1].layers.is_empty());
    let report = whole.report;
    assert!(report.models.iter().all(|m| m.layers.len() == 2));

    // Cancelled in the slow model's stage: the fast one is done, the slow one half.
    let saved = cancel_when(&job, &loader, d.path(), |p| p.stage == 1);
    let (slow, fast) = (saved.models[0].done, saved.models[1].done);
    assert_eq!(fast, saved.total);
    assert!(slow > 0 && slow < saved.total, "{slow} of {}", saved.total);
    assert_eq!(saved.done, slow, "complete when every model is");
    let resumed = run_job(&job, &loader, Some(saved), None, &mut |_| {}, &never).unwrap();
    assert_same(&resumed.report, &report);

    // Each model alone gives what it gives in the staged job.
    for (k, m) in job.models.iter().enumerate() {
        let alone = JobSpec {
            models: vec![m.clone()],
            ..job.clone()
        };
        let r = run_job(&alone, &loader, None, None, &mut |_| {}, &never).unwrap();
        let mut expect = report.clone();
        expect.models = vec![report.models[k].clone()];
        assert_same(&r.report, &expect);
    }
}

#[test]
fn the_first_batch_ends_as_soon_as_it_can_show_bars() {
    let d = tempfile::tempdir().unwrap();
    let mut job = job_in(d.path(), "means.pt");
    job.batch = 16;
    job.save_every = 16;
    let loader = |_: &ModelSpec| -> Result<Box<dyn Extractor>, ModelError> {
        Ok(Box::new(Means(manifest())))
    };
    let never = AtomicBool::new(false);
    let (whole, events) = run_with_events(&job, &loader);
    let dones: Vec<usize> = progress(&events).map(|p| p.done).collect();
    let partials: Vec<usize> = partials(&events)
        .map(|r| {
            let n = r.models[0].layers[0].pairs;
            (n.dynamic + n.static_) as usize
        })
        .collect();
    // The plan's shortest prefix with two pairs of each factor, not 16.
    let source = PairSource::new(&job.probe, &manifest()).unwrap();
    let (mut s, mut dy, mut first) = (0, 0, 0);
    for id in source.ids() {
        match source.spec(id).factor {
            crate::stats::Factor::Static => s += 1,
            crate::stats::Factor::Dynamic => dy += 1,
        }
        if s >= 2 && dy >= 2 {
            first = id as usize + 1;
            break;
        }
    }
    assert!((4..16).contains(&first), "{first}");
    assert_eq!(dones[0], first, "{dones:?}");
    assert_eq!(partials[0], first, "{partials:?}");
    // Then batches end at multiples of 16 again, and so do the saves (each
    // a convergence point): 16, 32, … as a run without the short batch.
    let n = job.probe.pairs;
    let aligned: Vec<usize> = (16..n).step_by(16).chain([n]).collect();
    assert_eq!(dones[1..], aligned[..], "{dones:?}");
    assert_eq!(partials[1..], aligned[..], "{partials:?}");
    let history: Vec<usize> = whole.stats.models[0]
        .history
        .iter()
        .map(|h| h.pairs)
        .collect();
    assert_eq!(history[1..], aligned[..], "{history:?}");
    // The same result as any other batching.
    let mut four = job.clone();
    four.batch = 4;
    four.save_every = 4;
    let other = run_job(&four, &loader, None, None, &mut |_| {}, &never).unwrap();
    let (a, b) = (
        &whole.report.models[0].layers,
        &other.report.models[0].layers,
    );
    for (x, y) in a.iter().zip(b) {
        // The estimates are exact whatever the batches; the bootstrap's
        // sums follow the batches, so its intervals agree to rounding.
        assert_eq!((x.scores, x.dims, x.pct), (y.scores, y.dims, y.pct));
        assert_eq!(x.units.rho_static, y.units.rho_static);
        let (cx, cy) = (x.ci95.as_ref().unwrap(), y.ci95.as_ref().unwrap());
        for (p, q) in cx.scores.iter().flatten().zip(cy.scores.iter().flatten()) {
            assert!((p - q).abs() <= 1e-12 * p.abs().max(1.0), "{p} {q}");
        }
    }
}
