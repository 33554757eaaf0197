//! Probe-set discovery: each layout on a small tree (detected and forced),
//! sorted ids, warnings for unusable entries, layout names.

use std::path::Path;

use super::super::*;
use super::{have_ffmpeg, make_frames, make_mp4};

/// A tiny frame folder (`n` 4×4 PNGs) at `dir`.
fn frames(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 1..=n {
        image::RgbImage::from_pixel(4, 4, image::Rgb([i as u8, 0, 0]))
            .save(dir.join(format!("{i:05}.jpg")))
            .unwrap();
    }
}

/// A non-empty file named like a video (discovery never decodes it).
fn video(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"not decoded by discovery").unwrap();
}

fn ids(set: &ProbeSet) -> Vec<&str> {
    set.videos.iter().map(|v| v.id.as_str()).collect()
}

fn warned(set: &ProbeSet, name: &str) -> bool {
    set.warnings.iter().any(|(p, _)| p.ends_with(name))
}

#[test]
fn video_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for name in ["b.mp4", "a10.webm", "a2.MOV", "c.avi", "c.mkv"] {
        video(&root.join(name));
    }
    std::fs::write(root.join("notes.txt"), "x").unwrap();
    std::fs::write(root.join("empty.mp4"), "").unwrap();
    std::fs::write(root.join(".hidden.mp4"), "x").unwrap();
    let set = ProbeSet::discover(root, None).unwrap();
    assert_eq!(set.layout, Layout::VideoFiles);
    // Natural order; colliding stems get their file name.
    assert_eq!(ids(&set), ["a2", "a10", "b", "c.avi", "c.mkv"]);
    assert!(
        set.videos
            .iter()
            .all(|v| v.class.is_none() && v.styled.is_empty())
    );
    assert!(matches!(set.videos[0].source, VideoSource::File(_)));
    assert_eq!(set.warnings.len(), 1, "{:?}", set.warnings);
    assert!(warned(&set, "empty.mp4"));
    // Deterministic.
    assert_eq!(ids(&ProbeSet::discover(root, None).unwrap()), ids(&set));
    // A single file is a set of one.
    let one = ProbeSet::discover(&root.join("b.mp4"), None).unwrap();
    assert_eq!(ids(&one), ["b"]);
}

#[test]
fn class_folders() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    video(&root.join("bowling/v3.mp4"));
    frames(&root.join("bowling/v4"), 2);
    video(&root.join("archery/v2.mp4"));
    video(&root.join("archery/v1.mp4"));
    std::fs::create_dir(root.join("zumba")).unwrap();
    let set = ProbeSet::discover(root, None).unwrap();
    assert_eq!(set.layout, Layout::ClassFolders);
    assert_eq!(
        ids(&set),
        ["archery/v1", "archery/v2", "bowling/v3", "bowling/v4"]
    );
    let classes: Vec<_> = set
        .videos
        .iter()
        .map(|v| v.class.as_deref().unwrap())
        .collect();
    assert_eq!(classes, ["archery", "archery", "bowling", "bowling"]);
    assert!(matches!(set.videos[3].source, VideoSource::Frames { .. }));
    assert!(warned(&set, "zumba"), "{:?}", set.warnings);
}

#[test]
fn frame_folders_and_davis() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("frames");
    frames(&root.join("vid10"), 3);
    frames(&root.join("vid2"), 2);
    std::fs::create_dir_all(root.join("empty")).unwrap();
    let set = ProbeSet::discover(&root, None).unwrap();
    assert_eq!(set.layout, Layout::FrameFolders);
    assert_eq!(ids(&set), ["vid2", "vid10"]);
    assert!(warned(&set, "empty"));
    let VideoSource::Frames { files, .. } = &set.videos[1].source else {
        panic!("not frames")
    };
    assert_eq!(files.len(), 3);

    let davis = dir.path().join("DAVIS");
    frames(&davis.join("JPEGImages/480p/blackswan"), 2);
    frames(&davis.join("JPEGImages/480p/bear"), 2);
    frames(&davis.join("Annotations/480p/bear"), 1);
    let set = ProbeSet::discover(&davis, None).unwrap();
    assert_eq!(set.layout, Layout::Davis);
    assert_eq!(ids(&set), ["bear", "blackswan"]);
    assert!(
        set.videos[0]
            .source
            .path()
            .ends_with("JPEGImages/480p/bear")
    );

    // Forcing a layout that does not fit says what it expected.
    let err = ProbeSet::discover(&root, Some(Layout::Davis)).unwrap_err();
    assert!(err.to_string().contains("JPEGImages/480p"), "{err}");
    let err = ProbeSet::discover(&root, Some(Layout::VideoFiles)).unwrap_err();
    assert!(err.to_string().contains("<root>/<video>.mp4"), "{err}");
    // A folder of frames itself is pointed to its parent.
    let err = ProbeSet::discover(&root.join("vid2"), None).unwrap_err();
    assert!(err.to_string().contains("folder above"), "{err}");
}

