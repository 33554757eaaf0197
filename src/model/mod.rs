//! Running video models and reading their named layer outputs.
//!
//! The contract (DESIGN.md): a TorchScript file whose `forward(x)` returns a
//! `Dict[str, Tensor]` of layer outputs (or a tuple named by the manifest),
//! with a sidecar manifest `<model>.json` describing the input. Layer outputs
//! are pooled to one vector per clip by rank ([`pooling`]). Everything here
//! but `torchscript.rs` is free of tch, so it builds and is tested without
//! libtorch.

mod error;
mod input;
mod input_spec;
mod manifest;
mod maps;
mod pooling;
#[cfg(feature = "torch")]
mod torchscript;

pub use error::ModelError;
pub use input::{InputBatch, InputData, build_input, build_inputs, build_one};
pub use input_spec::{FlowEncoding, InputKind, InputSpec, check_inputs};
pub use manifest::{InputDtype, InputLayout, Manifest};
pub use maps::{LayerMaps, MapKind, MapShape, bilinear};
pub use pooling::{PoolRule, pool_rule};
#[cfg(feature = "torch")]
pub use torchscript::{Device, TorchScriptModel, cuda_devices, set_threads};

use crate::video::Clip;

/// One layer's pooled output for a batch: `n × channels` values, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerOutput {
    /// Layer name (the dict key).
    pub name: String,
    /// Channels C after pooling.
    pub channels: usize,
    /// `n × channels` values.
    pub data: Vec<f32>,
    /// The raw output shape before pooling (for `inspect-model`).
    pub raw_shape: Vec<i64>,
    /// How it was pooled.
    pub rule: PoolRule,
}

/// Something that turns a batch of clips into pooled layer outputs.
pub trait Extractor: Send {
    /// The model's input description.
    fn manifest(&self) -> &Manifest;
    /// Runs the model on `clips` (all of the manifest's size) and returns
    /// every probed layer, in display order. A model of `k` inputs takes
    /// `k` clips per item, item-major (item `i`'s input `j` is
    /// `clips[i · k + j]`); each item gives one row per layer, or T rows
    /// (its frames, in order) for a per-frame model.
    fn extract(&mut self, clips: &[&Clip]) -> Result<Vec<LayerOutput>, ModelError>;
    /// Runs the model on `clips` and returns layer `layer`'s unpooled maps
    /// of `channels`, or of every channel when `channels` is empty (for the
    /// channel inspector; never used for statistics).
    /// A layer whose output has no map is an error naming it and its shape.
    /// The default (for extractors that are not models) says it has none.
    fn maps(
        &mut self,
        clips: &[&Clip],
        layer: &str,
        channels: &[usize],
    ) -> Result<LayerMaps, ModelError> {
        let _ = (clips, channels);
        Err(ModelError::Contract {
            path: self.manifest().name.clone().unwrap_or_default().into(),
            reason: format!("this extractor gives no maps (layer '{layer}')"),
        })
    }
}

#[cfg(test)]
mod tests;
