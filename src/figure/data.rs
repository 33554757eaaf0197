//! Plot data derived from a [`Report`]: computed once when a report arrives
//! or a setting (τ, the selected layer, the checkpoint) changes, never per
//! frame; the exported CSVs hold exactly these numbers.
//!
//! Conventions: models keep the report's order; a model's checkpoints are
//! grouped by name ([`model_groups`]) and ordered by epoch; layers keep the
//! manifest's display order; percentages are 0–100; an undefined ρ (a
//! zero-variance channel) is never a point — it is counted instead.

use crate::report::{LayerReport, Report};
use crate::stats::{Category, CategoryCounts, categorize};

/// A model and its checkpoints: indices into `report.models`, in epoch order
/// (one entry for a model without checkpoints).
#[derive(Clone, Debug, PartialEq)]
pub struct ModelGroup {
    /// The model's name.
    pub name: String,
    /// Indices into `report.models`, ordered by epoch (unknown epochs last,
    /// then report order).
    pub entries: Vec<usize>,
}

/// The models of a report grouped by name, in order of first appearance.
pub fn model_groups(report: &Report) -> Vec<ModelGroup> {
    let mut groups: Vec<ModelGroup> = Vec::new();
    for (i, m) in report.models.iter().enumerate() {
        match groups.iter_mut().find(|g| g.name == m.name) {
            Some(g) => g.entries.push(i),
            None => groups.push(ModelGroup {
                name: m.name.clone(),
                entries: vec![i],
            }),
        }
    }
    for g in &mut groups {
        g.entries.sort_by(|&a, &b| {
            let (ea, eb) = (report.models[a].epoch, report.models[b].epoch);
            ea.unwrap_or(f64::INFINITY)
                .total_cmp(&eb.unwrap_or(f64::INFINITY))
                .then(a.cmp(&b))
        });
    }
    groups
}

/// One bar of the layers figure: a layer of a model (at a checkpoint).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerBar {
    /// Index into `report.models`.
    pub model_index: usize,
    /// Model name.
    pub model: String,
    /// Checkpoint label, if the model has checkpoints.
    pub checkpoint: Option<String>,
    /// Epoch of the checkpoint, if known.
    pub epoch: Option<f64>,
    /// Index of the layer in the model's report.
    pub layer_index: usize,
    /// Layer name.
    pub layer: String,
    /// The layer's stream (appearance, motion, fusion, a pathway), when tagged.
    pub stream: Option<String>,
    /// Channels C.
    pub channels: usize,
    /// `[dynamic, static, residual]` percentages (the reference's dims).
    pub pct: [f64; 3],
    /// 95 % bootstrap intervals of `pct`, if computed.
    pub ci: Option<[[f64; 2]; 3]>,
    /// Channels per category at the τ the bars were made for.
    pub counts: CategoryCounts,
}

impl LayerBar {
    /// The layer's name as labels show it: with its stream when tagged
    /// (`flow1 · motion`).
    pub fn label(&self) -> String {
        match &self.stream {
            Some(s) => format!("{} · {s}", self.layer),
            None => self.layer.clone(),
        }
    }

    /// The share (0–100 % of C) of channels in `c`.
    pub fn category_pct(&self, c: Category) -> f64 {
        if self.channels == 0 {
            return 0.0;
        }
        100.0 * self.counts.get(c) as f64 / self.channels as f64
    }
}

/// Every layer of every model in `report`, with channel categories at `tau`.
pub fn layer_bars(report: &Report, tau: f64) -> Vec<LayerBar> {
    let mut out = Vec::new();
    for (mi, m) in report.models.iter().enumerate() {
        for (li, l) in m.layers.iter().enumerate() {
            let cats: Vec<Category> = categories(l, tau);
            out.push(LayerBar {
                model_index: mi,
                model: m.name.clone(),
                checkpoint: m.checkpoint.clone(),
                epoch: m.epoch,
                layer_index: li,
                layer: l.name.clone(),
                stream: l.stream.clone(),
                channels: l.channels,
                pct: l.pct,
                ci: l.ci95.as_ref().map(|c| c.pct),
                counts: CategoryCounts::count(&cats),
            });
        }
    }
    out
}

