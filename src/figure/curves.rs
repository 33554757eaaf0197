//! Curves of shares: one panel per layer of dynamic % and static % with
//! their intervals as bands, against epoch (training), pairs measured
//! (convergence) or style strength (a sweep); the training figure adds
//! each layer's channel categories and the checkpoints' accuracies.

use super::data::TrainingCurve;
use super::palette::{self, hex};
use super::svg::Doc;
use crate::stats::Category;

impl TrainingCurve {
    /// The interval band of factor `k` (0 dynamic, 1 static): `(lower,
    /// upper)` at every point, when every point has its interval.
    pub fn band(&self, k: usize) -> Option<(Vec<f64>, Vec<f64>)> {
        let cis: Option<Vec<[[f64; 2]; 3]>> = self.points.iter().map(|p| p.ci).collect();
        let cis = cis?;
        Some((
            cis.iter().map(|c| c[k][0]).collect(),
            cis.iter().map(|c| c[k][1]).collect(),
        ))
    }
}

/// One y range for panels of shares: 0 to the largest dynamic or static
/// value or interval bound of `curves`, rounded up to tens (at least 10, at
/// most 100).
pub fn share_ceiling(curves: &[TrainingCurve]) -> f64 {
    let top = curves
        .iter()
        .flat_map(|c| &c.points)
        .flat_map(|p| {
            let hi = p.ci.map_or([0.0; 2], |ci| [ci[0][1], ci[1][1]]);
            [p.pct[0], p.pct[1], hi[0], hi[1]]
        })
        .fold(10.0f64, f64::max);
    ((top / 10.0).ceil() * 10.0).min(100.0)
}

/// One panel per layer: dynamic % (blue) and static % (red) against epoch
/// with their 95 % intervals as bands, every panel on the same axes, and a
/// dashed line where the layer's bias settles (on the probabilities).
pub fn training_svg(curves: &[TrainingCurve], title: &str) -> String {
    curves_svg(curves, title, "epoch", true)
}

/// What the training figure draws besides the shares, per curve (in the
/// curves' order): the channels per category at τ as stacked areas in a
/// strip under the panel, and the checkpoints' fractions (accuracies) as
/// dotted grey lines on a right axis from 0 to 1, as the app does.
pub struct TrainingExtras<'a> {
    /// Channels per category at each checkpoint, per curve.
    pub categories: &'a [super::data::CategoryCurve],
    /// τ the categories are counted at.
    pub tau: f64,
    /// `(name, (epoch, value) points)` per curve.
    pub metrics: Vec<Vec<(String, Vec<[f64; 2]>)>>,
}

/// [`training_svg`] with the category strip and the accuracy axis.
pub fn training_svg_with(
    curves: &[TrainingCurve],
    title: &str,
    extras: &TrainingExtras<'_>,
) -> String {
    panels_svg(curves, title, "epoch", true, Some(extras))
}

/// [`training_svg`] against any x (each point's `epoch` holds it): a style
/// strength, pairs measured. `settle` draws and states where the bias
/// settles (training only).
pub fn curves_svg(curves: &[TrainingCurve], title: &str, x_label: &str, settle: bool) -> String {
    panels_svg(curves, title, x_label, settle, None)
}

/// The greys of the metrics' dotted lines, alternating.
const METRIC_GREYS: [&str; 2] = ["#8c8c8c", "#444444"];

