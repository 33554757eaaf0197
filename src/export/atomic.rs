//! Atomic file writes and an early check that an output folder is writable.

use anyhow::Context as _;
use std::io::Write;
use std::path::Path;

/// Writes a file atomically: `fill` writes into a temporary file beside
/// `path`, which is synced and then renamed over `path`. On error the
/// temporary file is removed and `path` is untouched.
pub fn atomic_write(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .with_context(|| format!("'{}' is not a file path", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> anyhow::Result<()> {
        let file = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create '{}'", tmp.display()))?;
        let mut w = std::io::BufWriter::new(file);
        fill(&mut w)?;
        let file = w
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write '{}'", tmp.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot write '{}'", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot move '{}' to '{}'", tmp.display(), path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Creates `dir` (and parents) if needed and checks that files can be
/// created in it, so a job fails before its work, not after.
pub fn ensure_writable_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!("output '{}' exists and is not a folder", dir.display());
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output folder '{}'", dir.display()))?;
    let probe = dir.join(format!(".stadyn-write-test-{}", std::process::id()));
    std::fs::File::create(&probe)
        .with_context(|| format!("output folder '{}' is not writable", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}
