//! The worker's "see why" commands: breakpoints pause the run where a condition starts to
//! hold, the oracle D replaces D's training, and slow motion's sub-steps add up to the
//! iteration a normal step takes.

use std::time::Duration;

use ganscope::app::worker::{Command, Published, Worker};
use ganscope::sim::LossKind;
use ganscope::sim::breakpoint::Breakpoints;
use ganscope::sim::settings::Settings;

fn worker(preset: &str) -> Worker {
    let mut w = Worker::new(Settings::preset(preset).expect("preset")).expect("valid");
    w.handle(Command::SetPace(ganscope::sim::pace::Pace::Fastest));
    w
}

/// Plays until the worker pauses by itself or `iterations` are done.
fn play(w: &mut Worker, iterations: u64) -> Published {
    w.handle(Command::SetPlaying(true));
    for _ in 0..10_000 {
        if !w.playing() || w.publish().counters.iteration >= iterations {
            break;
        }
        w.work(Duration::from_millis(5));
    }
    w.publish()
}

fn breakpoints(text: &str) -> Breakpoints {
    Breakpoints::parse(text).expect("a valid list")
}

#[test]
fn an_iteration_breakpoint_pauses_exactly_there_once_and_play_goes_on() {
    let mut w = worker("fig1");
    w.handle(Command::SetBreakpoints(breakpoints("iteration=30")));
    let p = play(&mut w, 1_000);
    assert!(!p.playing, "the breakpoint paused the run");
    assert_eq!(p.counters.iteration, 30);
    let fired = p.fired.expect("which breakpoint fired");
    assert_eq!(fired.iteration, 30);
    assert!(fired.to_string().contains("iteration"), "{fired}");
    // It fired when it started to hold: playing on does not stop again at once.
    let p = play(&mut w, 80);
    assert!(
        p.counters.iteration >= 80,
        "stopped at {}",
        p.counters.iteration
    );
    assert!(p.fired.is_none(), "play clears the report");
}

#[test]
fn a_jsd_breakpoint_fires_when_jsd_first_falls_below_it() {
    let mut w = worker("fig1");
    let start = w.publish().analysis.metrics.jsd;
    let eps = start * 0.7;
    w.handle(Command::SetBreakpoints(breakpoints(&format!("jsd<{eps}"))));
    let p = play(&mut w, 20_000);
    let fired = p.fired.expect("JSD fell below 70 % of its start");
    assert!(fired.value < eps, "{fired}");
    // Checked on the state the run stopped in.
    assert!(
        (p.analysis.metrics.jsd - fired.value).abs() < 1e-12,
        "{fired}"
    );
}

#[test]
fn mode_lost_is_refused_for_a_single_gaussian_and_names_the_field() {
    let mut w = worker("fig1");
    w.handle(Command::SetBreakpoints(breakpoints("mode-lost")));
    let p = w.publish();
    let error = p.error.expect("refused");
    assert!(error.contains("target.kind"), "{error}");
    assert!(p.breakpoints.is_empty(), "nothing was put in force");
}

#[test]
fn the_oracle_d_trains_g_alone_and_refuses_losses_without_d_star() {
    let mut w = worker("fig1");
    w.handle(Command::SetOracle(true));
    let p = w.publish();
    assert!(p.oracle && p.error.is_none(), "{:?}", p.error);
    let jsd0 = p.analysis.metrics.jsd;
    for _ in 0..50 {
        w.handle(Command::StepIteration);
    }
    let p = w.publish();
    assert_eq!(p.counters.iteration, 50);
    assert_eq!(p.counters.d_steps, 0, "D is not trained: D* replaces it");
    assert!(
        p.analysis.metrics.jsd < jsd0,
        "JSD {jsd0} -> {}",
        p.analysis.metrics.jsd
    );
    // A live change to a loss with no D* is refused, the oracle stays on.
    let mut training = p.settings.training.clone();
    training.loss = LossKind::WassersteinGp;
    w.handle(Command::SetTraining(training));
    let p = w.publish();
    assert!(p.oracle);
    assert_eq!(p.settings.training.loss, LossKind::NonSaturating);
    assert!(p.error.expect("refused").contains("training.loss"));
    // A new run with such a loss turns it off and says so.
    w.handle(Command::Load(Settings::preset("wgan-gp").expect("preset")));
    let p = w.publish();
    assert!(!p.oracle);
    assert!(p.notice.expect("said").contains("oracle D is off"));
    w.handle(Command::SetOracle(true));
    assert!(
        w.publish()
            .error
            .expect("refused")
            .contains("training.loss")
    );
}

#[test]
fn slow_motion_sub_steps_make_exactly_one_iteration() {
    let mut slow = worker("fig1");
    let mut plain = worker("fig1");
    slow.handle(Command::SetSlowMotion(true));
    let mut lines = Vec::new();
    for _ in 0..100 {
        slow.handle(Command::StepIteration);
        let p = slow.publish();
        let s = p.slow.expect("slow motion is on");
        let last = s.last.expect("a sub-step ran");
        lines.push(last.explain());
        if last.completes_iteration {
            assert_eq!(s.progress, (0, 0), "between iterations");
            break;
        }
        assert!(s.upcoming.is_some());
    }
    // fig1: D's head start, k = 1 D step of five sub-steps, one G step of three.
    assert!(lines.len() >= 8, "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("D's step")), "{lines:#?}");
    plain.handle(Command::StepIteration);
    let (a, b) = (slow.publish(), plain.publish());
    assert_eq!(a.counters, b.counters);
    assert_eq!(a.stats, b.stats);
    assert_eq!(a.analysis.metrics, b.analysis.metrics, "the same networks");
}

#[test]
fn leaving_slow_motion_mid_iteration_finishes_it() {
    let mut slow = worker("fig1");
    let mut plain = worker("fig1");
    slow.handle(Command::SetSlowMotion(true));
    for _ in 0..3 {
        slow.handle(Command::SubStep);
    }
    assert_eq!(slow.publish().counters.iteration, 0);
    slow.handle(Command::SetSlowMotion(false));
    plain.handle(Command::StepIteration);
    let (a, b) = (slow.publish(), plain.publish());
    assert!(a.slow.is_none());
    assert_eq!(a.counters, b.counters);
    assert_eq!(a.analysis.metrics, b.analysis.metrics);
    // A sub-step outside slow motion is refused with the way in.
    slow.handle(Command::SubStep);
    assert!(
        slow.publish()
            .error
            .expect("refused")
            .contains("slow motion")
    );
}

#[test]
fn slow_motion_and_the_oracle_exclude_each_other() {
    let mut w = worker("fig1");
    w.handle(Command::SetOracle(true));
    w.handle(Command::SetSlowMotion(true));
    let p = w.publish();
    assert!(p.slow.is_none() && p.oracle);
    assert!(p.error.expect("refused").contains("oracle"));
}
