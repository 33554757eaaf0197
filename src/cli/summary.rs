//! A plain-text table of a report, for the terminal.

use crate::report::Report;

/// Prints one line per layer: shares with their 95 % intervals and unit categories.
pub fn print_summary(report: &Report) {
    for m in &report.models {
        match (&m.checkpoint, m.epoch) {
            (Some(c), Some(e)) => println!("{} @ {c} (epoch {e})", m.name),
            (Some(c), None) => println!("{} @ {c}", m.name),
            _ => println!("{}", m.name),
        }
        println!(
            "  {:<24} {:>6} {:>11}  {:<18} {:<18} {:<8}  units dyn/sta/joint/none (unassigned)",
            "layer", "C", "pairs D/S", "dynamic %", "static %", "resid %"
        );
        for l in &m.layers {
            let share = |k: usize| match &l.ci95 {
                Some(ci) => format!("{:.1} [{:.1}, {:.1}]", l.pct[k], ci.pct[k][0], ci.pct[k][1]),
                None => format!("{:.1}", l.pct[k]),
            };
            let u = &l.units.counts;
            println!(
                "  {:<24} {:>6} {:>11}  {:<18} {:<18} {:<8}  {}/{}/{}/{} ({})",
                l.name,
                l.channels,
                format!("{}/{}", l.pairs.dynamic, l.pairs.static_),
                share(0),
                share(1),
                format!("{:.1}", l.pct[2]),
                u.dynamic,
                u.static_,
                u.joint,
                u.none,
                u.unassigned
            );
        }
    }
}
