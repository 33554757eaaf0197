//! The k pair members with the highest and the k with the lowest pooled
//! value of each channel (issue 11's top-activating windows): O(k·C) memory
//! whatever the number of pairs, deterministic, and mergeable exactly.
//!
//! Order: a higher value ranks first at the high end, a lower one at the low
//! end; equal values go by pair id, then member, then frame (ascending). This is a
//! total order over distinct members, so the k best of the union of two
//! sets are the k best of the union of their k best: shards fed disjoint
//! pairs merge into exactly what one run over all pairs keeps.
//!
//! Kept by every [`LayerAccumulator`](super::LayerAccumulator) (saved,
//! resumed, cached and merged with it).

use serde::{Deserialize, Serialize};

/// One pair member's pooled value of one channel.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// The channel's pooled value for this member.
    pub value: f64,
    /// The pair's id (it rebuilds the member's clip).
    pub pair: u64,
    /// Member 1 or 2.
    pub member: u8,
    /// The frame of the member this row is (a per-frame model gives a row
    /// per frame); 0 for clip models.
    pub frame: u32,
}

/// Which end of the ranking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The highest values.
    High,
    /// The lowest values.
    Low,
}

impl End {
    /// Whether `a` ranks before `b` at this end.
    fn before(self, a: &Window, b: &Window) -> bool {
        if a.value != b.value {
            return match self {
                End::High => a.value > b.value,
                End::Low => a.value < b.value,
            };
        }
        (a.pair, a.member, a.frame) < (b.pair, b.member, b.frame)
    }
}

/// The k highest and k lowest members of every channel of a layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Extremes {
    k: usize,
    /// Per channel, best first, at most k.
    high: Vec<Vec<Window>>,
    /// Per channel, best (lowest) first, at most k.
    low: Vec<Vec<Window>>,
}

impl Extremes {
    /// Empty lists for `channels` channels, keeping `k` at each end.
    pub fn new(channels: usize, k: usize) -> Self {
        Self {
            k,
            high: vec![Vec::new(); channels],
            low: vec![Vec::new(); channels],
        }
    }

    /// Members kept at each end.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Channels.
    pub fn channels(&self) -> usize {
        self.high.len()
    }

    /// The kept members of channel `c` at `end`, best first.
    pub fn get(&self, c: usize, end: End) -> &[Window] {
        let lists = match end {
            End::High => &self.high,
            End::Low => &self.low,
        };
        lists.get(c).map_or(&[], Vec::as_slice)
    }

    /// Checks lists read from a file: `channels` channels, at most k per
    /// end, finite values, members 1 or 2, in rank order.
    pub fn check(&self, channels: usize) -> Result<(), String> {
        if self.high.len() != channels || self.low.len() != channels {
            return Err(format!("top windows do not have {channels} channels"));
        }
        for (lists, end) in [(&self.high, End::High), (&self.low, End::Low)] {
            for list in lists {
                let ok = list.len() <= self.k
                    && list
                        .iter()
                        .all(|w| w.value.is_finite() && (w.member == 1 || w.member == 2))
                    && list.windows(2).all(|p| end.before(&p[0], &p[1]));
                if !ok {
                    return Err("top windows are not valid".into());
                }
            }
        }
        Ok(())
    }

    /// Takes in one member's values (one per channel; finite, as the
    /// accumulator's checks guarantee). Another number of values is refused
    /// and nothing is taken in.
    pub fn push(&mut self, pair: u64, member: u8, values: &[f64]) -> Result<(), String> {
        self.push_frame(pair, member, 0, values)
    }

    /// [`push`](Self::push) for frame `frame` of a member (per-frame models).
    pub fn push_frame(
        &mut self,
        pair: u64,
        member: u8,
        frame: u32,
        values: &[f64],
    ) -> Result<(), String> {
        if values.len() != self.channels() {
            return Err(format!(
                "{} values for top windows of {} channels",
                values.len(),
                self.channels()
            ));
        }
        for (c, &value) in values.iter().enumerate() {
            let w = Window {
                value,
                pair,
                member,
                frame,
            };
            insert(&mut self.high[c], w, End::High, self.k);
            insert(&mut self.low[c], w, End::Low, self.k);
        }
        Ok(())
    }

