//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `stadyn` binary with arguments.
pub fn stadyn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stadyn"))
        .args(args)
        .output()
        .expect("run stadyn")
}

/// Both output streams of a finished command, for messages.
pub fn text(out: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The Python with NumPy: `STADYN_PYTHON` (set by `make test`), else `python3`
/// if it imports numpy. `None` (with a note) only when neither is usable and
/// `STADYN_PYTHON` is unset; a set but broken `STADYN_PYTHON` fails the test.
pub fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("STADYN_PYTHON") {
        let p = PathBuf::from(p);
        assert!(
            imports_numpy(&p),
            "STADYN_PYTHON={} cannot import numpy",
            p.display()
        );
        return Some(p);
    }
    let p = PathBuf::from("python3");
    if imports_numpy(&p) {
        Some(p)
    } else {
        eprintln!(
            "note: no Python with numpy (run through `make test`); skipping the NumPy cross-check"
        );
        None
    }
}

fn imports_numpy(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import numpy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Path of a file in the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}
