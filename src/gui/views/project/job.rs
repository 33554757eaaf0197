//! The analysis part of the project panel: τ, Run / Cancel, progress and
//! where the results came from; and the messages list.

use std::time::Duration;

use super::{can_run, run_blockers};
use crate::analysis::Progress;
use crate::gui::action::Action;
use crate::gui::state::{AppState, JobStatus, Level};

/// The label of the τ slider (tests find it by this).
pub(crate) const TAU_LABEL: &str = "τ (category threshold)";

/// τ, Run / Cancel, progress, status.
pub(super) fn analysis_ui(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    ui.strong("Analysis");
    let mut tau = state.settings.tau;
    let r = ui
        .add(egui::Slider::new(&mut tau, 0.0..=1.0).text(TAU_LABEL))
        .on_hover_text(crate::gui::views::explain::TAU_RULE);
    if r.changed() {
        actions.push(Action::SetTau(tau));
    }
    let running = matches!(state.job, JobStatus::Running { .. });
    let blockers = run_blockers(state);
    ui.horizontal(|ui| {
        let why = if blockers.is_empty() {
            "A job is running: cancel it first".to_string()
        } else {
            format!("Cannot run:\n{}", blockers.join("\n"))
        };
        if ui
            .add_enabled(can_run(state), egui::Button::new("Run"))
            .on_hover_text(
                "Analyze the project (cached results are reused, an interrupted run resumes)",
            )
            .on_disabled_hover_text(why)
            .clicked()
        {
            actions.push(Action::Run);
        }
        if ui
            .add_enabled(running, egui::Button::new("Cancel"))
            .clicked()
        {
            actions.push(Action::Cancel);
        }
    });
    if !blockers.is_empty() && state.project.is_some() {
        let text = format!("Cannot run: {}", blockers.join("; "));
        ui.add(
            egui::Label::new(egui::RichText::new(text).color(ui.visuals().warn_fg_color)).wrap(),
        );
    }
    match &state.job {
        JobStatus::Running { progress, .. } => {
            let fraction = if progress.total > 0 {
                progress.done as f32 / progress.total as f32
            } else {
                0.0
            };
            ui.add(egui::ProgressBar::new(fraction).text(progress_text(progress)));
            if progress.stages > 1 {
                ui.weak(format!(
                    "Stage {} of {}: {} model(s) with the same input; the cheapest stage runs first.",
                    progress.stage + 1,
                    progress.stages,
                    progress.models
                ));
            }
            if state.partial {
                ui.weak("Partial results: the bars converge as pairs accumulate.");
            }
        }
        JobStatus::Cancelling { .. } => {
            ui.label("Cancelling… (saving the statistics so a later run resumes)");
        }
        JobStatus::Done { cached: true } => {
            ui.label("Results from the cache (nothing recomputed).");
        }
        JobStatus::Done { cached: false } => {
            ui.label("Results computed.");
        }
        JobStatus::Failed(e) => {
            ui.colored_label(ui.visuals().error_fg_color, format!("Failed: {e}"));
        }
        JobStatus::Idle => {
            let text = match (&state.project, &state.report) {
                (Some(_), Some(_)) if state.partial => {
                    "Stopped: partial results shown; Run resumes."
                }
                (Some(_), Some(_)) => {
                    "Results shown are not of these settings: Run to compute them."
                }
                (Some(_), None) => "Not computed yet: Run to compute.",
                (None, Some(_)) => "Results from the report file.",
                (None, None) => "",
            };
            if !text.is_empty() {
                ui.weak(text);
            }
        }
    }
}

/// "120 / 400 pairs · 35.2 pairs/s · ETA 8 s" (the ETA is the whole job's).
pub(crate) fn progress_text(p: &Progress) -> String {
    let mut text = format!("{} / {} pairs", p.done, p.total);
    if p.rate > 0.0 {
        text.push_str(&format!(" · {:.1} pairs/s", p.rate));
    }
    if let Some(eta) = p.eta {
        text.push_str(&format!(" · ETA {}", duration(eta)));
    }
    text
}

/// "8 s", "3 min 05 s", "1 h 02 min".
fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
    }
}

/// Warnings and errors, newest last, each with a dismiss button.
pub(super) fn messages_ui(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    if state.messages.is_empty() {
        return;
    }
    ui.separator();
    ui.horizontal(|ui| {
        ui.strong(format!("Messages ({})", state.messages.len()));
        if ui.small_button("Clear all").clicked() {
            for i in (0..state.messages.len()).rev() {
                actions.push(Action::DismissMessage(i));
            }
        }
    });
    for (i, m) in state.messages.iter().enumerate() {
        let (tag, colour) = match m.level {
            Level::Info => ("info", ui.visuals().weak_text_color()),
            Level::Warning => ("warning", ui.visuals().warn_fg_color),
            Level::Error => ("error", ui.visuals().error_fg_color),
        };
        ui.horizontal(|ui| {
            if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                actions.push(Action::DismissMessage(i));
            }
            ui.colored_label(colour, tag);
            ui.add(egui::Label::new(&m.text).wrap());
        });
    }
}

#[cfg(test)]
mod tests {
    use super::progress_text;
    use crate::analysis::Progress;
    use std::time::Duration;

    fn p(done: usize, total: usize, rate: f64, eta: Option<u64>) -> Progress {
        Progress {
            done,
            total,
            rate,
            eta: eta.map(Duration::from_secs),
            stages: 1,
            ..Progress::default()
        }
    }

    #[test]
    fn progress_reads_done_total_rate_and_eta() {
        assert_eq!(progress_text(&p(0, 400, 0.0, None)), "0 / 400 pairs");
        assert_eq!(
            progress_text(&p(120, 400, 35.24, Some(8))),
            "120 / 400 pairs · 35.2 pairs/s · ETA 8 s"
        );
        assert_eq!(
            progress_text(&p(1, 9000, 1.0, Some(185))),
            "1 / 9000 pairs · 1.0 pairs/s · ETA 3 min 05 s"
        );
    }
}
