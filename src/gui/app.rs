//! [`StadynApp`]: the frame loop — drain the worker's replies, draw the
//! panel and the tab, apply the actions the views returned.

mod events;
mod exports;
mod files;
mod from_report;
mod players;
mod presenter;
mod save;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::action::{Action, ExportFormat, ProjectEdit, SelectMode, Tab};
use super::export::Exporter;
use super::state::{AppState, GLIDE_RANGE, JobStatus, Level, Settings};
use super::views::Views;
use crate::analysis::{EstimatorSettings, ModelEntry, ProbeSpec, Progress, Project, RunSettings};
use crate::worker::Waker;
use crate::worker::job::{JobWorker, RequestId};

/// The key of the persisted [`Settings`].
const SETTINGS_KEY: &str = "stadyn.settings";

/// A project or report being opened.
#[derive(Clone, Copy, Debug)]
struct Opening {
    id: RequestId,
    /// Run it when the cache has no results (the demo: a first-time user
    /// sees results within seconds).
    autorun: bool,
}

/// Asks where to save an export: (file stem, extension, a file to start
/// near) → the path, `None` when the user cancels.
type SavePicker = Box<dyn Fn(&str, &str, Option<&Path>) -> Result<Option<PathBuf>, String>>;

/// The desktop app.
pub struct StadynApp {
    /// What the views read.
    pub state: AppState,
    views: Views,
    worker: JobWorker,
    /// The open request waited for.
    opening: Option<Opening>,
    /// The latest re-inspection of the edited project.
    inspecting: Option<RequestId>,
    /// The window title last sent.
    title: String,
    /// Writes exported figures and tables.
    exporter: Exporter,
    /// Wakes the UI from background threads.
    waker: Waker,
    /// The job whose first partial results were announced on stderr.
    announced: Option<RequestId>,
    /// The native save dialog (tests answer in its place).
    pick_save: SavePicker,
}

impl StadynApp {
    /// The app as eframe creates it: persisted settings restored; opens
    /// `path` (a project or report), else the last one opened if it still
    /// exists, else the demo project.
    pub fn new(cc: &eframe::CreationContext<'_>, path: Option<PathBuf>) -> Self {
        let settings: Settings = cc
            .storage
            .and_then(|s| eframe::get_value(s, SETTINGS_KEY))
            .unwrap_or_default();
        let ctx = cc.egui_ctx.clone();
        let waker: Waker = Arc::new(move || ctx.request_repaint());
        let worker = JobWorker::new(waker.clone());
        let start = path
            .or_else(|| settings.last_path.clone().filter(|p| p.exists()))
            .or_else(files::demo_project);
        let mut app = Self::with_worker(settings, worker);
        app.waker = waker;
        match start {
            Some(p) => app.open(p),
            None => app.state.message(
                Level::Warning,
                "The demo project (sample_data/demo.stadyn.toml) was not found: open a project or a report.",
            ),
        }
        app
    }

    /// The app with `settings`, opening `path` if given (tests build it
    /// this way, without eframe: the worker wakes nobody, and nothing opens
    /// by itself).
    pub fn with_settings(settings: Settings, path: Option<PathBuf>) -> Self {
        let mut app = Self::with_worker(settings, JobWorker::new(Arc::new(|| {})));
        if let Some(p) = path {
            app.open(p);
        }
        app
    }

    fn with_worker(settings: Settings, worker: JobWorker) -> Self {
        Self {
            state: AppState {
                settings,
                ..AppState::default()
            },
            views: Views::default(),
            worker,
            opening: None,
            inspecting: None,
            title: String::new(),
            exporter: Exporter::default(),
            waker: Arc::new(|| {}),
            announced: None,
            pick_save: Box::new(files::pick_save),
        }
    }

    /// Whether runs read and write the result cache (default: yes; tests
    /// turn it off).
    pub fn set_use_cache(&mut self, on: bool) {
        self.worker.set_use_cache(on);
    }

    /// Answers save dialogs with `picker` instead of the native dialog.
    #[cfg(test)]
    pub(crate) fn set_save_picker(&mut self, picker: SavePicker) {
        self.pick_save = picker;
    }

