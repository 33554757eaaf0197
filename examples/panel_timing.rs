//! How long the channel panel's maps take (BENCHMARKS.md, "The app's
//! channel panel"), as the maps thread answers, on real results:
//!
//! - **cold**: a first channel asked of a fresh thread (model load, probe
//!   check, both members of the shown pair and of its companion pair, then
//!   8 top windows); then another channel of the same layer;
//! - **prepared**: what the app does while the Channels tab shows no
//!   channel (`ChannelPanel::prepare`: the model loaded and the shown pairs'
//!   maps of every channel computed), then a first channel.
//!
//! The early answer (both shown pairs) is what the panel paints first; the
//! complete one adds the top windows.
//!
//!     cargo run --release --example panel_timing -- RESULTS MODEL[@EPOCH] LAYER C1 C2
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a measuring tool")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use stadyn::inspect::{ModelSelector, Results};
use stadyn::worker::maps::{MapEvent, MapLoader, MapRequest};

/// Sends `req` and prints when its early and complete answers come.
fn time(loader: &mut MapLoader, what: &str, req: MapRequest) {
    let start = Instant::now();
    loader.request(req);
    loop {
        match loader.recv_timeout(Duration::from_secs(600)).unwrap() {
            MapEvent::Ready {
                complete, windows, ..
            } => {
                println!(
                    "{what}: {} windows after {:.0} ms{}",
                    windows.len(),
                    start.elapsed().as_secs_f64() * 1000.0,
                    if complete {
                        ""
                    } else {
                        " (early: the shown pairs)"
                    }
                );
                if complete {
                    return;
                }
            }
            MapEvent::Failed { message, .. } => panic!("{message}"),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [results, model, layer, c1, c2] = &args[..] else {
        eprintln!("usage: panel_timing RESULTS MODEL[@EPOCH] LAYER C1 C2");
        std::process::exit(2);
    };
    let (c1, c2): (usize, usize) = (c1.parse().unwrap(), c2.parse().unwrap());
    let r = Results::open(std::path::Path::new(results)).unwrap();
    let m = r
        .find_model(&model.parse::<ModelSelector>().unwrap())
        .unwrap();
    let (ms, acc, _) = r.layer(m, layer).unwrap();
    let probe = r.stats.probe.as_ref().unwrap();
    let ask = |id: u64, c: usize, per_end: usize| MapRequest {
        request: id,
        ..MapRequest::panel(ms, probe, acc, c, 0, per_end)
    };
    let mut cold = MapLoader::spawn(Arc::new(|| {})).unwrap();
    time(&mut cold, &format!("cold, channel {c1}"), ask(1, c1, 4));
    time(&mut cold, &format!("then channel {c2}"), ask(2, c2, 4));
    drop(cold);
    let mut warm = MapLoader::spawn(Arc::new(|| {})).unwrap();
    time(&mut warm, "prepare (no channel open)", ask(1, 0, 0));
    time(&mut warm, &format!("prepared, channel {c1}"), ask(2, c1, 4));
}
