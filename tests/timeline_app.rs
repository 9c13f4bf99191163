//! The timeline driven through the app's UI (egui_kittest, training inline): the keys and
//! the slider show earlier moments while the run waits, Live goes back, "Continue from
//! here" branches, and the onion skin draws earlier p_g curves.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use ganscope::app::GanscopeApp;
use ganscope::sim::Settings;

fn app() -> Harness<'static, GanscopeApp> {
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(|_| {
            GanscopeApp::new_inline(Settings::preset("fig1").expect("preset")).expect("valid")
        });
    h.run_steps(2);
    h
}

fn key(h: &mut Harness<'static, GanscopeApp>, key: egui::Key) {
    h.key_press(key);
    h.run_steps(2);
}

#[test]
fn scrubbing_shows_earlier_moments_and_continue_from_here_branches() {
    let mut h = app();
    for _ in 0..12 {
        h.get_by_label("Step").click();
        h.run_steps(1);
    }
    h.run_steps(1);
    let p = h.state().picture();
    assert_eq!(p.counters.iteration, 12);
    assert_eq!(p.timeline.iterations.len(), 13);
    let _live = h.get_by_label("live, iteration 12");
    // Back three moments: the latest moment is the live state itself, so "," passes it.
    for _ in 0..3 {
        key(&mut h, egui::Key::Comma);
    }
    let p = h.state().picture();
    assert_eq!(p.timeline.scrub, Some(9));
    assert_eq!(p.counters.iteration, 9, "the figure shows iteration 9");
    assert_eq!(p.timeline.live_iteration, 12, "the live run waits at 12");
    let _label = h.get_by_label("iteration 9 of 12");
    // The slider goes anywhere; its right end is the live run.
    h.get_by_role_and_label(Role::Slider, "Timeline")
        .set_value_accesskit(2.0);
    h.run_steps(2);
    assert_eq!(h.state().picture().timeline.scrub, Some(2));
    assert_eq!(h.state().picture().counters.iteration, 2);
    h.get_by_label("Back to live").click();
    h.run_steps(2);
    assert_eq!(h.state().picture().timeline.scrub, None);
    assert_eq!(h.state().picture().counters.iteration, 12);
    // "." from the moment before the live one goes back to live.
    key(&mut h, egui::Key::Comma);
    assert_eq!(h.state().picture().timeline.scrub, Some(11));
    key(&mut h, egui::Key::Period);
    assert_eq!(h.state().picture().timeline.scrub, None);
    // The onion skin: four earlier p_g curves, drawn with the figure.
    h.get_by_label("Onion skin").click();
    h.run_steps(2);
    let p = h.state().picture();
    assert!(p.timeline.onion_on);
    assert_eq!(p.timeline.onion.len(), 4);
    let _legend = h.get_by_label("p_g earlier (onion skin)");
    // Branch from iteration 5 with the button, then with B from 3.
    for _ in 0..7 {
        key(&mut h, egui::Key::Comma);
    }
    assert_eq!(h.state().picture().counters.iteration, 5);
    h.get_by_label("Continue from here").click();
    h.run_steps(2);
    let p = h.state().picture();
    assert_eq!(p.timeline.scrub, None);
    assert_eq!(p.counters.iteration, 5);
    assert_eq!(
        p.timeline.iterations.len(),
        6,
        "the later moments are dropped"
    );
    let _notice = h.get_by_label_contains("Branched at iteration 5");
    key(&mut h, egui::Key::Comma);
    key(&mut h, egui::Key::Comma);
    key(&mut h, egui::Key::B);
    assert_eq!(h.state().picture().counters.iteration, 3);
    h.get_by_label("Step").click();
    h.run_steps(2);
    assert_eq!(
        h.state().picture().counters.iteration,
        4,
        "the branch trains on"
    );
}
