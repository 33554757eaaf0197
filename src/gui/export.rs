//! Exports from the views: the figure a tab shows as PNG or SVG, or exactly
//! the numbers it plots as CSV, through the same `figure` code as
//! `stadyn export`. The content is taken from the state on the UI thread
//! (cheap: strings); rasterizing and writing run on a named thread, and the
//! outcome comes back through [`Exporter::poll`].

use std::path::PathBuf;

use crossbeam_channel::{Receiver, Sender, bounded};

use super::action::{ExportFormat, Tab};
use super::state::AppState;
use super::views::compare::{common_layer, compared_pair};
use super::views::layers::{bar_groups, grouped_by_checkpoint};
use super::views::plot_common::entry_label;
use crate::figure::csv::{bars_csv, compared_points_csv, curves_csv, points_csv, slug};
use crate::figure::svg::{bars_svg, compose, scatter_svg, scatters_svg, training_svg};
use crate::figure::{category_changes, channel_points, layer_bars};

/// What a tab exports: a figure (SVG text), its numbers (CSV text) and a
/// file stem to suggest.
#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    /// The figure.
    pub svg: String,
    /// The numbers plotted.
    pub csv: String,
    /// A file name without extension.
    pub stem: String,
}

/// The figure and numbers of `tab` for the current state; `None` when the
/// tab has nothing to export (no report, or the Videos & pairs tab).
pub fn content(tab: Tab, state: &AppState) -> Option<Exported> {
    let report = state.report.as_ref()?;
    let tau = state.settings.tau;
    let d = &state.derived;
    let group = d.groups.get(state.selection.group);
    match tab {
        Tab::Layers => {
            // the entries the Layers view shows, in its order
            let by_checkpoint = grouped_by_checkpoint(state);
            let bars: Vec<_> = bar_groups(state, by_checkpoint)
                .iter()
                .flat_map(|g| d.bars.iter().filter(move |b| b.model_index == g.entry))
                .cloned()
                .collect();
            let (title, stem) = match group.filter(|_| by_checkpoint) {
                Some(g) => (
                    format!(
                        "{}: static and dynamic share per layer and checkpoint",
                        g.name
                    ),
                    format!("layers_{}_checkpoints", slug(&g.name)),
                ),
                None => (
                    "Static and dynamic share per layer".to_string(),
                    "layers".to_string(),
                ),
            };
            Some(Exported {
                svg: bars_svg(&bars, &title),
                csv: bars_csv(&bars, tau).ok()?,
                stem,
            })
        }
        Tab::Channels => {
            let entry = state.selected_entry()?;
            let model = report.models.get(entry)?;
            let layer = model
                .layers
                .iter()
                .find(|l| Some(&l.name) == state.selection.layer.as_ref())?;
            let selected: Vec<usize> = state.selection.channels.iter().copied().collect();
            let title = format!(
                "{} · {}: channels ({} undefined)",
                model.name, layer.name, d.undefined
            );
            Some(Exported {
                svg: scatter_svg(&d.points, tau, &selected, &title),
                csv: points_csv(layer, &d.points, tau).ok()?,
                stem: format!("channels_{}_{}", slug(&model.name), slug(&layer.name)),
            })
        }
        Tab::Training => {
            let g = group.filter(|g| g.entries.len() > 1)?;
            Some(Exported {
                svg: training_svg(&d.curves, &format!("{}: shares across training", g.name)),
                csv: curves_csv(&g.name, &d.curves).ok()?,
                stem: format!("training_{}", slug(&g.name)),
            })
        }
        Tab::Compare => {
            // the pair the view shows (picked, or its default)
            let (a, b) = compared_pair(state)?;
            let bars: Vec<_> = layer_bars(report, tau)
                .into_iter()
                .filter(|x| x.model_index == a || x.model_index == b)
                .collect();
            let mut csv = bars_csv(&bars, tau).ok()?;
            csv.push_str("\nlayer,channel,from,to\n");
            let (ma, mb) = (report.models.get(a)?, report.models.get(b)?);
            for la in &ma.layers {
                let Some(lb) = mb.layers.iter().find(|l| l.name == la.name) else {
                    continue;
                };
                for c in category_changes(la, lb, tau).unwrap_or_default() {
                    csv.push_str(&format!(
                        "{},{},{},{}\n",
                        la.name,
                        c.channel,
                        c.from.name(),
                        c.to.name()
                    ));
                }
            }
            let mut rows = vec![vec![bars_svg(
                &bars,
                "Compared: static and dynamic share per layer",
            )]];
            // the scatters of the layer the view shows, as in the view
            let name = common_layer(report, a, b, state.selection.layer.as_deref());
            let layer_of = |e: usize| {
                let m = report.models.get(e)?;
                m.layers.iter().find(|l| Some(&l.name) == name.as_ref())
            };
            if let (Some(la), Some(lb)) = (layer_of(a), layer_of(b)) {
                let selected: Vec<usize> = state.selection.channels.iter().copied().collect();
                let (pa, pb) = (channel_points(la, tau).0, channel_points(lb, tau).0);
                let (na, nb) = (entry_label(report, a, true), entry_label(report, b, true));
                let title = |n: &str| format!("{n} · {}", la.name);
                let (ta, tb) = (title(&na), title(&nb));
                rows.push(scatters_svg(
                    &[(&pa[..], ta.as_str()), (&pb[..], tb.as_str())],
                    tau,
                    &selected,
                ));
                let sides = [(na.as_str(), la, &pa[..]), (nb.as_str(), lb, &pb[..])];
                csv.push('\n');
                csv.push_str(&compared_points_csv(&sides, tau).ok()?);
            }
            Some(Exported {
                svg: compose(&rows),
                csv,
                stem: "compare".into(),
            })
        }
        Tab::Pairs => None,
    }
}

/// Writes exports on a background thread, one at a time.
pub struct Exporter {
    tx: Sender<Result<PathBuf, String>>,
    rx: Receiver<Result<PathBuf, String>>,
}

impl Default for Exporter {
    fn default() -> Self {
        let (tx, rx) = bounded(16);
        Self { tx, rx }
    }
}

impl Exporter {
    /// Writes `content` as `format` to `path` on a named thread; `waker` is
    /// called when it is done.
    pub fn start(
        &self,
        content: Exported,
        format: ExportFormat,
        path: PathBuf,
        waker: std::sync::Arc<dyn Fn() + Send + Sync>,
    ) {
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new()
            .name("stadyn-export".into())
            .spawn(move || {
                let bytes = match format {
                    ExportFormat::Svg => Ok(content.svg.into_bytes()),
                    ExportFormat::Csv => Ok(content.csv.into_bytes()),
                    ExportFormat::Png => crate::figure::png::svg_to_png(&content.svg, 2.0),
                };
                let result = bytes
                    .and_then(|b| {
                        crate::files::atomic_write(&path, |f| Ok(f.write_all(&b)?))?;
                        Ok(path)
                    })
                    .map_err(|e| format!("{e:#}"));
                let _ = tx.send(result);
                waker();
            });
        if let Err(e) = spawned {
            let _ = self
                .tx
                .send(Err(format!("cannot start the export thread: {e}")));
        }
    }

    /// The outcome of a finished export, if any.
    pub fn poll(&self) -> Option<Result<PathBuf, String>> {
        self.rx.try_recv().ok()
    }
}

/// The file extension of a format.
pub fn extension(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Png => "png",
        ExportFormat::Svg => "svg",
        ExportFormat::Csv => "csv",
    }
}
