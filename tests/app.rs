//! The desktop app driven through its real UI by labels (egui_kittest), training inline so
//! that every click takes effect on the next frame.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use ganscope::app::GanscopeApp;
use ganscope::sim::Settings;

fn app(preset: &str) -> Harness<'static, GanscopeApp> {
    Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(move |_| {
            GanscopeApp::new_inline(Settings::preset(preset).expect("preset")).expect("valid")
        })
}

fn iteration(h: &Harness<'_, GanscopeApp>) -> u64 {
    h.state().picture().counters.iteration
}

#[test]
fn play_then_pause_advances_then_holds_the_iteration_count() {
    let mut h = app("fig1");
    h.run_steps(2);
    assert_eq!(iteration(&h), 0);
    h.get_by_label("Play").click();
    h.run_steps(10);
    let running = iteration(&h);
    assert!(running > 0, "playing must train");
    h.get_by_label("Pause").click();
    h.run_steps(3);
    let paused = iteration(&h);
    h.run_steps(10);
    assert_eq!(iteration(&h), paused, "paused must hold");
    assert!(!h.state().picture().playing);
}

#[test]
fn one_step_is_k_discriminator_steps_and_one_generator_step() {
    let mut h = app("fig1");
    h.get_by_role_and_label(Role::Slider, "k (D steps)")
        .set_value_accesskit(3.0);
    h.run_steps(3);
    assert_eq!(h.state().picture().settings.training.k, 3);
    h.get_by_label("Step").click();
    h.run_steps(3);
    let c = h.state().picture().counters;
    assert_eq!((c.iteration, c.d_steps, c.g_steps), (1, 3, 1));
    h.get_by_label("D step").click();
    h.run_steps(2);
    h.get_by_label("G step").click();
    h.run_steps(2);
    let c = h.state().picture().counters;
    assert_eq!((c.iteration, c.d_steps, c.g_steps), (1, 4, 2));
}

#[test]
fn k_learning_rate_and_loss_change_mid_run_without_reset() {
    let mut h = app("fig1");
    for _ in 0..5 {
        h.get_by_label("Step").click();
        h.run_steps(2);
    }
    assert_eq!(iteration(&h), 5);
    h.get_by_role_and_label(Role::Slider, "k (D steps)")
        .set_value_accesskit(2.0);
    h.get_by_role_and_label(Role::Slider, "learning rate D")
        .set_value_accesskit(0.002);
    h.run_steps(2);
    h.get_by_label("loss").click();
    h.run_steps(2);
    h.get_by_label("least-squares").click();
    h.run_steps(3);
    let t = &h.state().picture().settings.training;
    assert_eq!(t.k, 2);
    assert!((t.lr_d - 0.002).abs() < 1e-9, "lr_d = {}", t.lr_d);
    assert_eq!(t.loss, ganscope::sim::LossKind::LeastSquares);
    let before = h.state().picture().counters;
    h.get_by_label("Step").click();
    h.run_steps(2);
    let after = h.state().picture().counters;
    assert_eq!(after.iteration, 6, "no reset");
    assert_eq!(after.d_steps - before.d_steps, 2, "the new k is in force");
}

#[test]
fn a_divergent_setting_shows_the_banner_and_back_to_last_good_state_restores() {
    let mut h = app("fig1");
    h.get_by_role_and_label(Role::Slider, "learning rate D")
        .set_value_accesskit(1.0);
    h.run_steps(2);
    h.get_by_label("Step").click();
    h.run_steps(3);
    assert!(
        h.state().picture().divergence.is_some(),
        "Adam at lr 1 must diverge"
    );
    let _banner = h.get_by_label_contains("Training stopped: diverged");
    h.get_by_label("Back to last good state").click();
    h.run_steps(3);
    let p = h.state().picture();
    assert!(p.divergence.is_none());
    assert!(
        p.curves
            .p_g
            .iter()
            .chain(&p.curves.d)
            .chain(&p.curves.p_data)
            .all(|v| v.is_finite())
    );
    assert!(p.analysis.metrics.jsd.is_finite());
    assert!(
        p.settings.training.lr_d < 0.01,
        "the checkpoint's settings are back"
    );
}

#[test]
fn main_view_snapshot() {
    let mut h = app("fig1");
    for _ in 0..20 {
        h.get_by_label("Step").click();
        h.run_steps(1);
    }
    h.run_steps(2);
    assert_eq!(iteration(&h), 20);
    h.snapshot("main_view_fig1_iteration_20");
}

#[test]
fn a_pasted_settings_string_starts_that_run_and_a_bad_one_is_refused() {
    let mut h = app("fig1");
    let line = Settings::preset("collapse").expect("preset").to_line();
    h.get_by_label("Load string").click();
    h.run_steps(2);
    assert!(
        h.state().picture().settings.training.g_steps == 1,
        "an empty string changes nothing"
    );
    let _refusal = h.get_by_label_contains("no ganscope1: prefix");
    h.get_by_role(Role::TextInput).focus();
    h.run_steps(1);
    h.get_by_role(Role::TextInput).type_text(&line);
    h.run_steps(2);
    h.get_by_label("Load string").click();
    h.run_steps(3);
    assert_eq!(
        h.state().picture().settings,
        Settings::preset("collapse").expect("preset")
    );
}

#[test]
fn choosing_a_preset_resets_to_it_and_shows_its_lesson() {
    let mut h = app("fig1");
    for _ in 0..3 {
        h.get_by_label("Step").click();
        h.run_steps(1);
    }
    h.get_by_label("Presets").click();
    h.run_steps(2);
    h.get_by_label("collapse").click();
    h.run_steps(3);
    let p = h.state().picture();
    assert_eq!(p.settings, Settings::preset("collapse").expect("preset"));
    assert_eq!(p.counters.iteration, 0, "a preset starts a new run");
    let _lesson = h.get_by_label_contains("Preset collapse: Two modes");
}
