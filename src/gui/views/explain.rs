//! The "?" beside the tabs: a short panel on what the tab shows, with the
//! numbers on screen (the shown pair with its thumbnails, the selected
//! layer's dims and percentages, the current τ and its rule, the settle
//! criterion, paired differences). For a classroom: every sentence is about
//! what the audience sees.

use crate::gui::action::Tab;
use crate::gui::state::AppState;
use crate::report::LayerReport;
use crate::worker::pairs::PairFrames;

/// The category rule at τ, exactly as the estimator applies it.
pub(crate) const TAU_RULE: &str = "A channel is dynamic when ρ_D > τ and ρ_S < τ, static when \
     ρ_S > τ and ρ_D < τ, joint when both exceed τ, none when both are below τ (strict \
     inequalities); a ρ exactly at τ, or undefined, leaves it unassigned. Changing τ \
     re-buckets at once: nothing is recomputed.";

/// What a static and a dynamic pair are.
const PAIRS: &str = "The model sees pairs of clips. A static pair is one clip and the same \
     frames shuffled: the two share appearance but not motion. A dynamic pair is one clip in two \
     styles: the two share motion but not appearance. How alike the model's features are within \
     each kind of pair tells how much of them is appearance and how much is motion.";

/// What ρ_D and ρ_S are.
const RHOS: &str = "For one channel, ρ_D is the correlation of its pooled value between the two \
     members of the dynamic pairs, ρ_S the same over the static pairs. A channel with a high \
     ρ_D keeps its value when only the motion is kept: it encodes motion. A high ρ_S: it keeps \
     its value when only the appearance is kept: it encodes appearance.";

/// The layer shares: dims, percentages, residual.
const SHARES: &str = "Per layer, the mutual information of each factor (scores s_D, s_S and 1 \
     for the residual) is turned into probabilities by a softmax and into whole numbers of \
     dimensions (dims, summing to the C channels); the percentages are dims / C, in steps of \
     100 / C, as the reference does. The residual is what neither factor explains.";

/// The "?" panel's state: whether it is open, and the thumbnails of the
/// pair it last showed.
#[derive(Default)]
pub struct Explain {
    /// Whether the panel is open.
    pub open: bool,
    thumbs: Option<(u64, [egui::TextureHandle; 2])>,
}

impl Explain {
    /// The "?" button (in the tab bar).
    pub fn button(&mut self, ui: &mut egui::Ui) {
        if ui
            .selectable_label(self.open, "?")
            .on_hover_text("What this tab shows, with the numbers on screen")
            .clicked()
        {
            self.open = !self.open;
        }
    }

    /// The panel for `tab`, when open; `pair` is the one Videos & pairs shows.
    pub fn window(
        &mut self,
        ctx: &egui::Context,
        state: &AppState,
        tab: Tab,
        pair: Option<&PairFrames>,
    ) {
        let mut open = self.open;
        egui::Window::new(format!("About {}", tab.label()))
            .open(&mut open)
            .default_width(420.0)
            // Top right, over the plots' margin rather than the project panel.
            .default_pos(ctx.content_rect().right_top() + egui::vec2(-450.0, 40.0))
            .resizable(true)
            .show(ctx, |ui| match tab {
                Tab::Pairs => self.pairs(ui, pair),
                Tab::Layers => layers(ui, state),
                Tab::Channels => channels(ui, state),
                Tab::Training => training(ui, state),
                Tab::Compare => compare(ui),
            });
        self.open = open;
    }

    fn pairs(&mut self, ui: &mut egui::Ui, pair: Option<&PairFrames>) {
        ui.label(PAIRS);
        let Some(p) = pair else {
            ui.weak("(the pair shown appears here once loaded)");
            return;
        };
        ui.separator();
        ui.strong(format!(
            "On screen: pair {}, a {} pair of video {}",
            p.spec.id,
            p.spec.factor.name(),
            p.video_id
        ));
        ui.label(super::pairs::export::what_it_shares(p));
        if self.thumbs.as_ref().is_none_or(|(id, _)| *id != p.spec.id) {
            let tex = |name: &str, f: &crate::worker::pairs::Frames| {
                let px = f.frames.first().cloned().unwrap_or_default();
                let img = egui::ColorImage::from_rgba_unmultiplied([f.width, f.height], &px);
                ui.ctx()
                    .load_texture(name, img, egui::TextureOptions::NEAREST)
            };
            if p.a
                .frames
                .first()
                .is_some_and(|f| f.len() == p.a.width * p.a.height * 4)
                && p.b
                    .frames
                    .first()
                    .is_some_and(|f| f.len() == p.b.width * p.b.height * 4)
            {
                self.thumbs = Some((p.spec.id, [tex("explain.a", &p.a), tex("explain.b", &p.b)]));
            }
        }
        if let Some((_, [a, b])) = &self.thumbs {
            ui.horizontal(|ui| {
                for (k, t, style) in [(1, a, &p.style_a), (2, b, &p.style_b)] {
                    ui.vertical(|ui| {
                        ui.add(egui::Image::new(t).fit_to_exact_size(egui::vec2(96.0, 96.0)));
                        ui.label(format!("member {k}, frame 1 · {style}"));
                    });
                }
            });
        }
    }
}

