//! The pair rows of the Videos & pairs view: for the static and the dynamic
//! pair, the video at display resolution, the frames the model sees and the
//! two members, all at the scrubber's position; below them, each other input
//! of a multi-input model (optical flow as a colour wheel, a second pathway
//! at its frame nearest the scrubber), both members.

use std::sync::Arc;

use egui::Vec2;

use super::textures::Strip;
use super::{PairsView, Slot};
use crate::model::InputKind;
use crate::stats::Factor;
use crate::worker::pairs::{OtherFrames, PairFrames};

impl PairsView {
    /// The static pair's row, then the dynamic pair's.
    pub(super) fn rows(&mut self, ui: &mut egui::Ui) {
        let slots = [
            (self.selected.clone(), self.waiting[0]),
            (self.other.clone(), self.waiting[1]),
        ];
        let selected_factor = match &slots[0].0 {
            Slot::Ready(p) => p.spec.factor,
            _ => Factor::Static,
        };
        let cell = cell_size(ui.available_width());
        for factor in [Factor::Static, Factor::Dynamic] {
            let (slot, waiting) = if factor == selected_factor {
                &slots[0]
            } else {
                &slots[1]
            };
            match slot {
                Slot::Ready(pair) => self.pair_row(ui, pair, cell),
                Slot::Failed(e) => {
                    ui.label(format!("{} pair: {e}", factor.name()));
                }
                Slot::Empty => {}
            }
            if *waiting {
                ui.horizontal(|ui| {
                    ui.add(egui::Spinner::new());
                    ui.label(format!("loading the {} pair…", factor.name()));
                });
            }
            ui.add_space(8.0);
        }
    }

    /// One pair: its video, the model's frames, and the two members; then
    /// each other input of the model (flow, a second pathway), both members.
    fn pair_row(&mut self, ui: &mut egui::Ui, pair: &Arc<PairFrames>, cell: Vec2) {
        ui.strong(pair_title(pair));
        let pos = self
            .playback
            .frame()
            .min(pair.window.len().saturating_sub(1));
        let t = pair.model_frame(pos);
        ui.horizontal(|ui| {
            let window = if pair.window.is_empty() {
                (Strip::Window, pos, "video: (not decoded)".to_string())
            } else {
                let w = pair.window.len();
                (
                    Strip::Window,
                    pos,
                    format!("video: frame {pos} of 0–{}", w.saturating_sub(1)),
                )
            };
            let (h, w) = (pair.original.height, pair.original.width);
            let n = pair.original.len();
            // Frames are numbered from 0, as everywhere (the slider, `stadyn pairs`).
            let model = format!(
                "model sees: frame {t} of 0–{} ({w}×{h})",
                n.saturating_sub(1)
            );
            // A two-stream model's static pair keeps the RGB frames in order.
            let b_frame = match pair.spec.factor {
                Factor::Static if !pair.has_flow() => {
                    pair.spec.permutation.get(t).copied().unwrap_or(t)
                }
                _ => t,
            };
            let cells = [
                window,
                (Strip::Original, t, model),
                (Strip::A, t, format!("member 1: {}", pair.style_a)),
                (
                    Strip::B,
                    t,
                    format!("member 2: {} (frame {b_frame})", pair.style_b),
                ),
            ];
            for (strip, frame, caption) in cells {
                self.cell(ui, pair, (strip, frame), &caption, cell);
            }
        });
        for i in 0..pair.others.len() {
            self.other_row(ui, pair, i, t, cell);
        }
    }

