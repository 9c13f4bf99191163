//! Issue 10, "See why it moves": the forces on generated samples (§3's saturation, seen
//! sample by sample) and Algorithm 1 in slow motion, whose sub-steps compose to exactly
//! one iteration.

use ganscope::sim::forces::{forces, quantile_noise};
use ganscope::sim::loss::generator_loss;
use ganscope::sim::substep::{Event, Phase, Round, SlowIteration, before_after};
use ganscope::sim::{GanModel, LossKind, OptimizerKind, Settings, Trainer};

fn trainer(preset: &str, seed: u64) -> Trainer {
    let mut s = Settings::preset(preset).expect("preset");
    s.seed = seed;
    Trainer::new(s).expect("valid settings")
}

/// The run's first sub-step on `vanishing`: D's head start, as the trainer applies it.
fn after_head_start(seed: u64) -> Trainer {
    let mut t = trainer("vanishing", seed);
    let mut slow = SlowIteration::new(&t);
    let step = slow.next(&mut t).expect("finite").expect("a sub-step");
    let Event::HeadStart { steps, .. } = step.event else {
        panic!("the first iteration starts with D's head start, not {step:?}");
    };
    assert_eq!(steps, t.settings().training.d_pretrain_steps);
    assert_eq!(t.counters().d_steps, steps);
    t
}

#[test]
fn minimax_push_vanishes_against_a_confident_discriminator_where_non_saturating_does_not() {
    for seed in 1..=3 {
        let untrained = trainer("vanishing", seed);
        let z = quantile_noise(&untrained, 256);
        let before = forces(&untrained, &z).mean_push();
        let ratio = before.non_saturating / before.minimax;
        assert!(
            (0.5..=2.0).contains(&ratio),
            "seed {seed}: untrained D, non-saturating / minimax push {ratio:.3} ({before:?})"
        );

        let confident = after_head_start(seed);
        let after = forces(&confident, &z).mean_push();
        assert!(
            after.non_saturating >= 10.0 * after.minimax,
            "seed {seed}: after D's head start the minimax push {:.3e} must be 10x below the \
             non-saturating {:.3e}",
            after.minimax,
            after.non_saturating
        );
        // The run's loss is minimax: its push is the minimax one.
        assert!((after.current - after.minimax).abs() <= 1e-12 * after.minimax.abs());
    }
}

/// L_G(x) = (1/m) Σ ℓ(D(x_i)) through `trainer`'s D, in f64, for samples in data units.
fn generator_minibatch_loss(trainer: &Trainer, kind: LossKind, x: &[f64]) -> f64 {
    let model = GanModel::<f64>::new(
        trainer.settings(),
        trainer.generator().cast(),
        trainer.discriminator().cast(),
    );
    let raw = model.discriminator_raw(x);
    generator_loss(kind, &raw, &mut vec![0.0; raw.len()])
}

#[test]
fn the_force_is_minus_m_times_the_slope_of_the_minibatch_loss_for_every_loss() {
    for kind in LossKind::ALL {
        let mut s = Settings::preset("fig1").expect("preset");
        s.training.loss = kind;
        s.seed = 5;
        let mut t = Trainer::new(s).expect("valid");
        t.run(30).expect("finite");
        let z = quantile_noise(&t, 12);
        let f = forces(&t, &z);
        let m = z.len() as f64;
        let h = 1e-5;
        for i in 0..z.len() {
            let (mut xp, mut xm) = (f.x.clone(), f.x.clone());
            xp[i] += h;
            xm[i] -= h;
            let slope = (generator_minibatch_loss(&t, kind, &xp)
                - generator_minibatch_loss(&t, kind, &xm))
                / (2.0 * h);
            let numeric = -m * slope;
            let err = (numeric - f.current[i]).abs() / numeric.abs().max(1e-3);
            assert!(
                err < 1e-6,
                "{kind}: sample {i} force {} but −m ∂L_G/∂x = {numeric} (rel {err:.1e})",
                f.current[i]
            );
        }
        let same = match kind {
            LossKind::Minimax => Some(&f.minimax),
            LossKind::NonSaturating => Some(&f.non_saturating),
            _ => None,
        };
        if let Some(same) = same {
            assert_eq!(
                same, &f.current,
                "{kind}: the current force is its own column"
            );
        }
    }
}

