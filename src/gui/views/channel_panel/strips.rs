//! The channel's top windows (highest and lowest pooled activation) as
//! strips: the frames the model sees over the channel's map. Clicking one
//! opens its pair in Videos & pairs.

use egui::{ColorImage, TextureHandle, TextureOptions};

use crate::gui::action::{Action, Tab};
use crate::stats::End;
use crate::worker::maps::WindowMaps;

/// The strips of the answer's windows `top` (top windows), by end, as many
/// columns as fit; `textures` holds one slot per window of the answer.
pub(super) fn strips_ui(
    ui: &mut egui::Ui,
    windows: &[WindowMaps],
    top: &[usize],
    textures: &mut [Option<TextureHandle>],
    actions: &mut Vec<Action>,
) {
    let ctx = ui.ctx().clone();
    for &i in top {
        if let Some(slot) = textures.get_mut(i) {
            slot.get_or_insert_with(|| texture(&ctx, &windows[i], i));
        }
    }
    for (end, name) in [(End::High, "highest"), (End::Low, "lowest")] {
        let ids: Vec<usize> = top
            .iter()
            .copied()
            .filter(|&i| windows[i].window.end == Some(end))
            .collect();
        if ids.is_empty() {
            continue;
        }
        ui.strong(format!("Top windows: {name} pooled activation"));
        let widest = ids
            .iter()
            .filter_map(|&i| textures.get(i)?.as_ref())
            .map(|t| t.size_vec2().x * strip_scale(t))
            .fold(1.0, f32::max);
        let gap = ui.spacing().item_spacing.x;
        let columns = ((ui.available_width() + gap) / (widest + gap))
            .floor()
            .max(1.0) as usize;
        for row in ids.chunks(columns) {
            ui.horizontal(|ui| {
                for &i in row {
                    let Some(Some(tex)) = textures.get(i) else {
                        continue;
                    };
                    let w = &windows[i];
                    if window_ui(ui, w, tex) {
                        actions.push(Action::ShowPair(w.window.pair));
                        actions.push(Action::ShowTab(Tab::Pairs));
                    }
                }
            });
        }
    }
}

/// One window: its label over its strip; whether it was clicked.
fn window_ui(ui: &mut egui::Ui, w: &WindowMaps, tex: &TextureHandle) -> bool {
    let end = match w.window.end {
        Some(End::Low) => "low",
        _ => "high",
    };
    let label = format!(
        "{end} · pair {} m{} · {:.3}",
        w.window.pair,
        w.window.member,
        w.window.value.unwrap_or(f64::NAN)
    );
    let size = tex.size_vec2();
    let scale = strip_scale(tex);
    ui.vertical(|ui| {
        ui.set_width(size.x * scale);
        let text = ui
            .add(
                egui::Label::new(label)
                    .truncate()
                    .sense(egui::Sense::click()),
            )
            .on_hover_text("Open this pair in Videos & pairs");
        let image = ui
            .add(egui::Image::new((tex.id(), size * scale)).sense(egui::Sense::click()))
            .on_hover_text("Open this pair in Videos & pairs");
        text.clicked() || image.clicked()
    })
    .inner
}

/// The scale that shows a strip (two rows of frames) about 70 px tall.
fn strip_scale(tex: &TextureHandle) -> f32 {
    (70.0 / tex.size_vec2().y.max(1.0)).clamp(0.5, 4.0)
}

fn texture(ctx: &egui::Context, w: &WindowMaps, i: usize) -> TextureHandle {
    let f = &w.strip;
    let rgba = f.frames.first().map_or(&[][..], Vec::as_slice);
    let image = ColorImage::from_rgba_unmultiplied([f.width, f.height], rgba);
    ctx.load_texture(
        format!("channel-window-{}-{}-{i}", w.window.pair, w.window.member),
        image,
        TextureOptions::NEAREST,
    )
}
