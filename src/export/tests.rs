//! Tests of the writers: round trip of the report, CSV shapes, the
//! reference file's exact bytes, atomicity.

use super::*;
use crate::report::read_report;
use crate::report::{LayerReport, ModelReport, Report, ReportSettings};
use crate::stats::{BootstrapConfig, Factor, LayerAccumulator};

fn report() -> Report {
    let mut acc = LayerAccumulator::new(
        "conv/1",
        3,
        BootstrapConfig {
            replicates: 10,
            seed: 1,
        },
    );
    for i in 0..20u64 {
        let f = if i % 2 == 0 {
            Factor::Dynamic
        } else {
            Factor::Static
        };
        let x = i as f64;
        let a = [x, (x * 0.7).sin(), 5.0];
        let b = [x + 0.5, (x * 1.3).cos(), 5.0];
        acc.push_pair(i, f, &a, &b).unwrap();
    }
    let mut r = Report::new(ReportSettings {
        command: "estimate".into(),
        input: "x.npz".into(),
        threshold: 0.5,
        bootstrap: BootstrapConfig {
            replicates: 10,
            seed: 1,
        },
    });
    r.models.push(ModelReport {
        layers: vec![LayerReport::from_estimate(
            "conv/1",
            acc.estimate(0.5).unwrap(),
        )],
        ..ModelReport::new("m", None, None)
    });
    r
}

#[test]
fn report_round_trips_through_json() {
    let dir = tempfile::tempdir().unwrap();
    let r = report();
    let files = write_all(dir.path(), &r).unwrap();
    assert_eq!(files.len(), 5);
    let back = read_report(&dir.path().join("report.json")).unwrap();
    assert_eq!(back, r);
    // The dead third channel is null, not a number.
    let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    assert!(text.contains("null"));
}

#[test]
fn dim_est_is_python_csv_writer_output() {
    let r = report();
    let l = &r.models[0].layers[0];
    let mut l = l.clone();
    l.dims = [0, 1, 2];
    l.pct = [0.0, 33.3, 66.7];
    assert_eq!(dim_est_csv(&l), "0,1,2\r\n0.0,33.3,66.7\r\n");
    assert_eq!(
        dim_est_file_name(&r, &r.models[0], &l),
        "conv_1_dim_est.csv"
    );
}

#[test]
fn csvs_have_one_row_per_observation() {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path(), &report()).unwrap();
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let layers = read("layers.csv");
    assert_eq!(layers.lines().count(), 4);
    assert!(
        layers
            .lines()
            .next()
            .unwrap()
            .starts_with("model,checkpoint,epoch,layer,")
    );
    assert_eq!(read("unit_categories.csv").lines().count(), 1 + 5);
    let channels = read("channels.csv");
    assert_eq!(channels.lines().count(), 1 + 3);
    // Channel 2 is constant: empty ρ cells, category unassigned.
    let last = channels.lines().last().unwrap();
    assert!(last.ends_with(",,,,,,unassigned,,,,,"), "{last}");
    // A channel with a ρ has its intervals and its category's stability.
    let header: Vec<&str> = channels.lines().next().unwrap().split(',').collect();
    let first: Vec<&str> = channels.lines().nth(1).unwrap().split(',').collect();
    let col = |name: &str| first[header.iter().position(|h| *h == name).unwrap()];
    let (lo, hi): (f64, f64) = (
        col("rho_dynamic_lo").parse().unwrap(),
        col("rho_dynamic_hi").parse().unwrap(),
    );
    assert!(lo <= hi, "{lo} {hi}");
    let stable: f64 = col("stability").parse().unwrap();
    assert!((0.0..=1.0).contains(&stable));
}

#[test]
fn convergence_csv_has_a_row_per_point_layer_and_factor_only_when_there_is_a_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = report();
    assert!(
        !write_all(dir.path(), &r)
            .unwrap()
            .iter()
            .any(|p| p.ends_with("convergence.csv"))
    );
    let layers = r.models[0].layers.clone();
    for n in [10, 20, 30] {
        crate::report::convergence::record(&mut r.models[0].convergence, n, &layers);
    }
    write_all(dir.path(), &r).unwrap();
    let text = std::fs::read_to_string(dir.path().join("convergence.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "model,checkpoint,epoch,layer,pairs,factor,pct,pct_ci_low,pct_ci_high,prob,prob_ci_low,prob_ci_high"
    );
    assert_eq!(lines.len(), 1 + 3 * 3);
    let l = &layers[0];
    let want = format!("m,,,conv/1,30,static,{},", l.pct[1]);
    assert!(lines[8].starts_with(&want), "{} vs {want}", lines[8]);
}
