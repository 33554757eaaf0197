//! [`Action`]: what the views ask for. Views read the state and return
//! actions; the app applies them after the UI pass (STYLE.md), so no view
//! mutates shared state while others are drawing it.

use std::path::PathBuf;

/// The views of the central area (also the tab names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Tab {
    /// Videos & pairs: the scrubber.
    Pairs,
    /// Layer bars.
    Layers,
    /// Channel scatter.
    Channels,
    /// Training curves.
    Training,
    /// Two models or checkpoints side by side.
    Compare,
}

impl Tab {
    /// Every tab, in display order.
    pub const ALL: [Tab; 5] = [
        Tab::Layers,
        Tab::Channels,
        Tab::Training,
        Tab::Pairs,
        Tab::Compare,
    ];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Pairs => "Videos & pairs",
            Tab::Layers => "Layers",
            Tab::Channels => "Channels",
            Tab::Training => "Training",
            Tab::Compare => "Compare",
        }
    }
}

/// How a channel selection combines with the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectMode {
    /// Replace the selection.
    Replace,
    /// Add to it (shift).
    Add,
    /// Toggle each channel (ctrl/cmd).
    Toggle,
}

/// What to export from a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// The figure as PNG.
    Png,
    /// The figure as SVG.
    Svg,
    /// The numbers plotted, as CSV.
    Csv,
}

/// Which file dialog to open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenKind {
    /// A project file (`*.stadyn.toml`).
    Project,
    /// A report (`report.json`).
    Report,
    /// One TorchScript model (added to the project).
    Model,
    /// A folder of checkpoints (added to the project as one model).
    Checkpoints,
    /// A probe-set folder (replaces the project's).
    Probe,
    /// A style-strength sweep's folder (`stadyn sweep --out`), shown beside
    /// the results.
    Sweep,
}

/// An edit of the project's advanced settings (the panel's "Advanced").
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ProjectEdit {
    /// Bootstrap replicates.
    Bootstrap(usize),
    /// Window W (`None`: the manifests').
    Window(Option<usize>),
    /// The probe layout (`None`: detected).
    Layout(Option<crate::video::Layout>),
    /// Pairs per batch (0: sized to memory).
    Batch(usize),
    /// libtorch threads (`None`: every core).
    Threads(Option<usize>),
}

/// A change the user asked for; applied by the app after the UI pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Show a native file dialog of this kind (the app runs it).
    OpenDialog(OpenKind),
    /// Open a project file.
    OpenProject(PathBuf),
    /// Open a report file (read-only: no Run).
    OpenReport(PathBuf),
    /// Add a TorchScript model file to the project.
    AddModel(PathBuf),
    /// Add a checkpoint folder to the project as one model.
    AddCheckpoints(PathBuf),
    /// Use this probe-set folder.
    SetProbe(PathBuf),
    /// Number of pairs.
    SetPairs(usize),
    /// Frames T (`None`: the manifests').
    SetFrames(Option<usize>),
    /// Seed of the pair plan.
    SetSeed(u64),
    /// Built-in styles (empty: all).
    SetStyles(Vec<String>),
    /// The device runs use (`auto`, `cpu`, `cuda:N`).
    SetDevice(String),
    /// One of the project's advanced settings.
    EditProject(ProjectEdit),
    /// Save the project to its file (`as_new`, or without a file: ask where).
    SaveProject {
        /// Ask for a new file.
        as_new: bool,
    },
    /// Start the analysis of the current project.
    Run,
    /// Cancel the running job.
    Cancel,
    /// The category threshold τ (re-buckets at once; no recomputation).
    SetTau(f64),
    /// Show this tab.
    ShowTab(Tab),
    /// Select a model group (index into the derived groups).
    SelectModel(usize),
    /// Select a checkpoint of the selected model (position in its group).
    SelectCheckpoint(usize),
    /// Select a layer by name (every view follows).
    SelectLayer(String),
    /// Select channels of the selected layer.
    SelectChannels {
        /// The channels.
        channels: Vec<usize>,
        /// How they combine with the current selection.
        mode: SelectMode,
    },
    /// Clear the channel selection.
    ClearChannels,
    /// The two entries (indices into `report.models`) the Compare view shows.
    SetCompare(usize, usize),
    /// Show pair `id` of the plan in the Videos & pairs view.
    ShowPair(u64),
    /// Write the files of channel `c` of the selected layer and entry (as
    /// `stadyn channels` does; asks where).
    ExportChannel(usize),
    /// Write what the channel panel shows (a figure or the player's frames;
    /// asks where).
    ExportPanel(std::sync::Arc<crate::gui::views::channel_panel::snapshot::PanelSnapshot>),
    /// Write the shown pair for a slide (a strip figure or a captioned
    /// movie; asks where; built and written on the exporter's thread).
    ExportPair {
        /// The pair.
        pair: std::sync::Arc<crate::worker::pairs::PairFrames>,
        /// What to write.
        file: crate::gui::views::channel_panel::snapshot::PanelFile,
        /// Frames per second of a movie.
        fps: f32,
    },
    /// Write B − A against a baseline: the table as CSV, the chart as SVG
    /// and PNG beside it (asks where).
    ExportDeltas {
        /// The rows.
        rows: std::sync::Arc<Vec<crate::compare::DeltaRow>>,
        /// The baseline's name (`MODEL@EPOCH`).
        baseline: String,
    },
    /// Write the selected channels of the selected layer and entry as a
    /// selection file (`stadyn.channels/1`; asks where).
    ExportSelection,
    /// Playback speed (frames per second) and looping of the Videos & pairs view (persisted).
    SetPlayback {
        /// Frames per second.
        fps: f32,
        /// Whether the end wraps to the start.
        looping: bool,
    },
    /// Play, pause or step the checkpoint player.
    Checkpoints(crate::gui::checkpoints::PlayerCmd),
    /// The checkpoint player's rate (checkpoints per second), looping, and
    /// how long the scatter's points glide to a new checkpoint (persisted).
    SetCheckpointPlayback {
        /// Checkpoints per second.
        rate: f32,
        /// Whether the last checkpoint wraps to the first.
        looping: bool,
        /// Seconds the points take to move.
        glide: f32,
    },
    /// Presenter mode on or off (`settings.presenter`).
    SetPresenter(bool),
    /// The high-contrast look on or off (`settings.high_contrast`).
    SetHighContrast(bool),
    /// Hide or show the project panel (`settings.hide_panel`).
    SetHidePanel(bool),
    /// The player the keys drive from now on (the one clicked last).
    ActivatePlayer(crate::gui::checkpoints::ActivePlayer),
    /// Export the figure or numbers of a tab to a file (asks for the path).
    Export {
        /// Which view.
        tab: Tab,
        /// What to write.
        format: ExportFormat,
    },
    /// Dismiss the message at this index of the log.
    DismissMessage(usize),
    /// Show (or hide) the trails of the selected channels across checkpoints
    /// in the Channels view (`settings.trails`).
    SetTrails(bool),
    /// Lay the Layers bars horizontally or vertically
    /// (`settings.layers_horizontal`).
    SetLayersHorizontal(bool),
    /// What the Layers tab shows (`settings.layers_show`).
    SetLayersShow(crate::gui::state::LayersShow),
    /// Shows the sweep in this folder beside the results.
    OpenSweep(std::path::PathBuf),
    /// Group the Layers bars by checkpoint of the selected model (or by
    /// model) (`settings.layers_by_checkpoint`).
    SetLayersByCheckpoint(bool),
}
