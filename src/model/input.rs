//! Building the model's input from clips: normalization and axis order.

use super::{InputDtype, InputLayout, Manifest};
use crate::video::Clip;

/// Element data of an input tensor.
#[derive(Clone, Debug, PartialEq)]
pub enum InputData {
    /// Normalized floats.
    F32(Vec<f32>),
    /// Raw pixels.
    U8(Vec<u8>),
}

/// An input tensor: its shape and row-major data.
#[derive(Clone, Debug, PartialEq)]
pub struct InputBatch {
    /// Shape in the manifest's layout (N first).
    pub shape: Vec<i64>,
    /// The values.
    pub data: InputData,
}

impl InputBatch {
    /// "[2, 3, 8, 112, 112] float32", for messages.
    pub fn describe(&self) -> String {
        let kind = match self.data {
            InputData::F32(_) => "float32",
            InputData::U8(_) => "uint8",
        };
        format!("{:?} {kind}", self.shape)
    }
}

/// Lays clips (T×H×W×3 in [0, 1], all the same size) out as the manifest
/// asks: float32 `(x − mean) / std` or uint8 `round(255 x)`, in NCTHW,
/// NTHWC or NTCHW order. `None` if the clips differ in size or `clips` is empty.
pub fn build_input(clips: &[&Clip], m: &Manifest) -> Option<InputBatch> {
    let first = clips.first()?;
    let (t, h, w) = (first.t, first.h, first.w);
    if clips.iter().any(|c| (c.t, c.h, c.w) != (t, h, w)) {
        return None;
    }
    let n = clips.len();
    let shape: Vec<i64> = match m.layout {
        InputLayout::Ncthw => vec![n, 3, t, h, w],
        InputLayout::Nthwc => vec![n, t, h, w, 3],
        InputLayout::Ntchw => vec![n, t, 3, h, w],
    }
    .into_iter()
    .map(|d| d as i64)
    .collect();
    let total = n * t * h * w * 3;
    // Destination index of source (clip i, frame f, pixel p, channel ch).
    let plane = h * w;
    let dest = |i: usize, f: usize, p: usize, ch: usize| -> usize {
        match m.layout {
            InputLayout::Ncthw => (((i * 3 + ch) * t + f) * plane) + p,
            InputLayout::Nthwc => ((i * t + f) * plane + p) * 3 + ch,
            InputLayout::Ntchw => (((i * t + f) * 3 + ch) * plane) + p,
        }
    };
    let data = match m.dtype {
        InputDtype::Float32 => {
            let mut out = vec![0.0f32; total];
            let scale = m.std.map(|s| 1.0 / s);
            for (i, clip) in clips.iter().enumerate() {
                for f in 0..t {
                    for (p, px) in clip.frame(f).chunks_exact(3).enumerate() {
                        for ch in 0..3 {
                            out[dest(i, f, p, ch)] = (px[ch] - m.mean[ch]) * scale[ch];
                        }
                    }
                }
            }
            InputData::F32(out)
        }
        InputDtype::Uint8 => {
            let mut out = vec![0u8; total];
            for (i, clip) in clips.iter().enumerate() {
                for f in 0..t {
                    for (p, px) in clip.frame(f).chunks_exact(3).enumerate() {
                        for ch in 0..3 {
                            out[dest(i, f, p, ch)] = (px[ch].clamp(0.0, 1.0) * 255.0).round() as u8;
                        }
                    }
                }
            }
            InputData::U8(out)
        }
    };
    Some(InputBatch { shape, data })
}
