//! Figures as SVG: the layer bars, the channel scatter and the training
//! curves, drawn from the same plot data as the app ([`super::data`]), in
//! the reference's colours, with axis labels, units and legends.
//! [`super::png`] rasterizes them.

use std::fmt::Write as _;

pub use super::curves::{TrainingExtras, curves_svg, training_svg, training_svg_with};
use super::data::{ChannelPoint, LayerBar};
use super::palette::{self, hex};
use crate::stats::Category;

/// An SVG document under construction (`width × height` user units).
pub(super) struct Doc {
    w: f64,
    h: f64,
    body: String,
}

impl Doc {
    pub(super) fn new(w: f64, h: f64) -> Self {
        let mut d = Self {
            w,
            h,
            body: String::new(),
        };
        d.rect(0.0, 0.0, w, h, "#ffffff", None);
        d
    }

    pub(super) fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, title: Option<&str>) {
        if w <= 0.0 || h <= 0.0 {
            return;
        }
        let _ = write!(
            self.body,
            r#"<rect x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" fill="{fill}">"#
        );
        if let Some(t) = title {
            let _ = write!(self.body, "<title>{}</title>", escape(t));
        }
        self.body.push_str("</rect>");
    }

    pub(super) fn line(
        &mut self,
        (x1, y1): (f64, f64),
        (x2, y2): (f64, f64),
        stroke: &str,
        width: f64,
        dash: bool,
    ) {
        if (x1 - x2).abs() < 1e-9 && (y1 - y2).abs() < 1e-9 {
            return;
        }
        let dash = if dash {
            r#" stroke-dasharray="4 3""#
        } else {
            ""
        };
        let _ = write!(
            self.body,
            r#"<line x1="{x1:.2}" y1="{y1:.2}" x2="{x2:.2}" y2="{y2:.2}" stroke="{stroke}" stroke-width="{width}"{dash}/>"#
        );
    }

    pub(super) fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, text: &str) {
        let _ = write!(
            self.body,
            r##"<text x="{x:.2}" y="{y:.2}" font-size="{size}" font-family="sans-serif" text-anchor="{anchor}" fill="#222222">{}</text>"##,
            escape(text)
        );
    }

    pub(super) fn circle(&mut self, x: f64, y: f64, r: f64, fill: &str, stroke: Option<&str>) {
        let stroke = stroke
            .map(|s| format!(r#" stroke="{s}" stroke-width="1.5""#))
            .unwrap_or_default();
        let _ = write!(
            self.body,
            r#"<circle cx="{x:.2}" cy="{y:.2}" r="{r}" fill="{fill}" fill-opacity="0.85"{stroke}/>"#
        );
    }

    pub(super) fn polyline(&mut self, pts: &[(f64, f64)], stroke: &str, dash: bool) {
        let p: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.2},{y:.2}")).collect();
        let dash = if dash {
            r#" stroke-dasharray="6 3""#
        } else {
            ""
        };
        let _ = write!(
            self.body,
            r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="2"{dash}/>"#,
            p.join(" ")
        );
    }

    /// A thin dotted line through `pts` (a metric on a second axis).
    pub(super) fn dotted(&mut self, pts: &[(f64, f64)], stroke: &str) {
        let p: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.2},{y:.2}")).collect();
        let _ = write!(
            self.body,
            r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="1.5" stroke-dasharray="1.5 3" stroke-linecap="round"/>"#,
            p.join(" ")
        );
    }

    /// A filled polygon (an interval band) at `opacity`.
    pub(super) fn polygon(&mut self, pts: &[(f64, f64)], fill: &str, opacity: f64) {
        let p: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.2},{y:.2}")).collect();
        let _ = write!(
            self.body,
            r#"<polygon points="{}" fill="{fill}" fill-opacity="{opacity}" stroke="none"/>"#,
            p.join(" ")
        );
    }

    /// A legend of coloured squares, left to right from (x, y).
    pub(super) fn legend(&mut self, mut x: f64, y: f64, items: &[(&str, [u8; 3])]) {
        for (label, colour) in items {
            self.rect(x, y - 10.0, 12.0, 12.0, &hex(*colour), None);
            self.text(x + 16.0, y, 12.0, "start", label);
            x += 26.0 + 7.0 * label.chars().count() as f64;
        }
    }

    /// An arrow from `a` to `b` (its head at `b`).
    pub(super) fn arrow(&mut self, a: (f64, f64), b: (f64, f64), stroke: &str, width: f64) {
        let id = format!("head{}", stroke.trim_start_matches('#'));
        if !self.body.contains(&format!("id=\"{id}\"")) {
            let _ = write!(
                self.body,
                r#"<defs><marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{stroke}"/></marker></defs>"#
            );
        }
        let _ = write!(
            self.body,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{stroke}" stroke-width="{width}" marker-end="url(#{id})"/>"#,
            a.0, a.1, b.0, b.1
        );
    }

    /// `png` drawn at `(x, y)`, `w × h`, pixels kept sharp.
    pub(super) fn image(&mut self, x: f64, y: f64, w: f64, h: f64, png: &[u8]) {
        let _ = write!(
            self.body,
            r#"<image x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" preserveAspectRatio="none" style="image-rendering:pixelated" href="{}"/>"#,
            super::panel::data_uri(png)
        );
    }

    pub(super) fn finish(self) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">{}</svg>"#,
            self.body,
            w = self.w,
            h = self.h
        )
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The label of a bar: `model @ checkpoint · layer` (checkpoint only when there is one).
pub fn bar_label(b: &LayerBar) -> String {
    match &b.checkpoint {
        Some(c) => format!(
            "{} @ {} · {}",
            b.model,
            c.trim_end_matches(".pt"),
            b.label()
        ),
        None => format!("{} · {}", b.model, b.label()),
    }
}

