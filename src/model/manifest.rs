//! The sidecar manifest `<model>.json`: how to feed the model and what its
//! outputs are. Every field has a default, so a manifest may be partial.

use super::input_spec::check_inputs;
use super::{InputKind, InputSpec, ModelError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Axis order of the model's input tensor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputLayout {
    /// Batch, channels, time, height, width (PyTorch video models).
    #[default]
    #[serde(rename = "NCTHW")]
    Ncthw,
    /// Batch, time, height, width, channels (e.g. TransNetV2).
    #[serde(rename = "NTHWC")]
    Nthwc,
    /// Batch, time, channels, height, width (e.g. frame-wise 2-D models).
    #[serde(rename = "NTCHW")]
    Ntchw,
    /// One frame per batch item (per-frame models, e.g. two-stream video
    /// object segmentation): a member's T frames go in as T items, and each
    /// frame is a row of the estimator.
    #[serde(rename = "NCHW")]
    Nchw,
}

/// Element type of the input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputDtype {
    /// `float32`, divided by 255 and normalized with mean/std.
    #[default]
    Float32,
    /// `uint8` raw pixels (0–255), no normalization.
    Uint8,
}

/// The manifest of one model (or checkpoint).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Manifest {
    /// Display name (default: the file stem).
    pub name: Option<String>,
    /// The inputs `forward` takes, in order, for models with several (an
    /// RGB and a flow stream; two pathways). Empty: one RGB input described
    /// by the top-level fields below, which otherwise mirror the first RGB
    /// or pathway input (see [`Manifest::normalize`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<InputSpec>,
    /// Input axis order.
    pub layout: InputLayout,
    /// Input element type.
    pub dtype: InputDtype,
    /// Frames T fed to the model.
    pub frames: usize,
    /// Window W of raw frames the T frames are sampled from.
    pub window: usize,
    /// Short side after resizing (ignored when `size` is set).
    pub short_side: u32,
    /// Center crop `[h, w]` after resizing.
    pub crop: Option<[u32; 2]>,
    /// Fixed resize `[h, w]` instead of short side + crop.
    pub size: Option<[u32; 2]>,
    /// Per-channel mean (RGB), applied after /255 for float input.
    pub mean: [f32; 3],
    /// Per-channel standard deviation (RGB).
    pub std: [f32; 3],
    /// Layers to probe, in display order (default: every returned output but `ignore`).
    pub layers: Vec<String>,
    /// Names of tuple outputs, in order (for models that return a tuple).
    pub outputs: Vec<String>,
    /// Outputs that are never probed (default: `logits`).
    pub ignore: Vec<String>,
    /// Rank-4 outputs that are per-frame maps N×C×H×W (pooled over H, W).
    pub per_frame: Vec<String>,
    /// Token outputs' grids `[T', H', W']` (tokens time-major, with or
    /// without a leading class token), for the channel inspector's maps.
    pub token_grids: BTreeMap<String, [usize; 3]>,
    /// Input frames each time step of a layer's map covers, where T is not
    /// a multiple of the layer's T' (otherwise T / T').
    pub time_strides: BTreeMap<String, usize>,
    /// Training epoch of this checkpoint.
    pub epoch: Option<f64>,
    /// Training step of this checkpoint.
    pub step: Option<u64>,
    /// Validation accuracy of this checkpoint, if recorded.
    pub accuracy: Option<f64>,
    /// Training-set accuracy of this checkpoint, if recorded.
    pub train_accuracy: Option<f64>,
    /// Other numbers recorded for this checkpoint (`{"val_loss": 0.71}`),
    /// drawn beside the biases across training.
    pub metrics: BTreeMap<String, f64>,
    /// The stream each layer belongs to (`{"rgb1": "appearance", "flow1":
    /// "motion", "fused": "fusion"}`, or a pathway: `slow`, `fast`, `cat`):
    /// the report and the views group and colour layers by it.
    pub streams: BTreeMap<String, String>,
    /// Class names of the model's task.
    pub classes: Vec<String>,
    /// Free-form notes (where the weights come from, licence).
    pub notes: Option<String>,
}

