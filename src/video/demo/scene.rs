//! One demo clip as a few drawn numbers ([`Scene::draw`]) and its frames
//! rendered from them ([`Scene::render`]): a background region (panning or
//! still) and optionally an object moving along a straight line.

use std::f32::consts::{FRAC_PI_2, PI, TAU};

use image::RgbImage;

use super::assets::{self, FIRST_PHOTO, Image};
use super::{DemoSpec, DemoTask};
use crate::hash::{GAMMA, SplitMix64, mix};

/// The moving object.
struct Object {
    /// Index into [`assets::OBJECTS`].
    which: usize,
    /// Rendered size in output pixels (the 64-pixel object image's side).
    size: f32,
    /// Colour gain per channel.
    gain: [f32; 3],
    /// Centre at the middle frame, output pixels.
    mid: (f32, f32),
    /// Velocity, output pixels per frame.
    vel: (f32, f32),
}

/// Everything random about one clip.
pub(super) struct Scene {
    /// The clip's label.
    pub label: usize,
    /// Index into [`assets::BACKGROUNDS`].
    bg: usize,
    /// Colour gain of the background.
    tint: [f32; 3],
    /// Background pixels per output pixel.
    scale: f32,
    /// Background coordinate of output (0, 0) at frame 0.
    origin: (f32, f32),
    /// Camera velocity, output pixels per frame.
    pan: (f32, f32),
    object: Option<Object>,
}

struct Draws(SplitMix64);

impl Draws {
    fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.0.uniform() as f32
    }

    fn pick(&mut self, n: usize) -> usize {
        ((self.0.uniform() * n as f64) as usize).min(n - 1)
    }
}

/// Angle of each motion-task direction (image y points down).
const DIRECTION_ANGLES: [f32; 4] = [0.0, PI, FRAC_PI_2, -FRAC_PI_2];

impl Scene {
    /// Draws clip `index` of `spec` from (task, seed, index) alone.
    pub fn draw(spec: &DemoSpec, index: u64) -> Scene {
        let salt = match spec.task {
            DemoTask::Motion => 0x6d6f_7469_6f6e,
            DemoTask::Appearance => 0x6170_7065_6172,
            DemoTask::Scenes => 0x7363_656e_6573,
        };
        let mut r = Draws(SplitMix64(mix(
            mix(spec.seed ^ salt).wrapping_add(index.wrapping_mul(GAMMA))
        )));
        let (w, h) = (spec.width as f32, spec.height as f32);
        let unit = w.min(h) / 64.0;
        let n_bg = assets::BACKGROUNDS.len();
        let (label, object, bg, pan_speed) = match spec.task {
            DemoTask::Motion => {
                let label = r.pick(4);
                let angle = DIRECTION_ANGLES[label] + r.uniform(-0.17, 0.17);
                let which = r.pick(assets::OBJECTS.len());
                let speed = r.uniform(1.6, 2.4) * unit;
                (label, Some((which, angle, speed)), r.pick(n_bg), 0.0)
            }
            DemoTask::Appearance => {
                let which = r.pick(assets::OBJECTS.len());
                let angle = r.uniform(0.0, TAU);
                let speed = r.uniform(0.8, 2.4) * unit;
                (which, Some((which, angle, speed)), r.pick(n_bg), 0.0)
            }
            DemoTask::Scenes => {
                let kind = r.pick(3);
                let object = (kind != 1).then(|| {
                    let which = r.pick(assets::OBJECTS.len());
                    (which, r.uniform(0.0, TAU), r.uniform(0.8, 2.4) * unit)
                });
                let (bg, pan) = if kind == 0 {
                    (r.pick(n_bg), 0.0)
                } else {
                    // pans run across photographs (the colour ones and "camera")
                    let k = r.pick(n_bg - FIRST_PHOTO + 1);
                    let bg = if k == 0 { 3 } else { FIRST_PHOTO + k - 1 };
                    (bg, r.uniform(1.0, 2.5) * unit)
                };
                (kind, object, bg, pan)
            }
        };
        let object = object.map(|(which, angle, speed)| Object {
            which,
            size: r.uniform(0.40, 0.52) * w.min(h),
            gain: {
                let b = r.uniform(0.8, 1.2);
                [0; 3].map(|_| b * r.uniform(0.92, 1.08))
            },
            mid: (r.uniform(0.35, 0.65) * w, r.uniform(0.35, 0.65) * h),
            vel: (speed * angle.cos(), speed * angle.sin()),
        });
        let pan_angle = r.uniform(0.0, TAU);
        let pan = (pan_speed * pan_angle.cos(), pan_speed * pan_angle.sin());
        let image = &assets::backgrounds()[bg];
        let tint = if image.grey {
            [0; 3].map(|_| r.uniform(0.5, 1.0))
        } else {
            [0; 3].map(|_| r.uniform(0.85, 1.1))
        };
        // The region the camera sees over the whole clip stays inside the image.
        let steps = spec.frames.saturating_sub(1) as f32;
        let span = (w + pan.0.abs() * steps, h + pan.1.abs() * steps);
        let fit = (image.w as f32 / span.0).min(image.h as f32 / span.1);
        let scale = fit * r.uniform(0.45, 0.95);
        let room = (
            (image.w as f32 - scale * span.0).max(0.0),
            (image.h as f32 - scale * span.1).max(0.0),
        );
        let start = (r.uniform(0.0, room.0), r.uniform(0.0, room.1));
        let origin = (
            start.0
                + if pan.0 < 0.0 {
                    scale * pan.0.abs() * steps
                } else {
                    0.0
                },
            start.1
                + if pan.1 < 0.0 {
                    scale * pan.1.abs() * steps
                } else {
                    0.0
                },
        );
        Scene {
            label,
            bg,
            tint,
            scale,
            origin,
            pan,
            object,
        }
    }

