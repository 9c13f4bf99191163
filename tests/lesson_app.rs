//! A lesson in the app (egui_kittest, training inline): opened from the Lesson menu, each
//! step plays to its condition and says so; -> goes on, R replays the step from its
//! start, <- goes back to the previous step's start; leaving puts the run and the user's
//! views back as they were.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
#[path = "common/ui.rs"]
mod ui;
use ui::run_until;

use ganscope::app::GanscopeApp;
use ganscope::app::controls::ViewPrefs;
use ganscope::app::lesson_view;
use ganscope::sim::Settings;
use ganscope::sim::lesson::Lesson;

fn reached(app: &GanscopeApp, index: usize) -> bool {
    app.picture()
        .lesson
        .as_ref()
        .is_some_and(|l| l.index == index && l.outcome.as_ref().is_some_and(|o| o.reached()))
}

#[test]
fn a_lesson_steps_next_replay_back_and_leaves_the_run_as_it_was() {
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(|_| {
            GanscopeApp::new_inline(Settings::preset("reference").expect("preset")).expect("valid")
        });
    h.run_steps(2);
    h.get_by_label("Step").click();
    h.run_steps(3);
    let before = h.state().picture().counters.iteration;
    assert_eq!(before, 1);
    h.get_by_label("Lesson").click();
    h.run_steps(2);
    h.get_by_label_contains("proposition2: ").click();
    h.run_steps(2);
    let lesson = Lesson::named("proposition2").expect("built in");
    assert!(
        h.query_by_label_contains(&lesson.steps[0].caption)
            .is_some(),
        "the caption shows"
    );
    assert!(h.query_by_label_contains("Step 1 of 2").is_some());
    run_until(&mut h, 2000, |a| reached(a, 0));
    h.run_steps(2);
    assert!(h.query_by_label_contains("press -> for the next").is_some());
    let end_of_1 = h.state().picture().counters.iteration;
    assert!(end_of_1 > 0);

    // -> : step 2 from where step 1 ended, with the oracle D on.
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    run_until(&mut h, 3000, |a| reached(a, 1));
    let picture = h.state().picture().clone();
    assert!(picture.oracle, "step 2 uses the oracle D");
    let end_of_2 = picture.counters.iteration;
    assert!(end_of_2 > end_of_1);
    let jsd_2 = picture.analysis.metrics.jsd;

    // R : step 2 again from its start gives the same end.
    h.key_press(egui::Key::R);
    h.run_steps(1);
    assert!(
        h.state().picture().counters.iteration < end_of_2,
        "replay starts over"
    );
    run_until(&mut h, 3000, |a| reached(a, 1));
    let again = h.state().picture().clone();
    assert_eq!(again.counters.iteration, end_of_2);
    assert!((again.analysis.metrics.jsd - jsd_2).abs() < 1e-12);

    // <- : back to step 1's start (iteration 0 of the lesson's run).
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(1);
    let back = h.state().picture().clone();
    assert_eq!(back.lesson.as_ref().map(|l| l.index), Some(0));
    assert!(back.counters.iteration < end_of_1, "step 1 starts over");
    assert!(!back.oracle, "step 1 has no oracle");

    // Leaving puts the run back.
    h.get_by_label("Leave lesson").click();
    h.run_steps(2);
    let left = h.state().picture();
    assert!(left.lesson.is_none());
    assert_eq!(left.counters.iteration, before);
    assert_eq!(
        left.settings,
        Settings::preset("reference").expect("preset")
    );
}

#[test]
fn a_steps_views_are_shown_for_it_and_the_users_own_come_back() {
    let lesson = Lesson::named("figure1").expect("built in");
    let step = &lesson.steps[2];
    assert_eq!(step.shows("forces"), Some(true));
    let mut prefs = ViewPrefs::default();
    prefs.overlays.forces = false;
    prefs.g_vs_z = true;
    let mut metrics = true;
    let user = prefs.clone();
    let forced = lesson_view::force(Some(step), &mut prefs, &mut metrics);
    assert!(prefs.overlays.forces, "the step turns the pushes on");
    lesson_view::restore(forced, &mut prefs, &mut metrics);
    assert_eq!(prefs, user, "the user's views come back");
    // A toggle the user changes while the step shows it is the user's change and stays.
    let forced = lesson_view::force(Some(step), &mut prefs, &mut metrics);
    prefs.overlays.forces = false;
    prefs.overlays.histogram = true;
    lesson_view::restore(forced, &mut prefs, &mut metrics);
    assert!(!prefs.overlays.forces && prefs.overlays.histogram);
}
