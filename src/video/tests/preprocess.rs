//! Spatial preprocessing: hand-computed bilinear cases, PySlowFast sizes and
//! crop offsets, and the whole `/255 → resize → crop` against PyTorch's
//! `F.interpolate` on random images.

use image::RgbImage;

use super::super::*;
use super::{Rng, python_with, run_python};

fn close(a: &[f32], b: &[f32], tol: f32) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol, "at {i}: {x} vs {y}");
    }
}

#[test]
fn bilinear_hand_cases() {
    // Same size: a copy.
    let img: Vec<f32> = (0..12).map(|v| v as f32 / 7.0).collect();
    assert_eq!(resize_bilinear(&img, (2, 2), (2, 2), 3), img);
    // Upsampling 1×2 → 1×4: half-pixel centres, clamped at both edges.
    let up = resize_bilinear(&[0.0, 1.0], (1, 2), (1, 4), 1);
    assert_eq!(up, [0.0, 0.25, 0.75, 1.0]);
    // Downsampling 1×4 → 1×2 samples at 0.5 and 2.5.
    let down = resize_bilinear(&[0.0, 1.0, 2.0, 3.0], (1, 4), (1, 2), 1);
    assert_eq!(down, [0.5, 2.5]);
    // 2×2 → 4×4, separable: corner values are kept.
    let sq = resize_bilinear(&[0.0, 1.0, 2.0, 3.0], (2, 2), (4, 4), 1);
    assert_eq!((sq[0], sq[3], sq[12], sq[15]), (0.0, 1.0, 2.0, 3.0));
    close(&sq[4..8], &[0.5, 0.75, 1.25, 1.5], 0.0);
}

#[test]
fn window_equals_crop_of_full_resize() {
    let mut rng = Rng(3);
    let img: Vec<f32> = (0..20 * 30 * 3)
        .map(|_| f32::from(rng.byte()) / 255.0)
        .collect();
    let full = resize_bilinear(&img, (20, 30), (13, 17), 3);
    let win = resize_window(&img, (20, 30), (13, 17), 3, 2..9, 5..16);
    let mut crop = Vec::new();
    for y in 2..9 {
        crop.extend_from_slice(&full[(y * 17 + 5) * 3..(y * 17 + 16) * 3]);
    }
    assert_eq!(win, crop);
}

#[test]
fn short_side_sizes_follow_pyslowfast() {
    // Landscape: h = side, w = floor(w / h · side).
    assert_eq!(short_side_size(240, 320, 256), (256, 341));
    // Portrait: w = side, h = floor(h / w · side).
    assert_eq!(short_side_size(480, 270, 128), (227, 128));
    // Square, and already at size (kept as is).
    assert_eq!(short_side_size(100, 100, 64), (64, 64));
    assert_eq!(short_side_size(256, 455, 256), (256, 455));
    // Center-crop offset: ceil((size − crop) / 2).
    assert_eq!(center_crop_offset(341, 224), 59);
    assert_eq!(center_crop_offset(256, 224), 16);
    assert_eq!(center_crop_offset(225, 224), 1);
    assert_eq!(center_crop_offset(200, 224), 0);
}

#[test]
fn preprocess_shapes_and_checks() {
    let frames = vec![RgbImage::from_pixel(64, 48, image::Rgb([255, 0, 51])); 3];
    let clip = preprocess(&frames, &Preprocess::short_side_crop(24, 20));
    assert_eq!((clip.t, clip.h, clip.w), (3, 20, 20));
    close(&clip.data[..3], &[1.0, 0.0, 0.2], 1e-7);
    let fixed = preprocess(&frames, &Preprocess::fixed(27, 48));
    assert_eq!((fixed.t, fixed.h, fixed.w), (3, 27, 48));
    assert_eq!(
        preprocess::<image::RgbImage>(&[], &Preprocess::fixed(27, 48)).t,
        0
    );

    assert!(Preprocess::short_side_crop(256, 224).check().is_ok());
    assert!(Preprocess::short_side_crop(200, 224).check().is_err());
    assert!(Preprocess::fixed(0, 48).check().is_err());
    let p = Preprocess {
        crop: Some((27, 49)),
        ..Preprocess::fixed(27, 48)
    };
    let err = p.check().unwrap_err();
    assert!(err.contains("larger"), "{err}");
}