/// Stacked dynamic / static / residual bars (%), one row per bar, with the
/// 95 % intervals as whiskers and the channel-category shares beside them.
pub fn bars_svg(bars: &[LayerBar], title: &str) -> String {
    let label_w = bars
        .iter()
        .map(|b| bar_label(b).chars().count())
        .max()
        .unwrap_or(10) as f64
        * 6.6
        + 16.0;
    let (bar_w, cat_w, row) = (420.0, 180.0, 26.0);
    let top = 58.0;
    let w = label_w + bar_w + 40.0 + cat_w + 20.0;
    let h = top + row * bars.len() as f64 + 50.0;
    let mut d = Doc::new(w, h);
    d.text(10.0, 22.0, 15.0, "start", title);
    d.legend(
        10.0,
        44.0,
        &[
            ("dynamic", palette::DYNAMIC),
            ("static", palette::STATIC),
            ("residual", palette::RESIDUAL),
            ("joint (channels)", palette::JOINT),
            ("none (channels)", palette::NONE),
        ],
    );
    let x0 = label_w;
    let cx0 = x0 + bar_w + 40.0;
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        d.text(x0 - 8.0, y + 16.0, 11.0, "end", &bar_label(b));
        let mut x = x0;
        for (k, name) in ["dynamic", "static", "residual"].iter().enumerate() {
            let width = bar_w * b.pct[k] / 100.0;
            let tip = format!("{}: {name} {:.1} %", bar_label(b), b.pct[k]);
            d.rect(
                x,
                y + 4.0,
                width,
                row - 8.0,
                &hex(palette::FACTORS[k]),
                Some(&tip),
            );
            x += width;
        }
        if let Some(ci) = b.ci {
            // dynamic interval from 0; static interval after the dynamic share
            for (k, offset) in [(0, 0.0), (1, b.pct[0])] {
                let (lo, hi) = (offset + ci[k][0], offset + ci[k][1]);
                let yy = y + row / 2.0;
                d.line(
                    (x0 + bar_w * lo / 100.0, yy),
                    (x0 + bar_w * hi / 100.0, yy),
                    "#111111",
                    1.5,
                    false,
                );
                for v in [lo, hi] {
                    let xx = x0 + bar_w * v / 100.0;
                    d.line((xx, yy - 4.0), (xx, yy + 4.0), "#111111", 1.5, false);
                }
            }
        }
        let mut x = cx0;
        for c in [
            Category::Dynamic,
            Category::Static,
            Category::Joint,
            Category::Neither,
        ] {
            let width = cat_w * b.category_pct(c) / 100.0;
            let tip = format!(
                "{}: {} channels {:.1} %",
                bar_label(b),
                c.name(),
                b.category_pct(c)
            );
            d.rect(
                x,
                y + 4.0,
                width,
                row - 8.0,
                &hex(palette::category(c)),
                Some(&tip),
            );
            x += width;
        }
    }
    let axis_y = top + row * bars.len() as f64 + 4.0;
    for t in [0, 25, 50, 75, 100] {
        let x = x0 + bar_w * f64::from(t) / 100.0;
        d.line((x, axis_y), (x, axis_y + 4.0), "#444444", 1.0, false);
        d.text(x, axis_y + 16.0, 10.0, "middle", &t.to_string());
    }
    d.text(
        x0 + bar_w / 2.0,
        axis_y + 32.0,
        12.0,
        "middle",
        "share of the layer's dimensions (%)",
    );
    d.text(
        cx0 + cat_w / 2.0,
        axis_y + 32.0,
        12.0,
        "middle",
        "channels by category (%)",
    );
    d.finish()
}

