#![allow(clippy::unwrap_used, reason = "a benchmark on valid, generated data")]

//! Ingest throughput of the streaming estimator: pairs per second pushed into
//! one layer's accumulator, without and with bootstrap replicates, with and
//! without the channel evidence (top windows, pair sample, per-channel
//! replicates), and the cost of a merge and an estimate. Numbers go into
//! BENCHMARKS.md.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use stadyn::stats::{BootstrapConfig, Factor, LayerAccumulator, PairBatch, UnitConfig};
use std::hint::black_box;

fn data(n: usize, c: usize) -> (Vec<u64>, Vec<Factor>, Vec<f32>, Vec<f32>) {
    let mut x = 0.5f32;
    let mut next = || {
        x = (x * 997.13 + 0.31).fract();
        x
    };
    let za: Vec<f32> = (0..n * c).map(|_| next()).collect();
    let zb: Vec<f32> = za.iter().map(|a| a + 0.1 * next()).collect();
    let factors = (0..n)
        .map(|i| {
            if i % 2 == 0 {
                Factor::Dynamic
            } else {
                Factor::Static
            }
        })
        .collect();
    ((0..n as u64).collect(), factors, za, zb)
}

fn ingest(crit: &mut Criterion) {
    let n = 256;
    let mut group = crit.benchmark_group("ingest");
    for &c in &[64usize, 512, 2048] {
        let (ids, factors, za, zb) = data(n, c);
        let settings = [
            ("B0", 0usize, UnitConfig::NONE),
            ("B200", 200, UnitConfig::NONE),
            ("B200+units", 200, UnitConfig::default()),
        ];
        for (label, b, units) in settings {
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new(format!("C{c}"), label), &b, |bench, &b| {
                let boot = BootstrapConfig {
                    replicates: b,
                    seed: 1,
                };
                let mut acc = LayerAccumulator::with_units("l", c, boot, units);
                bench.iter(|| {
                    acc.push_batch(PairBatch {
                        pair_ids: &ids,
                        factors: &factors,
                        za: &za,
                        zb: &zb,
                    })
                    .unwrap();
                });
                black_box(&acc);
            });
        }
    }
    group.finish();
}

fn finish(crit: &mut Criterion) {
    let (n, c) = (1000, 2048);
    let (ids, factors, za, zb) = data(n, c);
    let boot = BootstrapConfig {
        replicates: 200,
        seed: 1,
    };
    let mut acc = LayerAccumulator::new("l", c, boot);
    acc.push_batch(PairBatch {
        pair_ids: &ids,
        factors: &factors,
        za: &za,
        zb: &zb,
    })
    .unwrap();
    crit.bench_function("estimate C2048 B200", |b| {
        b.iter(|| black_box(acc.estimate(0.5).unwrap()));
    });
    crit.bench_function("merge C2048 B200", |b| {
        b.iter(|| {
            let mut m = acc.clone();
            m.merge(&acc).unwrap();
            black_box(m)
        });
    });
}

criterion_group!(benches, ingest, finish);
criterion_main!(benches);