#[test]
fn stylized_lists_each_video_once_with_its_styles() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for style in ["style_0", "style_1", "style_2", "style_10"] {
        frames(&root.join(style).join("a"), 2);
    }
    frames(&root.join("style_0/b"), 2);
    frames(&root.join("style_2/b"), 2);
    frames(&root.join("style_10/b"), 2);
    let set = ProbeSet::discover(root, None).unwrap();
    assert_eq!(set.layout, Layout::Stylized);
    assert_eq!(ids(&set), ["a", "b"]);
    assert_eq!(set.styles(), ["style_0", "style_1", "style_2", "style_10"]);
    let names = |v: &ProbeVideo| v.styled.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&set.videos[0]),
        ["style_0", "style_1", "style_2", "style_10"]
    );
    assert_eq!(names(&set.videos[1]), ["style_0", "style_2", "style_10"]);
    assert_eq!(set.videos[1].source, set.videos[1].styled[0].1);
    assert!(set.videos[1].styled[1].1.path().ends_with("style_2/b"));
    assert_eq!(set.warnings.len(), 1, "{:?}", set.warnings);
    assert!(set.warnings[0].1.contains("missing in style 'style_1'"));
}

/// The stylized DAVIS of the reference's segmentation study:
/// `JPEGImages/<Style>/<seq>` beside the resolution folder; each sequence's
/// flow lies in `FlowImages_gap1/<seq>` whatever the style.
#[test]
fn stylized_davis_takes_its_style_folders_and_finds_the_flow() {
    let dir = tempfile::tempdir().unwrap();
    let davis = dir.path().join("DAVIS");
    for style in ["480p", "Candy", "Mosaic"] {
        frames(&davis.join(format!("JPEGImages/{style}/bear")), 3);
        frames(&davis.join(format!("JPEGImages/{style}/cows")), 3);
    }
    frames(&davis.join("FlowImages_gap1/bear"), 2);
    let set = ProbeSet::discover(&davis, None).unwrap();
    assert_eq!(set.layout, Layout::Davis);
    assert_eq!(ids(&set), ["bear", "cows"]);
    assert_eq!(
        set.styles(),
        ["Candy", "Mosaic"],
        "resolutions are not styles"
    );
    let bear = &set.videos[0];
    for (_, source) in &bear.styled {
        let flow = crate::video::flow::FlowSource::find(source)
            .unwrap()
            .unwrap();
        assert!(flow.path().ends_with("FlowImages_gap1/bear") && flow.is_images());
    }
    // one style folder beside 480p is plain DAVIS
    std::fs::remove_dir_all(davis.join("JPEGImages/Mosaic")).unwrap();
    let set = ProbeSet::discover(&davis, None).unwrap();
    assert!(set.styles().is_empty());
    assert!(
        set.videos[0]
            .source
            .path()
            .ends_with("JPEGImages/480p/bear")
    );
}

#[test]
fn layout_names_round_trip() {
    for layout in Layout::ALL {
        assert_eq!(layout.to_string().parse::<Layout>().unwrap(), layout);
        let json = serde_json::to_string(&layout).unwrap();
        assert_eq!(json, format!("\"{layout}\""));
    }
    assert_eq!("Kinetics".parse::<Layout>().unwrap(), Layout::ClassFolders);
    let err = "youtube".parse::<Layout>().unwrap_err();
    assert!(
        err.to_string()
            .contains("files, classes, frames, davis, stylized")
    );
}

/// The first video of each real layout loads (mp4 and frame folders).
#[test]
fn discovered_videos_load() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let classes = dir.path().join("kinetics");
    std::fs::create_dir_all(classes.join("waving")).unwrap();
    make_mp4(&classes.join("waving"), "x.mp4", 12);
    make_frames(&classes.join("waving"), "y", "jpg", 12);
    let set = ProbeSet::discover(&classes, None).unwrap();
    assert_eq!(ids(&set), ["waving/x", "waving/y"]);
    let p = Preprocess::short_side_crop(16, 16);
    for v in &set.videos {
        let (clip, notes) = load_clip(&v.source, 3, 8, 4, &p).unwrap();
        assert_eq!((clip.t, clip.h, clip.w), (4, 16, 16));
        assert!(notes.is_empty());
    }
}
