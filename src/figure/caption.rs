//! Captions burned into images (the frames of an exported pair's GIF or
//! MP4): text drawn as SVG and rasterized by resvg, so that a moving
//! picture on a slide says what it shows.

use image::{Rgb, RgbImage, imageops};

use super::svg::Doc;

/// A white band `width` pixels wide holding `lines` (one per row, the first
/// larger), each `(x centre in pixels, text)`.
pub fn caption_band(width: u32, rows: &[Vec<(f64, String)>]) -> anyhow::Result<RgbImage> {
    let row_h = 18.0;
    let height = row_h * rows.len() as f64 + 6.0;
    let mut d = Doc::new(f64::from(width), height);
    d.rect(0.0, 0.0, f64::from(width), height, "#ffffff", None);
    for (k, row) in rows.iter().enumerate() {
        let size = if k == 0 { 13.0 } else { 11.0 };
        for (x, text) in row {
            d.text(*x, row_h * (k as f64 + 1.0), size, "middle", text);
        }
    }
    let png = super::png::svg_to_png(&d.finish(), 1.0)?;
    let img = image::load_from_memory(&png)?.to_rgb8();
    Ok(img)
}

/// `band` above `image` (the wider sets the width; the rest is white).
pub fn stack(band: &RgbImage, image: &RgbImage) -> RgbImage {
    let w = band.width().max(image.width());
    let mut out = RgbImage::from_pixel(w, band.height() + image.height(), Rgb([255, 255, 255]));
    imageops::overlay(&mut out, band, 0, 0);
    imageops::overlay(&mut out, image, 0, i64::from(band.height()));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_caption_band_has_ink_where_the_text_is() {
        let band = caption_band(
            200,
            &[
                vec![(100.0, "static pair 3".into())],
                vec![(50.0, "member 1".into())],
            ],
        )
        .unwrap();
        assert_eq!(band.width(), 200);
        assert!(band.height() >= 36);
        let dark = |x0: u32, x1: u32| {
            (x0..x1)
                .flat_map(|x| (0..band.height()).map(move |y| (x, y)))
                .filter(|&(x, y)| band.get_pixel(x, y).0[0] < 128)
                .count()
        };
        assert!(dark(60, 140) > 20, "the title is drawn");
        assert_eq!(dark(190, 200), 0, "nothing at the far right");
        let img = RgbImage::from_pixel(150, 10, Rgb([0, 0, 0]));
        let s = stack(&band, &img);
        assert_eq!((s.width(), s.height()), (200, band.height() + 10));
        assert_eq!(s.get_pixel(0, band.height()).0, [0, 0, 0]);
        assert_eq!(s.get_pixel(199, band.height()).0, [255, 255, 255]);
    }
}
