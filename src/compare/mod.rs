//! Comparing entries of one results folder (`stadyn compare`, and the
//! numbers behind the app's Compare view): per layer, B − A of the dynamic,
//! static and residual percentages with a bootstrap interval
//! ([`crate::stats::layer_delta`]: paired when both entries cover the same
//! pairs, as entries of one job do), and, for two checkpoints of one model
//! (whose channels correspond), each channel's move and whether its
//! category change is certain. Different models' channels do not
//! correspond: only layer-level differences are compared for them.

use std::path::Path;

use anyhow::Context as _;

use crate::analysis::StatsFile;
use crate::figure::data::STABLE;
use crate::figure::{ChannelPoint, channel_points};
use crate::inspect::layer_of;
use crate::report::{LayerReport, Report};
use crate::stats::{Category, LayerDelta, layer_delta};

/// The three shares, as `delta.csv` names them.
pub const FACTORS: [&str; 3] = ["dynamic", "static", "residual"];

/// B − A of one layer.
#[derive(Clone, Debug, PartialEq)]
pub struct DeltaRow {
    /// Entry A (`MODEL[@EPOCH|@FILE]`).
    pub a: String,
    /// Entry B.
    pub b: String,
    /// The layer.
    pub layer: String,
    /// The difference and its interval.
    pub delta: LayerDelta,
}

/// The chart of `rows` (B − A against the baseline A named `baseline`):
/// one group per layer in first-seen order, the compared entries within.
pub fn delta_figure(rows: &[DeltaRow], baseline: &str) -> String {
    use crate::figure::delta::{DeltaBar, delta_svg};
    let mut layers: Vec<&str> = Vec::new();
    for r in rows {
        if !layers.contains(&r.layer.as_str()) {
            layers.push(&r.layer);
        }
    }
    let mut by_layer: Vec<&DeltaRow> = rows.iter().collect();
    by_layer.sort_by_key(|r| layers.iter().position(|l| *l == r.layer));
    let bars: Vec<DeltaBar> = by_layer
        .into_iter()
        .map(|r| DeltaBar {
            b: r.b.clone(),
            layer: r.layer.clone(),
            delta: [r.delta.delta[0], r.delta.delta[1]],
            ci: r.delta.ci.map(|c| [c[0], c[1]]),
            paired: r.delta.paired,
        })
        .collect();
    delta_svg(&bars, baseline, "Differences between entries, B − A")
}

/// How `stadyn compare` names an entry: `NAME`, `NAME@EPOCH` or `NAME@FILE`.
pub fn selector_of(report: &Report, entry: usize) -> String {
    let Some(m) = report.models.get(entry) else {
        return format!("#{entry}");
    };
    match (m.epoch, &m.checkpoint) {
        (Some(e), _) => format!("{}@{e}", m.name),
        (None, Some(c)) => format!("{}@{c}", m.name),
        (None, None) => m.name.clone(),
    }
}

/// Whether the channels of entries `a` and `b` correspond: two checkpoints
/// (or the same entry) of one model.
pub fn channels_correspond(report: &Report, a: usize, b: usize) -> bool {
    match (report.models.get(a), report.models.get(b)) {
        (Some(x), Some(y)) => x.name == y.name,
        _ => false,
    }
}

/// Why channels are not compared between `a` and `b`, for the user.
pub fn why_not_channels(report: &Report, a: usize, b: usize) -> String {
    format!(
        "{} and {} are different models: their channels do not correspond (channel k of one \
         has nothing to do with channel k of the other), so only layer-level differences are \
         compared",
        selector_of(report, a),
        selector_of(report, b)
    )
}

/// B − A for every layer both entries have (in B's order), or `layer` only;
/// paired draws where both cover the same pairs, unless `unpaired` (then
/// replicates are matched as independent draws, for a comparison).
pub fn deltas(
    report: &Report,
    stats: &StatsFile,
    (a, b): (usize, usize),
    layer: Option<&str>,
    unpaired: bool,
) -> anyhow::Result<Vec<DeltaRow>> {
    let (ma, mb) = (&report.models[a], &report.models[b]);
    let names: Vec<&str> = mb
        .layers
        .iter()
        .map(|l| l.name.as_str())
        .filter(|n| ma.layers.iter().any(|l| l.name == *n))
        .filter(|n| layer.is_none_or(|want| want == *n))
        .collect();
    if names.is_empty() {
        match layer {
            Some(l) => anyhow::bail!(
                "'{l}' is not a layer of both {} and {}",
                selector_of(report, a),
                selector_of(report, b)
            ),
            None => anyhow::bail!(
                "{} and {} have no layer in common",
                selector_of(report, a),
                selector_of(report, b)
            ),
        }
    }
    names
        .into_iter()
        .map(|name| {
            let (_, acc_a, _) = layer_of(report, stats, a, name)?;
            let (_, acc_b, _) = layer_of(report, stats, b, name)?;
            // One statistics file is one job: the same plan and seed. Equal
            // counts mean the same pairs (a job measures ids in order;
            // shards cover disjoint ids and merge only when complete).
            let paired = !unpaired && acc_a.pairs() == acc_b.pairs();
            let delta =
                layer_delta(acc_a, acc_b, paired).with_context(|| format!("layer '{name}'"))?;
            Ok(DeltaRow {
                a: selector_of(report, a),
                b: selector_of(report, b),
                layer: name.to_string(),
                delta,
            })
        })
        .collect()
}

