//! The whole app in one harness, as a first-time user meets it: a project
//! shaped like the demo (two of its trained models, one with all nine
//! checkpoints, on `scenes` clips stadyn generates) is opened, run for real
//! through libtorch, and every tab is visited and exported (PNG, SVG, CSV
//! through the same save path the buttons use, the dialog answered by the
//! test).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

use crate::gui::StadynApp;
use crate::gui::action::{Action, SelectMode, Tab};
use crate::gui::state::{JobStatus, Level, Settings};

fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/models")
}

/// A small demo-like project in `dir`: cnn3d-motion with its checkpoints and
/// the final c2d-motion, 24 pairs of 6 generated `scenes` clips.
fn project(dir: &Path) -> PathBuf {
    let m = models();
    let text = format!(
        "name = \"smoke demo\"\n\
         [probe]\nvideos = \"probe\"\npairs = 24\nseed = 0\n\
         [probe.generate]\ntask = \"scenes\"\nn = 6\nseed = 11\n\
         [estimator]\nbootstrap = 20\n[run]\ndevice = \"cpu\"\n\
         [[model]]\nname = \"cnn3d-motion\"\ncheckpoints = {:?}\n\
         [[model]]\nname = \"c2d-motion\"\npath = {:?}\n",
        m.join("cnn3d-motion").display().to_string(),
        m.join("c2d-motion/epoch_10.00.pt").display().to_string(),
    );
    let file = dir.join("smoke.stadyn.toml");
    std::fs::write(&file, text).unwrap();
    file
}

