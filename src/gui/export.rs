//! Exports from the views: the figure a tab shows as PNG or SVG, or exactly
//! the numbers it plots as CSV. A tab names its figure and the view's
//! parameters ([`figure`]); the `figure` room's catalogue renders it, as it
//! does for `stadyn export`. Rendering is cheap (strings) and runs on the UI
//! thread; rasterizing and writing run on a named thread, and the outcome
//! comes back through [`Exporter::poll`].

use std::path::PathBuf;

use crossbeam_channel::{Receiver, Sender, bounded};

use super::action::{ExportFormat, Tab};
use super::state::{AppState, LayersShow};
use super::views::compare::compared_pair;
use super::views::layers::{bar_groups, grouped_by_checkpoint};
use crate::figure::{Figure, FigureError, Rendered};

/// The figure `tab` shows for the current state, with the view's
/// parameters; `None` when it shows none (no report, nothing selected, the
/// Videos & pairs tab).
pub fn figure(tab: Tab, state: &AppState) -> Option<Figure> {
    state.report.as_ref()?;
    let group = state.derived.groups.get(state.selection.group);
    let selected = || state.selection.channels.iter().copied().collect();
    match tab {
        Tab::Layers if state.settings.layers_show == LayersShow::Convergence => {
            Some(Figure::Convergence {
                entry: state.selected_entry()?,
            })
        }
        Tab::Layers => {
            // the entries the Layers view shows, in its order
            let by_checkpoint = grouped_by_checkpoint(state);
            Some(Figure::Layers {
                entries: bar_groups(state, by_checkpoint)
                    .iter()
                    .map(|g| g.entry)
                    .collect(),
                checkpoints_of: group.filter(|_| by_checkpoint).map(|g| g.name.clone()),
            })
        }
        Tab::Channels => Some(Figure::Channels {
            entry: state.selected_entry()?,
            layer: state.selection.layer.clone()?,
            selected: selected(),
        }),
        Tab::Training => Some(Figure::Training {
            model: group.filter(|g| g.entries.len() > 1)?.name.clone(),
        }),
        Tab::Compare => {
            // the pair the view shows (picked, or its default)
            let (a, b) = compared_pair(state)?;
            Some(Figure::Compare {
                a,
                b,
                layer: state.selection.layer.clone(),
                selected: selected(),
            })
        }
        Tab::Pairs => None,
    }
}

