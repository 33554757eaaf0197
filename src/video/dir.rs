//! Directory listings for probe-set discovery: naturally sorted, hidden
//! entries skipped, symbolic links followed.

use std::path::{Path, PathBuf};

use super::error::{Result, VideoError};
use super::natural::natural_cmp;

/// One entry of a folder.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// Full path.
    pub path: PathBuf,
    /// File name (lossy UTF-8).
    pub name: String,
    /// A folder (after following links).
    pub is_dir: bool,
    /// Size in bytes of a file; `None` for folders and for links that point
    /// nowhere.
    pub len: Option<u64>,
}

/// The entries of `dir` in natural order of their names, hidden ones
/// (`.name`) left out. An unreadable or missing `dir` is an error.
pub(crate) fn list_dir(dir: &Path) -> Result<Vec<Entry>> {
    let read = std::fs::read_dir(dir).map_err(|e| VideoError::io(dir, e))?;
    let mut out = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| VideoError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let meta = std::fs::metadata(&path).ok();
        out.push(Entry {
            is_dir: meta.as_ref().is_some_and(|m| m.is_dir()),
            len: meta.filter(|m| m.is_file()).map(|m| m.len()),
            path,
            name,
        });
    }
    out.sort_by(|a, b| natural_cmp(&a.name, &b.name));
    Ok(out)
}
