//! [`AppState`]: everything the views read. Plot data ([`Derived`]) is
//! recomputed only when the report, τ or the selection changes
//! ([`AppState::refresh`]), never per frame.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::analysis::StatsFile;
use crate::analysis::{Progress, Project};
use crate::figure::{
    ChannelPoint, LayerBar, ModelGroup, TrainingCurve, channel_points, layer_bars, model_groups,
    training_curves,
};
use crate::report::Report;
use crate::stats::UnitReplicates;

use super::action::Tab;
use crate::worker::job::ProjectInfo;

/// The default seconds points glide to a new checkpoint: long enough to
/// follow a channel, shorter than a step of the player at its default rate.
pub const GLIDE_DEFAULT: f32 = 0.8;
/// Shortest and longest glide (seconds; 0 jumps).
pub const GLIDE_RANGE: std::ops::RangeInclusive<f32> = 0.0..=3.0;

/// What the Layers tab shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LayersShow {
    /// The bias bars and category shares.
    #[default]
    Bars,
    /// Each layer's shares against the pairs measured.
    Convergence,
    /// Each layer's shares against the style strength (a sweep's results).
    Strength,
}

impl LayersShow {
    /// Every view, in the order of the switch.
    pub const ALL: [LayersShow; 3] = [Self::Bars, Self::Convergence, Self::Strength];

    /// The switch's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Bars => "Bars",
            Self::Convergence => "Convergence",
            Self::Strength => "Style strength",
        }
    }
}

/// Settings kept between runs (eframe persistence).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Category threshold τ.
    pub tau: f64,
    /// The tab shown.
    pub tab: Tab,
    /// The last project or report opened (reopened at start when no path is given
    /// and it still exists; otherwise the demo).
    pub last_path: Option<PathBuf>,
    /// Playback speed (frames per second).
    pub fps: f32,
    /// Loop playback.
    pub looping: bool,
    /// Show trails of the selected channels when the checkpoint changes.
    pub trails: bool,
    /// Layers: bars lie horizontally (layer names on the y axis).
    pub layers_horizontal: bool,
    /// Layers: one group of bars per checkpoint of the selected model
    /// instead of one per model (the export follows).
    pub layers_by_checkpoint: bool,
    /// Checkpoint player: checkpoints per second.
    pub checkpoint_rate: f32,
    /// Checkpoint player: the last checkpoint wraps to the first.
    pub checkpoint_loop: bool,
    /// Seconds the scatter's points take to glide to a new checkpoint.
    pub glide_secs: f32,
    /// Presenter mode: larger UI, the project panel hidden.
    pub presenter: bool,
    /// Black on white with strong lines.
    pub high_contrast: bool,
    /// Layers: what the tab shows (bars, convergence, style strength).
    pub layers_show: LayersShow,
    /// The project panel is hidden (View menu).
    pub hide_panel: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            tau: 0.5,
            tab: Tab::Layers,
            last_path: None,
            fps: 8.0,
            looping: true,
            trails: true,
            layers_horizontal: true,
            layers_by_checkpoint: false,
            checkpoint_rate: 1.0,
            checkpoint_loop: true,
            glide_secs: GLIDE_DEFAULT,
            presenter: false,
            high_contrast: false,
            layers_show: LayersShow::Bars,
            hide_panel: false,
        }
    }
}

/// What is selected; shared by every view.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    /// Index into [`Derived::groups`].
    pub group: usize,
    /// Position of the checkpoint within the group.
    pub checkpoint: usize,
    /// The selected layer's name.
    pub layer: Option<String>,
    /// Selected channels of that layer.
    pub channels: BTreeSet<usize>,
    /// The two entries (indices into `report.models`) compared.
    pub compare: Option<(usize, usize)>,
    /// The pair shown in the Videos & pairs view.
    pub pair: u64,
}

impl Default for Selection {
    /// The first model at its last checkpoint (the trained network), its
    /// last layer once a report arrives.
    fn default() -> Self {
        Self {
            group: 0,
            checkpoint: usize::MAX,
            layer: None,
            channels: Default::default(),
            compare: None,
            pair: 0,
        }
    }
}