    /// Applies what the background threads sent: the worker's replies and
    /// finished exports. eframe calls it through [`eframe::App::logic`]
    /// before every frame and also while the window is hidden (minimized:
    /// no frames are painted, but the waker's repaint requests still call
    /// `logic`), so a job never waits on a full reply queue for the window
    /// to be shown again.
    pub fn poll(&mut self) {
        while let Some(reply) = self.worker.try_recv() {
            self.on_reply(reply);
        }
        while let Some(done) = self.exporter.poll() {
            match done {
                Ok(path) => self
                    .state
                    .message(Level::Info, format!("Exported {}", path.display())),
                Err(e) => self
                    .state
                    .message(Level::Error, format!("Export failed: {e}")),
            }
        }
    }

    /// One frame of the app inside `ui`. It polls first (a no-op after
    /// eframe's `logic`), so a kittest harness, which calls only this, sees
    /// the replies too.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.poll();
        let title = self.window_title();
        if title != self.title {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        self.apply_presentation(ui.ctx());
        self.drive_checkpoints(ui.ctx());
        let mut actions = Vec::new();
        if !self.state.settings.presenter && !self.state.settings.hide_panel {
            egui::Panel::left("project")
                .resizable(true)
                .default_size(320.0)
                .show(ui, |ui| {
                    self.views.project.ui(ui, &self.state, &mut actions);
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            // Wrapping: on a narrow window the exports go to a second line
            // rather than over the tabs.
            ui.horizontal_wrapped(|ui| {
                for tab in Tab::ALL {
                    if ui
                        .selectable_label(self.state.settings.tab == tab, tab.label())
                        .clicked()
                    {
                        actions.push(Action::ShowTab(tab));
                    }
                }
                self.views.explain.button(ui);
                self.tour_button(ui, &mut actions);
                ui.separator();
                self.presenter_ui(ui, &mut actions);
                let tab = self.state.settings.tab;
                if tab != Tab::Pairs {
                    ui.separator();
                    ui.label("Export:");
                    for (label, format) in [
                        ("PNG", ExportFormat::Png),
                        ("SVG", ExportFormat::Svg),
                        ("CSV", ExportFormat::Csv),
                    ] {
                        let tip = match format {
                            ExportFormat::Csv => "Save exactly the numbers this view plots",
                            _ => "Save this view's figure",
                        };
                        let enabled = self.state.report.is_some();
                        if ui
                            .add_enabled(enabled, egui::Button::new(label))
                            .on_hover_text(tip)
                            .clicked()
                        {
                            actions.push(Action::Export { tab, format });
                        }
                    }
                }
            });
            ui.separator();
            let v = &mut self.views;
            v.tour.window(ui.ctx(), &self.state, &mut actions);
            if v.explain.open {
                let [pair, _] = v.pairs.shown();
                let tab = self.state.settings.tab;
                v.explain
                    .window(ui.ctx(), &self.state, tab, pair.as_deref());
            }
            match self.state.settings.tab {
                Tab::Pairs => v.pairs.ui(ui, &self.state, &mut actions),
                Tab::Layers => v.layers.ui(ui, &self.state, &mut actions),
                Tab::Channels => v.channels.ui(ui, &self.state, &mut actions),
                Tab::Training => v.training.ui(ui, &self.state, &mut actions),
                Tab::Compare => v.compare.ui(ui, &self.state, &mut actions),
            }
        });
        for a in actions {
            self.apply(a);
        }
    }

    /// "Tour": starts or resumes the guided tour of the demo (shown only for
    /// a report the tour has steps for), or leaves it.
    fn tour_button(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let tour = &mut self.views.tour;
        if !tour.available(&self.state) {
            return;
        }
        let mut on = tour.active;
        let r = ui.toggle_value(&mut on, "Tour").on_hover_text(
            "A guided tour of the demo, a few steps (PageDown / PageUp); leave it and come \
             back where you were",
        );
        if r.changed() {
            if on {
                actions.extend(tour.start(&self.state));
            } else {
                tour.active = false;
            }
        }
    }

    /// "stadyn — <project name>" (or the report file's name).
    /// The project's name, else the project's or report's file name.
    fn shown_name(&self) -> Option<String> {
        let s = &self.state;
        s.project.as_ref().and_then(|p| p.name.clone()).or_else(|| {
            s.project_path
                .as_ref()
                .or(s.report_path.as_ref())
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        })
    }

    pub(crate) fn window_title(&self) -> String {
        let mut title = match self.shown_name() {
            Some(n) => format!("stadyn — {n}"),
            None => "stadyn".into(),
        };
        if let Some(note) = self.state.partial_note() {
            title.push_str(&format!(" ({note})"));
        }
        title
    }

    /// Applies one action.
    pub fn apply(&mut self, action: Action) {
        let s = &mut self.state;
        match action {
            Action::SetTau(tau) => {
                s.settings.tau = tau.clamp(0.0, 1.0);
                s.refresh();
            }
            Action::ShowTab(tab) => s.settings.tab = tab,
            Action::SelectModel(g) => {
                s.checkpoints.stop();
                s.selection.group = g;
                s.selection.checkpoint = usize::MAX; // the last checkpoint
                s.refresh();
            }
            Action::SelectCheckpoint(k) => {
                s.selection.checkpoint = k;
                s.refresh();
            }
            Action::SelectLayer(name) => {
                s.selection.layer = Some(name);
                s.refresh();
            }
            Action::SelectChannels { channels, mode } => {
                let sel = &mut s.selection.channels;
                match mode {
                    SelectMode::Replace => {
                        sel.clear();
                        sel.extend(channels);
                    }
                    SelectMode::Add => sel.extend(channels),
                    SelectMode::Toggle => {
                        for c in channels {
                            if !sel.remove(&c) {
                                sel.insert(c);
                            }
                        }
                    }
                }
            }
            Action::ClearChannels => s.selection.channels.clear(),
            Action::SetCompare(a, b) => {
                s.selection.compare = Some((a, b));
                s.refresh(); // checks the pair against the report
            }
            Action::ShowPair(id) => s.selection.pair = id,
            Action::SetPlayback { fps, looping } => {
                s.settings.fps = fps;
                s.settings.looping = looping;
            }
            Action::Checkpoints(cmd) => self.checkpoint_command(cmd),
            Action::SetCheckpointPlayback {
                rate,
                looping,
                glide,
            } => {
                s.settings.checkpoint_rate = rate;
                s.settings.checkpoint_loop = looping;
                s.settings.glide_secs = glide.clamp(*GLIDE_RANGE.start(), *GLIDE_RANGE.end());
            }
            Action::ActivatePlayer(who) => s.active_player = who,
            Action::DismissMessage(i) => {
                if i < s.messages.len() {
                    s.messages.remove(i);
                }
            }
            Action::OpenDialog(kind) => {
                let start = s.project_path.clone().or_else(|| s.report_path.clone());
                match files::pick(kind, start.as_deref()) {
                    Ok(Some(action)) => self.apply(action),
                    Ok(None) => {}
                    Err(e) => s.message(Level::Error, e),
                }
            }
            Action::OpenProject(path) | Action::OpenReport(path) => self.open(path),
            Action::AddModel(path) => self.edit(|p| {
                p.models.push(ModelEntry {
                    name: None,
                    path: Some(path),
                    checkpoints: None,
                    layers: Vec::new(),
                });
            }),
            Action::AddCheckpoints(dir) => self.edit(|p| {
                p.models.push(ModelEntry {
                    name: None,
                    path: None,
                    checkpoints: Some(dir.display().to_string()),
                    layers: Vec::new(),
                });
            }),
            Action::SetProbe(dir) => self.edit(|p| {
                p.probe.videos = dir;
                p.probe.layout = None;
                p.probe.generate = None;
            }),
            Action::SetPairs(n) => self.edit(|p| p.probe.pairs = n.max(2)),
            Action::SetFrames(t) => self.edit(|p| p.probe.frames = t),
            Action::SetSeed(seed) => self.edit(|p| p.probe.seed = seed),
            Action::SetStyles(styles) => self.edit(|p| p.probe.styles = styles),
            Action::SetDevice(device) => self.edit(|p| p.run.device = device),
            Action::EditProject(e) => self.edit(|p| match e {
                ProjectEdit::Bootstrap(b) => {
                    p.estimator.bootstrap = b;
                    p.estimator.channel_bootstrap = p.estimator.channel_bootstrap.min(b);
                }
                ProjectEdit::Window(w) => p.probe.window = w,
                ProjectEdit::Layout(l) => p.probe.layout = l,
                ProjectEdit::Batch(b) => p.run.batch = b,
                ProjectEdit::Threads(t) => p.run.threads = t,
            }),
            Action::SaveProject { as_new } => self.save_project(as_new),
            Action::Run => self.run(),
            Action::Cancel => {
                if let JobStatus::Running { id, .. } = s.job {
                    self.worker.cancel(id);
                    s.job = JobStatus::Cancelling { id };
                }
            }
            Action::SetTrails(on) => s.settings.trails = on,
            Action::SetLayersHorizontal(on) => s.settings.layers_horizontal = on,
            Action::SetLayersShow(show) => s.settings.layers_show = show,
            Action::OpenSweep(dir) => self.open_sweep(&dir),
            Action::SetLayersByCheckpoint(on) => s.settings.layers_by_checkpoint = on,
            Action::SetPresenter(on) => s.settings.presenter = on,
            Action::SetHighContrast(on) => s.settings.high_contrast = on,
            Action::SetHidePanel(on) => s.settings.hide_panel = on,
            // Exports (and actions added since) are handled by their views' owners.
            Action::Export { tab, format } => self.export(tab, format),
            Action::ExportChannel(c) => self.export_channel(c),
            Action::ExportPanel(snap) => self.export_panel(snap),
            Action::ExportSelection => self.export_selection(),
            Action::ExportDeltas { rows, baseline } => self.export_deltas(&rows, &baseline),
            Action::ExportPair { pair, file, fps } => self.export_pair(pair, file, fps),
        }
    }

    /// Opens a project (`*.toml`) or a report (`*.json`); the job of the
    /// project shown before is cancelled.
    fn open(&mut self, path: PathBuf) {
        // A results folder opens its report; a sweep's folder its
        // full-strength run (the sweep is found beside it).
        let path = if path.is_dir() {
            let report = path.join("report.json");
            if report.is_file() {
                report
            } else {
                crate::figure::sweep::Sweep::main_report(&path).unwrap_or(path)
            }
        } else {
            path
        };
        self.stop_job();
        let is_report = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        self.state.busy = Some(format!("Opening {}…", path.display()));
        let autorun = !is_report && files::is_demo(&path);
        let id = if is_report {
            self.worker.open_report(path)
        } else {
            self.worker.open_project(path)
        };
        self.opening = Some(Opening { id, autorun });
        self.inspecting = None;
    }

    /// Shows the sweep in folder `dir` beside the results (the Layers
    /// tab's "Style strength"); a folder without a readable one is said.
    fn open_sweep(&mut self, dir: &std::path::Path) {
        match crate::figure::sweep::Sweep::read(dir) {
            Ok(sweep) => {
                self.state.sweep = Some(std::sync::Arc::new(sweep));
                self.state.settings.layers_show = crate::gui::state::LayersShow::Strength;
            }
            Err(e) => self.state.message(Level::Error, format!("{e:#}")),
        }
    }

    /// Edits the project in memory (a new, untitled one when none is open)
    /// and has the worker look at it again (models, probe set, cache).
    fn edit(&mut self, change: impl FnOnce(&mut Project)) {
        let s = &mut self.state;
        if s.project.is_none()
            && let (Some(report), Some(path)) = (s.report.clone(), s.report_path.clone())
        {
            // An opened report turns into a project that keeps its models
            // and probe set, or says why it cannot.
            let name = format!("from {}", path.display());
            match from_report::project_from_report(&report, &name) {
                Ok(p) => {
                    s.project = Some(p);
                    s.message(
                        Level::Info,
                        "The report became a project with its models and probe set (its pairs, \
                         seed, τ and bootstrap; styles and frames at their defaults): Run \
                         measures the models added",
                    );
                }
                Err(why) => s.message(
                    Level::Warning,
                    format!(
                        "The report's models cannot be kept in a project ({why}): a new project \
                         was started"
                    ),
                ),
            }
        }
        let project = s.project.get_or_insert_with(|| {
            s.report_path = None;
            untitled()
        });
        change(project);
        let id = self.worker.inspect(project.clone(), s.project_path.clone());
        self.inspecting = Some(id);
    }

    /// Starts the analysis of the current project.
    fn run(&mut self) {
        let s = &mut self.state;
        let Some(project) = s.project.clone() else {
            s.message(Level::Warning, "Open a project (or add a model) first.");
            return;
        };
        let total = project.probe.pairs;
        let id = self.worker.run(project);
        s.job = JobStatus::Running {
            id,
            progress: Progress {
                total,
                stages: 1,
                ..Progress::default()
            },
        };
    }

    /// Cancels the running job without waiting (its replies become stale).
    fn stop_job(&mut self) {
        if let JobStatus::Running { id, .. } | JobStatus::Cancelling { id } = self.state.job {
            self.worker.cancel(id);
        }
        self.state.job = JobStatus::Idle;
    }
}

/// A new project with no models and no probe set yet.
fn untitled() -> Project {
    Project {
        name: Some("untitled".into()),
        probe: ProbeSpec::new(PathBuf::new()),
        estimator: EstimatorSettings::default(),
        run: RunSettings::default(),
        models: Vec::new(),
    }
}

impl eframe::App for StadynApp {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll();
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.state.settings);
    }
}
