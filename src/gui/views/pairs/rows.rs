//! The pair rows of the Videos & pairs view: for the static and the dynamic
//! pair, the video at display resolution, the frames the model sees and the
//! two members, all at the scrubber's position.

use std::sync::Arc;

use egui::Vec2;

use super::textures::Strip;
use super::{PairsView, Slot};
use crate::stats::Factor;
use crate::worker::pairs::PairFrames;

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

    /// One pair: its video, the model's frames, and the two members.
    fn pair_row(&mut self, ui: &mut egui::Ui, pair: &Arc<PairFrames>, cell: Vec2) {
        ui.strong(pair_title(pair));
        let pos = self
            .playback
            .frame()
            .min(pair.window.len().saturating_sub(1));
        let t = pair.model_frame(pos);
        let ctx = ui.ctx().clone();
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
            let b_frame = match pair.spec.factor {
                Factor::Static => pair.spec.permutation.get(t).copied().unwrap_or(t),
                Factor::Dynamic => t,
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
                ui.vertical(|ui| {
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
        });
    }
}

/// "static pair: same frames, shuffled (order 3 0 2 1 …)" or
/// "dynamic pair: style A vs style B", with the pair and its video.
fn pair_title(pair: &PairFrames) -> String {
    let what = match pair.spec.factor {
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
