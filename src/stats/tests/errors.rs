//! Every error of the estimator, and that a rejected input changes nothing.

use super::*;

#[test]
fn too_few_pairs_is_an_error() {
    let mut acc = LayerAccumulator::new("conv1", 2, NO_BOOT);
    acc.push_pair(0, Factor::Dynamic, &[1.0, 2.0], &[1.5, 2.5])
        .unwrap();
    acc.push_pair(1, Factor::Dynamic, &[0.0, 1.0], &[0.5, 2.0])
        .unwrap();
    acc.push_pair(2, Factor::Static, &[0.0, 1.0], &[0.5, 2.0])
        .unwrap();
    let err = acc.estimate(0.5).unwrap_err();
    assert_eq!(
        err,
        StatsError::TooFewPairs {
            layer: "conv1".into(),
            factor: "static",
            have: 1
        }
    );
    assert!(err.to_string().contains("at least 2"));
}

#[test]
fn shape_mismatch_is_an_error() {
    let mut acc = LayerAccumulator::new("l", 3, NO_BOOT);
    let err = acc
        .push_pair(0, Factor::Dynamic, &[1.0, 2.0, 3.0], &[1.0, 2.0])
        .unwrap_err();
    assert!(
        matches!(
            err,
            StatsError::ShapeMismatch {
                expected: 3,
                got: 2,
                ..
            }
        ),
        "{err}"
    );
    let err = acc
        .push_batch(PairBatch {
            pair_ids: &[0, 1],
            factors: &[Factor::Dynamic],
            za: &[0.0f32; 6],
            zb: &[0.0f32; 6],
        })
        .unwrap_err();
    assert!(err.to_string().contains("number of factors"), "{err}");
}

#[test]
fn non_finite_input_is_rejected_and_loses_nothing() {
    let mut rng = Rng::new(15);
    let d = Data::random(&mut rng, 50, 3, [0.5, 0.5], 0.0);
    let mut acc = d.accumulate(NO_BOOT);
    let before = acc.clone();
    let mut za = vec![1.0, 2.0, 3.0, 4.0, f64::NAN, 6.0, 1.0, 1.0, f64::INFINITY];
    let zb = vec![0.0; 9];
    let err = acc
        .push_batch(PairBatch {
            pair_ids: &[100, 101, 102],
            factors: &[Factor::Static; 3],
            za: &za,
            zb: &zb,
        })
        .unwrap_err();
    assert_eq!(
        err,
        StatsError::NonFinite {
            layer: "layer".into(),
            rows: 2,
            total: 3,
            first_row: 1
        }
    );
    assert_eq!(
        acc, before,
        "a rejected batch must not change the statistics"
    );
    za[4] = 5.0;
    za[8] = 9.0;
    acc.push_batch(PairBatch {
        pair_ids: &[100, 101, 102],
        factors: &[Factor::Static; 3],
        za: &za,
        zb: &zb,
    })
    .unwrap();
    assert_eq!(acc.pairs()[1], before.pairs()[1] + 3);
}

#[test]
fn zero_variance_layer_is_an_error() {
    let mut acc = LayerAccumulator::new("dead", 2, NO_BOOT);
    for i in 0..4 {
        let f = if i % 2 == 0 {
            Factor::Dynamic
        } else {
            Factor::Static
        };
        acc.push_pair(i, f, &[0.0, 0.0], &[0.0, 0.0]).unwrap();
    }
    assert!(matches!(
        acc.estimate(0.5),
        Err(StatsError::ZeroVariance { .. })
    ));
}

#[test]
fn merge_mismatch_is_an_error_and_changes_nothing() {
    let mut a = LayerAccumulator::new("l", 3, NO_BOOT);
    a.push_pair(0, Factor::Dynamic, &[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0])
        .unwrap();
    let before = a.clone();
    let b = LayerAccumulator::new("l", 4, NO_BOOT);
    assert!(matches!(a.merge(&b), Err(StatsError::MergeMismatch { .. })));
    let c = LayerAccumulator::new(
        "l",
        3,
        BootstrapConfig {
            replicates: 5,
            seed: 1,
        },
    );
    assert!(a.merge(&c).is_err());
    let d = LayerAccumulator::new("other", 3, NO_BOOT);
    assert!(a.merge(&d).is_err());
    assert_eq!(a, before);
    let mut e = LayerAccumulator::new(
        "l",
        3,
        BootstrapConfig {
            replicates: 5,
            seed: 1,
        },
    );
    let f = LayerAccumulator::new(
        "l",
        3,
        BootstrapConfig {
            replicates: 5,
            seed: 2,
        },
    );
    assert!(e.merge(&f).unwrap_err().to_string().contains("seed"));
}

#[test]
fn values_too_large_to_square_are_said_as_such() {
    let mut acc = LayerAccumulator::new("huge", 2, NO_BOOT);
    let before = acc.clone();
    let err = acc
        .push_pair(0, Factor::Dynamic, &[1.0, 2.0], &[1e200, 0.0])
        .unwrap_err();
    assert!(matches!(err, StatsError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("too large to square"), "{err}");
    assert_eq!(acc, before);
}

#[test]
fn a_layer_without_channels_is_said_as_such() {
    let mut acc = LayerAccumulator::new("empty", 0, NO_BOOT);
    for i in 0..4 {
        let f = if i % 2 == 0 {
            Factor::Dynamic
        } else {
            Factor::Static
        };
        acc.push_pair::<f64>(i, f, &[], &[]).unwrap();
    }
    let err = acc.estimate(0.5).unwrap_err();
    assert!(matches!(err, StatsError::NoChannels { .. }), "{err}");
    assert!(err.to_string().contains("0 channels"), "{err}");
}