fn panels_svg(
    curves: &[TrainingCurve],
    title: &str,
    x_label: &str,
    settle: bool,
    extras: Option<&TrainingExtras<'_>>,
) -> String {
    // The category strip under each panel, when drawn.
    let strip = if extras.is_some() { 44.0 } else { 0.0 };
    let top = if extras.is_some() { 96.0 } else { 64.0 };
    let (pw, ph, left, gap) = (520.0, 150.0, 56.0, 46.0 + strip);
    let n = curves.len().max(1) as f64;
    let w = left + pw + 190.0;
    let h = top + n * (ph + gap) + 24.0;
    let mut d = Doc::new(w, h);
    d.text(10.0, 22.0, 15.0, "start", title);
    d.legend(
        10.0,
        44.0,
        &[
            ("dynamic %", palette::DYNAMIC),
            ("static %", palette::STATIC),
        ],
    );
    if let Some(x) = extras {
        let cats = [Category::Joint, Category::Neither];
        let items: Vec<(&str, [u8; 3])> = cats
            .iter()
            .map(|&c| {
                let name = if c == Category::Joint {
                    "joint channels"
                } else {
                    "no-bias channels"
                };
                (name, palette::category(c))
            })
            .collect();
        d.legend(190.0, 44.0, &items);
        let names: Vec<&str> = x
            .metrics
            .first()
            .map(|m| m.iter().map(|(n, _)| n.as_str()).collect())
            .unwrap_or_default();
        if !names.is_empty() {
            let said: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(k, n)| format!("{n} ({})", ["light", "dark"][k % 2]))
                .collect();
            d.text(
                10.0,
                80.0,
                10.0,
                "start",
                &format!("dotted, right axis 0 to 1: {}", said.join(", ")),
            );
        }
    }
    let key = if settle {
        "bands: 95 % bootstrap intervals · dashed: where the bias settles (probabilities)"
    } else {
        "bands: 95 % bootstrap intervals"
    };
    if extras.is_some() {
        d.text(10.0, 64.0, 10.0, "start", key);
    } else {
        d.text(250.0, 48.0, 10.0, "start", key);
    }
    let max_epoch = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.epoch))
        .fold(0.0f64, f64::max)
        .max(1e-9);
    // One y range for every panel: 0 to the largest value or bound, in tens.
    let y_max = share_ceiling(curves);
    for (i, c) in curves.iter().enumerate() {
        let y0 = top + i as f64 * (ph + gap);
        let sx = |e: f64| left + pw * e / max_epoch;
        let sy = |v: f64| y0 + ph * (1.0 - v / y_max);
        d.rect(left, y0, pw, ph, "#f7f7f7", None);
        for t in [0.0, y_max / 2.0, y_max] {
            d.line((left, sy(t)), (left + pw, sy(t)), "#dddddd", 1.0, false);
            d.text(left - 6.0, sy(t) + 3.0, 10.0, "end", &format!("{t:.0}"));
        }
        let epochs: Vec<f64> = c.points.iter().map(|p| p.epoch).collect();
        for e in crate::figure::data::tick_epochs(&epochs) {
            d.text(sx(e), y0 + ph + 14.0, 10.0, "middle", &format!("{e}"));
        }
        for k in 0..2 {
            let colour = palette::FACTORS[k];
            if c.points.iter().all(|p| p.ci.is_some()) {
                let upper = c
                    .points
                    .iter()
                    .filter_map(|p| Some((sx(p.epoch), sy(p.ci?[k][1]))));
                let lower = c
                    .points
                    .iter()
                    .rev()
                    .filter_map(|p| Some((sx(p.epoch), sy(p.ci?[k][0]))));
                let band: Vec<(f64, f64)> = upper.chain(lower).collect();
                d.polygon(&band, &hex(colour), 0.22);
            }
            let pts: Vec<(f64, f64)> = c
                .points
                .iter()
                .map(|p| (sx(p.epoch), sy(p.pct[k])))
                .collect();
            d.polyline(&pts, &hex(colour), false);
            for &(x, y) in &pts {
                d.circle(x, y, 2.5, &hex(colour), None);
            }
        }
        let name_x = if extras.is_some() {
            left + pw + 34.0
        } else {
            left + pw + 12.0
        };
        if let Some(x) = extras {
            draw_extras(&mut d, x, i, (left, y0, pw, ph), &sx);
        }
        d.text(name_x, y0 + 14.0, 12.0, "start", &c.layer);
        if settle {
            if let Some(s) = c.settled_probs {
                let x = sx(c.points[s].epoch);
                d.line((x, y0), (x, y0 + ph), "#444444", 1.0, true);
            }
            let settled = c
                .settled_probs
                .map(|s| format!("settles at epoch {}", c.points[s].epoch))
                .unwrap_or_else(|| "no interval".into());
            d.text(name_x, y0 + 30.0, 10.0, "start", &settled);
        }
        if let Some(last) = c.points.last() {
            let at = if settle {
                "final".to_string()
            } else {
                format!("at {}", last.epoch)
            };
            let fin = format!(
                "{at}: dynamic {:.1} %, static {:.1} %",
                last.pct[0], last.pct[1]
            );
            d.text(name_x, y0 + 44.0, 10.0, "start", &fin);
        }
    }
    d.text(left + pw / 2.0, h - 6.0, 12.0, "middle", x_label);
    d.finish()
}