    /// The model's other input `i` at the primary's frame `t`: what it is
    /// (under the video and the model's frames), then both members (under
    /// the primary's members).
    fn other_row(
        &mut self,
        ui: &mut egui::Ui,
        pair: &Arc<PairFrames>,
        i: usize,
        t: usize,
        cell: Vec2,
    ) {
        let Some(other) = pair.others.get(i) else {
            return;
        };
        let f = other.frame_at(t, pair.original.len());
        let n = other.a.len();
        let what = other.label();
        // A pathway of its own frame count says which of its frames it shows.
        let at =
            (n != pair.original.len()).then(|| format!("frame {f} of 0–{}", n.saturating_sub(1)));
        let first = match &at {
            Some(at) => format!("{what} · member 1 ({at})"),
            None => format!("{what} · member 1"),
        };
        let second = match (other.member2_note(pair.spec.factor), &at) {
            (Some(note), Some(at)) => format!("{what} · member 2 ({note}, {at})"),
            (Some(note), None) => format!("{what} · member 2 ({note})"),
            (None, Some(at)) => format!("{what} · member 2: {} ({at})", pair.style_b),
            (None, None) => format!("{what} · member 2: {}", pair.style_b),
        };
        let about = about_input(other, pair.spec.factor);
        ui.horizontal(|ui| {
            let spacing = ui.spacing().item_spacing.x;
            ui.vertical(|ui| {
                ui.set_width(2.0 * cell.x + spacing);
                ui.add_space(8.0);
                ui.label(egui::RichText::new(format!("The model's {what}")).strong());
                ui.label(about);
            });
            self.cell(ui, pair, (Strip::OtherA(i), f), &first, cell);
            self.cell(ui, pair, (Strip::OtherB(i), f), &second, cell);
        });
    }

    /// One image, fitted into `cell` (its column kept `cell` wide), with
    /// its caption below.
    fn cell(
        &mut self,
        ui: &mut egui::Ui,
        pair: &Arc<PairFrames>,
        (strip, frame): (Strip, usize),
        caption: &str,
        cell: Vec2,
    ) {
        let ctx = ui.ctx().clone();
        ui.vertical(|ui| {
            ui.set_width(cell.x);
            match self.textures.get(&ctx, pair, strip, frame) {
                Some(tex) => {
                    ui.image((tex.id(), fit(tex.size_vec2(), cell)));
                }
                None => {
                    ui.allocate_space(cell);
                }
            }
            ui.small(caption);
        });
    }
}

/// What an other input is and how a pair of `factor` treats it, for a
/// first-time reader.
fn about_input(other: &OtherFrames, factor: Factor) -> String {
    match (other.kind, factor) {
        (InputKind::Flow, Factor::Static) => "Optical flow of the same frames, as a colour \
            wheel (hue: direction, saturation: speed). In a static pair, member 2's flow is \
            jittered: the motion rotated and rescaled, the frames left as they are."
            .to_string(),
        (InputKind::Flow, Factor::Dynamic) => "Optical flow of the same frames, as a colour \
            wheel (hue: direction, saturation: speed). In a dynamic pair both members share \
            it: the same motion in two styles."
            .to_string(),
        (InputKind::Pathway, _) => format!(
            "{} frames of the same window, shown at the frame nearest the scrubber. A static \
             pair shuffles each pathway's frames on its own.",
            other.a.len()
        ),
        (InputKind::Rgb, _) => "Another RGB input of the same frames.".to_string(),
    }
}

/// "static pair: same frames, shuffled (order 3 0 2 1 …)" or
/// "dynamic pair: style A vs style B", with the pair and its video.
fn pair_title(pair: &PairFrames) -> String {
    let what = match pair.spec.factor {
        Factor::Static if pair.has_flow() => {
            "static pair: same frames in order, member 2's flow jittered".to_string()
        }
        Factor::Static => {
            let order: Vec<String> = pair
                .spec
                .permutation
                .iter()
                .take(12)
                .map(usize::to_string)
                .collect();
            let more = if pair.spec.permutation.len() > 12 {
                " …"
            } else {
                ""
            };
            format!(
                "static pair: same frames, shuffled (order {}{more})",
                order.join(" ")
            )
        }
        Factor::Dynamic => format!("dynamic pair: {} vs {}", pair.style_a, pair.style_b),
    };
    format!("{what} — pair {}, video {}", pair.spec.id, pair.video_id)
}

/// The box each image is fitted into: four side by side.
fn cell_size(available: f32) -> Vec2 {
    let w = ((available - 40.0) / 4.0).clamp(64.0, 320.0);
    Vec2::new(w, w.min(240.0))
}

/// `size` scaled (up or down) to fit in `cell`, aspect kept.
fn fit(size: Vec2, cell: Vec2) -> Vec2 {
    if size.x <= 0.0 || size.y <= 0.0 {
        return cell;
    }
    size * (cell.x / size.x).min(cell.y / size.y)
}
