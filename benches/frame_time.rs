#![allow(clippy::unwrap_used, reason = "a benchmark on valid, generated data")]

//! Frame time of the app: the real `StadynApp` driven by egui_kittest's
//! Harness (no window, no GPU) on a generated report of 10 checkpoints ×
//! 5 000 channels, and on one layer of 50 000 channels. Each frame is
//! `app.show` inside a full egui pass (`Harness::step`) plus tessellation of
//! what it painted; the target is p95 ≤ 16 ms. Prints p50 / p95 / max per
//! scenario. `cargo bench --bench frame_time` runs 300 frames per scenario;
//! without `--bench` (e.g. `cargo test --benches`) a few frames, as a smoke test.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use stadyn::gui::StadynApp;
use stadyn::gui::action::{Action, SelectMode, Tab};
use stadyn::gui::state::Settings;
use stadyn::report::{LayerReport, Report};
use stadyn::testing;

/// A deterministic stream in [0, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A layer of `c` channels at training progress `t` ∈ [0, 1]: ρ drift with `t`.
fn layer(name: &str, c: usize, t: f64, seed: u64) -> LayerReport {
    let mut rng = Rng(seed | 1);
    let (mut rd, mut rs) = (Vec::with_capacity(c), Vec::with_capacity(c));
    for _ in 0..c {
        let (a, b, u) = (rng.next(), rng.next(), rng.next());
        rd.push(Some(
            (a * (0.6 + 0.4 * t) + 0.3 * t * u - 0.1).clamp(-1.0, 1.0),
        ));
        rs.push(Some((b * (1.0 - 0.3 * t) - 0.1 + 0.2 * u).clamp(-1.0, 1.0)));
    }
    let d = 10.0 + 30.0 * t;
    let s = 40.0 - 20.0 * t;
    let pct = [d, s, 100.0 - d - s];
    let rhos: Vec<testing::Rho> = rd.into_iter().zip(rs).collect();
    testing::layer(name, &rhos, pct, Some(pct.map(|p| [p - 2.0, p + 2.0])), 500)
}

/// `checkpoints` checkpoints of one model: four small layers and `big` with `channels`.
fn report(checkpoints: usize, channels: usize) -> Report {
    let models = (0..checkpoints)
        .map(|k| {
            let t = k as f64 / (checkpoints.max(2) - 1) as f64;
            let mut layers: Vec<LayerReport> = (1..=4)
                .map(|i| layer(&format!("block{i}"), 64 * i, t, 7 * i as u64 + k as u64))
                .collect();
            layers.push(layer("big", channels, t, 12345));
            testing::model("model", (checkpoints > 1).then_some(k as f64), layers)
        })
        .collect();
    testing::report(models, 100)
}

/// A harness on `report` showing `tab` with layer `big` selected.
fn harness(report: Report, tab: Tab, trails: bool) -> Harness<'static, StadynApp> {
    let mut app = StadynApp::with_settings(
        Settings {
            tab,
            trails,
            ..Settings::default()
        },
        None,
    );
    app.state.set_report(Arc::new(report), false);
    app.apply(Action::SelectModel(0));
    app.apply(Action::SelectLayer("big".into()));
    Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut StadynApp| app.show(ui), app)
}

/// Per frame: the whole frame, and of it the tessellation.
type Times = Vec<(Duration, Duration)>;

