//! TorchScript models through tch (the only file that imports tch).

/// Number of CUDA devices libtorch sees (0 on a CPU-only machine).
pub fn cuda_devices() -> usize {
    if tch::Cuda::is_available() {
        usize::try_from(tch::Cuda::device_count()).unwrap_or(0)
    } else {
        0
    }
}
