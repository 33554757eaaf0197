//! The Compare view: which pair it shows by default, the layer both have,
//! the changed channels counted per from → to, picking an entry in a combo
//! box, and selecting the channels of a transition.

use egui_kittest::kittest::Queryable as _;

use super::layers::fixture;
use crate::figure::category_changes;
use crate::gui::action::{Action, Tab};
use crate::gui::views::compare::{Compared, change_counts, common_layer, default_pair};
use crate::stats::Category;

#[test]
fn the_default_pair_is_first_and_selected_checkpoint_else_another_model() {
    let mut app = fixture::app(Tab::Compare);
    assert_eq!(default_pair(&app.state), Some((0, 2)));
    app.apply(Action::SelectCheckpoint(0));
    assert_eq!(
        default_pair(&app.state),
        Some((0, 2)),
        "first vs last when the first is selected"
    );
    app.apply(Action::SelectModel(1));
    assert_eq!(default_pair(&app.state), Some((3, 2)));
}

#[test]
fn the_scatters_show_a_layer_both_entries_have() {
    let r = fixture::report();
    assert_eq!(
        common_layer(&r, 0, 3, Some("conv2")).as_deref(),
        Some("conv2")
    );
    assert_eq!(common_layer(&r, 0, 3, Some("fc")).as_deref(), Some("conv1"));
    assert_eq!(common_layer(&r, 0, 3, None).as_deref(), Some("conv1"));
}

#[test]
fn changes_are_counted_per_transition() {
    let r = fixture::report();
    let (a, b) = (&r.models[0].layers[1], &r.models[2].layers[1]);
    // conv2, epoch 0 → 2 at τ = 0.5: channel 2 goes from static to dynamic.
    let changes = category_changes(a, b, 0.5).unwrap();
    let counts = change_counts(&changes);
    assert_eq!(counts, vec![(Category::Static, Category::Dynamic, vec![2])]);
    let app = fixture::app(Tab::Compare);
    let cmp = Compared::new(&app.state, app.state.report.as_deref().unwrap(), 0, 2);
    assert_eq!(cmp.layer.as_deref(), Some("conv2"));
    assert_eq!(cmp.scatters.len(), 2);
    assert_eq!(cmp.changes.as_deref().map(<[_]>::len), Some(1));
    assert_eq!(cmp.layout.groups.len(), 2);
    assert_eq!(
        cmp.layout.slots.len(),
        4,
        "two layers side by side for each"
    );
}

#[test]
fn picking_an_entry_sets_the_compared_pair() {
    let mut h = fixture::harness(fixture::app(Tab::Compare));
    h.get_by_label("B").click();
    h.run();
    h.get_by_label("c2d").click();
    h.run();
    assert_eq!(h.state().state.selection.compare, Some((0, 3)));
}

#[test]
fn selecting_a_transition_selects_its_channels() {
    let mut h = fixture::harness(fixture::app(Tab::Compare));
    h.get_all_by_label("Select").next().unwrap().click();
    h.run();
    let s = &h.state().state;
    assert_eq!(s.selection.layer.as_deref(), Some("conv2"));
    assert_eq!(
        s.selection.channels.iter().copied().collect::<Vec<_>>(),
        vec![2]
    );
}

#[test]
fn a_changed_channel_opens_its_panel_in_channels() {
    let mut h = fixture::harness(fixture::app(Tab::Compare));
    h.get_by_label_contains("Changed channels").click();
    h.run();
    h.get_by_label("channel 2").click();
    h.run();
    let s = &h.state().state;
    assert_eq!(s.settings.tab, Tab::Channels);
    assert_eq!(s.selection.layer.as_deref(), Some("conv2"));
    assert_eq!(
        s.selection.channels.iter().copied().collect::<Vec<_>>(),
        vec![2]
    );
    assert!(h.query_by_label("Channel 2").is_some(), "its panel is open");
}
