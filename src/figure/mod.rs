//! Figures: the plot data derived from a report ([`data`]) — what every
//! view of the app draws and every exported figure shows — and the
//! writers for CSV of exactly those numbers, SVG and PNG. Pure: no egui,
//! no tch; the app and `stadyn export` call the same functions.
//!
//! Colours follow the reference's convention: dynamic blue, static red,
//! joint beige, none grey ([`palette`]).

pub mod csv;
pub mod data;
pub mod palette;
pub mod png;
pub mod svg;

pub use data::{
    CategoryChange, ChannelPoint, CurvePoint, LayerBar, ModelGroup, TrainingCurve,
    category_changes, channel_points, layer_bars, model_groups, settle_index, training_curves,
};

#[cfg(test)]
mod tests;
