//! Unpooled maps of the channel inspector (`Extractor::maps`) on a fixture
//! model whose maps are known: channel 0 of "stage" is the input's red plane
//! passed through, channel 1 its change from the previous frame.

use stadyn::model::{Device, Extractor, Manifest, MapKind, TorchScriptModel};
use stadyn::video::Clip;
use std::path::PathBuf;

fn model() -> TorchScriptModel {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models/inspect.pt");
    let (manifest, _) = Manifest::for_model(&path).unwrap();
    TorchScriptModel::load(&path, manifest, Device::Cpu).unwrap()
}

/// A 4×16×16 clip with varied values (0–1, as preprocessing leaves them) in every plane.
fn clip(seed: usize) -> Clip {
    let (t, h, w) = (4, 16, 16);
    let data = (0..t * h * w * 3)
        .map(|i| ((i * 7919 + seed * 104_729) % 256) as f32 / 255.0)
        .collect();
    Clip { t, h, w, data }
}

fn red(c: &Clip, f: usize) -> Vec<f32> {
    c.frame(f).iter().step_by(3).copied().collect()
}

#[test]
fn channel_zero_is_the_red_plane_and_one_its_change() {
    let mut m = model();
    let clips = [clip(1), clip(2)];
    let refs: Vec<&Clip> = clips.iter().collect();
    let maps = m.maps(&refs, "stage", &[1, 0]).unwrap();
    assert_eq!(maps.shape.kind, MapKind::Volume);
    assert_eq!((maps.shape.grid, maps.shape.time_stride), ([4, 16, 16], 1));
    for (i, c) in clips.iter().enumerate() {
        for f in 0..4 {
            let want = red(c, f);
            let got = maps.at_frame(i, 1, f);
            let diff = got.iter().zip(&want).map(|(a, b)| (a - b).abs());
            assert!(diff.fold(0.0, f32::max) < 1e-6, "clip {i} frame {f}");
            let change = maps.at_frame(i, 0, f);
            let prev = red(c, f.saturating_sub(1));
            for ((g, a), b) in change.iter().zip(&want).zip(&prev) {
                assert!((g - (a - b).abs()).abs() < 1e-5);
            }
        }
    }
    // Tokens after a class token, laid out on the manifest's grid: the same maps.
    let tokens = m.maps(&refs, "tokens", &[1, 0]).unwrap();
    assert_eq!(tokens.shape.kind, MapKind::Tokens { class_token: true });
    assert_eq!(tokens.data, maps.data);
    // T' = T/2: each step covers two input frames.
    let half = m.maps(&refs, "half", &[0]).unwrap();
    assert_eq!((half.shape.grid[0], half.shape.time_stride), (2, 2));
    assert_eq!(half.at_frame(0, 0, 2), half.at_frame(0, 0, 3));
    let mean: Vec<f32> = red(&clips[0], 2)
        .iter()
        .zip(red(&clips[0], 3))
        .map(|(a, b)| (a + b) / 2.0)
        .collect();
    for (g, w) in half.at_frame(0, 0, 3).iter().zip(mean) {
        assert!((g - w).abs() < 1e-6);
    }
}

#[test]
fn layers_without_maps_and_missing_channels_are_clear_errors() {
    let mut m = model();
    let c = clip(0);
    let e = m.maps(&[&c], "pooled", &[0]).unwrap_err().to_string();
    assert!(e.contains("'pooled'") && e.contains("[1, 2]"), "{e}");
    let e = m.maps(&[&c], "stage", &[2]).unwrap_err().to_string();
    assert!(
        e.contains("2 channels") && e.contains("no channel 2"),
        "{e}"
    );
    let e = m.maps(&[&c], "nope", &[0]).unwrap_err().to_string();
    assert!(e.contains("did not return layer 'nope'"), "{e}");
}

/// The Pearson correlation of two maps.
fn pearson(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len() as f64;
    let ma = a.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let mb = b.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (f64::from(x) - ma, f64::from(y) - mb);
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    ab / (aa * bb).sqrt()
}

/// The teaching picture of the channel panel: a motion channel (channel 1,
/// the red plane's change) lights up in the same places in both members of
/// every dynamic pair (the same frames in two styles: the maps differ only
/// by the style's scale of red), and not in static pairs (the same frames
/// shuffled, so the change lands elsewhere). On the committed pre-stylized
/// fixture, through the pairs the plan builds.
#[test]
fn a_motion_channels_maps_agree_across_the_styles_of_a_dynamic_pair() {
    use stadyn::analysis::{PairSource, ProbeSpec};
    use stadyn::stats::Factor;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("tests/fixtures/models/inspect.pt");
    let (manifest, _) = Manifest::for_model(&path).unwrap();
    let probe = ProbeSpec {
        pairs: 40,
        ..ProbeSpec::new(root.join("tests/fixtures/stylized"))
    };
    let source = PairSource::new(&probe, &manifest).unwrap();
    let mut m = model();
    let (mut dynamic, mut shuffled) = (Vec::new(), Vec::new());
    for id in source.ids() {
        let p = source.build(id).unwrap();
        let maps = m.maps(&[&p.a, &p.b], "stage", &[1]).unwrap();
        let volume = |i: usize| -> Vec<f32> {
            (0..p.a.t)
                .flat_map(|f| maps.at_frame(i, 0, f).iter().copied())
                .collect()
        };
        let r = pearson(&volume(0), &volume(1));
        match p.spec.factor {
            Factor::Dynamic => dynamic.push(r),
            Factor::Static => shuffled.push(r),
        }
    }
    let least = dynamic.iter().copied().fold(f64::INFINITY, f64::min);
    let most = shuffled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    println!("dynamic pairs: r ≥ {least:.4}; static pairs: r ≤ {most:.4}");
    assert!(dynamic.len() >= 10 && shuffled.len() >= 10);
    assert!(least > 0.99, "dynamic pairs' maps: r down to {least}");
    assert!(most < least, "static pairs' maps agree as well: {most}");
}
