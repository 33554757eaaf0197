//! Video files through the system `ffmpeg` / `ffprobe` (no linking, no
//! bindings): `ffprobe` for size, rate and frame count, `ffmpeg` piping raw
//! RGB24 for the frames.
//!
//! # Decisions
//! - Frame count: packets counted by demuxing (`-count_packets`, no
//!   decoding); if the container gives none, frames counted by decoding
//!   (`-count_frames`). If a file then decodes to fewer frames than counted,
//!   [`decode`] says so ([`VideoError::TooFewFrames`]) and the loader recounts
//!   by decoding.
//! - Frames are selected by decode index with the `select` filter and passed
//!   through without frame-rate conversion (`-vsync passthrough`: the raw
//!   muxer would otherwise duplicate/drop frames to a constant rate), and
//!   ffmpeg stops after the last one (`-frames:v`). From frame 0, ffmpeg
//!   decodes up to the last requested frame; a window later in a file is
//!   decoded from the keyframe before it instead, and its frames picked by
//!   their exact timestamps ([`super::seek`] says when and why that gives
//!   the same frames).
//! - No scaling in ffmpeg: frames come at full resolution and are resized in
//!   float afterwards, like the reference. `-noautorotate`: frames come as
//!   stored (as PyAV/decord give them), at the size ffprobe reports.
//! - The programs are `ffmpeg`/`ffprobe` on PATH, or `STADYN_FFMPEG` /
//!   `STADYN_FFPROBE`.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use image::RgbImage;

use super::VideoInfo;
use super::error::{Result, VideoError};

/// The external programs used.
#[derive(Clone, Debug)]
pub(crate) struct Tools {
    pub ffmpeg: OsString,
    pub ffprobe: OsString,
}

impl Tools {
    /// `STADYN_FFMPEG` / `STADYN_FFPROBE` if set, else `ffmpeg` / `ffprobe`.
    pub fn from_env() -> Self {
        let var = |k: &str, d: &str| std::env::var_os(k).unwrap_or_else(|| d.into());
        Self {
            ffmpeg: var("STADYN_FFMPEG", "ffmpeg"),
            ffprobe: var("STADYN_FFPROBE", "ffprobe"),
        }
    }
}

/// The ffmpeg program stadyn runs (`STADYN_FFMPEG` if set, else `ffmpeg`),
/// for the writers that encode video (the channel panel's MP4).
pub fn ffmpeg_program() -> OsString {
    Tools::from_env().ffmpeg
}

/// `file:<path>`, so that names with a colon or a leading dash are never
/// read as a protocol or an option.
fn input_arg(path: &Path) -> OsString {
    let mut s = OsString::from("file:");
    s.push(path.as_os_str());
    s
}

fn spawn(program: &OsStr, args: &[OsString], path: &Path) -> Result<Child> {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                VideoError::FfmpegMissing {
                    path: path.to_path_buf(),
                    program: program.to_string_lossy().into_owned(),
                }
            } else {
                VideoError::FfmpegFailed {
                    path: path.to_path_buf(),
                    program: program.to_string_lossy().into_owned(),
                    status: "could not start".into(),
                    message: e.to_string(),
                }
            }
        })
}

/// The last non-empty line of a program's stderr, without the
/// `file:<path>: ` it starts with (the error names the path already).
fn last_line(stderr: &[u8], path: &Path) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("(no message)");
    let prefix = format!("file:{}: ", path.display());
    line.strip_prefix(&prefix).unwrap_or(line).to_string()
}

/// Runs `ffprobe` to completion; its stdout, or the error it reported.
fn run_probe(tools: &Tools, path: &Path, entries: &[&str]) -> Result<String> {
    run_probe_as(tools, path, entries, "default=noprint_wrappers=1")
}

/// The video stream's packets (timestamps and flags), its time base and the
/// file's start time, one `section|key=value|…` line each (demuxing only):
/// what [`super::seek::parse_table`] reads.
pub(crate) fn packet_table(tools: &Tools, path: &Path) -> Result<String> {
    let entries = [
        "-show_entries",
        "packet=pts,dts,flags:stream=time_base:format=start_time",
    ];
    run_probe_as(tools, path, &entries, "compact=p=1")
}