/// The categories of a layer's channels at `tau`.
pub fn categories(l: &LayerReport, tau: f64) -> Vec<Category> {
    l.units
        .rho_dynamic
        .iter()
        .zip(&l.units.rho_static)
        .map(|(&d, &s)| categorize(d, s, tau))
        .collect()
}

/// One channel of the scatter: ρ_S on x, ρ_D on y.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChannelPoint {
    /// Channel index in the layer.
    pub channel: usize,
    /// ρ_S (x).
    pub rho_static: f64,
    /// ρ_D (y).
    pub rho_dynamic: f64,
    /// Category at the τ asked for.
    pub category: Category,
    /// 95 % bootstrap intervals `[ρ_S, ρ_D]`, if the report has them.
    pub ci: Option<[[f64; 2]; 2]>,
    /// The share of bootstrap replicates that give the channel `category`
    /// (from the report, so at its threshold; a caller with the replicates
    /// recomputes it at another τ, and clears it where it cannot).
    pub stability: Option<f64>,
}

/// Below this stability a channel's category is called uncertain (faded
/// points; a change of category counts as certain only when both ends are
/// at least this stable).
pub const STABLE: f64 = 0.9;

impl ChannelPoint {
    /// Whether its category is known to be stable (`None`: not known).
    pub fn stable(&self) -> Option<bool> {
        self.stability.map(|s| s >= STABLE)
    }
}

/// The scatter points of a layer at `tau`, and how many channels have an
/// undefined ρ (not plotted).
pub fn channel_points(l: &LayerReport, tau: f64) -> (Vec<ChannelPoint>, usize) {
    let mut points = Vec::with_capacity(l.channels);
    let mut undefined = 0;
    for (channel, (&d, &s)) in l
        .units
        .rho_dynamic
        .iter()
        .zip(&l.units.rho_static)
        .enumerate()
    {
        match (d, s) {
            (Some(d), Some(s)) => {
                let ci = |v: &Option<Vec<Option<[f64; 2]>>>| {
                    v.as_ref().and_then(|v| v.get(channel).copied().flatten())
                };
                let u = &l.units;
                points.push(ChannelPoint {
                    channel,
                    rho_static: s,
                    rho_dynamic: d,
                    category: categorize(Some(d), Some(s), tau),
                    ci: ci(&u.rho_static_ci95)
                        .zip(ci(&u.rho_dynamic_ci95))
                        .map(|(s, d)| [s, d]),
                    stability: u
                        .stability
                        .as_ref()
                        .and_then(|v| v.get(channel).copied().flatten()),
                });
            }
            _ => undefined += 1,
        }
    }
    (points, undefined)
}

/// One checkpoint on a training curve.
#[derive(Clone, Debug, PartialEq)]
pub struct CurvePoint {
    /// Index into `report.models`.
    pub model_index: usize,
    /// Epoch (the checkpoint's position when the epoch is unknown).
    pub epoch: f64,
    /// Checkpoint label.
    pub checkpoint: Option<String>,
    /// `[dynamic, static, residual]` percentages.
    pub pct: [f64; 3],
    /// Their 95 % intervals, if computed.
    pub ci: Option<[[f64; 2]; 3]>,
    /// `[dynamic, static, residual]` softmax probabilities (unrounded).
    pub probs: [f64; 3],
    /// Their 95 % intervals, if computed.
    pub probs_ci: Option<[[f64; 2]; 3]>,
}

/// Static and dynamic share of one layer across a model's checkpoints.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingCurve {
    /// Layer name.
    pub layer: String,
    /// One point per checkpoint that has the layer, in epoch order.
    pub points: Vec<CurvePoint>,
    /// Index into `points` from which on the layer's bias has settled by
    /// the reference's percentages (see [`settle_index`]); `None` without
    /// intervals.
    pub settled: Option<usize>,
    /// The same on the probabilities (see [`settle_index_probs`]): the
    /// default settle point.
    pub settled_probs: Option<usize>,
}