/// Runs `frames` frames; `before` prepares each (input, actions). Returns
/// the time of each frame (`before`, the egui pass and tessellation) and
/// of its tessellation.
fn run(
    h: &mut Harness<'static, StadynApp>,
    frames: usize,
    mut before: impl FnMut(&mut Harness<'static, StadynApp>, usize),
) -> Times {
    for _ in 0..3 {
        h.step(); // warm-up: fonts, layout caches, plot memory
    }
    let mut times = Vec::with_capacity(frames);
    for i in 0..frames {
        // Timed too: applying an action (e.g. a new checkpoint → refresh)
        // happens inside `app.show` in the app.
        let t = Instant::now();
        before(h, i);
        h.step();
        let pass = t.elapsed();
        let shapes = h.output().shapes.clone();
        let ppp = h.output().pixels_per_point;
        let t = Instant::now();
        let prims = h.ctx.tessellate(shapes, ppp);
        std::hint::black_box(prims);
        let tess = t.elapsed();
        times.push((pass + tess, tess));
    }
    times
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report_line(name: &str, times: &[(Duration, Duration)]) {
    let mut tess: Vec<Duration> = times.iter().map(|t| t.1).collect();
    tess.sort();
    let mut times: Vec<Duration> = times.iter().map(|t| t.0).collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p95 = percentile(&times, 0.95);
    println!(
        "{name:<58} frames {:>4}  p50 {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms  (tessellation p50 {:>5.2} ms)  {}",
        times.len(),
        ms(percentile(&times, 0.5)),
        ms(p95),
        ms(*times.last().unwrap()),
        ms(percentile(&tess, 0.5)),
        if p95 <= Duration::from_millis(16) {
            "ok"
        } else {
            "OVER 16 ms"
        }
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let frames = if full { 300 } else { 5 };
    // FRAME_TIME_ONLY=compare runs the scenarios whose name contains it.
    let only = std::env::var("FRAME_TIME_ONLY")
        .ok()
        .map(|s| s.to_lowercase());
    let want = |name: &str| {
        only.as_ref()
            .is_none_or(|o| name.to_lowercase().contains(o))
    };
    let select = |h: &mut Harness<'static, StadynApp>, n: usize| {
        h.state_mut().apply(Action::SelectChannels {
            channels: (0..n).map(|c| c * 7).collect(),
            mode: SelectMode::Replace,
        });
    };

    let name = "channels: 5 000 points, idle";
    if want(name) {
        let mut h = harness(report(10, 5000), Tab::Channels, false);
        report_line(name, &run(&mut h, frames, |_, _| {}));
    }

    let name = "channels: 5 000 points + 200 trails, checkpoint gliding";
    if want(name) {
        let mut h = harness(report(10, 5000), Tab::Channels, true);
        select(&mut h, 200);
        let mut k = 0;
        let times = run(&mut h, frames, |h, i| {
            // A new checkpoint every 20 frames: the 0.3 s glide is 18 of them.
            if i % 20 == 0 {
                k = (k + 1) % 10;
                h.state_mut().apply(Action::SelectCheckpoint(k));
            }
        });
        report_line(name, &times);
    }

    let name = "channels: 5 000 points + 200 trails, hovering";
    if want(name) {
        let mut h = harness(report(10, 5000), Tab::Channels, true);
        select(&mut h, 200);
        let times = run(&mut h, frames, |h, i| {
            let x = 500.0 + (i % 100) as f32 * 4.0;
            h.event(egui::Event::PointerMoved(egui::pos2(x, 400.0)));
        });
        report_line(name, &times);
    }

    let name = "channels: 5 000 points, all selected (200 trails, table)";
    if want(name) {
        let mut h = harness(report(10, 5000), Tab::Channels, true);
        select(&mut h, 5000);
        let times = run(&mut h, frames, |_, _| {});
        report_line(name, &times);
    }

    let name = "channels: 50 000 points at once";
    if want(name) {
        let mut h = harness(report(1, 50_000), Tab::Channels, false);
        report_line(name, &run(&mut h, frames, |_, _| {}));
    }

    let name = "channels: 50 000 points at once, hovering";
    if want(name) {
        let mut h = harness(report(1, 50_000), Tab::Channels, false);
        let times = run(&mut h, frames, |h, i| {
            let x = 500.0 + (i % 100) as f32 * 4.0;
            h.event(egui::Event::PointerMoved(egui::pos2(x, 400.0)));
        });
        report_line(name, &times);
    }

    for tab in [Tab::Layers, Tab::Training, Tab::Compare] {
        if !want(&format!("{tab:?}")) {
            continue;
        }
        let mut h = harness(report(10, 5000), tab, false);
        let times = run(&mut h, frames, |h, i| {
            if i % 20 == 0 {
                h.state_mut().apply(Action::SelectCheckpoint((i / 20) % 10));
            }
        });
        report_line(
            &format!("{tab:?}: 10 checkpoints × 5 000 channels, slider moving"),
            &times,
        );
    }
}
