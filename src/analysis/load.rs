//! Loading a job's models as TorchScript (feature `torch`): the loader that
//! `stadyn analyze` and the GUI worker hand to [`super::run_job`].

use super::ModelSpec;
use crate::model::{Device, Extractor, Manifest, ModelError, TorchScriptModel};

/// Loads one model of a job on `device`: its manifest (defaults when it has
/// none), the spec's layers over the manifest's, the TorchScript module.
/// Returns the model and a warning to show (a missing manifest).
pub fn load_torchscript(
    m: &ModelSpec,
    device: Device,
) -> Result<(Box<dyn Extractor>, Option<String>), ModelError> {
    let (mut manifest, warning) = Manifest::for_model(&m.path)?;
    if !m.layers.is_empty() {
        manifest.layers = m.layers.clone();
    }
    Ok((
        Box::new(TorchScriptModel::load(&m.path, manifest, device)?),
        warning,
    ))
}
