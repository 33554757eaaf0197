//! Memory facts of this process and machine (Linux `/proc`), for sizing
//! model batches and for benchmarks.

/// Peak resident memory of this process so far, in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    proc_kib("/proc/self/status", "VmHWM:").map(|k| k * 1024)
}

/// Memory available for new work on this machine, in bytes.
pub fn available_bytes() -> Option<u64> {
    proc_kib("/proc/meminfo", "MemAvailable:").map(|k| k * 1024)
}

fn proc_kib(file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Refuses statistics (accumulators) of `bytes` that would take more than
/// half of the `available` memory; `what` names them ("layer 'x': 1024
/// channels"). Unknown available memory is not checked.
pub fn check_statistics_fit(
    what: &str,
    bytes: u128,
    replicates: usize,
    available: Option<u64>,
) -> Result<(), String> {
    let Some(available) = available else {
        return Ok(());
    };
    if bytes <= u128::from(available / 2) {
        return Ok(());
    }
    let gib = |b: u128| b as f64 / f64::from(1u32 << 30);
    Err(format!(
        "{what} with {replicates} bootstrap replicates need {:.1} GiB of memory for their statistics, more than half of the {:.1} GiB available; lower --bootstrap (each replicate costs 32 bytes a channel)",
        gib(bytes),
        gib(u128::from(available))
    ))
}

/// Pairs per batch so that a batch's memory (measured for one pair) stays
/// within a quarter of the available memory, at most 4 GiB, between 1 and 32.
pub fn batch_for(per_pair_bytes: u64, available: Option<u64>) -> usize {
    let budget = available.map_or(1 << 30, |a| a / 4).min(4 << 30);
    let n = budget / per_pair_bytes.max(1);
    n.clamp(1, 32) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_sizes_follow_the_budget() {
        assert_eq!(batch_for(1 << 20, Some(16 << 30)), 32);
        assert_eq!(batch_for(512 << 20, Some(16 << 30)), 8);
        assert_eq!(batch_for(8 << 30, Some(16 << 30)), 1);
        assert_eq!(batch_for(100 << 20, None), 10);
        assert!(peak_rss_bytes().is_some_and(|b| b > 0));
    }

    #[test]
    fn statistics_beyond_half_the_memory_are_refused() {
        assert!(check_statistics_fit("x", 8 << 30, 200, Some(16 << 30)).is_ok());
        let err = check_statistics_fit("layer 'l': 9 channels", 9 << 30, 200, Some(16 << 30))
            .unwrap_err();
        assert!(
            err.contains("layer 'l': 9 channels with 200 bootstrap replicates need 9.0 GiB")
                && err.contains("16.0 GiB available"),
            "{err}"
        );
        assert!(check_statistics_fit("x", u128::MAX, 200, None).is_ok());
    }
}
