//! TorchScript models through tch — the only file that imports tch.

use super::{
    Extractor, InputBatch, InputData, LayerMaps, LayerOutput, Manifest, MapKind, MapShape,
    ModelError, build_inputs, pool_rule,
};
use crate::video::Clip;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use tch::{CModule, IValue, Kind, Tensor};

/// Where to run a model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Device {
    /// CUDA when libtorch sees a GPU, else CPU.
    #[default]
    Auto,
    /// The CPU.
    Cpu,
    /// CUDA device `i`.
    Cuda(usize),
}

impl FromStr for Device {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Device::Auto),
            "cpu" => Ok(Device::Cpu),
            "cuda" => Ok(Device::Cuda(0)),
            _ => s
                .strip_prefix("cuda:")
                .and_then(|i| i.parse().ok())
                .map(Device::Cuda)
                .ok_or_else(|| format!("unknown device '{s}': use auto, cpu, cuda or cuda:N")),
        }
    }
}

impl Device {
    fn resolve(self) -> Result<tch::Device, String> {
        match self {
            Device::Auto => Ok(tch::Device::cuda_if_available()),
            Device::Cpu => Ok(tch::Device::Cpu),
            Device::Cuda(i) => {
                if cuda_devices() > i {
                    Ok(tch::Device::Cuda(i))
                } else {
                    Err(format!(
                        "CUDA device {i} requested but libtorch sees {} CUDA device(s)",
                        cuda_devices()
                    ))
                }
            }
        }
    }
}

/// Number of CUDA devices libtorch sees (0 on a CPU-only machine).
pub fn cuda_devices() -> usize {
    if tch::Cuda::is_available() {
        usize::try_from(tch::Cuda::device_count()).unwrap_or(0)
    } else {
        0
    }
}

/// Sets libtorch's intra-op threads (process-wide; only the first call counts).
pub fn set_threads(threads: Option<usize>) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let n = threads
            .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
            .unwrap_or(1);
        tch::set_num_threads(i32::try_from(n).unwrap_or(1));
    });
}

/// A TorchScript model on a device, in eval mode.
pub struct TorchScriptModel {
    path: PathBuf,
    module: CModule,
    device: tch::Device,
    manifest: Manifest,
}

/// The gist of a libtorch message: its tracebacks are long, and the error
/// itself is the last line (e.g. "RuntimeError: shape '[2, 3072]' is invalid").
fn short(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("frame #") && !l.starts_with("Exception raised from")
        })
        .collect();
    match lines
        .iter()
        .rev()
        .find(|l| l.contains("Error") || l.contains("error"))
    {
        Some(last) => last.to_string(),
        None => lines.last().copied().unwrap_or("unknown error").to_string(),
    }
}

