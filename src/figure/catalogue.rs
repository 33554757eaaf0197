//! The catalogue of figures a report gives: each [`Figure`] names what it
//! shows (which entries, layer, model; the view's parameters) and
//! [`Figure::render`] makes its title, file stem, SVG and CSV (exactly the
//! numbers it plots). The app's export buttons and `stadyn export` both go
//! through here ([`every`] is what `stadyn export` writes), so a figure has
//! one title, one file name and one CSV whichever face made it.
//!
//! Entries are indices into `report.models`; a figure naming an entry, layer
//! or model the report does not have renders to [`FigureError::Missing`],
//! never to a panic.

use super::csv::{
    bars_csv, category_curves_csv, changes_csv, compared_points_csv, curves_csv, metrics_csv,
    points_csv, slug,
};
use super::data::{
    category_changes, category_curves, channel_points, common_layer, entry_label, layer_bars,
    model_groups, training_curves,
};
use super::svg::{TrainingExtras, bars_svg, compose, scatter_svg, scatters_svg, training_svg_with};
use crate::report::{LayerReport, ModelReport, Report};

/// A figure of a report, with the view's parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum Figure {
    /// Layer bars (dynamic / static / residual, and the channel categories)
    /// of these entries, in this order.
    Layers {
        /// The entries.
        entries: Vec<usize>,
        /// `Some(model)`: the entries are that model's checkpoints (the
        /// title and file name say so); `None`: one entry per model.
        checkpoints_of: Option<String>,
    },
    /// The ρ_S–ρ_D scatter of one layer of one entry.
    Channels {
        /// The entry.
        entry: usize,
        /// The layer's name.
        layer: String,
        /// Channels drawn with a ring.
        selected: Vec<usize>,
    },
    /// The shares of every layer of a model across its checkpoints.
    Training {
        /// The model's name (a model with several checkpoints).
        model: String,
    },
    /// Each layer's shares of one entry against the pairs measured (its
    /// convergence history).
    Convergence {
        /// The entry.
        entry: usize,
    },
    /// Two entries side by side: their bars, the channels whose category
    /// differs, and the scatters of a layer both have.
    Compare {
        /// The first entry (A).
        a: usize,
        /// The second entry (B).
        b: usize,
        /// The layer to show when both have it (else the first of A's that
        /// B has).
        layer: Option<String>,
        /// Channels of that layer drawn with a ring (only when it is shown).
        selected: Vec<usize>,
    },
}

/// A rendered figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// Its title (also inside the SVG).
    pub title: String,
    /// The file name without extension.
    pub stem: String,
    /// The figure.
    pub svg: String,
    /// The numbers plotted.
    pub csv: String,
}

/// Why a figure cannot be rendered.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    /// The report has no such entry, layer or model (or nothing to plot).
    #[error("nothing to draw: {0}")]
    Missing(String),
    /// The CSV could not be written.
    #[error("cannot write the figure's numbers: {0}")]
    Csv(String),
}

impl From<anyhow::Error> for FigureError {
    fn from(e: anyhow::Error) -> Self {
        FigureError::Csv(format!("{e:#}"))
    }
}

impl Figure {
    /// The figure of `report` at threshold `tau`. A partial report's
    /// figure says so (in its title, stamped on the SVG, and in a `partial`
    /// column of every CSV table).
    pub fn render(&self, report: &Report, tau: f64) -> Result<Rendered, FigureError> {
        let mut r = self.render_whole(report, tau)?;
        if let Some(p) = report.partial {
            let note = format!("partial: {} of {} pairs", p.pairs_done, p.pairs_planned);
            r.title = format!("{} ({note})", r.title);
            r.svg = super::svg::stamp(&r.svg, &note);
            r.csv = mark_partial(report, &r.csv);
        }
        Ok(r)
    }

    fn render_whole(&self, report: &Report, tau: f64) -> Result<Rendered, FigureError> {
        match self {
            Figure::Layers {
                entries,
                checkpoints_of,
            } => layers(report, tau, entries, checkpoints_of.as_deref()),
            Figure::Channels {
                entry,
                layer,
                selected,
            } => channels(report, tau, *entry, layer, selected),
            Figure::Training { model } => training(report, tau, model),
            Figure::Convergence { entry: e } => convergence(report, *e),
            Figure::Compare {
                a,
                b,
                layer,
                selected,
            } => compare(report, tau, (*a, *b), layer.as_deref(), selected),
        }
    }
}

