//! The statistics file: round trip, the count checks on save and load,
//! the integrity check, and shard ids.

#![allow(clippy::unwrap_used, reason = "tests")]

use super::*;
use crate::stats::BootstrapConfig;
use crate::testing;

/// A file of one model with one layer that has seen `measured` pairs,
/// `skipped` more skipped.
fn file(measured: u64, skipped: usize) -> StatsFile {
    let boot = BootstrapConfig {
        replicates: 4,
        seed: 1,
    };
    let layer = testing::accumulator("l", 2, measured, boot);
    testing::stats_file(
        vec![testing::model_stats("m", None, vec![layer], skipped)],
        20,
        boot,
    )
}

#[test]
fn statistics_round_trip_exactly() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("stats.bin");
    let f = file(10, 2);
    f.save(&p).unwrap();
    assert_eq!(StatsFile::load(&p).unwrap(), f);
}

/// The statistics keep the job's probe settings, a generated probe set's
/// among them; every optional field must survive the binary format (which
/// is not self-describing: a field skipped when written shifts every later
/// one).
#[test]
fn statistics_with_a_generated_probe_set_round_trip() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("stats.bin");
    let mut f = file(10, 2);
    for flow in [false, true] {
        f.probe = Some(crate::analysis::ProbeSpec {
            generate: Some(crate::analysis::GenerateSettings {
                task: crate::video::demo::DemoTask::Scenes,
                n: 3,
                seed: 1,
                frames: 8,
                size: [24, 24],
                include: vec!["footage.mp4".into()],
                flow,
            }),
            strength: Some(0.5),
            ..crate::analysis::ProbeSpec::new("probe")
        });
        f.save(&p).unwrap();
        assert_eq!(StatsFile::load(&p).unwrap(), f, "flow {flow}");
    }
}

#[test]
fn counts_that_do_not_add_up_are_refused_on_save_and_on_load() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("stats.bin");
    // A model that says it saw more pairs than its layers did: the fault of
    // a batch taken in by one model and not counted.
    let mut f = file(10, 0);
    f.models[0].done = 9;
    f.done = 9;
    let err = f.save(&p).unwrap_err().to_string();
    assert!(
        err.contains("10 rows in its statistics, but 9 pairs measured"),
        "{err}"
    );
    assert!(!p.exists());
    // The same, written behind a valid checksum, is refused on load.
    let bytes = StatsFile::seal(&postcard::to_stdvec(&f).unwrap());
    let err = StatsFile::from_bytes(&p, &bytes).unwrap_err();
    assert!(matches!(err, StatsFileError::Damaged { .. }), "{err}");
    // `done` must be the fewest of any model.
    let mut g = file(10, 0);
    g.done = 4;
    assert!(g.check().unwrap_err().contains("at the fewest"));
}

#[test]
fn damaged_bytes_are_refused_naming_the_file() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("stats.bin");
    file(10, 0).save(&p).unwrap();
    let mut bytes = std::fs::read(&p).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&p, &bytes).unwrap();
    let err = StatsFile::load(&p).unwrap_err().to_string();
    assert!(
        err.contains("damaged") && err.contains("stats.bin"),
        "{err}"
    );
    let err = StatsFile::load(&d.path().join("none.bin")).unwrap_err();
    assert!(err.is_missing());
}

#[test]
fn shard_ids_are_the_ids_the_shard_contains() {
    for pairs in [0usize, 1, 2, 7, 10, 33] {
        for count in 1..5 {
            for index in 0..count {
                let shard = Shard { index, count };
                let want: Vec<u64> = (0..pairs as u64).filter(|&id| shard.contains(id)).collect();
                let ids = shard.ids(pairs);
                assert_eq!(ids.len(), want.len());
                assert_eq!(ids.from(0).collect::<Vec<_>>(), want);
                assert_eq!(
                    ids.from(1).collect::<Vec<_>>(),
                    want.iter().skip(1).copied().collect::<Vec<_>>()
                );
            }
        }
    }
    // A plan of absurd size costs nothing until its ids are walked.
    let huge = Shard::ALL.ids(usize::MAX);
    assert_eq!(huge.len(), usize::MAX);
    assert_eq!(
        huge.from(usize::MAX - 1).next(),
        Some(usize::MAX as u64 - 1)
    );
}

#[test]
fn shards_whose_probe_checks_differ_are_not_merged() {
    let half = |index: usize| StatsFile {
        shard: Shard { index, count: 2 },
        covers: vec![index],
        ..file(10, 0)
    };
    let mut a = half(0);
    let mut b = half(1);
    b.left_out.push(Warning {
        path: "v.mp4".into(),
        reason: "left out before planning: unreadable".into(),
    });
    let err = a.merge(&b).unwrap_err().to_string();
    assert!(
        err.contains("left out different videos (none vs v.mp4)"),
        "{err}"
    );
    b.left_out.clear();
    a.merge(&b).unwrap();
    assert_eq!((a.done, a.covers.clone()), (20, vec![0, 1]));
}

#[test]
fn statistics_of_an_older_schema_are_named_as_such_not_called_damaged() {
    // A schema-5 payload does not decode as schema 6; it must be refused as
    // older statistics (run again), not as damage.
    let mut payload = postcard::to_stdvec("stadyn.stats/5").unwrap();
    payload.extend_from_slice(&[7; 64]);
    let err = StatsFile::from_bytes(Path::new("s"), &StatsFile::seal(&payload)).unwrap_err();
    assert!(matches!(err, StatsFileError::OldVersion { .. }), "{err}");
    assert!(err.to_string().contains("stadyn.stats/5"), "{err}");
    // Junk with a current-looking header is still damaged.
    let junk = StatsFile::seal(&[3; 40]);
    assert!(matches!(
        StatsFile::from_bytes(Path::new("s"), &junk).unwrap_err(),
        StatsFileError::Damaged { .. }
    ));
}