    /// Frame `t` of the clip.
    pub fn render(&self, spec: &DemoSpec, t: usize) -> RgbImage {
        let bg = &assets::backgrounds()[self.bg];
        let objects = assets::objects();
        let t = t as f32;
        let middle = spec.frames.saturating_sub(1) as f32 / 2.0;
        let placed = self.object.as_ref().map(|o| {
            let centre = (
                o.mid.0 + o.vel.0 * (t - middle),
                o.mid.1 + o.vel.1 * (t - middle),
            );
            (o, &objects[o.which], centre)
        });
        // 2×2 supersampling against aliasing when images are minified
        const SUB: [(f32, f32); 4] = [(-0.25, -0.25), (0.25, -0.25), (-0.25, 0.25), (0.25, 0.25)];
        let mut img = RgbImage::new(spec.width, spec.height);
        for (x, y, px) in img.enumerate_pixels_mut() {
            let (xf, yf) = (x as f32 + 0.5, y as f32 + 0.5);
            let mut c = [0.0f32; 3];
            for (dx, dy) in SUB {
                let s = self.background_at(bg, xf + dx + self.pan.0 * t, yf + dy + self.pan.1 * t);
                let mut rgb = [
                    s[0] * self.tint[0],
                    s[1] * self.tint[1],
                    s[2] * self.tint[2],
                ];
                if let Some((o, image, centre)) = placed {
                    let k = image.w as f32 / o.size;
                    let u = (xf + dx - centre.0) * k + image.w as f32 / 2.0;
                    let v = (yf + dy - centre.1) * k + image.h as f32 / 2.0;
                    let s = image.sample(u, v, true);
                    let a = s[3];
                    for ch in 0..3 {
                        rgb[ch] = rgb[ch] * (1.0 - a) + s[ch] * o.gain[ch] * a;
                    }
                }
                for ch in 0..3 {
                    c[ch] += rgb[ch] / 4.0;
                }
            }
            *px = image::Rgb(c.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8));
        }
        img
    }

    /// The exact optical flow from frame `t` to `t + 1`: `h · w` pairs (u,
    /// v) in output pixels. A pixel the object covers at frame `t` (its
    /// alpha at the pixel centre at least ½) moves with the object's
    /// velocity; every other pixel shows the background, which moves
    /// against the camera's pan.
    pub fn flow(&self, spec: &DemoSpec, t: usize) -> Vec<f32> {
        let objects = assets::objects();
        let middle = spec.frames.saturating_sub(1) as f32 / 2.0;
        let t = t as f32;
        let (w, h) = (spec.width as usize, spec.height as usize);
        let mut out = Vec::with_capacity(w * h * 2);
        for y in 0..h {
            for x in 0..w {
                let (xf, yf) = (x as f32 + 0.5, y as f32 + 0.5);
                let on_object = self.object.as_ref().is_some_and(|o| {
                    let image = &objects[o.which];
                    let centre = (
                        o.mid.0 + o.vel.0 * (t - middle),
                        o.mid.1 + o.vel.1 * (t - middle),
                    );
                    let k = image.w as f32 / o.size;
                    let u = (xf - centre.0) * k + image.w as f32 / 2.0;
                    let v = (yf - centre.1) * k + image.h as f32 / 2.0;
                    image.sample(u, v, true)[3] >= 0.5
                });
                let (u, v) = match &self.object {
                    Some(o) if on_object => o.vel,
                    _ => (-self.pan.0, -self.pan.1),
                };
                out.push(u);
                out.push(v);
            }
        }
        out
    }

    /// The background at camera-frame coordinates (output pixels).
    fn background_at(&self, bg: &Image, x: f32, y: f32) -> [f32; 4] {
        bg.sample(
            self.origin.0 + self.scale * x,
            self.origin.1 + self.scale * y,
            false,
        )
    }
}

#[cfg(test)]
impl Scene {
    /// The object's velocity, if there is an object.
    pub fn velocity(&self) -> Option<(f32, f32)> {
        self.object.as_ref().map(|o| o.vel)
    }

    /// The object's index, if there is an object.
    pub fn object_index(&self) -> Option<usize> {
        self.object.as_ref().map(|o| o.which)
    }
}
