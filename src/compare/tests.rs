//! The comparison on made-up statistics: an entry against itself is exactly
//! zero, checkpoints of one job are paired, other models' channels are not
//! compared, and the CSVs hold what was computed.

#![allow(clippy::unwrap_used, reason = "tests")]

use super::*;
use crate::analysis::build_report;
use crate::stats::{BootstrapConfig, Factor, LayerAccumulator};
use crate::testing;

const BOOT: BootstrapConfig = BootstrapConfig {
    replicates: 60,
    seed: 4,
};

/// A 30-channel layer over 120 pairs; `shift` changes the network.
fn layer(shift: f64, pairs: u64) -> LayerAccumulator {
    let mut acc = LayerAccumulator::new("s", 30, BOOT);
    for i in 0..pairs {
        let f = if i % 2 == 0 {
            Factor::Dynamic
        } else {
            Factor::Static
        };
        let x = i as f64;
        let a: Vec<f64> = (0..30)
            .map(|c| (x * 0.7 + c as f64).sin() + shift * (x * 1.3 + c as f64).cos())
            .collect();
        let keep = if f == Factor::Dynamic {
            0.8
        } else {
            0.3 + shift
        };
        let b: Vec<f64> = a
            .iter()
            .enumerate()
            .map(|(c, v)| keep * v + (1.0 - keep) * (x * 2.1 + c as f64).cos())
            .collect();
        acc.push_pair(i, f, &a, &b).unwrap();
    }
    acc
}

/// `m` at epochs 1 and 2 (the same 120 pairs), and `other` over 100 pairs.
fn results() -> (crate::report::Report, StatsFile) {
    let models = vec![
        testing::model_stats("m", Some(1.0), vec![layer(0.0, 120)], 0),
        testing::model_stats("m", Some(2.0), vec![layer(0.4, 120)], 0),
        testing::model_stats("other", None, vec![layer(0.2, 100)], 20),
    ];
    let stats = testing::stats_file(models, 120, BOOT);
    (build_report(&stats, 0.5), stats)
}

#[test]
fn an_entry_against_itself_is_exactly_zero() {
    let (report, stats) = results();
    let rows = deltas(&report, &stats, (1, 1), None, false).unwrap();
    assert_eq!(rows.len(), 1);
    let d = &rows[0].delta;
    assert!(d.paired);
    assert_eq!((d.delta, d.ci), ([0.0; 3], Some([[0.0, 0.0]; 3])));
    let csv = delta_csv(&rows).unwrap();
    assert!(csv.starts_with("a,b,layer,factor,a_pct,b_pct,delta_pct,delta_lo,delta_hi,paired\n"));
    for line in csv.lines().skip(1) {
        assert!(
            line.starts_with("m@2,m@2,s,") && line.ends_with(",0,0,0,true"),
            "{line}"
        );
    }
}

#[test]
fn checkpoints_of_one_job_are_paired_and_other_models_are_not() {
    let (report, stats) = results();
    let rows = deltas(&report, &stats, (0, 1), Some("s"), false).unwrap();
    let d = &rows[0].delta;
    let (a, b) = (&report.models[0].layers[0], &report.models[1].layers[0]);
    assert_eq!((d.a, d.b), (a.pct, b.pct));
    assert!(d.paired && d.ci.is_some());
    assert!(channels_correspond(&report, 0, 1));
    // Another model over other pairs: layer-level only, and unpaired.
    let rows = deltas(&report, &stats, (0, 2), None, false).unwrap();
    assert!(!rows[0].delta.paired);
    assert!(!channels_correspond(&report, 0, 2));
    assert!(why_not_channels(&report, 0, 2).contains("do not correspond"));
    let e = deltas(&report, &stats, (0, 1), Some("nope"), false).unwrap_err();
    assert!(
        e.to_string()
            .contains("'nope' is not a layer of both m@1 and m@2"),
        "{e}"
    );
}

#[test]
fn channel_moves_say_what_changed_and_how_sure() {
    let (report, _) = results();
    let (a, b) = (&report.models[0].layers[0], &report.models[1].layers[0]);
    let moves = channel_moves(a, b, 0.5).unwrap();
    assert_eq!(moves.len(), 30);
    let csv = moves_csv(&[("m@1".into(), "m@2".into(), "s".into(), moves.clone())]).unwrap();
    assert_eq!(csv.lines().count(), 31);
    for (m, line) in moves.iter().zip(csv.lines().skip(1)) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[3], m.channel.to_string());
        assert_eq!(cells[12], m.changed().to_string());
        let [ca, cb] = m.categories();
        assert_eq!((cells[8], cells[9]), (ca.name(), cb.name()));
        if let Some(c) = m.certain() {
            let stable = |p: Option<ChannelPoint>| p.unwrap().stability.unwrap() >= STABLE;
            assert_eq!(c, stable(m.from) && stable(m.to));
        }
    }
    assert!(
        moves.iter().any(ChannelMove::changed),
        "the fixture changes categories"
    );
    let fewer = testing::layer("s", &[(Some(0.5), Some(0.5))], [0.0; 3], None, 10);
    assert!(channel_moves(a, &fewer, 0.5).is_none());
}
