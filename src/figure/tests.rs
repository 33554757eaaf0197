//! Plot data on hand-made reports: grouping, bars, scatter points and
//! re-bucketing at τ, training curves and where they settle, category changes.

use super::*;
use crate::report::{LayerReport, ModelReport, Report};
use crate::stats::Category;
use crate::testing;

fn layer(
    name: &str,
    rhos: &[(Option<f64>, Option<f64>)],
    pct: [f64; 3],
    ci: Option<[[f64; 2]; 3]>,
) -> LayerReport {
    testing::layer(name, rhos, pct, ci, 10)
}

fn report(models: Vec<ModelReport>) -> Report {
    testing::report(models, 10)
}

use testing::model;

const RHOS: [(Option<f64>, Option<f64>); 4] = [
    (Some(0.9), Some(0.1)), // dynamic
    (Some(0.1), Some(0.8)), // static
    (Some(0.7), Some(0.6)), // joint
    (None, Some(0.3)),      // undefined
];

#[test]
fn groups_order_checkpoints_by_epoch() {
    let l = || vec![layer("s", &RHOS, [10.0, 20.0, 70.0], None)];
    let r = report(vec![
        model("a", Some(3.0), l()),
        model("b", None, l()),
        model("a", Some(1.0), l()),
        model("a", None, l()),
    ]);
    let g = model_groups(&r);
    assert_eq!(g.len(), 2);
    assert_eq!(
        (g[0].name.as_str(), g[0].entries.clone()),
        ("a", vec![2, 0, 3])
    );
    assert_eq!(g[1].entries, vec![1]);
}

#[test]
fn bars_and_points_rebucket_at_tau() {
    let r = report(vec![model(
        "a",
        None,
        vec![layer("s", &RHOS, [10.0, 20.0, 70.0], None)],
    )]);
    let bars = layer_bars(&r, 0.5);
    assert_eq!(bars.len(), 1);
    let b = &bars[0];
    assert_eq!(
        (
            b.counts.dynamic,
            b.counts.static_,
            b.counts.joint,
            b.counts.none,
            b.counts.unassigned
        ),
        (1, 1, 1, 0, 1)
    );
    assert_eq!(b.category_pct(Category::Dynamic), 25.0);
    // at τ = 0.65 the joint channel (0.7, 0.6) becomes dynamic
    let b = &layer_bars(&r, 0.65)[0];
    assert_eq!((b.counts.dynamic, b.counts.joint), (2, 0));
    let (points, undefined) = channel_points(&r.models[0].layers[0], 0.65);
    assert_eq!(undefined, 1);
    assert_eq!(points.len(), 3);
    assert_eq!(points[2].channel, 2);
    assert_eq!((points[2].rho_static, points[2].rho_dynamic), (0.6, 0.7));
    assert_eq!(points[2].category, Category::Dynamic);
}

#[test]
fn curves_settle_where_points_enter_the_final_interval() {
    let ci = [[28.0, 34.0], [20.0, 26.0], [0.0, 100.0]];
    let epochs = [
        (0.0, [10.0, 40.0]),
        (1.0, [30.0, 22.0]),
        (2.0, [40.0, 22.0]),
        (3.0, [29.0, 25.0]),
        (4.0, [31.0, 23.0]),
    ];
    let models = epochs
        .iter()
        .map(|&(e, [d, s])| {
            model(
                "m",
                Some(e),
                vec![layer("s", &RHOS, [d, s, 100.0 - d - s], Some(ci))],
            )
        })
        .collect();
    let mut r = report(models);
    let g = &model_groups(&r)[0];
    let curves = training_curves(&r, g);
    assert_eq!(curves.len(), 1);
    assert_eq!(curves[0].points.len(), 5);
    // epoch 2 (dynamic 40 %) is outside, so the bias settles at epoch 3
    assert_eq!(curves[0].settled, Some(3));
    // the fixture's probabilities are the percentages / 100: same answer
    assert_eq!(curves[0].settled_probs, Some(3));
    assert_eq!(
        curves[0].settled_epoch(SettleCriterion::default()),
        Some(3.0)
    );
    // a probability just outside the final interval (0.28 to 0.34) at epoch
    // 3, whose rounded percentage (29 %) is inside: the criteria differ
    r.models[3].layers[0].probs[0] = 0.3401;
    let curves = training_curves(&r, &model_groups(&r)[0]);
    assert_eq!(curves[0].settled, Some(3));
    assert_eq!(curves[0].settled_probs, Some(4));
    assert_eq!(
        curves[0].settled_epoch(SettleCriterion::Percentages),
        Some(3.0)
    );
    assert_eq!(
        curves[0].settled_epoch(SettleCriterion::Probabilities),
        Some(4.0)
    );
    assert_eq!(settle_index(&curves[0].points[..2]), Some(1));
    assert_eq!(settle_index(&[]), None);
}

