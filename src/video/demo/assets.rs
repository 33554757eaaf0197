//! The real images the demo clips are made of, embedded in the binary:
//! objects cut from CC0 / public-domain photographs and backgrounds
//! (textures and photographs), all from the scikit-image wheel's data
//! (sources and licences in `assets/README.md`; cut by
//! `tools/make_demo_assets.py`).

use std::sync::OnceLock;

/// A decoded image as linear `f32` RGBA in [0, 1] (alpha 1 for backgrounds).
pub(super) struct Image {
    pub w: usize,
    pub h: usize,
    /// `h · w · 4` values, row-major.
    pub px: Vec<f32>,
    /// Whether the source is greyscale (tinted when used as a background).
    pub grey: bool,
}

impl Image {
    fn decode(bytes: &[u8]) -> Image {
        // The embedded files are checked by the tests; a broken one would be
        // a build defect, shown as a 1×1 grey image rather than a panic.
        match image::load_from_memory(bytes) {
            Ok(img) => {
                let grey = !img.color().has_color();
                let rgba = img.to_rgba8();
                let (w, h) = (rgba.width() as usize, rgba.height() as usize);
                let px = rgba
                    .into_raw()
                    .iter()
                    .map(|&v| f32::from(v) / 255.0)
                    .collect();
                Image { w, h, px, grey }
            }
            Err(e) => {
                log::error!("embedded demo image does not decode: {e}");
                Image {
                    w: 1,
                    h: 1,
                    px: vec![0.5, 0.5, 0.5, 1.0],
                    grey: true,
                }
            }
        }
    }

    /// Bilinear sample at continuous pixel coordinates (pixel centres at
    /// `i + 0.5`); coordinates are clamped to the image, except that with
    /// `transparent_outside` points outside give alpha 0.
    pub fn sample(&self, x: f32, y: f32, transparent_outside: bool) -> [f32; 4] {
        let (w, h) = (self.w as f32, self.h as f32);
        if transparent_outside && (x < 0.0 || y < 0.0 || x >= w || y >= h) {
            return [0.0; 4];
        }
        let fx = (x - 0.5).clamp(0.0, w - 1.0);
        let fy = (y - 0.5).clamp(0.0, h - 1.0);
        let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.w - 1), (y0 + 1).min(self.h - 1));
        let (ax, ay) = (fx - x0 as f32, fy - y0 as f32);
        let at = |xx: usize, yy: usize, c: usize| self.px[(yy * self.w + xx) * 4 + c];
        let mut out = [0.0; 4];
        for (c, o) in out.iter_mut().enumerate() {
            let top = at(x0, y0, c) * (1.0 - ax) + at(x1, y0, c) * ax;
            let bottom = at(x0, y1, c) * (1.0 - ax) + at(x1, y1, c) * ax;
            *o = top * (1.0 - ay) + bottom * ay;
        }
        out
    }
}

/// The objects, in label order of the appearance task (alphabetical).
pub const OBJECTS: [&str; 6] = ["astronaut", "cat", "coin", "cup", "horse", "rocket"];

const OBJECT_BYTES: [&[u8]; 6] = [
    include_bytes!("../../../assets/demo/object_astronaut.png"),
    include_bytes!("../../../assets/demo/object_cat.png"),
    include_bytes!("../../../assets/demo/object_coin.png"),
    include_bytes!("../../../assets/demo/object_cup.png"),
    include_bytes!("../../../assets/demo/object_horse.png"),
    include_bytes!("../../../assets/demo/object_rocket.png"),
];

/// Background names: four textures or grey photographs, then four colour
/// photographs (the ones camera pans run across).
pub const BACKGROUNDS: [&str; 8] = [
    "grass",
    "gravel",
    "brick",
    "camera",
    "hubble",
    "astronaut",
    "coffee",
    "rocket",
];

/// Index of the first colour photograph in [`BACKGROUNDS`].
pub const FIRST_PHOTO: usize = 4;

const BACKGROUND_BYTES: [&[u8]; 8] = [
    include_bytes!("../../../assets/demo/bg_grass.jpg"),
    include_bytes!("../../../assets/demo/bg_gravel.jpg"),
    include_bytes!("../../../assets/styles/brick.jpg"),
    include_bytes!("../../../assets/demo/bg_camera.jpg"),
    include_bytes!("../../../assets/demo/bg_hubble.jpg"),
    include_bytes!("../../../assets/styles/astronaut.jpg"),
    include_bytes!("../../../assets/styles/coffee.jpg"),
    include_bytes!("../../../assets/styles/rocket.jpg"),
];

/// The decoded objects (decoded once per process).
pub(super) fn objects() -> &'static [Image] {
    static CELL: OnceLock<Vec<Image>> = OnceLock::new();
    CELL.get_or_init(|| OBJECT_BYTES.iter().map(|b| Image::decode(b)).collect())
}

/// The decoded backgrounds (decoded once per process).
pub(super) fn backgrounds() -> &'static [Image] {
    static CELL: OnceLock<Vec<Image>> = OnceLock::new();
    CELL.get_or_init(|| BACKGROUND_BYTES.iter().map(|b| Image::decode(b)).collect())
}
