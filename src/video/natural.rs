//! Natural ("human") ordering of file names: runs of digits compare as
//! numbers, so `frame2 < frame10` and `img_9.jpg < img_00010.jpg`.

use std::cmp::Ordering;
use std::path::Path;

/// Compares two strings naturally. Digit runs compare by value (leading
/// zeros ignored; on equal values the shorter run first), other text by
/// bytes; ties are broken by a plain byte comparison, so the order is total
/// and deterministic.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(cx), Some(cy)) if cx.is_ascii_digit() && cy.is_ascii_digit() => {
                let (dx, rx) = split_digits(x);
                let (dy, ry) = split_digits(y);
                let ord = cmp_digit_runs(dx, dy);
                if ord != Ordering::Equal {
                    return ord;
                }
                (x, y) = (rx, ry);
            }
            (Some(cx), Some(cy)) => {
                if cx != cy {
                    return cx.cmp(cy);
                }
                (x, y) = (&x[1..], &y[1..]);
            }
        }
    }
}

/// Compares two paths by their file names naturally (whole paths as a
/// fallback when a name is missing or not UTF-8).
pub fn natural_path_cmp(a: &Path, b: &Path) -> Ordering {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.to_string_lossy().into_owned())
    };
    natural_cmp(&name(a), &name(b)).then_with(|| a.cmp(b))
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    s.split_at(n)
}

fn cmp_digit_runs(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |s: &[u8]| -> usize { s.iter().take_while(|&&c| c == b'0').count() };
    let (ta, tb) = (&a[strip(a)..], &b[strip(b)..]);
    ta.len()
        .cmp(&tb.len())
        .then_with(|| ta.cmp(tb))
        .then_with(|| a.len().cmp(&b.len()))
}
