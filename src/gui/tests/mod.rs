//! egui_kittest tests of the views (no GPU needed).

mod channels;
mod compare;
mod delta;
mod explain;
mod hidden;
mod layers;
mod opened;
mod pairs;
mod pairs_flow;
mod project;
mod robustness;
#[cfg(feature = "torch")]
mod smoke;
mod stale;
mod training;
mod uncertainty;
