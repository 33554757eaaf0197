//! [`Clip`]: T frames of RGB in [0, 1], the form every later stage (styles,
//! pairs, the model adapter) works on.

/// A clip of `t` frames of `h × w` RGB pixels, values in [0, 1] (the
/// reference's `/255`), stored frame-major and pixel-interleaved:
/// `data[((f * h + y) * w + x) * 3 + ch]` (T×H×W×3).
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    /// Number of frames T.
    pub t: usize,
    /// Height in pixels.
    pub h: usize,
    /// Width in pixels.
    pub w: usize,
    /// `t · h · w · 3` values.
    pub data: Vec<f32>,
}

impl Clip {
    /// A black clip.
    pub fn zeros(t: usize, h: usize, w: usize) -> Self {
        Self {
            t,
            h,
            w,
            data: vec![0.0; t * h * w * 3],
        }
    }

    /// Values per frame (`h · w · 3`).
    pub fn frame_len(&self) -> usize {
        self.h * self.w * 3
    }

    /// Frame `f` as a slice of `h · w · 3` values.
    pub fn frame(&self, f: usize) -> &[f32] {
        let n = self.frame_len();
        &self.data[f * n..(f + 1) * n]
    }

    /// Frame `f`, mutable.
    pub fn frame_mut(&mut self, f: usize) -> &mut [f32] {
        let n = self.frame_len();
        &mut self.data[f * n..(f + 1) * n]
    }

    /// The same frames re-ordered: output frame `i` is input frame `order[i]`.
    pub fn permuted(&self, order: &[usize]) -> Self {
        let mut out = Self::zeros(order.len(), self.h, self.w);
        for (i, &src) in order.iter().enumerate() {
            out.frame_mut(i).copy_from_slice(self.frame(src));
        }
        out
    }

    /// Frame `f` as an 8-bit RGB image (for looking at it).
    pub fn frame_image(&self, f: usize) -> image::RgbImage {
        let bytes = self
            .frame(f)
            .iter()
            .map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect();
        image::RgbImage::from_raw(self.w as u32, self.h as u32, bytes)
            .unwrap_or_else(|| image::RgbImage::new(self.w as u32, self.h as u32))
    }
}
