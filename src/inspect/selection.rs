//! A selection of channels as JSON (`stadyn.channels/1`): the model,
//! checkpoint and layer, the threshold τ the categories are at, and per
//! channel ρ_D and ρ_S with their 95 % intervals, category and stability.
//! The app's "Export channels…" and `stadyn channels` (its `<layer>_channels.json`)
//! write it; `tools/train_demo.py --sd-channels FILE` reads the channel ids
//! from it (StaticDropout).

use serde::{Deserialize, Serialize};

use crate::figure::ChannelPoint;
use crate::report::Report;

/// The schema tag of the file.
pub const SELECTION_SCHEMA: &str = "stadyn.channels/1";

/// The file's contents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelSelection {
    /// [`SELECTION_SCHEMA`].
    pub schema: String,
    /// The model's name.
    pub model: String,
    /// The checkpoint's file name, if the model has several.
    pub checkpoint: Option<String>,
    /// The checkpoint's epoch, if known.
    pub epoch: Option<f64>,
    /// The layer.
    pub layer: String,
    /// The τ the categories and stabilities are at.
    pub threshold: f64,
    /// The channels, in increasing order.
    pub channels: Vec<SelectedChannel>,
}

/// One channel of a [`ChannelSelection`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SelectedChannel {
    /// Its index in the layer.
    pub channel: usize,
    /// ρ_D (`None`: undefined, the channel does not vary).
    pub rho_dynamic: Option<f64>,
    /// ρ_D's 95 % bootstrap interval, if the statistics kept replicates.
    pub rho_dynamic_ci95: Option<[f64; 2]>,
    /// ρ_S.
    pub rho_static: Option<f64>,
    /// ρ_S's 95 % bootstrap interval.
    pub rho_static_ci95: Option<[f64; 2]>,
    /// `dynamic`, `static`, `joint` or `none` at `threshold`.
    pub category: String,
    /// The share of replicates that give this category, if known.
    pub stability: Option<f64>,
}

impl ChannelSelection {
    /// The channels `channels` of `layer` of entry `entry`, their numbers
    /// taken from `points` (the scatter's points at `tau`: the app's, with
    /// stability at its τ) where a channel has one, else from the report (a
    /// channel with an undefined ρ is `none`).
    pub fn new(
        report: &Report,
        entry: usize,
        layer: &str,
        channels: &[usize],
        points: &[ChannelPoint],
        tau: f64,
    ) -> Result<Self, String> {
        let m = report
            .models
            .get(entry)
            .ok_or_else(|| format!("no model entry {entry} in the report"))?;
        let l = m
            .layers
            .iter()
            .find(|l| l.name == layer)
            .ok_or_else(|| format!("{} has no layer '{layer}'", m.name))?;
        let mut ids = channels.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::with_capacity(ids.len());
        for c in ids {
            if c >= l.channels {
                return Err(format!(
                    "'{layer}' has {} channels; there is no channel {c}",
                    l.channels
                ));
            }
            out.push(match points.iter().find(|p| p.channel == c) {
                Some(p) => SelectedChannel {
                    channel: c,
                    rho_dynamic: Some(p.rho_dynamic),
                    rho_dynamic_ci95: p.ci.map(|ci| ci[1]),
                    rho_static: Some(p.rho_static),
                    rho_static_ci95: p.ci.map(|ci| ci[0]),
                    category: p.category.name().to_string(),
                    stability: p.stability,
                },
                None => SelectedChannel {
                    channel: c,
                    rho_dynamic: l.units.rho_dynamic[c],
                    rho_dynamic_ci95: None,
                    rho_static: l.units.rho_static[c],
                    rho_static_ci95: None,
                    category: crate::stats::Category::Neither.name().to_string(),
                    stability: None,
                },
            });
        }
        Ok(Self {
            schema: SELECTION_SCHEMA.to_string(),
            model: m.name.clone(),
            checkpoint: m.checkpoint.clone(),
            epoch: m.epoch,
            layer: layer.to_string(),
            threshold: tau,
            channels: out,
        })
    }

    /// Writes the file (atomically, pretty-printed).
    pub fn write(&self, path: &std::path::Path) -> anyhow::Result<()> {
        crate::files::atomic_write(path, |w| Ok(serde_json::to_writer_pretty(w, self)?))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_selection_carries_each_channels_numbers() {
        use crate::testing::{layer, model, report};
        let rhos = [(Some(0.9), Some(0.1)), (None, None), (Some(0.2), Some(0.8))];
        let ci = Some([[0.0, 1.0]; 3]);
        let report = report(
            vec![model(
                "m",
                Some(3.0),
                vec![layer("s", &rhos, [10.0, 20.0, 70.0], ci, 40)],
            )],
            20,
        );
        let l = &report.models[0].layers[0];
        let name = l.name.clone();
        let (points, _) = crate::figure::channel_points(l, 0.5);
        let first = points[0];
        let sel = ChannelSelection::new(
            &report,
            0,
            &name,
            &[first.channel, first.channel],
            &points,
            0.5,
        )
        .unwrap();
        assert_eq!(sel.channels.len(), 1, "duplicates go");
        let c = &sel.channels[0];
        assert_eq!(c.rho_dynamic, Some(first.rho_dynamic));
        assert_eq!(c.category, first.category.name());
        assert_eq!(c.rho_dynamic_ci95, first.ci.map(|ci| ci[1]));
        assert!(c.rho_dynamic_ci95.is_some() && c.stability == first.stability);
        assert_eq!(sel.checkpoint.as_deref(), Some("epoch_3.pt"));
        let undefined = ChannelSelection::new(&report, 0, &name, &[1], &points, 0.5).unwrap();
        assert_eq!(undefined.channels[0].rho_dynamic, None);
        assert_eq!(undefined.channels[0].category, "none");
        let json = serde_json::to_string(&sel).unwrap();
        assert!(json.contains("\"schema\":\"stadyn.channels/1\""), "{json}");
        let back: ChannelSelection = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sel);
        let err = ChannelSelection::new(&report, 0, &name, &[l.channels], &points, 0.5);
        assert!(err.unwrap_err().contains("no channel"));
    }
}
