//! Algorithm 1 in slow motion: one iteration run as its sub-steps, stopping after each.
//!
//! For each of the k discriminator steps: (1) sample m data x, (2) sample m noise z,
//! (3) G(z), (4) D's loss on both, with its gradient, (5) D's update. Then for each
//! generator step: (6) fresh noise z, (7) G's loss through the frozen D, with its
//! gradient, (8) G's update. The run's very first iteration starts with D's head start
//! (`d_pretrain_steps` D steps, shown as one sub-step).
//!
//! The sub-steps are the phases [`Trainer::discriminator_step`] and
//! [`Trainer::generator_step`] themselves run, called one at a time, so stepping
//! through a whole [`SlowIteration`] leaves the trainer exactly where one
//! [`Trainer::iteration`] would: the same networks, optimiser state, random state,
//! counters and statistics, bit for bit. What a sub-step reports beyond that (D before
//! and after, the loss after an update, …) is computed on the side and changes nothing.

use super::distribution::normal_cdf;
use super::float::Real as _;
use super::loss::{LossKind, discriminator_loss, generator_loss, gradient_penalty};
use super::model::GanModel;
use super::settings::TrainingSettings;
use super::trainer::{Counters, Divergence, Player, SimRng, Trainer};

/// Which step of the iteration a sub-step belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Round {
    /// D's head start before the run's first iteration: `steps` D steps with G frozen.
    HeadStart {
        /// How many.
        steps: u64,
    },
    /// D step `step` (from 1) of `of` (k).
    Discriminator {
        /// This step, from 1.
        step: u32,
        /// k.
        of: u32,
    },
    /// G step `step` (from 1) of `of` (the G steps per iteration).
    Generator {
        /// This step, from 1.
        step: u32,
        /// G steps per iteration.
        of: u32,
    },
}

impl std::fmt::Display for Round {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::HeadStart { .. } => f.write_str("D head start"),
            Self::Discriminator { step, of } => write!(f, "D step {step}/{of}"),
            Self::Generator { step, of } => write!(f, "G step {step}/{of}"),
        }
    }
}

/// The kinds of sub-step, in Algorithm 1's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// D's head start, all its steps at once.
    HeadStart,
    /// 1: m data samples x ~ p_data.
    SampleData,
    /// 2: m noise samples z ~ p_z for D's step.
    SampleNoise,
    /// 3: G(z) for those z.
    Generate,
    /// 4: D's loss on the data and the generated samples, and its gradient.
    DiscriminatorLoss,
    /// 5: D's optimiser step.
    DiscriminatorUpdate,
    /// 6: fresh noise z for G's step.
    GeneratorNoise,
    /// 7: G's loss through the frozen D, and its gradient.
    GeneratorLoss,
    /// 8: G's optimiser step.
    GeneratorUpdate,
}

impl Phase {
    /// The sub-step's number in Algorithm 1 (1–8), 0 for D's head start.
    pub fn number(self) -> u8 {
        match self {
            Self::HeadStart => 0,
            Self::SampleData => 1,
            Self::SampleNoise => 2,
            Self::Generate => 3,
            Self::DiscriminatorLoss => 4,
            Self::DiscriminatorUpdate => 5,
            Self::GeneratorNoise => 6,
            Self::GeneratorLoss => 7,
            Self::GeneratorUpdate => 8,
        }
    }

    /// What the sub-step does, in a few words (for "next: …").
    pub fn label(self) -> &'static str {
        match self {
            Self::HeadStart => "D trains alone first",
            Self::SampleData => "sample m data x",
            Self::SampleNoise => "sample m noise z",
            Self::Generate => "generate G(z)",
            Self::DiscriminatorLoss => "D's loss on both",
            Self::DiscriminatorUpdate => "D's gradient step",
            Self::GeneratorNoise => "fresh noise z",
            Self::GeneratorLoss => "G's loss through D",
            Self::GeneratorUpdate => "G's gradient step",
        }
    }

    /// The network whose parameters the sub-step changes, if any.
    pub fn changes(self) -> Option<Player> {
        match self {
            Self::HeadStart | Self::DiscriminatorUpdate => Some(Player::Discriminator),
            Self::GeneratorUpdate => Some(Player::Generator),
            Self::SampleData
            | Self::SampleNoise
            | Self::Generate
            | Self::DiscriminatorLoss
            | Self::GeneratorNoise
            | Self::GeneratorLoss => None,
        }
    }
}

