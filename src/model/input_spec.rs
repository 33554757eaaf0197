//! The inputs a model's `forward` takes ([`InputSpec`]): one RGB clip for
//! most models; an RGB and an optical-flow clip for two-stream models; one
//! clip per pathway for two-pathway models (SlowFast). A manifest without an
//! `"inputs"` list describes its single RGB input with its top-level fields.

use super::{InputDtype, InputLayout};
use serde::{Deserialize, Serialize};

/// What an input carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// RGB frames (styled in dynamic pairs).
    #[default]
    Rgb,
    /// Optical flow of the same frames (identical in dynamic pairs,
    /// jittered in static pairs).
    Flow,
    /// One pathway of a two-pathway model: RGB frames sampled with the
    /// pathway's own `frames` from the shared window, permuted on its own
    /// in static pairs.
    Pathway,
}

impl InputKind {
    /// `rgb`, `flow` or `pathway`.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Rgb => "rgb",
            InputKind::Flow => "flow",
            InputKind::Pathway => "pathway",
        }
    }
}

/// How a flow input is laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowEncoding {
    /// The colour-wheel image (3 channels in [0, 1]) the AVOS reference
    /// models take: hue is the direction, saturation the magnitude.
    #[default]
    Color,
    /// The flow field itself, 2 channels (u, v) in pixels of the input.
    Uv,
}

/// One input of a model, as `forward` takes it (positionally, in the
/// manifest's order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InputSpec {
    /// Its name (in messages and the pair viewer; a pathway's name is the
    /// stream tag of its layers, e.g. `slow`, `fast`).
    pub name: String,
    /// What it carries.
    pub kind: InputKind,
    /// For flow: colour-wheel image or (u, v).
    pub encoding: FlowEncoding,
    /// Axis order.
    pub layout: InputLayout,
    /// Element type.
    pub dtype: InputDtype,
    /// Frames T of this input.
    pub frames: usize,
    /// Window W of raw frames (shared by all inputs).
    pub window: usize,
    /// Short side after resizing (ignored when `size` is set).
    pub short_side: u32,
    /// Center crop `[h, w]` after resizing.
    pub crop: Option<[u32; 2]>,
    /// Fixed resize `[h, w]` instead of short side + crop.
    pub size: Option<[u32; 2]>,
    /// Per-channel mean (3 values; 2 for `uv` flow, default 0).
    pub mean: Option<Vec<f32>>,
    /// Per-channel standard deviation (3 values; 2 for `uv` flow, default 1).
    pub std: Option<Vec<f32>>,
}

impl Default for InputSpec {
    /// An RGB input with the manifest's defaults.
    fn default() -> Self {
        Self {
            name: "rgb".into(),
            kind: InputKind::Rgb,
            encoding: FlowEncoding::Color,
            layout: InputLayout::Ncthw,
            dtype: InputDtype::Float32,
            frames: 8,
            window: 64,
            short_side: 128,
            crop: Some([112, 112]),
            size: None,
            mean: None,
            std: None,
        }
    }
}

impl InputSpec {
    /// Channels of the tensor: 2 for `uv` flow, else 3.
    pub fn channels(&self) -> usize {
        if self.is_uv() { 2 } else { 3 }
    }

    /// Whether this is a flow input of (u, v) fields.
    pub fn is_uv(&self) -> bool {
        self.kind == InputKind::Flow && self.encoding == FlowEncoding::Uv
    }

    /// The mean subtracted from each channel (float inputs).
    pub fn mean(&self) -> Vec<f32> {
        self.mean.clone().unwrap_or_else(|| {
            if self.is_uv() {
                vec![0.0; 2]
            } else {
                vec![0.45; 3]
            }
        })
    }

    /// The standard deviation each channel is divided by (float inputs).
    pub fn std(&self) -> Vec<f32> {
        self.std.clone().unwrap_or_else(|| {
            if self.is_uv() {
                vec![1.0; 2]
            } else {
                vec![0.225; 3]
            }
        })
    }

    /// Whether each frame goes in as its own batch item (layout `NCHW`): the
    /// model is per frame and each frame of a pair is a row of the estimator.
    pub fn per_frame(&self) -> bool {
        self.layout == InputLayout::Nchw
    }

    /// The (h, w) of the clips this input takes, when fixed by a crop or size.
    pub fn input_hw(&self) -> Option<(u32, u32)> {
        self.size.or(self.crop).map(|[h, w]| (h, w))
    }