/// Which values decide where a layer's bias settles in training.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SettleCriterion {
    /// The softmax probabilities and their intervals (continuous: no steps).
    #[default]
    Probabilities,
    /// The reference's percentages (dims/C, in steps of 100/C) and theirs.
    Percentages,
}

impl SettleCriterion {
    /// Both, the default first.
    pub const ALL: [SettleCriterion; 2] = [Self::Probabilities, Self::Percentages];

    /// Short name for menus.
    pub fn label(self) -> &'static str {
        match self {
            Self::Probabilities => "probabilities",
            Self::Percentages => "percentages (reference)",
        }
    }

    /// The rule, as said in tooltips and figure notes.
    pub fn rule(self) -> &'static str {
        match self {
            Self::Probabilities => {
                "from the first checkpoint whose dynamic and static probabilities \
                 (the softmax of the scores), and those of every later one, lie within \
                 the final checkpoint's 95 % bootstrap interval of the probabilities"
            }
            Self::Percentages => {
                "from the first checkpoint whose dynamic and static percentages \
                 (the reference's dims/C, in steps of 100/C), and those of every later \
                 one, lie within the final checkpoint's 95 % interval of the percentages"
            }
        }
    }
}

impl TrainingCurve {
    /// The index into `points` where the bias settles by `criterion`.
    pub fn settled_by(&self, criterion: SettleCriterion) -> Option<usize> {
        match criterion {
            SettleCriterion::Probabilities => self.settled_probs,
            SettleCriterion::Percentages => self.settled,
        }
    }

    /// The epoch where the bias settles by `criterion`.
    pub fn settled_epoch(&self, criterion: SettleCriterion) -> Option<f64> {
        self.settled_by(criterion)
            .and_then(|k| self.points.get(k))
            .map(|p| p.epoch)
    }
}

/// The training curves of every layer of `group` (layers in the order of
/// the group's first checkpoint).
pub fn training_curves(report: &Report, group: &ModelGroup) -> Vec<TrainingCurve> {
    let Some(&first) = group.entries.first() else {
        return Vec::new();
    };
    report.models[first]
        .layers
        .iter()
        .map(|layer| {
            let points: Vec<CurvePoint> = group
                .entries
                .iter()
                .enumerate()
                .filter_map(|(k, &mi)| {
                    let m = &report.models[mi];
                    let l = m.layers.iter().find(|l| l.name == layer.name)?;
                    Some(CurvePoint {
                        model_index: mi,
                        epoch: m.epoch.unwrap_or(k as f64),
                        checkpoint: m.checkpoint.clone(),
                        pct: l.pct,
                        ci: l.ci95.as_ref().map(|c| c.pct),
                        probs: l.probs,
                        probs_ci: l.ci95.as_ref().map(|c| c.probs),
                    })
                })
                .collect();
            TrainingCurve {
                layer: layer.name.clone(),
                settled: settle_index(&points),
                settled_probs: settle_index_probs(&points),
                points,
            }
        })
        .collect()
}

/// Channels per category of one layer along an axis: across a model's
/// checkpoints at one τ (what the Training tab stacks under each curve,
/// [`category_curve`]), or at one checkpoint across τ ([`tau_sweep`]).
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryCurve {
    /// Layer name.
    pub layer: String,
    /// Where each point lies: the checkpoints' epochs, or the τ values.
    pub xs: Vec<f64>,
    /// Channels per category at each of them.
    pub counts: Vec<CategoryCounts>,
    /// Channels C at each of them.
    pub channels: Vec<usize>,
}

impl CategoryCurve {
    /// The stacked shares (% of C) at checkpoint `k`, bottom to top in
    /// `Category::ALL` order: `[lower, upper]` of each band.
    pub fn stacked(&self, k: usize) -> [[f64; 2]; 5] {
        let c = self.channels.get(k).copied().unwrap_or(0);
        let counts = self.counts.get(k).copied().unwrap_or_default();
        let mut lo = 0.0;
        Category::ALL.map(|cat| {
            let share = if c == 0 {
                0.0
            } else {
                100.0 * counts.get(cat) as f64 / c as f64
            };
            let band = [lo, lo + share];
            lo += share;
            band
        })
    }
}

