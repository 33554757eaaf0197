//! The app's exports: a tab's figure or numbers, a channel's files, the
//! channel panel or a pair as a figure or movie, a channel selection. Each
//! asks where (the save picker) on the UI thread and writes on the
//! exporter's thread.

use std::path::PathBuf;

use super::StadynApp;
use crate::gui::action::{ExportFormat, Tab};
use crate::gui::export;
use crate::gui::state::Level;

impl StadynApp {
    /// Asks where to save and exports the tab's figure or numbers there.
    pub(super) fn export(&mut self, tab: Tab, format: ExportFormat) {
        let content = match export::render(tab, &self.state) {
            Ok(Some(c)) => c,
            Ok(None) => {
                self.state.message(
                    Level::Warning,
                    format!("{} has nothing to export yet", tab.label()),
                );
                return;
            }
            Err(e) => {
                self.state
                    .message(Level::Error, format!("Export failed: {e}"));
                return;
            }
        };
        let near = self
            .state
            .project_path
            .clone()
            .or(self.state.report_path.clone());
        match (self.pick_save)(&content.stem, export::extension(format), near.as_deref()) {
            Ok(Some(path)) => self
                .exporter
                .start(content, format, path, self.waker.clone()),
            Ok(None) => {}
            Err(e) => self.state.message(Level::Error, e),
        }
    }

    /// Asks where, then writes channel `c`'s files (top windows with their
    /// maps, the pairs behind ρ, `channel.json`) into a `<layer>_c<C>`
    /// folder there, on the exporter's thread (the model runs again).
    pub(super) fn export_channel(&mut self, channel: usize) {
        let s = &self.state;
        let (Some(report), Some(stats), Some(entry), Some(layer)) = (
            s.report.clone(),
            s.stats.clone(),
            s.selected_entry(),
            s.selection.layer.clone(),
        ) else {
            let why = self.state.without_stats(
                "Exporting a channel needs the statistics (run the project, or open a results \
                 folder with its stats.bin)",
            );
            self.state.message(Level::Warning, why);
            return;
        };
        let stem = crate::inspect::channel_dir_name(&layer, channel);
        let near = s.project_path.clone().or(s.report_path.clone());
        match (self.pick_save)(&stem, "json", near.as_deref()) {
            Ok(Some(path)) => {
                let out = path.parent().map(PathBuf::from).unwrap_or_default();
                self.exporter.start_job(
                    move || export::channel_files(&report, &stats, entry, &layer, channel, &out),
                    self.waker.clone(),
                );
            }
            Ok(None) => {}
            Err(e) => self.state.message(Level::Error, e),
        }
    }

    /// Writes what the channel panel showed, on the exporter's thread.
    pub(super) fn export_panel(
        &mut self,
        snap: std::sync::Arc<crate::gui::views::channel_panel::snapshot::PanelSnapshot>,
    ) {
        let near = self.near();
        match (self.pick_save)(&snap.stem, snap.file.extension(), near.as_deref()) {
            Ok(Some(path)) => self
                .exporter
                .start_job(move || snap.write(&path), self.waker.clone()),
            Ok(None) => {}
            Err(e) => self.state.message(Level::Error, e),
        }
    }

    /// Writes the selected channels as a selection file
    /// (`<layer>_channels.json`, `stadyn.channels/1`), their categories and
    /// stabilities at the τ shown.
    pub(super) fn export_selection(&mut self) {
        let s = &self.state;
        let (Some(report), Some(entry), Some(layer)) = (
            s.report.as_deref(),
            s.selected_entry(),
            s.selection.layer.as_deref(),
        ) else {
            return;
        };
        let channels: Vec<usize> = s.selection.channels.iter().copied().collect();
        let selection = match crate::inspect::ChannelSelection::new(
            report,
            entry,
            layer,
            &channels,
            &s.derived.points,
            s.settings.tau,
        ) {
            Ok(sel) => sel,
            Err(e) => {
                self.state.message(Level::Error, e);
                return;
            }
        };
        let stem = crate::inspect::selection_file_name(layer);
        let stem = stem.trim_end_matches(".json").to_string();
        let near = self.near();
        match (self.pick_save)(&stem, "json", near.as_deref()) {
            Ok(Some(path)) => self.exporter.start_job(
                move || {
                    selection
                        .write(&path)
                        .map(|()| path)
                        .map_err(|e| format!("{e:#}"))
                },
                self.waker.clone(),
            ),
            Ok(None) => {}
            Err(e) => self.state.message(Level::Error, e),
        }
    }

    /// Where save dialogs open: beside the project or report.
    pub(super) fn near(&self) -> Option<PathBuf> {
        self.state
            .project_path
            .clone()
            .or(self.state.report_path.clone())
    }

    /// Asks where, then writes `rows` as `delta.csv` with `delta.svg` and
    /// `delta.png` beside (what `stadyn compare` writes).
    pub(super) fn export_deltas(&mut self, rows: &[crate::compare::DeltaRow], baseline: &str) {
        let near = self.near();
        let path = match (self.pick_save)("delta", "csv", near.as_deref()) {
            Ok(Some(p)) => p,
            Ok(None) => return,
            Err(e) => {
                self.state.message(Level::Error, e);
                return;
            }
        };
        let (rows, baseline) = (rows.to_vec(), baseline.to_string());
        self.exporter.start_job(
            move || {
                let write = || -> anyhow::Result<()> {
                    crate::compare::write_text(&path, &crate::compare::delta_csv(&rows)?)?;
                    let svg = crate::compare::delta_figure(&rows, &baseline);
                    crate::compare::write_text(&path.with_extension("svg"), &svg)?;
                    let png = crate::figure::png::svg_to_png(&svg, 2.0)?;
                    crate::files::atomic_write(&path.with_extension("png"), |w| {
                        Ok(w.write_all(&png)?)
                    })
                };
                write().map(|()| path).map_err(|e| format!("{e:#}"))
            },
            self.waker.clone(),
        );
    }

    /// Asks where, then builds pair `pair`'s strip or captioned movie and
    /// writes it, both on the exporter's thread (captions are rasterized
    /// text: not work for the UI thread).
    pub(super) fn export_pair(
        &mut self,
        pair: std::sync::Arc<crate::worker::pairs::PairFrames>,
        file: crate::gui::views::channel_panel::snapshot::PanelFile,
        fps: f32,
    ) {
        let stem = crate::gui::views::pairs::export::stem(&pair);
        let near = self.near();
        match (self.pick_save)(&stem, file.extension(), near.as_deref()) {
            Ok(Some(path)) => self.exporter.start_job(
                move || {
                    crate::gui::views::pairs::export::snapshot(&pair, file, fps)
                        .map_err(|e| format!("{e:#}"))?
                        .write(&path)
                },
                self.waker.clone(),
            ),
            Ok(None) => {}
            Err(e) => self.state.message(Level::Error, e),
        }
    }
}
