//! The device a run uses: `auto`, the CPU, or one of the CUDA devices the
//! worker found (`AppState::devices`; the UI never asks libtorch itself).

use crate::gui::action::Action;
use crate::gui::state::AppState;

/// The label of the device selector (tests find it by this).
pub(crate) const DEVICE_LABEL: &str = "Device";

/// `"cuda"` means CUDA device 0 (as `--device cuda` does).
fn canonical(device: &str) -> &str {
    if device == "cuda" { "cuda:0" } else { device }
}

/// Why `device` cannot be used on this machine (`None`: it can, or the
/// worker has not listed the devices yet).
pub(crate) fn device_problem(device: &str, devices: &[String]) -> Option<String> {
    let device = canonical(device);
    if devices.is_empty() || device == "auto" || devices.iter().any(|d| d == device) {
        return None;
    }
    Some(format!(
        "device '{device}' is not on this machine (it has: {}); choose another",
        devices.join(", ")
    ))
}

/// The selector: `auto` and every device the worker found (and the
/// project's own choice when it is none of these, so it shows).
pub(super) fn device_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    current: &str,
    actions: &mut Vec<Action>,
) {
    let mut choices = vec!["auto".to_string()];
    choices.extend(state.devices.iter().cloned());
    if !choices.iter().any(|c| c == canonical(current)) {
        choices.push(current.to_string());
    }
    egui::ComboBox::from_label(DEVICE_LABEL)
        .selected_text(current)
        .show_ui(ui, |ui| {
            for c in &choices {
                let on = c == canonical(current);
                if ui.selectable_label(on, c).clicked() && !on {
                    actions.push(Action::SetDevice(c.clone()));
                }
            }
        })
        .response
        .on_hover_text(
            "Where the models run: auto takes the first CUDA device when libtorch sees one, \
             else the CPU (the results do not depend on it)",
        );
}

#[cfg(test)]
mod tests {
    use super::device_problem;

    #[test]
    fn a_device_the_machine_lacks_is_a_problem() {
        let cpu = ["cpu".to_string()];
        let gpus = ["cpu".to_string(), "cuda:0".to_string()];
        assert_eq!(device_problem("auto", &cpu), None);
        assert_eq!(device_problem("cpu", &cpu), None);
        assert_eq!(device_problem("cuda", &gpus), None, "cuda is cuda:0");
        assert_eq!(device_problem("cuda:1", &[]), None, "not listed yet");
        let why = device_problem("cuda", &cpu).unwrap();
        assert!(
            why.contains("'cuda:0'") && why.contains("it has: cpu"),
            "{why}"
        );
    }
}
