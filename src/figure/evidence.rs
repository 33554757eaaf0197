//! The evidence behind a channel's ρ: member 1 against member 2 of the
//! sampled pairs, one panel per factor, each with the sample's correlation
//! and the estimator's ρ over every pair.

use super::palette::hex;
use super::svg::Doc;

/// One factor's panel: its name, colour, the sampled `(member 1, member 2)`
/// values and the estimator's ρ over all pairs.
pub struct PairPanel<'a> {
    /// "dynamic pairs" or "static pairs".
    pub title: &'a str,
    /// Point colour.
    pub colour: [u8; 3],
    /// Sampled values.
    pub points: &'a [(f32, f32)],
    /// ρ of the factor over all pairs (`None`: undefined).
    pub rho: Option<f64>,
}

/// The Pearson correlation of the points; `None` for fewer than 2 or no spread.
pub fn pearson(points: &[(f32, f32)]) -> Option<f64> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let (ma, mb) = points.iter().fold((0.0, 0.0), |(a, b), p| {
        (a + f64::from(p.0) / n, b + f64::from(p.1) / n)
    });
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for &(a, b) in points {
        let (da, db) = (f64::from(a) - ma, f64::from(b) - mb);
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

/// Side-by-side scatters of member 1 (x) against member 2 (y), on shared
/// axes so the panels compare, with the diagonal y = x.
pub fn pair_scatters_svg(panels: &[PairPanel<'_>], title: &str) -> String {
    let (pw, ph, m) = (300.0, 300.0, 48.0);
    let mut d = Doc::new(
        panels.len().max(1) as f64 * (pw + m) + m,
        ph + 2.0 * m + 24.0,
    );
    d.text(m, 24.0, 15.0, "start", title);
    let all = panels
        .iter()
        .flat_map(|p| p.points.iter().flat_map(|q| [q.0, q.1]));
    let (lo, hi) = all.fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (f64::from(lo), f64::from(hi))
    } else {
        (0.0, 1.0)
    };
    let pad = (hi - lo) * 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    for (i, p) in panels.iter().enumerate() {
        let x0 = m + i as f64 * (pw + m);
        let y0 = m + 24.0;
        let sx = |v: f64| x0 + (v - lo) / (hi - lo) * pw;
        let sy = |v: f64| y0 + ph - (v - lo) / (hi - lo) * ph;
        d.rect(x0, y0, pw, ph, "#f6f6f6", None);
        d.line((sx(lo), sy(lo)), (sx(hi), sy(hi)), "#999999", 1.0, true);
        for &(a, b) in p.points {
            d.circle(
                sx(f64::from(a)),
                sy(f64::from(b)),
                3.0,
                &hex(p.colour),
                None,
            );
        }
        let fmt = |r: Option<f64>| r.map_or("undefined".to_string(), |r| format!("{r:.3}"));
        d.text(x0, y0 - 8.0, 13.0, "start", p.title);
        d.text(
            x0 + 6.0,
            y0 + 16.0,
            11.0,
            "start",
            &format!(
                "ρ = {} (all pairs); r = {} ({} sampled)",
                fmt(p.rho),
                fmt(pearson(p.points)),
                p.points.len()
            ),
        );
        d.text(x0 + pw / 2.0, y0 + ph + 30.0, 11.0, "middle", "member 1");
        d.text(x0 - 8.0, y0 + ph / 2.0, 11.0, "end", "m2");
        d.text(x0, y0 + ph + 14.0, 10.0, "start", &format!("{lo:.3}"));
        d.text(x0 + pw, y0 + ph + 14.0, 10.0, "end", &format!("{hi:.3}"));
    }
    d.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn pearson_and_the_figure() {
        let line = [(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)];
        assert!((pearson(&line).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(pearson(&[(1.0, 1.0), (1.0, 2.0)]), None);
        let svg = pair_scatters_svg(
            &[PairPanel {
                title: "static pairs",
                colour: [200, 50, 50],
                points: &line,
                rho: Some(0.5),
            }],
            "c 3",
        );
        assert!(
            svg.contains("ρ = 0.500") && svg.contains("r = 1.000"),
            "{svg}"
        );
        assert_eq!(svg.matches("<circle").count(), 3);
    }
}
