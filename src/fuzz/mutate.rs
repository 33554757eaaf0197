//! Mutations: a small seeded generator and the ways an input is damaged,
//! for bytes (flips, interesting integers, inserted, deleted, repeated
//! ranges, cuts, splices) and for text (numbers swapped for edge cases,
//! strings and lines removed, repeated or swapped, known words inserted).

/// A xorshift64* generator: fast, seeded, the same sequence on every machine.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (any value, 0 included).
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability 1/`n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Integers that break size arithmetic: zero, one, signs, powers of two
/// and the edges of every width.
const INTERESTING: [u64; 16] = [
    0,
    1,
    2,
    3,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    0xffff_ffff,
    0x1_0000_0000,
    0x7fff_ffff_ffff_ffff,
    u64::MAX,
];

/// Number tokens that break parsers and the arithmetic after them.
const NUMBERS: [&str; 18] = [
    "0",
    "-1",
    "1",
    "2",
    "-0",
    "1e309",
    "-1e309",
    "1e-320",
    "NaN",
    "nan",
    "inf",
    "1.5",
    "65536",
    "4294967296",
    "9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999",
];

/// Replacement strings: empty, paths that climb, very long, odd Unicode.
const STRINGS: [&str; 7] = ["", "..", "/", "\u{0}", "é\u{202e}ü", "*", "{}[]"];

/// Longest input a mutation may produce.
pub const MAX_LEN: usize = 1 << 20;

/// Applies 1–4 byte mutations; `other` is a second input to splice from.
pub fn bytes(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8]) {
    for _ in 0..1 + rng.below(4) {
        byte_mutation(rng, input, other);
    }
    input.truncate(MAX_LEN);
}

fn byte_mutation(rng: &mut Rng, v: &mut Vec<u8>, other: &[u8]) {
    if v.is_empty() {
        v.push(rng.next_u64() as u8);
        return;
    }
    let at = rng.below(v.len());
    match rng.below(10) {
        0 | 1 => v[at] ^= 1 << rng.below(8),
        2 => v[at] = *rng.pick(&INTERESTING) as u8,
        3 => {
            // An interesting integer, little or big endian, 2, 4 or 8 bytes.
            let width = *rng.pick(&[2usize, 4, 8]);
            let value = *rng.pick(&INTERESTING);
            let raw = if rng.one_in(2) {
                value.to_le_bytes()
            } else {
                value.to_be_bytes()
            };
            let bytes = if rng.one_in(2) {
                &raw[..width]
            } else {
                &raw[8 - width..]
            };
            for (k, b) in bytes.iter().enumerate() {
                if let Some(slot) = v.get_mut(at + k) {
                    *slot = *b;
                }
            }
        }
        4 => {
            let n = 1 + rng.below(16);
            let fresh: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            v.splice(at..at, fresh);
        }
        5 => {
            let n = 1 + rng.below((v.len() - at).min(64));
            v.drain(at..at + n);
        }
        6 => {
            // Repeat a range somewhere else.
            let n = 1 + rng.below((v.len() - at).min(256));
            let chunk = v[at..at + n].to_vec();
            let to = rng.below(v.len() + 1);
            v.splice(to..to, chunk);
        }
        7 => v.truncate(at),
        8 => {
            if !other.is_empty() {
                let from = rng.below(other.len());
                v.truncate(at);
                v.extend_from_slice(&other[from..]);
            }
        }
        _ => {
            // Overwrite with a range of the other input (same offset).
            let n = 1 + rng.below(32);
            for k in 0..n {
                if let (Some(slot), Some(b)) = (v.get_mut(at + k), other.get(at + k)) {
                    *slot = *b;
                }
            }
        }
    }
}

/// Applies 1–4 text mutations (falling back to bytes for one of them now
/// and then); `words` are tokens of the format to insert.
pub fn text(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8], words: &[&str]) {
    for _ in 0..1 + rng.below(4) {
        if rng.one_in(6) {
            byte_mutation(rng, input, other);
            continue;
        }
        let s = String::from_utf8_lossy(input).into_owned();
        *input = text_mutation(rng, &s, words).into_bytes();
    }
    input.truncate(MAX_LEN);
}

fn text_mutation(rng: &mut Rng, s: &str, words: &[&str]) -> String {
    match rng.below(8) {
        0 | 1 => replace_token(rng, s, is_number_char, |rng| {
            (*rng.pick(&NUMBERS)).to_string()
        }),
        2 => replace_quoted(rng, s),
        3 => {
            let mut lines: Vec<&str> = s.lines().collect();
            if !lines.is_empty() {
                lines.remove(rng.below(lines.len()));
            }
            lines.join("\n")
        }
        4 => {
            let mut lines: Vec<&str> = s.lines().collect();
            if !lines.is_empty() {
                let line = lines[rng.below(lines.len())];
                lines.insert(rng.below(lines.len() + 1), line);
            }
            lines.join("\n")
        }
        5 => {
            let mut lines: Vec<&str> = s.lines().collect();
            if lines.len() > 1 {
                let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                lines.swap(a, b);
            }
            lines.join("\n")
        }
        6 if !words.is_empty() => {
            let at = char_boundary(s, rng.below(s.len() + 1));
            format!("{}{}{}", &s[..at], rng.pick(words), &s[at..])
        }
        _ => {
            // Cut a range of characters out.
            let a = char_boundary(s, rng.below(s.len() + 1));
            let b = char_boundary(s, (a + 1 + rng.below(32)).min(s.len()));
            format!("{}{}", &s[..a], &s[b..])
        }
    }
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')
}

/// Replaces one maximal run of `part` characters that holds a digit.
fn replace_token(
    rng: &mut Rng,
    s: &str,
    part: fn(char) -> bool,
    with: impl Fn(&mut Rng) -> String,
) -> String {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        match (start, part(c) && i < s.len()) {
            (None, true) => start = Some(i),
            (Some(a), false) => {
                if s[a..i].chars().any(|c| c.is_ascii_digit()) {
                    runs.push((a, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    if runs.is_empty() {
        return s.to_string();
    }
    let (a, b) = *rng.pick(&runs);
    format!("{}{}{}", &s[..a], with(rng), &s[b..])
}

/// Replaces the contents of one double-quoted string.
fn replace_quoted(rng: &mut Rng, s: &str) -> String {
    let quotes: Vec<usize> = s.match_indices('"').map(|(i, _)| i).collect();
    if quotes.len() < 2 {
        return s.to_string();
    }
    let k = rng.below(quotes.len() / 2) * 2;
    let (a, b) = (quotes[k] + 1, quotes[k + 1]);
    let with = if rng.one_in(8) {
        "x".repeat(1 + rng.below(5000))
    } else {
        (*rng.pick(&STRINGS)).to_string()
    };
    format!("{}{}{}", &s[..a], with, &s[b..])
}

fn char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_seeded_and_spreads() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let mut r = Rng::new(7);
        assert_eq!(a, (0..4).map(|_| r.next_u64()).collect::<Vec<_>>());
        let mut seen = [false; 10];
        for _ in 0..1000 {
            seen[r.below(10)] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn mutations_change_inputs_and_keep_text_valid() {
        let mut rng = Rng::new(1);
        let seed = br#"{"frames": 8, "name": "a"}"#.to_vec();
        let mut changed = 0;
        for _ in 0..200 {
            let mut t = seed.clone();
            text(&mut rng, &mut t, b"{}", &["\"window\": 3,"]);
            changed += usize::from(t != seed);
            let mut b = seed.clone();
            bytes(&mut rng, &mut b, b"xyz");
            assert!(b.len() <= MAX_LEN);
        }
        assert!(changed > 150, "{changed} of 200 text mutants differ");
    }
}