/// `csv` of `report` as is, or for a partial report with a `partial`
/// column saying how many pairs it holds ([`partial_column`]).
pub fn mark_partial(report: &Report, csv: &str) -> String {
    match report.partial {
        Some(p) => partial_column(csv, &format!("{} of {}", p.pairs_done, p.pairs_planned)),
        None => csv.to_string(),
    }
}

/// `csv` with a `partial` column: the header of every table (tables are
/// separated by blank lines) gains it, every row gets `value`.
fn partial_column(csv: &str, value: &str) -> String {
    let mut out = String::with_capacity(csv.len() + 32);
    let mut header = true;
    for line in csv.lines() {
        if line.is_empty() {
            header = true;
            out.push('\n');
            continue;
        }
        out.push_str(line);
        out.push(',');
        out.push_str(if header { "partial" } else { value });
        out.push('\n');
        header = false;
    }
    out
}

/// The figures `stadyn export` writes: the bars of every model at its last
/// checkpoint, each model's training curves (models with checkpoints), and
/// the scatter of every model's last layer at its last checkpoint.
pub fn every(report: &Report) -> Vec<Figure> {
    let groups = model_groups(report);
    let last = |g: &super::ModelGroup| g.entries.last().copied();
    let mut out = vec![Figure::Layers {
        entries: groups.iter().filter_map(last).collect(),
        checkpoints_of: None,
    }];
    for g in &groups {
        if g.entries.len() > 1 {
            out.push(Figure::Training {
                model: g.name.clone(),
            });
        }
        let Some(entry) = last(g) else { continue };
        if report
            .models
            .get(entry)
            .is_some_and(|m| !m.convergence.is_empty())
        {
            out.push(Figure::Convergence { entry });
        }
        if let Some(l) = report.models.get(entry).and_then(|m| m.layers.last()) {
            out.push(Figure::Channels {
                entry,
                layer: l.name.clone(),
                selected: Vec::new(),
            });
        }
    }
    out
}

fn missing(what: impl Into<String>) -> FigureError {
    FigureError::Missing(what.into())
}

/// Entry `e` of the report.
fn entry(report: &Report, e: usize) -> Result<&ModelReport, FigureError> {
    report
        .models
        .get(e)
        .ok_or_else(|| missing(format!("no entry #{e}")))
}

/// Layer `name` of a model.
fn find_layer<'r>(m: &'r ModelReport, name: &str) -> Result<&'r LayerReport, FigureError> {
    m.layers
        .iter()
        .find(|l| l.name == name)
        .ok_or_else(|| missing(format!("{} has no layer '{name}'", m.name)))
}

fn layers(
    report: &Report,
    tau: f64,
    entries: &[usize],
    checkpoints_of: Option<&str>,
) -> Result<Rendered, FigureError> {
    let all = layer_bars(report, tau);
    let bars: Vec<_> = entries
        .iter()
        .flat_map(|&e| all.iter().filter(move |b| b.model_index == e))
        .cloned()
        .collect();
    if bars.is_empty() {
        return Err(missing("no layers"));
    }
    let (title, stem) = match checkpoints_of {
        Some(m) => (
            format!("{m}: static and dynamic share per layer and checkpoint"),
            format!("bars_{}_checkpoints", slug(m)),
        ),
        None => ("Static and dynamic share per layer".into(), "bars".into()),
    };
    Ok(Rendered {
        svg: bars_svg(&bars, &title),
        csv: bars_csv(&bars, tau)?,
        title,
        stem,
    })
}

fn channels(
    report: &Report,
    tau: f64,
    entry: usize,
    layer: &str,
    selected: &[usize],
) -> Result<Rendered, FigureError> {
    let m = self::entry(report, entry)?;
    let l = find_layer(m, layer)?;
    let (points, undefined) = channel_points(l, tau);
    let model = &m.name;
    let title = format!(
        "{} · {}: channels ({undefined} undefined)",
        entry_label(report, entry, true),
        l.name
    );
    Ok(Rendered {
        svg: scatter_svg(&points, tau, selected, &title),
        csv: points_csv(l, &points, tau)?,
        stem: format!("channels_{}_{}", slug(model), slug(&l.name)),
        title,
    })
}

