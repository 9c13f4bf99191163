//! Mode coverage on the two-mode presets: p_g's mass per mode by the components'
//! posterior responsibilities, and §6's alarm (a mode holding under a fifth of its weight).

use ganscope::sim::analysis::{Analysis, AnalysisOptions};
use ganscope::sim::coverage::{self, ModeMass};
use ganscope::sim::{Settings, Trainer};

fn trainer(preset: &str, seed: u64) -> Trainer {
    let mut s = Settings::preset(preset).expect("preset");
    s.seed = seed;
    Trainer::new(s).expect("valid settings")
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

/// The mode masses every 100 iterations up to iteration 1 000, each checked to sum to 1.
fn masses_to_1000(preset: &str, seed: u64) -> Vec<Vec<ModeMass>> {
    let mut t = trainer(preset, seed);
    (1..=10)
        .map(|i| {
            t.run(100).expect("the preset must not diverge");
            let a = quick(&t);
            let modes = coverage::mode_masses(&a, &t.settings().target).expect("a mixture");
            let total: f64 = modes.iter().map(|m| m.mass).sum();
            assert!(
                (total - 1.0).abs() < 1e-3,
                "{preset} seed {seed} iteration {}: masses sum to {total}",
                100 * i
            );
            modes
        })
        .collect()
}

#[test]
fn the_alarm_fires_on_collapse_within_1000_iterations_for_seeds_1_to_3() {
    // Measured (`ganscope train --preset collapse --seed S --iters 3000 --every 100`): a
    // mode is lost at 6 / 9 / 7 of the 10 checks to iteration 1 000 (seeds 1–3).
    for seed in 1..=3 {
        let frames = masses_to_1000("collapse", seed);
        let alarms = frames
            .iter()
            .filter(|modes| coverage::lost_modes(modes) > 0)
            .count();
        assert!(
            alarms >= 3,
            "seed {seed}: a mode was lost at only {alarms} of 10 checks"
        );
    }
}

#[test]
fn the_alarm_stays_silent_on_wgan_gp_through_1000_iterations_for_seeds_1_to_3() {
    // 1 000 WGAN-GP iterations (k = 5 with the penalty's double backpropagation) take about
    // 3.5 s a seed, so the test stops there; the CLI's run to 3 000 stays silent too.
    for seed in 1..=3 {
        for (i, modes) in masses_to_1000("wgan-gp", seed).iter().enumerate() {
            let least = modes
                .iter()
                .map(ModeMass::share)
                .fold(f64::INFINITY, f64::min);
            assert_eq!(coverage::lost_modes(modes), 0, "seed {seed}: {modes:?}");
            assert!(
                least > 0.5,
                "seed {seed} iteration {}: a mode holds only {least:.2} of its weight",
                100 * (i + 1)
            );
        }
    }
}

#[test]
fn a_p_g_equal_to_p_data_gives_each_mode_its_weight_on_a_real_grid() {
    let t = trainer("collapse", 1);
    let mut a = Analysis::new(&t.model(), &AnalysisOptions::default());
    a.p_g.clone_from(&a.p_data);
    let modes = coverage::mode_masses(&a, &t.settings().target).expect("a mixture");
    assert_eq!(modes.len(), 2);
    for m in &modes {
        assert!(
            (m.mass - m.weight).abs() < 1e-4,
            "μ = {}: mass {} against weight {}",
            m.mean,
            m.mass,
            m.weight
        );
    }
}

#[test]
fn masses_sum_to_the_part_of_p_g_inside_a_grid_that_cuts_it() {
    let mut t = trainer("collapse", 2);
    t.run(300).expect("finite");
    // A grid starting at p_g's mean leaves out about half of it.
    let mean = quick(&t).metrics.p_g_mean;
    let a = Analysis::new(
        &t.model(),
        &AnalysisOptions {
            x_range: Some((mean, mean + 8.0)),
            ..Default::default()
        },
    );
    let modes = coverage::mode_masses(&a, &t.settings().target).expect("a mixture");
    let total: f64 = modes.iter().map(|m| m.mass).sum();
    assert!(
        (0.1..0.999).contains(&a.p_g_mass_in_range),
        "the range must cut p_g, not hold all or none: {}",
        a.p_g_mass_in_range
    );
    assert!(
        (total - a.p_g_mass_in_range).abs() < 1e-9,
        "masses {total} against p_g's mass in range {}",
        a.p_g_mass_in_range
    );
}
