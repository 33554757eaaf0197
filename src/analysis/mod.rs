//! Analysis jobs and their results: estimates from activation files and the
//! versioned report that every face (CLI, GUI, export) reads and writes.

mod activations;
mod report;

pub use activations::{EstimateOptions, LayerArrays, estimate_npz, find_layers};

pub use report::{
    LayerReport, ModelReport, PairCounts, REPORT_SCHEMA, Report, ReportSettings, UnitsReport,
    Warning,
};