impl Default for Manifest {
    /// PySlowFast-style defaults: NCTHW float32, T = 8 of W = 64 frames,
    /// short side 128, center crop 112, mean 0.45, std 0.225.
    fn default() -> Self {
        Self {
            name: None,
            inputs: Vec::new(),
            layout: InputLayout::Ncthw,
            dtype: InputDtype::Float32,
            frames: 8,
            window: 64,
            short_side: 128,
            crop: Some([112, 112]),
            size: None,
            mean: [0.45; 3],
            std: [0.225; 3],
            layers: Vec::new(),
            outputs: Vec::new(),
            ignore: vec!["logits".to_string()],
            per_frame: Vec::new(),
            token_grids: BTreeMap::new(),
            time_strides: BTreeMap::new(),
            epoch: None,
            step: None,
            accuracy: None,
            train_accuracy: None,
            metrics: BTreeMap::new(),
            streams: BTreeMap::new(),
            classes: Vec::new(),
            notes: None,
        }
    }
}

impl Manifest {
    /// The checkpoint's recorded numbers: `accuracy` and `train_accuracy`
    /// when given, and every entry of `metrics`.
    pub fn all_metrics(&self) -> BTreeMap<String, f64> {
        let mut out = self.metrics.clone();
        if let Some(a) = self.accuracy {
            out.insert("accuracy".into(), a);
        }
        if let Some(a) = self.train_accuracy {
            out.insert("train_accuracy".into(), a);
        }
        out
    }

    /// The sidecar path of a model file: `model.pt` → `model.json`.
    pub fn sidecar(model: &Path) -> PathBuf {
        model.with_extension("json")
    }

    /// Reads the manifest beside `model`. Without one, returns the defaults
    /// and a warning saying so.
    pub fn for_model(model: &Path) -> Result<(Manifest, Option<String>), ModelError> {
        let path = Self::sidecar(model);
        if !path.exists() {
            return Ok((
                Manifest::default(),
                Some(format!(
                    "no manifest '{}': using defaults (NCTHW float32, T=8 of W=64, short side 128, crop 112, mean 0.45, std 0.225)",
                    path.display()
                )),
            ));
        }
        Ok((Self::read(&path)?, None))
    }

