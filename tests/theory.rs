//! The paper's propositions and theorem, checked on the exact 1-D quantities.

use ganscope::sim::activation::Activation;
use ganscope::sim::analysis::{Analysis, AnalysisOptions, Pushforward, density_by_preimages};
use ganscope::sim::mlp::{Mlp, MlpShape};
use ganscope::sim::{GanModel, LossKind, Noise, Settings, Trainer};
use rand::SeedableRng as _;

const LOG4: f64 = 1.386_294_361_119_890_6;

fn trained(preset: &str, seed: u64, iters: u64) -> Trainer {
    let mut s = Settings::preset(preset).expect("preset");
    s.seed = seed;
    let mut t = Trainer::new(s).expect("valid settings");
    t.run(iters).expect("no divergence");
    t
}

/// G(w) = μ + σ·(relu(w) − relu(−w) + shift) = μ + σ(w + shift): with w = Φ⁻¹(F_z(z))
/// this pushes p_z onto N(μ + σ·shift, σ²) exactly.
fn identity_model(shift: f64) -> GanModel<f64> {
    let settings = Settings::preset("fig1").expect("preset");
    let g_shape = MlpShape {
        width: 2,
        depth: 1,
        activation: Activation::Relu,
    };
    // Layout: w_in (2), b_in (2), w_out (2), b_out (1).
    let generator = Mlp::from_params(g_shape, vec![1.0, -1.0, 0.0, 0.0, 1.0, -1.0, shift]);
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    let discriminator = Mlp::new(
        settings.discriminator.shape(),
        settings.discriminator.init,
        &mut rng,
    );
    GanModel::new(&settings, generator, discriminator)
}

#[test]
fn optimal_discriminator_matches_p_data_over_p_data_plus_p_g() {
    // Proposition 1: with G frozen, D trained alone approaches D* = p_data/(p_data + p_g).
    // G here is exact and smooth: G(w) = μ + σ(a·w + shift) on w = Φ⁻¹(F_z(z)), so
    // p_g = N(4 + 0.5·shift, (0.5·a)²). (A trained tanh G has bounded support, where D*
    // jumps to 1 at p_g's edge faster than any smooth D can follow.)
    for (seed, a, shift) in [(1, 1.0_f32, 1.0_f32), (2, 1.6, 0.0), (3, 0.6, -0.5)] {
        let (a64, shift64) = (f64::from(a), f64::from(shift));
        let mut s = Settings::preset("fig1").expect("preset");
        s.seed = seed;
        s.generator.width = 2;
        s.generator.depth = 1;
        s.generator.activation = Activation::Relu;
        let mut t = Trainer::new(s).expect("valid");
        t.generator_mut()
            .params_mut()
            .copy_from_slice(&[1.0, -1.0, 0.0, 0.0, a, -a, shift]);
        let before = Analysis::new(&t.model(), &AnalysisOptions::default()).optimality_gap();
        t.train_discriminator_only(2000, 256, 5e-3)
            .expect("no divergence");
        let analysis = Analysis::new(&t.model(), &AnalysisOptions::default());
        let after = analysis.optimality_gap();
        assert!(
            after < 0.03,
            "p_g = N({}, {}²): max |D − D*| = {after:.4} (was {before:.4})",
            4.0 + 0.5 * shift64,
            0.5 * a64
        );
        assert!(after < before, "training D must approach D*");
        assert!((analysis.metrics.p_g_std - 0.5 * a64).abs() < 1e-3);
    }
}

#[test]
fn c_of_g_equals_minus_log_4_plus_twice_the_jensen_shannon_divergence() {
    // Theorem 1, at several stages of a run.
    for iters in [0, 100, 1000] {
        let t = trained("fig1", 4, iters);
        let a = Analysis::new(&t.model(), &AnalysisOptions::default());
        let m = &a.metrics;
        assert!(
            (m.c_g - (-LOG4 + 2.0 * m.jsd)).abs() < 1e-6,
            "after {iters}: C(G) = {} but −log 4 + 2·JSD = {}",
            m.c_g,
            -LOG4 + 2.0 * m.jsd
        );
        // C(G) = max_D V(D, G), so the current D cannot do better than D*.
        assert!(
            m.value <= m.c_g + 1e-9,
            "V(D, G) = {} exceeds C(G) = {}",
            m.value,
            m.c_g
        );
    }
    // The global minimum: p_g = p_data gives C(G) = −log 4, JSD = 0, W1 = 0.
    let a = Analysis::new(&identity_model(0.0), &AnalysisOptions::default());
    assert!(
        (a.metrics.c_g + LOG4).abs() < 1e-6,
        "C(G) = {} at p_g = p_data",
        a.metrics.c_g
    );
    assert!(
        a.metrics.jsd < 1e-6 && a.metrics.w1 < 1e-3,
        "{:?}",
        a.metrics
    );
    for (&ds, &x) in a.d_star.iter().zip(&a.x) {
        if (3.0..=5.0).contains(&x) {
            assert!((ds - 0.5).abs() < 1e-3, "D*({x}) = {ds}, not 1/2");
        }
    }
    // A shift of one unit in w moves p_g by σ = 0.5: W1 = 0.5, and the mean follows.
    let shifted = Analysis::new(&identity_model(1.0), &AnalysisOptions::default());
    assert!(
        (shifted.metrics.w1 - 0.5).abs() < 2e-3,
        "W1 = {}",
        shifted.metrics.w1
    );
    assert!(
        (shifted.metrics.p_g_mean - 4.5).abs() < 1e-3
            && (shifted.metrics.p_g_std - 0.5).abs() < 1e-3
    );
}

