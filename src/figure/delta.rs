//! Differences between entries: B − A of each layer's dynamic % and static
//! % with their bootstrap intervals (one row per layer and compared entry),
//! and each channel's move from A to B on one ρ_S–ρ_D scatter, as arrows
//! coloured by whether its category change is certain.

use super::ChannelPoint;
use super::palette::{self, hex};
use super::svg::{Doc, lower_bound, scatter_axes};

/// One row of the Δ chart: entry `b` against the baseline at `layer`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeltaBar {
    /// The compared entry's label.
    pub b: String,
    /// The layer.
    pub layer: String,
    /// Δ dynamic % and Δ static %.
    pub delta: [f64; 2],
    /// Their 95 % intervals.
    pub ci: Option<[[f64; 2]; 2]>,
    /// Whether the intervals come from paired draws.
    pub paired: bool,
}

/// Horizontal bars of Δ dynamic % (blue) and Δ static % (red) from 0, per
/// layer and compared entry, with interval whiskers; `baseline` names A.
pub fn delta_svg(bars: &[DeltaBar], baseline: &str, title: &str) -> String {
    let (left, top, pw, row) = (230.0, 70.0, 420.0, 34.0);
    let h = top + row * bars.len().max(1) as f64 + 60.0;
    let mut d = Doc::new(left + pw + 40.0, h);
    d.text(10.0, 22.0, 15.0, "start", title);
    d.text(
        10.0,
        40.0,
        11.0,
        "start",
        &format!(
            "B − A with A = {baseline}; whiskers: 95 % bootstrap intervals (paired where marked)"
        ),
    );
    d.legend(
        10.0,
        58.0,
        &[
            ("Δ dynamic %", palette::DYNAMIC),
            ("Δ static %", palette::STATIC),
        ],
    );
    let extent = bars
        .iter()
        .flat_map(|b| {
            let ci =
                b.ci.map_or([0.0; 4], |c| [c[0][0], c[0][1], c[1][0], c[1][1]]);
            [b.delta[0], b.delta[1]].into_iter().chain(ci)
        })
        .fold(1.0f64, |m, v| m.max(v.abs()));
    let extent = (extent / 5.0).ceil() * 5.0;
    let sx = |v: f64| left + pw * (v + extent) / (2.0 * extent);
    d.rect(
        left,
        top,
        pw,
        row * bars.len().max(1) as f64,
        "#f7f7f7",
        None,
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let mark = if b.paired { "" } else { " (unpaired)" };
        d.text(
            left - 8.0,
            y + row / 2.0 + 4.0,
            11.0,
            "end",
            &format!("{} · {}{mark}", b.layer, b.b),
        );
        for (k, colour) in [(0, palette::DYNAMIC), (1, palette::STATIC)] {
            let (y0, bh) = (y + 5.0 + 12.0 * k as f64, 10.0);
            let (x0, x1) = (sx(0.0), sx(b.delta[k]));
            let title = format!("{:+.1} %", b.delta[k]);
            d.rect(
                x0.min(x1),
                y0,
                (x1 - x0).abs().max(1.0),
                bh,
                &hex(colour),
                Some(&title),
            );
            if let Some(ci) = b.ci {
                let [lo, hi] = ci[k];
                let mid = y0 + bh / 2.0;
                d.line((sx(lo), mid), (sx(hi), mid), "#222222", 1.0, false);
                d.line(
                    (sx(lo), mid - 3.0),
                    (sx(lo), mid + 3.0),
                    "#222222",
                    1.0,
                    false,
                );
                d.line(
                    (sx(hi), mid - 3.0),
                    (sx(hi), mid + 3.0),
                    "#222222",
                    1.0,
                    false,
                );
            }
        }
    }
    let bottom = top + row * bars.len().max(1) as f64;
    d.line((sx(0.0), top), (sx(0.0), bottom), "#444444", 1.0, false);
    for t in [-extent, -extent / 2.0, 0.0, extent / 2.0, extent] {
        d.text(sx(t), bottom + 16.0, 10.0, "middle", &format!("{t:+.1}"));
    }
    d.text(
        left + pw / 2.0,
        bottom + 36.0,
        12.0,
        "middle",
        "B − A (percentage points of the layer's dimensions)",
    );
    d.finish()
}