/// The curves' figure; the CSV holds the shares and then the channels per
/// category at `tau` (both plotted in the app).
fn training(report: &Report, tau: f64, model: &str) -> Result<Rendered, FigureError> {
    let g = model_groups(report)
        .into_iter()
        .find(|g| g.name == model)
        .filter(|g| g.entries.len() > 1)
        .ok_or_else(|| missing(format!("no model '{model}' with several checkpoints")))?;
    let curves = training_curves(report, &g);
    let title = format!("{model}: shares across training");
    let categories = category_curves(report, &curves, tau);
    let extras = TrainingExtras {
        categories: &categories,
        tau,
        metrics: curves
            .iter()
            .map(|c| super::data::fraction_metrics(c, report))
            .collect(),
    };
    Ok(Rendered {
        svg: training_svg_with(&curves, &title, &extras),
        csv: format!(
            "{}\n{}\n{}",
            curves_csv(model, &curves)?,
            category_curves_csv(model, &categories, tau)?,
            // Every layer's checkpoints carry the same metrics: one table.
            metrics_csv(model, extras.metrics.first().map_or(&[][..], Vec::as_slice))?
        ),
        stem: format!("training_{}", slug(model)),
        title,
    })
}

/// The convergence of one entry: a panel per layer against the pairs
/// measured; the CSV holds every point.
fn convergence(report: &Report, e: usize) -> Result<Rendered, FigureError> {
    let m = entry(report, e)?;
    let curves = super::convergence::convergence_curves(m);
    if curves.is_empty() {
        return Err(missing(format!("{} has no convergence history", m.name)));
    }
    let label = entry_label(report, e, true);
    let title = format!("{label}: shares against the pairs measured");
    Ok(Rendered {
        svg: super::svg::curves_svg(&curves, &title, "pairs measured", false),
        csv: super::convergence::convergence_csv(m)?,
        stem: format!("convergence_{}", slug(&label)),
        title,
    })
}

/// The bars of both, above the scatters of the layer shown; the CSV holds
/// the bars, the changed channels and both scatters' points, one table
/// after another.
fn compare(
    report: &Report,
    tau: f64,
    (a, b): (usize, usize),
    layer: Option<&str>,
    selected: &[usize],
) -> Result<Rendered, FigureError> {
    let (ma, mb) = (entry(report, a)?, entry(report, b)?);
    let (na, nb) = (entry_label(report, a, true), entry_label(report, b, true));
    let title = format!("{na} and {nb}: static and dynamic share per layer");
    let all = layer_bars(report, tau);
    let bars: Vec<_> = [a, b]
        .iter()
        .flat_map(|&e| all.iter().filter(move |x| x.model_index == e))
        .cloned()
        .collect();
    let mut csv = bars_csv(&bars, tau)?;
    csv.push('\n');
    // Channels correspond only between checkpoints of one model: other
    // models' channel k has nothing to do with this one's.
    let correspond = ma.name == mb.name;
    let mut changes = Vec::new();
    for la in ma.layers.iter().filter(|_| correspond) {
        if let Ok(lb) = find_layer(mb, &la.name) {
            let c = category_changes(la, lb, tau).unwrap_or_default();
            changes.push((la.name.as_str(), c));
        }
    }
    csv.push_str(&changes_csv(&changes)?);
    let mut rows = vec![vec![bars_svg(&bars, &title)]];
    let shown = common_layer(report, a, b, layer);
    if let Some(name) = &shown {
        let (la, lb) = (find_layer(ma, name)?, find_layer(mb, name)?);
        // the rings are the selection of the layer the view selected
        let rings = if Some(name.as_str()) == layer && correspond {
            selected
        } else {
            &[]
        };
        let (pa, pb) = (channel_points(la, tau).0, channel_points(lb, tau).0);
        let (ta, tb) = (format!("{na} · {name}"), format!("{nb} · {name}"));
        rows.push(scatters_svg(
            &[(&pa[..], ta.as_str()), (&pb[..], tb.as_str())],
            tau,
            rings,
        ));
        let sides = [(na.as_str(), la, &pa[..]), (nb.as_str(), lb, &pb[..])];
        csv.push('\n');
        csv.push_str(&compared_points_csv(&sides, tau)?);
    }
    Ok(Rendered {
        svg: compose(&rows),
        csv,
        title,
        stem: "compare".into(),
    })
}