/// p_g's bin masses from the exact pushforward against a histogram of generator samples.
fn histogram_l1<T: ganscope::sim::float::Real>(
    model: &GanModel<T>,
    samples: usize,
    seed: u64,
) -> (f64, f64) {
    let pf = Pushforward::new(&model.noise, |z| model.generate(z), 8192);
    let (lo, hi) = pf.range();
    let (lo, hi) = (lo - 1e-9, hi + 1e-9);
    let bins = 100;
    let dx = (hi - lo) / bins as f64;
    let exact = pf.bin_masses(lo, dx, bins);
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    let z: Vec<f64> = (0..samples).map(|_| model.noise.sample(&mut rng)).collect();
    let mut hist = vec![0.0; bins];
    for x in model.generate(&z) {
        let j = (((x - lo) / dx).floor() as usize).min(bins - 1);
        hist[j] += 1.0 / samples as f64;
    }
    let l1 = exact.iter().zip(&hist).map(|(a, b)| (a - b).abs()).sum();
    (exact.iter().sum(), l1)
}

#[test]
fn exact_p_g_integrates_to_one_and_matches_a_million_samples() {
    // A trained, monotone generator.
    let t = trained("fig1", 2, 3000);
    let model = t.model();
    let (mass, l1) = histogram_l1(&model, 1_000_000, 11);
    assert!((mass - 1.0).abs() < 1e-3, "monotone G: mass {mass}");
    assert!(l1 < 0.02, "monotone G: L1 to histogram {l1}");
    let a = Analysis::new(&model, &AnalysisOptions::default());
    let integral: f64 = a.p_g.iter().sum::<f64>() * a.dx;
    assert!((integral - 1.0).abs() < 1e-3, "∫p_g = {integral}");

    // A folded generator: G(z) = tanh(3z + 1) + tanh(1 − 3z) on z ~ U(−1, 1) is even in z,
    // so every x has two preimages and p_g has an integrable spike at the fold.
    let settings = Settings {
        noise: Noise::Uniform {
            low: -1.0,
            high: 1.0,
        },
        ..Settings::reference()
    };
    let shape = MlpShape {
        width: 2,
        depth: 1,
        activation: Activation::Tanh,
    };
    let folded = Mlp::<f64>::from_params(shape, vec![3.0, -3.0, 1.0, 1.0, 1.0, 1.0, 0.0]);
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
    let d = Mlp::new(
        settings.discriminator.shape(),
        settings.discriminator.init,
        &mut rng,
    );
    let model = GanModel::new(&settings, folded, d);
    let (_, slopes) = model.generate_with_slope(&[-0.5, 0.5]);
    assert!(slopes[0] * slopes[1] < 0.0, "the test generator must fold");
    let (mass, l1) = histogram_l1(&model, 1_000_000, 12);
    assert!((mass - 1.0).abs() < 1e-3, "folded G: mass {mass}");
    assert!(l1 < 0.02, "folded G: L1 to histogram {l1}");

    // The pointwise change of variables Σ p_z(z*)/|G'(z*)| agrees with the binned one.
    let a = Analysis::new(
        &model,
        &AnalysisOptions {
            grid_points: 2000,
            z_cells: 16384,
            ..Default::default()
        },
    );
    for x in [0.6, 0.9, 1.1, 1.3] {
        let j = a.x.iter().position(|&c| c >= x).expect("x inside the grid");
        let pointwise = density_by_preimages(&model, a.x[j], 16384);
        let rel = (pointwise - a.p_g[j]).abs() / pointwise;
        assert!(
            rel < 0.02,
            "x = {x}: pointwise {pointwise} vs binned {}",
            a.p_g[j]
        );
    }
}

#[test]
fn minimax_loss_saturates_against_a_confident_discriminator() {
    // §3: log(1 − D(G(z))) saturates when D rejects samples confidently; −log D(G(z))
    // does not. Same minibatch for both losses.
    for seed in 1..=3 {
        let mut s = Settings::preset("vanishing").expect("preset");
        s.seed = seed;
        let mut t = Trainer::new(s).expect("valid");
        let fresh = t
            .generator_gradient_norms(128, &[LossKind::Minimax, LossKind::NonSaturating])
            .expect("finite");
        // With an untrained D the two losses give similar gradients.
        assert!(
            fresh[1] / fresh[0] < 2.0,
            "seed {seed}: untrained D ratio {}",
            fresh[1] / fresh[0]
        );
        t.train_discriminator_only(1000, 128, 0.01).expect("finite");
        let confident = t
            .generator_gradient_norms(128, &[LossKind::Minimax, LossKind::NonSaturating])
            .expect("finite");
        let ratio = confident[1] / confident[0];
        assert!(
            ratio >= 10.0,
            "seed {seed}: non-saturating/minimax gradient ratio {ratio:.1}"
        );
    }
}