    /// Takes in another layer's lists of the same shape, fed other pairs.
    pub fn merge(&mut self, other: &Self) -> Result<(), String> {
        if (self.k, self.channels()) != (other.k, other.channels()) {
            return Err(format!(
                "top windows of {} channels (k = {}) cannot merge with {} channels (k = {})",
                self.channels(),
                self.k,
                other.channels(),
                other.k
            ));
        }
        for (mine, theirs, end) in [
            (&mut self.high, &other.high, End::High),
            (&mut self.low, &other.low, End::Low),
        ] {
            for (list, more) in mine.iter_mut().zip(theirs) {
                for w in more {
                    insert(list, *w, end, self.k);
                }
            }
        }
        Ok(())
    }
}

/// Inserts `w` into `list` (best first) if it ranks among the first `k`.
fn insert(list: &mut Vec<Window>, w: Window, end: End, k: usize) {
    if k == 0 || (list.len() == k && !end.before(&w, &list[k - 1])) {
        return;
    }
    let at = list.partition_point(|x| end.before(x, &w));
    list.insert(at, w);
    list.truncate(k);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::SplitMix64;

    /// Members of pairs `ids` with made-up values (ties on purpose: values
    /// are rounded to a tenth).
    fn members(ids: &[u64], channels: usize, seed: u64) -> Vec<(u64, u8, Vec<f64>)> {
        let mut rng = SplitMix64(seed);
        ids.iter()
            .flat_map(|&id| [1u8, 2].map(|m| (id, m)))
            .map(|(id, m)| {
                let v = (0..channels)
                    .map(|_| (rng.uniform() * 20.0).round() / 10.0)
                    .collect();
                (id, m, v)
            })
            .collect()
    }

    fn fed(ms: &[(u64, u8, Vec<f64>)], channels: usize, k: usize) -> Extremes {
        let mut e = Extremes::new(channels, k);
        for (id, m, v) in ms {
            e.push(*id, *m, v).unwrap();
        }
        e
    }

    #[test]
    fn the_lists_are_a_brute_force_ranking() {
        let ms = members(&(0..300).collect::<Vec<_>>(), 3, 7);
        let e = fed(&ms, 3, 16);
        for c in 0..3 {
            let mut all: Vec<Window> = ms
                .iter()
                .map(|(id, m, v)| Window {
                    value: v[c],
                    pair: *id,
                    member: *m,
                    frame: 0,
                })
                .collect();
            all.sort_by(|a, b| {
                b.value
                    .total_cmp(&a.value)
                    .then((a.pair, a.member).cmp(&(b.pair, b.member)))
            });
            assert_eq!(e.get(c, End::High), &all[..16]);
            all.sort_by(|a, b| {
                a.value
                    .total_cmp(&b.value)
                    .then((a.pair, a.member).cmp(&(b.pair, b.member)))
            });
            assert_eq!(e.get(c, End::Low), &all[..16]);
        }
    }

    #[test]
    fn shards_merge_into_exactly_the_single_run() {
        let ids: Vec<u64> = (0..500).collect();
        let all = members(&ids, 4, 3);
        let single = fed(&all, 4, 8);
        // Three shards by id modulo 3, merged in another order.
        let shard = |s: u64| {
            let part: Vec<_> = all
                .iter()
                .filter(|(id, _, _)| id % 3 == s)
                .cloned()
                .collect();
            fed(&part, 4, 8)
        };
        let mut merged = shard(2);
        merged.merge(&shard(0)).unwrap();
        merged.merge(&shard(1)).unwrap();
        assert_eq!(merged, single);
    }

    #[test]
    fn fewer_members_than_k_are_all_kept_and_shapes_must_agree() {
        let e = fed(&members(&[5, 9], 2, 1), 2, 16);
        assert_eq!(e.get(0, End::High).len(), 4);
        assert!(e.get(7, End::Low).is_empty());
        let err = Extremes::new(2, 16)
            .merge(&Extremes::new(3, 16))
            .unwrap_err();
        assert!(err.contains("2 channels (k = 16)"), "{err}");
        let mut none = Extremes::new(1, 0);
        none.push(0, 1, &[1.0]).unwrap();
        assert!(none.get(0, End::High).is_empty());
        let err = none.push(0, 1, &[1.0, 2.0]).unwrap_err();
        assert!(
            err.contains("2 values for top windows of 1 channels"),
            "{err}"
        );
    }
}
