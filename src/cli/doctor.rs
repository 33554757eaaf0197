//! `stadyn doctor`: what this machine offers stadyn.

use std::process::{Command, ExitCode};

/// Runs `stadyn doctor`.
pub fn run() -> anyhow::Result<ExitCode> {
    println!("stadyn {}", env!("CARGO_PKG_VERSION"));
    match Command::new("ffmpeg").arg("-version").output() {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            println!("ffmpeg:   {}", text.lines().next().unwrap_or("found"));
        }
        _ => println!(
            "ffmpeg:   not found (needed to decode video files; frame folders work without it)"
        ),
    }
    torch_status();
    println!(
        "app:      {}",
        if cfg!(feature = "gui") {
            "built in"
        } else {
            "not built (feature `gui` off)"
        }
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "torch")]
fn torch_status() {
    let cuda = crate::model::cuda_devices();
    println!(
        "libtorch: linked; CUDA: {}",
        if cuda > 0 {
            format!("{cuda} device(s)")
        } else {
            "none (models run on CPU)".to_string()
        }
    );
}

#[cfg(not(feature = "torch"))]
fn torch_status() {
    println!("libtorch: not built (feature `torch` off): models cannot be run");
}