/// The selected entry's selected layer.
fn layer(state: &AppState) -> Option<(String, &LayerReport)> {
    let report = state.report.as_deref()?;
    let e = state.selected_entry()?;
    let name = state.selection.layer.as_deref()?;
    let l = report
        .models
        .get(e)?
        .layers
        .iter()
        .find(|l| l.name == name)?;
    Some((crate::figure::entry_label(report, e, true), l))
}

fn layers(ui: &mut egui::Ui, state: &AppState) {
    ui.label(SHARES);
    if let Some((entry, l)) = layer(state) {
        ui.separator();
        let [d, s, r] = l.dims;
        ui.strong(format!("On screen: {entry}, layer {}", l.name));
        ui.label(format!(
            "C = {} channels: dims {d} dynamic, {s} static, {r} residual, so dynamic {:.1} %, \
             static {:.1} %, residual {:.1} % (softmax probabilities {:.3}, {:.3}, {:.3}).",
            l.channels, l.pct[0], l.pct[1], l.pct[2], l.probs[0], l.probs[1], l.probs[2]
        ));
        if let Some(ci) = &l.ci95 {
            ui.label(format!(
                "The whiskers are 95 % bootstrap intervals over the pairs ({} replicates): \
                 dynamic {:.1} to {:.1} %, static {:.1} to {:.1} %.",
                ci.replicates, ci.pct[0][0], ci.pct[0][1], ci.pct[1][0], ci.pct[1][1]
            ));
        }
    }
    ui.separator();
    ui.label("The thin bars beside are the channels per category at τ (see the Channels tab's ?).");
}

fn channels(ui: &mut egui::Ui, state: &AppState) {
    ui.label(RHOS);
    ui.separator();
    ui.label(format!("τ = {:.2}. {TAU_RULE}", state.settings.tau));
    if let Some((entry, l)) = layer(state) {
        let cats = crate::figure::data::categories(l, state.settings.tau);
        let n = crate::stats::CategoryCounts::count(&cats);
        ui.separator();
        ui.strong(format!("On screen: {entry}, layer {}", l.name));
        ui.label(format!(
            "Of {} channels at τ = {:.2}: {} dynamic (upper left), {} static (lower right), \
             {} joint (upper right), {} none (lower left), {} unassigned.",
            l.channels, state.settings.tau, n.dynamic, n.static_, n.joint, n.none, n.unassigned
        ));
    }
    ui.label(
        "Faded points: the category is not certain (fewer than 90 % of bootstrap replicates \
         agree). Click a point to look inside its channel.",
    );
}

fn training(ui: &mut egui::Ui, state: &AppState) {
    ui.label(
        "Each layer's dynamic and static share at every checkpoint of the model, with their \
         95 % intervals as bands; under each, its channels per category at τ. The dotted line \
         is a recorded accuracy (right axis) when the checkpoints' manifests give one.",
    );
    ui.separator();
    ui.label(format!(
        "Where a bias settles: {}.",
        crate::figure::SettleCriterion::default().rule()
    ));
    if let Some(g) = state.derived.groups.get(state.selection.group) {
        ui.label(format!(
            "On screen: {} with {} checkpoints. Play training (Space) steps through them; \
             every tab follows.",
            g.name,
            g.entries.len()
        ));
    }
}

fn compare(ui: &mut egui::Ui) {
    ui.label(
        "Two entries side by side. Δ = B − A of each layer's dynamic and static percentage, \
         with a 95 % interval. Entries of one job saw the same pairs, so replicate r of A and \
         replicate r of B are drawn with the same weights: the interval comes from the \
         per-replicate differences (paired), and is narrower than comparing two separate \
         intervals. An interval that excludes 0 is a difference the pairs support.",
    );
    ui.label(
        "Channels correspond only between checkpoints of one model: then each channel's move \
         from A to B is an arrow, and a category change is certain when both stabilities are \
         at least 0.9. Between different models only layer-level differences are shown.",
    );
}
