//! Probe sets: every video under a root folder, in one of the [`Layout`]s,
//! found in a sorted, deterministic order.
//!
//! Discovery only lists folders and checks file sizes; it never decodes. A
//! damaged video is found when its clip is loaded (the job then skips it with
//! a warning). Entries that cannot be used (an empty file, a frame folder
//! without frames, a broken link, a video missing in some styles) are listed
//! in [`ProbeSet::warnings`]; files that are not videos are skipped silently.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::array::{ClipArray, is_clip_array};
use super::dir::{Entry, list_dir};
use super::error::{Result, VideoError};
use super::frames::list_frames;
use super::layout::{Layout, detect_layout, is_style_dir};
use super::natural::natural_cmp;
use super::source::{VideoSource, is_video_file};

/// One probe video.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeVideo {
    /// A name unique within the set: the file stem or folder name, with the
    /// class in front for class folders (`"archery/abc123"`).
    pub id: String,
    /// The class folder, for [`Layout::ClassFolders`].
    pub class: Option<String>,
    /// The video's frames. For [`Layout::Stylized`], the first style that
    /// has the video.
    pub source: VideoSource,
    /// For [`Layout::Stylized`]: style name (its folder, e.g. `style_0`) →
    /// that style's rendering of this video, in natural order of the styles.
    /// Empty for other layouts.
    pub styled: Vec<(String, VideoSource)>,
}

/// The videos under a root folder.
#[derive(Clone, Debug)]
pub struct ProbeSet {
    /// The folder given.
    pub root: PathBuf,
    /// Its layout (detected or as asked).
    pub layout: Layout,
    /// The videos, sorted naturally by id.
    pub videos: Vec<ProbeVideo>,
    /// Entries that were skipped or are incomplete, and why.
    pub warnings: Vec<(PathBuf, String)>,
}

impl ProbeSet {
    /// Finds the videos under `root`, in `layout` or the detected one. A root
    /// that does not exist or cannot be read, or that holds no usable video,
    /// is an error. A single video file as `root` is a set of one.
    pub fn discover(root: &Path, layout: Option<Layout>) -> Result<ProbeSet> {
        let meta = std::fs::metadata(root).map_err(|e| VideoError::io(root, e))?;
        if !meta.is_dir() {
            let files_layout = matches!(layout, None | Some(Layout::VideoFiles));
            if is_video_file(root) && files_layout {
                let video = plain(stem(root), None, VideoSource::File(root.to_path_buf()));
                return Ok(Self::new(root, Layout::VideoFiles, vec![video], Vec::new()));
            }
            if is_clip_array(root) && files_layout {
                let videos = array_videos(&ClipArray::open(root)?);
                return Ok(Self::new(root, Layout::VideoFiles, videos, Vec::new()));
            }
            return Err(VideoError::NoVideos {
                path: root.to_path_buf(),
                reason: "it is a file, not a folder (a single video file must have a video \
                         extension, or be a .npy clip array)"
                    .into(),
            });
        }
        let layout = match layout {
            Some(l) => l,
            None => detect_layout(root)?,
        };
        let mut warnings = Vec::new();
        let videos = match layout {
            Layout::VideoFiles => scan(root, None, Want::Files, &mut warnings)?,
            Layout::FrameFolders => scan(root, None, Want::Dirs, &mut warnings)?,
            Layout::ClassFolders => classes(root, &mut warnings)?,
            Layout::Davis => match davis_styles(root)? {
                Some(styles) => styled_videos(&styles, &mut warnings)?,
                None => scan(
                    &davis_dir(root, &mut warnings)?,
                    None,
                    Want::Dirs,
                    &mut warnings,
                )?,
            },
            Layout::Stylized => stylized(root, &mut warnings)?,
        };
        if videos.is_empty() {
            let mut reason = format!("layout '{layout}' expects {}", layout.pattern());
            if let Some((path, why)) = warnings.first() {
                reason.push_str(&format!(
                    "; {} entries skipped, e.g. {}: {why}",
                    warnings.len(),
                    path.display()
                ));
            }
            return Err(VideoError::NoVideos {
                path: root.to_path_buf(),
                reason,
            });
        }
        Ok(Self::new(root, layout, videos, warnings))
    }

    fn new(
        root: &Path,
        layout: Layout,
        mut videos: Vec<ProbeVideo>,
        warnings: Vec<(PathBuf, String)>,
    ) -> Self {
        make_ids_unique(root, &mut videos);
        videos.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        Self {
            root: root.to_path_buf(),
            layout,
            videos,
            warnings,
        }
    }