/// [`run_probe`] with the output format `of`.
fn run_probe_as(tools: &Tools, path: &Path, entries: &[&str], of: &str) -> Result<String> {
    let mut args: Vec<OsString> = ["-v", "error", "-select_streams", "v:0"]
        .iter()
        .chain(entries)
        .map(OsString::from)
        .collect();
    args.extend(["-of".into(), of.into(), "-i".into()]);
    args.push(input_arg(path));
    let child = spawn(&tools.ffprobe, &args, path)?;
    let out = child
        .wait_with_output()
        .map_err(|e| VideoError::io(path, e))?;
    if !out.status.success() {
        return Err(VideoError::NotAVideo {
            path: path.to_path_buf(),
            reason: format!("ffprobe cannot read it: {}", last_line(&out.stderr, path)),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim())
}

fn parse_count(v: Option<&str>) -> Option<usize> {
    v.and_then(|s| s.parse::<usize>().ok()).filter(|&n| n > 0)
}

fn parse_rate(v: Option<&str>) -> Option<f64> {
    let (n, d) = v?.split_once('/')?;
    let (n, d) = (n.parse::<f64>().ok()?, d.parse::<f64>().ok()?);
    (n > 0.0 && d > 0.0).then(|| n / d)
}

/// Size, rate and frame count of the first video stream.
pub(crate) fn probe(tools: &Tools, path: &Path) -> Result<VideoInfo> {
    // Fail on unreadable files with the OS's reason rather than ffprobe's.
    std::fs::File::open(path).map_err(|e| VideoError::io(path, e))?;
    let entries = [
        "-count_packets",
        "-show_entries",
        "stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,nb_read_packets\
         :stream_tags=rotate:stream_side_data=rotation",
    ];
    let text = run_probe(tools, path, &entries)?;
    let size = |k| {
        field(&text, k)
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|&n| n > 0)
    };
    let (Some(width), Some(height)) = (size("width"), size("height")) else {
        return Err(VideoError::NotAVideo {
            path: path.to_path_buf(),
            reason: "it has no video stream".into(),
        });
    };
    let fps =
        parse_rate(field(&text, "avg_frame_rate")).or(parse_rate(field(&text, "r_frame_rate")));
    let frames = match parse_count(field(&text, "nb_read_packets")) {
        Some(n) => n,
        None => count_decoded(tools, path)?,
    };
    // `rotation` of a display matrix (side data), or an old `rotate` tag.
    let rotation = field(&text, "rotation")
        .or(field(&text, "TAG:rotate"))
        .and_then(|v| v.parse::<f64>().ok())
        .map(|r| r.round() as i32)
        .filter(|&r| r % 360 != 0);
    Ok(VideoInfo {
        frames,
        width,
        height,
        fps,
        rotation,
    })
}

/// Frames counted by decoding the whole stream (slow, exact).
pub(crate) fn count_decoded(tools: &Tools, path: &Path) -> Result<usize> {
    let entries = ["-count_frames", "-show_entries", "stream=nb_read_frames"];
    let text = run_probe(tools, path, &entries)?;
    parse_count(field(&text, "nb_read_frames")).ok_or_else(|| VideoError::Empty {
        path: path.to_path_buf(),
        reason: "no video frame decodes".into(),
    })
}

/// The `select` filter expression keeping decode indices `sorted` (ascending,
/// unique): runs become `between(n,a,b)`, single frames `eq(n,a)`.
pub(crate) fn select_expr(sorted: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            format!("eq(n\\,{})", sorted[i])
        } else {
            format!("between(n\\,{}\\,{})", sorted[i], sorted[j])
        });
        i = j + 1;
    }
    format!("select='{}'", parts.join("+"))
}

/// The `select` filter expression keeping the frames whose timestamps are
/// `sorted` (ascending, unique), where `runs` groups them into runs with no
/// other frame between (each becomes one `between(pts,a,b)`).
pub(crate) fn select_pts_expr(runs: &[(i64, i64)]) -> String {
    let parts: Vec<String> = runs
        .iter()
        .map(|&(a, b)| format!("between(pts\\,{a}\\,{b})"))
        .collect();
    format!("select='{}'", parts.join("+"))
}

