//! The table of selected channels beside the scatter: channel, ρ_S, ρ_D
//! (their 95 % intervals on hover), category and its stability, sorted by the column whose header was clicked last (again:
//! reversed). Rows are rebuilt only when the data or the selection changes,
//! and only the visible rows are laid out.

use std::collections::BTreeSet;

use super::plot_common::{category_color, category_name, rho};
use super::plot_scatter::ScatterData;
use crate::stats::Category;

/// A column of the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Column {
    /// Channel index.
    #[default]
    Channel,
    /// ρ_S.
    RhoStatic,
    /// ρ_D.
    RhoDynamic,
    /// Category at τ.
    Category,
    /// The category's stability over bootstrap replicates.
    Stability,
}

impl Column {
    const ALL: [Column; 5] = [
        Column::Channel,
        Column::RhoStatic,
        Column::RhoDynamic,
        Column::Category,
        Column::Stability,
    ];

    fn title(self) -> &'static str {
        match self {
            Column::Channel => "channel",
            Column::RhoStatic => "ρ_S",
            Column::RhoDynamic => "ρ_D",
            Column::Category => "category",
            Column::Stability => "stable",
        }
    }
}

/// One selected channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Row {
    /// Channel index.
    pub channel: usize,
    /// ρ_S (`None`: undefined).
    pub rho_static: Option<f64>,
    /// ρ_D (`None`: undefined).
    pub rho_dynamic: Option<f64>,
    /// Category at τ.
    pub category: Category,
    /// 95 % intervals `[ρ_S, ρ_D]`, if known.
    pub ci: Option<[[f64; 2]; 2]>,
    /// The category's stability, if known.
    pub stability: Option<f64>,
}

/// The rows of the selected `channels` (a channel without a point has an
/// undefined ρ and no category).
pub(crate) fn table_rows(data: &ScatterData, channels: &BTreeSet<usize>) -> Vec<Row> {
    channels
        .iter()
        .map(|&c| match data.index_of(c) {
            Some(i) => {
                let p = data.points[i];
                Row {
                    channel: c,
                    rho_static: Some(p.rho_static),
                    rho_dynamic: Some(p.rho_dynamic),
                    category: p.category,
                    ci: p.ci,
                    stability: p.stability,
                }
            }
            None => Row {
                channel: c,
                rho_static: None,
                rho_dynamic: None,
                category: Category::Unassigned,
                ci: None,
                stability: None,
            },
        })
        .collect()
}

/// Sorts `rows` by `column` (undefined ρ last; ties by channel).
pub(crate) fn sort_rows(rows: &mut [Row], column: Column, descending: bool) {
    let key = |r: &Row| match column {
        Column::Channel => r.channel as f64,
        Column::RhoStatic => r.rho_static.unwrap_or(f64::NAN),
        Column::RhoDynamic => r.rho_dynamic.unwrap_or(f64::NAN),
        Column::Category => Category::ALL
            .iter()
            .position(|&c| c == r.category)
            .unwrap_or(4) as f64,
        Column::Stability => r.stability.unwrap_or(f64::NAN),
    };
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        let by_key = match (ka.is_nan(), kb.is_nan()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            (false, false) if descending => kb.total_cmp(&ka),
            (false, false) => ka.total_cmp(&kb),
        };
        by_key.then(a.channel.cmp(&b.channel))
    });
}

/// The table's sort order and cached rows.
#[derive(Default)]
pub(crate) struct SelectedTable {
    sort: Column,
    descending: bool,
    rows: Vec<Row>,
    /// `(generation, selection, sort, descending)` the rows were made for.
    made_for: Option<(u64, BTreeSet<usize>, Column, bool)>,
}

impl SelectedTable {
    /// Draws the table; returns a channel whose "×" was clicked.
    pub(crate) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        generation: u64,
        channels: &BTreeSet<usize>,
        data: &ScatterData,
    ) -> Option<usize> {
        let fresh = self.made_for.as_ref().is_some_and(|(g, sel, col, desc)| {
            *g == generation && sel == channels && *col == self.sort && *desc == self.descending
        });
        if !fresh {
            self.rows = table_rows(data, channels);
            sort_rows(&mut self.rows, self.sort, self.descending);
            self.made_for = Some((generation, channels.clone(), self.sort, self.descending));
        }
        ui.strong(format!("Selected channels ({})", self.rows.len()));
        if self.rows.is_empty() {
            ui.label("Click a point, or drag a box, to select channels.");
            return None;
        }
        // Columns share the panel's width, so the panel never grows with its rows.
        let gap = ui.spacing().item_spacing.x;
        let w = ((ui.available_width() - 24.0 - 6.0 * gap) / 5.4).max(30.0);
        let widths = [w, w, w, 1.4 * w, w];
        ui.horizontal(|ui| {
            for (col, w) in Column::ALL.into_iter().zip(widths) {
                let arrow = match (col == self.sort, self.descending) {
                    (false, _) => "",
                    (true, false) => " asc",
                    (true, true) => " desc",
                };
                let b = egui::Button::new(format!("{}{arrow}", col.title())).frame(false);
                if ui.add_sized([w, 18.0], b).clicked() {
                    self.descending = col == self.sort && !self.descending;
                    self.sort = col;
                }
            }
        });
        ui.separator();
        let mut removed = None;
        let row_height = ui.spacing().interact_size.y;
        egui::ScrollArea::vertical()
            .id_salt("selected_rows")
            .auto_shrink([false, false])
            .show_rows(ui, row_height, self.rows.len(), |ui, range| {
                for r in &self.rows[range] {
                    ui.horizontal(|ui| {
                        let text = |v: Option<f64>| v.map_or("—".to_string(), rho);
                        ui.add_sized(
                            [widths[0], row_height],
                            egui::Label::new(r.channel.to_string()),
                        );
                        let interval = |k: usize| {
                            r.ci.map_or("no interval (no per-channel bootstrap)".into(), |c| {
                                format!("95 % interval [{}, {}]", rho(c[k][0]), rho(c[k][1]))
                            })
                        };
                        ui.add_sized(
                            [widths[1], row_height],
                            egui::Label::new(text(r.rho_static)),
                        )
                        .on_hover_text(interval(0));
                        ui.add_sized(
                            [widths[2], row_height],
                            egui::Label::new(text(r.rho_dynamic)),
                        )
                        .on_hover_text(interval(1));
                        let cat = egui::RichText::new(category_name(r.category))
                            .color(category_color(r.category));
                        ui.add_sized([widths[3], row_height], egui::Label::new(cat));
                        let stable = r
                            .stability
                            .map_or("—".into(), |s| format!("{:.0} %", 100.0 * s));
                        ui.add_sized([widths[4], row_height], egui::Label::new(stable))
                            .on_hover_text(
                                "Share of bootstrap replicates that give this category \
                                 (faded in the scatter below 90 %)",
                            );
                        if ui
                            .small_button("×")
                            .on_hover_text("Remove from the selection")
                            .clicked()
                        {
                            removed = Some(r.channel);
                        }
                    });
                }
            });
        removed
    }
}