/// One optimiser step, seen from both sides.
#[derive(Clone, Debug)]
pub struct Update {
    /// The minibatch loss the gradient was taken of.
    pub loss_before: f64,
    /// The same loss on the same minibatch after the step (for D with the gradient
    /// penalty: on the same x̂).
    pub loss_after: f64,
    /// ‖∂L/∂θ‖ of the step.
    pub grad_norm: f64,
    /// ‖Δθ‖ / max(‖θ‖, 1).
    pub update_ratio: f64,
    /// G and D before the step (draw D(x) or G(z) on any grid).
    pub before: GanModel,
    /// G and D after it.
    pub after: GanModel,
}

/// What a sub-step did, with its numbers; samples are in data (x) and noise (z) units.
#[derive(Clone, Debug)]
pub enum Event {
    /// D trained alone for `steps` steps.
    HeadStart {
        /// How many D steps.
        steps: u64,
        /// D's minibatch loss at its first step.
        first_loss: f64,
        /// D's minibatch loss at its last step.
        last_loss: f64,
        /// G and D before the head start.
        before: Box<GanModel>,
        /// G and D after it.
        after: Box<GanModel>,
    },
    /// 1: the data minibatch.
    SampleData {
        /// x ~ p_data.
        x: Vec<f64>,
    },
    /// 2: the noise minibatch of D's step.
    SampleNoise {
        /// z ~ p_z.
        z: Vec<f64>,
    },
    /// 3: the generated minibatch of D's step.
    Generate {
        /// The z of sub-step 2.
        z: Vec<f64>,
        /// G(z).
        x: Vec<f64>,
    },
    /// 4: D's loss on both minibatches.
    DiscriminatorLoss {
        /// D's minibatch loss (the penalty included).
        loss: f64,
        /// The WGAN-GP penalty term (0 for other losses).
        penalty: f64,
        /// The data samples x of sub-step 1.
        real: Vec<f64>,
        /// The generated samples G(z) of sub-step 3.
        fake: Vec<f64>,
        /// D(x) on the data samples, as probabilities ([`LossKind::probability`]).
        d_real: Vec<f64>,
        /// D(G(z)) on the generated samples.
        d_fake: Vec<f64>,
    },
    /// 5: D's step.
    DiscriminatorUpdate(Box<Update>),
    /// 6: the noise minibatch of G's step.
    GeneratorNoise {
        /// z ~ p_z.
        z: Vec<f64>,
    },
    /// 7: G's loss through the frozen D.
    GeneratorLoss {
        /// G's minibatch loss.
        loss: f64,
        /// The z of sub-step 6.
        z: Vec<f64>,
        /// G(z).
        x: Vec<f64>,
        /// D(G(z)) as probabilities.
        d_fake: Vec<f64>,
        /// The force on each sample, −m ∂L_G/∂x in data units: exactly what G's
        /// backward pass received, times −m/σ (see [`super::forces`]).
        push: Vec<f64>,
    },
    /// 8: G's step.
    GeneratorUpdate {
        /// The step.
        update: Box<Update>,
        /// The z of sub-step 6.
        z: Vec<f64>,
        /// G(z) before the step.
        x_before: Vec<f64>,
        /// G(z) after it, for the same z.
        x_after: Vec<f64>,
    },
}

impl Event {
    /// The kind of sub-step.
    pub fn phase(&self) -> Phase {
        match self {
            Self::HeadStart { .. } => Phase::HeadStart,
            Self::SampleData { .. } => Phase::SampleData,
            Self::SampleNoise { .. } => Phase::SampleNoise,
            Self::Generate { .. } => Phase::Generate,
            Self::DiscriminatorLoss { .. } => Phase::DiscriminatorLoss,
            Self::DiscriminatorUpdate(_) => Phase::DiscriminatorUpdate,
            Self::GeneratorNoise { .. } => Phase::GeneratorNoise,
            Self::GeneratorLoss { .. } => Phase::GeneratorLoss,
            Self::GeneratorUpdate { .. } => Phase::GeneratorUpdate,
        }
    }