/// Which frames [`decode`] keeps.
pub(crate) enum Pick<'a> {
    /// Decode indices (ascending, unique), decoding from frame 0.
    Indices(&'a [usize]),
    /// `count` frames picked by timestamp with `filter` (a
    /// [`select_pts_expr`]), decoding from a seek to `seek_s` seconds after
    /// the file's start (timestamps kept as stored: `-copyts`).
    Seek {
        /// Seconds after the file's start time.
        seek_s: f64,
        /// The `select` filter.
        filter: String,
        /// How many frames it keeps.
        count: usize,
    },
}

/// Decodes the frames `pick` names of a `width × height` video, in
/// presentation order; with `keep`, only the frames whose entry is true are
/// returned (the others are read from ffmpeg and dropped at once, so a long
/// range costs one frame of memory, not its length).
pub(crate) fn decode(
    tools: &Tools,
    path: &Path,
    (width, height): (u32, u32),
    pick: &Pick<'_>,
    keep: Option<&[bool]>,
) -> Result<Vec<RgbImage>> {
    let (filter, wanted) = match pick {
        Pick::Indices(sorted) => (select_expr(sorted), sorted.len()),
        Pick::Seek { filter, count, .. } => (filter.clone(), *count),
    };
    if wanted == 0 {
        return Ok(Vec::new());
    }
    let mut args: Vec<OsString> = [
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-noautorotate",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    if let Pick::Seek { seek_s, .. } = pick {
        args.extend(
            [
                "-copyts",
                "-noaccurate_seek",
                "-ss",
                &format!("{seek_s:.6}"),
            ]
            .iter()
            .map(OsString::from),
        );
    }
    args.push("-i".into());
    args.push(input_arg(path));
    let frames = wanted.to_string();
    args.extend(
        [
            "-map",
            "0:v:0",
            "-an",
            "-sn",
            "-dn",
            "-vf",
            &filter,
            "-vsync",
            "passthrough",
            "-frames:v",
            &frames,
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ]
        .iter()
        .map(OsString::from),
    );
    let program = tools.ffmpeg.to_string_lossy().into_owned();
    let mut child = spawn(&tools.ffmpeg, &args, path)?;
    let failed = |status: String, message: String| VideoError::FfmpegFailed {
        path: path.to_path_buf(),
        program: program.clone(),
        status,
        message,
    };
    // Drain stderr on its own thread: a damaged file can log more than a pipe
    // holds, which would stall ffmpeg while we wait on stdout.
    let stderr_reader = child.stderr.take().map(|mut err| {
        std::thread::Builder::new()
            .name("ffmpeg-stderr".into())
            .spawn(move || {
                let mut buf = Vec::new();
                let _ = err.read_to_end(&mut buf);
                buf
            })
    });
    let frame_len = width as usize * height as usize * 3;
    let mut images = Vec::new();
    let mut read = 0;
    let mut read_error = None;
    let mut dropped = Vec::new();
    if let Some(mut out) = child.stdout.take() {
        while read < wanted {
            let kept = keep.is_none_or(|k| k.get(read).copied().unwrap_or(false));
            let mut buf = if kept {
                vec![0u8; frame_len]
            } else {
                std::mem::take(&mut dropped)
            };
            buf.resize(frame_len, 0);
            match out.read_exact(&mut buf) {
                Ok(()) if kept => {
                    read += 1;
                    images.extend(RgbImage::from_raw(width, height, buf));
                }
                Ok(()) => {
                    read += 1;
                    dropped = buf;
                }
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
        }
    }
    if read_error.is_some() {
        // Ours to end: nothing more will be read from it.
        let _ = child.kill();
    }
    let status = child.wait().map_err(|e| VideoError::io(path, e))?;
    let stderr = match stderr_reader {
        Some(Ok(handle)) => handle.join().unwrap_or_default(),
        _ => Vec::new(),
    };
    if read == wanted {
        return Ok(images);
    }
    if let Some(e) = read_error {
        return Err(failed("reading its output".into(), e.to_string()));
    }
    if !status.success() {
        return Err(failed(status.to_string(), last_line(&stderr, path)));
    }
    Err(VideoError::TooFewFrames {
        path: path.to_path_buf(),
        wanted,
        got: read,
    })
}