impl TorchScriptModel {
    /// Loads `path` on `device` with `manifest`.
    pub fn load(path: &Path, manifest: Manifest, device: Device) -> Result<Self, ModelError> {
        let load_err = |reason: String| ModelError::Load {
            path: path.to_path_buf(),
            reason,
        };
        if !path.is_file() {
            return Err(load_err("no such file".into()));
        }
        let device = device.resolve().map_err(load_err)?;
        let mut module = CModule::load_on_device(path, device)
            .map_err(|e| load_err(format!("not a TorchScript file ({})", short(&e))))?;
        module.set_eval();
        Ok(Self {
            path: path.to_path_buf(),
            module,
            device,
            manifest,
        })
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// "cpu" or "cuda:0".
    pub fn device_name(&self) -> String {
        match self.device {
            tch::Device::Cuda(i) => format!("cuda:{i}"),
            _ => "cpu".to_string(),
        }
    }

    fn contract(&self, reason: String) -> ModelError {
        ModelError::Contract {
            path: self.path.clone(),
            reason,
        }
    }

    /// A tensor's values as `f32` on the CPU; any NaN or Inf is an error
    /// naming the layer.
    fn read_finite(&self, name: &str, t: &Tensor) -> Result<Vec<f32>, ModelError> {
        let data = t
            .f_to_kind(Kind::Float)
            .and_then(|x| x.f_to_device(tch::Device::Cpu))
            .and_then(|x| x.f_contiguous())
            .and_then(|x| Vec::<f32>::try_from(&x.flatten(0, -1)))
            .map_err(|e| self.contract(format!("cannot read output '{name}': {}", short(&e))))?;
        let bad = data.iter().filter(|v| !v.is_finite()).count();
        if bad > 0 {
            return Err(ModelError::NonFinite {
                path: self.path.clone(),
                layer: name.to_string(),
                count: bad,
                total: data.len(),
            });
        }
        Ok(data)
    }

    /// Builds the inputs of `clips` (item-major, a clip per input) and runs
    /// forward without gradients.
    fn run(&self, clips: &[&Clip]) -> Result<Vec<(String, Tensor)>, ModelError> {
        let inputs = build_inputs(clips, &self.manifest).map_err(|reason| ModelError::Input {
            path: self.path.clone(),
            reason,
        })?;
        let _guard = tch::no_grad_guard();
        self.forward(&inputs)
    }

    /// Rows of output per batch of `clips`: items times the rows per member
    /// (T for a per-frame model).
    fn rows(&self, clips: &[&Clip]) -> usize {
        let k = self.manifest.inputs().len().max(1);
        clips.len() / k * self.manifest.rows_per_member()
    }

    fn to_tensor(&self, input: &InputBatch) -> Result<Tensor, ModelError> {
        let t = match &input.data {
            InputData::F32(v) => Tensor::f_from_slice(v),
            InputData::U8(v) => Tensor::f_from_slice(v),
        }
        .and_then(|t| t.f_reshape(input.shape.as_slice()))
        .and_then(|t| t.f_to_device(self.device));
        t.map_err(|e| ModelError::Input {
            path: self.path.clone(),
            reason: short(&e),
        })
    }

    /// Runs forward on the inputs (positionally) and returns the named
    /// outputs in the model's order.
    fn forward(&self, inputs: &[InputBatch]) -> Result<Vec<(String, Tensor)>, ModelError> {
        let xs = inputs
            .iter()
            .map(|i| self.to_tensor(i).map(IValue::Tensor))
            .collect::<Result<Vec<_>, _>>()?;
        let out = self
            .module
            .forward_is(&xs)
            .map_err(|e| ModelError::Forward {
                path: self.path.clone(),
                input: inputs
                    .iter()
                    .map(InputBatch::describe)
                    .collect::<Vec<_>>()
                    .join(" + "),
                reason: short(&e),
            })?;
        let expect = "expected Dict[str, Tensor] of layer outputs (tools/export_model.py writes such models)";
        match out {
            IValue::GenericDict(items) => items
                .into_iter()
                .map(|(k, v)| match (k, v) {
                    (IValue::String(name), IValue::Tensor(t)) => Ok((name, t)),
                    (IValue::String(name), other) => Err(self.contract(format!(
                        "output '{name}' is a {}, not a tensor",
                        ivalue_kind(&other)
                    ))),
                    (other, _) => Err(self.contract(format!(
                        "a dict key is a {}, not a string",
                        ivalue_kind(&other)
                    ))),
                })
                .collect(),
            IValue::Tuple(items) | IValue::GenericList(items) => {
                let names = &self.manifest.outputs;
                if names.len() != items.len() {
                    return Err(self.contract(format!(
                        "returned a tuple of {} values but the manifest's \"outputs\" names {}; {expect}, or list the tuple's names in \"outputs\"",
                        items.len(),
                        names.len()
                    )));
                }
                names
                    .iter()
                    .zip(items)
                    .map(|(name, v)| match v {
                        IValue::Tensor(t) => Ok((name.clone(), t)),
                        other => Err(self
                            .contract(format!("tuple item '{name}' is a {}", ivalue_kind(&other)))),
                    })
                    .collect()
            }
            IValue::Tensor(t) => Err(self.contract(format!(
                "returned a single tensor of shape {:?}; {expect}",
                t.size()
            ))),
            other => Err(self.contract(format!("returned a {}; {expect}", ivalue_kind(&other)))),
        }
    }

    fn pool(&self, name: String, t: &Tensor, n: usize) -> Result<LayerOutput, ModelError> {
        let shape = t.size();
        if shape.first().copied() != Some(n as i64) {
            return Err(self.contract(format!(
                "output '{name}' has shape {shape:?}; its first axis must be the batch ({n})"
            )));
        }
        let rule = pool_rule(&name, &shape, &self.manifest).map_err(|r| self.contract(r))?;
        let pooled = if rule.dims().is_empty() {
            t.f_to_kind(Kind::Float)
        } else {
            t.f_mean_dim(rule.dims(), false, Kind::Float)
        }
        .map_err(|e| self.contract(format!("cannot pool output '{name}': {}", short(&e))))?;
        let channels = pooled.size().get(1).copied().unwrap_or(0) as usize;
        let data = self.read_finite(&name, &pooled)?;
        Ok(LayerOutput {
            name,
            channels,
            data,
            raw_shape: shape,
            rule,
        })
    }
}

impl TorchScriptModel {
    /// Channels `channels` of one raw output as `N × K × T' × H' × W'` on the CPU.
    fn select_maps(
        &self,
        name: &str,
        t: &Tensor,
        n: usize,
        channels: &[usize],
    ) -> Result<LayerMaps, ModelError> {
        let raw = t.size();
        if raw.first().copied() != Some(n as i64) {
            return Err(self.contract(format!(
                "output '{name}' has shape {raw:?}; its first axis must be the batch ({n})"
            )));
        }
        let shape = MapShape::of(name, &raw, &self.manifest, self.manifest.frames)
            .map_err(|r| self.contract(r))?;
        if let Some(&bad) = channels.iter().find(|&&c| c >= shape.channels) {
            return Err(self.contract(format!(
                "layer '{name}' has {} channels; there is no channel {bad}",
                shape.channels
            )));
        }
        let channels: Vec<usize> = if channels.is_empty() {
            (0..shape.channels).collect()
        } else {
            channels.to_vec()
        };
        let idx: Vec<i64> = channels.iter().map(|&c| c as i64).collect();
        let [gt, gh, gw] = shape.grid.map(|d| d as i64);
        let k = idx.len() as i64;
        let selected = Tensor::f_from_slice(&idx)
            .and_then(|i| i.f_to_device(t.device()))
            .and_then(|i| match shape.kind {
                MapKind::Volume | MapKind::PerFrame => t.f_index_select(1, &i),
                MapKind::Tokens { class_token } => {
                    let skip = i64::from(class_token);
                    t.f_narrow(1, skip, gt * gh * gw)
                        .and_then(|x| x.f_index_select(2, &i))
                        .and_then(|x| x.f_permute([0, 2, 1]))
                }
            })
            .and_then(|x| x.f_reshape([n as i64, k, gt, gh, gw]))
            .map_err(|e| self.contract(format!("cannot read maps of '{name}': {}", short(&e))))?;
        let data = self.read_finite(name, &selected)?;
        Ok(LayerMaps {
            frame_rows: self.manifest.rows_per_member() > 1,
            layer: name.to_string(),
            channels,
            clips: n,
            shape,
            data,
        })
    }
}

impl TorchScriptModel {
    /// A per-frame model's `(n · T) × C × H × W` output as the volume
    /// `n × C × T × H × W` of each item's frames.
    fn frames_as_volume(
        &self,
        name: &str,
        t: &Tensor,
        items: usize,
        frames: usize,
    ) -> Result<Tensor, ModelError> {
        let raw = t.size();
        if raw.len() != 4 || raw[0] != (items * frames) as i64 {
            return Err(self.contract(format!(
                "layer '{name}' of a per-frame model has shape {raw:?}, which has no map: \
                 maps need ({items}·{frames})×C×H×W"
            )));
        }
        t.f_reshape([items as i64, frames as i64, raw[1], raw[2], raw[3]])
            .and_then(|x| x.f_permute([0, 2, 1, 3, 4]))
            .map_err(|e| self.contract(format!("cannot read maps of '{name}': {}", short(&e))))
    }
}

fn ivalue_kind(v: &IValue) -> &'static str {
    match v {
        IValue::None => "None",
        IValue::Tensor(_) => "Tensor",
        IValue::Double(_) => "float",
        IValue::Int(_) => "int",
        IValue::Bool(_) => "bool",
        IValue::Tuple(_) => "tuple",
        IValue::String(_) => "string",
        IValue::GenericDict(_) => "dict",
        IValue::GenericList(_) | IValue::TensorList(_) => "list",
        _ => "value of another type",
    }
}

