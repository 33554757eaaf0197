//! Running video models. `torchscript.rs` is the only file that imports tch.

mod torchscript;

pub use torchscript::cuda_devices;
