//! Time since this process was launched, for the lines that say how long
//! something took to appear (the app's "results shown"): from the kernel's
//! record of the process's start, so loading libtorch counts too, or from
//! the first call when that record cannot be read.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The process's age at the first call, and when that call was.
fn anchor() -> &'static (Instant, Duration) {
    static ANCHOR: OnceLock<(Instant, Duration)> = OnceLock::new();
    ANCHOR.get_or_init(|| (Instant::now(), age_from_proc().unwrap_or_default()))
}

/// The process's age from `/proc/self/stat` (start time in clock ticks since
/// boot) and `/proc/uptime` (Linux; ticks are 100 per second there).
fn age_from_proc() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let start_ticks: f64 = rest.split_whitespace().nth(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let age = uptime - start_ticks / 100.0;
    (0.0..3600.0 * 24.0 * 365.0)
        .contains(&age)
        .then(|| Duration::from_secs_f64(age))
}

/// Marks the launch (call first thing in `main`; later calls are no-ops).
pub fn mark() {
    anchor();
}

/// Time since the process was launched.
pub fn elapsed() -> Duration {
    let (at, age) = anchor();
    *age + at.elapsed()
}

/// Logs (at info level, `RUST_LOG=stadyn=info`) that `what` happened, with
/// the time since launch: the start-up profile of BENCHMARKS.md.
pub fn phase(what: &str) {
    log::info!("{what} ({:.2} s after launch)", elapsed().as_secs_f64());
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_age_is_small_and_grows() {
        super::mark();
        let a = super::elapsed();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let b = super::elapsed();
        assert!(b >= a + std::time::Duration::from_millis(20), "{a:?} {b:?}");
        // The test binary started at most an hour ago.
        assert!(a.as_secs() < 3600, "{a:?}");
    }
}
