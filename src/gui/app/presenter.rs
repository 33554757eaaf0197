//! Presenter mode, for a classroom: everything larger (UI zoom), the
//! project panel hidden, an optional high-contrast look, and F11 for
//! fullscreen. Readable from the back of a room on a 1280×720 projector.

use super::StadynApp;
use crate::gui::action::Action;

/// The UI zoom of presenter mode.
pub(crate) const PRESENTER_ZOOM: f32 = 1.4;

impl StadynApp {
    /// Before the frame: the zoom and look the settings ask for, and F11.
    pub(super) fn apply_presentation(&mut self, ctx: &egui::Context) {
        let s = &self.state.settings;
        let zoom = if s.presenter { PRESENTER_ZOOM } else { 1.0 };
        if (ctx.zoom_factor() - zoom).abs() > 1e-3 {
            ctx.set_zoom_factor(zoom);
        }
        let contrast = s.high_contrast;
        if ctx.global_style().visuals.window_stroke.width != stroke_width(contrast) {
            ctx.set_visuals(visuals(contrast, ctx.theme()));
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F11)) {
            let full = ctx.input(|i| i.viewport().fullscreen.unwrap_or(false));
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(!full));
        }
    }

    /// The "View" menu of the tab bar: presenter mode and high contrast.
    pub(super) fn presenter_ui(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let s = &self.state.settings;
        let (mut on, mut contrast) = (s.presenter, s.high_contrast);
        let label = if on { "View (presenting)" } else { "View" };
        ui.menu_button(label, |ui| {
            let r = ui.checkbox(&mut on, "Presenter").on_hover_text(
                "Larger text and plots, the project panel hidden, for a projector; F11: \
                 fullscreen",
            );
            if r.changed() {
                actions.push(Action::SetPresenter(on));
            }
            if ui
                .checkbox(&mut contrast, "High contrast")
                .on_hover_text("Black on white, stronger lines")
                .changed()
            {
                actions.push(Action::SetHighContrast(contrast));
            }
            let mut panel = !s.hide_panel;
            if ui
                .checkbox(&mut panel, "Project panel")
                .on_hover_text("Show the project panel on the left (hide it for more room)")
                .changed()
            {
                actions.push(Action::SetHidePanel(!panel));
            }
            ui.weak("F11: fullscreen");
        });
    }
}

/// The window stroke width that marks the high-contrast look.
fn stroke_width(contrast: bool) -> f32 {
    if contrast { 2.0 } else { 1.0 }
}

/// The app's look: egui's for `theme`, or with `contrast` black text and
/// strong, wide strokes on white.
fn visuals(contrast: bool, theme: egui::Theme) -> egui::Visuals {
    let mut v = match theme {
        egui::Theme::Dark if !contrast => egui::Visuals::dark(),
        _ => egui::Visuals::light(),
    };
    v.window_stroke.width = stroke_width(contrast);
    if contrast {
        let black = egui::Color32::BLACK;
        v.override_text_color = Some(black);
        v.panel_fill = egui::Color32::WHITE;
        v.window_fill = egui::Color32::WHITE;
        v.extreme_bg_color = egui::Color32::WHITE;
        v.window_stroke.color = black;
        for w in [
            &mut v.widgets.noninteractive,
            &mut v.widgets.inactive,
            &mut v.widgets.hovered,
            &mut v.widgets.active,
            &mut v.widgets.open,
        ] {
            w.bg_stroke = egui::Stroke::new(1.5, black);
            w.fg_stroke = egui::Stroke::new(2.0, black);
        }
    }
    v
}
