//! Tests of the tch-free parts: manifest, input layout, pooling rules.

use super::*;
use crate::video::Clip;

fn clip(t: usize, h: usize, w: usize, offset: f32) -> Clip {
    let mut c = Clip::zeros(t, h, w);
    for (i, v) in c.data.iter_mut().enumerate() {
        *v = offset + i as f32 / 1000.0;
    }
    c
}

#[test]
fn manifest_defaults_and_partial_files() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.pt");
    let (m, warning) = Manifest::for_model(&model).unwrap();
    assert_eq!(m, Manifest::default());
    assert!(warning.unwrap().contains("no manifest"));
    std::fs::write(
        dir.path().join("m.json"),
        r#"{"layout": "NTHWC", "dtype": "uint8", "size": [27, 48], "frames": 16, "epoch": 3}"#,
    )
    .unwrap();
    let (m, warning) = Manifest::for_model(&model).unwrap();
    assert!(warning.is_none());
    assert_eq!(m.layout, InputLayout::Nthwc);
    assert_eq!(m.dtype, InputDtype::Uint8);
    assert_eq!(m.input_hw(), Some((27, 48)));
    assert_eq!(m.frames, 16);
    assert_eq!(m.window, 64);
    assert_eq!(m.epoch, Some(3.0));
}

#[test]
fn manifest_streams_tag_layers_and_refuse_odd_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.json");
    std::fs::write(
        &p,
        r#"{"streams": {"rgb1": "appearance", "flow1": "motion", "fused": "fusion"}}"#,
    )
    .unwrap();
    let m = Manifest::read(&p).unwrap();
    assert_eq!(m.stream_of("flow1"), Some("motion"));
    assert_eq!(m.stream_of("head"), None);
    for bad in ["", "Motion", "two words", &"x".repeat(33)] {
        let m = Manifest {
            streams: [("l".to_string(), bad.to_string())].into(),
            ..Manifest::default()
        };
        let e = m.check().unwrap_err();
        assert!(e.contains("the stream of 'l'"), "{bad:?}: {e}");
    }
}

#[test]
fn manifest_metrics_gather_accuracies_and_the_metrics_object() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.json");
    std::fs::write(
        &p,
        r#"{"accuracy": 0.5, "train_accuracy": 0.75, "metrics": {"val_loss": 1.25, "top5": 0.9}}"#,
    )
    .unwrap();
    let m = Manifest::read(&p).unwrap();
    let all: Vec<(String, f64)> = m.all_metrics().into_iter().collect();
    let want = [
        ("accuracy", 0.5),
        ("top5", 0.9),
        ("train_accuracy", 0.75),
        ("val_loss", 1.25),
    ];
    assert_eq!(all.len(), want.len());
    for ((name, v), (wn, wv)) in all.iter().zip(want) {
        assert_eq!((name.as_str(), *v), (wn, wv));
    }
    assert!(Manifest::default().all_metrics().is_empty());
    let bad = Manifest {
        metrics: [("val_loss".to_string(), f64::NAN)].into(),
        ..Manifest::default()
    };
    assert!(
        bad.check()
            .unwrap_err()
            .contains("'val_loss' must be a finite number")
    );
}

