//! How long the channel panel's maps take (BENCHMARKS.md, "The app's
//! channel panel"): the maps thread's time for the shown pair alone (the
//! early answer: both members of the shown pair and of its companion pair of
//! the other factor), for those and 8 top windows of a first channel
//! (model load included), and for another channel of the same layer.
//!
//!     cargo run --release --example panel_timing -- RESULTS MODEL[@EPOCH] LAYER C1 C2
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a measuring tool")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use stadyn::inspect::{ModelSelector, Results};
use stadyn::worker::maps::{MapEvent, MapLoader, MapRequest};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [results, model, layer, c1, c2] = &args[..] else {
        eprintln!("usage: panel_timing RESULTS MODEL[@EPOCH] LAYER C1 C2");
        std::process::exit(2);
    };
    let r = Results::open(std::path::Path::new(results)).unwrap();
    let m = r
        .find_model(&model.parse::<ModelSelector>().unwrap())
        .unwrap();
    let (ms, acc, _) = r.layer(m, layer).unwrap();
    let mut loader = MapLoader::spawn(Arc::new(|| {})).unwrap();
    for (id, c) in [(1u64, c1), (2, c2)] {
        let c: usize = c.parse().unwrap();
        let start = Instant::now();
        loader.request(MapRequest {
            request: id,
            ..MapRequest::panel(ms, r.stats.probe.as_ref().unwrap(), acc, c, 0, 4)
        });
        loop {
            match loader.recv_timeout(Duration::from_secs(600)).unwrap() {
                MapEvent::Ready {
                    complete, windows, ..
                } => {
                    println!(
                        "channel {c}: {} windows after {:.0} ms{}",
                        windows.len(),
                        start.elapsed().as_secs_f64() * 1000.0,
                        if complete { "" } else { " (the shown pair)" }
                    );
                    if complete {
                        break;
                    }
                }
                MapEvent::Failed { message, .. } => panic!("{message}"),
            }
        }
    }
}
