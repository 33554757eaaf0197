//! Unpooled layer maps for the channel inspector: which output shapes have
//! a map (rank 5 N×C×T'×H'×W', per-frame rank 4 N×C×H'×W', tokens N×L×D
//! with a grid the manifest declares), how their time axis lines up with
//! the T frames the model sees, and bilinear upsampling for display (never
//! for statistics).

use super::Manifest;

/// How a layer's raw output becomes maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKind {
    /// N×C×T'×H'×W'.
    Volume,
    /// N×C×H'×W' (one map per clip, T' = 1).
    PerFrame,
    /// N×L×D tokens laid out `[T', H', W']` (time-major), after a class
    /// token when `class_token`.
    Tokens {
        /// Whether the first token is a class token (left out).
        class_token: bool,
    },
}

/// The map geometry of one layer output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapShape {
    /// How to read the raw output.
    pub kind: MapKind,
    /// Channels C (D for tokens).
    pub channels: usize,
    /// `[T', H', W']`.
    pub grid: [usize; 3],
    /// Input frames per map step: map step `t'` covers frames
    /// `t'·stride .. (t'+1)·stride` of the T the model sees (T for a
    /// per-frame map, which covers the whole clip).
    pub time_stride: usize,
}

impl MapShape {
    /// The map geometry of output `name` of `shape` for a model fed
    /// `frames` frames, or why it has none (naming the layer and shape).
    pub fn of(name: &str, shape: &[i64], m: &Manifest, frames: usize) -> Result<Self, String> {
        let dims: Vec<usize> = shape
            .iter()
            .map(|&d| usize::try_from(d).unwrap_or(0))
            .collect();
        let (kind, channels, grid) = match dims.len() {
            5 => (MapKind::Volume, dims[1], [dims[2], dims[3], dims[4]]),
            4 if m.per_frame.iter().any(|p| p == name) => {
                (MapKind::PerFrame, dims[1], [1, dims[2], dims[3]])
            }
            3 => {
                let Some(&grid) = m.token_grids.get(name) else {
                    return Err(format!(
                        "layer '{name}' gives tokens {shape:?}; declare their grid [T', H', W'] \
                         in the manifest's \"token_grids\" to see its maps"
                    ));
                };
                let cells: usize = grid.iter().product();
                let class_token = match dims[1] {
                    l if l == cells => false,
                    l if l == cells + 1 => true,
                    l => {
                        return Err(format!(
                            "layer '{name}' gives {l} tokens {shape:?}, but its grid {grid:?} \
                             has {cells} cells (with a class token, {} tokens)",
                            cells + 1
                        ));
                    }
                };
                (MapKind::Tokens { class_token }, dims[2], grid)
            }
            _ => {
                return Err(format!(
                    "layer '{name}' has shape {shape:?}, which has no map: maps need \
                     N×C×T×H×W, a per-frame N×C×H×W listed in \"per_frame\", or tokens \
                     with a grid in \"token_grids\""
                ));
            }
        };
        if grid.contains(&0) || channels == 0 {
            return Err(format!("layer '{name}' has an empty map {shape:?}"));
        }
        let time_stride = if kind == MapKind::PerFrame {
            frames.max(1)
        } else if let Some(&s) = m.time_strides.get(name) {
            s
        } else if frames.is_multiple_of(grid[0]) {
            frames / grid[0]
        } else {
            return Err(format!(
                "layer '{name}' has {} time steps for the {frames} frames the model sees; \
                 state how many frames a step covers in the manifest's \"time_strides\"",
                grid[0]
            ));
        };
        if time_stride == 0 {
            return Err(format!("layer '{name}': a time stride of 0 frames"));
        }
        Ok(Self {
            kind,
            channels,
            grid,
            time_stride,
        })
    }

    /// The map step that covers input frame `frame` (0-based, of T).
    pub fn step_of(&self, frame: usize) -> usize {
        (frame / self.time_stride).min(self.grid[0] - 1)
    }
}