#[test]
fn bad_manifests_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.json");
    for (text, needle) in [
        (r#"{"layout": "NHWC"}"#, "unknown variant"),
        (r#"{"frame": 8}"#, "unknown field"),
        (r#"{"frames": 0}"#, "frames must be"),
        (r#"{"std": [0, 1, 1]}"#, "std"),
        (r#"{"metrics": {"val_loss": "low"}}"#, "invalid type"),
        (r#"{"metrics": [0.5]}"#, "invalid type"),
        (r#"{"metric": {"val_loss": 0.5}}"#, "unknown field"),
        ("not json", "expected"),
    ] {
        std::fs::write(&p, text).unwrap();
        let err = Manifest::read(&p).unwrap_err().to_string();
        assert!(
            err.contains(needle) && err.contains("m.json"),
            "{text}: {err}"
        );
    }
}

#[test]
fn input_layouts_put_each_value_where_it_belongs() {
    let (t, h, w) = (2, 3, 4);
    let clips = [clip(t, h, w, 0.0), clip(t, h, w, 1.0)];
    let refs: Vec<&Clip> = clips.iter().collect();
    let value =
        |i: usize, f: usize, y: usize, x: usize, ch: usize| clips[i].frame(f)[(y * w + x) * 3 + ch];
    let m = |layout| Manifest {
        layout,
        mean: [0.0; 3],
        std: [1.0; 3],
        ..Manifest::default()
    };
    let get = |b: &InputBatch, idx: usize| match &b.data {
        InputData::F32(v) => v[idx],
        InputData::U8(_) => unreachable!(),
    };
    let (i, f, y, x, ch) = (1, 1, 2, 3, 2);
    let b = build_input(&refs, &m(InputLayout::Ncthw)).unwrap();
    assert_eq!(b.shape, vec![2, 3, 2, 3, 4]);
    assert_eq!(
        get(&b, (((i * 3 + ch) * t + f) * h + y) * w + x),
        value(i, f, y, x, ch)
    );
    let b = build_input(&refs, &m(InputLayout::Nthwc)).unwrap();
    assert_eq!(b.shape, vec![2, 2, 3, 4, 3]);
    assert_eq!(
        get(&b, (((i * t + f) * h + y) * w + x) * 3 + ch),
        value(i, f, y, x, ch)
    );
    let b = build_input(&refs, &m(InputLayout::Ntchw)).unwrap();
    assert_eq!(b.shape, vec![2, 2, 3, 3, 4]);
    assert_eq!(
        get(&b, (((i * t + f) * 3 + ch) * h + y) * w + x),
        value(i, f, y, x, ch)
    );
}

#[test]
fn normalization_and_uint8() {
    let c = clip(1, 1, 1, 0.0);
    let mut c = c;
    c.data = vec![0.45, 0.675, 1.0];
    let b = build_input(&[&c], &Manifest::default()).unwrap();
    let InputData::F32(v) = b.data else { panic!() };
    assert!((v[0] - 0.0).abs() < 1e-6 && (v[1] - 1.0).abs() < 1e-6);
    let m = Manifest {
        dtype: InputDtype::Uint8,
        ..Manifest::default()
    };
    let b = build_input(&[&c], &m).unwrap();
    assert_eq!(b.data, InputData::U8(vec![115, 172, 255]));
    assert_eq!(b.describe(), "[1, 3, 1, 1, 1] uint8");
}

#[test]
fn mismatched_clips_are_refused() {
    let a = clip(2, 3, 4, 0.0);
    let b = clip(2, 3, 5, 0.0);
    assert!(build_input(&[&a, &b], &Manifest::default()).is_none());
    assert!(build_input(&[], &Manifest::default()).is_none());
}

#[test]
fn pooling_rules_by_rank() {
    let m = Manifest {
        per_frame: vec!["flow".into()],
        ..Manifest::default()
    };
    assert_eq!(
        pool_rule("x", &[2, 8, 4, 7, 7], &m),
        Ok(PoolRule::SpaceTime)
    );
    assert_eq!(pool_rule("x", &[2, 50, 96], &m), Ok(PoolRule::Tokens));
    assert_eq!(pool_rule("x", &[2, 96], &m), Ok(PoolRule::Pooled));
    assert_eq!(pool_rule("flow", &[2, 8, 7, 7], &m), Ok(PoolRule::PerFrame));
    assert!(
        pool_rule("x", &[2, 8, 7, 7], &m)
            .unwrap_err()
            .contains("per_frame")
    );
    assert!(pool_rule("x", &[2], &m).unwrap_err().contains("rank 1"));
}

#[test]
fn probed_layers_follow_the_manifest() {
    let m = Manifest::default();
    assert!(m.probes("layer1") && !m.probes("logits"));
    let m = Manifest {
        layers: vec!["b".into()],
        ..Manifest::default()
    };
    assert!(m.probes("b") && !m.probes("a"));
}

#[test]
fn manifests_of_several_inputs_are_checked_and_mirror_their_primary_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.json");
    let rgb = r#"{"name": "rgb", "kind": "rgb", "frames": 4, "window": 8, "crop": [16, 16]}"#;
    let flow = r#"{"name": "flow", "kind": "flow", "encoding": "uv", "frames": 4, "window": 8, "crop": [16, 16]}"#;
    std::fs::write(&p, format!(r#"{{"inputs": [{flow}, {rgb}]}}"#)).unwrap();
    let m = Manifest::read(&p).unwrap();
    assert_eq!(m.primary(), 1, "the first RGB input");
    assert_eq!((m.frames, m.window, m.input_hw()), (4, 8, Some((16, 16))));
    assert_eq!(m.inputs()[0].channels(), 2);
    assert_eq!(m.inputs()[0].mean(), [0.0, 0.0]);
    assert_eq!(m.rows_per_member(), 1);
    let refused = |text: String, needle: &str| {
        std::fs::write(&p, &text).unwrap();
        let e = Manifest::read(&p).unwrap_err().to_string();
        assert!(e.contains(needle), "{text}: {e}");
    };
    refused(
        format!(r#"{{"frames": 8, "inputs": [{rgb}, {flow}]}}"#),
        "\"frames\" is given at the top level",
    );
    refused(format!(r#"{{"inputs": [{flow}]}}"#), "needs an RGB input");
    refused(
        format!(r#"{{"inputs": [{rgb}, {rgb}]}}"#),
        "two inputs are named 'rgb'",
    );
    let slow = r#"{"name": "slow", "kind": "pathway", "frames": 4, "window": 8}"#;
    let fast = r#"{"name": "fast", "kind": "pathway", "frames": 8, "window": 16}"#;
    refused(
        format!(r#"{{"inputs": [{slow}, {fast}]}}"#),
        "all inputs sample the same window",
    );
    refused(format!(r#"{{"inputs": [{slow}]}}"#), "a single pathway");
    refused(format!(r#"{{"inputs": [{rgb}, {slow}]}}"#), "not both");
    let long = r#"{"name": "flow", "kind": "flow", "frames": 6, "window": 8}"#;
    refused(
        format!(r#"{{"inputs": [{rgb}, {long}]}}"#),
        "the same frames",
    );
    let means = r#"{"name": "flow", "kind": "flow", "encoding": "uv", "frames": 4, "window": 8, "mean": [0, 0, 0]}"#;
    refused(
        format!(r#"{{"inputs": [{rgb}, {means}]}}"#),
        "mean has 3 values",
    );
    let frames = r#"{"name": "flow", "kind": "flow", "layout": "NCHW", "frames": 4, "window": 8}"#;
    refused(
        format!(r#"{{"inputs": [{rgb}, {frames}]}}"#),
        "per frame (layout NCHW) and some are clips",
    );
    let encoded = r#"{"name": "rgb", "kind": "rgb", "encoding": "uv", "frames": 4, "window": 8}"#;
    refused(
        format!(r#"{{"inputs": [{encoded}, {flow}]}}"#),
        "for flow inputs only",
    );
    // per-frame models give a row per frame
    let rgb_f = r#"{"name": "rgb", "kind": "rgb", "layout": "NCHW", "frames": 5, "window": 8}"#;
    std::fs::write(&p, format!(r#"{{"inputs": [{rgb_f}, {frames}]}}"#)).unwrap();
    refused(
        format!(r#"{{"inputs": [{rgb_f}, {frames}]}}"#),
        "the same frames",
    );
    let rgb_f = r#"{"name": "rgb", "kind": "rgb", "layout": "NCHW", "frames": 4, "window": 8}"#;
    std::fs::write(&p, format!(r#"{{"inputs": [{rgb_f}, {frames}]}}"#)).unwrap();
    assert_eq!(Manifest::read(&p).unwrap().rows_per_member(), 4);
}

#[test]
fn several_inputs_are_laid_out_item_major_each_in_its_own_way() {
    let m = Manifest {
        inputs: vec![
            InputSpec {
                name: "rgb".into(),
                frames: 2,
                crop: Some([2, 3]),
                mean: Some(vec![0.0; 3]),
                std: Some(vec![1.0; 3]),
                ..InputSpec::default()
            },
            InputSpec {
                name: "flow".into(),
                kind: InputKind::Flow,
                encoding: FlowEncoding::Uv,
                frames: 2,
                crop: Some([2, 3]),
                layout: InputLayout::Nthwc,
                ..InputSpec::default()
            },
        ],
        ..Manifest::default()
    };
    let (a, b) = (clip(2, 2, 3, 0.0), clip(2, 2, 3, 5.0));
    let batches = build_inputs(&[&a, &b, &b, &a], &m).unwrap();
    assert_eq!(batches[0].shape, [2, 3, 2, 2, 3]);
    assert_eq!(batches[1].shape, [2, 2, 2, 3, 2], "(u, v): two channels");
    let InputData::F32(flow) = &batches[1].data else {
        panic!("float")
    };
    // item 0's flow is clip b: its first pixel's (u, v), then the next pixel's
    assert_eq!(&flow[..4], &[b.data[0], b.data[1], b.data[3], b.data[4]]);
    assert!(
        build_inputs(&[&a, &b, &a], &m)
            .unwrap_err()
            .contains("multiple of 2")
    );
}
