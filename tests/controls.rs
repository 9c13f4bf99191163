//! The side panel never changes a setting by drawing it: every preset, and every numeric
//! setting at both ends of its accepted range, survives frames of the app with no input
//! bit for bit; an edit outside the range is refused with the range shown.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
mod common;

use ganscope::app::GanscopeApp;
use ganscope::sim::schema;
use ganscope::sim::settings::{Preset, Settings};

fn app(settings: Settings) -> Harness<'static, GanscopeApp> {
    Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(move |_| GanscopeApp::new_inline(settings.clone()).expect("valid"))
}

/// Draws the app a few frames with no input and checks that the run's settings are
/// exactly those it was given and that nothing waits to be applied.
fn unchanged_by_drawing(settings: &Settings, what: &str) {
    let mut h = app(settings.clone());
    h.run_steps(2);
    // Unfold the model and data controls so that they are drawn too.
    h.get_by_label("Model and data (apply resets)").click();
    h.run_steps(4);
    assert!(
        h.query_by_label("Apply and reset").is_some(),
        "{what}: the model controls are drawn"
    );
    let shown = &h.state().picture().settings;
    // The settings file prints every float exactly, so equal text is equal bits.
    assert_eq!(
        shown.to_toml(),
        settings.to_toml(),
        "{what}: drawing changed a setting"
    );
    assert_eq!(shown, settings, "{what}");
    assert!(
        h.query_by_label("Apply and reset *").is_none(),
        "{what}: drawing changed the panel's draft"
    );
    assert!(h.state().picture().error.is_none(), "{what}");
}

#[test]
fn drawing_the_panel_keeps_every_preset_as_it_is() {
    for preset in &Preset::ALL {
        unchanged_by_drawing(&preset.settings(), preset.name);
    }
}

/// `value` at `spec`'s key on the reference settings (`None` when it is refused).
fn with_value(spec: &schema::Spec, value: f64) -> Option<Settings> {
    common::with_value(Settings::reference(), spec, value).ok()
}

#[test]
fn drawing_the_panel_keeps_every_numeric_setting_at_both_ends_of_its_range() {
    let mut tried = 0;
    for spec in common::numeric_specs() {
        for end in spec.range.extremes() {
            let Some(mut settings) = with_value(spec, end) else {
                continue;
            };
            // Show every optimiser's and loss's own controls for their settings.
            let t = &mut settings.training;
            match spec.key {
                "training.momentum" => t.optimizer = ganscope::sim::OptimizerKind::Momentum,
                "training.clip" => t.loss = ganscope::sim::LossKind::WassersteinClip,
                "training.gp_weight" => t.loss = ganscope::sim::LossKind::WassersteinGp,
                _ => {}
            }
            unchanged_by_drawing(&settings, &format!("{} = {end}", spec.key));
            tried += 1;
        }
    }
    assert!(tried >= 50, "only {tried} ends tried");
}

#[test]
fn a_slider_keeps_a_valid_value_beyond_its_span_and_refuses_one_outside_the_range() {
    let mut h = app(Settings::preset("fig1").expect("preset"));
    h.run_steps(2);
    // 10 is beyond the slider's span (up to 1) but accepted: kept as typed.
    h.get_by_role_and_label(Role::Slider, "learning rate D")
        .set_value_accesskit(10.0);
    h.run_steps(3);
    assert_eq!(h.state().picture().settings.training.lr_d, 10.0);
    // 1000 is outside (0, 100]: refused, the value stays, the range is shown.
    h.get_by_role_and_label(Role::Slider, "learning rate D")
        .set_value_accesskit(1000.0);
    h.run_steps(3);
    assert_eq!(h.state().picture().settings.training.lr_d, 10.0);
    let _refusal = h.get_by_label_contains("refused: accepts a number in (0, 100]");
    // A valid edit clears the refusal.
    h.get_by_role_and_label(Role::Slider, "learning rate D")
        .set_value_accesskit(0.01);
    h.run_steps(3);
    assert_eq!(h.state().picture().settings.training.lr_d, 0.01);
    assert!(h.query_by_label_contains("refused: accepts").is_none());
    // k = 80 is beyond the slider's old span of 50 and stays 80.
    h.get_by_role_and_label(Role::Slider, "k (D steps)")
        .set_value_accesskit(80.0);
    h.run_steps(3);
    assert_eq!(h.state().picture().settings.training.k, 80);
}

#[test]
fn typing_into_a_box_applies_the_number_typed_and_leaving_a_box_changes_nothing() {
    let mut h = app(Settings::preset("fig1").expect("preset"));
    h.run_steps(2);
    let focus_lr_box = |h: &Harness<'static, GanscopeApp>| {
        h.get_all_by_role(Role::SpinButton)
            .find(|n| n.value().as_deref() == Some("5e-4"))
            .expect("the learning-rate box shows 5e-4")
            .focus();
    };
    // Focus the box: it becomes a text field holding the shown text.
    focus_lr_box(&h);
    h.run_steps(2);
    // Leaving it untouched keeps the exact value.
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert_eq!(h.state().picture().settings.training.lr_d, 5e-4);
    focus_lr_box(&h);
    h.run_steps(2);
    // One key a frame, as a person types: "0" alone is out of range and must not
    // throw the text away.
    for key in ["0", ".", "0", "5"] {
        h.get_by_role(Role::TextInput).type_text(key);
        h.run_steps(1);
    }
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert_eq!(h.state().picture().settings.training.lr_d, 0.05);
}

#[test]
fn a_typed_seed_stays_until_applied_and_then_starts_that_run() {
    let mut h = app(Settings::preset("fig1").expect("preset"));
    h.run_steps(2);
    h.get_by_label("Model and data (apply resets)").click();
    h.run_steps(2);
    let values: Vec<String> = h
        .get_all_by_role(Role::SpinButton)
        .filter_map(|n| n.value())
        .collect();
    let seed = |h: &Harness<'static, GanscopeApp>| {
        h.get_all_by_role(Role::SpinButton)
            .find(|n| n.value().as_deref() == Some("seed 1"))
            .unwrap_or_else(|| panic!("a seed box among {values:?}"))
            .focus();
    };
    seed(&h);
    h.run_steps(2);
    h.get_by_role(Role::TextInput).type_text("7");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    // Frames pass: the typed seed waits for Apply and is not put back.
    h.run_steps(5);
    assert_eq!(h.state().picture().settings.seed, 1);
    h.get_by_label("Apply and reset *").click();
    h.run_steps(3);
    assert_eq!(h.state().picture().settings.seed, 7);
}