    /// What happened, in words and numbers (without the round).
    fn describe(&self) -> String {
        match self {
            Self::HeadStart {
                steps,
                first_loss,
                last_loss,
                ..
            } => format!(
                "D trained alone for {steps} steps with G frozen: D's loss {}",
                before_after(*first_loss, *last_loss)
            ),
            Self::SampleData { x } => {
                format!("sampled m = {} data x: {}", x.len(), spread(x))
            }
            Self::SampleNoise { z } | Self::GeneratorNoise { z } => {
                format!("sampled m = {} noise z: {}", z.len(), spread(z))
            }
            Self::Generate { x, .. } => format!("G(z) for those z: {}", spread(x)),
            Self::DiscriminatorLoss {
                loss,
                penalty,
                d_real,
                d_fake,
                ..
            } => {
                let gp = if *penalty > 0.0 {
                    format!(", gradient penalty {penalty:.4} included")
                } else {
                    String::new()
                };
                format!(
                    "D's loss on both: {loss:.4} (mean D(x) {:.3} on data, {:.3} on G(z){gp})",
                    mean(d_real),
                    mean(d_fake)
                )
            }
            Self::DiscriminatorUpdate(u) => format!(
                "D's step: D's loss on this minibatch {} (gradient norm {:.3e})",
                before_after(u.loss_before, u.loss_after),
                u.grad_norm
            ),
            Self::GeneratorLoss {
                loss, d_fake, push, ..
            } => format!(
                "G's loss through the frozen D: {loss:.4} (mean D(G(z)) {:.3}, mean |push| {:.3e})",
                mean(d_fake),
                push.iter().map(|p| p.abs()).sum::<f64>() / push.len().max(1) as f64
            ),
            Self::GeneratorUpdate {
                update,
                x_before,
                x_after,
                ..
            } => {
                let moved = x_before
                    .iter()
                    .zip(x_after)
                    .map(|(a, b)| b - a)
                    .sum::<f64>()
                    / x_before.len().max(1) as f64;
                format!(
                    "G's step: G's loss on these z {}, G(z) moved {moved:+.3e} on average",
                    before_after(update.loss_before, update.loss_after)
                )
            }
        }
    }
}

/// One sub-step as it happened.
#[derive(Clone, Debug)]
pub struct SubStep {
    /// The step of the iteration it belongs to.
    pub round: Round,
    /// What it did.
    pub event: Event,
    /// Whether it was the iteration's last (the iteration counter has moved on).
    pub completes_iteration: bool,
}

impl SubStep {
    /// The kind of sub-step.
    pub fn phase(&self) -> Phase {
        self.event.phase()
    }

    /// The sub-step's number in Algorithm 1 (1–8), 0 for D's head start.
    pub fn number(&self) -> u8 {
        self.phase().number()
    }

    /// One line: the round, the sub-step and its real numbers, e.g. "D step 1/1, 5. D's
    /// step: D's loss on this minibatch 1.3863 -> 1.3790 (gradient norm 1.2e-1)".
    pub fn explain(&self) -> String {
        let Self { round, event, .. } = self;
        match event.phase() {
            Phase::HeadStart => format!("{round}: {}", event.describe()),
            phase => format!("{round}, {}. {}", phase.number(), event.describe()),
        }
    }
}

/// What the trainer looked like after the last sub-step: if it differs at the next one,
/// something else stepped it or drew random numbers in between.
#[derive(Clone, Debug, PartialEq)]
struct Stamp {
    counters: Counters,
    rng: SimRng,
}

impl Stamp {
    fn of(trainer: &Trainer) -> Self {
        Self {
            counters: trainer.counters(),
            rng: trainer.rng().clone(),
        }
    }
}

/// One iteration of Algorithm 1, run a sub-step at a time on a trainer.
///
/// Between sub-steps the trainer may be read (drawn, analysed) but not stepped, rewound
/// or asked for anything that draws random numbers; [`Self::is_current`] says whether
/// it still is where the last sub-step left it. The plan (head start, k, G steps) is
/// fixed when the iteration starts; the other live settings are read at the start of
/// each D or G step, as [`Trainer::iteration`] reads them.
#[derive(Clone, Debug)]
pub struct SlowIteration {
    plan: Vec<(Round, Phase)>,
    position: usize,
    /// The settings of the step under way, read at its first sub-step.
    training: TrainingSettings,
    /// The loss of sub-step 4 or 7, for the update that follows.
    pending_loss: f64,
    stamp: Stamp,
}

