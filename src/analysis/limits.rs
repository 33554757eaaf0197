//! The accepted range of every numeric setting of a job, checked before any
//! work (from CLI flags, project files and the app alike) with a message that
//! says the range. Memory never depends on the number of pairs (pair ids
//! stream); the caps below keep a typo from running for years or allocating
//! what no machine has.

use super::JobSpec;

/// Most pairs in a plan.
pub const MAX_PAIRS: usize = 100_000_000;
/// Most bootstrap replicates (each costs 4·C doubles per layer).
pub const MAX_BOOTSTRAP: usize = 10_000;
/// Most pair members kept per channel at each end.
pub const MAX_TOP_K: usize = 1000;
/// Most pairs per factor in the sample behind ρ.
pub const MAX_SAMPLE_PAIRS: usize = 100_000;
/// Most libtorch threads.
pub const MAX_THREADS: usize = 4096;
/// Most frames T or window W.
pub const MAX_FRAMES: usize = 100_000;
/// Most pairs per batch.
pub const MAX_BATCH: usize = 65_536;

/// τ must be a finite number in [0, 1] (ρ is a correlation).
pub fn check_threshold(tau: f64) -> Result<(), String> {
    if tau.is_finite() && (0.0..=1.0).contains(&tau) {
        Ok(())
    } else {
        Err(format!(
            "threshold τ must be a number between 0 and 1, got {tau}"
        ))
    }
}

fn in_range(what: &str, v: usize, lo: usize, hi: usize) -> Result<(), String> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(format!("{what} must be between {lo} and {hi}, got {v}"))
    }
}

impl JobSpec {
    /// Checks every setting against its accepted range. Returns warnings for
    /// settings that work but are probably not meant (a window shorter than
    /// the frames), or the first setting out of range.
    pub fn check(&self) -> anyhow::Result<Vec<String>> {
        let p = &self.probe;
        let check = || -> Result<Vec<String>, String> {
            in_range("pairs", p.pairs, 1, MAX_PAIRS)?;
            in_range("bootstrap replicates", self.bootstrap, 0, MAX_BOOTSTRAP)?;
            in_range("top windows per channel", self.units.top_k, 0, MAX_TOP_K)?;
            in_range(
                "sampled pairs per factor",
                self.units.sample_pairs,
                0,
                MAX_SAMPLE_PAIRS,
            )?;
            in_range(
                "per-channel bootstrap replicates",
                self.units.replicates,
                0,
                MAX_BOOTSTRAP,
            )?;
            if let Some(t) = self.threads {
                in_range("threads", t, 1, MAX_THREADS)?;
            }
            if let Some(t) = p.frames {
                in_range("frames T", t, 2, MAX_FRAMES)?;
            }
            if let Some(w) = p.window {
                in_range("window W", w, 1, MAX_FRAMES)?;
            }
            in_range("batch (0: sized to memory)", self.batch, 0, MAX_BATCH)?;
            in_range("save-every", self.save_every, 1, MAX_PAIRS)?;
            check_threshold(self.threshold)?;
            p.check_strength()?;
            let mut warnings = Vec::new();
            if let (Some(t), Some(w)) = (p.frames, p.window)
                && w < t
            {
                warnings.push(window_note(w, t));
            }
            let unknown: Vec<&str> = self
                .models
                .iter()
                .filter(|m| m.epoch.is_none())
                .filter_map(|m| m.checkpoint.as_deref())
                .collect();
            if let Some(first) = unknown.first() {
                warnings.push(format!(
                    "neither a manifest nor the file name states the epoch of {} checkpoint(s) \
                     (e.g. {first}; names like epoch=3, epoch_3, ep3 or e05 are read): they are \
                     ordered by name, after the others",
                    unknown.len()
                ));
            }
            Ok(warnings)
        };
        check().map_err(anyhow::Error::msg)
    }
}

/// The warning for a window W shorter than the frames T.
pub(super) fn window_note(window: usize, frames: usize) -> String {
    format!(
        "window W = {window} is shorter than frames T = {frames}: frames repeat within each clip"
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::analysis::ProbeSpec;

    fn spec() -> JobSpec {
        JobSpec::new("t", ProbeSpec::new("v"), Vec::new())
    }

    fn refused(s: &JobSpec, needle: &str) {
        let e = s.check().unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
    }

    #[test]
    fn absurd_settings_are_refused_with_their_range() {
        assert!(spec().check().unwrap().is_empty());
        refused(
            &JobSpec {
                threads: Some(0),
                ..spec()
            },
            "threads must be between 1 and",
        );
        refused(
            &JobSpec {
                bootstrap: usize::MAX,
                ..spec()
            },
            "bootstrap replicates must be between 0 and 10000",
        );
        let mut s = spec();
        s.probe.pairs = usize::MAX;
        refused(&s, "pairs must be between 1 and 100000000");
        s.probe.pairs = 0;
        refused(&s, "pairs must be between 1");
        for tau in [f64::NAN, f64::INFINITY, -0.1, 1.5] {
            refused(
                &JobSpec {
                    threshold: tau,
                    ..spec()
                },
                "between 0 and 1",
            );
        }
        let mut s = spec();
        s.probe.window = Some(0);
        refused(&s, "window W must be between 1");
        s.probe.window = None;
        s.probe.frames = Some(1 << 40);
        refused(&s, "frames T must be between 2");
        let mut s = spec();
        for v in [f64::NAN, -0.5, 1.01] {
            s.probe.strength = Some(v);
            refused(&s, "style strength must be a number between 0 and 1");
        }
        s.probe.strength = Some(0.5);
        assert!(s.check().is_ok());
        s.probe.style_strength = Some([("paint".to_string(), 2.0)].into());
        refused(
            &s,
            "strength of style 'paint' must be a number between 0 and 1",
        );
        s.probe.style_strength = Some([("oil".to_string(), 0.5)].into());
        refused(&s, "'oil', which is not a built-in style");
    }

    #[test]
    fn a_window_shorter_than_the_frames_is_a_warning() {
        let mut s = spec();
        s.probe.frames = Some(8);
        s.probe.window = Some(4);
        let w = s.check().unwrap();
        assert_eq!(w, vec![window_note(4, 8)]);
    }
}
