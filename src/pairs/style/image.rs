//! [`StyleImage`]: a style's reference picture as RGB floats, and the
//! built-in pictures embedded in the binary (`assets/styles/`, sources and
//! licences in `assets/README.md`).

/// An RGB picture, `h × w × 3` values in [0, 1] (row-major, interleaved).
#[derive(Clone, Debug, PartialEq)]
pub struct StyleImage {
    /// Width in pixels.
    pub w: usize,
    /// Height in pixels.
    pub h: usize,
    /// `h · w · 3` values.
    pub data: Vec<f32>,
}

impl StyleImage {
    /// From an 8-bit RGB image.
    pub fn from_rgb(image: &image::RgbImage) -> Self {
        Self {
            w: image.width() as usize,
            h: image.height() as usize,
            data: image
                .as_raw()
                .iter()
                .map(|&v| f32::from(v) / 255.0)
                .collect(),
        }
    }

    /// Decodes an encoded picture (PNG or JPEG).
    pub fn decode(bytes: &[u8]) -> Result<Self, image::ImageError> {
        Ok(Self::from_rgb(&image::load_from_memory(bytes)?.to_rgb8()))
    }

    /// The pixels as `[r, g, b]` triples.
    pub fn pixels(&self) -> impl Iterator<Item = &[f32]> {
        self.data.chunks_exact(3)
    }

    /// The picture resized (bilinear, half-pixel centres) to cover an
    /// `h × w` frame and centre-cropped to it: the same fixed backdrop for
    /// every frame of a clip.
    pub fn cover(&self, h: usize, w: usize) -> Vec<f32> {
        let mut out = vec![0.0; h * w * 3];
        if self.w == 0 || self.h == 0 {
            return out;
        }
        let scale = (self.h as f32 / h as f32).min(self.w as f32 / w as f32);
        let off_y = (self.h as f32 - h as f32 * scale) / 2.0;
        let off_x = (self.w as f32 - w as f32 * scale) / 2.0;
        let sample = |len: usize, off: f32, i: usize| {
            let s = (off + (i as f32 + 0.5) * scale - 0.5).clamp(0.0, (len - 1) as f32);
            let i0 = s as usize;
            (i0, (i0 + 1).min(len - 1), s - i0 as f32)
        };
        let cols: Vec<_> = (0..w).map(|x| sample(self.w, off_x, x)).collect();
        for y in 0..h {
            let (y0, y1, fy) = sample(self.h, off_y, y);
            for (x, &(x0, x1, fx)) in cols.iter().enumerate() {
                for c in 0..3 {
                    let at = |yy: usize, xx: usize| self.data[(yy * self.w + xx) * 3 + c];
                    let top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * fx;
                    let bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * fx;
                    out[(y * w + x) * 3 + c] = top + (bottom - top) * fy;
                }
            }
        }
        out
    }
}

/// The embedded style pictures, by name (see `assets/README.md`).
pub(crate) mod embedded {
    /// NASA astronaut Eileen Collins (public domain).
    pub(crate) const ASTRONAUT: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/styles/astronaut.jpg"
    ));
    /// Brick wall texture, grey (CC0, CC0Textures "Bricks25").
    pub(crate) const BRICK: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/styles/brick.jpg"
    ));
    /// Coffee cup (CC0, Rachel Michetti).
    pub(crate) const COFFEE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/styles/coffee.jpg"
    ));
    /// DSCOVR launch on Falcon 9 (SpaceX, public domain).
    pub(crate) const ROCKET: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/styles/rocket.jpg"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_pictures_decode() {
        for bytes in [
            embedded::ASTRONAUT,
            embedded::BRICK,
            embedded::COFFEE,
            embedded::ROCKET,
        ] {
            let image = StyleImage::decode(bytes).unwrap();
            assert!(image.w.max(image.h) <= 256 && image.w.min(image.h) >= 100);
            assert_eq!(image.data.len(), image.w * image.h * 3);
        }
    }

    #[test]
    fn cover_of_a_constant_picture_is_constant() {
        let image = StyleImage {
            w: 5,
            h: 3,
            data: [0.25f32, 0.5, 0.75].repeat(15),
        };
        let out = image.cover(7, 4);
        assert_eq!(out.len(), 7 * 4 * 3);
        for p in out.chunks_exact(3) {
            assert!((p[0] - 0.25).abs() < 1e-6 && (p[2] - 0.75).abs() < 1e-6);
        }
    }
}
