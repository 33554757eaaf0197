//! The stages of a job: one per input group, run one after another, the
//! cheapest per model first. The demo's 45 small checkpoints take about
//! 10 ms a pair each where TransNetV2 takes most of a second, so running them
//! first puts their results on screen in seconds instead of after the slow
//! model's minutes.
//! Each stage's batch size is sized to its own models' memory.

use super::inputs::Inputs;
use super::{ShardIds, available_bytes, batch_for, peak_rss_bytes};
use crate::model::Extractor;
use std::time::Instant;

/// Pairs in the batch timed to order the stages, for models whose first
/// call took less than [`SLOW_CALL_S`]: a small model's call is mostly
/// overhead that batches share, so one pair would overstate its cost.
const TIMED_PAIRS: usize = 4;
/// A model whose first call took this long is timed on one pair: its call
/// is mostly compute, and four pairs of TransNetV2 cost the app's start
/// half a second.
const SLOW_CALL_S: f64 = 0.05;
/// At most this many models of a stage are timed (evenly spread); the
/// stage's cost is theirs scaled to all its models.
const TIMED_MODELS: usize = 3;

/// One input group's models, run over every pair before the next stage.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Stage {
    /// The input group.
    pub group: usize,
    /// Its models (indices into the job's models).
    pub models: Vec<usize>,
    /// Pairs per batch.
    pub batch: usize,
    /// Seconds a pair takes through the group's models (0 when not measured).
    pub cost: f64,
}

/// The stages of a job, cheapest per model first. With one input group and a batch
/// size given, nothing is measured. Otherwise one pair goes through every
/// model first: the rise of the process's peak memory (at least the input's
/// size) sizes each stage's batch to a quarter of the available memory, at
/// most `max_batch` pairs (see [`batch_for`]); with several groups, a second
/// pass is timed to order the stages.
pub(super) fn plan(
    inputs: &Inputs,
    models: &mut [Box<dyn Extractor>],
    ids: ShardIds,
    batch: usize,
    max_batch: usize,
) -> anyhow::Result<Vec<Stage>> {
    let groups = inputs.len();
    let mut stages: Vec<Stage> = (0..groups)
        .map(|group| Stage {
            group,
            models: inputs.models_of(group),
            batch: if batch == 0 { 8 } else { batch },
            cost: 0.0,
        })
        .collect();
    if groups == 1 && batch != 0 {
        return Ok(stages);
    }
    for stage in &mut stages {
        let Some(pair) = ids
            .from(0)
            .take(16)
            .find_map(|id| inputs.build(id, stage.group).ok())
        else {
            continue;
        };
        let members: Vec<_> = pair.member(1).into_iter().chain(pair.member(2)).collect();
        let before = peak_rss_bytes().unwrap_or(0);
        let t_warm = Instant::now();
        for &m in &stage.models {
            models[m].extract(&members)?;
        }
        let first_call = t_warm.elapsed().as_secs_f64() / stage.models.len().max(1) as f64;
        let rise = peak_rss_bytes().unwrap_or(0).saturating_sub(before);
        if groups > 1 {
            // Timed on a second call: TorchScript optimizes a graph on its
            // first calls.
            let pairs = if first_call < SLOW_CALL_S {
                TIMED_PAIRS
            } else {
                1
            };
            let clips: Vec<_> = members.repeat(pairs);
            let timed = spread(&stage.models, TIMED_MODELS);
            let t0 = Instant::now();
            for &m in &timed {
                models[m].extract(&clips)?;
            }
            let scale = stage.models.len() as f64 / timed.len().max(1) as f64;
            stage.cost = t0.elapsed().as_secs_f64() / pairs as f64 * scale;
            log::info!(
                "stage of group {}: {} models, first call {first_call:.3} s each, {:.4} s a pair",
                stage.group,
                stage.models.len(),
                stage.cost
            );
        }
        if batch == 0 {
            let input: u64 = members.iter().map(|c| 4 * c.data.len() as u64).sum();
            stage.batch = batch_for(rise.max(input), available_bytes());
        }
    }
    if batch == 0 {
        for s in &mut stages {
            s.batch = s.batch.min(max_batch.max(1));
        }
    }
    // Cheapest per model first: the most models get results soonest.
    let per_model = |s: &Stage| s.cost / s.models.len().max(1) as f64;
    stages.sort_by(|a, b| per_model(a).total_cmp(&per_model(b)));
    Ok(stages)
}

/// At most `n` of `items`, evenly spread from the first to the last.
fn spread(items: &[usize], n: usize) -> Vec<usize> {
    if items.len() <= n || n < 2 {
        return items.iter().copied().take(n.max(1)).collect();
    }
    (0..n)
        .map(|k| items[k * (items.len() - 1) / (n - 1)])
        .collect()
}

/// Pairs of the stage running now that the stages after it are worth, by
/// their measured cost (so a rate measured now gives the whole job's time
/// left). `left[k]` is the pairs stage `k` still has to do.
pub(super) fn later_work(stages: &[Stage], now: usize, left: &[usize]) -> f64 {
    let here = stages[now].cost;
    stages
        .iter()
        .zip(left)
        .skip(now + 1)
        .map(|(s, &n)| {
            let ratio = if here > 0.0 { s.cost / here } else { 1.0 };
            n as f64 * ratio
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(cost: f64) -> Stage {
        Stage {
            group: 0,
            models: vec![0],
            batch: 8,
            cost,
        }
    }

    #[test]
    fn timed_models_are_spread_over_the_stage() {
        assert_eq!(spread(&[4, 5, 6, 7, 8, 9, 10], 3), [4, 7, 10]);
        assert_eq!(spread(&[4, 5], 3), [4, 5]);
        assert_eq!(spread(&[4, 5, 6], 1), [4]);
        assert!(spread(&[], 3).is_empty());
    }

    #[test]
    fn later_stages_count_by_their_cost() {
        let stages = [stage(0.01), stage(1.0), stage(0.5)];
        // 100 pairs left of a stage 100× slower, 10 of one 50× slower
        assert!((later_work(&stages, 0, &[5, 100, 10]) - 10_500.0).abs() < 1e-6);
        assert_eq!(later_work(&stages, 2, &[0, 0, 10]), 0.0);
        // unmeasured costs count pair for pair
        assert_eq!(later_work(&[stage(0.0), stage(0.0)], 0, &[3, 7]), 7.0);
    }
}
