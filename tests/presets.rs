//! Each preset shows what its description says; the README quotes these measurements.

use ganscope::sim::analysis::{Analysis, AnalysisOptions};
use ganscope::sim::coverage;
use ganscope::sim::{LossKind, Settings, Trainer};

fn settings(preset: &str, seed: u64) -> Settings {
    let mut s = Settings::preset(preset).expect("preset");
    s.seed = seed;
    s
}

fn quick(t: &Trainer) -> Analysis {
    Analysis::new(
        &t.model(),
        &AnalysisOptions {
            grid_points: 400,
            z_cells: 1024,
            ..Default::default()
        },
    )
}

/// Runs `iters` iterations and analyses every `every`.
fn trace(s: Settings, iters: u64, every: u64) -> Vec<Analysis> {
    let mut t = Trainer::new(s).expect("valid");
    (0..iters / every)
        .map(|_| {
            t.run(every).expect("the preset must not diverge");
            quick(&t)
        })
        .collect()
}

/// The first analysed iteration at which p_g's mean is within 1 of the data's mean.
fn escape_iteration(s: Settings, limit: u64) -> Option<u64> {
    let every = 25;
    let target = s.target.mean();
    let mut t = Trainer::new(s).expect("valid");
    (1..=limit / every).find_map(|i| {
        t.run(every).expect("finite");
        ((quick(&t).metrics.p_g_mean - target).abs() < 1.0).then_some(i * every)
    })
}

#[test]
fn vanishing_minimax_generator_escapes_far_later_than_non_saturating() {
    for seed in [1, 2] {
        let minimax = escape_iteration(settings("vanishing", seed), 3000);
        let mut ns = settings("vanishing", seed);
        ns.training.loss = LossKind::NonSaturating;
        let non_saturating = escape_iteration(ns, 3000).expect("non-saturating G reaches the data");
        let minimax = minimax.unwrap_or(3000);
        assert!(
            non_saturating <= 200,
            "seed {seed}: non-saturating took {non_saturating}"
        );
        assert!(
            minimax >= 5 * non_saturating,
            "seed {seed}: minimax escaped at {minimax}, non-saturating at {non_saturating}"
        );
    }
}

#[test]
fn collapse_drops_a_mode_most_of_the_time_and_one_generator_step_does_not() {
    let dropped = |s: Settings| {
        let target = s.target.clone();
        let frames = trace(s, 6000, 100);
        let n = frames
            .iter()
            .filter(|a| {
                let modes = coverage::mode_masses(a, &target).expect("a mixture");
                modes.iter().any(|m| m.mass < 0.05)
            })
            .count();
        n as f64 / frames.len() as f64
    };
    let collapse = dropped(settings("collapse", 1));
    let mut control = settings("collapse", 1);
    control.training.g_steps = 1;
    let control = dropped(control);
    assert!(
        collapse >= 0.5,
        "with 10 G steps a mode was dropped in only {collapse:.2} of frames"
    );
    assert!(
        control <= 0.05,
        "with 1 G step a mode was dropped in {control:.2} of frames"
    );
}

#[test]
fn oscillation_swings_around_the_data_without_settling() {
    for seed in [1, 2] {
        let frames = trace(settings("oscillation", seed), 6000, 50);
        let late = &frames[frames.len() / 2..];
        let means: Vec<f64> = late.iter().map(|a| a.metrics.p_g_mean).collect();
        let crossings = means
            .windows(2)
            .filter(|w| (w[0] - 4.0) * (w[1] - 4.0) < 0.0)
            .count();
        let average = means.iter().sum::<f64>() / means.len() as f64;
        let swing =
            (means.iter().map(|m| (m - average).powi(2)).sum::<f64>() / means.len() as f64).sqrt();
        let least_jsd = late
            .iter()
            .map(|a| a.metrics.jsd)
            .fold(f64::INFINITY, f64::min);
        assert!(
            crossings >= 10,
            "seed {seed}: p_g's mean crossed the data's only {crossings} times"
        );
        assert!(
            swing > 0.3,
            "seed {seed}: p_g's mean swings by only {swing:.3}"
        );
        assert!(
            least_jsd > 0.05,
            "seed {seed}: JSD settled to {least_jsd:.3}"
        );
    }
}