    /// Reads and checks a manifest file.
    pub fn read(path: &Path) -> Result<Manifest, ModelError> {
        let err = |reason: String| ModelError::Manifest {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let mut m: Manifest = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        if !m.inputs.is_empty() {
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
            if let Some(key) = INPUT_KEYS.iter().find(|k| value.get(**k).is_some()) {
                return Err(err(format!(
                    "\"{key}\" is given at the top level beside \"inputs\": with \"inputs\", \
                     give each input's {} in its own entry",
                    INPUT_KEYS.join(", ")
                )));
            }
        }
        m.check().map_err(err)?;
        m.normalize();
        Ok(m)
    }

    /// With `inputs`, sets the top-level input fields to those of the
    /// primary input (the first RGB or pathway input), so that code which
    /// asks about "the" input (sizes, frames, display) sees it.
    pub fn normalize(&mut self) {
        let Some(p) = self.inputs.get(self.primary()).cloned() else {
            return;
        };
        self.layout = p.layout;
        self.dtype = p.dtype;
        self.frames = p.frames;
        self.window = p.window;
        self.short_side = p.short_side;
        self.crop = p.crop;
        self.size = p.size;
        let (mean, std) = (p.mean(), p.std());
        if let (Ok(mean), Ok(std)) = (mean.try_into(), std.try_into()) {
            self.mean = mean;
            self.std = std;
        }
    }

    /// The inputs `forward` takes, in order: `inputs` when given, else the
    /// one RGB input of the top-level fields.
    pub fn inputs(&self) -> Vec<InputSpec> {
        if !self.inputs.is_empty() {
            return self.inputs.clone();
        }
        vec![InputSpec {
            name: "rgb".into(),
            kind: InputKind::Rgb,
            layout: self.layout,
            dtype: self.dtype,
            frames: self.frames,
            window: self.window,
            short_side: self.short_side,
            crop: self.crop,
            size: self.size,
            mean: Some(self.mean.to_vec()),
            std: Some(self.std.to_vec()),
            ..InputSpec::default()
        }]
    }

    /// Index of the primary input: the first RGB or pathway input (what the
    /// pair viewer shows first, and what per-layer time steps refer to).
    pub fn primary(&self) -> usize {
        self.inputs
            .iter()
            .position(|i| i.kind != InputKind::Flow)
            .unwrap_or(0)
    }

    /// Whether the model takes more than one input.
    pub fn is_multi_input(&self) -> bool {
        self.inputs.len() > 1
    }

    /// Rows of the estimator per pair member: the frames T for a per-frame
    /// model (layout `NCHW`), else 1.
    pub fn rows_per_member(&self) -> usize {
        match self.inputs().get(self.primary()) {
            Some(p) if p.per_frame() => p.frames,
            _ => 1,
        }
    }

    /// Checks the values make sense.
    pub fn check(&self) -> Result<(), String> {
        let numbers = [
            ("accuracy", self.accuracy),
            ("train_accuracy", self.train_accuracy),
        ];
        for (name, v) in numbers
            .into_iter()
            .filter_map(|(n, v)| Some((n, v?)))
            .chain(self.metrics.iter().map(|(n, v)| (n.as_str(), *v)))
        {
            if !v.is_finite() {
                return Err(format!("'{name}' must be a finite number, not {v}"));
            }
        }
        if self.inputs.is_empty() {
            for input in self.inputs() {
                input.check("the input")?;
            }
        } else {
            check_inputs(&self.inputs)?;
        }
        if let Some((layer, tag)) = self.streams.iter().find(|(_, t)| !tag_ok(t)) {
            return Err(format!(
                "the stream of '{layer}' is '{tag}': a stream is a short name of lower-case \
                 letters, digits, '-' or '_' (appearance, motion, fusion, slow, fast, cat, …)"
            ));
        }
        if let Some((name, grid)) = self.token_grids.iter().find(|(_, g)| g.contains(&0)) {
            return Err(format!("token grid of '{name}' {grid:?} has an empty axis"));
        }
        if let Some((name, _)) = self.time_strides.iter().find(|(_, s)| **s == 0) {
            return Err(format!("time stride of '{name}' must be at least 1 frame"));
        }
        Ok(())
    }

    /// The stream of layer `name`, when the manifest says.
    pub fn stream_of(&self, name: &str) -> Option<&str> {
        self.streams.get(name).map(String::as_str)
    }

    /// The (h, w) of the clips the model takes.
    pub fn input_hw(&self) -> Option<(u32, u32)> {
        self.size.or(self.crop).map(|[h, w]| (h, w))
    }

    /// Whether an output name is to be probed.
    pub fn probes(&self, name: &str) -> bool {
        if self.layers.is_empty() {
            !self.ignore.iter().any(|i| i == name)
        } else {
            self.layers.iter().any(|l| l == name)
        }
    }
}

/// The top-level fields that describe the single input of a manifest
/// without `inputs`.
const INPUT_KEYS: [&str; 9] = [
    "layout",
    "dtype",
    "frames",
    "window",
    "short_side",
    "crop",
    "size",
    "mean",
    "std",
];

/// A stream tag or input name: 1 to 32 characters, lower-case letters,
/// digits, `-`, `_`.
pub(super) fn tag_ok(tag: &str) -> bool {
    (1..=32).contains(&tag.len())
        && tag
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
