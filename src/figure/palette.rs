//! The colours of the figures (sRGB), after the reference's convention:
//! dynamic blue, static red, joint beige, none (residual) grey.

use crate::stats::Category;

/// Dynamic (motion).
pub const DYNAMIC: [u8; 3] = [0x3a, 0x6e, 0xc8];
/// Static (appearance).
pub const STATIC: [u8; 3] = [0xd0, 0x45, 0x3a];
/// Joint (both).
pub const JOINT: [u8; 3] = [0xd8, 0xc3, 0x8e];
/// None / residual.
pub const NONE: [u8; 3] = [0x9a, 0x9a, 0x9a];
/// Unassigned channels (undefined ρ or exactly at τ).
pub const UNASSIGNED: [u8; 3] = [0x55, 0x55, 0x55];

/// The colour of a channel category.
pub fn category(c: Category) -> [u8; 3] {
    match c {
        Category::Dynamic => DYNAMIC,
        Category::Static => STATIC,
        Category::Joint => JOINT,
        Category::Neither => NONE,
        Category::Unassigned => UNASSIGNED,
    }
}

/// The colours of the three layer factors `[dynamic, static, residual]`.
pub const FACTORS: [[u8; 3]; 3] = [DYNAMIC, STATIC, NONE];

/// `#rrggbb`.
pub fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}