#[test]
fn category_changes_between_checkpoints() {
    let a = layer("s", &RHOS, [0.0; 3], None);
    let mut moved = RHOS;
    moved[1] = (Some(0.8), Some(0.9)); // static → joint
    let b = layer("s", &moved, [0.0; 3], None);
    let changes = category_changes(&a, &b, 0.5).unwrap();
    assert_eq!(
        changes,
        vec![CategoryChange {
            channel: 1,
            from: Category::Static,
            to: Category::Joint,
            stability: [None, None],
        }]
    );
    assert_eq!(changes[0].certain(), None);
    let c = layer("s", &RHOS[..2], [0.0; 3], None);
    assert_eq!(category_changes(&a, &c, 0.5), None);
    // With intervals (the fixture's made-up stability: 1 far from τ, 0.5 at it).
    let ci = Some([[0.0; 2]; 3]);
    let (a, b) = (
        layer("s", &RHOS, [0.0; 3], ci),
        layer("s", &moved, [0.0; 3], ci),
    );
    let changes = category_changes(&a, &b, 0.5).unwrap();
    let [x, y] = changes[0].stability;
    assert!(x.is_some() && y.is_some());
    assert_eq!(
        changes[0].certain(),
        Some(x.unwrap() >= STABLE && y.unwrap() >= STABLE)
    );
    let (points, _) = channel_points(&b, 0.5);
    let p = points.iter().find(|p| p.channel == 1).unwrap();
    let ci = p.ci.unwrap();
    let want = [0.8, 1.0, 0.7, 0.9];
    for (g, w) in ci.iter().flatten().zip(want) {
        assert!((g - w).abs() < 1e-12, "{ci:?}");
    }
    assert!(p.stable().is_some());
}

#[test]
fn figures_render_to_svg_and_png() {
    let ci = [[28.0, 34.0], [20.0, 26.0], [40.0, 52.0]];
    let models = (0..3)
        .map(|e| {
            model(
                "m & <n>",
                Some(f64::from(e)),
                vec![layer("s", &RHOS, [30.0, 22.0, 48.0], Some(ci))],
            )
        })
        .collect();
    let r = report(models);
    let bars = layer_bars(&r, 0.5);
    let svg = super::svg::bars_svg(&bars, "bars");
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    assert!(svg.contains("m &amp; &lt;n&gt;"), "names are escaped");
    assert!(svg.contains(&super::palette::hex(super::palette::DYNAMIC)));
    let (points, _) = channel_points(&r.models[0].layers[0], 0.5);
    let scatter = super::svg::scatter_svg(&points, 0.5, &[1], "scatter");
    assert_eq!(scatter.matches("<circle").count(), 3);
    let curves = training_curves(&r, &model_groups(&r)[0]);
    let training = super::svg::training_svg(&curves, "training");
    assert!(training.contains("settles at epoch 0"));
    for svg in [svg, scatter, training] {
        let png = super::png::svg_to_png(&svg, 1.0).unwrap();
        let img = image::load_from_memory(&png).unwrap();
        assert!(
            img.width() > 300 && img.height() > 150,
            "{}×{}",
            img.width(),
            img.height()
        );
        // not blank: some pixels are neither white nor transparent
        let rgba = img.to_rgba8();
        assert!(rgba.pixels().any(|p| p.0[0] < 200));
    }
}

