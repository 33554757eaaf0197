//! Native file dialogs (rfd) and finding the demo project.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::gui::action::{Action, OpenKind};

/// The demo project, relative to the repository root.
const DEMO: &str = "sample_data/demo.stadyn.toml";

/// Shows the dialog of `kind` (modal, on the UI thread) and returns the
/// action for the chosen path; `Ok(None)` when the user cancelled, `Err`
/// when no dialog can be shown on this system.
pub(super) fn pick(kind: OpenKind, near: Option<&Path>) -> Result<Option<Action>, String> {
    const UNAVAILABLE: &str = "No file dialog could be shown: it needs the XDG desktop portal \
         or `zenity` (scripts/setup.sh installs zenity). Start stadyn with the path instead: \
         `stadyn PATH` (a project or a report).";
    if !dialog_available() {
        return Err(UNAVAILABLE.into());
    }
    let mut dialog = rfd::FileDialog::new();
    // absolute: a dialog ignores a relative folder (`sample_data` for the demo)
    let dir = near
        .and_then(Path::parent)
        .and_then(|d| std::path::absolute(d).ok());
    if let Some(dir) = dir {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            // No portal: rfd falls back to zenity, which ignores the folder
            // but opens in the one a suggested name ends in.
            dialog = dialog.set_file_name(format!("{}/", dir.display()));
        }
        dialog = dialog.set_directory(dir);
    }
    let started = Instant::now();
    let picked = match kind {
        OpenKind::Project => dialog
            .set_title("Open project")
            .add_filter("stadyn project", &["toml"])
            .pick_file(),
        OpenKind::Report => dialog
            .set_title("Open report")
            .add_filter("stadyn report", &["json"])
            .pick_file(),
        OpenKind::Model => dialog
            .set_title("Add a TorchScript model")
            .add_filter("TorchScript", &["pt", "pth", "ts"])
            .pick_file(),
        OpenKind::Checkpoints => dialog
            .set_title("Add a folder of checkpoints")
            .pick_folder(),
        OpenKind::Probe => dialog.set_title("Probe-set folder").pick_folder(),
        OpenKind::Sweep => dialog
            .set_title("A sweep's folder (stadyn sweep --out)")
            .pick_folder(),
    };
    let Some(path) = picked else {
        // Nobody closes a dialog this fast: it failed to appear.
        return if started.elapsed() < Duration::from_millis(200) {
            Err(UNAVAILABLE.into())
        } else {
            Ok(None)
        };
    };
    Ok(Some(match kind {
        OpenKind::Project => Action::OpenProject(path),
        OpenKind::Report => Action::OpenReport(path),
        OpenKind::Model => Action::AddModel(path),
        OpenKind::Checkpoints => Action::AddCheckpoints(path),
        OpenKind::Probe => Action::SetProbe(path),
        OpenKind::Sweep => Action::OpenSweep(path),
    }))
}

/// Asks where to save a file named `stem.ext` (modal); `Ok(None)` when the
/// user cancelled, `Err` when no dialog can be shown.
pub(super) fn pick_save(
    stem: &str,
    ext: &str,
    near: Option<&Path>,
) -> Result<Option<PathBuf>, String> {
    if !dialog_available() {
        return Err(
            "No file dialog could be shown (it needs the XDG desktop portal or `zenity`); \
             `stadyn export REPORT --out DIR` writes every figure and table headless."
                .into(),
        );
    }
    let name = format!("{stem}.{ext}");
    let mut dialog = rfd::FileDialog::new()
        .set_title("Export")
        .set_file_name(&name)
        .add_filter(ext.to_uppercase(), &[ext]);
    // absolute: a dialog ignores a relative folder (`sample_data` for the demo)
    let dir = near
        .and_then(Path::parent)
        .and_then(|d| std::path::absolute(d).ok());
    if let Some(dir) = dir {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            // No portal: rfd falls back to zenity, which ignores the folder
            // but takes a whole path as the suggested name.
            dialog = dialog.set_file_name(dir.join(&name).display().to_string());
        }
        dialog = dialog.set_directory(dir);
    }
    let started = Instant::now();
    match dialog.save_file() {
        Some(p) => Ok(Some(p)),
        None if started.elapsed() < Duration::from_millis(200) => {
            Err("The save dialog could not be shown; `stadyn export REPORT --out DIR` writes every figure and table headless.".into())
        }
        None => Ok(None),
    }
}

/// Whether rfd has something to show dialogs with: on Linux the desktop
/// portal (over the session bus) or zenity.
fn dialog_available() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    let zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join("zenity").is_file()));
    zenity || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
}

/// The demo project: under the current directory, beside the executable
/// (or any folder above it: `target/release/stadyn`), else the source tree
/// it was built from.
pub(super) fn demo_project() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        candidates.push(cwd.join(DEMO));
    }
    if let Ok(exe) = std::env::current_exe() {
        candidates.extend(exe.ancestors().skip(1).map(|d| d.join(DEMO)));
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO));
    candidates.into_iter().find(|p| p.is_file())
}

/// Whether `path` is the demo project (which runs by itself when the cache
/// has no results of it).
pub(super) fn is_demo(path: &Path) -> bool {
    path.canonicalize()
        .unwrap_or_else(|_| path.to_path_buf())
        .ends_with(DEMO)
}
