//! The decoded-video cache: bounded by its limit, and never a cause of
//! different pairs — every clip is the same whether the frames the plan
//! needs of its video were kept from one pass, or decoded a window at a
//! time (for windows late in a file, from the keyframe before them).

use super::decode::keep_needed;
use super::*;
use std::process::Command;

/// Four 40-frame mp4s (64×48, a keyframe every 8, B-frames) in `dir`.
fn videos(dir: &Path) -> bool {
    for k in 0..4 {
        let out = Command::new("ffmpeg")
            .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
            .args(["-f", "lavfi", "-i"])
            .arg(format!("testsrc2=size=64x48:rate=25,hue=h={}", k * 60))
            .args(["-frames:v", "40", "-c:v", "libx264", "-g", "8", "-bf", "2"])
            .arg(dir.join(format!("v{k}.mp4")))
            .output();
        if !out.is_ok_and(|o| o.status.success()) {
            eprintln!("note: ffmpeg with libx264 is not available; skipping");
            return false;
        }
    }
    true
}

fn manifest() -> Manifest {
    Manifest {
        frames: 4,
        window: 8,
        short_side: 16,
        crop: Some([16, 16]),
        ..Manifest::default()
    }
}

#[test]
fn the_cache_stays_within_its_limit_and_changes_no_clip() {
    let dir = tempfile::tempdir().unwrap();
    if !videos(dir.path()) {
        return;
    }
    let probe = ProbeSpec {
        pairs: 48,
        seed: 3,
        ..ProbeSpec::new(dir.path())
    };
    let one_video = 40 * 64 * 48 * 3;
    // Kept (each video is read by ~12 pairs × 8 frames ≥ 40 frames).
    let kept_src = PairSource::new(&probe, &manifest()).unwrap();
    // Room for one video: the others are decoded a window at a time.
    let bounded = PairSource::new(&probe, &manifest()).unwrap();
    bounded.set_cache_limit(one_video + 1000);
    // No room: every video a window at a time.
    let windows = PairSource::new(&probe, &manifest()).unwrap();
    windows.set_cache_limit(0);
    for id in kept_src.ids() {
        let a = kept_src.build(id).unwrap();
        for other in [&bounded, &windows] {
            let b = other.build(id).unwrap();
            assert_eq!(
                (&a.a, &a.b, &a.original),
                (&b.a, &b.b, &b.original),
                "pair {id}"
            );
        }
        assert!(bounded.cached_bytes() <= one_video + 1000);
        assert_eq!(windows.cached_bytes(), 0);
    }
    // Only the frames the plan samples are kept.
    let kept = kept_src.cached_bytes();
    assert!(kept > 0 && kept < 4 * one_video, "{kept}");
    assert!(bounded.cached_bytes() > 0);
}

#[test]
fn a_video_is_kept_only_when_it_fits_and_pays() {
    let mb = 1 << 20;
    // 100 frames read by 13 windows of 8: 104 frames decoded ≥ 100; 50
    // frames needed.
    assert!(keep_needed((50, mb), 100, 13, 8, 100 * mb));
    // 12 windows of 8: 96 frames, less than the pass.
    assert!(!keep_needed((50, mb), 100, 12, 8, 100 * mb));
    // Read once: its window is decoded once either way.
    assert!(!keep_needed((8, mb), 100, 1, 8, 100 * mb));
    // Read by two windows of 8: 16 frames decoded < one pass of 100.
    assert!(!keep_needed((16, mb), 100, 2, 8, 100 * mb));
    // Not enough room left, or too large to keep at all.
    assert!(!keep_needed((50, mb), 100, 30, 8, 49 * mb));
    assert!(!keep_needed((600, mb), 1000, 200, 8, 2048 * mb));
    assert!(!keep_needed((0, mb), 100, 30, 8, mb));
}
