//! Built-in styles: appearance transforms for dynamic pairs (METHOD.md §2).
//!
//! Every style is **temporally consistent**: the same parameters on every
//! frame (fixed, or computed from the clip as a whole), so a style changes
//! how the clip looks and never how it moves — equal input frames give equal
//! output frames, and content stays where it was.
//!
//! The reference stylizes offline with Texler et al. 2020 (four trained
//! styles); stadyn ships these instead. Pre-stylized folders in the
//! reference's `style_{k}/{video}/{frame}.jpg` layout are imported elsewhere
//! (each member's frames then come from a different folder), not through
//! this trait.
//!
//! Style pictures are embedded in the binary (`assets/styles/`; sources and
//! licences in `assets/README.md`), so styles work from any directory.

mod blend;
mod colour;
mod image;
mod paint;
mod palette;
mod reinhard;
mod texture;

pub use blend::Blend;
pub use image::StyleImage;
pub use paint::Paint;
pub use palette::Palette;
pub use reinhard::ColourTransfer;
pub use texture::TextureBlend;

pub(crate) use colour::{hsv_to_rgb, rgb_to_hsv};

use crate::video::Clip;

/// A temporally consistent appearance transform of a clip (see the module
/// doc). Output values stay in [0, 1].
pub trait Style {
    /// A short name, unique among the styles of a run (used in reports and
    /// file names: lower case, `-` between words).
    fn name(&self) -> &str;

    /// Restyles `clip` in place, with the same parameters on every frame.
    fn apply(&self, clip: &mut Clip);
}

/// A style usable from any thread.
pub type BoxedStyle = Box<dyn Style + Send + Sync>;

/// Colours in the palette style.
const PALETTE_COLOURS: usize = 8;
/// Gain per standard deviation of the texture's luminance.
const TEXTURE_STRENGTH: f32 = 0.45;

/// The built-in styles, in a fixed order (a plan's style indices point into
/// it): Reinhard colour transfer to the coffee and rocket photographs, the
/// clip embossed on a brick-wall texture, an 8-colour palette of the
/// astronaut photograph, and a Kuwahara "paint" look.
pub fn builtin_styles() -> Vec<BoxedStyle> {
    let coffee = embedded_image(image::embedded::COFFEE);
    let rocket = embedded_image(image::embedded::ROCKET);
    let brick = embedded_image(image::embedded::BRICK);
    let astronaut = embedded_image(image::embedded::ASTRONAUT);
    vec![
        Box::new(ColourTransfer::new("colour-coffee", &coffee)),
        Box::new(ColourTransfer::new("colour-rocket", &rocket)),
        Box::new(TextureBlend::new("texture-brick", &brick, TEXTURE_STRENGTH)),
        Box::new(Palette::new(
            "palette-astronaut",
            &astronaut,
            PALETTE_COLOURS,
        )),
        Box::new(Paint::new("paint", 2, 1.6, 1.25)),
    ]
}

#[expect(
    clippy::expect_used,
    reason = "the pictures are compiled in and decoded by a unit test, so decoding cannot fail at run time"
)]
fn embedded_image(bytes: &[u8]) -> StyleImage {
    StyleImage::decode(bytes).expect("embedded style picture decodes")
}
