//! Compare's differences and moves: B − A with intervals from the
//! statistics (an entry against itself exactly 0), arrows of each
//! channel's move between checkpoints of one model, and no channel
//! comparison at all between different models.

use std::sync::Arc;

use egui_kittest::kittest::Queryable as _;

use super::layers::fixture;
use crate::analysis::build_report;
use crate::gui::action::{Action, Tab};
use crate::gui::views::compare::Compared;
use crate::stats::BootstrapConfig;
use crate::testing;

/// Two checkpoints of `m` over the same 80 pairs and a model `n` (one
/// 12-channel layer "l", 40 replicates), the report at τ = 0.5.
fn results() -> (Arc<crate::report::Report>, Arc<crate::analysis::StatsFile>) {
    let boot = BootstrapConfig {
        replicates: 40,
        seed: 3,
    };
    let models = vec![
        testing::model_stats(
            "m",
            Some(1.0),
            vec![testing::accumulator("l", 12, 80, boot)],
            0,
        ),
        testing::model_stats(
            "m",
            Some(2.0),
            vec![testing::accumulator("l", 12, 80, boot)],
            0,
        ),
        testing::model_stats("n", None, vec![testing::accumulator("l", 12, 80, boot)], 0),
    ];
    let stats = testing::stats_file(models, 80, boot);
    (Arc::new(build_report(&stats, 0.5)), Arc::new(stats))
}

#[test]
fn an_entry_against_itself_differs_by_exactly_zero() {
    let (report, stats) = results();
    let mut app = fixture::app(Tab::Compare);
    app.state.set_results(report.clone(), Some(stats), false);
    let rows = Compared::new(&app.state, &report, 1, 1).deltas.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].delta.paired);
    assert_eq!(rows[0].delta.delta, [0.0; 3]);
    assert_eq!(rows[0].delta.ci, Some([[0.0, 0.0]; 3]));
    app.apply(Action::SetCompare(1, 1));
    let h = fixture::harness(app);
    assert!(
        h.query_by_label("Differences B − A (percentage points)")
            .is_some()
    );
    assert_eq!(h.query_all_by_label("+0.0 [+0.0, +0.0]").count(), 2);
    assert!(h.query_by_label("paired").is_some());
}

#[test]
fn checkpoints_get_arrows_and_other_models_no_channel_comparison() {
    let (report, stats) = results();
    let mut app = fixture::app(Tab::Compare);
    app.state.set_results(report.clone(), Some(stats), false);
    let same = Compared::new(&app.state, &report, 0, 1);
    assert!(same.unrelated.is_none() && same.changes.is_some());
    let m = same.moves.unwrap();
    let defined = report.models[0].layers[0]
        .units
        .rho_dynamic
        .iter()
        .zip(&report.models[1].layers[0].units.rho_dynamic)
        .filter(|(a, b)| a.is_some() && b.is_some())
        .count();
    assert_eq!(
        m.kept.0.len() + m.uncertain.0.len() + m.certain.0.len(),
        defined
    );
    let other = Compared::new(&app.state, &report, 0, 2);
    assert!(other.changes.is_none() && other.moves.is_none());
    assert!(
        other
            .unrelated
            .as_deref()
            .unwrap()
            .contains("do not correspond")
    );
    assert!(
        other.deltas.is_ok(),
        "layer-level differences still compare"
    );
    app.apply(Action::SetCompare(0, 2));
    let h = fixture::harness(app);
    assert!(h.query_by_label_contains("do not correspond").is_some());
    assert!(h.query_by_label_contains("change category").is_none());
    assert!(h.query_by_label("arrows from A in B's scatter").is_none());
}

#[test]
fn a_baseline_against_several_entries_in_one_table_and_its_export() {
    let (report, stats) = results();
    let mut app = fixture::app(Tab::Compare);
    app.state
        .set_results(report.clone(), Some(stats.clone()), false);
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("delta.csv");
    let at = to.clone();
    app.set_save_picker(Box::new(move |_, _, _| Ok(Some(at.clone()))));
    app.apply(Action::SetCompare(0, 1));
    let mut h = fixture::harness(app);
    h.get_by_label_contains("A as the baseline").click();
    h.run();
    assert!(
        h.query_by_label("Tick the entries to compare with A.")
            .is_some()
    );
    for (menu, entry) in [("m (2)", "epoch 2"), ("n (1)", "n")] {
        h.get_by_label(menu).click();
        h.run();
        h.get_by_label(entry).click();
        h.run();
    }
    // One row per compared entry (a single layer), the same numbers as
    // the pair view's and as `deltas`.
    let want = |b: usize| {
        crate::compare::deltas(&report, &stats, (0, b), None, false).unwrap()[0]
            .delta
            .clone()
    };
    let (m2, n) = (want(1), want(2));
    assert!(m2.paired && n.paired, "entries of one job");
    let shown = |d: &crate::stats::LayerDelta| {
        let [lo, hi] = d.ci.unwrap()[0];
        format!("{:+.1} [{lo:+.1}, {hi:+.1}]", d.delta[0])
    };
    assert!(h.query_all_by_label(&shown(&m2)).count() >= 1);
    assert!(h.query_all_by_label(&shown(&n)).count() >= 1);
    h.get_by_label("Save Δ…").click();
    h.run();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !to.with_extension("png").exists() {
        assert!(std::time::Instant::now() < deadline, "no export");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let csv = std::fs::read_to_string(&to).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 2 * 3,
        "two entries × one layer × three factors"
    );
    assert!(
        std::fs::read_to_string(to.with_extension("svg"))
            .unwrap()
            .contains("<svg")
    );
}

#[test]
fn compares_export_carries_the_differences() {
    let (report, stats) = results();
    let mut app = fixture::app(Tab::Compare);
    app.state.set_results(report.clone(), Some(stats), false);
    app.apply(Action::SetCompare(0, 1));
    let r = crate::gui::export::content(Tab::Compare, &app.state).unwrap();
    assert!(
        r.svg.contains("Differences between entries"),
        "the chart under the figure"
    );
    let csv: Vec<&str> = r.csv.lines().collect();
    let at = csv
        .iter()
        .position(|l| l.starts_with("a,b,layer,factor,a_pct,b_pct,delta_pct"))
        .expect("the delta table after the figure's");
    assert_eq!(csv.len() - at - 1, 3, "one layer, three factors");
    // Without the statistics: the figure alone, as before.
    app.state.set_results(report, None, false);
    let r = crate::gui::export::content(Tab::Compare, &app.state).unwrap();
    assert!(!r.csv.contains("delta_pct"));
}
