//! Writers of what stadyn produces: the JSON report, tidy CSVs and the
//! reference code's two-row `<name>_dim_est.csv`. Every file is written
//! atomically (temp file, then rename), so an interrupted run never leaves a
//! half-written file behind.

mod convergence;
mod csv;

pub use convergence::{has_convergence, write_convergence_csv};
pub use csv::{
    dim_est_csv, dim_est_file_name, write_channels_csv, write_csv, write_dim_est_csvs,
    write_layers_csv, write_unit_categories_csv,
};

use crate::files::ensure_writable_dir;
use crate::report::{Report, write_report};
use std::path::{Path, PathBuf};

/// Writes `report.json` and every CSV of a report into `dir`; returns the
/// paths written.
pub fn write_all(dir: &Path, report: &Report) -> anyhow::Result<Vec<PathBuf>> {
    ensure_writable_dir(dir)?;
    let mut written = vec![dir.join("report.json")];
    write_report(&written[0], report)?;
    for (name, write) in [
        (
            "layers.csv",
            write_layers_csv as fn(&Path, &Report) -> anyhow::Result<()>,
        ),
        ("unit_categories.csv", write_unit_categories_csv),
        ("channels.csv", write_channels_csv),
    ] {
        let path = dir.join(name);
        write(&path, report)?;
        written.push(path);
    }
    if has_convergence(report) {
        let path = dir.join("convergence.csv");
        write_convergence_csv(&path, report)?;
        written.push(path);
    }
    written.extend(write_dim_est_csvs(dir, report)?);
    Ok(written)
}

#[cfg(test)]
mod tests;