#[test]
fn csv_holds_the_plotted_numbers() {
    let ci = [[28.0, 34.0], [20.0, 26.0], [40.0, 52.0]];
    let models = [0.0, 1.0]
        .iter()
        .map(|&e| {
            model(
                "m",
                Some(e),
                vec![layer("s", &RHOS, [30.0, 22.0, 48.0], Some(ci))],
            )
        })
        .collect();
    let r = report(models);
    let bars = super::csv::bars_csv(&layer_bars(&r, 0.5), 0.5).unwrap();
    let lines: Vec<&str> = bars.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        "model,checkpoint,epoch,layer,channels,dynamic_pct,dynamic_lo,dynamic_hi,\
         static_pct,static_lo,static_hi,residual_pct,tau,units_dynamic,units_static,\
         units_joint,units_none,units_unassigned,stream"
    );
    assert!(
        lines[1].starts_with("m,epoch_0.pt,0,s,4,30,28,34,22,20,26,48,0.5,1,1,1,0,1,"),
        "{}",
        lines[1]
    );
    let training = super::csv::training_csv(&r).unwrap();
    assert_eq!(training.lines().count(), 3);
    assert_eq!(
        training.lines().next(),
        Some(
            "model,checkpoint,epoch,layer,dynamic_pct,dynamic_lo,dynamic_hi,\
             static_pct,static_lo,static_hi,residual_pct,settled_from_epoch,\
             settled_from_epoch_probs"
        )
    );
    assert!(
        training.lines().nth(2).unwrap().ends_with(",0,0"),
        "settled from epoch 0 by both criteria"
    );
    let (points, _) = channel_points(&r.models[0].layers[0], 0.5);
    let pts = super::csv::points_csv(&r.models[0].layers[0], &points, 0.5).unwrap();
    assert_eq!(pts.lines().nth(1), Some("s,0,0.1,0.9,dynamic,0.5"));
    let l = &r.models[0].layers[0];
    let both =
        super::csv::compared_points_csv(&[("a, 0", l, &points), ("b", l, &points)], 0.5).unwrap();
    let lines: Vec<&str> = both.lines().collect();
    assert_eq!(
        lines[0],
        "entry,layer,channel,rho_static,rho_dynamic,category,tau"
    );
    assert_eq!(lines[1], "\"a, 0\",s,0,0.1,0.9,dynamic,0.5", "quoted");
    assert_eq!(lines.len(), 1 + 2 * points.len());
}

#[test]
fn composed_figures_sit_side_by_side_and_render() {
    let r = report(vec![model(
        "m",
        None,
        vec![layer("s", &RHOS, [30.0, 22.0, 48.0], None)],
    )]);
    let (points, _) = channel_points(&r.models[0].layers[0], 0.5);
    let scatter = super::svg::scatter_svg(&points, 0.5, &[], "one");
    let bars = super::svg::bars_svg(&layer_bars(&r, 0.5), "bars");
    let size = |svg: &str| {
        let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).unwrap();
        (tree.size().width(), tree.size().height())
    };
    let (sw, sh) = size(&scatter);
    let (bw, bh) = size(&bars);
    let both = super::svg::compose(&[vec![bars.clone()], vec![scatter.clone(), scatter]]);
    let (w, h) = size(&both);
    assert_eq!((w, h), (bw.max(2.0 * sw), bh + sh));
    let png = super::png::svg_to_png(&both, 1.0).unwrap();
    // side by side on the same axes: the lower end comes from both sides
    let mut low = points.clone();
    low[0].rho_static = -0.5;
    let pair = super::svg::scatters_svg(&[(&points, "a"), (&low, "b")], 0.5, &[]);
    assert!(
        pair.iter().all(|s| s.contains(">-0.6<")),
        "both start at −0.6"
    );
    assert!(!super::svg::scatter_svg(&points, 0.5, &[], "a").contains(">-0.6<"));
    let image = image::load_from_memory(&png).unwrap();
    assert_eq!(
        (image.width(), image.height()),
        (w.ceil() as u32, h.ceil() as u32)
    );
}

/// Two models: "a" with checkpoints at epochs 0 and 1, "b" without; layers
/// "s" (4 channels) and, in a only, "t".
fn catalogue_report() -> Report {
    let l = |name: &str| layer(name, &RHOS, [30.0, 22.0, 48.0], None);
    report(vec![
        model("a", Some(0.0), vec![l("s"), l("t")]),
        model("a", Some(1.0), vec![l("s"), l("t")]),
        model("b", None, vec![l("s")]),
    ])
}

#[test]
fn the_catalogue_names_every_figure_once() {
    use super::catalogue::every;
    let r = catalogue_report();
    let rendered: Vec<Rendered> = every(&r)
        .iter()
        .map(|f| f.render(&r, 0.5).unwrap())
        .collect();
    let stems: Vec<&str> = rendered.iter().map(|f| f.stem.as_str()).collect();
    assert_eq!(
        stems,
        ["bars", "training_a", "channels_a_t", "channels_b_s"]
    );
    let titles: Vec<&str> = rendered.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Static and dynamic share per layer",
            "a: shares across training",
            "a · epoch 1 · t: channels (1 undefined)",
            "b · s: channels (1 undefined)",
        ]
    );
    for f in &rendered {
        assert!(f.svg.contains(&f.title), "{}", f.stem);
        assert!(f.csv.lines().count() > 1, "{}", f.stem);
    }
    // the bars of each model's last checkpoint: a at epoch 1 (2 layers), b (1)
    assert_eq!(rendered[0].csv.lines().count(), 1 + 3);
    assert!(rendered[0].csv.contains("\na,epoch_1.pt,1,s,"));
}

