//! The metric plots' record: live setting changes as markers, rows placed on a progress axis
//! that moves through D-only phases, and the choice of x axis.

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use ganscope::app::GanscopeApp;
use ganscope::app::controls::ViewPrefs;
use ganscope::app::history::Trained;
use ganscope::app::metrics::{IterationAxis, MetricsView};
use ganscope::app::theme::Theme;
use ganscope::app::worker::{Command, Published, Worker};
use ganscope::sim::story::Stage;
use ganscope::sim::{LossKind, Settings};

fn worker(preset: &str) -> Worker {
    Worker::new(Settings::preset(preset).expect("preset")).expect("valid")
}

fn steps(w: &mut Worker, n: usize) {
    for _ in 0..n {
        w.handle(Command::StepIteration);
    }
}

fn with_training(
    p: &Published,
    edit: impl FnOnce(&mut ganscope::sim::settings::TrainingSettings),
) -> Command {
    let mut t = p.settings.training.clone();
    edit(&mut t);
    Command::SetTraining(t)
}

fn labels(p: &Published) -> Vec<(u64, String)> {
    p.markers
        .iter()
        .map(|m| (m.place.counters.iteration, m.label()))
        .collect()
}

#[test]
fn a_live_change_is_one_marker_at_its_iteration_with_what_changed() {
    let mut w = worker("fig1");
    steps(&mut w, 30);
    let p = w.publish();
    assert_eq!(p.settings.training.loss, LossKind::NonSaturating);
    w.handle(with_training(&p, |t| t.loss = LossKind::Minimax));
    steps(&mut w, 5);
    let p = w.publish();
    assert_eq!(
        labels(&p),
        [(30, "loss: non-saturating -> minimax".to_owned())]
    );
    // Setting what is already in force, or the pace, marks nothing.
    w.handle(with_training(&p, |_| {}));
    w.handle(Command::SetPace(ganscope::sim::pace::Pace::Fastest));
    assert_eq!(w.publish().markers.len(), 1);
    // A refused value marks nothing either.
    w.handle(with_training(&p, |t| t.lr_d = -1.0));
    let p = w.publish();
    assert!(p.error.is_some());
    assert_eq!(p.markers.len(), 1);
}

#[test]
fn a_rewind_drops_later_markers_and_marks_the_settings_it_kept() {
    let mut w = worker("fig1");
    steps(&mut w, 10);
    let p = w.publish();
    w.handle(with_training(&p, |t| t.k = 2));
    steps(&mut w, 140);
    let p = w.publish();
    assert_eq!(p.counters.iteration, 150);
    w.handle(with_training(&p, |t| t.lr_g = 1e-3));
    steps(&mut w, 5);
    assert_eq!(w.publish().markers.len(), 2);

    w.handle(Command::Rewind);
    let p = w.publish();
    assert_eq!(p.counters.iteration, 100, "back to the checkpoint");
    assert_eq!(
        labels(&p),
        [
            (10, "k (D steps): 1 -> 2".to_owned()),
            (100, "learning rate G: 0.0005 -> 0.001".to_owned())
        ],
        "the change after the checkpoint is gone; the rate kept starts at the checkpoint"
    );
    let last = p.minibatch_history.last_place().expect("rows");
    assert_eq!(last.counters, p.counters);
    assert!(
        p.minibatch_history
            .places()
            .iter()
            .all(|pl| pl.counters.iteration <= 100)
    );

    w.handle(Command::Reset);
    assert!(w.publish().markers.is_empty(), "a new run has no markers");
}

#[test]
fn d_only_steps_move_the_progress_axis_one_step_each() {
    let mut w = worker("fig1");
    steps(&mut w, 20);
    for _ in 0..300 {
        w.handle(Command::StepDiscriminator);
    }
    steps(&mut w, 20);
    let p = w.publish();
    assert_eq!(p.counters.iteration, 40);
    let places = p.minibatch_history.places();
    assert!(
        places.windows(2).all(|w| w[0].progress < w[1].progress),
        "strictly increasing"
    );
    let last = places.last().expect("rows");
    assert_eq!(last.progress, 340.0, "40 iterations + 300 D-only steps");
    let phases = p.minibatch_history.single_step_phases(10.0);
    assert_eq!(phases.len(), 1);
    let phase = phases.first().expect("the D-only phase");
    assert_eq!((phase.start, phase.end), (20.0, 320.0));
    assert_eq!(phase.trained, Trained::DiscriminatorOnly);
    assert_eq!(p.minibatch_history.iteration_at(200.0), 20.0);
    assert_eq!(p.minibatch_history.iteration_at(330.0), 30.0);
    // The exact metrics (recorded once per picture) sit on the same axis.
    assert_eq!(p.history.last_place().map(|pl| pl.progress), Some(340.0));
}

