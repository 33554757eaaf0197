//! Errors of the model room, each naming the model file.

use std::path::PathBuf;
use thiserror::Error;

/// Why a model could not be loaded or run, or broke the contract.
#[derive(Debug, Error)]
pub enum ModelError {
    /// The file could not be read or is not TorchScript.
    #[error("cannot load model '{path}': {reason}")]
    Load {
        /// Model file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The manifest is unreadable or inconsistent.
    #[error("model manifest '{path}': {reason}")]
    Manifest {
        /// Manifest file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `forward` failed on the manifest's input.
    #[error("model '{path}': forward failed on input {input}: {reason}")]
    Forward {
        /// Model file.
        path: PathBuf,
        /// The input's shape and type.
        input: String,
        /// libtorch's message (first lines).
        reason: String,
    },
    /// The model returned something other than named layer outputs.
    #[error("model '{path}' breaks the output contract: {reason}")]
    Contract {
        /// Model file.
        path: PathBuf,
        /// What it returned and what was expected.
        reason: String,
    },
    /// A layer's output has NaN or Inf values.
    #[error(
        "model '{path}': layer '{layer}' output contains NaN or Inf ({count} of {total} values)"
    )]
    NonFinite {
        /// Model file.
        path: PathBuf,
        /// Layer name.
        layer: String,
        /// Non-finite values.
        count: usize,
        /// All values.
        total: usize,
    },
    /// The clips do not match each other or the manifest.
    #[error("bad input for model '{path}': {reason}")]
    Input {
        /// Model file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}