/// Curve `i`'s category strip under its panel at `(left, y0, pw, ph)` and
/// its fractions on a right axis.
fn draw_extras(
    d: &mut Doc,
    x: &TrainingExtras<'_>,
    i: usize,
    (left, y0, pw, ph): (f64, f64, f64, f64),
    sx: &dyn Fn(f64) -> f64,
) {
    if let Some(metrics) = x.metrics.get(i).filter(|m| !m.is_empty()) {
        let sy = |v: f64| y0 + ph * (1.0 - v);
        for t in [0.0, 0.5, 1.0] {
            d.text(left + pw + 4.0, sy(t) + 3.0, 9.0, "start", &format!("{t}"));
        }
        for (k, (_, pts)) in metrics.iter().enumerate() {
            let line: Vec<(f64, f64)> = pts.iter().map(|p| (sx(p[0]), sy(p[1]))).collect();
            d.dotted(&line, METRIC_GREYS[k % 2]);
        }
    }
    let Some(cat) = x.categories.get(i) else {
        return;
    };
    let (top, h) = (y0 + ph + 22.0, 30.0);
    d.rect(left, top, pw, h, "#f7f7f7", None);
    for (k, c) in Category::ALL.iter().enumerate() {
        let upper = (0..cat.xs.len()).map(|j| {
            (
                sx(cat.xs[j]),
                top + h * (1.0 - cat.stacked(j)[k][1] / 100.0),
            )
        });
        let lower = (0..cat.xs.len()).rev().map(|j| {
            (
                sx(cat.xs[j]),
                top + h * (1.0 - cat.stacked(j)[k][0] / 100.0),
            )
        });
        let band: Vec<(f64, f64)> = upper.chain(lower).collect();
        d.polygon(&band, &hex(palette::category(*c)), 0.9);
    }
    d.text(
        left + pw + 4.0,
        top + h / 2.0 + 3.0,
        9.0,
        "start",
        &format!("channels at τ = {:.2}", x.tau),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use crate::testing;

    #[test]
    fn the_training_figure_draws_the_category_strip_and_the_accuracy_it_tabulates() {
        let rhos = [(Some(0.9), Some(0.1)), (Some(0.1), Some(0.8))];
        let l = || vec![testing::layer("s", &rhos, [30.0, 22.0, 48.0], None, 10)];
        let m = |e: f64| testing::model("m", Some(e), l());
        let mut r = testing::report(vec![m(0.0), m(1.0)], 10);
        r.models[0].metrics.insert("accuracy".into(), 0.25);
        r.models[1].metrics.insert("accuracy".into(), 0.75);
        r.models[1].metrics.insert("val_loss".into(), 3.5);
        let fig = super::super::Figure::Training { model: "m".into() }
            .render(&r, 0.5)
            .unwrap();
        assert!(fig.svg.contains("channels at τ = 0.50"));
        assert!(
            fig.svg
                .contains("dotted, right axis 0 to 1: accuracy (light)")
        );
        assert_eq!(fig.svg.matches("stroke-dasharray=\"1.5 3\"").count(), 1);
        let tables: Vec<&str> = fig.csv.split("\n\n").collect();
        assert_eq!(tables.len(), 3, "{}", fig.csv);
        assert_eq!(
            tables[2].trim(),
            "model,epoch,metric,value\nm,0,accuracy,0.25\nm,1,accuracy,0.75",
            "a loss is not a fraction: neither drawn nor listed"
        );
    }
}
