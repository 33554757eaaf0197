//! Decoding real files: frame counts, sizes and rates of mp4/webm/avi/mkv/gif
//! and frame folders; frame k of a video file is frame k of the lossless
//! frames of the same source (testsrc draws a frame counter); whole clips.

use image::RgbImage;

use super::super::ffmpeg::select_expr;
use super::super::*;
use super::{
    H, N, W, has_encoder, have_ffmpeg, make_frames, make_mp4, mean_abs_diff, testsrc_outputs,
};

/// Frame `k` decoded from `got` is, of all `reference` frames, closest to
/// reference frame `k` (so no off-by-one), and within `tol` of it (mean
/// absolute difference in 0..=255; lossy codecs with 4:2:0 chroma on
/// testsrc's sharp colour edges are off by ~5).
fn assert_same_frames(got: &VideoSource, reference: &[RgbImage], indices: &[usize], tol: f64) {
    let a = got.read_frames(indices).unwrap();
    assert_eq!(a.len(), indices.len());
    for (img, &k) in a.iter().zip(indices) {
        let diffs: Vec<f64> = reference.iter().map(|r| mean_abs_diff(img, r)).collect();
        let best = (0..diffs.len())
            .min_by(|&i, &j| diffs[i].total_cmp(&diffs[j]))
            .unwrap();
        let name = got.path().display();
        assert_eq!(
            best, k,
            "{name}: frame {k} looks like frame {best}: {diffs:?}"
        );
        assert!(diffs[k] <= tol, "{name}: frame {k} differs by {}", diffs[k]);
    }
}

/// All frames of a source.
fn all_frames(source: &VideoSource) -> Vec<RgbImage> {
    let n = source.info().unwrap().frames;
    source.read_frames(&(0..n).collect::<Vec<_>>()).unwrap()
}

#[test]
fn mp4_and_frame_folders_agree() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mp4 = VideoSource::open(&make_mp4(dir.path(), "clip.mp4", N)).unwrap();
    let png = VideoSource::open(&make_frames(dir.path(), "png", "png", N)).unwrap();
    let jpg = VideoSource::open(&make_frames(dir.path(), "jpg", "jpg", N)).unwrap();

    let info = mp4.info().unwrap();
    assert_eq!((info.frames, info.width, info.height), (N, W, H));
    assert_eq!(info.fps, Some(10.0));
    for folder in [&png, &jpg] {
        let info = folder.info().unwrap();
        assert_eq!(
            (info.frames, info.width, info.height, info.fps),
            (N, W, H, None)
        );
    }
    // Natural order: frame1, frame2, …, frame10 (not frame1, frame10, …).
    let VideoSource::Frames { files, .. } = &png else {
        panic!("not a frame folder")
    };
    let names: Vec<_> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(
        (names[1], names[9], names[29]),
        ("frame2.png", "frame10.png", "frame30.png")
    );

    // Any order, repeats: decoded once, returned as asked.
    let idx = [29, 3, 10, 3, 0, 15];
    let reference = all_frames(&png);
    assert_same_frames(&mp4, &reference, &idx, 8.0);
    assert_same_frames(&jpg, &reference, &idx, 3.0);
    // Against ffmpeg's own decoding of the same file to PNGs: identical.
    let dumped = dir.path().join("dumped");
    std::fs::create_dir(&dumped).unwrap();
    let out = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-i"])
        .arg(mp4.path())
        .arg(dumped.join("%d.png"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let dumped = VideoSource::open(&dumped).unwrap();
    assert_same_frames(&mp4, &all_frames(&dumped), &idx, 0.0);
    let pair = mp4.read_frames(&[3, 3]).unwrap();
    assert_eq!(pair[0], pair[1]);
}

#[test]
fn other_containers_count_and_decode() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let png = VideoSource::open(&make_frames(dir.path(), "png", "png", N)).unwrap();
    // One ffmpeg run writes every container.
    let vp = if has_encoder("libvpx-vp9") {
        "libvpx-vp9"
    } else {
        "libvpx"
    };
    let mut outputs: Vec<(&str, Vec<&str>)> = vec![
        ("clip.avi", vec!["-c:v", "mpeg4", "-q:v", "2"]),
        ("clip.mkv", vec!["-c:v", "mjpeg", "-q:v", "2"]),
        ("clip.gif", vec![]),
        // Regression: a 2.5 s gap after frame 9 (variable frame rate). Each
        // stored frame must come out once (`-vsync passthrough`); the raw
        // muxer's default constant rate would insert 25 duplicates.
        (
            "gap.mkv",
            vec![
                "-vf",
                r"setpts='(N+gte(N\,10)*25)/10/TB'",
                "-c:v",
                "mjpeg",
                "-q:v",
                "2",
            ],
        ),
    ];
    if has_encoder(vp) {
        let opts = vec![
            "-c:v",
            vp,
            "-crf",
            "10",
            "-b:v",
            "0",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
        ];
        outputs.push(("clip.webm", opts));
    }
    let made: Vec<_> = outputs
        .iter()
        .map(|(name, _)| dir.path().join(name))
        .collect();
    let args: Vec<(&[&str], &std::path::Path)> = outputs
        .iter()
        .zip(&made)
        .map(|((_, opts), path)| (opts.as_slice(), path.as_path()))
        .collect();
    testsrc_outputs(N, &args);
    let reference = all_frames(&png);
    for path in &made {
        let source = VideoSource::open(path).unwrap();
        let info = source.info().unwrap();
        assert_eq!(
            (info.frames, info.width, info.height),
            (N, W, H),
            "{}",
            path.display()
        );
        assert!(
            info.fps.is_some_and(|f| (f - 10.0).abs() < 1e-9),
            "{}: {:?}",
            path.display(),
            info.fps
        );
        if path.extension().is_some_and(|e| e == "gif") {
            // A 256-colour palette: only the counter's position is checked.
            let f = source.read_frames(&[0, 29]).unwrap();
            assert_eq!(f[0].dimensions(), (W, H));
            assert_ne!(f[0], f[1]);
        } else {
            assert_same_frames(&source, &reference, &[0, 7, 9, 10, 29], 10.0);
        }
    }
}