impl Extractor for TorchScriptModel {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn extract(&mut self, clips: &[&Clip]) -> Result<Vec<LayerOutput>, ModelError> {
        let outputs = self.run(clips)?;
        let n = self.rows(clips);
        let mut layers = Vec::new();
        if self.manifest.layers.is_empty() {
            for (name, t) in outputs {
                if self.manifest.probes(&name) {
                    layers.push(self.pool(name, &t, n)?);
                }
            }
        } else {
            let mut outputs: Vec<Option<(String, Tensor)>> =
                outputs.into_iter().map(Some).collect();
            for wanted in &self.manifest.layers {
                let found = outputs
                    .iter_mut()
                    .find(|o| o.as_ref().is_some_and(|(k, _)| k == wanted));
                let Some((name, t)) = found.and_then(Option::take) else {
                    return Err(self.contract(format!(
                        "the manifest lists layer '{wanted}' but the model did not return it"
                    )));
                };
                layers.push(self.pool(name, &t, n)?);
            }
        }
        if layers.is_empty() {
            return Err(
                self.contract("no layer outputs to probe (every output is in \"ignore\")".into())
            );
        }
        Ok(layers)
    }

    fn maps(
        &mut self,
        clips: &[&Clip],
        layer: &str,
        channels: &[usize],
    ) -> Result<LayerMaps, ModelError> {
        let outputs = self.run(clips)?;
        let Some((name, t)) = outputs.into_iter().find(|(k, _)| k == layer) else {
            return Err(self.contract(format!("the model did not return layer '{layer}'")));
        };
        let items = clips.len() / self.manifest.inputs().len().max(1);
        let frames = self.manifest.rows_per_member();
        if frames > 1 {
            // A per-frame model: its items' frames stack into volumes.
            let t = self.frames_as_volume(&name, &t, items, frames)?;
            return self.select_maps(&name, &t, items, channels);
        }
        self.select_maps(&name, &t, items, channels)
    }
}
