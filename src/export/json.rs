//! The JSON report on disk.

use super::atomic_write;
use crate::analysis::{REPORT_SCHEMA, Report};
use anyhow::Context as _;
use std::path::Path;

/// Writes a report as pretty JSON, atomically.
pub fn write_report(path: &Path, report: &Report) -> anyhow::Result<()> {
    atomic_write(path, |w| {
        serde_json::to_writer_pretty(&mut *w, report)?;
        w.write_all(b"\n")?;
        Ok(())
    })
    .with_context(|| format!("cannot write report '{}'", path.display()))
}

/// Reads a report, checking its schema.
pub fn read_report(path: &Path) -> anyhow::Result<Report> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read report '{}'", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("'{}' is not valid JSON", path.display()))?;
    let schema = value.get("schema").and_then(|s| s.as_str()).unwrap_or("");
    if schema != REPORT_SCHEMA {
        anyhow::bail!(
            "'{}' is not a stadyn report of schema {REPORT_SCHEMA} (schema: '{schema}')",
            path.display()
        );
    }
    serde_json::from_value(value)
        .with_context(|| format!("'{}' is not a valid report", path.display()))
}
