//! The guided tour of the demo: a short sequence of steps, each setting the
//! view (tab, model, checkpoint, layer, pair, channel) and saying two or
//! three sentences with the numbers of the results on screen. Next and
//! previous with PageDown / PageUp (as presentation clickers send) or the
//! buttons; it can be left and resumed where it was.
//!
//! Steps are made from the report (`steps`): one whose model or layer the
//! report lacks is left out, so the tour works on a partial demo too.

use crate::figure::{ModelGroup, SettleCriterion, channel_points, training_curves};
use crate::gui::action::{Action, SelectMode, Tab};
use crate::gui::state::AppState;
use crate::report::Report;

/// One step: what it shows and what it says.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Its heading.
    pub title: String,
    /// Two or three sentences, with the numbers on screen.
    pub text: String,
    /// What sets the view.
    pub actions: Vec<Action>,
}

/// The tour's place and whether it is shown.
#[derive(Default)]
pub struct Tour {
    /// Whether the tour's window is shown.
    pub active: bool,
    /// The step shown (kept when the tour is left, to resume).
    pub step: usize,
    /// The steps, for one derived generation of one report.
    cache: Option<(usize, Vec<Step>)>,
}

/// The group of model `name` and its index.
fn group<'a>(groups: &'a [ModelGroup], name: &str) -> Option<(usize, &'a ModelGroup)> {
    groups.iter().enumerate().find(|(_, g)| g.name == name)
}

/// The layer `layer` of the last checkpoint of model `name`.
fn last_layer<'a>(
    report: &'a Report,
    groups: &[ModelGroup],
    name: &str,
    layer: &str,
) -> Option<&'a crate::report::LayerReport> {
    let (_, g) = group(groups, name)?;
    let m = report.models.get(*g.entries.last()?)?;
    m.layers.iter().find(|l| l.name == layer)
}

/// Actions that show `tab` with model `name` at checkpoint `checkpoint`
/// (`usize::MAX`: the last) and layer `layer`.
fn show(
    groups: &[ModelGroup],
    tab: Tab,
    name: &str,
    checkpoint: usize,
    layer: &str,
) -> Option<Vec<Action>> {
    let (gi, _) = group(groups, name)?;
    Some(vec![
        Action::ShowTab(tab),
        Action::SelectModel(gi),
        Action::SelectCheckpoint(checkpoint),
        Action::SelectLayer(layer.into()),
        Action::ClearChannels,
    ])
}

/// The demo's tour over `report` (models grouped as `groups`) at τ `tau`.
pub fn steps(report: &Report, groups: &[ModelGroup], tau: f64) -> Vec<Step> {
    let mut out = vec![Step {
        title: "Two kinds of pairs".into(),
        text: "A static pair (top) is one clip and the same frames shuffled: appearance kept, \
               motion destroyed. A dynamic pair (bottom) is one clip in two styles: motion kept, \
               appearance changed. Press Play to see them move."
            .into(),
        actions: vec![Action::ShowTab(Tab::Pairs), Action::ShowPair(0)],
    }];
    let (motion, appearance) = (
        last_layer(report, groups, "cnn3d-motion", "stage3"),
        last_layer(report, groups, "cnn3d-appearance", "stage3"),
    );
    if let (Some(m), Some(a), Some(actions)) = (
        motion,
        appearance,
        show(groups, Tab::Layers, "cnn3d-motion", usize::MAX, "stage3"),
    ) {
        out.push(Step {
            title: "Trained on motion, trained on appearance".into(),
            text: format!(
                "The same 3-D CNN trained to tell motion direction (cnn3d-motion) and to tell \
                 objects apart (cnn3d-appearance). In their last stage, dynamic {:.1} % against \
                 {:.1} %, static {:.1} % against {:.1} %: what a network encodes follows its task.",
                m.pct[0], a.pct[0], m.pct[1], a.pct[1]
            ),
            actions,
        });
    }
    if let (Some(l), Some(actions)) = (
        last_layer(report, groups, "c2d-motion", "stage3"),
        show(groups, Tab::Channels, "c2d-motion", usize::MAX, "stage3"),
    ) {
        let (points, _) = channel_points(l, tau);
        let min = points
            .iter()
            .map(|p| p.rho_static)
            .fold(f64::INFINITY, f64::min);
        out.push(Step {
            title: "A frame-wise network cannot see motion".into(),
            text: format!(
                "c2d-motion looks at each frame alone and averages: shuffling the frames changes \
                 nothing, so every channel has ρ_S = 1 (the smallest of its {} channels: {:.4}). \
                 All its points sit on the right edge: whatever it learned, it is appearance.",
                points.len(),
                min
            ),
            actions,
        });
    }
    if let (Some((_, g)), Some(actions)) = (
        group(groups, "cnn3d-motion"),
        show(groups, Tab::Training, "cnn3d-motion", usize::MAX, "stage3"),
    ) {
        let curves = training_curves(report, g);
        let settled = curves
            .iter()
            .find(|c| c.layer == "stage3")
            .and_then(|c| c.settled_epoch(SettleCriterion::default()));
        let when = settled.map_or("(no intervals to tell)".to_string(), |e| {
            format!("from epoch {e} on")
        });
        out.push(Step {
            title: "Biases form early in training".into(),
            text: format!(
                "The motion network's shares at each of its {} checkpoints. Its last stage turns \
                 dynamic within the first epochs and stays within its final interval {when}; \
                 the dotted line is its accuracy. Play training (Space) to watch it.",
                g.entries.len()
            ),
            actions,
        });
    }
    if let Some(l) = motion {
        let (points, _) = channel_points(l, tau);
        let best = |key: fn(&crate::figure::ChannelPoint) -> f64| {
            points
                .iter()
                .max_by(|a, b| key(a).total_cmp(&key(b)))
                .copied()
        };
        let picks = [
            ("dynamic", best(|p| p.rho_dynamic - p.rho_static)),
            ("static", best(|p| p.rho_static - p.rho_dynamic)),
        ];
        for (kind, p) in picks {
            let Some(p) = p.filter(|p| p.category.name() == kind) else {
                continue;
            };
            let Some(mut actions) =
                show(groups, Tab::Channels, "cnn3d-motion", usize::MAX, "stage3")
            else {
                continue;
            };
            actions.push(Action::SelectChannels {
                channels: vec![p.channel],
                mode: SelectMode::Replace,
            });
            out.push(Step {
                title: format!("Inside a {kind} channel"),
                text: format!(
                    "Channel {} of cnn3d-motion's last stage: ρ_D = {:.2}, ρ_S = {:.2}, so {kind} \
                     at τ = {tau:.2}. The panel shows where and when it fires on a static and a \
                     dynamic pair, and the windows that drive it most.",
                    p.channel, p.rho_dynamic, p.rho_static
                ),
                actions,
            });
        }
    }
    out
}