/// Refuses training settings slow motion cannot show: its sub-steps are Algorithm 1's,
/// with G learning through D, so `training.g_objective` must be `adversarial`.
pub fn check(training: &TrainingSettings) -> Result<(), super::settings::SettingError> {
    if training.g_objective.is_adversarial() {
        Ok(())
    } else {
        Err(super::settings::SettingError::new(
            "training.g_objective",
            training.g_objective,
            "adversarial in slow motion: its sub-steps are Algorithm 1's, G learning through D",
        ))
    }
}

impl SlowIteration {
    /// The next iteration of `trainer`, not started yet.
    pub fn new(trainer: &Trainer) -> Self {
        let t = &trainer.settings().training;
        let mut plan = Vec::new();
        let head_start = trainer.head_start_steps();
        if head_start > 0 {
            plan.push((Round::HeadStart { steps: head_start }, Phase::HeadStart));
        }
        for step in 1..=t.k {
            let round = Round::Discriminator { step, of: t.k };
            plan.extend(
                [
                    Phase::SampleData,
                    Phase::SampleNoise,
                    Phase::Generate,
                    Phase::DiscriminatorLoss,
                    Phase::DiscriminatorUpdate,
                ]
                .map(|p| (round, p)),
            );
        }
        for step in 1..=t.g_steps {
            let round = Round::Generator {
                step,
                of: t.g_steps,
            };
            plan.extend(
                [
                    Phase::GeneratorNoise,
                    Phase::GeneratorLoss,
                    Phase::GeneratorUpdate,
                ]
                .map(|p| (round, p)),
            );
        }
        Self {
            plan,
            position: 0,
            training: t.clone(),
            pending_loss: 0.0,
            stamp: Stamp::of(trainer),
        }
    }

    /// The sub-step the next call to [`Self::next`] runs, or `None` when the iteration
    /// is complete (or stopped at a divergence).
    pub fn upcoming(&self) -> Option<(Round, Phase)> {
        self.plan.get(self.position).copied()
    }

    /// (sub-steps done, sub-steps in the iteration).
    pub fn progress(&self) -> (usize, usize) {
        (self.position, self.plan.len())
    }

    /// Whether no sub-step is left.
    pub fn is_finished(&self) -> bool {
        self.position >= self.plan.len()
    }

    /// Whether `trainer` is where the last sub-step left it (same counters, same random
    /// state), so the iteration can go on.
    pub fn is_current(&self, trainer: &Trainer) -> bool {
        self.stamp == Stamp::of(trainer)
    }

    /// Runs the next sub-step on `trainer` and reports it; `Ok(None)` once the iteration
    /// is complete. After a divergence the iteration is over (as [`Trainer::iteration`]
    /// stops) and the trainer holds its last finite state.
    ///
    /// # Panics
    /// If `trainer` is not where the last sub-step left it ([`Self::is_current`]).
    pub fn next(&mut self, trainer: &mut Trainer) -> Result<Option<SubStep>, Divergence> {
        let Some((round, phase)) = self.upcoming() else {
            return Ok(None);
        };
        assert!(
            self.is_current(trainer),
            "the trainer was stepped or drew random numbers during a slow iteration"
        );
        self.position += 1;
        let event = match self.run(trainer, phase) {
            Ok(event) => event,
            Err(d) => {
                self.position = self.plan.len();
                return Err(d);
            }
        };
        let completes_iteration = self.is_finished();
        if completes_iteration {
            trainer.finish_iteration();
        }
        self.stamp = Stamp::of(trainer);
        Ok(Some(SubStep {
            round,
            event,
            completes_iteration,
        }))
    }

    /// Runs the sub-steps left, reporting none of them: finishes the iteration.
    pub fn run_to_end(&mut self, trainer: &mut Trainer) -> Result<(), Divergence> {
        while self.next(trainer)?.is_some() {}
        Ok(())
    }