#[test]
fn figure_1_stage_b_is_drawn_over_its_d_steps_as_d_approaches_d_star() {
    let mut w = worker("fig1");
    w.handle(Command::Figure1);
    // Into stage (b), D trained alone: enough of it to see D's loss fall, then cancel.
    let d_only_steps = |p: &Published| {
        p.minibatch_history
            .single_step_phases(1.0)
            .iter()
            .filter(|ph| ph.trained == Trained::DiscriminatorOnly)
            .map(|ph| ph.end - ph.start)
            .sum::<f64>()
    };
    let mut guard = 0;
    let p = loop {
        // No time budget: one slice of the scenario per picture, whatever the machine.
        w.work(Duration::ZERO);
        let p = w.publish();
        let in_b = p.story.running.is_some_and(|r| r.stage == Stage::B);
        if in_b && d_only_steps(&p) >= 2500.0 {
            break p;
        }
        guard += 1;
        assert!(guard < 2000, "stage (b) not reached");
    };
    w.handle(Command::CancelStory);
    let phases = p.minibatch_history.single_step_phases(100.0);
    let b = phases.last().expect("stage (b) is a D-only phase");
    assert_eq!(b.trained, Trained::DiscriminatorOnly);
    let in_b: Vec<f64> = p
        .minibatch_history
        .points(|r| r.d_loss)
        .map(|[x, _]| x)
        .filter(|x| (b.start..=b.end).contains(x))
        .collect();
    assert!(in_b.len() >= 10, "{} rows in stage (b)", in_b.len());
    assert!(in_b.windows(2).all(|w| w[0] < w[1]), "strictly increasing");
    // Proposition 1: D approaches D*, so V(D, G) rises to C(G) = max_D V(D, G).
    let gaps: Vec<f64> = p
        .history
        .points(|r| r.c_g - r.value)
        .filter(|[x, _]| (b.start..=b.end).contains(x))
        .map(|[_, gap]| gap)
        .collect();
    assert!(gaps.len() >= 10, "{} exact rows in stage (b)", gaps.len());
    let (first, last) = (gaps[0], gaps[gaps.len() - 1]);
    assert!(
        last < first / 2.0,
        "C(G) - V(D, G) falls in (b): {first} -> {last}"
    );
}

#[test]
fn the_axis_choice_is_a_row_of_buttons_and_saves_with_the_view() {
    let picture = worker("fig1").publish();
    let palette = Theme::Light.palette();
    let mut h = Harness::builder()
        .with_size([1200.0, 600.0])
        .build_ui_state(
            |ui, view: &mut MetricsView| view.ui(ui, &picture, palette),
            MetricsView::default(),
        );
    h.run();
    h.get_by_label("log scale").click();
    h.run();
    assert_eq!(h.state().axis, IterationAxis::Logarithmic);
    h.get_by_label("last").click();
    h.run();
    assert_eq!(h.state().axis, IterationAxis::Recent);
    h.get_by_label("whole run").click();
    h.run();
    assert_eq!(h.state().axis, IterationAxis::WholeRun);

    let saved = ViewPrefs {
        metrics: MetricsView {
            axis: IterationAxis::Recent,
            recent_iterations: 10_000,
        },
        ..ViewPrefs::default()
    };
    let text = serde_json::to_string(&saved).expect("serialises");
    let back: ViewPrefs = serde_json::from_str(&text).expect("reads back");
    assert_eq!(back, saved);
    let older: ViewPrefs = serde_json::from_str("{}").expect("older prefs read");
    assert_eq!(older.metrics, MetricsView::default());
}

#[test]
fn the_app_marks_a_slider_change_while_playing() {
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(|_| {
            GanscopeApp::new_inline(Settings::preset("fig1").expect("preset")).expect("valid")
        });
    h.get_by_label("Play").click();
    h.run_steps(5);
    h.get_by_role_and_label(egui::accesskit::Role::Slider, "learning rate D")
        .set_value_accesskit(0.002);
    h.run_steps(5);
    h.get_by_label("log scale").click();
    h.run_steps(3);
    let p = h.state().picture();
    assert!(p.counters.iteration > 0);
    assert_eq!(p.markers.len(), 1);
    let label = p.markers.first().map(|m| m.label());
    assert_eq!(label.as_deref(), Some("learning rate D: 0.0005 -> 0.002"));
}
