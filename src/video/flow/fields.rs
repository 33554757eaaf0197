//! Flow as model input: colour images preprocessed like RGB frames, or (u,
//! v) fields resized with the same bilinear rule and their vectors scaled
//! with the resize, so that a vector stays the motion in the input's pixels.

use super::FlowFrame;
use crate::video::preprocess::{Preprocess, center_crop_offset, preprocess};
use crate::video::resize::resize_window_with;
use crate::video::{Clip, VideoError};
use std::borrow::Borrow;

/// The flow frames as a colour-wheel clip (T×H×W×3 in [0, 1]),
/// preprocessed like RGB frames.
pub fn color_clip<F: Borrow<FlowFrame>>(frames: &[F], p: &Preprocess) -> Clip {
    let images: Vec<_> = frames.iter().map(|f| f.borrow().to_color()).collect();
    preprocess(&images, p)
}

/// The flow fields as a clip whose pixels are `(u, v, 0)`: each field
/// resized bilinearly (PyTorch's `align_corners = False`, as frames are) and
/// center-cropped as `p` says, u scaled by the width's resize factor and v
/// by the height's. Colour-coded images have no field: an error naming
/// `path`.
pub fn uv_clip<F: Borrow<FlowFrame>>(
    frames: &[F],
    p: &Preprocess,
    path: &std::path::Path,
) -> Result<Clip, VideoError> {
    let Some((h, w)) = frames.first().map(|f| f.borrow().size()) else {
        return Ok(Clip::zeros(0, 0, 0));
    };
    let (rh, rw) = p.resized_size(h as u32, w as u32);
    let (oh, ow) = p.output_size(h as u32, w as u32);
    let (y0, x0) = (center_crop_offset(rh, oh), center_crop_offset(rw, ow));
    let (sy, sx) = (rh as f32 / h as f32, rw as f32 / w as f32);
    let mut clip = Clip::zeros(frames.len(), oh as usize, ow as usize);
    for (f, frame) in frames.iter().enumerate() {
        let FlowFrame::Field { h: fh, w: fw, uv } = frame.borrow() else {
            return Err(VideoError::BadFlow {
                path: path.to_path_buf(),
                reason: "holds colour-coded flow images, which do not give (u, v): the model's \
                         flow input has \"encoding\": \"uv\", so it needs .flo or .npy fields"
                    .into(),
            });
        };
        if (*fh, *fw) != (h, w) {
            return Err(VideoError::BadFlow {
                path: path.to_path_buf(),
                reason: format!("flow fields of {fh}×{fw} and {h}×{w} (h×w) in one video"),
            });
        }
        let out = resize_window_with(
            uv,
            |v| v,
            (h, w),
            (rh as usize, rw as usize),
            2,
            y0 as usize..(y0 + oh) as usize,
            x0 as usize..(x0 + ow) as usize,
        );
        for (dst, src) in clip
            .frame_mut(f)
            .chunks_exact_mut(3)
            .zip(out.chunks_exact(2))
        {
            dst[0] = src[0] * sx;
            dst[1] = src[1] * sy;
            dst[2] = 0.0;
        }
    }
    Ok(clip)
}
