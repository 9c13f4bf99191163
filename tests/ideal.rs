//! The ideal generator T*(z) = F_data⁻¹(F_z(z)) and how a learned G differs from it.

use std::process::Command;

use ganscope::sim::activation::Activation;
use ganscope::sim::ideal::{Direction, IdealView, ideal_map, ideal_map_batch};
use ganscope::sim::mlp::{Mlp, MlpShape};
use ganscope::sim::{GanModel, Noise, Settings, Target};
use rand::SeedableRng as _;

fn targets() -> [Target; 3] {
    Target::one_of_each()
}

fn noises() -> [Noise; 2] {
    [
        Noise::Uniform {
            low: -1.0,
            high: 1.0,
        },
        Noise::Normal {
            mean: 0.5,
            std: 2.0,
        },
    ]
}

#[test]
fn the_ideal_map_pushes_p_z_onto_p_data() {
    let mut probabilities: Vec<f64> = (1..1000).map(|i| f64::from(i) / 1000.0).collect();
    probabilities.extend([1e-6, 1e-4, 1.0 - 1e-4, 1.0 - 1e-6]);
    for target in &targets() {
        for noise in &noises() {
            for &p in &probabilities {
                // z on the F_z grid: F_z(z) = p, so T*(z) must be p_data's p-quantile.
                let z = noise.quantile(p);
                let x = ideal_map(target, noise, z);
                let expected = target.quantile(p);
                assert!(
                    (x - expected).abs() < 1e-6,
                    "{target:?} {noise:?} p = {p}: T* = {x}, quantile {expected}"
                );
                assert!(
                    (target.cdf(x) - p).abs() < 1e-9,
                    "{target:?} {noise:?} p = {p}: F_data(T*) = {}",
                    target.cdf(x)
                );
            }
            let z: Vec<f64> = probabilities.iter().map(|&p| noise.quantile(p)).collect();
            let mut sorted = z.clone();
            sorted.sort_by(f64::total_cmp);
            let x = ideal_map_batch(target, noise, &sorted);
            assert!(
                x.windows(2).all(|w| w[0] <= w[1]),
                "{target:?} {noise:?}: T* increases"
            );
        }
    }
}

/// A 1 → 2 → 1 generator on fig1's settings (z uniform, Gaussianised to w, output
/// standardised), G(z) = μ + σ·net(w(z)), net(w) = v₁ tanh(a₁w) + v₂ tanh(a₂w), or
/// v₁w + v₂ with ReLU units for `linear`.
fn model_with(settings: &Settings, activation: Activation, params: Vec<f64>) -> GanModel<f64> {
    let shape = MlpShape {
        width: 2,
        depth: 1,
        activation,
    };
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    let discriminator = Mlp::new(
        settings.discriminator.shape(),
        settings.discriminator.init,
        &mut rng,
    );
    GanModel::new(settings, Mlp::from_params(shape, params), discriminator)
}

/// net(w) = slope·w: with w = Φ⁻¹(F_z(z)) and standardised output, slope 1 is T* itself
/// for a Gaussian target (p_g = p_data exactly), slope −1 its mirror image.
fn linear_model(settings: &Settings, slope: f64) -> GanModel<f64> {
    // Layout: w_in (2), b_in (2), w_out (2), b_out (1); relu(w) − relu(−w) = w.
    model_with(
        settings,
        Activation::Relu,
        vec![1.0, -1.0, 0.0, 0.0, slope, -slope, 0.0],
    )
}

fn fig1() -> Settings {
    Settings::preset("fig1").expect("preset")
}

#[test]
fn the_exact_generator_is_t_star_with_no_folds_and_nothing_misplaced() {
    let view = IdealView::new(&linear_model(&fig1(), 1.0), 401);
    assert_eq!(view.direction, Some(Direction::Increasing));
    assert!(view.folds.is_empty(), "{:?}", view.folds);
    assert!(view.max_gap() < 1e-9, "max |G − T*| = {}", view.max_gap());
    assert!(
        view.misplaced_mass < 1e-6,
        "misplaced mass of p_g = p_data: {}",
        view.misplaced_mass
    );
}