impl Tour {
    /// The steps for `state` (made again when the results or τ change).
    fn steps(&mut self, state: &AppState) -> &[Step] {
        let key = state.derived.generation as usize;
        if self.cache.as_ref().is_none_or(|(k, _)| *k != key) {
            let steps = state.report.as_deref().map_or_else(Vec::new, |r| {
                steps(r, &state.derived.groups, state.settings.tau)
            });
            self.cache = Some((key, steps));
        }
        self.cache.as_ref().map_or(&[], |(_, s)| s.as_slice())
    }

    /// Whether the report is the demo's (the tour has more than its first step).
    pub fn available(&mut self, state: &AppState) -> bool {
        self.steps(state).len() > 1
    }

    /// Starts or resumes the tour at its step; the actions that show it.
    pub fn start(&mut self, state: &AppState) -> Vec<Action> {
        self.active = true;
        self.go(state, 0)
    }

    /// Moves by `by` steps (clamped) and returns the actions that show it.
    pub fn go(&mut self, state: &AppState, by: isize) -> Vec<Action> {
        let n = self.steps(state).len();
        if n == 0 {
            return Vec::new();
        }
        self.step = self.step.saturating_add_signed(by).min(n - 1);
        let k = self.step;
        self.steps(state)[k].actions.clone()
    }

    /// The tour's window with its step; PageDown / PageUp move it.
    pub fn window(&mut self, ctx: &egui::Context, state: &AppState, actions: &mut Vec<Action>) {
        if !self.active {
            return;
        }
        let (next, prev) = ctx.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, egui::Key::PageDown),
                i.consume_key(egui::Modifiers::NONE, egui::Key::PageUp),
            )
        });
        if next {
            actions.extend(self.go(state, 1));
        }
        if prev {
            actions.extend(self.go(state, -1));
        }
        let n = self.steps(state).len();
        let k = self.step;
        let Some(step) = self.steps(state).get(k).cloned() else {
            return;
        };
        let mut open = true;
        egui::Window::new("Tour")
            .id(egui::Id::unique("stadyn.tour"))
            .open(&mut open)
            .default_width(380.0)
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -12.0))
            .collapsible(false)
            .show(ctx, |ui| {
                ui.strong(format!("{} of {n}: {}", self.step + 1, step.title));
                ui.label(&step.text);
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(self.step > 0, egui::Button::new("< Previous"))
                        .on_hover_text("PageUp")
                        .clicked()
                    {
                        actions.extend(self.go(state, -1));
                    }
                    if ui
                        .add_enabled(self.step + 1 < n, egui::Button::new("Next >"))
                        .on_hover_text("PageDown")
                        .clicked()
                    {
                        actions.extend(self.go(state, 1));
                    }
                    if ui
                        .button("Leave tour")
                        .on_hover_text("The tour button resumes it here")
                        .clicked()
                    {
                        self.active = false;
                    }
                });
            });
        if !open {
            self.active = false;
        }
    }
}