/// The ρ_S–ρ_D scatter of one layer at `tau`, with the threshold lines;
/// `selected` channels get a ring.
pub fn scatter_svg(points: &[ChannelPoint], tau: f64, selected: &[usize], title: &str) -> String {
    scatter_from(points, tau, selected, title, lower_bound([points]))
}

/// Scatters side by side on the same axes (`(points, title)` each): the
/// Compare export.
pub fn scatters_svg(
    sides: &[(&[ChannelPoint], &str)],
    tau: f64,
    selected: &[usize],
) -> Vec<String> {
    let lo = lower_bound(sides.iter().map(|(p, _)| *p));
    sides
        .iter()
        .map(|(points, title)| scatter_from(points, tau, selected, title, lo))
        .collect()
}

/// The axes' lower end: the lowest ρ (at most 0, at least −1) rounded down to 0.2.
pub(super) fn lower_bound<'a>(sets: impl IntoIterator<Item = &'a [ChannelPoint]>) -> f64 {
    let lo = sets
        .into_iter()
        .flatten()
        .flat_map(|p| [p.rho_static, p.rho_dynamic])
        .fold(0.0f64, f64::min)
        .clamp(-1.0, 0.0);
    (lo * 5.0).floor() / 5.0
}

fn scatter_from(
    points: &[ChannelPoint],
    tau: f64,
    selected: &[usize],
    title: &str,
    lo: f64,
) -> String {
    let (mut d, ax) = scatter_axes(tau, title, lo, &[]);
    for p in points {
        let ring = selected.contains(&p.channel).then_some("#000000");
        d.circle(
            ax.x(p.rho_static),
            ax.y(p.rho_dynamic),
            4.0,
            &hex(palette::category(p.category)),
            ring,
        );
    }
    d.finish()
}

/// The ρ_S–ρ_D axes of a scatter: where a ρ lands.
#[derive(Clone, Copy)]
pub(super) struct Axes {
    left: f64,
    top: f64,
    size: f64,
    lo: f64,
}

impl Axes {
    /// The x of ρ_S.
    pub(super) fn x(&self, v: f64) -> f64 {
        self.left + self.size * (v - self.lo) / (1.0 - self.lo)
    }
    /// The y of ρ_D.
    pub(super) fn y(&self, v: f64) -> f64 {
        self.top + self.size * (1.0 - (v - self.lo) / (1.0 - self.lo))
    }
}

