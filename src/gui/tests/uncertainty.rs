//! Per-channel uncertainty in the app: stability from the report at its
//! threshold, recomputed from the statistics when τ moves (and unknown
//! without them), and Compare's count of certain category changes.

use std::sync::Arc;

use egui_kittest::kittest::Queryable as _;

use super::layers::fixture;
use crate::analysis::build_report;
use crate::gui::action::{Action, Tab};
use crate::gui::state::AppState;
use crate::stats::BootstrapConfig;
use crate::testing;

/// Statistics of two checkpoints of one model (one 6-channel layer, 60
/// pairs, 40 replicates) and the report built from them at τ = 0.5.
fn results() -> (Arc<crate::report::Report>, Arc<crate::analysis::StatsFile>) {
    let boot = BootstrapConfig {
        replicates: 40,
        seed: 3,
    };
    let models = [1.0, 2.0]
        .map(|e| {
            let layer = testing::accumulator("l", 6, 60 + e as u64, boot);
            testing::model_stats("m", Some(e), vec![layer], 0)
        })
        .to_vec();
    let stats = testing::stats_file(models, 61, boot);
    (Arc::new(build_report(&stats, 0.5)), Arc::new(stats))
}

#[test]
fn stability_follows_tau_with_the_statistics_and_is_unknown_without() {
    let (report, stats) = results();
    let mut with = AppState::default();
    with.set_results(report.clone(), Some(stats.clone()), false);
    let mut without = AppState::default();
    without.set_report(report.clone(), false);
    let stabilities = |s: &AppState| -> Vec<Option<f64>> {
        s.derived.points.iter().map(|p| p.stability).collect()
    };
    // At the report's τ both agree with the report.
    assert_eq!(stabilities(&with), stabilities(&without));
    assert!(stabilities(&with).iter().all(Option::is_some));
    assert!(with.derived.points.iter().all(|p| p.ci.is_some()));
    for s in [&mut with, &mut without] {
        s.settings.tau = 0.93;
        s.refresh();
    }
    assert!(stabilities(&without).iter().all(Option::is_none));
    // With the statistics: recomputed from the layer's replicates at 0.93.
    let acc = &stats.models[1].layers[0];
    let reps = acc.unit_replicates().unwrap();
    for p in &with.derived.points {
        assert_eq!(p.stability, reps.stability(p.channel, p.category, 0.93));
    }
}

#[test]
fn compare_counts_certain_changes_and_the_tooltip_says_uncertainty() {
    let (report, stats) = results();
    let (la, lb) = (&report.models[0].layers[0], &report.models[1].layers[0]);
    // A τ at which the two checkpoints' categories differ somewhere.
    let tau = (1..100)
        .map(|k| f64::from(k) / 100.0)
        .find(|&t| crate::figure::category_changes(la, lb, t).is_some_and(|c| !c.is_empty()))
        .unwrap_or_else(|| panic!("no τ where the checkpoints' categories differ"));
    let mut app = fixture::app(Tab::Compare);
    app.state.set_results(report.clone(), Some(stats), false);
    app.apply(Action::SetTau(tau));
    app.apply(Action::SetCompare(0, 1));
    let cmp = crate::gui::views::compare::Compared::new(&app.state, &report, 0, 1);
    let changes = cmp.changes.unwrap();
    assert!(!changes.is_empty());
    assert!(changes.iter().all(|c| c.certain().is_some()));
    let certain = changes.iter().filter(|c| c.certain() == Some(true)).count();
    let h = fixture::harness(app);
    assert!(
        h.query_by_label_contains(&format!("{certain} of them certain"))
            .is_some()
    );
    let p = report.models[1].layers[0].clone();
    let (points, _) = crate::figure::channel_points(&p, 0.5);
    let lines = crate::gui::views::channels::uncertainty_lines(&points[0]);
    assert!(lines[0].starts_with("ρ_S 95 %: ["), "{lines:?}");
    assert!(lines[2].contains("of replicates agree"), "{lines:?}");
}

#[test]
fn compare_certainty_follows_tau_with_the_statistics() {
    use crate::gui::views::compare::Compared;
    let (report, stats) = results();
    let mut with = AppState::default();
    with.set_results(report.clone(), Some(stats.clone()), false);
    let mut without = AppState::default();
    without.set_report(report.clone(), false);
    // Find a τ where the two checkpoints' categories differ somewhere.
    let tau = (1..100).map(|k| f64::from(k) / 100.0).find(|&t| {
        crate::figure::category_changes(&report.models[0].layers[0], &report.models[1].layers[0], t)
            .is_some_and(|c| !c.is_empty())
            && t != 0.5
    });
    let tau = tau.unwrap_or_else(|| panic!("no τ where the checkpoints' categories differ"));
    for s in [&mut with, &mut without] {
        s.settings.tau = tau;
        s.refresh();
    }
    let changes = |s: &AppState| Compared::new(s, &report, 0, 1).changes.unwrap();
    assert!(changes(&without).iter().all(|c| c.certain().is_none()));
    let reps = [0, 1].map(|e| with.replicates_of(&report, e, "l").unwrap());
    for c in changes(&with) {
        assert_eq!(
            c.stability,
            [
                reps[0].stability(c.channel, c.from, tau),
                reps[1].stability(c.channel, c.to, tau)
            ]
        );
        assert!(c.certain().is_some());
    }
}