#[test]
fn a_figure_of_what_the_report_lacks_is_missing_not_a_panic() {
    let r = catalogue_report();
    let missing = [
        Figure::Layers {
            entries: vec![7],
            checkpoints_of: None,
        },
        Figure::Channels {
            entry: 9,
            layer: "s".into(),
            selected: vec![],
        },
        Figure::Channels {
            entry: 2,
            layer: "t".into(),
            selected: vec![],
        },
        Figure::Training { model: "b".into() },
        Figure::Compare {
            a: 0,
            b: 26,
            layer: None,
            selected: vec![],
        },
    ];
    for f in missing {
        assert!(
            matches!(f.render(&r, 0.5), Err(FigureError::Missing(_))),
            "{f:?}"
        );
    }
}

#[test]
fn compare_holds_the_bars_the_changes_and_both_scatters() {
    let r = catalogue_report();
    let f = Figure::Compare {
        a: 0,
        b: 2,
        layer: Some("t".into()), // b lacks it: the scatters show s
        selected: vec![1],
    };
    let out = f.render(&r, 0.5).unwrap();
    assert_eq!(out.stem, "compare");
    assert_eq!(
        out.title,
        "a · epoch 0 and b: static and dynamic share per layer"
    );
    let tables: Vec<&str> = out.csv.split("\n\n").collect();
    assert_eq!(tables.len(), 3, "{}", out.csv);
    assert!(tables[0].starts_with("model,checkpoint,epoch,layer,channels,"));
    assert_eq!(tables[0].lines().count(), 1 + 3, "a's two layers, b's one");
    assert_eq!(
        tables[1].trim_end(),
        "layer,channel,from,to",
        "none changed"
    );
    assert!(tables[2].starts_with("entry,layer,channel,rho_static,"));
    assert_eq!(
        tables[2].lines().count(),
        1 + 3 + 3,
        "defined points of both"
    );
    assert!(tables[2].contains("\nb,s,0,"));
    // rings only when the selection is of the layer shown
    let ring = "fill-opacity=\"0.85\" stroke=";
    assert!(!out.svg.contains(ring));
    let f = |b| Figure::Compare {
        a: 0,
        b,
        layer: Some("s".into()),
        selected: vec![1],
    };
    // Checkpoints of one model: channel 1 is the same channel in both.
    assert_eq!(f(1).render(&r, 0.5).unwrap().svg.matches(ring).count(), 2);
    // Another model: channel 1 of a is not channel 1 of b; no rings, no changes.
    assert_eq!(f(2).render(&r, 0.5).unwrap().svg.matches(ring).count(), 0);
}

#[test]
fn compare_lists_no_category_changes_between_different_models() {
    let l = |name: &str, k: f64| {
        let rhos: Vec<(Option<f64>, Option<f64>)> =
            RHOS.iter().map(|&(d, s)| (d.map(|d| d * k), s)).collect();
        layer(name, &rhos, [30.0, 22.0, 48.0], None)
    };
    let r = report(vec![
        model("a", Some(0.0), vec![l("s", 1.0)]),
        model("a", Some(1.0), vec![l("s", 0.1)]),
        model("b", None, vec![l("s", 0.1)]),
    ]);
    let changes = |b| {
        let f = Figure::Compare {
            a: 0,
            b,
            layer: None,
            selected: vec![],
        };
        let csv = f.render(&r, 0.5).unwrap().csv;
        csv.split("\n\n").nth(1).unwrap().lines().count() - 1
    };
    assert!(changes(1) > 0, "checkpoints of one model: changes listed");
    assert_eq!(changes(2), 0, "another model's channels do not correspond");
}

#[test]
fn category_curves_stack_the_channels_per_checkpoint() {
    let l = || vec![layer("s", &RHOS, [30.0, 22.0, 48.0], None)];
    let r = report(vec![model("m", Some(0.0), l()), model("m", Some(1.0), l())]);
    let curves = training_curves(&r, &model_groups(&r)[0]);
    let cats = category_curves(&r, &curves, 0.5);
    assert_eq!(cats.len(), 1);
    assert_eq!(cats[0].xs, vec![0.0, 1.0]);
    assert_eq!(cats[0].channels, vec![4, 4]);
    let n = cats[0].counts[1];
    assert_eq!(
        (n.dynamic, n.static_, n.joint, n.none, n.unassigned),
        (1, 1, 1, 0, 1)
    );
    assert_eq!(
        cats[0].stacked(1),
        [
            [0.0, 25.0],
            [25.0, 50.0],
            [50.0, 75.0],
            [75.0, 75.0],
            [75.0, 100.0]
        ]
    );
    // at τ = 0.65 the joint channel (0.7, 0.6) is dynamic
    let n = category_curves(&r, &curves, 0.65)[0].counts[0];
    assert_eq!((n.dynamic, n.joint), (2, 0));
    let csv = super::csv::category_curves_csv("m", &cats, 0.5).unwrap();
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        [
            "model,epoch,layer,channels,tau,units_dynamic,units_static,units_joint,units_none,\
             units_unassigned",
            "m,0,s,4,0.5,1,1,1,0,1",
            "m,1,s,4,0.5,1,1,1,0,1"
        ]
    );
}