    /// Runs one phase, with the trainer's own phase functions in the order
    /// [`Trainer::discriminator_step`] and [`Trainer::generator_step`] call them.
    fn run(&mut self, trainer: &mut Trainer, phase: Phase) -> Result<Event, Divergence> {
        match phase {
            Phase::HeadStart => head_start(trainer),
            Phase::SampleData => self.sample_data(trainer),
            Phase::SampleNoise => {
                trainer.sample_generator_input(self.training.batch_size);
                Ok(Event::SampleNoise {
                    z: noise_values(trainer),
                })
            }
            Phase::Generate => {
                trainer.generate_for_discriminator()?;
                let m = self.training.batch_size;
                Ok(Event::Generate {
                    z: noise_values(trainer),
                    x: in_data_units(trainer, trainer.discriminator_input().get(m..)),
                })
            }
            Phase::DiscriminatorLoss => self.discriminator_loss(trainer),
            Phase::DiscriminatorUpdate => self.discriminator_update(trainer),
            Phase::GeneratorNoise => {
                trainer.check_running()?;
                self.training = trainer.settings().training.clone();
                trainer.sample_generator_input(self.training.batch_size);
                Ok(Event::GeneratorNoise {
                    z: noise_values(trainer),
                })
            }
            Phase::GeneratorLoss => self.generator_loss(trainer),
            Phase::GeneratorUpdate => self.generator_update(trainer),
        }
    }

    /// Sub-step 1, which starts a D step: the step's settings are read here.
    fn sample_data(&mut self, trainer: &mut Trainer) -> Result<Event, Divergence> {
        trainer.check_running()?;
        self.training = trainer.settings().training.clone();
        let m = self.training.batch_size;
        trainer.sample_data(m);
        Ok(Event::SampleData {
            x: in_data_units(trainer, trainer.discriminator_input().get(..m)),
        })
    }

    /// Sub-step 4.
    fn discriminator_loss(&mut self, trainer: &mut Trainer) -> Result<Event, Divergence> {
        let loss = trainer.discriminator_gradient(&self.training)?;
        self.pending_loss = loss;
        let raw = trainer.discriminator().eval(trainer.discriminator_input());
        let (real, fake) = raw.split_at(self.training.batch_size.min(raw.len()));
        let kind = self.training.loss;
        let m = self.training.batch_size;
        let input = trainer.discriminator_input();
        Ok(Event::DiscriminatorLoss {
            loss,
            penalty: trainer.stats().gradient_penalty,
            real: in_data_units(trainer, input.get(..m)),
            fake: in_data_units(trainer, input.get(m..)),
            d_real: probabilities(kind, real),
            d_fake: probabilities(kind, fake),
        })
    }

    /// Sub-step 5.
    fn discriminator_update(&self, trainer: &mut Trainer) -> Result<Event, Divergence> {
        let before = trainer.model();
        trainer.update_discriminator(&self.training, self.pending_loss)?;
        let stats = trainer.stats();
        Ok(Event::DiscriminatorUpdate(Box::new(Update {
            loss_before: self.pending_loss,
            loss_after: discriminator_loss_now(trainer, &self.training),
            grad_norm: stats.d_grad_norm,
            update_ratio: stats.d_update_ratio,
            before,
            after: trainer.model(),
        })))
    }

    /// Sub-step 7.
    fn generator_loss(&mut self, trainer: &mut Trainer) -> Result<Event, Divergence> {
        let kind = self.training.loss;
        let loss = trainer.generator_gradient(kind)?;
        self.pending_loss = loss;
        let (_, scale) = GanModel::<f32>::data_scale(trainer.settings());
        let upstream = trainer.generator_upstream();
        let m = upstream.len() as f64;
        // G's backward received ∂L_G/∂x̃ = −σF/m.
        let push = upstream
            .iter()
            .map(|d| -f64::from(*d) * m / scale)
            .collect();
        let fake = trainer.generator().eval(trainer.generator_input());
        let raw = trainer.discriminator().eval(&fake);
        Ok(Event::GeneratorLoss {
            loss,
            z: noise_values(trainer),
            x: in_data_units(trainer, Some(&fake)),
            d_fake: probabilities(kind, &raw),
            push,
        })
    }