#[test]
fn the_sample_histogram_is_a_density() {
    use ganscope::sim::analysis::density_histogram;
    let target = ganscope::sim::Target::Gaussian {
        mean: 0.0,
        std: 1.0,
    };
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
    let samples: Vec<f64> = (0..200_000).map(|_| target.sample(&mut rng)).collect();
    let (centres, heights) = density_histogram(&samples, (-4.0, 4.0), 40);
    let width = 0.2;
    let mass: f64 = heights.iter().sum::<f64>() * width;
    assert!((mass - 1.0).abs() < 1e-3, "mass {mass}");
    for (x, h) in centres.iter().zip(&heights) {
        let exact = (target.cdf(x + 0.1) - target.cdf(x - 0.1)) / width;
        assert!((h - exact).abs() < 0.01, "x = {x}: {h} vs {exact}");
    }
}

#[test]
fn d_star_is_drawn_only_where_the_densities_carry_mass() {
    let t = ganscope::sim::Trainer::new(Settings::preset("fig1").expect("preset")).expect("valid");
    let a = Analysis::new(&t.model(), &AnalysisOptions::default());
    let mass: Vec<f64> = a.p_data.iter().zip(&a.p_g).map(|(d, g)| d + g).collect();
    let peak = mass.iter().copied().fold(0.0, f64::max);
    let runs = a.d_star_where_mass(1e-3);
    assert!(!runs.is_empty());
    let kept: Vec<[f64; 2]> = runs.concat();
    for (j, &x) in a.x.iter().enumerate() {
        let drawn = kept.iter().any(|p| p[0] == x);
        assert_eq!(drawn, mass[j] >= 1e-3 * peak, "x = {x}: mass {}", mass[j]);
        if drawn {
            assert!(kept.contains(&[x, a.d_star[j]]), "D* itself at x = {x}");
        }
    }
    // The far tails, where both densities vanish, are left out.
    assert!(kept.len() < a.x.len());
}

#[test]
fn a_fresh_discriminator_starts_undecided_at_one_half_everywhere() {
    // The two-sample test's D starts at D = 1/2 (zero output weights), so only samples can
    // move it away: untrained, it is exactly 1/2 over the data, and for every loss.
    for loss in LossKind::ALL {
        let mut s = Settings::preset("fig1").expect("preset");
        s.training.loss = loss;
        let t = Trainer::new(s).expect("valid");
        let test = t.fresh_discriminator(3, 0).expect("finite");
        assert!(test.gap.abs() < 1e-6, "{loss}: untrained gap {}", test.gap);
        let model = test.probe.model();
        let far = model.discriminator_probability(&[-50.0, 0.0, 50.0]);
        assert!(
            far.iter().all(|d| (d - 0.5).abs() < 1e-6),
            "{loss}: {far:?}"
        );
    }
}

#[test]
fn the_default_z_grid_places_p_g_as_a_far_finer_one_does() {
    // The frame's analysis starts from 1024 z cells and refines where G stretches; against
    // 2^17 cells on the same x grid, p_g may misplace at most 2e-4 of its mass and JSD and
    // W1 may move by at most 1e-5.
    for (preset, iters) in [("fig1", 2000), ("collapse", 3000), ("vanishing", 500)] {
        let model = trained(preset, 1, iters).model();
        let fine = Analysis::new(
            &model,
            &AnalysisOptions {
                z_cells: 1 << 17,
                ..Default::default()
            },
        );
        let edges = (
            fine.x[0] - 0.5 * fine.dx,
            fine.x[fine.x.len() - 1] + 0.5 * fine.dx,
        );
        let frame = Analysis::new(
            &model,
            &AnalysisOptions {
                x_range: Some(edges),
                ..Default::default()
            },
        );
        let misplaced: f64 = frame
            .p_g
            .iter()
            .zip(&fine.p_g)
            .map(|(a, b)| (a - b).abs() * frame.dx)
            .sum();
        assert!(misplaced < 2e-4, "{preset}: p_g misplaces {misplaced:e}");
        let (a, b) = (&frame.metrics, &fine.metrics);
        assert!(
            (a.jsd - b.jsd).abs() < 1e-5,
            "{preset}: JSD {} vs {}",
            a.jsd,
            b.jsd
        );
        assert!(
            (a.w1 - b.w1).abs() < 1e-5,
            "{preset}: W1 {} vs {}",
            a.w1,
            b.w1
        );
    }
}
