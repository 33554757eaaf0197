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
}