    /// Whether two inputs are built the same way from the same frames (the
    /// name and normalization aside: those belong to the model adapter).
    pub fn same_clips(&self, other: &InputSpec) -> bool {
        (
            self.kind,
            self.encoding,
            self.frames,
            self.window,
            self.short_side,
            self.crop,
            self.size,
        ) == (
            other.kind,
            other.encoding,
            other.frames,
            other.window,
            other.short_side,
            other.crop,
            other.size,
        )
    }

    /// Checks one input's values; `what` names it in messages.
    pub fn check(&self, what: &str) -> Result<(), String> {
        if self.frames == 0 {
            return Err(format!("{what}: frames must be at least 1"));
        }
        if self.window == 0 {
            return Err(format!("{what}: window must be at least 1"));
        }
        let c = self.channels();
        for (field, v) in [("mean", self.mean()), ("std", self.std())] {
            if v.len() != c {
                return Err(format!(
                    "{what}: {field} has {} values; this input has {c} channels",
                    v.len()
                ));
            }
            if v.iter().any(|x| !x.is_finite()) || (field == "std" && v.contains(&0.0)) {
                return Err(format!(
                    "{what}: mean must be finite and std finite and non-zero"
                ));
            }
        }
        if let Some([h, w]) = self.size.or(self.crop) {
            if h == 0 || w == 0 {
                return Err(format!("{what}: crop/size must be positive"));
            }
        } else if self.short_side == 0 {
            return Err(format!(
                "{what}: short_side must be positive (or give size)"
            ));
        }
        if self.kind != InputKind::Flow && self.encoding != FlowEncoding::Color {
            return Err(format!(
                "{what}: \"encoding\" is for flow inputs only (this one is {})",
                self.kind.name()
            ));
        }
        if self.dtype == InputDtype::Uint8 && self.is_uv() {
            return Err(format!(
                "{what}: (u, v) flow is float; uint8 input is for images"
            ));
        }
        Ok(())
    }
}

/// Checks that a list of inputs forms a model the pipeline can feed: names
/// unique; either one or more RGB inputs with any flow inputs (a
/// two-stream model: all with the same frames, since flow frame t belongs to
/// RGB frame t) or only pathways (at least two); one shared window; per-frame
/// layout (`NCHW`) on every input or none, and never on pathways.
pub fn check_inputs(inputs: &[InputSpec]) -> Result<(), String> {
    if inputs.is_empty() {
        return Err("\"inputs\" is empty: list at least one input".into());
    }
    for (i, input) in inputs.iter().enumerate() {
        let what = if input.name.is_empty() {
            format!("input {}", i + 1)
        } else {
            format!("input '{}'", input.name)
        };
        if input.name.is_empty() || !super::manifest::tag_ok(&input.name) {
            return Err(format!(
                "{what}: its name must be 1 to 32 lower-case letters, digits, '-' or '_'"
            ));
        }
        if inputs[..i].iter().any(|o| o.name == input.name) {
            return Err(format!("two inputs are named '{}'", input.name));
        }
        input.check(&what)?;
    }
    let count = |k: InputKind| inputs.iter().filter(|i| i.kind == k).count();
    let (rgb, flow, pathways) = (
        count(InputKind::Rgb),
        count(InputKind::Flow),
        count(InputKind::Pathway),
    );
    if pathways > 0 && rgb + flow > 0 {
        return Err(
            "a model's inputs are RGB and flow (two-stream) or pathways (two-pathway), not both"
                .into(),
        );
    }
    if pathways == 1 {
        return Err(
            "a single pathway is an ordinary model: give it kind \"rgb\" (pathways come in two or more)"
                .into(),
        );
    }
    if pathways == 0 && rgb == 0 {
        return Err("a model with flow inputs needs an RGB input too".into());
    }
    let first = &inputs[0];
    if let Some(o) = inputs.iter().find(|i| i.window != first.window) {
        return Err(format!(
            "inputs '{}' and '{}' have windows {} and {}: all inputs sample the same window",
            first.name, o.name, first.window, o.window
        ));
    }
    if pathways == 0
        && let Some(o) = inputs.iter().find(|i| i.frames != first.frames)
    {
        return Err(format!(
            "inputs '{}' and '{}' have {} and {} frames: the flow of frame t goes with \
                 RGB frame t, so two-stream inputs have the same frames",
            first.name, o.name, first.frames, o.frames
        ));
    }
    let per_frame = inputs.iter().filter(|i| i.per_frame()).count();
    if per_frame > 0 && per_frame < inputs.len() {
        return Err(
            "some inputs are per frame (layout NCHW) and some are clips: a model is one or the other"
                .into(),
        );
    }
    if per_frame > 0 && pathways > 0 {
        return Err("pathways are clips: layout NCHW (per frame) is not for them".into());
    }
    Ok(())
}
