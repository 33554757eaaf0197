//! The embedded demo as ground truth, through the real pipeline (tch, real
//! decoding of generated clip arrays, real pairs): models with different
//! inputs in one job, the frame-order-invariant C2D demo model, and the
//! motion- vs appearance-trained 3-D CNNs.

use crate::util::{repo, report, s, text};
use std::path::Path;
use std::process::Output;

fn stadyn(cache: &Path, args: &[&str]) -> Output {
    crate::util::stadyn_with_cache(cache, args)
}

/// A small scenes probe set written by `stadyn demo-data`.
fn scenes(dir: &Path, n: usize) -> std::path::PathBuf {
    let p = dir.join("scenes");
    let o = stadyn(
        dir,
        &[
            "demo-data",
            "--task",
            "scenes",
            "--n",
            &n.to_string(),
            "--seed",
            "3",
            "--out",
            s(&p),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    p
}

fn scores(r: &serde_json::Value, model: usize) -> Vec<(String, f64, f64)> {
    r["models"][model]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap().to_string(),
                l["scores"][0].as_f64().unwrap(),
                l["scores"][1].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn models_with_different_inputs_share_the_pairs() {
    let d = tempfile::tempdir().unwrap();
    let probe = scenes(d.path(), 8);
    let tiny = repo("tests/fixtures/models/tiny3d.pt");
    // the same network at another input: 6 frames of 24×24
    let fixed = d.path().join("tiny24.pt");
    std::fs::copy(&tiny, &fixed).unwrap();
    std::fs::write(
        d.path().join("tiny24.json"),
        r#"{"frames": 6, "window": 8, "short_side": 24, "crop": [24, 24]}"#,
    )
    .unwrap();
    let run = |models: &[&Path], out: &str| {
        let out = d.path().join(out);
        let mut args = vec![
            "analyze",
            "--videos",
            s(&probe),
            "--pairs",
            "20",
            "--bootstrap",
            "0",
        ];
        for m in models {
            args.extend(["--model", s(m)]);
        }
        args.extend([
            "--batch",
            "4",
            "--no-cache",
            "--device",
            "cpu",
            "--quiet",
            "--out",
        ]);
        let outs = out.display().to_string();
        args.push(&outs);
        let o = stadyn(d.path(), &args);
        assert!(o.status.success(), "{}", text(&o));
        report(&out)
    };
    let both = run(&[&tiny, &fixed], "both");
    let alone_tiny = run(&[&tiny], "tiny");
    let alone_fixed = run(&[&fixed], "fixed");
    // 4×16² and 6×24² inputs in one job give exactly what each model
    // gives alone: the same pairs, built at each model's input.
    for (got, want) in [
        (scores(&both, 0), scores(&alone_tiny, 0)),
        (scores(&both, 1), scores(&alone_fixed, 0)),
    ] {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.0, w.0);
            assert!(
                (g.1 - w.1).abs() <= 1e-9 * w.1.abs().max(1e-12),
                "{g:?} vs {w:?}"
            );
            assert!(
                (g.2 - w.2).abs() <= 1e-9 * w.2.abs().max(1e-12),
                "{g:?} vs {w:?}"
            );
        }
    }
    assert_ne!(scores(&both, 0), scores(&both, 1));
}

/// The final checkpoint of a committed demo model.
fn demo_model(name: &str) -> std::path::PathBuf {
    repo(&format!("sample_data/models/{name}/epoch_10.00.pt"))
}

/// The C2D demo model averages per-frame features over time, so it cannot
/// see frame order: every static pair gives identical members. Through the
/// real pipeline, every live channel's ρ_S is 1, and the layer's static
/// score equals the static rows' share of the total variance, computed here
/// independently from the model's own outputs on the same pairs.
#[test]
fn c2d_demo_model_sees_no_frame_order() {
    use stadyn::analysis::{PairSource, ProbeSpec};
    use stadyn::model::{Device, Extractor, Manifest, TorchScriptModel};
    use stadyn::stats::Factor;

    let d = tempfile::tempdir().unwrap();
    let probe = scenes(d.path(), 12);
    let model = demo_model("c2d-appearance");
    let out = d.path().join("out");
    let pairs = 40;
    let o = stadyn(
        d.path(),
        &[
            "analyze",
            "--model",
            s(&model),
            "--videos",
            s(&probe),
            "--pairs",
            &pairs.to_string(),
            "--seed",
            "5",
            "--bootstrap",
            "0",
            "--no-cache",
            "--device",
            "cpu",
            "--quiet",
            "--out",
            s(&out),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let r = report(&out);
    let layers = r["models"][0]["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 3);

    // The same pairs, through the library: model outputs per layer.
    let (manifest, _) = Manifest::for_model(&model).unwrap();
    let spec = ProbeSpec {
        pairs,
        seed: 5,
        ..ProbeSpec::new(probe.clone())
    };
    let source = PairSource::new(&spec, &manifest).unwrap();
    let mut net = TorchScriptModel::load(&model, manifest, Device::Cpu).unwrap();
    // per layer: rows of [a; b] and whether the pair is static
    let mut rows: Vec<Vec<Vec<f64>>> = vec![Vec::new(); 3];
    let mut is_static = Vec::new();
    for id in 0..pairs as u64 {
        let p = source.build(id).unwrap();
        let outs = net.extract(&[&p.a, &p.b]).unwrap();
        for (l, o) in outs.iter().enumerate() {
            let c = o.channels;
            rows[l].push(o.data[..c].iter().map(|&v| f64::from(v)).collect());
            rows[l].push(o.data[c..].iter().map(|&v| f64::from(v)).collect());
        }
        is_static.push(p.spec.factor == Factor::Static);
    }
    for (l, layer) in layers.iter().enumerate() {
        let name = layer["name"].as_str().unwrap();
        for rho in layer["units"]["rho_static"].as_array().unwrap() {
            if let Some(rho) = rho.as_f64() {
                assert!((rho - 1.0).abs() < 1e-5, "{name}: rho_S {rho}");
            }
        }
        // V over all 2N rows; the static rows' variance, per channel, summed
        let z = &rows[l];
        let c = z[0].len();
        let var = |sel: &dyn Fn(usize) -> bool| -> f64 {
            let picked: Vec<&Vec<f64>> = (0..z.len()).filter(|&i| sel(i)).map(|i| &z[i]).collect();
            let n = picked.len() as f64;
            (0..c)
                .map(|ch| {
                    let mean = picked.iter().map(|r| r[ch]).sum::<f64>() / n;
                    picked.iter().map(|r| (r[ch] - mean).powi(2)).sum::<f64>() / n
                })
                .sum()
        };
        let total = var(&|_| true);
        let static_rows = var(&|i| is_static[i / 2]);
        let want = static_rows / total;
        let got = layer["scores"][1].as_f64().unwrap();
        assert!(
            (got - want).abs() < 1e-4 * want,
            "{name}: s_S {got} vs variance ratio {want}"
        );
        let v = layer["total_variance"].as_f64().unwrap();
        assert!((v - total).abs() < 1e-4 * total, "{name}: V {v} vs {total}");
    }
}

/// Trained on the direction of motion, the 3-D CNN's last stage holds more
/// dynamic information than the same network trained on object identity,
/// and the appearance-trained one holds more static than dynamic: both with
/// the bootstrap's 95 % intervals apart, not by a lucky seed.
#[test]
fn motion_trained_3d_cnn_is_more_dynamic_than_appearance_trained() {
    let d = tempfile::tempdir().unwrap();
    let probe = scenes(d.path(), 24);
    let out = d.path().join("out");
    let (motion, appearance) = (demo_model("cnn3d-motion"), demo_model("cnn3d-appearance"));
    let o = stadyn(
        d.path(),
        &[
            "analyze",
            "--model",
            s(&motion),
            "--model",
            s(&appearance),
            "--videos",
            s(&probe),
            "--pairs",
            "160",
            "--seed",
            "1",
            "--bootstrap",
            "200",
            "--no-cache",
            "--device",
            "cpu",
            "--quiet",
            "--out",
            s(&out),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let r = report(&out);
    let last = |m: usize| {
        r["models"][m]["layers"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone()
    };
    let (lm, la) = (last(0), last(1));
    assert_eq!(lm["name"], "stage3");
    let ci = |l: &serde_json::Value, k: usize| {
        let c = &l["ci95"]["probs"][k];
        (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
    };
    let (m_dyn, a_dyn, a_sta) = (ci(&lm, 0), ci(&la, 0), ci(&la, 1));
    assert!(
        m_dyn.0 > a_dyn.1,
        "dynamic share: motion model {m_dyn:?} vs appearance model {a_dyn:?}"
    );
    assert!(
        a_sta.0 > a_dyn.1,
        "appearance model: static {a_sta:?} vs dynamic {a_dyn:?}"
    );

    // `stadyn export` turns the report into tables and figures
    let exp = d.path().join("export");
    let o = stadyn(d.path(), &["export", s(&out), "--out", s(&exp), "--quiet"]);
    assert!(o.status.success(), "{}", text(&o));
    for f in [
        "bars.csv",
        "bars.svg",
        "bars.png",
        "training.csv",
        "channels.csv",
    ] {
        assert!(exp.join(f).is_file(), "{f} missing");
    }
    // models are named by their manifests
    let png = std::fs::read(exp.join("channels_cnn3d-motion_stage3.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}
