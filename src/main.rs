//! The `stadyn` binary: everything lives in the library; this only hands the
//! command line to [`stadyn::cli::main`].

fn main() -> std::process::ExitCode {
    stadyn::cli::main()
}