/// One layer's maps of chosen channels for a batch of clips.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerMaps {
    /// The layer.
    pub layer: String,
    /// The channels, in the order of `data`.
    pub channels: Vec<usize>,
    /// Clips in the batch.
    pub clips: usize,
    /// The geometry.
    pub shape: MapShape,
    /// `clips × channels × T' × H' × W'` values, row-major.
    pub data: Vec<f32>,
    /// Whether each time step is a row of the estimator of its own (a
    /// per-frame model's frames, stacked into the volume): a stored value
    /// is then one frame's, not the volume's mean.
    pub frame_rows: bool,
}

impl LayerMaps {
    /// The T'×H'×W' map of clip `clip`, the `k`-th channel asked for.
    pub fn volume(&self, clip: usize, k: usize) -> &[f32] {
        let [t, h, w] = self.shape.grid;
        let size = t * h * w;
        let at = (clip * self.channels.len() + k) * size;
        self.data.get(at..at + size).unwrap_or(&[])
    }

    /// The H'×W' map of clip `clip`, `k`-th channel, at input frame `frame`.
    pub fn at_frame(&self, clip: usize, k: usize, frame: usize) -> &[f32] {
        let [_, h, w] = self.shape.grid;
        let step = self.shape.step_of(frame);
        self.volume(clip, k)
            .get(step * h * w..(step + 1) * h * w)
            .unwrap_or(&[])
    }

    /// The map of every input frame (T of them), each upsampled to
    /// `out_h × out_w`: `T × out_h × out_w` values (for display and the
    /// `_map.npy` files).
    pub fn frames_upsampled(
        &self,
        clip: usize,
        k: usize,
        frames: usize,
        out_h: usize,
        out_w: usize,
    ) -> Vec<f32> {
        let [_, h, w] = self.shape.grid;
        let mut out = Vec::with_capacity(frames * out_h * out_w);
        for f in 0..frames {
            out.extend(bilinear(self.at_frame(clip, k, f), h, w, out_h, out_w));
        }
        out
    }
}