/// The reference's transform in PyTorch, for each line of a manifest
/// (`src dst t h w side fh fw ch cw`): `/255`, PySlowFast short-side scale
/// (or a fixed size) with `F.interpolate(bilinear, align_corners=False,
/// antialias=False)`, PySlowFast center crop. One process: importing torch
/// takes seconds.
const TORCH_SCRIPT: &str = r#"
import math, sys
import numpy as np, torch
import torch.nn.functional as F
for line in open(sys.argv[1]):
    src, dst, t, h, w, side, fh, fw, ch, cw = line.split()
    t, h, w, side, fh, fw, ch, cw = map(int, (t, h, w, side, fh, fw, ch, cw))
    x = torch.from_numpy(np.fromfile(src, dtype=np.uint8).reshape(t, h, w, 3).copy())
    x = (x.float() / 255.0).permute(0, 3, 1, 2)
    if fh > 0:
        nh, nw = fh, fw
    else:
        nh, nw = side, side
        if w < h:
            nh = int(math.floor((float(h) / w) * side))
        else:
            nw = int(math.floor((float(w) / h) * side))
        if (w <= h and w == side) or (h <= w and h == side):
            nh, nw = h, w
    x = F.interpolate(x, size=(nh, nw), mode="bilinear", align_corners=False, antialias=False)
    if ch > 0:
        y0 = int(math.ceil((nh - ch) / 2))
        x0 = int(math.ceil((nw - cw) / 2))
        x = x[:, :, y0:y0 + ch, x0:x0 + cw]
    x.permute(0, 2, 3, 1).contiguous().numpy().astype(np.float32).tofile(dst)
    print(x.shape[2], x.shape[3])
"#;

#[test]
fn preprocess_matches_pytorch() {
    let Some(python) = python_with("torch") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(11);
    let keep = |side| Preprocess {
        crop: None,
        ..Preprocess::short_side_crop(side, 1)
    };
    // (h, w, preprocess): down, up, fixed non-uniform, portrait crop,
    // identity size, odd crop margins, a Kinetics-like frame.
    let cases = [
        (37, 53, Preprocess::short_side_crop(21, 16)),
        (13, 17, keep(40)),
        (48, 64, Preprocess::fixed(27, 48)),
        (
            50,
            30,
            Preprocess {
                crop: Some((20, 24)),
                ..keep(24)
            },
        ),
        (48, 64, keep(48)),
        (61, 97, Preprocess::short_side_crop(45, 32)),
        (7, 5, Preprocess::fixed(3, 11)),
        (240, 320, Preprocess::short_side_crop(256, 224)),
    ];
    let mut manifest = String::new();
    let mut inputs = Vec::new();
    for (k, (h, w, p)) in cases.iter().enumerate() {
        let frames: Vec<RgbImage> = (0..2)
            .map(|_| {
                RgbImage::from_fn(*w, *h, |_, _| {
                    image::Rgb([rng.byte(), rng.byte(), rng.byte()])
                })
            })
            .collect();
        let raw: Vec<u8> = frames.iter().flat_map(|f| f.as_raw().clone()).collect();
        let src = dir.path().join(format!("in{k}.u8"));
        let dst = dir.path().join(format!("out{k}.f32"));
        std::fs::write(&src, raw).unwrap();
        let (fh, fw) = p.size.unwrap_or((0, 0));
        let (ch, cw) = p.crop.unwrap_or((0, 0));
        manifest.push_str(&format!(
            "{} {} 2 {h} {w} {} {fh} {fw} {ch} {cw}\n",
            src.display(),
            dst.display(),
            p.short_side
        ));
        inputs.push((frames, dst));
    }
    let manifest_path = dir.path().join("manifest.txt");
    std::fs::write(&manifest_path, manifest).unwrap();
    let shapes = run_python(&python, TORCH_SCRIPT, &[manifest_path.to_str().unwrap()]);
    let shapes: Vec<&str> = shapes.lines().collect();
    let mut worst = 0.0f32;
    for (k, ((frames, dst), (_, _, p))) in inputs.iter().zip(&cases).enumerate() {
        let clip = preprocess(frames, p);
        assert_eq!(
            shapes[k],
            format!("{} {}", clip.h, clip.w),
            "case {k}: output size"
        );
        let want: Vec<f32> = std::fs::read(dst)
            .unwrap()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        close(&clip.data, &want, 1e-6);
        let diff = clip.data.iter().zip(&want).map(|(a, b)| (a - b).abs());
        worst = diff.fold(worst, f32::max);
    }
    eprintln!("preprocess vs PyTorch: max |difference| {worst:e}");
}