#[test]
fn the_tau_sweep_counts_every_channel_at_every_tau() {
    let l = layer("s", &RHOS, [30.0, 22.0, 48.0], None);
    let taus = tau_grid();
    assert_eq!(taus.len(), 101);
    assert_eq!((taus[0], taus[50], taus[100]), (0.0, 0.5, 1.0));
    let sweep = tau_sweep(&l, &taus);
    assert_eq!(sweep.xs, taus);
    let at = |t: usize| {
        let n = sweep.counts[t];
        (n.dynamic, n.static_, n.joint, n.none, n.unassigned)
    };
    // ρ (D, S): (0.9, 0.1), (0.1, 0.8), (0.7, 0.6), undefined.
    assert_eq!(
        at(0),
        (0, 0, 3, 0, 1),
        "τ = 0: every defined channel is joint"
    );
    assert_eq!(at(50), (1, 1, 1, 0, 1));
    assert_eq!(
        at(60),
        (1, 1, 0, 0, 2),
        "ρ_S = 0.6 is exactly τ: unassigned"
    );
    assert_eq!(at(65), (2, 1, 0, 0, 1));
    assert_eq!(at(100), (0, 0, 0, 3, 1), "τ = 1: none");
    for n in &sweep.counts {
        assert_eq!(n.dynamic + n.static_ + n.joint + n.none + n.unassigned, 4);
    }
}

#[test]
fn a_partial_reports_figures_say_so() {
    let l = || vec![layer("s", &RHOS, [30.0, 22.0, 48.0], None)];
    let mut r = report(vec![model("m", Some(0.0), l()), model("m", Some(1.0), l())]);
    let fig = super::Figure::Training { model: "m".into() };
    let whole = fig.render(&r, 0.5).unwrap();
    assert!(!whole.svg.contains("partial"));
    r.partial = Some(crate::report::Partial {
        pairs_done: 336,
        pairs_planned: 400,
    });
    let part = fig.render(&r, 0.5).unwrap();
    assert!(
        part.title.ends_with("(partial: 336 of 400 pairs)"),
        "{}",
        part.title
    );
    assert!(part.svg.contains(">partial: 336 of 400 pairs</text></svg>"));
    // Both tables of the Training CSV carry the column.
    let lines: Vec<&str> = part.csv.lines().collect();
    assert!(lines[0].ends_with(",partial"), "{}", lines[0]);
    assert!(lines[1].ends_with(",336 of 400"), "{}", lines[1]);
    let second = lines.iter().position(|l| l.is_empty()).unwrap() + 1;
    assert!(lines[second].starts_with("model,epoch") && lines[second].ends_with(",partial"));
    assert_eq!(
        part.csv.lines().count(),
        whole.csv.lines().count(),
        "no row more or less"
    );
}

#[test]
fn a_tagged_layer_carries_its_stream_into_labels_and_tables() {
    let mut r = report(vec![model(
        "two",
        None,
        vec![
            layer("rgb1", &RHOS, [30.0, 22.0, 48.0], None),
            layer("flow1", &RHOS, [30.0, 22.0, 48.0], None),
        ],
    )]);
    r.models[0].layers[1].stream = Some("motion".into());
    let bars = layer_bars(&r, 0.5);
    assert_eq!(bars[0].label(), "rgb1");
    assert_eq!(bars[1].label(), "flow1 · motion");
    assert!(super::svg::bar_label(&bars[1]).ends_with("flow1 · motion"));
    let csv = super::csv::bars_csv(&bars, 0.5).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[1].ends_with(','),
        "untagged: empty cell: {}",
        lines[1]
    );
    assert!(lines[2].ends_with(",motion"), "{}", lines[2]);
    // The report keeps it; an untagged layer writes no field.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["models"][0]["layers"][1]["stream"], "motion");
    assert!(json["models"][0]["layers"][0].get("stream").is_none());
}