/// `delta.csv`: `a,b,layer,factor,a_pct,b_pct,delta_pct,delta_lo,delta_hi,paired`.
pub fn delta_csv(rows: &[DeltaRow]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "a",
        "b",
        "layer",
        "factor",
        "a_pct",
        "b_pct",
        "delta_pct",
        "delta_lo",
        "delta_hi",
        "paired",
    ])?;
    for r in rows {
        let d = &r.delta;
        for (k, factor) in FACTORS.iter().enumerate() {
            let ci = |j: usize| d.ci.map(|c| c[k][j].to_string()).unwrap_or_default();
            w.write_record([
                r.a.clone(),
                r.b.clone(),
                r.layer.clone(),
                (*factor).to_string(),
                d.a[k].to_string(),
                d.b[k].to_string(),
                d.delta[k].to_string(),
                ci(0),
                ci(1),
                d.paired.to_string(),
            ])?;
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// One channel at A and at B (`None` where its ρ is undefined).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChannelMove {
    /// The channel.
    pub channel: usize,
    /// At A.
    pub from: Option<ChannelPoint>,
    /// At B.
    pub to: Option<ChannelPoint>,
}

impl ChannelMove {
    /// Its categories at A and B (an undefined ρ is `none`).
    pub fn categories(&self) -> [Category; 2] {
        [self.from, self.to].map(|p| p.map_or(Category::Neither, |p| p.category))
    }

    /// Whether the category changed.
    pub fn changed(&self) -> bool {
        let [a, b] = self.categories();
        a != b
    }

    /// Whether the change is certain: both ends at least [`STABLE`];
    /// `None` where a stability is unknown.
    pub fn certain(&self) -> Option<bool> {
        let a = self.from?.stability?;
        let b = self.to?.stability?;
        Some(a >= STABLE && b >= STABLE)
    }
}

/// Every channel of layer `a` and layer `b` at `tau` (the caller checks
/// that channels correspond); `None` when the channel counts differ.
pub fn channel_moves(a: &LayerReport, b: &LayerReport, tau: f64) -> Option<Vec<ChannelMove>> {
    if a.channels != b.channels {
        return None;
    }
    let index = |l: &LayerReport| {
        let mut at = vec![None; l.channels];
        for p in channel_points(l, tau).0 {
            at[p.channel] = Some(p);
        }
        at
    };
    let (pa, pb) = (index(a), index(b));
    Some(
        (0..a.channels)
            .map(|channel| ChannelMove {
                channel,
                from: pa[channel],
                to: pb[channel],
            })
            .collect(),
    )
}

/// `delta_channels.csv`: `a,b,layer,channel,a_rho_static,a_rho_dynamic,
/// b_rho_static,b_rho_dynamic,a_category,b_category,a_stability,
/// b_stability,changed,certain` (`certain` empty where unknown).
pub fn moves_csv(rows: &[(String, String, String, Vec<ChannelMove>)]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "a",
        "b",
        "layer",
        "channel",
        "a_rho_static",
        "a_rho_dynamic",
        "b_rho_static",
        "b_rho_dynamic",
        "a_category",
        "b_category",
        "a_stability",
        "b_stability",
        "changed",
        "certain",
    ])?;
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for (a, b, layer, moves) in rows {
        for m in moves {
            let [ca, cb] = m.categories();
            w.write_record([
                a.clone(),
                b.clone(),
                layer.clone(),
                m.channel.to_string(),
                opt(m.from.map(|p| p.rho_static)),
                opt(m.from.map(|p| p.rho_dynamic)),
                opt(m.to.map(|p| p.rho_static)),
                opt(m.to.map(|p| p.rho_dynamic)),
                ca.name().to_string(),
                cb.name().to_string(),
                opt(m.from.and_then(|p| p.stability)),
                opt(m.to.and_then(|p| p.stability)),
                m.changed().to_string(),
                m.certain().map(|c| c.to_string()).unwrap_or_default(),
            ])?;
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// Writes `text` to `path` atomically.
pub fn write_text(path: &Path, text: &str) -> anyhow::Result<()> {
    crate::files::atomic_write(path, |w| Ok(w.write_all(text.as_bytes())?))
        .with_context(|| format!("cannot write '{}'", path.display()))
}

#[cfg(test)]
mod tests;
