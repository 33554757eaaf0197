//! [`ProbeSpec`]: the probe set and pair plan, the one type that holds the
//! probe settings everywhere: the `[probe]` table of a project file, the
//! probe part of a [`super::JobSpec`], `stadyn pairs` and the app's pair
//! viewer all use it, and [`super::PairSource::new`] builds pairs from it.

use crate::files::atomic_write;
use crate::video::Layout;
use crate::video::demo::{DemoData, DemoSpec, DemoTask, write_demo_data};
use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The probe set and plan: which pairs exist (the `[probe]` table of a project).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    /// Folder of probe videos.
    pub videos: PathBuf,
    /// Layout (`files`, `classes`, `frames`, `davis`, `stylized`); detected when absent.
    #[serde(default)]
    pub layout: Option<Layout>,
    /// Pairs in the plan.
    #[serde(default = "default_pairs")]
    pub pairs: usize,
    /// Seed of the plan (it also seeds the bootstrap weights).
    #[serde(default)]
    pub seed: u64,
    /// Built-in style names (empty: all).
    #[serde(default)]
    pub styles: Vec<String>,
    /// Strength of every built-in style: 0 (the clip itself) to 1 (the
    /// style in full; the default). Part of the job's identity.
    #[serde(default)]
    pub strength: Option<f64>,
    /// Strengths of single built-in styles (name → 0 to 1), over `strength`.
    #[serde(default)]
    pub style_strength: Option<std::collections::BTreeMap<String, f64>>,
    /// Frames T, overriding the models' manifests.
    #[serde(default)]
    pub frames: Option<usize>,
    /// Window W, overriding the models' manifests.
    #[serde(default)]
    pub window: Option<usize>,
    /// Demo clips to generate into `videos` when they are not there yet
    /// (see [`ProbeSpec::prepare`]).
    #[serde(default)]
    pub generate: Option<GenerateSettings>,
}

impl ProbeSpec {
    /// The defaults over the probe folder `videos`: 200 pairs, seed 0, every
    /// built-in style, frames and window from the models' manifests.
    pub fn new(videos: impl Into<PathBuf>) -> Self {
        Self {
            videos: videos.into(),
            layout: None,
            pairs: default_pairs(),
            seed: 0,
            styles: Vec::new(),
            strength: None,
            style_strength: None,
            frames: None,
            window: None,
            generate: None,
        }
    }
}

impl ProbeSpec {
    /// The strength of built-in style `name` (1 unless set).
    pub fn strength_of(&self, name: &str) -> f64 {
        self.style_strength
            .as_ref()
            .and_then(|m| m.get(name).copied())
            .or(self.strength)
            .unwrap_or(1.0)
    }

    /// The built-in styles used (by name) whose strength is not 1: empty
    /// for a job at full strength, whatever the settings say.
    pub fn weakened_styles(&self) -> std::collections::BTreeMap<String, f64> {
        let names: Vec<String> = if self.styles.is_empty() {
            crate::pairs::builtin_styles()
                .iter()
                .map(|s| s.name().to_string())
                .collect()
        } else {
            self.styles.clone()
        };
        names
            .into_iter()
            .map(|n| {
                let s = self.strength_of(&n);
                (n, s)
            })
            .filter(|(_, s)| *s != 1.0)
            .collect()
    }

    /// Checks the strengths: numbers in [0, 1], for built-in styles.
    pub fn check_strength(&self) -> Result<(), String> {
        let known: Vec<String> = crate::pairs::builtin_styles()
            .iter()
            .map(|s| s.name().to_string())
            .collect();
        let each = self.style_strength.iter().flatten();
        for (what, v) in self
            .strength
            .iter()
            .map(|v| ("style strength".to_string(), *v))
            .chain(each.map(|(n, v)| (format!("strength of style '{n}'"), *v)))
        {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(format!("{what} must be a number between 0 and 1, got {v}"));
            }
        }
        if let Some(n) = self
            .style_strength
            .iter()
            .flatten()
            .map(|(n, _)| n)
            .find(|n| !known.contains(n))
        {
            return Err(format!(
                "style_strength names '{n}', which is not a built-in style ({})",
                known.join(", ")
            ));
        }
        Ok(())
    }
}

/// A probe set that stadyn makes itself (`[probe.generate]`): `n` demo clips
/// of `task` (see [`crate::video::demo`]), plus files copied in beside them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateSettings {
    /// `motion`, `appearance` or `scenes`.
    pub task: DemoTask,
    /// Number of clips.
    pub n: usize,
    /// Seed of the clips.
    #[serde(default)]
    pub seed: u64,
    /// Frames per clip.
    #[serde(default = "default_frames")]
    pub frames: usize,
    /// Frame size `[width, height]`.
    #[serde(default = "default_size")]
    pub size: [u32; 2],
    /// Video files copied into the folder too (relative to the project file),
    /// e.g. real footage the set-up step fetched.
    #[serde(default)]
    pub include: Vec<PathBuf>,
    /// Also write the clips' exact optical flow (`clips.flow.npy`), for
    /// two-stream models. (Always written: these settings are kept in the
    /// statistics, whose binary format cannot skip a field.)
    #[serde(default)]
    pub flow: bool,
}