/// The metrics of the curve's checkpoints whose every value lies in [0, 1]
/// (a fraction, such as an accuracy), each as `(epoch, value)` points.
/// Others (a loss) are not drawn: they share no scale with a fraction.
pub fn fraction_metrics(c: &TrainingCurve, report: &Report) -> Vec<(String, Vec<[f64; 2]>)> {
    let mut names: Vec<&String> = c
        .points
        .iter()
        .filter_map(|p| report.models.get(p.model_index))
        .flat_map(|m| m.metrics.keys())
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let pts: Vec<[f64; 2]> = c
                .points
                .iter()
                .filter_map(|p| {
                    let v = *report.models.get(p.model_index)?.metrics.get(name)?;
                    Some([p.epoch, v])
                })
                .collect();
            let fraction = pts.iter().all(|p| (0.0..=1.0).contains(&p[1]));
            (fraction && !pts.is_empty()).then(|| (name.clone(), pts))
        })
        .collect()
}

/// The category counts at `tau` of every point of `curves` (as
/// [`training_curves`] made them from `report`).
pub fn category_curves(report: &Report, curves: &[TrainingCurve], tau: f64) -> Vec<CategoryCurve> {
    curves
        .iter()
        .map(|c| category_curve(report, c, tau))
        .collect()
}

/// The category counts at `tau` of every point of one curve.
pub fn category_curve(report: &Report, c: &TrainingCurve, tau: f64) -> CategoryCurve {
    let layers: Vec<Option<&LayerReport>> = c
        .points
        .iter()
        .map(|p| {
            let m = report.models.get(p.model_index)?;
            m.layers.iter().find(|l| l.name == c.layer)
        })
        .collect();
    CategoryCurve {
        layer: c.layer.clone(),
        xs: c.points.iter().map(|p| p.epoch).collect(),
        counts: layers
            .iter()
            .map(|l| {
                l.map_or_else(Default::default, |l| {
                    CategoryCounts::count(&categories(l, tau))
                })
            })
            .collect(),
        channels: layers.iter().map(|l| l.map_or(0, |l| l.channels)).collect(),
    }
}

/// The checkpoint epochs to tick on an axis: every one, less those closer
/// than a tenth of the range to the one ticked before (the last always
/// ticked), so that the labels stay readable.
pub fn tick_epochs(epochs: &[f64]) -> Vec<f64> {
    let (Some(&first), Some(&last)) = (epochs.first(), epochs.last()) else {
        return Vec::new();
    };
    let gap = (last - first) / 10.0;
    let mut out: Vec<f64> = Vec::new();
    for &e in epochs {
        match out.last() {
            Some(&prev) if e - prev < gap => {
                if e == last && out.len() > 1 {
                    out.pop();
                    out.push(e);
                }
            }
            _ => out.push(e),
        }
    }
    out
}

/// "1 checkpoint", "9 checkpoints": `n` of `noun` (a regular plural).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The τ values of a sweep: 0 to 1 in steps of 0.01.
pub fn tau_grid() -> Vec<f64> {
    (0..=100).map(|k| f64::from(k) / 100.0).collect()
}

/// Channels per category of layer `l` at each of `taus`, from its stored ρ
/// (no recomputation): how the categories depend on the threshold.
pub fn tau_sweep(l: &LayerReport, taus: &[f64]) -> CategoryCurve {
    CategoryCurve {
        layer: l.name.clone(),
        xs: taus.to_vec(),
        counts: taus
            .iter()
            .map(|&t| CategoryCounts::count(&categories(l, t)))
            .collect(),
        channels: vec![l.channels; taus.len()],
    }
}

/// The first checkpoint from which on the layer's dynamic and static
/// percentages all lie within the final checkpoint's 95 % bootstrap
/// interval (bounds included): where its bias has settled (the paper's
/// finding that biases form early in training). `None` when the final
/// checkpoint has no interval or there are no points.
pub fn settle_index(points: &[CurvePoint]) -> Option<usize> {
    settle_by(points, |p| (p.pct, p.ci))
}