/// Bilinear resize of an `h × w` map to `out_h × out_w`, as PyTorch's
/// `interpolate(mode="bilinear", align_corners=False)` (no antialias).
pub fn bilinear(src: &[f32], h: usize, w: usize, out_h: usize, out_w: usize) -> Vec<f32> {
    if src.len() != h * w || h == 0 || w == 0 {
        return vec![0.0; out_h * out_w];
    }
    let axis = |n_in: usize, n_out: usize| -> Vec<(usize, usize, f32)> {
        let scale = n_in as f32 / n_out as f32;
        (0..n_out)
            .map(|o| {
                let x = ((o as f32 + 0.5) * scale - 0.5).max(0.0);
                let i0 = (x.floor() as usize).min(n_in - 1);
                let i1 = (i0 + 1).min(n_in - 1);
                (i0, i1, x - i0 as f32)
            })
            .collect()
    };
    let (ys, xs) = (axis(h, out_h), axis(w, out_w));
    let mut out = Vec::with_capacity(out_h * out_w);
    for &(y0, y1, fy) in &ys {
        for &(x0, x1, fx) in &xs {
            let top = src[y0 * w + x0] * (1.0 - fx) + src[y0 * w + x1] * fx;
            let bottom = src[y1 * w + x0] * (1.0 - fx) + src[y1 * w + x1] * fx;
            out.push(top * (1.0 - fy) + bottom * fy);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let mut m = Manifest {
            per_frame: vec!["frame".into()],
            ..Manifest::default()
        };
        m.token_grids.insert("tok".into(), [2, 3, 3]);
        m.time_strides.insert("odd".into(), 3);
        m
    }

    #[test]
    fn shapes_with_maps_and_their_time_strides() {
        let m = manifest();
        let v = MapShape::of("conv", &[2, 4, 4, 7, 7], &m, 8).unwrap();
        assert_eq!(
            (v.kind, v.grid, v.time_stride),
            (MapKind::Volume, [4, 7, 7], 2)
        );
        assert_eq!([v.step_of(0), v.step_of(3), v.step_of(7)], [0, 1, 3]);
        let f = MapShape::of("frame", &[2, 4, 5, 5], &m, 8).unwrap();
        assert_eq!((f.grid, f.time_stride, f.step_of(7)), ([1, 5, 5], 8, 0));
        let t = MapShape::of("tok", &[2, 19, 6], &m, 8).unwrap();
        assert_eq!(t.kind, MapKind::Tokens { class_token: true });
        assert_eq!((t.channels, t.time_stride), (6, 4));
        let t = MapShape::of("tok", &[2, 18, 6], &m, 8).unwrap();
        assert_eq!(t.kind, MapKind::Tokens { class_token: false });
        let o = MapShape::of("odd", &[1, 2, 3, 4, 4], &m, 8).unwrap();
        assert_eq!([o.step_of(8), o.step_of(2), o.step_of(3)], [2, 0, 1]);
    }

    #[test]
    fn shapes_without_maps_are_said_with_layer_and_shape() {
        let m = manifest();
        let said = |name: &str, shape: &[i64], needle: &str| {
            let e = MapShape::of(name, shape, &m, 8).unwrap_err();
            assert!(e.contains(name) && e.contains(needle), "{e}");
        };
        said("pooled", &[2, 16], "[2, 16]");
        said("maps4", &[2, 4, 5, 5], "per_frame");
        said("tokens", &[2, 10, 6], "token_grids");
        said("tok", &[2, 20, 6], "18 cells");
        said("conv3", &[2, 4, 3, 7, 7], "time_strides");
        said("empty", &[2, 4, 0, 7, 7], "empty");
    }

    #[test]
    fn bilinear_matches_pytorch() {
        // torch.nn.functional.interpolate(torch.tensor([[[[0., 1.], [2., 3.]]]]),
        //   size=(4, 4), mode="bilinear", align_corners=False)
        let want = [
            0.0, 0.25, 0.75, 1.0, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2.0, 2.25, 2.75, 3.0,
        ];
        let got = bilinear(&[0.0, 1.0, 2.0, 3.0], 2, 2, 4, 4);
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "{got:?}");
        }
        // interpolate(torch.arange(6.).reshape(1, 1, 2, 3), size=(5, 4), ...)
        let want = [
            0.0, 0.625, 1.375, 2.0, 0.3, 0.925, 1.675, 2.3, 1.5, 2.125, 2.875, 3.5, 2.7, 3.325,
            4.075, 4.7, 3.0, 3.625, 4.375, 5.0,
        ];
        let got = bilinear(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 2, 3, 5, 4);
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-5, "{got:?}");
        }
        assert_eq!(bilinear(&[5.0], 1, 1, 2, 3), vec![5.0; 6]);
        assert_eq!(bilinear(&[1.0, 2.0, 3.0], 2, 2, 1, 1), vec![0.0]);
    }

    #[test]
    fn volumes_and_frames_index_the_data() {
        let shape = MapShape::of("conv", &[2, 3, 2, 1, 2], &manifest(), 4).unwrap();
        let maps = LayerMaps {
            frame_rows: false,
            layer: "conv".into(),
            channels: vec![0, 2],
            clips: 2,
            shape,
            data: (0..16).map(|v| v as f32).collect(),
        };
        assert_eq!(maps.volume(1, 0), &[8.0, 9.0, 10.0, 11.0]);
        assert_eq!(maps.at_frame(1, 1, 3), &[14.0, 15.0]);
        assert_eq!(maps.frames_upsampled(0, 0, 4, 1, 2).len(), 8);
        assert!(maps.volume(5, 0).is_empty());
    }
}
