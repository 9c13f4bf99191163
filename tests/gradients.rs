//! Every backward pass against central differences, in f64: each activation, several
//! network shapes (blocked and leftover paths of the kernels), parameter gradients, input
//! gradients and the gradient penalty's double backpropagation.

use ganscope::sim::activation::Activation;
use ganscope::sim::mlp::{Init, Mlp, MlpShape, Workspace};
use rand::SeedableRng as _;
use rand::rngs::Xoshiro256PlusPlus;

const SHAPES: [(usize, usize); 6] = [(1, 1), (3, 1), (5, 2), (8, 3), (16, 2), (20, 4)];
const BATCH: usize = 37;

/// Relative error, with gradients below `floor` compared on an absolute scale.
fn rel_err(analytic: f64, numeric: f64, floor: f64) -> f64 {
    (analytic - numeric).abs() / analytic.abs().max(numeric.abs()).max(floor)
}

/// A derivative by central differences: a 5-point stencil for smooth functions. A ReLU
/// network is piecewise linear in each parameter, so there the central difference is exact
/// unless the step crosses a kink; a crossing shows as unequal one-sided slopes, and the
/// step shrinks until they agree.
fn derivative(f: impl Fn(f64) -> f64, x: f64, smooth: bool) -> f64 {
    if smooth {
        let h = 1e-3;
        return (-f(x + 2.0 * h) + 8.0 * f(x + h) - 8.0 * f(x - h) + f(x - 2.0 * h)) / (12.0 * h);
    }
    let f0 = f(x);
    let mut h = 1e-4;
    for _ in 0..6 {
        let forward = (f(x + h) - f0) / h;
        let backward = (f0 - f(x - h)) / h;
        if (forward - backward).abs() <= 1e-9 * forward.abs().max(1.0) {
            return 0.5 * (forward + backward);
        }
        h /= 10.0;
    }
    (f(x + h) - f(x - h)) / (2.0 * h)
}

fn setup(
    width: usize,
    depth: usize,
    activation: Activation,
    seed: u64,
) -> (Mlp<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let shape = MlpShape {
        width,
        depth,
        activation,
    };
    let mut net = Mlp::<f64>::new(shape, Init::Glorot, &mut rng);
    // Non-zero biases, so their gradients are exercised away from the symmetric start.
    for (i, p) in net.params_mut().iter_mut().enumerate() {
        *p += 0.1 * ((i * 7919 % 13) as f64 - 6.0) / 6.0;
    }
    let x: Vec<f64> = (0..BATCH)
        .map(|b| -2.0 + 4.0 * b as f64 / BATCH as f64 + 0.013)
        .collect();
    let c: Vec<f64> = (0..BATCH)
        .map(|b| ((b * 31 % 11) as f64 - 5.0) / 5.0)
        .collect();
    (net, x, c)
}

/// L = Σ_b c_b · f(x_b).
fn weighted_output(net: &Mlp<f64>, x: &[f64], c: &[f64]) -> f64 {
    net.eval(x).iter().zip(c).map(|(y, c)| y * c).sum()
}

#[test]
fn parameter_and_input_gradients_match_central_differences() {
    for activation in Activation::ALL {
        let smooth = matches!(activation, Activation::Tanh | Activation::Sigmoid);
        for (i, &(width, depth)) in SHAPES.iter().enumerate() {
            let (net, x, c) = setup(width, depth, activation, 100 + i as u64);
            let mut ws = Workspace::default();
            net.forward(&x, &mut ws);
            let mut grads = vec![0.0; net.params().len()];
            let mut dx = vec![0.0; BATCH];
            net.backward(&mut ws, &c, Some(&mut grads), Some(&mut dx));

            let mut worst = 0.0_f64;
            for (p, &analytic) in grads.iter().enumerate() {
                let numeric = derivative(
                    |v| {
                        let mut probe = net.clone();
                        probe.params_mut()[p] = v;
                        weighted_output(&probe, &x, &c)
                    },
                    net.params()[p],
                    smooth,
                );
                worst = worst.max(rel_err(analytic, numeric, 1e-4));
            }
            for (b, &analytic) in dx.iter().enumerate() {
                let numeric = derivative(
                    |v| {
                        let mut xs = x.clone();
                        xs[b] = v;
                        weighted_output(&net, &xs, &c)
                    },
                    x[b],
                    smooth,
                );
                worst = worst.max(rel_err(analytic, numeric, 1e-4));
            }
            assert!(
                worst < 1e-6,
                "{activation} {width}x{depth}: worst relative error {worst:.2e}"
            );
        }
    }
}

#[test]
fn gradients_accumulate_and_input_only_pass_skips_weights() {
    let (net, x, c) = setup(8, 2, Activation::Tanh, 5);
    let mut ws = Workspace::default();
    let mut once = vec![0.0; net.params().len()];
    net.forward(&x, &mut ws);
    net.backward(&mut ws, &c, Some(&mut once), None);
    let mut twice = once.clone();
    net.backward(&mut ws, &c, Some(&mut twice), None);
    for (a, b) in once.iter().zip(&twice) {
        assert!(
            (2.0 * a - b).abs() < 1e-12,
            "gradients must add up across calls"
        );
    }
    let mut dx_only = vec![0.0; BATCH];
    net.backward(&mut ws, &c, None, Some(&mut dx_only));
    let (_, slopes) = net.eval_with_slope(&x);
    for b in 0..BATCH {
        assert!((dx_only[b] - c[b] * slopes[b]).abs() < 1e-12);
    }
}