/// As [`settle_index`] on the softmax probabilities and their intervals:
/// unlike the percentages, which move in steps of 100/C, they change
/// continuously, so a checkpoint is not inside only by rounding.
pub fn settle_index_probs(points: &[CurvePoint]) -> Option<usize> {
    settle_by(points, |p| (p.probs, p.probs_ci))
}

/// The first index from which on every point's first two values lie within
/// the last point's interval (bounds included).
fn settle_by(
    points: &[CurvePoint],
    values: impl Fn(&CurvePoint) -> ([f64; 3], Option<[[f64; 2]; 3]>),
) -> Option<usize> {
    let ci = values(points.last()?).1?;
    let inside = |p: &CurvePoint| {
        let v = values(p).0;
        (0..2).all(|k| v[k] >= ci[k][0] && v[k] <= ci[k][1])
    };
    let mut settled = points.len() - 1;
    while settled > 0 && inside(&points[settled - 1]) {
        settled -= 1;
    }
    Some(settled)
}

/// A channel whose category differs between two models or checkpoints.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CategoryChange {
    /// Channel index.
    pub channel: usize,
    /// Category in the first.
    pub from: Category,
    /// Category in the second.
    pub to: Category,
    /// Stability of each end's category, from the reports (at their
    /// threshold; `None` where unknown).
    pub stability: [Option<f64>; 2],
}

impl CategoryChange {
    /// A change counts as certain only when both ends' categories are at
    /// least [`STABLE`]; `None` when a stability is unknown.
    pub fn certain(&self) -> Option<bool> {
        let [a, b] = self.stability;
        Some(a? >= STABLE && b? >= STABLE)
    }
}

/// Channels of layer `a` and layer `b` (the same layer of two checkpoints,
/// or two models with as many channels) whose categories at `tau` differ.
/// `None` when the channel counts differ (channels do not correspond).
pub fn category_changes(a: &LayerReport, b: &LayerReport, tau: f64) -> Option<Vec<CategoryChange>> {
    if a.channels != b.channels {
        return None;
    }
    Some(
        categories(a, tau)
            .into_iter()
            .zip(categories(b, tau))
            .enumerate()
            .filter(|(_, (x, y))| x != y)
            .map(|(channel, (from, to))| CategoryChange {
                channel,
                from,
                to,
                stability: [stability_of(a, channel), stability_of(b, channel)],
            })
            .collect(),
    )
}

fn stability_of(l: &LayerReport, channel: usize) -> Option<f64> {
    l.units.stability.as_ref()?.get(channel).copied().flatten()
}

/// How an entry is named in views and figures: "cnn3d · epoch 3" (the
/// checkpoint part only for an entry with an epoch or checkpoint; without
/// `with_model`, just that part). An entry the report lacks is "#e".
pub fn entry_label(report: &Report, entry: usize, with_model: bool) -> String {
    let Some(m) = report.models.get(entry) else {
        return format!("#{entry}");
    };
    let ckpt = match (m.epoch, &m.checkpoint) {
        (Some(e), _) => Some(format!("epoch {e}")),
        (None, Some(c)) => Some(c.clone()),
        (None, None) => None,
    };
    match (with_model, ckpt) {
        (true, Some(c)) => format!("{} · {c}", m.name),
        (false, Some(c)) => c,
        (_, None) => m.name.clone(),
    }
}

/// The layer two entries are compared on: `selected` if both have it, else
/// the first layer of `a` that `b` has (`None`: no layer in common, or an
/// entry the report lacks).
pub fn common_layer(report: &Report, a: usize, b: usize, selected: Option<&str>) -> Option<String> {
    let (la, lb) = (&report.models.get(a)?.layers, &report.models.get(b)?.layers);
    let has = |ls: &[LayerReport], n: &str| ls.iter().any(|l| l.name == n);
    selected
        .filter(|n| has(la, n) && has(lb, n))
        .map(str::to_string)
        .or_else(|| la.iter().find(|l| has(lb, &l.name)).map(|l| l.name.clone()))
}
