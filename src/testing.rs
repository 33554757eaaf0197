//! Hand-made reports and statistics for tests, benchmarks and the fuzzer's
//! seeds: the one home of the fixtures that unit tests, the app's tests and
//! the frame-time benchmark build (public so `benches/` and `tests/` can use
//! them; nothing else should). Numbers are made up; shapes and counts are
//! consistent.

use crate::analysis::{ModelStats, STATS_SCHEMA, Shard, StatsFile};
use crate::report::{LayerReport, ModelReport, PairCounts, Report, ReportSettings, UnitsReport};
use crate::stats::{
    BootstrapCi, BootstrapConfig, Category, CategoryCounts, Factor, LayerAccumulator, categorize,
};

/// ρ_D and ρ_S of one channel (`None`: undefined).
pub type Rho = (Option<f64>, Option<f64>);

/// A layer with these channels' ρ (categories at τ = 0.5), these shares,
/// intervals `ci` around them (`None`: no bootstrap), and `pairs` pairs of
/// each factor.
pub fn layer(
    name: &str,
    rhos: &[Rho],
    pct: [f64; 3],
    ci: Option<[[f64; 2]; 3]>,
    pairs: u64,
) -> LayerReport {
    let cats: Vec<Category> = rhos.iter().map(|&(d, s)| categorize(d, s, 0.5)).collect();
    let c = rhos.len();
    LayerReport {
        name: name.into(),
        channels: c,
        pairs: PairCounts {
            dynamic: pairs,
            static_: pairs,
        },
        total_variance: 1.0,
        scores: [0.0, 0.0, 1.0],
        probs: pct.map(|p| p / 100.0),
        dims: [c / 3, c / 3, c - 2 * (c / 3)],
        pct,
        ci95: ci.map(|pct| BootstrapCi {
            level: 0.95,
            replicates: 20,
            valid: 20,
            scores: [[0.0; 2]; 2],
            probs: pct.map(|[lo, hi]| [lo / 100.0, hi / 100.0]),
            pct,
        }),
        stream: None,
        units: UnitsReport {
            rho_dynamic: rhos.iter().map(|r| r.0).collect(),
            rho_static: rhos.iter().map(|r| r.1).collect(),
            softmax: vec![None; c],
            counts: CategoryCounts::count(&cats),
            unassigned: cats.iter().filter(|c| **c == Category::Unassigned).count(),
            category: cats,
            rho_dynamic_ci95: ci.map(|_| rhos.iter().map(|r| around(r.0)).collect()),
            rho_static_ci95: ci.map(|_| rhos.iter().map(|r| around(r.1)).collect()),
            stability: ci.map(|_| rhos.iter().map(|&r| stability(r)).collect()),
        },
    }
}

/// A made-up interval of ±0.1 around a ρ.
fn around(rho: Option<f64>) -> Option<[f64; 2]> {
    rho.map(|r| [r - 0.1, r + 0.1])
}

/// A made-up stability: 1 far from τ = 0.5, down to 0.5 at it.
fn stability((d, s): Rho) -> Option<f64> {
    let (d, s) = (d?, s?);
    Some((0.5 + 2.0 * (d - 0.5).abs().min((s - 0.5).abs())).min(1.0))
}

/// A model entry; with an epoch it is checkpoint `epoch_<e>.pt` of `name`.
pub fn model(name: &str, epoch: Option<f64>, layers: Vec<LayerReport>) -> ModelReport {
    ModelReport {
        layers,
        ..ModelReport::new(name, epoch.map(|e| format!("epoch_{e}.pt")), epoch)
    }
}

/// An `analyze` report of these models (τ = 0.5, `replicates` bootstrap replicates).
pub fn report(models: Vec<ModelReport>, replicates: usize) -> Report {
    let mut r = Report::new(ReportSettings {
        command: "analyze".into(),
        input: "probe".into(),
        threshold: 0.5,
        bootstrap: BootstrapConfig {
            replicates,
            seed: 0,
        },
    });
    r.models = models;
    r
}

/// A layer's accumulator of `channels` channels after `measured` made-up
/// pairs (ids 0.., factors alternating from dynamic).
pub fn accumulator(
    name: &str,
    channels: usize,
    measured: u64,
    bootstrap: BootstrapConfig,
) -> LayerAccumulator {
    let mut acc = LayerAccumulator::new(name, channels, bootstrap);
    for i in 0..measured {
        let f = if i % 2 == 0 {
            Factor::Dynamic
        } else {
            Factor::Static
        };
        let x = i as f64;
        let a: Vec<f64> = (0..channels).map(|c| (x + c as f64).sin()).collect();
        let b: Vec<f64> = a.iter().map(|v| v * 0.5 + x.cos()).collect();
        // Finite rows of the right width: cannot fail.
        let _ = acc.push_pair(i, f, &a, &b);
    }
    acc
}

/// A model's statistics: these layers (each holding the same pairs), and
/// `skipped` pairs more that could not be built.
pub fn model_stats(
    name: &str,
    epoch: Option<f64>,
    layers: Vec<LayerAccumulator>,
    skipped: usize,
) -> ModelStats {
    let measured = layers.first().map_or(0, |l| l.pairs().iter().sum::<u64>());
    ModelStats {
        name: name.into(),
        checkpoint: epoch.map(|e| format!("epoch_{e}.pt")),
        epoch,
        layers,
        done: measured as usize + skipped,
        skipped,
        path: format!("{name}.pt"),
        sha256: "0".repeat(64),
        metrics: Default::default(),
        history: Vec::new(),
        streams: Default::default(),
        rows: 1,
    }
}

/// A whole-plan statistics file of these models, `total` pairs planned
/// (each model has done what its statistics say).
pub fn stats_file(models: Vec<ModelStats>, total: usize, bootstrap: BootstrapConfig) -> StatsFile {
    StatsFile {
        schema: STATS_SCHEMA.into(),
        tool_version: "test".into(),
        job_key: "k".into(),
        job_settings: "{}".into(),
        settings: ReportSettings {
            command: "analyze".into(),
            input: "probe".into(),
            threshold: 0.5,
            bootstrap,
        },
        shard: Shard::ALL,
        covers: vec![0],
        done: models.iter().map(|m| m.done).min().unwrap_or(0),
        total,
        plan_pairs: total,
        warnings: Vec::new(),
        left_out: Vec::new(),
        probe: None,
        probe_files: Vec::new(),
        models,
    }
}

/// A small probe set written into `dir`: four 8-frame `scenes` clips of
/// 24×20 (`stadyn demo-data`), with their exact optical flow when `flow`,
/// planned as `pairs` pairs under seed 5.
pub fn demo_probe(
    dir: &std::path::Path,
    flow: bool,
    pairs: usize,
) -> anyhow::Result<crate::analysis::ProbeSpec> {
    use crate::video::demo::{DemoSpec, DemoTask, write_demo_data, write_demo_flow};
    let spec = DemoSpec {
        frames: 8,
        width: 24,
        height: 20,
        ..DemoSpec::new(DemoTask::Scenes, 3)
    };
    write_demo_data(&spec, 4, dir, |_, _| {})?;
    if flow {
        write_demo_flow(&spec, 4, dir)?;
    }
    Ok(crate::analysis::ProbeSpec {
        pairs,
        seed: 5,
        ..crate::analysis::ProbeSpec::new(dir)
    })
}
