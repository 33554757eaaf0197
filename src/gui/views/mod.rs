//! One struct per view, each with its own UI state and
//! `ui(&mut self, ui, &AppState, &mut Vec<Action>)`: views read the state and
//! emit actions, never mutate shared state.

pub(crate) mod baseline;
pub(crate) mod channel_panel;
pub(crate) mod channels;
pub(crate) mod compare;
pub(crate) mod explain;
pub(crate) mod layers;
pub(crate) mod multiples;
pub(crate) mod pairs;
mod plot_arrows;
pub(crate) mod plot_bars;
pub(crate) mod plot_categories;
pub(crate) mod plot_common;
mod plot_dots;
pub(crate) mod plot_scatter;
pub(crate) mod plot_stack;
pub(crate) mod plot_table;
pub(crate) mod project;
pub(crate) mod robustness;
mod scrubber;
pub(crate) mod tour;
pub(crate) mod training;

pub use channels::ChannelsView;
pub use compare::CompareView;
pub use layers::LayersView;
pub use pairs::PairsView;
pub use project::ProjectView;
pub use training::TrainingView;

/// All the views of the app.
#[derive(Default)]
pub struct Views {
    /// Left panel.
    pub project: ProjectView,
    /// Videos & pairs tab.
    pub pairs: PairsView,
    /// Layers tab.
    pub layers: LayersView,
    /// Channels tab.
    pub channels: ChannelsView,
    /// Training tab.
    pub training: TrainingView,
    /// Compare tab.
    pub compare: CompareView,
    /// The "?" panel of the tab shown.
    pub explain: explain::Explain,
    /// The guided tour of the demo.
    pub tour: tour::Tour,
}