    /// Number of videos.
    pub fn len(&self) -> usize {
        self.videos.len()
    }

    /// Whether there are no videos (never true for a discovered set).
    pub fn is_empty(&self) -> bool {
        self.videos.is_empty()
    }

    /// The style names that occur, in natural order (empty unless
    /// [`Layout::Stylized`]).
    pub fn styles(&self) -> Vec<String> {
        let mut styles: Vec<String> = Vec::new();
        for (name, _) in self.videos.iter().flat_map(|v| &v.styled) {
            if !styles.contains(name) {
                styles.push(name.clone());
            }
        }
        styles.sort_by(|a, b| natural_cmp(a, b));
        styles
    }
}

fn plain(id: String, class: Option<String>, source: VideoSource) -> ProbeVideo {
    ProbeVideo {
        id,
        class,
        source,
        styled: Vec::new(),
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Which entries of a folder are videos.
#[derive(Clone, Copy, PartialEq)]
enum Want {
    Files,
    Dirs,
    Both,
}

/// The video an entry is, if any: a frame folder or a video file. Unusable
/// candidates become warnings.
fn entry_source(
    e: &Entry,
    want: Want,
    warnings: &mut Vec<(PathBuf, String)>,
) -> Option<(String, VideoSource)> {
    let warn =
        |w: &mut Vec<(PathBuf, String)>, why: &str| w.push((e.path.clone(), why.to_string()));
    if e.is_dir {
        if want == Want::Files {
            return None;
        }
        return match list_frames(&e.path) {
            Ok(files) if files.is_empty() => {
                warn(
                    warnings,
                    "no .jpg/.jpeg/.png frames in this folder: skipped",
                );
                None
            }
            Ok(files) => Some((
                e.name.clone(),
                VideoSource::Frames {
                    dir: e.path.clone(),
                    files,
                },
            )),
            Err(err) => {
                warn(warnings, &format!("skipped: {err}"));
                None
            }
        };
    }
    if want == Want::Dirs || !is_video_file(&e.path) {
        return None;
    }
    match e.len {
        None => {
            warn(warnings, "cannot be read (a broken link?): skipped");
            None
        }
        Some(0) => {
            warn(warnings, "empty file (0 bytes): skipped");
            None
        }
        Some(_) => Some((stem(&e.path), VideoSource::File(e.path.clone()))),
    }
}

fn scan(
    dir: &Path,
    class: Option<&str>,
    want: Want,
    warnings: &mut Vec<(PathBuf, String)>,
) -> Result<Vec<ProbeVideo>> {
    let named = |id: String| match class {
        Some(c) => format!("{c}/{id}"),
        None => id,
    };
    let mut videos = Vec::new();
    for e in list_dir(dir)? {
        if want != Want::Dirs && !e.is_dir && is_clip_array(&e.path) {
            match ClipArray::find(&e.path) {
                Ok(None) => {}
                Ok(Some(array)) => {
                    videos.extend(array_videos(&array).into_iter().map(|v| ProbeVideo {
                        id: named(v.id),
                        ..v
                    }));
                }
                Err(err) => warnings.push((e.path.clone(), format!("skipped: {err}"))),
            }
            continue;
        }
        if let Some((id, source)) = entry_source(&e, want, warnings) {
            videos.push(plain(named(id), class.map(str::to_string), source));
        }
    }
    Ok(videos)
}

/// The clips of an array as probe videos: ids `<stem>-<index>` (zero-padded),
/// classes from its labels file when there is one.
fn array_videos(array: &ClipArray) -> Vec<ProbeVideo> {
    let classes = array.classes();
    let width = array.clips.saturating_sub(1).to_string().len().max(4);
    let stem = stem(&array.path);
    (0..array.clips)
        .map(|index| {
            plain(
                format!("{stem}-{index:0width$}"),
                classes.as_ref().and_then(|c| c.get(index).cloned()),
                VideoSource::Array {
                    array: array.clone(),
                    index,
                },
            )
        })
        .collect()
}

fn classes(root: &Path, warnings: &mut Vec<(PathBuf, String)>) -> Result<Vec<ProbeVideo>> {
    let mut videos = Vec::new();
    for class in list_dir(root)?.into_iter().filter(|e| e.is_dir) {
        match scan(&class.path, Some(&class.name), Want::Both, warnings) {
            Ok(found) if found.is_empty() => {
                warnings.push((class.path, "no videos in this class folder".into()));
            }
            Ok(found) => videos.extend(found),
            Err(err) => warnings.push((class.path, format!("skipped: {err}"))),
        }
    }
    Ok(videos)
}

/// `root/JPEGImages/480p`, or the only resolution folder there is.
fn davis_dir(root: &Path, warnings: &mut Vec<(PathBuf, String)>) -> Result<PathBuf> {
    let images = root.join("JPEGImages");
    let preferred = images.join("480p");
    if preferred.is_dir() {
        return Ok(preferred);
    }
    let missing = |reason: String| VideoError::NoVideos {
        path: root.to_path_buf(),
        reason,
    };
    if !images.is_dir() {
        return Err(missing(format!(
            "layout 'davis' expects {}",
            Layout::Davis.pattern()
        )));
    }
    let dirs: Vec<Entry> = list_dir(&images)?
        .into_iter()
        .filter(|e| e.is_dir)
        .collect();
    match dirs.as_slice() {
        [only] => {
            warnings.push((
                only.path.clone(),
                "no JPEGImages/480p: using this resolution instead".into(),
            ));
            Ok(only.path.clone())
        }
        _ => Err(missing(format!(
            "no JPEGImages/480p folder (found: {})",
            dirs.iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The stylized DAVIS the reference's video object segmentation study
/// uses: `JPEGImages/<Style>/<seq>` beside (or instead of) the resolution
/// folders (`480p`, `1080p`, `Full-Resolution`). Two or more such style
/// folders make the set pre-stylized; `None` otherwise.
fn davis_styles(root: &Path) -> Result<Option<Vec<Entry>>> {
    let images = root.join("JPEGImages");
    if !images.is_dir() {
        return Ok(None);
    }
    let is_resolution = |name: &str| {
        name == "Full-Resolution"
            || name
                .strip_suffix('p')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    let styles: Vec<Entry> = list_dir(&images)?
        .into_iter()
        .filter(|e| e.is_dir && !is_resolution(&e.name))
        .collect();
    Ok((styles.len() >= 2).then_some(styles))
}

fn stylized(root: &Path, warnings: &mut Vec<(PathBuf, String)>) -> Result<Vec<ProbeVideo>> {
    let mut styles = Vec::new();
    for e in list_dir(root)?.into_iter().filter(|e| e.is_dir) {
        if is_style_dir(&e.name) {
            styles.push(e);
        } else {
            warnings.push((e.path, "not a style_<k> folder: ignored".into()));
        }
    }
    styled_videos(&styles, warnings)
}

/// The videos of pre-stylized style folders: each video with its rendering
/// in every style that has it (a video missing in a style is said).
fn styled_videos(
    styles: &[Entry],
    warnings: &mut Vec<(PathBuf, String)>,
) -> Result<Vec<ProbeVideo>> {
    let mut by_id: HashMap<String, Vec<(String, VideoSource)>> = HashMap::new();
    for style in styles {
        for (id, source) in scan(&style.path, None, Want::Both, warnings)?
            .into_iter()
            .map(|v| (v.id, v.source))
        {
            by_id
                .entry(id)
                .or_default()
                .push((style.name.clone(), source));
        }
    }
    let mut ids: Vec<String> = by_id.keys().cloned().collect();
    ids.sort_by(|a, b| natural_cmp(a, b));
    let mut videos = Vec::new();
    for id in ids {
        let Some(styled) = by_id.remove(&id) else {
            continue;
        };
        for style in styles {
            if !styled.iter().any(|(s, _)| *s == style.name) {
                warnings.push((
                    style.path.join(&id),
                    format!("video '{id}' is missing in style '{}'", style.name),
                ));
            }
        }
        let Some((_, source)) = styled.first().cloned() else {
            continue;
        };
        videos.push(ProbeVideo {
            id,
            class: None,
            source,
            styled,
        });
    }
    Ok(videos)
}

/// Gives videos whose ids collide (`a.mp4` and `a.webm`) their path relative
/// to the root as id.
fn make_ids_unique(root: &Path, videos: &mut [ProbeVideo]) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for v in videos.iter() {
        *count.entry(v.id.clone()).or_default() += 1;
    }
    for v in videos.iter_mut().filter(|v| count[&v.id] > 1) {
        let path = v.source.path();
        v.id = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
    }
}