/// One channel's move from entry A to entry B.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrow {
    /// At A.
    pub from: ChannelPoint,
    /// At B.
    pub to: ChannelPoint,
    /// Whether the category change is certain (both ends stable); `None`
    /// when a stability is unknown.
    pub certain: Option<bool>,
}

/// Each channel's move on one scatter: an arrow from A's point to B's,
/// strong for a certain change of category, light for an uncertain one,
/// faint for a channel whose category stays; B's point coloured by its
/// category. Under the plot: how many change, how many certainly.
pub fn arrows_svg(arrows: &[Arrow], tau: f64, title: &str) -> String {
    let ends: Vec<ChannelPoint> = arrows.iter().flat_map(|a| [a.from, a.to]).collect();
    let changed = arrows.iter().filter(|a| a.from.category != a.to.category);
    let certain = changed.clone().filter(|a| a.certain == Some(true)).count();
    let counts = format!(
        "{} of {} channels change category at τ = {tau:.2}; {certain} of the changes are certain",
        changed.count(),
        arrows.len()
    );
    let footer = [
        counts.as_str(),
        "Arrows from A to B: black, a certain change (both ends at least 90 % stable);",
        "grey, an uncertain one; faint, the category stays. Points: B's category.",
    ];
    let (mut d, ax) = scatter_axes(tau, title, lower_bound([&ends[..]]), &footer);
    // quiet ones first, so the certain changes are drawn on top
    let mut order: Vec<&Arrow> = arrows.iter().collect();
    order.sort_by_key(|a| match (a.from.category != a.to.category, a.certain) {
        (false, _) => 0,
        (true, Some(false) | None) => 1,
        (true, Some(true)) => 2,
    });
    for a in order {
        let changed = a.from.category != a.to.category;
        let (stroke, width) = match (changed, a.certain) {
            (false, _) => ("#c8c8c8", 0.8),
            (true, Some(true)) => ("#111111", 1.8),
            (true, _) => ("#8a8a8a", 1.2),
        };
        let (x0, y0) = (ax.x(a.from.rho_static), ax.y(a.from.rho_dynamic));
        let (x1, y1) = (ax.x(a.to.rho_static), ax.y(a.to.rho_dynamic));
        d.arrow((x0, y0), (x1, y1), stroke, width);
        d.circle(x1, y1, 3.0, &hex(palette::category(a.to.category)), None);
    }
    d.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::stats::Category;

    #[test]
    fn bars_whiskers_and_arrows_are_drawn() {
        let svg = delta_svg(
            &[DeltaBar {
                b: "m@3".into(),
                layer: "s3".into(),
                delta: [4.0, -2.0],
                ci: Some([[1.0, 7.0], [-3.0, -1.0]]),
                paired: true,
            }],
            "m@0",
            "Δ",
        );
        assert!(svg.contains("+4.0 %") && svg.contains("-2.0 %"), "{svg}");
        assert!(svg.contains("A = m@0") && !svg.contains("(unpaired)"));
        let p = |s: f64, d: f64, category| ChannelPoint {
            channel: 0,
            rho_static: s,
            rho_dynamic: d,
            category,
            ci: None,
            stability: None,
        };
        let svg = arrows_svg(
            &[
                Arrow {
                    from: p(0.8, 0.2, Category::Static),
                    to: p(0.2, 0.8, Category::Dynamic),
                    certain: Some(true),
                },
                Arrow {
                    from: p(0.1, 0.1, Category::Neither),
                    to: p(0.15, 0.1, Category::Neither),
                    certain: None,
                },
            ],
            0.5,
            "moves",
        );
        assert_eq!(svg.matches("marker-end").count(), 2, "{svg}");
        assert!(svg.contains("#111111") && svg.contains("#c8c8c8"));
        assert!(svg.contains("1 of 2 channels change category at τ = 0.50; 1 of the changes"));
    }
}