#[test]
fn a_decreasing_generator_has_no_fold_but_is_flagged() {
    // G = μ − σw pushes p_z onto the symmetric N(4, 0.5²) exactly, running backwards.
    let view = IdealView::new(&linear_model(&fig1(), -1.0), 401);
    assert_eq!(view.direction, Some(Direction::Decreasing));
    assert!(view.folds.is_empty(), "{:?}", view.folds);
    assert!(view.misplaced_mass < 1e-6, "{}", view.misplaced_mass);
    assert!(view.max_gap() > 1.0, "far from T*: {}", view.max_gap());
}

#[test]
fn an_s_shaped_generator_has_exactly_one_fold() {
    // net(w) = 3 tanh(w/3) − 2 tanh(2w) falls where |w| < 0.67 and rises outside it;
    // w = Φ⁻¹((z + 1)/2), so the fold spans z ≈ ±(2Φ(0.67) − 1) ≈ ±0.50.
    let model = model_with(
        &fig1(),
        Activation::Tanh,
        vec![1.0 / 3.0, 2.0, 0.0, 0.0, 3.0, -2.0, 0.0],
    );
    let view = IdealView::new(&model, 401);
    assert_eq!(view.direction, Some(Direction::Increasing));
    assert_eq!(view.folds.len(), 1, "{:?}", view.folds);
    let (a, b) = view.folds[0];
    assert!((a + b).abs() < 1e-3, "a symmetric fold: ({a}, {b})");
    assert!((0.45..0.55).contains(&b), "the fold ends near z = 0.5: {b}");
    // G' = 0 at the fold's ends.
    let (_, slope) = model.generate_with_slope(&[a, b]);
    for s in slope {
        assert!(s.abs() < 0.05, "G' at a turning point: {s}");
    }
}

#[test]
fn misplaced_mass_is_p_g_outside_a_uniform_targets_support() {
    // Standardised, G = μ + σw is the Gaussian with the uniform's mean 1 and std
    // 4/√12: its mass beyond [−1, 3] is 2·Q(2/(4/√12)) = 2·Q(√3).
    let settings = fig1()
        .with_override("target.kind=uniform")
        .and_then(|s| s.with_override("target.low=-1"))
        .and_then(|s| s.with_override("target.high=3"))
        .expect("a uniform target");
    let view = IdealView::new(&linear_model(&settings, 1.0), 401);
    let expected = libm::erfc(3f64.sqrt() / std::f64::consts::SQRT_2);
    assert!(
        (view.misplaced_mass - expected).abs() < 2e-3,
        "misplaced {} expected {expected}",
        view.misplaced_mass
    );
    assert!(view.folds.is_empty());
}

#[test]
fn train_writes_the_ideal_map_and_refuses_the_oracle_for_a_critic_loss() {
    let dir = std::env::temp_dir().join(format!("ganscope-ideal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("ideal.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_ganscope"))
        .args(["train", "--preset", "fig1", "--iters", "20", "--ideal"])
        .arg(&path)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&path).expect("the CSV was written");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("z,g,t_star"));
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().expect("a number")).collect())
        .collect();
    assert_eq!(rows.len(), 401);
    // The last column is T* of fig1: 4 + 0.5·Φ⁻¹((z + 1)/2), 4 at z = 0.
    let middle = &rows[200];
    assert!(
        middle[0].abs() < 1e-12 && (middle[2] - 4.0).abs() < 1e-9,
        "{middle:?}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_ganscope"))
        .args(["train", "--preset", "wgan-gp", "--iters", "5", "--oracle-d"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--oracle-d") && err.contains("training.loss") && err.contains("minimax"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