/// The figure of `tab` rendered for the current state: `Ok(None)` when the
/// tab has nothing to export, `Err` when its numbers cannot be written.
pub fn render(tab: Tab, state: &AppState) -> Result<Option<Rendered>, String> {
    if tab == Tab::Layers && state.settings.layers_show == LayersShow::Strength {
        return strength(state);
    }
    let (Some(report), Some(figure)) = (state.report.as_deref(), figure(tab, state)) else {
        return Ok(None);
    };
    match figure.render(report, state.settings.tau) {
        Ok(r) if tab == Tab::Compare => Ok(Some(with_deltas(r, state))),
        Ok(r) => Ok(Some(r)),
        Err(FigureError::Missing(why)) => {
            log::debug!("nothing to export from {}: {why}", tab.label());
            Ok(None)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The style-strength view's export: the selected entry's layers against
/// the strength (the sweep's figure for one entry) and those rows of
/// `sweep.csv`; nothing without a sweep or an entry it covers.
fn strength(state: &AppState) -> Result<Option<Rendered>, String> {
    use crate::figure::sweep::{sweep_csv, sweep_curves};
    let (Some(report), Some(sweep), Some(e)) = (
        state.report.as_deref(),
        state.sweep.as_deref(),
        state.selected_entry(),
    ) else {
        return Ok(None);
    };
    let Some(m) = report.models.get(e) else {
        return Ok(None);
    };
    let checkpoint = m.checkpoint.clone().unwrap_or_default();
    let rows: Vec<_> = sweep
        .rows
        .iter()
        .filter(|r| r.model == m.name && r.checkpoint == checkpoint)
        .cloned()
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let label = crate::figure::entry_label(report, e, true);
    let title = format!("{label}: shares against the style strength");
    let curves = sweep_curves(&rows, &m.name, &checkpoint);
    Ok(Some(Rendered {
        svg: crate::figure::svg::curves_svg(&curves, &title, "style strength", false),
        csv: sweep_csv(&rows).map_err(|e| format!("{e:#}"))?,
        stem: format!("strength_{}", crate::figure::csv::slug(&label)),
        title,
    }))
}

/// Compare's export with B − A and its paired intervals (when the app has
/// the statistics): the chart under the figure, the table after the CSV's.
fn with_deltas(mut r: Rendered, state: &AppState) -> Rendered {
    let (Some(report), Some(stats), Some((a, b))) = (
        state.report.as_deref(),
        state.stats.as_deref(),
        compared_pair(state),
    ) else {
        return r;
    };
    let Ok(rows) = crate::compare::deltas(report, stats, (a, b), None, false) else {
        return r;
    };
    let Ok(csv) = crate::compare::delta_csv(&rows) else {
        return r;
    };
    let csv = crate::figure::catalogue::mark_partial(report, &csv);
    let chart = crate::compare::delta_figure(&rows, &crate::compare::selector_of(report, a));
    r.svg = crate::figure::svg::compose(&[vec![r.svg], vec![chart]]);
    r.csv = format!("{}\n{}", r.csv.trim_end(), csv);
    r
}

/// [`render`], with an error taken as nothing to export (for tests).
pub fn content(tab: Tab, state: &AppState) -> Option<Rendered> {
    render(tab, state).ok().flatten()
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
        content: Rendered,
        format: ExportFormat,
        path: PathBuf,
        waker: std::sync::Arc<dyn Fn() + Send + Sync>,
    ) {
        self.start_job(
            move || {
                let bytes = match format {
                    ExportFormat::Svg => Ok(content.svg.into_bytes()),
                    ExportFormat::Csv => Ok(content.csv.into_bytes()),
                    ExportFormat::Png => crate::figure::png::svg_to_png(&content.svg, 2.0),
                };
                bytes
                    .and_then(|b| {
                        crate::files::atomic_write(&path, |f| Ok(f.write_all(&b)?))?;
                        Ok(path)
                    })
                    .map_err(|e| format!("{e:#}"))
            },
            waker,
        );
    }

    /// Runs `job` (which writes something and returns where) on a named
    /// thread; its outcome comes out of [`poll`](Self::poll) like a
    /// figure's.
    pub fn start_job(
        &self,
        job: impl FnOnce() -> Result<PathBuf, String> + Send + 'static,
        waker: std::sync::Arc<dyn Fn() + Send + Sync>,
    ) {
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new()
            .name("stadyn-export".into())
            .spawn(move || {
                let _ = tx.send(job());
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

/// Writes channel `channel` of `layer` of entry `entry` into
/// `out/<layer>_c<C>/` as `stadyn channels` does (the model runs again, on
/// the CPU) and returns the folder.
#[cfg(feature = "torch")]
pub fn channel_files(
    report: &crate::report::Report,
    stats: &crate::analysis::StatsFile,
    entry: usize,
    layer: &str,
    channel: usize,
    out: &std::path::Path,
) -> Result<PathBuf, String> {
    use crate::model::{Device, Extractor, Manifest, TorchScriptModel};
    let (_, acc, _) =
        crate::inspect::layer_of(report, stats, entry, layer).map_err(|e| format!("{e:#}"))?;
    let files = crate::inspect::ChannelFiles {
        report,
        stats,
        model: entry,
        layer,
        top: acc.top().k(),
    };
    let mut load =
        |path: &std::path::Path, manifest: Manifest| -> anyhow::Result<Box<dyn Extractor>> {
            Ok(Box::new(TorchScriptModel::load(
                path,
                manifest,
                Device::Cpu,
            )?))
        };
    files
        .write_all(&[channel], &mut load, out)
        .map_err(|e| format!("{e:#}"))?
        .pop()
        .ok_or_else(|| "nothing written".to_string())
}

/// Without libtorch no model runs, so no maps can be written.
#[cfg(not(feature = "torch"))]
pub fn channel_files(
    _report: &crate::report::Report,
    _stats: &crate::analysis::StatsFile,
    _entry: usize,
    _layer: &str,
    _channel: usize,
    _out: &std::path::Path,
) -> Result<PathBuf, String> {
    Err(
        "this stadyn was built without TorchScript support (feature `torch`): it cannot run \
         the model to write a channel's maps"
            .into(),
    )
}
