//! The app's background threads: the analysis job ([`job`]) and pair
//! loading for the scrubber ([`pairs`]). Commands go in and events come out
//! over bounded crossbeam channels; a [`Waker`] (in the app:
//! `egui::Context::request_repaint`) is called after each event, so nothing
//! here depends on egui and the UI thread never waits.

pub mod job;
pub mod maps;
pub mod pairs;

use std::sync::Arc;

/// Called after every event sent to the UI, from the worker's thread.
pub type Waker = Arc<dyn Fn() + Send + Sync>;
