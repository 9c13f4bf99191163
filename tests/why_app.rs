//! The "See why" section driven through the app's UI (egui_kittest, training inline): the
//! toggles do what they say, the oracle D is refused where it has no meaning, breakpoints
//! set in the UI pause the run, the mode alarm shows on a collapse and the G vs z view
//! draws.

use egui::accesskit::{Role, Toggled};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
#[path = "common/ui.rs"]
mod ui;
use ui::run_until;

use ganscope::app::GanscopeApp;
use ganscope::sim::Settings;

fn app(preset: &str) -> Harness<'static, GanscopeApp> {
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(move |_| {
            GanscopeApp::new_inline(Settings::preset(preset).expect("preset")).expect("valid")
        });
    h.run_steps(2);
    // The conditions are folded under their heading until opened.
    click(&mut h, "Pause when");
    h
}

fn click(h: &mut Harness<'static, GanscopeApp>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

fn toggled(h: &Harness<'static, GanscopeApp>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().toggled() == Some(Toggled::True)
}

fn disabled(h: &Harness<'static, GanscopeApp>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().is_disabled()
}

/// Ticks `condition` (its box then appears, showing `shown`), types `value` into the box
/// and leaves it with Enter.
fn pause_when(h: &mut Harness<'static, GanscopeApp>, condition: &str, shown: &str, value: &str) {
    click(h, condition);
    let value_box = |h: &Harness<'static, GanscopeApp>| {
        h.get_all_by_role(Role::TextInput)
            .find(|n| n.value().as_deref() == Some(shown))
            .unwrap_or_else(|| panic!("a box showing {shown}"))
            .focus();
    };
    value_box(h);
    h.run_steps(1);
    h.get_all_by_role(Role::TextInput)
        .find(|n| n.value().as_deref() == Some(shown))
        .unwrap_or_else(|| panic!("a box showing {shown}"))
        .set_text_value_accesskit(value);
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
}

/// Plays until a breakpoint pauses the run.
fn play_until_paused(h: &mut Harness<'static, GanscopeApp>, frames: usize) {
    click(h, "Play");
    run_until(h, frames, |app| !app.picture().playing);
}

#[test]
fn each_toggle_does_what_it_says_and_the_two_modes_exclude_each_other() {
    let mut h = app("fig1");
    assert!(!toggled(&h, "forces on samples"));
    click(&mut h, "forces on samples");
    assert!(
        toggled(&h, "forces on samples"),
        "the checkbox shows the pref"
    );
    // fig1's target is one Gaussian: no modes to show.
    assert!(disabled(&h, "mode bars"));
    assert!(disabled(&h, "a mode lost"));
    assert!(h.state().picture().slow.is_none());
    click(&mut h, "Algorithm 1 in slow motion");
    assert!(h.state().picture().slow.is_some(), "slow motion is on");
    assert!(disabled(&h, "oracle D"), "no oracle under slow motion");
    click(&mut h, "Algorithm 1 in slow motion");
    assert!(h.state().picture().slow.is_none());
    click(&mut h, "oracle D");
    assert!(h.state().picture().oracle, "the oracle D is on");
    assert!(
        disabled(&h, "Algorithm 1 in slow motion"),
        "no slow motion with the oracle"
    );
    // Training with it goes on, and the checkbox turns it off again.
    click(&mut h, "Step");
    assert_eq!(h.state().picture().counters.iteration, 1);
    click(&mut h, "oracle D");
    assert!(!h.state().picture().oracle);
    assert!(h.state().picture().error.is_none());
}

#[test]
fn the_oracle_is_refused_for_a_wasserstein_loss_with_the_reason() {
    let mut h = app("wgan-gp");
    assert!(disabled(&h, "oracle D"));
    assert!(
        h.query_by_label_contains("oracle D needs the minimax or non-saturating loss, not")
            .is_some(),
        "the reason is shown under the checkbox"
    );
    // The key asks anyway: the worker refuses and says why.
    h.key_press(egui::Key::O);
    h.run_steps(2);
    let picture = h.state().picture();
    assert!(!picture.oracle);
    let error = picture.error.clone().unwrap_or_default();
    assert!(error.contains("minimax or non-saturating"), "{error}");
    // The mixture's conditions are offered here.
    assert!(!disabled(&h, "mode bars"));
    assert!(!disabled(&h, "a mode lost"));
}

