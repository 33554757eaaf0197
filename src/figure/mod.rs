//! Figures: the plot data derived from a report ([`data`]) — what every
//! view of the app draws and every exported figure shows — the writers for
//! CSV of exactly those numbers, SVG and PNG, and the [`catalogue`] of
//! figures (title, file name, SVG, CSV) that the app's exports and
//! `stadyn export` both render. Pure: no egui, no tch.
//!
//! Colours follow the reference's convention: dynamic blue, static red,
//! joint beige, none grey ([`palette`]).

pub mod caption;
pub mod catalogue;
pub mod convergence;
pub mod csv;
pub mod curves;
pub mod data;
pub mod delta;
pub mod evidence;
pub mod palette;
pub mod panel;
pub mod png;
pub mod svg;
pub mod sweep;

pub use catalogue::{Figure, FigureError, Rendered};
pub use data::{
    CategoryChange, CategoryCurve, ChannelPoint, CurvePoint, LayerBar, ModelGroup, STABLE,
    SettleCriterion, TrainingCurve, category_changes, category_curve, category_curves,
    channel_points, common_layer, count, entry_label, layer_bars, model_groups, settle_index,
    settle_index_probs, tau_grid, tau_sweep, training_curves,
};

#[cfg(test)]
mod tests;