#[test]
fn gradient_penalty_double_backprop_matches_central_differences() {
    for activation in Activation::ALL {
        let smooth = matches!(activation, Activation::Tanh | Activation::Sigmoid);
        for (i, &(width, depth)) in SHAPES.iter().enumerate() {
            let (net, x, c) = setup(width, depth, activation, 200 + i as u64);
            let mut grads = vec![0.0; net.params().len()];
            let slopes = net.slopes_and_penalty_backward(&x, |_| c.clone(), &mut grads);
            let (_, reference) = net.eval_with_slope(&x);
            for (s, r) in slopes.iter().zip(&reference) {
                assert!(
                    (s - r).abs() < 1e-12,
                    "forward-mode slope {s} vs backward {r}"
                );
            }
            let penalty_like = |probe: &Mlp<f64>| -> f64 {
                let (_, s) = probe.eval_with_slope(&x);
                s.iter().zip(&c).map(|(s, c)| s * c).sum()
            };
            let mut worst = 0.0_f64;
            for (p, &analytic) in grads.iter().enumerate() {
                let numeric = derivative(
                    |v| {
                        let mut probe = net.clone();
                        probe.params_mut()[p] = v;
                        penalty_like(&probe)
                    },
                    net.params()[p],
                    smooth,
                );
                worst = worst.max(rel_err(analytic, numeric, 1e-4));
            }
            assert!(
                worst < 1e-6,
                "{activation} {width}x{depth}: penalty gradient worst relative error {worst:.2e}"
            );
        }
    }
}

#[test]
fn f32_network_agrees_with_f64() {
    let (net, x, _) = setup(32, 2, Activation::Tanh, 9);
    let y64 = net.eval(&x);
    let net32: Mlp<f32> = net.cast();
    let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let y32 = net32.eval(&x32);
    for (a, b) in y64.iter().zip(&y32) {
        assert!((a - f64::from(*b)).abs() < 1e-5, "{a} vs {b}");
    }
}

/// G's regression step (`training.g_objective = l2-random / l2-ranked`): the loss
/// (1/m) sum (G(z_i) - x_i)^2 through G's backward pass against central differences.
#[test]
fn regression_loss_gradient_through_g_matches_central_differences() {
    use ganscope::sim::alone::regression_loss;
    for activation in Activation::ALL {
        let smooth = matches!(activation, Activation::Tanh | Activation::Sigmoid);
        let (net, z, x) = setup(8, 2, activation, 300);
        let loss = |net: &Mlp<f64>| {
            let mut scratch = vec![0.0; BATCH];
            regression_loss(&net.eval(&z), &x, &mut scratch)
        };
        let mut ws = Workspace::default();
        let fake = net.forward(&z, &mut ws).to_vec();
        let mut upstream = vec![0.0; BATCH];
        regression_loss(&fake, &x, &mut upstream);
        let mut grads = vec![0.0; net.params().len()];
        net.backward(&mut ws, &upstream, Some(&mut grads), None);
        for (i, &g) in grads.iter().enumerate() {
            let at = |v: f64| {
                let mut probe = net.clone();
                probe.params_mut()[i] = v;
                loss(&probe)
            };
            let p = net.params()[i];
            // A ReLU network makes the loss piecewise quadratic in each parameter: a
            // central difference with a step too small to cross a kink is exact.
            let numeric = if smooth {
                derivative(at, p, true)
            } else {
                let h = 1e-7;
                (at(p + h) - at(p - h)) / (2.0 * h)
            };
            let err = rel_err(g, numeric, 1e-6);
            assert!(
                err < 1e-5,
                "{activation:?} param {i}: {g} vs {numeric} ({err})"
            );
        }
    }
}

#[test]
fn evaluating_in_padded_chunks_gives_each_points_own_value_and_slope() {
    // `eval` splits the points into equal chunks, the last padded; every point must come
    // out as it does alone, and the padding must never show, whatever the count.
    let shape = MlpShape {
        width: 9,
        depth: 2,
        activation: Activation::Tanh,
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(17);
    let net: Mlp<f64> = Mlp::new(shape, Init::Glorot, &mut rng);
    for n in [1, 31, 33, 127, 129, 1000, 1073] {
        let x: Vec<f64> = (0..n).map(|i| -2.0 + 4.0 * i as f64 / n as f64).collect();
        let y = net.eval(&x);
        let (y2, slopes) = net.eval_with_slope(&x);
        assert_eq!((y.len(), y2.len(), slopes.len()), (n, n, n));
        for (b, &xb) in x.iter().enumerate() {
            let (alone, slope) = net.eval_with_slope(&[xb]);
            assert!((y[b] - alone[0]).abs() < 1e-12, "n = {n}, point {b}");
            assert!((y2[b] - alone[0]).abs() < 1e-12, "n = {n}, point {b}");
            assert!((slopes[b] - slope[0]).abs() < 1e-12, "n = {n}, point {b}");
        }
    }
}