#[test]
fn clips_from_file_and_folder_match() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mp4 = VideoSource::open(&make_mp4(dir.path(), "clip.mp4", N)).unwrap();
    let png = VideoSource::open(&make_frames(dir.path(), "png", "png", N)).unwrap();
    let p = Preprocess::short_side_crop(24, 20);

    // Longer than W: start = draw mod (30 − 16 + 1), frames start + {0, 5, 10, 15}.
    let loaded = load_clip_detailed(&mp4, 20, 16, 4, &p).unwrap();
    assert_eq!(loaded.plan.start, 5);
    assert_eq!(loaded.plan.frames, [5, 10, 15, 20]);
    assert_eq!((loaded.clip.t, loaded.clip.h, loaded.clip.w), (4, 20, 20));
    assert!(loaded.plan.notes.is_empty());
    let (from_png, _) = load_clip(&png, 20, 16, 4, &p).unwrap();
    let mad: f32 = loaded
        .clip
        .data
        .iter()
        .zip(&from_png.data)
        .map(|(a, b)| (a - b).abs())
        .sum::<f32>()
        / from_png.data.len() as f32;
    assert!(mad < 0.02, "mean abs difference {mad}");

    // Shorter than W = 64: cycled, with a note.
    let (clip, notes) = load_clip(&mp4, 7, 64, 8, &p).unwrap();
    assert_eq!(clip.t, 8);
    assert!(notes.iter().any(|n| n.contains("cycled")), "{notes:?}");
    let cycled = load_clip_detailed(&png, 7, 64, 8, &p).unwrap();
    assert_eq!(cycled.plan.frames, [0, 9, 18, 27, 6, 15, 24, 3]);
}

#[test]
fn select_expression_groups_runs() {
    assert_eq!(
        select_expr(&[1, 2, 3, 7, 9, 10]),
        r"select='between(n\,1\,3)+eq(n\,7)+between(n\,9\,10)'"
    );
    assert_eq!(select_expr(&[0]), r"select='eq(n\,0)'");
}
