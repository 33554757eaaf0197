//! Decoding a window by seeking gives exactly the frames of decoding from
//! frame 0, byte for byte, on awkward files: B-frames, open GOPs, variable
//! frame rate, MPEG-TS (a start time that is not 0), VP8/VP9 with hidden
//! frames, 10-bit, rotated, one frame, truncated, and an edit list (which is
//! not sought). Each test also checks that the seek path was taken, so it
//! cannot pass by always decoding from frame 0.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::super::ffmpeg::{self, Pick, Tools};
use super::super::seek::{self, parse_table};
use super::super::*;
use super::{has_encoder, have_ffmpeg};

/// Frames of the test videos (25 fps testsrc2, 64×48, a keyframe every 12).
const FRAMES: usize = 48;

/// Encodes testsrc2 into `dir/name` with `opts` (then the path).
fn encode(dir: &Path, name: &str, frames: usize, opts: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25"])
        .args(["-frames:v", &frames.to_string()])
        .args(opts)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

/// Every frame, decoded from frame 0.
fn from_zero(path: &Path, info: &VideoInfo) -> Vec<image::RgbImage> {
    let all: Vec<usize> = (0..info.frames).collect();
    let size = (info.width, info.height);
    ffmpeg::decode(&Tools::from_env(), path, size, &Pick::Indices(&all), None).unwrap()
}

/// Windows of 8 at every sixth start, and sampled (gapped, repeated)
/// index sets, read through [`VideoSource::read_frames`], equal the
/// frames of the full decode; returns how many of them were sought.
fn check_file(path: &Path) -> usize {
    let source = VideoSource::open(path).unwrap();
    let info = source.info().unwrap();
    let full = from_zero(path, &info);
    assert_eq!(full.len(), info.frames, "{}", path.display());
    let table = seek::table(&Tools::from_env(), path, info.frames);
    let n = info.frames;
    let mut sets: Vec<Vec<usize>> = (0..n.saturating_sub(7))
        .step_by(6)
        .map(|s| (s..s + 8).collect())
        .collect();
    if n > 20 {
        sets.push(vec![n - 1, 13, 13, 20, 17]);
        sets.push(vec![n / 2, n / 2 + 3, n - 1]);
    }
    sets.push(vec![n - 1]);
    let mut sought = 0;
    for set in &sets {
        let mut sorted = set.clone();
        sorted.sort_unstable();
        sorted.dedup();
        sought += usize::from(table.as_ref().and_then(|t| t.pick(&sorted)).is_some());
        let got = source.read_frames_with(&info, set).unwrap();
        assert_eq!(got.len(), set.len());
        for (img, &k) in got.iter().zip(set) {
            assert!(
                img == &full[k],
                "{}: frame {k} of {set:?} differs from the full decode",
                path.display()
            );
        }
    }
    sought
}

#[test]
fn sought_windows_equal_the_full_decode_on_awkward_files() {
    if !have_ffmpeg() || !has_encoder("libx264") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let x264 = |name: &str, extra: &[&str]| {
        let mut opts = vec!["-c:v", "libx264", "-g", "12", "-crf", "12"];
        opts.extend(extra);
        encode(d, name, FRAMES, &opts)
    };
    let mut files = vec![
        x264("bframes.mp4", &["-bf", "3"]),
        x264("opengop.mkv", &["-bf", "3", "-x264-params", "open-gop=1"]),
        x264("rotated.mp4", &["-bf", "2", "-metadata:s:v", "rotate=90"]),
        x264("tenbit.mp4", &["-bf", "2", "-pix_fmt", "yuv420p10le"]),
        // Variable frame rate: every third frame dropped, timestamps kept.
        x264(
            "vfr.mp4",
            &[
                "-bf",
                "2",
                "-vf",
                "select='not(eq(mod(n\\,3)\\,1))'",
                "-fps_mode",
                "vfr",
            ],
        ),
    ];
    if has_encoder("mpeg2video") {
        // MPEG-TS starts at 1.4 s; mpeg2video's GOPs are open.
        let opts = ["-c:v", "mpeg2video", "-g", "12", "-bf", "2", "-q:v", "3"];
        files.push(encode(d, "mpeg2.ts", FRAMES, &opts));
    }
    for (codec, name) in [("libvpx", "vp8.webm"), ("libvpx-vp9", "vp9.webm")] {
        if has_encoder(codec) {
            let opts = [
                "-c:v",
                codec,
                "-g",
                "12",
                "-auto-alt-ref",
                "1",
                "-b:v",
                "400k",
            ];
            files.push(encode(d, name, FRAMES, &opts));
        }
    }
    for file in &files {
        let sought = check_file(file);
        assert!(
            sought >= 4,
            "{}: only {sought} windows sought",
            file.display()
        );
    }

    // A truncated file: the table is of what is left, and is sought.
    let whole = std::fs::read(x264("whole.mkv", &["-bf", "3"])).unwrap();
    let cut = d.join("truncated.mkv");
    std::fs::write(&cut, &whole[..whole.len() * 7 / 10]).unwrap();
    assert!(check_file(&cut) > 0, "the truncated file was not sought");

    // One frame: nothing to seek.
    let one = encode(d, "one.mp4", 1, &["-c:v", "libx264"]);
    assert_eq!(check_file(&one), 0);
    let one = VideoSource::open(&d.join("one.mp4")).unwrap();
    assert_eq!(one.info().unwrap().frames, 1);
}

#[test]
fn an_edit_list_that_hides_frames_is_decoded_from_frame_zero() {
    if !have_ffmpeg() || !has_encoder("libx264") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = encode(
        d,
        "src.mp4",
        FRAMES,
        &["-c:v", "libx264", "-g", "12", "-bf", "3"],
    );
    // A stream copy cut between keyframes: the packets before the cut are
    // kept for decoding but marked discard.
    let cut = d.join("cut.mp4");
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-ss", "0.5", "-i"])
        .arg(&src)
        .args(["-c", "copy"])
        .arg(&cut)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = ffmpeg::packet_table(&Tools::from_env(), &cut).unwrap();
    if !text.contains("flags=KD") && !text.contains("flags=_D") {
        eprintln!("note: this ffmpeg cut without discarded packets; nothing to check");
        return;
    }
    assert_eq!(parse_table(&text), None);
    let source = VideoSource::open(&cut).unwrap();
    let info = source.info().unwrap();
    // Frames that decode (the header counts the discarded packet too).
    let decodable = ffmpeg::count_decoded(&Tools::from_env(), &cut).unwrap();
    let full = from_zero(
        &cut,
        &VideoInfo {
            frames: decodable,
            ..info
        },
    );
    let got = source.read_frames(&[20, 21, 30]).unwrap();
    assert!(got[0] == full[20] && got[1] == full[21] && got[2] == full[30]);
}

#[test]
fn tables_that_break_a_rule_are_not_used() {
    let good = "packet|pts=0|dts=-512|flags=K_\n\
                packet|pts=1024|dts=-256|flags=__\n\
                packet|pts=512|dts=0|flags=__\n\
                packet|pts=1536|dts=256|flags=K_|side_data|\n\
                packet|pts=2048|dts=512|flags=__\n\
                packet|pts=2560|dts=768|flags=__\n\
                stream|time_base=1/12800\n\
                format|start_time=0.000000\n";
    let t = parse_table(good).unwrap();
    assert_eq!(t.pts, [0, 512, 1024, 1536, 2048, 2560]);
    assert_eq!(t.keys, [(0, -512), (1536, 256)]);
    assert_eq!(t.time_base, 1.0 / 12800.0);
    // Frame 3 is a keyframe: seek to its decode time, pick it by timestamp.
    let Some(Pick::Seek {
        seek_s,
        filter,
        count,
    }) = t.pick(&[3])
    else {
        panic!("not sought")
    };
    assert_eq!(
        (filter.as_str(), count),
        (r"select='between(pts\,1536\,1536)'", 1)
    );
    assert!((seek_s - (256.0 / 12800.0 - 2e-6)).abs() < 1e-9, "{seek_s}");
    // Runs of frames without another frame between become one `between`.
    let Some(Pick::Seek { filter, .. }) = t.pick(&[3, 4, 5]) else {
        panic!()
    };
    assert_eq!(filter, r"select='between(pts\,1536\,2560)'");
    let Some(Pick::Seek { filter, .. }) = t.pick(&[3, 5]) else {
        panic!()
    };
    assert_eq!(
        filter,
        r"select='between(pts\,1536\,1536)+between(pts\,2560\,2560)'"
    );
    // From frame 0, or before the first keyframe's decode time: no seek.
    assert!(t.pick(&[0, 3]).is_none() && t.pick(&[1, 2, 3]).is_none());
    assert!(t.pick(&[5, 6]).is_none(), "beyond the table");
    for bad in [
        good.replace("pts=1024|", "pts=N/A|"),
        good.replace("pts=1024|", "pts=512|"),
        good.replace("flags=__\npacket|pts=512", "flags=_D\npacket|pts=512"),
        good.replace("stream|time_base=1/12800\n", ""),
        "stream|time_base=1/25\n".to_string(),
    ] {
        assert_eq!(parse_table(&bad), None, "{bad}");
    }
}

#[test]
fn many_scattered_frames_are_read_in_one_range() {
    if !have_ffmpeg() || !has_encoder("libx264") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let opts = ["-c:v", "libx264", "-g", "12", "-bf", "3"];
    let path = encode(dir.path(), "long.mp4", 250, &opts);
    let source = VideoSource::open(&path).unwrap();
    let info = source.info().unwrap();
    let full = from_zero(&path, &info);
    // 120 runs: more than one ffmpeg expression can name (it nests at most
    // ~100 deep), from frame 0 and from a seek.
    for set in [
        (0..240).step_by(2).collect::<Vec<_>>(),
        (31..249).step_by(3).rev().collect(),
    ] {
        let got = source.read_frames_with(&info, &set).unwrap();
        assert_eq!(got.len(), set.len());
        for (img, &k) in got.iter().zip(&set) {
            assert!(img == &full[k], "frame {k}");
        }
    }
}
