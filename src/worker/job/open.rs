//! Opening a project on the worker: parse it, prepare the probe set, expand
//! the models, find the probe videos and look for cached results. Problems
//! short of an unreadable file are reported with the project, so the user
//! can fix them in the panel (pick another probe folder, add a model).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::{CachedStats, JobSpec, ModelSpec, Project, cached_report, expand_models};
use crate::report::Report;
use crate::video::{Layout, ProbeSet};

/// A project as opened: what the panel shows about it.
#[derive(Debug)]
pub struct LoadedProject {
    /// The project file (none for a project edited in memory only).
    pub path: Option<PathBuf>,
    /// The parsed project (paths absolute).
    pub project: Project,
    /// What was found about it.
    pub info: ProjectInfo,
    /// The report of the statistics of exactly this job in the cache.
    pub cached: Option<Cached>,
    /// The cached statistics of a finished job, read or to be read: the
    /// worker sends them after the project ([`super::Event::StatsLoaded`]).
    pub(super) stats: Option<CachedStats>,
}

/// Results of the project's job found in the cache.
#[derive(Clone, Debug)]
pub struct Cached {
    /// Their report.
    pub report: Arc<Report>,
    /// Whether the run finished (else a run resumes it).
    pub complete: bool,
    /// Whether its statistics follow in a [`super::Event::StatsLoaded`]
    /// (a finished job's: its channels can be inspected without running
    /// again).
    pub stats_follow: bool,
}

/// What opening a project found out.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectInfo {
    /// The model files to run, checkpoints expanded and ordered by epoch.
    pub models: Vec<ModelSpec>,
    /// The probe set, or why it cannot be used.
    pub probe: Result<ProbeInfo, String>,
    /// Other problems that would make a run fail (a checkpoint folder
    /// without checkpoints, a model file that is not there).
    pub problems: Vec<String>,
    /// What preparing the probe set did (e.g. generated the demo clips).
    pub prepared: Option<String>,
    /// The frames T the models' manifests ask for, each distinct one once,
    /// in model order: one number per input that takes frames of its own
    /// (`[4, 8]` for a slow and a fast pathway, `[8]` for a two-stream model).
    pub model_frames: Vec<Vec<usize>>,
    /// Whether a model takes pathways (each its own frames: a job that
    /// sets T is refused).
    pub pathways: bool,
}

/// The probe videos found.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeInfo {
    /// The layout (detected unless the project names one).
    pub layout: Layout,
    /// Number of videos.
    pub videos: usize,
    /// Entries skipped while listing them.
    pub skipped: usize,
}

/// Reads a project file and inspects it; `Err` when it cannot be read or parsed.
pub(super) fn open_project(path: &Path) -> Result<LoadedProject, String> {
    let project = Project::load(path).map_err(|e| format!("{e:#}"))?;
    Ok(inspect(project, Some(path.to_path_buf())))
}

/// Inspects a project (see the module doc).
pub(super) fn inspect(project: Project, path: Option<PathBuf>) -> LoadedProject {
    let mut problems = Vec::new();
    let prepared = project.probe.prepare().unwrap_or_else(|e| {
        problems.push(format!("{e:#}"));
        None
    });
    let mut models = Vec::new();
    for entry in &project.models {
        match expand_models(std::slice::from_ref(entry)) {
            Ok(specs) => models.extend(specs),
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    for m in &models {
        if !m.path.is_file() {
            problems.push(format!(
                "model '{}': file '{}' does not exist",
                m.name,
                m.path.display()
            ));
        }
    }
    if project.models.is_empty() {
        problems.push("the project has no models: add a model or checkpoints".into());
    }
    let mut model_frames: Vec<Vec<usize>> = Vec::new();
    let mut pathways = false;
    for m in models.iter().filter(|m| m.path.is_file()) {
        // A manifest that cannot be read is said when the job runs.
        let Ok((manifest, _)) = crate::model::Manifest::for_model(&m.path) else {
            continue;
        };
        let mut frames: Vec<usize> = Vec::new();
        for input in manifest.inputs() {
            pathways |= input.kind == crate::model::InputKind::Pathway;
            if !frames.contains(&input.frames) {
                frames.push(input.frames);
            }
        }
        if !model_frames.contains(&frames) {
            model_frames.push(frames);
        }
    }
    crate::launch::phase("open: project read");
    let probe = probe_info(&project);
    crate::launch::phase("open: probe set listed");
    let found = if problems.is_empty() && probe.is_ok() {
        JobSpec::from_project(&project)
            .and_then(|spec| cached_report(&spec))
            .unwrap_or_else(|e| {
                log::debug!("no cached results: {e:#}");
                None
            })
    } else {
        None
    };
    let mut stats = None;
    let cached = found.map(|c| {
        let complete = c.complete() && c.usable;
        stats = complete.then_some(c.stats);
        Cached {
            complete,
            stats_follow: stats.is_some(),
            report: Arc::new(c.report),
        }
    });
    LoadedProject {
        path,
        project,
        info: ProjectInfo {
            models,
            probe,
            problems,
            prepared,
            model_frames,
            pathways,
        },
        cached,
        stats,
    }
}

fn probe_info(project: &Project) -> Result<ProbeInfo, String> {
    let root = &project.probe.videos;
    let layout = project.probe.layout;
    if root.as_os_str().is_empty() {
        return Err("no probe folder yet: choose one (Probe folder…)".into());
    }
    if !root.exists() {
        return Err(format!("probe folder '{}' does not exist", root.display()));
    }
    let set = ProbeSet::discover(root, layout)
        .map_err(|e| format!("probe set '{}': {e}", root.display()))?;
    Ok(ProbeInfo {
        layout: set.layout,
        videos: set.len(),
        skipped: set.warnings.len(),
    })
}
