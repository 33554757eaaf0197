//! A channel's maps as moving pictures: frames blended with their coloured
//! map at a chosen opacity, members side by side, written as a looping GIF
//! (the `image` crate) or an MP4 (the system ffmpeg, as decoding uses; H.264
//! when the build has it, MPEG-4 part 2 otherwise).

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use image::{Rgb, RgbImage, imageops};

/// `heat` (the coloured map, RGBA8) over `frame` (RGBA8) at `alpha` in
/// [0, 1]; the result is opaque RGBA8.
pub fn blend_rgba(frame: &[u8], heat: &[u8], alpha: f32) -> Vec<u8> {
    let a = alpha.clamp(0.0, 1.0);
    frame
        .chunks_exact(4)
        .zip(heat.chunks_exact(4))
        .flat_map(|(f, h)| {
            let mix = |k: usize| (f32::from(f[k]) * (1.0 - a) + f32::from(h[k]) * a).round() as u8;
            [mix(0), mix(1), mix(2), 255]
        })
        .collect()
}

/// `images` left to right, each scaled by `scale` (nearest neighbour), `gap`
/// white pixels apart (scaled too); images of other heights are top-aligned.
pub fn side_by_side(images: &[RgbImage], scale: u32, gap: u32) -> RgbImage {
    let scale = scale.max(1);
    let gap = gap * scale;
    let w: u32 = images.iter().map(|i| i.width() * scale + gap).sum::<u32>();
    let h = images.iter().map(|i| i.height() * scale).max().unwrap_or(1);
    let mut out = RgbImage::from_pixel(w.saturating_sub(gap).max(1), h.max(1), Rgb([255; 3]));
    let mut x = 0;
    for img in images {
        let big = imageops::resize(
            img,
            img.width() * scale,
            img.height() * scale,
            imageops::FilterType::Nearest,
        );
        imageops::overlay(&mut out, &big, i64::from(x), 0);
        x += big.width() + gap;
    }
    out
}

/// Writes `frames` (all the same size) as an MP4 at `fps` through ffmpeg.
/// The file appears only when ffmpeg succeeded (written beside it, then
/// renamed).
pub fn write_mp4(path: &Path, frames: &[RgbImage], fps: f32) -> anyhow::Result<()> {
    let Some(first) = frames.first() else {
        anyhow::bail!("no frames to write");
    };
    let (w, h) = first.dimensions();
    if frames.iter().any(|f| f.dimensions() != (w, h)) {
        anyhow::bail!("the frames differ in size");
    }
    let tmp = path.with_extension("partial.mp4");
    let mut last = String::new();
    for codec in ["libx264", "mpeg4"] {
        match encode(&tmp, frames, (w, h), fps, codec) {
            Ok(()) => {
                std::fs::rename(&tmp, path)?;
                return Ok(());
            }
            Err(e) => last = format!("{e:#}"),
        }
    }
    let _ = std::fs::remove_file(&tmp);
    anyhow::bail!("ffmpeg could not write {}: {last}", path.display())
}

fn encode(
    out: &Path,
    frames: &[RgbImage],
    (w, h): (u32, u32),
    fps: f32,
    codec: &str,
) -> anyhow::Result<()> {
    let mut child = Command::new(crate::video::ffmpeg_program())
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24"])
        .args(["-s", &format!("{w}x{h}"), "-r", &format!("{fps}")])
        .args(["-i", "-", "-c:v", codec, "-pix_fmt", "yuv420p"])
        // yuv420p needs even sizes: pad with white
        .args(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:0:0:white"])
        .args(["-f", "mp4"])
        .arg(out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot run ffmpeg ({e}); install ffmpeg"))?;
    if let Some(mut stdin) = child.stdin.take() {
        for f in frames {
            if stdin.write_all(f.as_raw()).is_err() {
                break; // ffmpeg stopped; its message says why
            }
        }
    }
    let done = child.wait_with_output()?;
    if !done.status.success() {
        let msg = String::from_utf8_lossy(&done.stderr);
        anyhow::bail!("{codec}: {}", msg.trim());
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn blending_and_side_by_side() {
        let out = blend_rgba(&[100, 0, 200, 255], &[200, 100, 0, 255], 0.5);
        assert_eq!(out, [150, 50, 100, 255]);
        assert_eq!(
            blend_rgba(&[1, 2, 3, 255], &[9, 9, 9, 255], 0.0),
            [1, 2, 3, 255]
        );
        let a = RgbImage::from_pixel(2, 3, Rgb([255, 0, 0]));
        let b = RgbImage::from_pixel(4, 2, Rgb([0, 0, 255]));
        let s = side_by_side(&[a, b], 2, 1);
        assert_eq!(s.dimensions(), (4 + 2 + 8, 6));
        assert_eq!(s.get_pixel(0, 0).0, [255, 0, 0]);
        assert_eq!(s.get_pixel(5, 0).0, [255, 255, 255]);
        assert_eq!(s.get_pixel(6, 0).0, [0, 0, 255]);
        assert_eq!(s.get_pixel(6, 5).0, [255, 255, 255]);
    }

    #[test]
    fn an_mp4_has_every_frame() {
        let dir = std::env::temp_dir().join(format!("stadyn-mp4-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("maps.mp4");
        let frames: Vec<RgbImage> = (0..6)
            .map(|i| RgbImage::from_pixel(33, 17, Rgb([i * 40, 0, 0])))
            .collect();
        write_mp4(&path, &frames, 8.0).unwrap();
        let probe = Command::new("ffprobe")
            .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
            .args([
                "-show_entries",
                "stream=nb_read_frames,width,height",
                "-of",
                "csv=p=0",
            ])
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&probe.stdout);
        assert_eq!(text.trim(), "34,18,6", "{text}");
        assert!(!dir.join("maps.partial.mp4").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
