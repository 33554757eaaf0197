//! Real TorchScript models through tch: the contract, pooling, and every way
//! a model can break it (tests/fixtures/models, made by tools/make_test_models.py).

use crate::util::{repo, stadyn, text};

fn fixture(name: &str) -> String {
    repo(&format!("tests/fixtures/models/{name}.pt"))
        .display()
        .to_string()
}

fn inspect(name: &str) -> std::process::Output {
    stadyn(&["inspect-model", &fixture(name), "--device", "cpu"])
}

#[test]
fn inspect_lists_layers_shapes_and_pooling() {
    let o = inspect("tiny3d");
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "conv1",
        "[2, 4, 4, 16, 16]",
        "mean over T,H,W",
        "conv2",
        "tokens",
        "mean over tokens",
        "pooled",
        "as is",
        "deterministic: yes",
    ] {
        assert!(out.contains(needle), "missing {needle}:\n{out}");
    }
    assert!(
        !out.contains("logits"),
        "logits are ignored by default:\n{out}"
    );
}

#[test]
fn tuple_outputs_are_named_by_the_manifest() {
    let o = inspect("tuple_out");
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("mean") && out.contains("max"), "{out}");
}

fn fails_with(o: &std::process::Output, needles: &[&str]) {
    assert_eq!(o.status.code(), Some(1), "{}", text(o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing '{n}' in: {err}");
    }
}

#[test]
fn a_single_tensor_output_breaks_the_contract() {
    fails_with(
        &inspect("tensor_out"),
        &["single tensor", "[2, 3]", "Dict[str, Tensor]"],
    );
}

#[test]
fn nan_outputs_name_the_layer() {
    fails_with(&inspect("nan_layer"), &["layer 'broken'", "NaN"]);
}

#[test]
fn forward_failure_shows_the_input() {
    fails_with(
        &inspect("fixed_shape"),
        &["forward failed", "[2, 3, 4, 32, 32] float32"],
    );
}

#[test]
fn not_torchscript_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("model.pt");
    std::fs::write(&p, b"definitely not a model").unwrap();
    let o = stadyn(&["inspect-model", p.to_str().unwrap(), "--device", "cpu"]);
    fails_with(&o, &["cannot load model", "not a TorchScript file"]);
    let o = stadyn(&[
        "inspect-model",
        dir.path().join("missing.pt").to_str().unwrap(),
    ]);
    fails_with(&o, &["no such file"]);
}

#[test]
fn missing_manifest_uses_defaults_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.pt");
    std::fs::copy(fixture("tiny3d"), &p).unwrap();
    let o = stadyn(&["inspect-model", p.to_str().unwrap(), "--device", "cpu"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no manifest"));
    // Defaults: 8 frames of 112×112.
    assert!(String::from_utf8_lossy(&o.stdout).contains("[2, 4, 8, 112, 112]"));
}

#[test]
fn cuda_request_without_gpu_is_an_error_not_a_crash() {
    if stadyn::model::cuda_devices() > 0 {
        return;
    }
    let o = stadyn(&["inspect-model", &fixture("tiny3d"), "--device", "cuda"]);
    fails_with(&o, &["CUDA device 0 requested"]);
}

#[test]
fn inspect_lists_each_layers_stream_and_warns_of_a_stray_tag() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("tagged.pt");
    std::fs::copy(fixture("tiny3d"), &p).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/fixtures/models/tiny3d.json")).unwrap(),
    )
    .unwrap();
    m["streams"] = serde_json::json!({"conv1": "appearance", "conv9": "motion"});
    std::fs::write(d.path().join("tagged.json"), m.to_string()).unwrap();
    let o = stadyn(&["inspect-model", p.to_str().unwrap(), "--device", "cpu"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let line = |name: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap()
    };
    assert!(line("layer").ends_with("stream"), "{out}");
    assert!(line("conv1").ends_with("appearance"), "{out}");
    assert!(line("conv2").ends_with("-"), "{out}");
    assert!(
        text(&o).contains("layer 'conv9' in stream 'motion'"),
        "{}",
        text(&o)
    );
}