/// Plot data of the current report, selection and τ.
#[derive(Clone, Debug, Default)]
pub struct Derived {
    /// Models and their checkpoints.
    pub groups: Vec<ModelGroup>,
    /// Every layer of every entry, categories at τ.
    pub bars: Vec<LayerBar>,
    /// Scatter points of the selected layer at the selected checkpoint.
    pub points: Vec<ChannelPoint>,
    /// Channels of that layer with an undefined ρ (not plotted).
    pub undefined: usize,
    /// Training curves of the selected model (empty without checkpoints).
    pub curves: Vec<TrainingCurve>,
    /// Changes at every [`AppState::refresh`] (never 0 after one): views key
    /// their cached plot data on it.
    pub generation: u64,
}

/// A generation number no [`Derived`] had before (unique across states).
fn next_generation() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The state of the analysis job.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum JobStatus {
    /// Nothing running.
    #[default]
    Idle,
    /// A job is running.
    Running {
        /// Its id (events of other ids are stale).
        id: u64,
        /// How far it is.
        progress: Progress,
    },
    /// Cancel was asked; waiting for the job to stop.
    Cancelling {
        /// Its id.
        id: u64,
    },
    /// The last job finished (or the results came from the cache).
    Done {
        /// Whether the results came from the cache.
        cached: bool,
    },
    /// The last job failed; the app stays usable.
    Failed(String),
}

/// How serious a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Information (e.g. "results from the cache").
    Info,
    /// A skipped input, a note.
    Warning,
    /// A failed job or a file that cannot be opened.
    Error,
}

/// A message shown in the project panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// How serious.
    pub level: Level,
    /// The text.
    pub text: String,
}

/// An entry (index into `report.models`) and a layer name.
type LayerKey = (usize, String);

/// Everything the views read.
#[derive(Default)]
pub struct AppState {
    /// Persisted settings.
    pub settings: Settings,
    /// The project file, if one is open.
    pub project_path: Option<PathBuf>,
    /// The parsed project (with edits from the panel).
    pub project: Option<Project>,
    /// What the worker found about the project (models, probe set, problems).
    pub project_info: Option<ProjectInfo>,
    /// The report file shown, when a report (not a project) is open.
    pub report_path: Option<PathBuf>,
    /// What the worker is doing besides the job ("Opening …").
    pub busy: Option<String>,
    /// The report shown (final, partial or cached).
    pub report: Option<Arc<Report>>,
    /// The statistics the report was built from, when the app has them (a
    /// finished or cached job, a results folder with its `stats.bin`): the
    /// channel evidence (per-replicate ρ, top windows, pair samples).
    pub stats: Option<Arc<StatsFile>>,
    /// The open request whose statistics are being read: the report shown
    /// came first, its statistics follow (`None` once they are here, or
    /// when none are coming).
    pub stats_awaited: Option<u64>,
    /// The per-replicate ρ of the selected entry's layer, keyed by (entry,
    /// layer), made from `stats` when first needed.
    pub(crate) replicates: Option<(LayerKey, Option<Arc<UnitReplicates>>)>,
    /// Whether `report` is a partial one of the running job.
    pub partial: bool,
    /// A style-strength sweep of these results (`stadyn sweep`), when one
    /// was found beside the report or opened.
    pub sweep: Option<Arc<crate::figure::sweep::Sweep>>,
    /// Plot data.
    pub derived: Derived,
    /// Selection.
    pub selection: Selection,
    /// The job.
    pub job: JobStatus,
    /// Warnings and errors, newest last.
    pub messages: Vec<Message>,
    /// The devices a run can use on this machine, as the worker found them
    /// (`cpu`, `cuda:0`, …; empty until it answers).
    pub devices: Vec<String>,
    /// Plays through the selected model's checkpoints.
    pub checkpoints: crate::gui::checkpoints::CheckpointPlayer,
    /// The player the keys drive.
    pub active_player: crate::gui::checkpoints::ActivePlayer,
}

impl AppState {
    /// Adds a message.
    pub fn message(&mut self, level: Level, text: impl Into<String>) {
        self.messages.push(Message {
            level,
            text: text.into(),
        });
    }

