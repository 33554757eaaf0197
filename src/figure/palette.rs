//! The colours of the figures and of the app (sRGB), after the reference's
//! convention (dynamic blue, static red) but every factor and category
//! distinct and colour-blind safe: the Okabe–Ito colours (blue, vermillion,
//! reddish purple, yellow) and two greys far apart (the residual light,
//! "none" dark).

use crate::stats::Category;

/// Dynamic (motion): Okabe–Ito blue.
pub const DYNAMIC: [u8; 3] = [0x00, 0x72, 0xb2];
/// Static (appearance): Okabe–Ito vermillion.
pub const STATIC: [u8; 3] = [0xd5, 0x5e, 0x00];
/// Joint (both): Okabe–Ito reddish purple.
pub const JOINT: [u8; 3] = [0xcc, 0x79, 0xa7];
/// Channels below τ for both factors: a dark grey.
pub const NONE: [u8; 3] = [0x6b, 0x6b, 0x6b];
/// The residual share of a layer: a light grey.
pub const RESIDUAL: [u8; 3] = [0xc8, 0xc8, 0xc8];
/// Unassigned channels (undefined ρ or exactly at τ): Okabe–Ito yellow.
pub const UNASSIGNED: [u8; 3] = [0xf0, 0xe4, 0x42];

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
pub const FACTORS: [[u8; 3]; 3] = [DYNAMIC, STATIC, RESIDUAL];

/// `#rrggbb`.
pub fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// The colour of a layer stream's marker: appearance orange, motion sky
/// blue, fusion bluish green (Okabe–Ito, none of them a factor's or a
/// category's), the pathways' conventional names in greys and browns, any
/// other tag one of those by its bytes.
pub fn stream(tag: &str) -> [u8; 3] {
    const OTHERS: [[u8; 3]; 4] = [
        [0x8c, 0x56, 0x4b],
        [0x17, 0xbe, 0xcf],
        [0x99, 0x99, 0x99],
        [0x44, 0x44, 0x44],
    ];
    match tag {
        "appearance" | "rgb" => [0xe6, 0x9f, 0x00],
        "motion" | "flow" => [0x56, 0xb4, 0xe9],
        "fusion" => [0x00, 0x9e, 0x73],
        "slow" => OTHERS[0],
        "fast" => OTHERS[1],
        "cat" => OTHERS[2],
        other => OTHERS[other.bytes().map(usize::from).sum::<usize>() % OTHERS.len()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_factor_and_category_has_its_own_colour() {
        let all = [DYNAMIC, STATIC, JOINT, NONE, RESIDUAL, UNASSIGNED];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                let d: i32 = a
                    .iter()
                    .zip(b)
                    .map(|(x, y)| (i32::from(*x) - i32::from(*y)).abs())
                    .sum();
                assert!(d > 90, "{a:?} and {b:?} are too alike");
            }
        }
    }
}
