//! The channel panel as one figure (the app's "Save panel…"): a header with
//! the channel's numbers, the member-1/member-2 scatters of
//! [`super::evidence`], and rows of images (the frames with the channel's
//! map over them), each image embedded as a PNG in the SVG so the file
//! stands alone. [`super::png`] rasterizes it like every other figure.

use base64::Engine as _;

use super::evidence::{PairPanel, pair_scatters_svg};
use super::svg::{Doc, compose};

/// One image of the figure: a label over a PNG shown `width × height`.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelImage {
    /// The caption above it.
    pub label: String,
    /// The PNG file's bytes.
    pub png: Vec<u8>,
    /// Shown width (figure units).
    pub width: f64,
    /// Shown height (figure units).
    pub height: f64,
}

/// A heading over images side by side.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelRow {
    /// The row's heading.
    pub heading: String,
    /// Its images, left to right.
    pub images: Vec<PanelImage>,
}

/// The whole panel: `title` and `lines` on top, the pair scatters, then the
/// rows of images.
pub fn channel_panel_svg(
    title: &str,
    lines: &[String],
    pairs: &[PairPanel<'_>],
    rows: &[PanelRow],
) -> String {
    let mut parts = vec![vec![header_svg(title, lines)]];
    if !pairs.is_empty() {
        parts.push(vec![pair_scatters_svg(pairs, "The pairs behind ρ")]);
    }
    parts.extend(rows.iter().map(|r| vec![row_svg(r)]));
    compose(&parts)
}

fn header_svg(title: &str, lines: &[String]) -> String {
    let width = lines
        .iter()
        .map(|l| l.chars().count())
        .chain([title.chars().count()])
        .max()
        .unwrap_or(0) as f64
        * 7.5
        + 48.0;
    let mut d = Doc::new(width.max(400.0), 44.0 + 18.0 * lines.len() as f64);
    d.text(24.0, 28.0, 16.0, "start", title);
    for (i, l) in lines.iter().enumerate() {
        d.text(24.0, 50.0 + 18.0 * i as f64, 12.0, "start", l);
    }
    d.finish()
}

fn row_svg(row: &PanelRow) -> String {
    let (m, gap, caption) = (24.0, 12.0, 16.0);
    let width = m + row.images.iter().map(|i| i.width + gap).sum::<f64>() + m;
    let tallest = row.images.iter().map(|i| i.height).fold(0.0, f64::max);
    let mut d = Doc::new(width.max(200.0), 30.0 + caption + tallest + 12.0);
    d.text(m, 22.0, 13.0, "start", &row.heading);
    let mut x = m;
    for img in &row.images {
        d.text(x, 30.0 + caption - 4.0, 10.0, "start", &img.label);
        d.image(x, 30.0 + caption, img.width, img.height, &img.png);
        x += img.width + gap;
    }
    d.finish()
}

/// `png` as a `data:` URI.
pub(super) fn data_uri(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb(rgb));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn the_panel_embeds_its_images_and_rasterizes_them() {
        let points = [(0.0, 0.0), (1.0, 1.0)];
        let pairs = [PairPanel {
            title: "dynamic pairs",
            colour: [0, 0, 255],
            points: &points,
            rho: Some(1.0),
        }];
        let rows = [PanelRow {
            heading: "static pair 3".into(),
            images: vec![PanelImage {
                label: "member 1".into(),
                png: png(4, 2, [255, 0, 0]),
                width: 80.0,
                height: 40.0,
            }],
        }];
        let svg = channel_panel_svg("c 5", &["ρ_D = 1".into()], &pairs, &rows);
        assert_eq!(svg.matches("data:image/png;base64,").count(), 1);
        assert!(svg.contains("static pair 3") && svg.contains("ρ_D = 1"));
        // the PNG shows the embedded image: a red block somewhere
        let raster = crate::figure::png::svg_to_png(&svg, 1.0).unwrap();
        let img = image::load_from_memory(&raster).unwrap().to_rgb8();
        let red = img.pixels().filter(|p| p.0 == [255, 0, 0]).count();
        assert!(red >= 70 * 30, "{red} red pixels: the image was not drawn");
    }
}
