//! Build script: give the binary (and test binaries) an rpath to libtorch, so
//! `stadyn` runs without the user setting `LD_LIBRARY_PATH`.
//!
//! torch-sys declares `links = "tch"` and exports `LIBTORCH_LIB`; cargo hands
//! it to us as `DEP_TCH_LIBTORCH_LIB` because torch-sys is a direct dependency.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if std::env::var_os("CARGO_FEATURE_TORCH").is_none() {
        return;
    }
    match std::env::var("DEP_TCH_LIBTORCH_LIB") {
        Ok(dir) if !dir.is_empty() => {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        }
        _ => println!(
            "cargo:warning=DEP_TCH_LIBTORCH_LIB is not set: the binary gets no rpath to libtorch \
             and will need LD_LIBRARY_PATH"
        ),
    }
}
