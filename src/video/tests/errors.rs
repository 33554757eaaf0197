//! Errors a user meets: missing paths, empty folders, files that are not
//! videos, damaged files and frames, ffmpeg not installed, bad settings.
//! Each names the path and says why.

use super::super::ffmpeg::{self, Tools};
use super::super::*;
use super::{N, Rng, have_ffmpeg, make_frames, make_mp4};

fn random_bytes(n: usize) -> Vec<u8> {
    let mut rng = Rng(7);
    (0..n).map(|_| rng.byte()).collect()
}

fn says(err: &VideoError, path: &std::path::Path, words: &str) {
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "no path in: {msg}"
    );
    assert!(msg.contains(words), "no '{words}' in: {msg}");
    assert_eq!(err.path(), path);
}

#[test]
fn missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("nope");
    let err = VideoSource::open(&gone).unwrap_err();
    assert!(matches!(err, VideoError::NotFound { .. }));
    says(&err, &gone, "no such file or folder");
    let err = ProbeSet::discover(&gone, None).unwrap_err();
    says(&err, &gone, "no such file or folder");
}

#[test]
fn empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let err = VideoSource::open(dir.path()).unwrap_err();
    assert!(matches!(err, VideoError::Empty { .. }));
    says(&err, dir.path(), "no .jpg");
    let err = ProbeSet::discover(dir.path(), None).unwrap_err();
    assert!(matches!(err, VideoError::NoVideos { .. }));
    says(&err, dir.path(), "empty");
}

#[test]
fn not_a_video_extension() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "hello").unwrap();
    let err = VideoSource::open(&txt).unwrap_err();
    says(&err, &txt, "is not a video");
}

#[test]
fn corrupt_and_truncated_files_fail_on_load_not_before() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("set");
    std::fs::create_dir(&root).unwrap();
    let good = make_mp4(&root, "good.mp4", N);
    let bad = root.join("bad.mp4");
    std::fs::write(&bad, random_bytes(4096)).unwrap();
    let cut = root.join("cut.mp4");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();

    let set = ProbeSet::discover(&root, None).unwrap();
    let ids: Vec<_> = set.videos.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["bad", "cut", "good"]);
    let p = Preprocess::short_side_crop(24, 20);
    for (video, path) in set.videos.iter().zip([&bad, &cut]) {
        let err = load_clip(&video.source, 0, 8, 4, &p).unwrap_err();
        assert_eq!(err.path(), path.as_path(), "{err}");
    }
    let err = VideoSource::File(bad.clone()).info().unwrap_err();
    assert!(matches!(err, VideoError::NotAVideo { .. }), "{err}");
    says(&err, &bad, "ffprobe cannot read it: Invalid data");
    assert_eq!(err.to_string().matches("bad.mp4").count(), 1, "{err}");
    assert!(load_clip(&set.videos[2].source, 0, 8, 4, &p).is_ok());
}

#[test]
fn ffmpeg_missing_says_install_ffmpeg() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.mp4");
    std::fs::write(&file, b"not read").unwrap();
    let tools = Tools {
        ffmpeg: "/nonexistent/stadyn-test/ffmpeg".into(),
        ffprobe: "/nonexistent/stadyn-test/ffprobe".into(),
    };
    let err = ffmpeg::probe(&tools, &file).unwrap_err();
    assert!(matches!(err, VideoError::FfmpegMissing { .. }), "{err}");
    says(&err, &file, "install ffmpeg");
    let err =
        ffmpeg::decode(&tools, &file, (4, 4), &ffmpeg::Pick::Indices(&[0]), None).unwrap_err();
    says(&err, &file, "install ffmpeg");
}

#[test]
fn frames_out_of_range_damaged_or_of_mixed_size() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let folder = make_frames(dir.path(), "v", "png", 5);
    let source = VideoSource::open(&folder).unwrap();
    let err = source.read_frames(&[5]).unwrap_err();
    assert!(
        matches!(
            err,
            VideoError::FrameOutOfRange {
                index: 5,
                frames: 5,
                ..
            }
        ),
        "{err}"
    );

    let mp4 = VideoSource::open(&make_mp4(dir.path(), "c.mp4", 5)).unwrap();
    let err = mp4.read_frames(&[2, 9]).unwrap_err();
    assert!(
        matches!(err, VideoError::FrameOutOfRange { index: 9, .. }),
        "{err}"
    );

    let broken = folder.join("frame3.png");
    std::fs::write(&broken, random_bytes(300)).unwrap();
    let source = VideoSource::open(&folder).unwrap();
    assert!(source.read_frames(&[0, 1, 3]).is_ok());
    let err = source.read_frames(&[2]).unwrap_err();
    assert!(matches!(err, VideoError::BadFrame { .. }), "{err}");
    says(&err, &broken, "cannot decode frame");

    image::RgbImage::new(8, 8).save(&broken).unwrap();
    let err = source.read_frames(&[0, 2]).unwrap_err();
    assert!(matches!(err, VideoError::FrameSize { .. }), "{err}");
    says(&err, &broken, "differs");
}

#[test]
fn bad_settings_are_refused_before_decoding() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = VideoSource::open(&make_frames(dir.path(), "v", "png", 3)).unwrap();
    let err = load_clip(&source, 0, 8, 4, &Preprocess::short_side_crop(16, 32)).unwrap_err();
    assert!(matches!(err, VideoError::InvalidPreprocess { .. }), "{err}");
    says(&err, source.path(), "larger");
    let err = load_clip(&source, 0, 0, 4, &Preprocess::fixed(8, 8)).unwrap_err();
    says(&err, source.path(), "at least 1");
}

/// A file cut in the middle whose header (moov first) still counts every
/// frame: the container counts 15 packets, 14 frames decode. The loader
/// recounts by decoding and plans again, with a note.
#[test]
fn header_counts_more_frames_than_decode() {
    if !have_ffmpeg() || !super::has_encoder("libx264") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.mp4");
    let opts = [
        "-c:v",
        "libx264",
        "-crf",
        "4",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
    ];
    super::testsrc_outputs(N, &[(&opts, &full)]);
    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let source = VideoSource::open(&cut).unwrap();
    let counted = source.info().unwrap().frames;
    let decodable = ffmpeg::count_decoded(&Tools::from_env(), &cut).unwrap();
    if decodable >= counted {
        // Where the cut falls depends on the encoder's version.
        eprintln!("note: the cut file decodes all {counted} frames; nothing to check");
        return;
    }
    let last = counted - 1;
    let err = source.read_frames(&[0, last]).unwrap_err();
    assert!(
        matches!(
            err,
            VideoError::TooFewFrames {
                wanted: 2,
                got: 1,
                ..
            }
        ),
        "{err}"
    );
    // W = 8 with a start that reaches the last counted frame.
    let draw = (counted - 8) as u64;
    let loaded = load_clip_detailed(&source, draw, 8, 8, &Preprocess::fixed(8, 8)).unwrap();
    assert_eq!(loaded.info.frames, decodable);
    assert!(loaded.plan.frames.iter().all(|&f| f < decodable));
    assert!(
        loaded.plan.notes.iter().any(|n| n.contains("decode")),
        "{:?}",
        loaded.plan.notes
    );
}