    /// Adds a message unless the log has it already (a warning a job
    /// streamed and its report keeps).
    pub fn message_once(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        if !self.messages.iter().any(|m| m.text == text) {
            self.message(level, text);
        }
    }

    /// "partial: 120 of 400 pairs" when the report shown is of a run that
    /// stopped early, a job still running, or a merge of some shards. While
    /// a job runs its stages, models differ: "partial: 48 of 400 pairs (45
    /// of 46 models so far)".
    pub fn partial_note(&self) -> Option<String> {
        let report = self.report.as_ref()?;
        let p = report.partial?;
        let done: Vec<usize> = report.models.iter().filter_map(|m| m.pairs_done).collect();
        let most = done.iter().copied().max().unwrap_or(p.pairs_done);
        let ahead = done.iter().filter(|&&d| d == most).count();
        Some(if most > p.pairs_done && ahead < report.models.len() {
            format!(
                "partial: {most} of {} pairs ({ahead} of {} models so far)",
                p.pairs_planned,
                report.models.len()
            )
        } else {
            format!("partial: {} of {} pairs", p.pairs_done, p.pairs_planned)
        })
    }

    /// The entry (index into `report.models`) of the selected checkpoint.
    pub fn selected_entry(&self) -> Option<usize> {
        let g = self.derived.groups.get(self.selection.group)?;
        g.entries
            .get(
                self.selection
                    .checkpoint
                    .min(g.entries.len().saturating_sub(1)),
            )
            .copied()
    }

    /// Sets a new report (final, partial or opened) and recomputes the plot
    /// data. Everything the selection points at is looked up again in it:
    /// the compared entries and the selected checkpoint by model name and
    /// checkpoint (a later stage of a job may add entries in front of
    /// them), the layer by name, the channels within the layer's count;
    /// what it no longer has is dropped or falls back to the first model at
    /// its last checkpoint.
    pub fn set_report(&mut self, report: Arc<Report>, partial: bool) {
        self.set_results(report, None, partial);
    }

    /// [`set_report`](Self::set_report) with the statistics it was built
    /// from (`None`: the app does not have them).
    pub fn set_results(
        &mut self,
        report: Arc<Report>,
        stats: Option<Arc<StatsFile>>,
        partial: bool,
    ) {
        let before = self.report.replace(report);
        self.stats = stats;
        self.stats_awaited = None;
        self.replicates = None;
        self.partial = partial;
        self.follow(before.as_deref());
        self.refresh();
    }

    /// The statistics of the report shown, read after it.
    pub fn set_stats(&mut self, stats: Arc<StatsFile>) {
        self.stats = Some(stats);
        self.stats_awaited = None;
        self.replicates = None;
        self.refresh();
    }

    /// What a view that needs the statistics says without them: `why`, or
    /// that they are being read.
    pub fn without_stats(&self, why: &str) -> String {
        if self.stats_awaited.is_some() {
            "Reading the statistics…".into()
        } else {
            why.into()
        }
    }

    /// Shows no report (another project is opening); the selection's entries
    /// are forgotten.
    pub fn clear_report(&mut self) {
        self.report = None;
        self.stats = None;
        self.stats_awaited = None;
        self.sweep = None;
        self.replicates = None;
        self.partial = false;
        self.selection.compare = None;
        self.selection.channels.clear();
        self.refresh();
    }

    /// Points the selection at the entries of the new report that it
    /// pointed at in `before` (see [`Self::set_report`]). [`Derived`] still
    /// describes `before` here.
    fn follow(&mut self, before: Option<&Report>) {
        let Some(now) = self.report.clone() else {
            return;
        };
        let old = |e: usize| before.and_then(|b| b.models.get(e));
        let find = |e: usize| {
            let m = old(e)?;
            now.models
                .iter()
                .position(|n| n.name == m.name && n.checkpoint == m.checkpoint)
        };
        let selected = self.selected_entry();
        let sel = &mut self.selection;
        sel.compare = sel
            .compare
            .and_then(|(a, b)| Some((find(a)?, find(b)?)))
            .filter(|(a, b)| a != b);
        let groups = model_groups(&now);
        let found = selected.and_then(find).and_then(|e| {
            groups
                .iter()
                .enumerate()
                .find_map(|(g, group)| Some((g, group.entries.iter().position(|&x| x == e)?)))
        });
        if let Some((group, checkpoint)) = found {
            (sel.group, sel.checkpoint) = (group, checkpoint);
            return;
        }
        // That checkpoint is gone: the same model if it is there, else the first.
        let name = selected.and_then(old).map(|m| m.name.as_str());
        match groups.iter().position(|g| Some(g.name.as_str()) == name) {
            Some(g) => sel.group = g,
            None => {
                sel.group = 0;
                sel.checkpoint = usize::MAX;
            }
        }
        sel.channels.clear();
    }