#[test]
fn the_force_is_what_the_generator_backward_pass_receives() {
    for kind in [LossKind::NonSaturating, LossKind::LeastSquares] {
        let mut s = Settings::preset("fig1").expect("preset");
        s.training.loss = kind;
        let mut t = Trainer::new(s).expect("valid");
        t.run(40).expect("finite");
        let mut slow = SlowIteration::new(&t);
        let (z, push) = loop {
            let step = slow
                .next(&mut t)
                .expect("finite")
                .expect("sub-step 7 comes");
            if let Event::GeneratorLoss { z, push, .. } = step.event {
                break (z, push);
            }
        };
        let f = forces(&t, &z);
        let scale = f.current.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        for (i, (p, c)) in push.iter().zip(&f.current).enumerate() {
            assert!(
                (p - c).abs() < 1e-3 * scale,
                "{kind}: sample {i}: G's backward received {p}, forces() says {c}"
            );
        }
    }
}

/// Everything two trainers' states hold, compared exactly (floats by their bits).
fn assert_same_state(a: &Trainer, b: &Trainer, what: &str) {
    assert!(a.snapshot() == b.snapshot(), "{what}: the states differ");
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(a.generator().params()),
        bits(b.generator().params()),
        "{what}: G"
    );
    assert_eq!(
        bits(a.discriminator().params()),
        bits(b.discriminator().params()),
        "{what}: D"
    );
    let (sa, sb) = (a.stats(), b.stats());
    for (x, y) in [
        (sa.d_loss, sb.d_loss),
        (sa.g_loss, sb.g_loss),
        (sa.d_grad_norm, sb.d_grad_norm),
        (sa.g_grad_norm, sb.g_grad_norm),
        (sa.gradient_penalty, sb.gradient_penalty),
    ] {
        assert_eq!(x.to_bits(), y.to_bits(), "{what}: statistics");
    }
    assert_eq!(a.counters(), b.counters(), "{what}: counters");
    assert_eq!(
        a.last_good().map(|s| s.counters()),
        b.last_good().map(|s| s.counters()),
        "{what}: checkpoint"
    );
}

/// Steps through one slow iteration, checking the sub-steps come in Algorithm 1's order.
fn slow_iteration(t: &mut Trainer) {
    let (k, g_steps) = (t.settings().training.k, t.settings().training.g_steps);
    let head_start = t.head_start_steps() > 0;
    let mut slow = SlowIteration::new(t);
    let mut numbers = Vec::new();
    while let Some(step) = slow.next(t).expect("finite") {
        assert!(slow.is_current(t));
        assert_eq!(step.completes_iteration, slow.is_finished());
        numbers.push(step.number());
    }
    let mut expected = Vec::new();
    if head_start {
        expected.push(0);
    }
    for _ in 0..k {
        expected.extend([1, 2, 3, 4, 5]);
    }
    for _ in 0..g_steps {
        expected.extend([6, 7, 8]);
    }
    assert_eq!(numbers, expected);
    assert!(slow.next(t).expect("nothing left").is_none());
}

#[test]
fn the_sub_steps_compose_to_exactly_one_iteration() {
    let cases = [
        (LossKind::NonSaturating, OptimizerKind::Sgd),
        (LossKind::NonSaturating, OptimizerKind::Adam),
        (LossKind::WassersteinGp, OptimizerKind::Sgd),
        (LossKind::WassersteinGp, OptimizerKind::Adam),
        (LossKind::Minimax, OptimizerKind::Momentum),
        (LossKind::WassersteinClip, OptimizerKind::Adam),
    ];
    for (loss, optimizer) in cases {
        for k in [1, 3] {
            let mut s = Settings::preset("fig1").expect("preset");
            s.training.loss = loss;
            s.training.optimizer = optimizer;
            s.training.k = k;
            let mut base = Trainer::new(s).expect("valid");
            // 99 iterations, so the next one also takes the automatic checkpoint.
            base.run(99).expect("finite");
            let snap = base.snapshot();
            let mut normal = Trainer::from_snapshot(&snap).expect("valid");
            let mut slow = Trainer::from_snapshot(&snap).expect("valid");
            for i in 0..2 {
                normal.iteration().expect("finite");
                slow_iteration(&mut slow);
                assert_same_state(
                    &normal,
                    &slow,
                    &format!("{loss}, {optimizer}, k = {k}, #{i}"),
                );
            }
        }
    }
}