fn default_frames() -> usize {
    16
}

fn default_size() -> [u32; 2] {
    [64, 64]
}

impl GenerateSettings {
    /// The generator's spec.
    pub fn spec(&self) -> DemoSpec {
        DemoSpec {
            frames: self.frames,
            width: self.size[0],
            height: self.size[1],
            ..DemoSpec::new(self.task, self.seed)
        }
    }
}

/// Copies `from` to `to` unless `to` already has its size; whether it copied.
fn copy_if_changed(from: &Path, to: &Path) -> anyhow::Result<bool> {
    let same = match (std::fs::metadata(from), std::fs::metadata(to)) {
        (Ok(a), Ok(b)) => a.len() == b.len(),
        _ => false,
    };
    if same {
        return Ok(false);
    }
    atomic_write(to, |out| {
        let mut src = std::fs::File::open(from)?;
        std::io::copy(&mut src, out)?;
        Ok(())
    })?;
    Ok(true)
}

fn default_pairs() -> usize {
    200
}

impl ProbeSpec {
    /// Makes sure a generated probe set (`[probe.generate]`) is in place:
    /// when `videos` lacks the clips (or holds others), writes them, and
    /// copies the `include` files in. Returns what was done, `None` when
    /// nothing was needed. Projects without `[probe.generate]` are untouched.
    pub fn prepare(&self) -> anyhow::Result<Option<String>> {
        let Some(g) = &self.generate else {
            return Ok(None);
        };
        let dir = &self.videos;
        let mut done = Vec::new();
        let current = std::fs::read_to_string(dir.join("demo-data.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<DemoData>(&t).ok())
            .is_some_and(|d| d.spec == g.spec() && d.n == g.n && dir.join("clips.npy").is_file());
        if !current {
            write_demo_data(&g.spec(), g.n, dir, |_, _| {})?;
            done.push(format!("generated {} {} clips", g.n, g.task));
        }
        if g.flow && (!current || !dir.join("clips.flow.npy").is_file()) {
            crate::video::demo::write_demo_flow(&g.spec(), g.n, dir)?;
            done.push("wrote their optical flow".into());
        }
        for f in &g.include {
            let name = f
                .file_name()
                .with_context(|| format!("include '{}' is not a file", f.display()))?;
            let to = dir.join(name);
            if f.is_dir() {
                // A folder (e.g. a video's colour-coded flow, `<video>.flow/`):
                // its files are copied in, each as a file would be.
                let mut copied = 0;
                for entry in std::fs::read_dir(f)
                    .with_context(|| format!("cannot read the include '{}'", f.display()))?
                {
                    let from = entry?.path();
                    if from.is_file() {
                        let file_name = from.file_name().unwrap_or_default();
                        std::fs::create_dir_all(&to)?;
                        copied += usize::from(copy_if_changed(&from, &to.join(file_name))?);
                    }
                }
                if copied > 0 {
                    done.push(format!("copied in {} ({copied} files)", f.display()));
                }
                continue;
            }
            if !f.is_file() {
                anyhow::bail!(
                    "the probe set includes '{}', which does not exist (the set-up step \
                     `scripts/setup.sh` fetches it)",
                    f.display()
                );
            }
            if copy_if_changed(f, &to)? {
                done.push(format!("copied in {}", f.display()));
            }
        }
        Ok((!done.is_empty()).then(|| format!("{}: {}", dir.display(), done.join(", "))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::demo::DemoTask;

    #[test]
    fn a_generated_probe_set_gets_its_flow_and_included_folders_once() {
        let d = tempfile::tempdir().unwrap();
        let extra = d.path().join("footage.flow");
        std::fs::create_dir_all(&extra).unwrap();
        std::fs::write(extra.join("00000.png"), b"not really a png").unwrap();
        let probe = ProbeSpec {
            generate: Some(GenerateSettings {
                task: DemoTask::Scenes,
                n: 2,
                seed: 1,
                frames: 4,
                size: [16, 16],
                include: vec![extra.clone()],
                flow: true,
            }),
            ..ProbeSpec::new(d.path().join("probe"))
        };
        let said = probe.prepare().unwrap().unwrap();
        assert!(
            said.contains("wrote their optical flow") && said.contains("(1 files)"),
            "{said}"
        );
        assert!(d.path().join("probe/clips.flow.npy").is_file());
        assert!(d.path().join("probe/footage.flow/00000.png").is_file());
        assert_eq!(
            probe.prepare().unwrap(),
            None,
            "nothing to do the second time"
        );
        std::fs::remove_file(d.path().join("probe/clips.flow.npy")).unwrap();
        let said = probe.prepare().unwrap().unwrap();
        assert!(said.contains("wrote their optical flow"), "{said}");
    }
}
