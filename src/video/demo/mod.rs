//! Synthetic demo clips with known answers (DESIGN.md, "The embedded demo"):
//! real objects (cut from CC0 photographs) moving over real backgrounds,
//! deterministic in (task, seed, index).
//!
//! - [`DemoTask::Motion`]: the label is the direction the object moves
//!   (right, left, down, up); object, background, colours and the middle of
//!   the path are random, independent of the label, so no single frame
//!   tells the label (the set of positions is the same either way).
//! - [`DemoTask::Appearance`]: the label is the object; its direction,
//!   speed and path are random, independent of the label.
//! - [`DemoTask::Scenes`]: a probe set for any model: an object moving over
//!   a still background, a camera pan across a photograph, or both (the
//!   label says which).
//!
//! [`render_clip`] makes one clip in memory (for tests and the app);
//! [`write_demo_data`] writes a folder that is both a training set
//! (`clips.npy`, `labels.npy`) and a probe set (`stadyn analyze --videos`).

mod assets;
mod scene;
mod write;

use std::fmt;
use std::str::FromStr;

use image::RgbImage;
use serde::{Deserialize, Serialize};

pub use assets::{BACKGROUNDS, OBJECTS};
pub use write::{DemoData, write_demo_data, write_demo_flow};

/// What the label of a demo clip is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DemoTask {
    /// Direction of motion.
    Motion,
    /// Object identity.
    Appearance,
    /// Kind of scene (object, pan, both): a generic probe set.
    Scenes,
}

/// Class names of the motion task, in label order.
pub const DIRECTIONS: [&str; 4] = ["right", "left", "down", "up"];

/// Class names of the scenes task, in label order.
pub const SCENE_KINDS: [&str; 3] = ["object", "pan", "object+pan"];

impl DemoTask {
    /// Every task.
    pub const ALL: [DemoTask; 3] = [DemoTask::Motion, DemoTask::Appearance, DemoTask::Scenes];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            DemoTask::Motion => "motion",
            DemoTask::Appearance => "appearance",
            DemoTask::Scenes => "scenes",
        }
    }

    /// Class names in label order.
    pub fn classes(self) -> &'static [&'static str] {
        match self {
            DemoTask::Motion => &DIRECTIONS,
            DemoTask::Appearance => &OBJECTS,
            DemoTask::Scenes => &SCENE_KINDS,
        }
    }
}

impl fmt::Display for DemoTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DemoTask {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DemoTask::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown demo task '{s}': expected motion, appearance or scenes")
            })
    }
}

/// What to generate: the task, the seed and the clip geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoSpec {
    /// The task (what the label is).
    pub task: DemoTask,
    /// Seed: clip `i` of a spec is the same on every machine.
    pub seed: u64,
    /// Frames per clip.
    pub frames: usize,
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
}

impl DemoSpec {
    /// 16 frames of 64×64, the demo's size.
    pub fn new(task: DemoTask, seed: u64) -> Self {
        Self {
            task,
            seed,
            frames: 16,
            width: 64,
            height: 64,
        }
    }
}

/// One rendered clip and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoClip {
    /// The frames, `frames` images of `width × height`.
    pub frames: Vec<RgbImage>,
    /// Label (index into the task's classes).
    pub label: usize,
}

/// Renders clip `index` of `spec`.
pub fn render_clip(spec: &DemoSpec, index: u64) -> DemoClip {
    let scene = scene::Scene::draw(spec, index);
    DemoClip {
        frames: (0..spec.frames).map(|t| scene.render(spec, t)).collect(),
        label: scene.label,
    }
}

/// The exact optical flow of clip `index` of `spec`: for each frame `t`, the
/// motion from `t` to `t + 1` as `height · width` pairs (u, v) in pixels
/// (the last frame's continues the clip's motion one frame further).
pub fn render_flow(spec: &DemoSpec, index: u64) -> Vec<Vec<f32>> {
    let scene = scene::Scene::draw(spec, index);
    (0..spec.frames).map(|t| scene.flow(spec, t)).collect()
}

#[cfg(test)]
mod tests;
