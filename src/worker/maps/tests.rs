//! The maps thread on the `inspect` fixture model (channel 0 is the red
//! plane): maps of the shown pair, a channel change served from the kept
//! maps, and a changed model file refused.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::{MapEvent, MapLoader, MapRequest, Window};
use crate::analysis::{PairSource, ProbeSpec, file_hash};
use crate::model::Manifest;

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn request(id: u64, channel: usize, sha256: String) -> MapRequest {
    let probe = ProbeSpec {
        pairs: 20,
        ..ProbeSpec::new(repo("tests/fixtures/stylized"))
    };
    MapRequest {
        request: id,
        model: repo("tests/fixtures/models/inspect.pt"),
        sha256,
        probe,
        layer: "stage".into(),
        channel,
        windows: vec![Window::shown(3, 1), Window::shown(3, 2)],
        companion: false,
    }
}

fn answer(loader: &mut MapLoader) -> MapEvent {
    loader
        .recv_timeout(Duration::from_secs(60))
        .expect("the maps thread answers")
}

#[test]
fn maps_of_a_pair_and_another_channel_from_the_kept_maps() {
    let model = repo("tests/fixtures/models/inspect.pt");
    let sha = file_hash(&model).unwrap();
    let mut loader = MapLoader::spawn(Arc::new(|| {})).unwrap();
    loader.request(request(1, 0, sha.clone()));
    let MapEvent::Ready { windows, .. } = answer(&mut loader) else {
        panic!("no maps")
    };
    assert_eq!(windows.len(), 2);
    let (manifest, _) = Manifest::for_model(&model).unwrap();
    let req = request(1, 0, sha.clone());
    let pair = PairSource::new(&req.probe, &manifest)
        .unwrap()
        .build(3)
        .unwrap();
    for (w, clip) in windows.iter().zip([&pair.a, &pair.b]) {
        assert_eq!((w.frames.len(), w.frames.width), (4, 16));
        assert_eq!(w.heat.len(), 4);
        let red: f64 = clip
            .data
            .iter()
            .step_by(3)
            .map(|&v| f64::from(v))
            .sum::<f64>()
            / (clip.data.len() / 3) as f64;
        assert!((w.pooled - red).abs() < 1e-5, "{} vs {red}", w.pooled);
    }
    loader.request(request(2, 1, sha));
    let MapEvent::Ready {
        request: id,
        seconds,
        ..
    } = answer(&mut loader)
    else {
        panic!("no maps")
    };
    assert_eq!(id, 2);
    assert!(seconds < 5.0);
}

#[test]
fn the_shown_pair_comes_first_then_every_window() {
    let model = repo("tests/fixtures/models/inspect.pt");
    let sha = file_hash(&model).unwrap();
    let mut req = request(3, 1, sha);
    // A window with a stored value (as a top window has), checked against the model.
    let (manifest, _) = Manifest::for_model(&model).unwrap();
    let pair = PairSource::new(&req.probe, &manifest)
        .unwrap()
        .build(5)
        .unwrap();
    let change: f64 = {
        // Channel 1 is |red(t) − red(t−1)|, 0 at the first frame.
        let (c, n) = (&pair.a, pair.a.h * pair.a.w);
        let red = |f: usize| c.frame(f).iter().step_by(3).copied().collect::<Vec<f32>>();
        (1..c.t)
            .flat_map(|f| {
                let (now, before) = (red(f), red(f - 1));
                now.into_iter()
                    .zip(before)
                    .map(|(a, b)| f64::from((a - b).abs()))
                    .collect::<Vec<_>>()
            })
            .sum::<f64>()
            / (c.t * n) as f64
    };
    req.windows
        .push(Window::top(5, 1, change, crate::stats::End::High));
    let mut loader = MapLoader::spawn(Arc::new(|| {})).unwrap();
    loader.request(req);
    let MapEvent::Ready {
        windows, complete, ..
    } = answer(&mut loader)
    else {
        panic!("no early maps")
    };
    assert!(!complete);
    assert_eq!(windows.len(), 2);
    let MapEvent::Ready {
        windows, complete, ..
    } = answer(&mut loader)
    else {
        panic!("no maps")
    };
    assert!(complete);
    assert_eq!(windows.len(), 3);
    assert!((windows[2].pooled - change).abs() < 1e-5);
}

#[test]
fn a_companion_pair_of_the_other_factor_and_repeated_members_are_marked() {
    let model = repo("tests/fixtures/models/inspect.pt");
    let sha = file_hash(&model).unwrap();
    let mut req = request(4, 0, sha);
    req.companion = true;
    // The shown pair's member 1 asked again as a top window: the same clip.
    req.windows
        .push(Window::top(3, 1, 0.0, crate::stats::End::Low));
    let (manifest, _) = Manifest::for_model(&model).unwrap();
    let source = PairSource::new(&req.probe, &manifest).unwrap();
    let other = super::nearest_other(&source, 3, source.spec(3).factor).unwrap();
    // the value is checked: give the stored one
    let a = source.build(3).unwrap().a;
    let red =
        a.data.iter().step_by(3).map(|&v| f64::from(v)).sum::<f64>() / (a.data.len() / 3) as f64;
    req.windows[2].value = Some(red);
    let mut loader = MapLoader::spawn(Arc::new(|| {})).unwrap();
    loader.request(req);
    let windows = loop {
        match answer(&mut loader) {
            MapEvent::Ready {
                windows,
                complete: true,
                ..
            } => break windows,
            MapEvent::Ready { windows, .. } => assert_eq!(windows.len(), 4, "early: both pairs"),
            MapEvent::Failed { message, .. } => panic!("{message}"),
        }
    };
    let pairs: Vec<(u64, u8)> = windows
        .iter()
        .map(|w| (w.window.pair, w.window.member))
        .collect();
    assert_eq!(pairs, [(3, 1), (3, 2), (other, 1), (other, 2), (3, 1)]);
    assert_ne!(windows[0].factor, windows[2].factor);
    assert_eq!(windows[4].same_as, Some(0));
    assert_eq!(windows[1].same_as, None);
}

#[test]
fn a_changed_model_or_a_wrong_value_is_refused() {
    let mut loader = MapLoader::spawn(Arc::new(|| {})).unwrap();
    loader.request(request(7, 0, "0".repeat(64)));
    let MapEvent::Failed {
        request: id,
        message,
    } = answer(&mut loader)
    else {
        panic!("maps of a changed model")
    };
    assert_eq!(id, 7);
    assert!(message.contains("SHA-256 differs"), "{message}");
    let sha = file_hash(&repo("tests/fixtures/models/inspect.pt")).unwrap();
    let mut req = request(8, 0, sha);
    req.windows[0].value = Some(123.0);
    loader.request(req);
    let MapEvent::Failed { message, .. } = answer(&mut loader) else {
        panic!("a value the model does not give")
    };
    assert!(message.contains("not of this model"), "{message}");
}