#[test]
fn optimal_d_keeps_d_near_d_star_and_converges() {
    let mut t = Trainer::new(settings("optimal-d", 1)).expect("valid");
    let mut worst_gap: f64 = 0.0;
    for _ in 0..6 {
        t.run(500).expect("finite");
        let a = Analysis::new(&t.model(), &AnalysisOptions::default());
        worst_gap = worst_gap.max(a.optimality_gap());
    }
    let a = Analysis::new(&t.model(), &AnalysisOptions::default());
    assert!(a.metrics.jsd < 0.01, "JSD {:.4}", a.metrics.jsd);
    assert!(worst_gap < 0.15, "max |D − D*| reached {worst_gap:.3}");
}

#[test]
fn wgan_gp_keeps_both_modes() {
    let s = settings("wgan-gp", 1);
    let target = s.target.clone();
    let frames = trace(s, 3000, 250);
    for a in &frames[2..] {
        let modes = coverage::mode_masses(a, &target).expect("a mixture");
        let least = modes.iter().map(|m| m.mass).fold(f64::INFINITY, f64::min);
        assert!(least > 0.3, "a mode fell to {least:.3} of p_g's mass");
    }
}

/// The pace a preset plays at in the app ("lecture").
fn lesson_pace(preset: &str) -> ganscope::sim::pace::Pace {
    ganscope::sim::settings::Preset::named(preset)
        .expect("preset")
        .pace
}

/// The last iteration a pace reaches within `secs` seconds from iteration 0.
fn iterations_within(pace: ganscope::sim::pace::Pace, secs: f64) -> u64 {
    let mut n = 0;
    let mut t = 0.0;
    while let Some(rate) = pace.rate(n) {
        t += 1.0 / rate;
        if t > secs {
            break;
        }
        n += 1;
    }
    n
}

#[test]
fn fig1_at_its_lecture_pace_takes_ten_seconds_to_look_close_and_under_a_minute_to_converge() {
    let pace = lesson_pace("fig1");
    let in_a_minute = iterations_within(pace, 60.0);
    for seed in 1..=10 {
        let mut t = Trainer::new(settings("fig1", seed)).expect("valid");
        // JSD < 0.05 not sooner than 10 s after Play: checked at every iteration.
        let close = (1..=400)
            .find(|_| {
                t.run(1).expect("finite");
                quick(&t).metrics.jsd < 0.05
            })
            .expect("fig1 gets close within 400 iterations");
        let secs = pace.seconds_between(0, close);
        assert!(
            secs >= 10.0,
            "seed {seed}: JSD < 0.05 at iteration {close}, {secs:.1} s"
        );
        // JSD < 0.01 within 60 s: checked every 25 iterations up to the minute's end.
        let converged = (t.counters().iteration..in_a_minute).step_by(25).any(|_| {
            t.run(25).expect("finite");
            quick(&t).metrics.jsd < 0.01
        });
        assert!(
            converged,
            "seed {seed}: no JSD < 0.01 within {in_a_minute} iterations"
        );
    }
}

#[test]
fn vanishing_plateaus_for_ten_seconds_and_oscillation_swings_three_times_a_minute_at_their_paces() {
    let plateau = iterations_within(lesson_pace("vanishing"), 10.0);
    for seed in [1, 2, 3] {
        let escape = escape_iteration(settings("vanishing", seed), 3000).unwrap_or(3000);
        assert!(
            escape >= plateau,
            "seed {seed}: escaped at {escape}, 10 s is {plateau}"
        );
    }
    // A swing is two crossings of the data's mean by p_g's mean.
    let minute = iterations_within(lesson_pace("oscillation"), 60.0);
    let frames = trace(settings("oscillation", 1), minute, 100);
    let above: Vec<bool> = frames.iter().map(|a| a.metrics.p_g_mean > 4.0).collect();
    let crossings = above.windows(2).filter(|w| w[0] != w[1]).count();
    assert!(
        crossings >= 6,
        "{crossings} crossings in {minute} iterations"
    );
}