    /// Sub-step 8.
    fn generator_update(&self, trainer: &mut Trainer) -> Result<Event, Divergence> {
        let before = trainer.model();
        let x_before = generated(trainer);
        trainer.update_generator(&self.training, self.pending_loss)?;
        let stats = trainer.stats();
        Ok(Event::GeneratorUpdate {
            update: Box::new(Update {
                loss_before: self.pending_loss,
                loss_after: generator_loss_now(trainer, self.training.loss),
                grad_norm: stats.g_grad_norm,
                update_ratio: stats.g_update_ratio,
                before,
                after: trainer.model(),
            }),
            z: noise_values(trainer),
            x_before,
            x_after: generated(trainer),
        })
    }
}

/// D's head start, as [`Trainer::iteration`] runs it: `d_pretrain_steps` D steps.
fn head_start(trainer: &mut Trainer) -> Result<Event, Divergence> {
    let steps = trainer.head_start_steps();
    let before = Box::new(trainer.model());
    let mut first_loss = f64::NAN;
    for step in 0..steps {
        trainer.discriminator_step()?;
        if step == 0 {
            first_loss = trainer.stats().d_loss;
        }
    }
    Ok(Event::HeadStart {
        steps,
        first_loss,
        last_loss: trainer.stats().d_loss,
        before,
        after: Box::new(trainer.model()),
    })
}

/// Network-unit values x̃ in data units, μ + σx̃.
fn in_data_units(trainer: &Trainer, values: Option<&[f32]>) -> Vec<f64> {
    let (shift, scale) = GanModel::<f32>::data_scale(trainer.settings());
    values
        .unwrap_or_default()
        .iter()
        .map(|v| shift + scale * f64::from(*v))
        .collect()
}

/// The current noise minibatch in p_z's units (G's input w mapped back through
/// F_z⁻¹(Φ(w)) when z is Gaussianised).
fn noise_values(trainer: &Trainer) -> Vec<f64> {
    let settings = trainer.settings();
    let input = trainer.generator_input().iter().map(|w| f64::from(*w));
    if settings.scaling.gaussianize_z {
        input
            .map(|w| settings.noise.quantile(normal_cdf(w)))
            .collect()
    } else {
        input.collect()
    }
}

/// G(z) in data units for the current noise minibatch, with the trainer's own network.
fn generated(trainer: &Trainer) -> Vec<f64> {
    let g = trainer.generator().eval(trainer.generator_input());
    in_data_units(trainer, Some(&g))
}

fn probabilities(kind: LossKind, raw: &[f32]) -> Vec<f64> {
    raw.iter().map(|l| kind.probability(l.as_f64())).collect()
}

/// D's loss now on the current D input (and, for WGAN-GP, on the last step's x̂).
fn discriminator_loss_now(trainer: &Trainer, t: &TrainingSettings) -> f64 {
    let raw = trainer.discriminator().eval(trainer.discriminator_input());
    let m = raw.len() / 2;
    let (real, fake) = raw.split_at(m);
    let (mut gr, mut gf) = (vec![0.0; m], vec![0.0; fake.len()]);
    let loss = discriminator_loss(t.loss, real, fake, &mut gr, &mut gf);
    let points = trainer.penalty_points();
    if points.is_empty() {
        return loss;
    }
    let (_, scale) = GanModel::<f32>::data_scale(trainer.settings());
    let (_, slopes) = trainer
        .discriminator()
        .cast::<f64>()
        .eval_with_slope(points);
    let data_slopes: Vec<f64> = slopes.iter().map(|s| s / scale).collect();
    loss + gradient_penalty(t.gp_weight, &data_slopes).0
}

/// G's loss under `kind` now on the current noise minibatch, through the current D.
fn generator_loss_now(trainer: &Trainer, kind: LossKind) -> f64 {
    let fake = trainer.generator().eval(trainer.generator_input());
    let raw = trainer.discriminator().eval(&fake);
    generator_loss(kind, &raw, &mut vec![0.0; raw.len()])
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// "1.3863 -> 1.3790": four decimals, or as many more (up to 12) as it takes to show
/// that the two differ.
pub fn before_after(before: f64, after: f64) -> String {
    let mut digits = 4;
    loop {
        let (b, a) = (format!("{before:.digits$}"), format!("{after:.digits$}"));
        if b != a || digits >= 12 {
            return format!("{b} -> {a}");
        }
        digits += 1;
    }
}

/// "mean 4.02, from 2.91 to 5.20".
fn spread(values: &[f64]) -> String {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("mean {:.3}, from {lo:.3} to {hi:.3}", mean(values))
}
