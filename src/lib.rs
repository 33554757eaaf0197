//! stadyn measures and shows how much static (appearance) and dynamic
//! (motion) information a video model encodes, layer by layer and channel by
//! channel (Kowal et al., arXiv 2211.01783).
//!
//! Rooms (see ARCHITECTURE.md): [`stats`] is the estimator; [`npz`] reads
//! activations saved by NumPy; [`report`] is the versioned report;
//! [`analysis`] runs jobs; [`export`] writes CSVs; [`figure`] draws;
//! [`files`] is the ground floor (atomic writes); [`fuzz`] tests the parsers;
//! [`cli`] is the headless face; `gui` the desktop app.

pub mod analysis;
pub mod cli;
pub mod compare;
pub mod export;
pub mod figure;
pub mod files;
pub mod fuzz;
#[cfg(feature = "gui")]
pub mod gui;
pub mod hash;
pub mod inspect;
pub mod launch;
pub mod model;
pub mod npz;
pub mod pairs;
pub mod report;
pub mod stats;
pub mod testing;
pub mod video;
#[cfg(feature = "gui")]
pub mod worker;
