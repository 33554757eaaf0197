//! Integration tests: one binary, so it links once.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[cfg(feature = "torch")]
mod analyze;
#[cfg(feature = "torch")]
mod channels;
mod compare;
#[cfg(feature = "torch")]
mod demo;
mod estimate_cli;
#[cfg(feature = "torch")]
mod faults;
mod fuzz;
#[cfg(feature = "torch")]
mod maps;
#[cfg(feature = "torch")]
mod model;
mod numpy_reference;
mod pairs_flow;
#[cfg(feature = "torch")]
mod signals;
#[cfg(feature = "torch")]
mod streams;
#[cfg(feature = "torch")]
mod sweep;
mod util;
