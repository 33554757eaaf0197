//! The ground floor: atomic file writes and an early check that an output
//! folder is writable. Every room that writes files uses these; this module
//! imports nothing of the crate.

use anyhow::Context as _;
use std::io::Write;
use std::path::Path;

/// Writes a file atomically: `fill` writes into a temporary file beside
/// `path`, which is synced and then renamed over `path`. On error the
/// temporary file is removed and `path` is untouched. Each call has its own
/// temporary file, so two threads writing the same path do not collide
/// (the last rename wins).
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
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{n}",
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

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn failed_atomic_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.txt");
        std::fs::write(&p, "old").unwrap();
        let err = atomic_write(&p, |w| {
            w.write_all(b"half")?;
            anyhow::bail!("interrupted")
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "temporary file left behind");
    }

    /// Regression: the temporary file was named by the process alone, so two
    /// exports of the same file at once (the app's exporter runs jobs in
    /// parallel) renamed one temporary file twice and the second failed.
    #[test]
    fn threads_writing_one_path_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.txt");
        let barrier = std::sync::Barrier::new(8);
        std::thread::scope(|s| {
            for k in 0..8 {
                let (p, barrier) = (&p, &barrier);
                s.spawn(move || {
                    atomic_write(p, |w| {
                        barrier.wait();
                        Ok(write!(w, "{k}")?)
                    })
                    .unwrap();
                });
            }
        });
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.parse::<u32>().unwrap() < 8, "{text}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn output_must_be_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(
            ensure_writable_dir(&file)
                .unwrap_err()
                .to_string()
                .contains("not a folder")
        );
        assert!(ensure_writable_dir(&dir.path().join("a/b/c")).is_ok());
    }
}
