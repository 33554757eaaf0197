//! The JSON report on disk.

use super::{OLDER_REPORT_SCHEMAS, REPORT_SCHEMA, Report};
use crate::files::atomic_write;
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

/// Reads a report of this schema or an older one, checking its schema.
pub fn read_report(path: &Path) -> anyhow::Result<Report> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read report '{}'", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("'{}' is not valid JSON", path.display()))?;
    let schema = value.get("schema").and_then(|s| s.as_str()).unwrap_or("");
    if schema != REPORT_SCHEMA && !OLDER_REPORT_SCHEMAS.contains(&schema) {
        anyhow::bail!(
            "'{}' is not a stadyn report of schema {REPORT_SCHEMA} or older (schema: '{schema}')",
            path.display()
        );
    }
    let mut report: Report = serde_json::from_value(value)
        .with_context(|| format!("'{}' is not a valid report", path.display()))?;
    // Read as this schema from now on (what it says when written again).
    report.schema = REPORT_SCHEMA.to_string();
    Ok(report)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn read_report_rejects_other_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        std::fs::write(&p, r#"{"schema": "something/2"}"#).unwrap();
        let err = read_report(&p).unwrap_err().to_string();
        assert!(err.contains("something/2"), "{err}");
    }
}