#[test]
fn the_head_start_and_several_generator_steps_compose_too() {
    let mut s = Settings::preset("vanishing").expect("preset");
    s.training.d_pretrain_steps = 7;
    s.training.g_steps = 2;
    s.training.k = 2;
    let mut normal = Trainer::new(s.clone()).expect("valid");
    let mut slow = Trainer::new(s).expect("valid");
    for i in 0..2 {
        normal.iteration().expect("finite");
        slow_iteration(&mut slow);
        assert_same_state(&normal, &slow, &format!("iteration {i}"));
    }
    assert_eq!(normal.counters().d_steps, 7 + 2 * 2);
}

#[test]
fn each_sub_step_explains_itself_in_one_line_with_its_numbers() {
    let mut t = trainer("fig1", 3);
    t.run(10).expect("finite");
    let mut slow = SlowIteration::new(&t);
    assert_eq!(
        slow.upcoming(),
        Some((Round::Discriminator { step: 1, of: 1 }, Phase::SampleData))
    );
    let m = t.settings().training.batch_size;
    while let Some(step) = slow.next(&mut t).expect("finite") {
        let line = step.explain();
        assert!(line.is_ascii() && !line.contains('\n'), "{line:?}");
        match &step.event {
            Event::SampleData { x } => {
                assert_eq!(x.len(), m);
                // fig1's data is N(4, 0.5): a minibatch of 128 has its mean near 4.
                let mean = x.iter().sum::<f64>() / m as f64;
                assert!((mean - 4.0).abs() < 0.2, "data mean {mean}");
            }
            Event::Generate { z, x } => assert!(z.len() == m && x.len() == m),
            Event::DiscriminatorUpdate(u) => {
                assert!(line.contains(&before_after(u.loss_before, u.loss_after)));
                assert!(u.loss_after < u.loss_before, "{line}");
                assert!(u.before.discriminator != u.after.discriminator);
                assert!(u.before.generator == u.after.generator);
            }
            Event::GeneratorUpdate {
                update,
                x_before,
                x_after,
                ..
            } => {
                assert!(line.contains("->"), "{line}");
                assert!(update.loss_after < update.loss_before, "{line}");
                assert!(
                    x_before != x_after
                        && update.before.discriminator == update.after.discriminator
                );
                assert_eq!(
                    step.phase().changes(),
                    Some(ganscope::sim::Player::Generator)
                );
                assert!(step.completes_iteration);
            }
            _ => {}
        }
    }
    assert_eq!(t.counters().iteration, 11);
}

#[test]
fn before_and_after_show_enough_digits_to_differ() {
    assert_eq!(before_after(1.386_29, 1.379_01), "1.3863 -> 1.3790");
    assert_eq!(before_after(0.008_975, 0.008_974), "0.00898 -> 0.00897");
    assert_eq!(before_after(0.5, 0.5), "0.500000000000 -> 0.500000000000");
}

#[test]
fn a_slow_iteration_notices_the_trainer_stepped_behind_its_back() {
    let mut t = trainer("fig1", 1);
    let mut slow = SlowIteration::new(&t);
    slow.next(&mut t).expect("finite");
    assert!(slow.is_current(&t));
    t.iteration().expect("finite");
    assert!(!slow.is_current(&t));
}

#[test]
fn train_forces_adds_the_mean_pushes_as_columns() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ganscope"))
        .args([
            "train",
            "--preset",
            "vanishing",
            "--iters",
            "1",
            "--every",
            "1",
            "--forces",
            "--format",
            "csv",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let column = |name| header.iter().position(|c| *c == name).expect(name);
    let (mm, ns) = (column("push_minimax"), column("push_non_saturating"));
    let rows: Vec<Vec<f64>> = lines
        .map(|l| {
            l.split(',')
                .map(|v| v.parse().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    // Iteration 0: D untrained; iteration 1: after D's 1000-step head start.
    let ratio = |r: &Vec<f64>| r[ns] / r[mm];
    assert!((0.5..=2.0).contains(&ratio(&rows[0])), "{text}");
    assert!(ratio(&rows[1]) >= 10.0, "{text}");
}
