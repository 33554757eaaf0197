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
    for m in &report.models {
        for l in &m.layers {
            l.check()
                .map_err(|e| anyhow::anyhow!("'{}' is not a valid report: {e}", path.display()))?;
        }
    }
    // Read as this schema from now on (what it says when written again).
    report.schema = REPORT_SCHEMA.to_string();
    Ok(report)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_layer_whose_channel_count_disagrees_with_its_channels_is_refused() {
        // Found by the fuzzer: a report saying 2^37 channels over 4 per-channel
        // results made the scatter allocate for all of them (out of memory).
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        let rhos = [(Some(0.9), Some(0.1)); 4];
        let mut layer = crate::testing::layer("conv2", &rhos, [30.0, 20.0, 50.0], None, 10);
        let model = crate::testing::model("m", None, vec![layer.clone()]);
        write_report(&p, &crate::testing::report(vec![model.clone()], 0)).unwrap();
        read_report(&p).unwrap();
        layer.channels = 1 << 37;
        let model = crate::testing::model("m", None, vec![layer]);
        write_report(&p, &crate::testing::report(vec![model], 0)).unwrap();
        let err = format!("{:#}", read_report(&p).unwrap_err());
        assert!(
            err.contains("layer 'conv2'")
                && err.contains("137438953472 channels")
                && err.contains("4 per-channel"),
            "{err}"
        );
    }

    #[test]
    fn read_report_rejects_other_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        std::fs::write(&p, r#"{"schema": "something/2"}"#).unwrap();
        let err = read_report(&p).unwrap_err().to_string();
        assert!(err.contains("something/2"), "{err}");
    }
}
