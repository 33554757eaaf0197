//! Editing an opened report (Add model…, a probe folder): the report turns
//! into a project that keeps its models and probe set, so that nothing it
//! showed is silently dropped; when it cannot (a report of `stadyn
//! estimate`, models of unknown files), the user is told why and a new
//! project starts.

use std::path::{Path, PathBuf};

use crate::analysis::{ModelEntry, ProbeSpec, Project};
use crate::report::Report;

/// A project with `report`'s models and probe set (its pairs, seed, τ and
/// bootstrap; styles, frames and window at their defaults), or why not.
pub(super) fn project_from_report(report: &Report, name: &str) -> Result<Project, String> {
    let st = &report.settings;
    if st.command != "analyze" {
        return Err("it was made from an activations file, not by running models".into());
    }
    let root = report
        .probe_root
        .as_deref()
        .ok_or("it does not say which probe set it used (an older report)")?;
    let mut models: Vec<ModelEntry> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for m in &report.models {
        if !names.contains(&m.name.as_str()) {
            names.push(&m.name);
        }
    }
    for name in names {
        let entries: Vec<_> = report.models.iter().filter(|m| m.name == name).collect();
        let paths: Vec<PathBuf> = entries
            .iter()
            .map(|m| m.path.as_deref().map(PathBuf::from))
            .collect::<Option<_>>()
            .ok_or_else(|| format!("it does not name the file of model '{name}'"))?;
        let entry = if entries.len() == 1 && entries[0].checkpoint.is_none() {
            ModelEntry {
                name: Some(name.to_string()),
                path: paths.into_iter().next(),
                checkpoints: None,
                layers: Vec::new(),
            }
        } else {
            let folder = paths[0].parent().map(Path::to_path_buf).unwrap_or_default();
            if paths.iter().any(|p| p.parent() != Some(folder.as_path())) {
                return Err(format!(
                    "the checkpoints of '{name}' lie in several folders"
                ));
            }
            ModelEntry {
                name: Some(name.to_string()),
                path: None,
                checkpoints: Some(folder.display().to_string()),
                layers: Vec::new(),
            }
        };
        models.push(entry);
    }
    let mut probe = ProbeSpec::new(root);
    probe.seed = st.bootstrap.seed;
    probe.pairs = report
        .partial
        .map(|p| p.pairs_planned)
        .or_else(|| report.models.iter().filter_map(|m| m.pairs_done).max())
        .unwrap_or(probe.pairs);
    let mut project = Project {
        name: Some(name.to_string()),
        probe,
        estimator: Default::default(),
        run: Default::default(),
        models,
    };
    project.estimator.threshold = st.threshold;
    project.estimator.bootstrap = st.bootstrap.replicates;
    project.estimator.channel_bootstrap = project
        .estimator
        .channel_bootstrap
        .min(st.bootstrap.replicates);
    Ok(project)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::testing::{model, report};

    fn analyzed() -> Report {
        let mut r = report(
            vec![
                model("m", Some(0.0), Vec::new()),
                model("m", Some(1.0), Vec::new()),
                model("n", None, Vec::new()),
            ],
            40,
        );
        r.settings.command = "analyze".into();
        r.probe_root = Some("/data/probe".into());
        for (k, p) in ["/ck/m/epoch_0.pt", "/ck/m/epoch_1.pt", "/models/n.pt"]
            .iter()
            .enumerate()
        {
            r.models[k].path = Some((*p).into());
            r.models[k].pairs_done = Some(40);
        }
        r
    }

    #[test]
    fn a_report_becomes_a_project_with_its_models_and_probe_set() {
        let p = project_from_report(&analyzed(), "from a report").unwrap();
        assert_eq!(p.probe.videos, PathBuf::from("/data/probe"));
        assert_eq!(p.probe.pairs, 40);
        assert_eq!(p.models.len(), 2);
        assert_eq!(p.models[0].checkpoints.as_deref(), Some("/ck/m"));
        assert_eq!(p.models[1].path.as_deref(), Some(Path::new("/models/n.pt")));
    }

    #[test]
    fn or_says_why_not() {
        let mut r = analyzed();
        r.models[1].path = Some("/elsewhere/epoch_1.pt".into());
        let e = project_from_report(&r, "x").unwrap_err();
        assert!(e.contains("several folders"), "{e}");
        let mut r = analyzed();
        r.settings.command = "estimate".into();
        assert!(
            project_from_report(&r, "x")
                .unwrap_err()
                .contains("activations file")
        );
        let mut r = analyzed();
        r.models[2].path = None;
        assert!(
            project_from_report(&r, "x")
                .unwrap_err()
                .contains("file of model 'n'")
        );
    }
}