/// A document with the title, the category legend and the ρ_S–ρ_D axes
/// from `lo` to 1 with the τ lines, ready for points; `footer` lines go
/// under the axes.
pub(super) fn scatter_axes(tau: f64, title: &str, lo: f64, footer: &[&str]) -> (Doc, Axes) {
    let (size, left, top) = (420.0, 60.0, 50.0);
    let w = left + size + 30.0;
    let h = top + size + 60.0 + 16.0 * footer.len() as f64;
    let mut d = Doc::new(w, h);
    for (i, line) in footer.iter().enumerate() {
        d.text(
            10.0,
            top + size + 62.0 + 16.0 * i as f64,
            10.0,
            "start",
            line,
        );
    }
    d.text(10.0, 22.0, 15.0, "start", title);
    d.legend(
        10.0,
        40.0,
        &[
            ("dynamic", palette::DYNAMIC),
            ("static", palette::STATIC),
            ("joint", palette::JOINT),
            ("none", palette::NONE),
        ],
    );
    let ax = Axes {
        left,
        top,
        size,
        lo,
    };
    d.rect(left, top, size, size, "#f7f7f7", None);
    let ticks = ((1.0 - lo) / 0.2).round() as i32;
    for k in 0..=ticks {
        // ticks from the lower bound to 1 in steps of 0.2; no "-0.0" label
        let t = lo + 0.2 * f64::from(k);
        let t = if t.abs() < 1e-9 { 0.0 } else { t };
        d.line(
            (ax.x(t), top + size),
            (ax.x(t), top + size + 4.0),
            "#444444",
            1.0,
            false,
        );
        d.text(
            ax.x(t),
            top + size + 16.0,
            10.0,
            "middle",
            &format!("{t:.1}"),
        );
        d.line(
            (left - 4.0, ax.y(t)),
            (left, ax.y(t)),
            "#444444",
            1.0,
            false,
        );
        d.text(left - 6.0, ax.y(t) + 3.0, 10.0, "end", &format!("{t:.1}"));
    }
    d.line(
        (ax.x(tau), top),
        (ax.x(tau), top + size),
        "#555555",
        1.0,
        true,
    );
    d.line(
        (left, ax.y(tau)),
        (left + size, ax.y(tau)),
        "#555555",
        1.0,
        true,
    );
    d.text(
        ax.x(tau) + 4.0,
        top + 12.0,
        10.0,
        "start",
        &format!("τ = {tau:.2}"),
    );
    d.text(
        left + size / 2.0,
        top + size + 36.0,
        12.0,
        "middle",
        "ρ_S (static correlation)",
    );
    let _ = write!(
        d.body,
        r##"<text x="16" y="{:.1}" font-size="12" font-family="sans-serif" text-anchor="middle" fill="#222222" transform="rotate(-90 16 {:.1})">ρ_D (dynamic correlation)</text>"##,
        top + size / 2.0,
        top + size / 2.0
    );
    (d, ax)
}

/// `svg` with `note` in its top right corner, in red, drawn over the rest
/// (a partial result).
pub fn stamp(svg: &str, note: &str) -> String {
    let (Some((w, _)), Some(end)) = (size_of(svg), svg.rfind("</svg>")) else {
        return svg.to_string();
    };
    format!(
        "{}<text x=\"{}\" y=\"20\" font-size=\"12\" text-anchor=\"end\" fill=\"#c00000\" \
         font-family=\"sans-serif\">{}</text>{}",
        &svg[..end],
        w - 10.0,
        escape(note),
        &svg[end..]
    )
}

/// The `width` and `height` of an SVG document made here.
fn size_of(svg: &str) -> Option<(f64, f64)> {
    let attr = |name: &str| -> Option<f64> {
        let start = svg.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = svg[start..].find('"')?;
        svg[start..start + len].parse().ok()
    };
    Some((attr("width")?, attr("height")?))
}

/// One figure of several made here: `rows` top to bottom, each row's
/// figures left to right (e.g. the Compare export: the bars above, both
/// scatters below). A part whose size cannot be read is left out.
pub fn compose(rows: &[Vec<String>]) -> String {
    let mut body = String::new();
    let (mut w, mut y) = (0.0f64, 0.0f64);
    for row in rows {
        let (mut x, mut h) = (0.0f64, 0.0f64);
        for part in row {
            let Some((pw, ph)) = size_of(part) else {
                continue;
            };
            // a nested <svg> placed at (x, y) keeps the part's own viewBox
            body.push_str(&part.replacen("<svg ", &format!(r#"<svg x="{x}" y="{y}" "#), 1));
            x += pw;
            h = h.max(ph);
        }
        w = w.max(x);
        y += h;
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{y}" viewBox="0 0 {w} {y}"><rect width="{w}" height="{y}" fill="white"/>{body}</svg>"#
    )
}