/// Steps frames until `done` holds; panics after `secs`.
fn step_until(
    h: &mut Harness<'_, StadynApp>,
    secs: u64,
    what: &str,
    done: impl Fn(&Harness<'_, StadynApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done(h) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; job: {:?}, messages: {:?}",
            h.state().state.job,
            h.state().state.messages
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn shows(h: &Harness<'_, StadynApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

fn click(h: &mut Harness<'_, StadynApp>, label: &str) {
    h.get_all_by_label(label).next().unwrap().click();
    h.step();
    h.step();
}

/// Fails with the messages if the app logged an error.
fn assert_no_errors(h: &Harness<'_, StadynApp>) {
    let errors: Vec<_> = h
        .state()
        .state
        .messages
        .iter()
        .filter(|m| m.level == Level::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn open_run_visit_and_export_every_tab() {
    let dir = tempfile::tempdir().unwrap();
    let file = project(dir.path());
    let out = dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();
    let mut app = StadynApp::with_settings(Settings::default(), Some(file));
    app.set_use_cache(false);
    let save_in = out.clone();
    app.set_save_picker(Box::new(move |stem, ext, _| {
        Ok(Some(save_in.join(format!("{stem}.{ext}"))))
    }));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut StadynApp| app.show(ui), app);

    // Opened: the probe clips are generated and the models listed.
    step_until(&mut h, 60, "the project", |h| {
        h.state().state.project.is_some()
    });
    h.step();
    assert!(shows(&h, "smoke demo"));
    assert!(shows(&h, "cnn3d-motion") && shows(&h, "c2d-motion"));
    assert!(shows(&h, "6 videos"), "the generated probe set is listed");
    assert!(shows(&h, "Not computed yet"));

    // Run: real inference, partial results on the way, then the report.
    click(&mut h, "Run");
    step_until(&mut h, 240, "the job", |h| {
        matches!(
            h.state().state.job,
            JobStatus::Done { .. } | JobStatus::Failed(_)
        )
    });
    h.step();
    let state = &h.state().state;
    assert_eq!(
        state.job,
        JobStatus::Done { cached: false },
        "{:?}",
        state.messages
    );
    let report = state.report.as_deref().unwrap();
    assert_eq!(report.models.len(), 10, "9 checkpoints + 1 model");
    assert!(report.models.iter().all(|m| m.layers.len() == 3));
    assert!(shows(&h, "Results computed."));

    // Every tab draws its content from the results.
    let visits = [
        (Tab::Layers, "Selected: cnn3d-motion · epoch 10 · stage3"),
        (Tab::Channels, "channels plotted"),
        (Tab::Training, "stage1"),
        (Tab::Compare, "Channels of"),
        (Tab::Pairs, "of 24"),
    ];
    for (tab, text) in visits {
        click(&mut h, tab.label());
        assert_eq!(h.state().state.settings.tab, tab);
        assert!(shows(&h, text), "{}: no '{text}'", tab.label());
        if tab == Tab::Pairs {
            // the pair loader builds the first pair on its thread
            step_until(&mut h, 60, "the first pair", |h| shows(h, "pair 0 ·"));
            assert!(!shows(&h, "Export:"), "the tab bar exports no figure here");
            // The pair on a slide: strips (PNG, SVG) and both members playing (GIF, MP4).
            for format in ["PNG", "SVG", "GIF", "MP4"] {
                click(&mut h, format);
            }
            continue;
        }
        for format in ["PNG", "SVG", "CSV"] {
            click(&mut h, format);
        }
    }
    // The channel panel: one selected channel gets its maps, top windows and
    // pairs (the maps thread runs the model); another checkpoint keeps the
    // channel; a top window opens its pair in Videos & pairs.
    click(&mut h, Tab::Channels.label());
    h.state_mut().apply(Action::SelectChannels {
        channels: vec![5],
        mode: SelectMode::Replace,
    });
    step_until(&mut h, 60, "the channel's maps", |h| {
        shows(h, "high · pair")
    });
    assert!(shows(&h, "Channel 5") && shows(&h, "pair 0 · member 2"));
    // The player shows a static and a dynamic pair and steps with the arrow keys.
    assert!(shows(&h, "static pair") && shows(&h, "dynamic pair"));
    assert!(shows(&h, "frame 1 of the 8 the model sees"));
    h.key_press(egui::Key::ArrowRight);
    h.step();
    assert!(shows(&h, "frame 2 of the 8 the model sees"));
    assert!(shows(&h, "The pairs behind ρ") && shows(&h, "of replicates agree"));
    h.state_mut().apply(Action::SelectCheckpoint(4));
    h.step();
    assert_eq!(
        h.state()
            .state
            .selection
            .channels
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        vec![5]
    );
    step_until(&mut h, 60, "the maps at epoch 3", |h| {
        shows(h, "Channel 5") && shows(h, "high · pair")
    });
    let window = h
        .query_all_by_label_contains("high · pair")
        .next()
        .unwrap()
        .accesskit_node()
        .value()
        .unwrap_or_default();
    let pair: u64 = window
        .split_whitespace()
        .nth(3)
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no pair in the window's label '{window}'"));
    // The strips lie below the player: scroll to the first, then click it.
    h.get_all_by_label_contains("high · pair")
        .next()
        .unwrap()
        .scroll_to_me();
    h.step();
    h.step();
    h.step();
    h.get_all_by_label_contains("high · pair")
        .next()
        .unwrap()
        .click();
    h.step();
    h.step();
    assert_eq!(h.state().state.settings.tab, Tab::Pairs);
    assert_eq!(h.state().state.selection.pair, pair);

    // The four plot tabs each wrote three files, on the exporter's thread.
    step_until(&mut h, 60, "the exports", |h| {
        h.state()
            .state
            .messages
            .iter()
            .filter(|m| m.text.starts_with("Exported"))
            .count()
            == 12 + 4 // four figures of three kinds, the pair four ways
    });
    assert_no_errors(&h);
    for stem in [
        "bars",
        "channels_cnn3d-motion_stage3",
        "training_cnn3d-motion",
        "compare",
    ] {
        let png = std::fs::read(out.join(format!("{stem}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{stem}.png");
        let image = image::load_from_memory(&png).unwrap();
        assert!(image.width() > 400 && image.height() > 200, "{stem}.png");
        let svg = std::fs::read_to_string(out.join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") || svg.starts_with("<?xml"),
            "{stem}.svg"
        );
        let csv = std::fs::read_to_string(out.join(format!("{stem}.csv"))).unwrap();
        assert!(csv.lines().count() > 3, "{stem}.csv:\n{csv}");
    }
    // The Layers CSV holds the shown bars: cnn3d-motion at epoch 10 and c2d-motion.
    let layers = std::fs::read_to_string(out.join("bars.csv")).unwrap();
    assert!(layers.contains("cnn3d-motion,epoch_10.00.pt"), "{layers}");
    assert!(layers.contains("c2d-motion,"), "{layers}");
    assert!(!layers.contains("epoch_05.00.pt"), "{layers}");
    // Compare: the bars, the changes and both scatters of the layer shown.
    let compare = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert!(compare.contains("\nlayer,channel,from,to\n"), "{compare}");
    let points = "\nentry,layer,channel,rho_static,rho_dynamic,category,tau\n";
    assert!(compare.contains(points), "{compare}");
    assert!(
        compare.contains("cnn3d-motion · epoch 0,stage3,"),
        "{compare}"
    );

    // The channel panel's exports: the folder `stadyn channels` writes, the
    // panel as a figure, the player as a video, the selection as JSON.
    click(&mut h, Tab::Channels.label());
    step_until(&mut h, 60, "the maps again", |h| shows(h, "high · pair"));
    for item in [
        "Channel folder…",
        "Panel as PNG…",
        "Panel as SVG…",
        "Maps of the pairs as GIF…",
        "Maps of the pairs as MP4…",
    ] {
        click(&mut h, "Save…");
        click(&mut h, item);
    }
    click(&mut h, "Export channels…");
    step_until(&mut h, 120, "the channel exports", |h| {
        let m = &h.state().state.messages;
        m.iter().any(|m| m.level == Level::Error)
            || m.iter().filter(|m| m.text.starts_with("Exported")).count() == 12 + 4 + 6
    });
    assert_no_errors(&h);
    let png = image::open(out.join("stage3_c5_panel.png")).unwrap();
    assert!(
        png.width() > 600 && png.height() > 600,
        "{}×{}",
        png.width(),
        png.height()
    );
    let svg = std::fs::read_to_string(out.join("stage3_c5_panel.svg")).unwrap();
    assert!(
        svg.matches("data:image/png;base64,").count() >= 6,
        "the strips are embedded"
    );
    assert!(svg.contains("channel 5") && svg.contains("static pair"));
    let gif = std::fs::read(out.join("stage3_c5_panel.gif")).unwrap();
    assert!(gif.starts_with(b"GIF8"));
    let mp4 = std::fs::read(out.join("stage3_c5_panel.mp4")).unwrap();
    assert!(mp4.len() > 1000 && &mp4[4..8] == b"ftyp");
    // The pair exports (pair 0, of either factor).
    let pair = |ext: &str| {
        ["static", "dynamic"]
            .iter()
            .map(|f| out.join(format!("{f}_pair_0.{ext}")))
            .find(|p| p.exists())
            .unwrap_or_else(|| {
                let names: Vec<_> = std::fs::read_dir(&out)
                    .unwrap()
                    .map(|e| e.unwrap().file_name())
                    .collect();
                panic!("no pair 0 {ext} in {names:?}")
            })
    };
    let strip = image::open(pair("png")).unwrap();
    assert!(strip.width() > 600, "{}", strip.width());
    let svg = std::fs::read_to_string(pair("svg")).unwrap();
    assert!(svg.contains("member 1") && svg.contains("member 2") && svg.contains("pair 0"));
    assert!(std::fs::read(pair("gif")).unwrap().starts_with(b"GIF8"));
    let mp4 = std::fs::read(pair("mp4")).unwrap();
    assert!(mp4.len() > 1000 && &mp4[4..8] == b"ftyp");
    let sel: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("stage3_channels.json")).unwrap())
            .unwrap();
    assert_eq!(sel["schema"], "stadyn.channels/1");
    assert_eq!(sel["channels"][0]["channel"], 5);
    let dir = out.join("stage3_c5");
    for f in [
        "top.csv",
        "channel.json",
        "pairs.png",
        "high_1.png",
        "high_1.gif",
    ] {
        assert!(dir.join(f).is_file(), "{f}: {:?}", h.state().state.messages);
    }
}