    /// Recomputes [`Derived`] from the report, selection and τ; clamps a
    /// selection that no longer applies (a model or layer that is gone).
    pub fn refresh(&mut self) {
        let Some(report) = self.report.clone() else {
            self.derived = Derived {
                generation: next_generation(),
                ..Derived::default()
            };
            return;
        };
        let tau = self.settings.tau;
        let groups = model_groups(&report);
        let sel = &mut self.selection;
        let n = report.models.len();
        sel.compare = sel.compare.filter(|&(a, b)| a < n && b < n && a != b);
        if sel.group >= groups.len() {
            sel.group = 0;
            sel.checkpoint = usize::MAX;
        }
        let group = groups.get(sel.group);
        if let Some(g) = group {
            sel.checkpoint = sel.checkpoint.min(g.entries.len().saturating_sub(1));
        }
        let entry = group.and_then(|g| g.entries.get(sel.checkpoint)).copied();
        let layers = entry.and_then(|e| report.models.get(e)).map(|m| &m.layers);
        let layer = layers.and_then(|ls| {
            sel.layer
                .as_ref()
                .and_then(|name| ls.iter().find(|l| &l.name == name))
                .or_else(|| ls.last())
        });
        if let Some(l) = layer {
            if sel.layer.as_deref() != Some(l.name.as_str()) {
                sel.channels.clear();
            }
            sel.layer = Some(l.name.clone());
            sel.channels.retain(|&c| c < l.channels);
        }
        let (mut points, undefined) = layer.map(|l| channel_points(l, tau)).unwrap_or_default();
        let replicates = entry
            .zip(layer)
            .and_then(|(e, l)| self.layer_replicates(&report, e, &l.name));
        for p in &mut points {
            // The report's stability is at its threshold; at another τ it
            // needs the replicates.
            p.stability = match &replicates {
                Some(r) => r.stability(p.channel, p.category, tau),
                None if tau == report.settings.threshold => p.stability,
                None => None,
            };
        }
        let curves = group
            .filter(|g| g.entries.len() > 1)
            .map(|g| training_curves(&report, g))
            .unwrap_or_default();
        self.derived = Derived {
            bars: layer_bars(&report, tau),
            groups,
            points,
            undefined,
            curves,
            generation: next_generation(),
        };
    }

    /// The per-replicate ρ of `entry`'s layer `layer` from the statistics
    /// (cached per entry and layer).
    fn layer_replicates(
        &mut self,
        report: &Report,
        entry: usize,
        layer: &str,
    ) -> Option<Arc<UnitReplicates>> {
        let key = (entry, layer.to_string());
        if let Some((k, r)) = &self.replicates
            && *k == key
        {
            return r.clone();
        }
        let made = self.replicates_of(report, entry, layer).map(Arc::new);
        self.replicates = Some((key, made.clone()));
        made
    }

    /// The per-replicate ρ of `entry`'s layer `layer` from the statistics
    /// (`None` without them or without per-channel replicates); not cached.
    pub fn replicates_of(
        &self,
        report: &Report,
        entry: usize,
        layer: &str,
    ) -> Option<UnitReplicates> {
        let m = report.models.get(entry)?;
        self.stats
            .as_ref()?
            .models
            .iter()
            .find(|x| x.name == m.name && x.checkpoint == m.checkpoint)?
            .layers
            .iter()
            .find(|l| l.name() == layer)?
            .unit_replicates()
    }
}