#[test]
fn a_bad_value_is_refused_with_its_range_and_nothing_is_sent() {
    let mut h = app("fig1");
    pause_when(&mut h, "iteration N", "1000", "0");
    assert!(
        h.query_by_label_contains("iteration N: '0' refused, expected a whole number")
            .is_some()
    );
    pause_when(&mut h, "JSD below", "0.01", "0.9");
    assert!(
        h.query_by_label_contains("JSD below: '0.9' refused, expected a number in (0, 0.693]")
            .is_some()
    );
    // Ticking sent the default N = 1000; the refused values changed nothing after it.
    assert_eq!(
        h.state().picture().breakpoints.to_string(),
        "iteration=1000",
        "nothing sent"
    );
    assert!(h.query_by_label("--until iteration=1000").is_some());
}

#[test]
fn iteration_30_set_in_the_ui_pauses_play_at_30_exactly_and_play_goes_on() {
    let mut h = app("fig1");
    pause_when(&mut h, "iteration N", "1000", "30");
    assert_eq!(h.state().picture().breakpoints.to_string(), "iteration=30");
    assert!(h.query_by_label("--until iteration=30").is_some());
    play_until_paused(&mut h, 300);
    let picture = h.state().picture();
    assert_eq!(picture.counters.iteration, 30);
    let fired = picture.fired.expect("a breakpoint fired");
    assert_eq!(fired.iteration, 30);
    assert!(
        h.query_by_label_contains("Paused: iteration=30 held at iteration 30")
            .is_some()
    );
    // Edge-triggered: Play goes on past it.
    click(&mut h, "Play");
    run_until(&mut h, 300, |app| app.picture().counters.iteration > 40);
    assert!(h.state().picture().fired.is_none());
}

#[test]
fn the_mode_alarm_shows_on_collapse_and_pauses_a_run_set_to_stop_there() {
    let mut h = app("collapse");
    assert!(h.query_by_label_contains("Mode coverage").is_some());
    assert!(h.query_by_label_contains("lost: p_g puts").is_none());
    click(&mut h, "a mode lost");
    assert_eq!(h.state().picture().breakpoints.to_string(), "mode-lost");
    play_until_paused(&mut h, 300);
    let picture = h.state().picture();
    // Checked after each chunk of 16 iterations; seed 1 loses a mode within 100.
    let at = picture.counters.iteration;
    assert!(at % 16 == 0 && at <= 320, "paused at {at}");
    let fired = picture.fired.expect("mode-lost fired");
    assert!(fired.mode.is_some_and(|(_, m)| m.is_lost()));
    assert!(
        h.query_by_label_contains("lost: p_g puts").is_some(),
        "the alarm is shown"
    );
    assert!(
        h.query_by_label_contains("Paused: mode-lost held at iteration")
            .is_some()
    );
}

#[test]
fn the_mode_alarm_stays_silent_on_wgan_gp_through_1000_iterations() {
    let mut h = app("wgan-gp");
    click(&mut h, "iteration N");
    play_until_paused(&mut h, 3000);
    assert_eq!(h.state().picture().counters.iteration, 1000);
    let modes = h.state().picture().modes.clone().expect("a mixture");
    assert!(modes.iter().all(|m| !m.is_lost()), "{modes:?}");
    assert!(h.query_by_label_contains("Mode coverage").is_some());
    assert!(h.query_by_label_contains("lost: p_g puts").is_none());
}

#[test]
fn the_g_vs_z_view_draws_its_legend_and_numbers() {
    let mut h = app("fig1");
    assert!(h.query_by_label("T*(z) = F_data^-1(F_z(z))").is_none());
    click(&mut h, "G vs z");
    for _ in 0..3 {
        click(&mut h, "Step");
    }
    assert!(h.query_by_label("G(z)").is_some());
    assert!(h.query_by_label("T*(z) = F_data^-1(F_z(z))").is_some());
    let ideal = h.state().picture().ideal.clone();
    let gap = format!("max |G - T*| = {:.3}", ideal.max_gap());
    assert!(h.query_by_label_contains(&gap).is_some(), "{gap}");
    assert!(h.query_by_label_contains("misplaced mass ").is_some());
    // A decreasing G also gets the mirror map it can still reach.
    let mirror = h.query_by_label("mirror of T*").is_some();
    assert_eq!(mirror, ideal.max_gap_to_mirror().is_some());
}
