//! Algorithm 1 of Goodfellow et al. (2014): k discriminator steps on fresh minibatches,
//! then a generator step, with every training setting changeable between steps.

use rand::SeedableRng as _;
use rand::rngs::Xoshiro256PlusPlus;

/// The run's random generator: xoshiro256++, fast, cloneable for snapshots, and with a
/// fixed algorithm, so a seed means the same stream on every build.
pub type SimRng = Xoshiro256PlusPlus;

use super::alone::{AscentFrame, GObjective, pair_by_rank, regression_loss};
use super::distribution::standard_normal_into;
use super::float::Real;
use super::loss::{LossKind, discriminator_loss, generator_loss, gradient_penalty};
use super::mlp::{Mlp, Workspace, dot, sum};
use super::model::GanModel;
use super::optim::Optimizer;
use super::settings::{Change, SettingError, Settings, TrainingSettings};

/// Parameters or generated samples beyond this magnitude count as divergence: no working
/// 1-D GAN in standardised units comes near it, and `f32` loses all precision past it.
pub const OVERFLOW_LIMIT: f32 = 1e6;

/// Largest accepted ‖Δθ‖ / max(‖θ‖, 1) for one update. Ordinary runs stay below 0.3
/// (measured over every preset and optimiser with learning rates up to 0.1).
pub const MAX_UPDATE_RATIO: f64 = 1.0;

/// Iterations between automatic checkpoints (the state "Back to last good state" restores).
pub const CHECKPOINT_EVERY: u64 = 100;

/// One of the two players.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Player {
    /// G.
    Generator,
    /// D.
    Discriminator,
}

impl std::fmt::Display for Player {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Generator => "generator",
            Self::Discriminator => "discriminator",
        })
    }
}

/// Why and where a run stopped: a loss, gradient, parameter or sample was not finite or
/// overflowed. The offending update was not applied, so the trainer holds the last
/// finite state.
#[derive(Clone, Debug, PartialEq)]
pub struct Divergence {
    /// The network whose step failed.
    pub player: Player,
    /// The iteration during which it failed (0-based: the count of completed iterations).
    pub iteration: u64,
    /// What went wrong, in words.
    pub reason: String,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "diverged in the {} step of iteration {}: {}",
            self.player, self.iteration, self.reason
        )
    }
}

impl std::error::Error for Divergence {}

/// What a rewind did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewound {
    /// The iteration it went back to.
    pub iteration: u64,
    /// Live settings kept as they were before the rewind although the checkpoint had
    /// other values.
    pub kept: Vec<Change>,
}

impl std::fmt::Display for Rewound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Back to iteration {} (the last good state)",
            self.iteration
        )?;
        if self.kept.is_empty() {
            return Ok(());
        }
        let kept: Vec<String> = self
            .kept
            .iter()
            .map(|c| format!("{} = {} (the checkpoint had {})", c.label, c.to, c.from))
            .collect();
        write!(
            f,
            "; kept your current {}: change it before playing if it caused the divergence",
            kept.join(", ")
        )
    }
}

/// How far the run has got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Completed iterations of Algorithm 1.
    pub iteration: u64,
    /// Discriminator updates applied.
    pub d_steps: u64,
    /// Generator updates applied.
    pub g_steps: u64,
}

/// Numbers from the most recent steps.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepStats {
    /// D's minibatch loss (for cross-entropy losses: −V(D, G) on the minibatch).
    pub d_loss: f64,
    /// G's minibatch loss.
    pub g_loss: f64,
    /// ‖∂L_D/∂θ_D‖₂ of the last D step.
    pub d_grad_norm: f64,
    /// ‖∂L_G/∂θ_G‖₂ of the last G step.
    pub g_grad_norm: f64,
    /// The WGAN-GP penalty term of the last D step (0 for other losses).
    pub gradient_penalty: f64,
    /// ‖Δθ_D‖ / max(‖θ_D‖, 1) of the last D step: how far one update moved D.
    pub d_update_ratio: f64,
    /// ‖Δθ_G‖ / max(‖θ_G‖, 1) of the last G step.
    pub g_update_ratio: f64,
}

/// Everything needed to resume a run exactly. Two snapshots are equal when their
/// settings, networks, optimiser states, random states, counters and statistics are.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    settings: Settings,
    generator: Mlp<f32>,
    discriminator: Mlp<f32>,
    opt_g: Optimizer<f32>,
    opt_d: Optimizer<f32>,
    rng: SimRng,
    counters: Counters,
    stats: StepStats,
    negatives: Negatives,
}

/// D's negatives under [`GObjective::DAscent`]: the samples of the current round, made by
/// ascending D at the round's start (see [`super::alone`]).
#[derive(Clone, Debug, Default, PartialEq)]
struct Negatives {
    /// The samples in D's input units; empty before the first round.
    x: Vec<f32>,
    /// D steps taken when they were made.
    made_at: u64,
    /// Rounds made so far (1 during the first round).
    round: u64,
    /// Kept whatever the round length (the two-sample test's fixed sample of p_g).
    frozen: bool,
    /// With `ascent_keep`: the earlier rounds' negatives (D's input units), the oldest
    /// dropped beyond [`KEPT_NEGATIVES`].
    kept: Vec<f32>,
}

/// Most earlier negatives `ascent_keep` holds (the oldest are dropped first).
pub const KEPT_NEGATIVES: usize = 1 << 15;

impl Snapshot {
    /// The counters at the time of the snapshot.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// The settings in force at the time of the snapshot.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The networks of the snapshot with their scalings, for exact analysis.
    pub fn model(&self) -> GanModel {
        GanModel::new(
            &self.settings,
            self.generator.clone(),
            self.discriminator.clone(),
        )
    }
}

/// The outcome of the two-sample test ([`Trainer::fresh_discriminator`]).
#[derive(Clone, Debug)]
pub struct TwoSampleTest {
    /// A copy of the trainer whose D is the fresh one, trained alone against the frozen G.
    pub probe: Trainer,
    /// max |D(x) − 1/2| of that D over the central 98 % of p_data.
    pub gap: f64,
}

/// Reused buffers, so a step allocates nothing.
#[derive(Clone, Debug)]
struct Buffers {
    z: Vec<f32>,
    d_in: Vec<f32>,
    d_grad_out: Vec<f32>,
    g_grad_out: Vec<f32>,
    dx: Vec<f32>,
    /// The WGAN-GP interpolates x̂ of the last D step (network units), kept so the slow
    /// iteration can evaluate the penalty after the update on the same points.
    xhat: Vec<f64>,
    grads_d: Vec<f32>,
    grads_g: Vec<f32>,
    backup_params: Vec<f32>,
    backup_opt: Optimizer<f32>,
    ws_g: Workspace<f32>,
    /// D's buffers for its own step (2m rows).
    ws_d: Workspace<f32>,
    /// D's buffers inside G's step (m rows): kept apart so neither is resized every step.
    ws_d_on_fake: Workspace<f32>,
    /// The data paired with G's outputs in a regression step (network units).
    paired: Vec<f32>,
}

/// Owns G, D, their optimisers, the random generator and the settings.
#[derive(Clone, Debug)]
pub struct Trainer {
    settings: Settings,
    generator: Mlp<f32>,
    discriminator: Mlp<f32>,
    opt_g: Optimizer<f32>,
    opt_d: Optimizer<f32>,
    rng: SimRng,
    counters: Counters,
    stats: StepStats,
    divergence: Option<Divergence>,
    checkpoint: Option<Snapshot>,
    negatives: Negatives,
    buf: Buffers,
}

impl Trainer {
    /// A fresh run: validates the settings, then initialises G and D from the seed.
    pub fn new(settings: Settings) -> Result<Self, SettingError> {
        settings.validate()?;
        let mut rng = SimRng::seed_from_u64(settings.seed);
        let g_shape = settings.generator.shape();
        let d_shape = settings.discriminator.shape();
        let generator = Mlp::new(g_shape, settings.generator.init, &mut rng);
        let discriminator = Mlp::new(d_shape, settings.discriminator.init, &mut rng);
        let kind = settings.training.optimizer;
        let mut trainer = Self {
            opt_g: Optimizer::new(kind, g_shape.param_count()),
            opt_d: Optimizer::new(kind, d_shape.param_count()),
            buf: Buffers {
                z: Vec::new(),
                d_in: Vec::new(),
                d_grad_out: Vec::new(),
                g_grad_out: Vec::new(),
                dx: Vec::new(),
                xhat: Vec::new(),
                grads_d: vec![0.0; d_shape.param_count()],
                grads_g: vec![0.0; g_shape.param_count()],
                backup_params: Vec::new(),
                backup_opt: Optimizer::new(kind, 0),
                ws_g: Workspace::default(),
                ws_d: Workspace::default(),
                ws_d_on_fake: Workspace::default(),
                paired: Vec::new(),
            },
            settings,
            generator,
            discriminator,
            rng,
            counters: Counters::default(),
            stats: StepStats::default(),
            divergence: None,
            checkpoint: None,
            negatives: Negatives::default(),
        };
        trainer.checkpoint = Some(trainer.snapshot());
        Ok(trainer)
    }

    /// A trainer in a snapshot's state (to continue a run from it).
    pub fn from_snapshot(snapshot: &Snapshot) -> Result<Self, SettingError> {
        let mut trainer = Self::new(snapshot.settings.clone())?;
        trainer.restore(snapshot);
        trainer.checkpoint = Some(snapshot.clone());
        Ok(trainer)
    }

    /// The current settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Progress counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Losses and gradient norms of the latest steps.
    pub fn stats(&self) -> StepStats {
        self.stats
    }

    /// The divergence that stopped the run, if any.
    pub fn divergence(&self) -> Option<&Divergence> {
        self.divergence.as_ref()
    }

    /// The generator network (in its own units, see [`GanModel`]).
    pub fn generator(&self) -> &Mlp<f32> {
        &self.generator
    }

    /// The discriminator network.
    pub fn discriminator(&self) -> &Mlp<f32> {
        &self.discriminator
    }

    /// The generator network, to set by hand (experiments and tests). Its shape is fixed
    /// by the settings; the optimiser state is left as it is.
    pub fn generator_mut(&mut self) -> &mut Mlp<f32> {
        &mut self.generator
    }

    /// Changes Algorithm 1's live settings (k, learning rates, loss, optimiser, batch
    /// size, …) without touching the networks. A new optimiser kind starts from fresh
    /// state. D's head start belongs to the start of a run and is kept as it is.
    pub fn set_training(&mut self, training: TrainingSettings) -> Result<(), SettingError> {
        let mut next = self.settings.clone();
        next.training = TrainingSettings {
            d_pretrain_steps: self.settings.training.d_pretrain_steps,
            ..training
        };
        next.validate()?;
        self.adopt_training(next.training);
        Ok(())
    }

    /// Puts valid live settings in force.
    fn adopt_training(&mut self, training: TrainingSettings) {
        if training.optimizer != self.settings.training.optimizer {
            let kind = training.optimizer;
            self.opt_g = Optimizer::new(kind, self.generator.params().len());
            self.opt_d = Optimizer::new(kind, self.discriminator.params().len());
        }
        self.settings.training = training;
    }

    /// Whether moving to `next` needs a reset (model, data, noise, scaling or seed differ).
    pub fn needs_reset(&self, next: &Settings) -> bool {
        self.settings.needs_reset(next)
    }

    /// A copy of the whole state.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            settings: self.settings.clone(),
            generator: self.generator.clone(),
            discriminator: self.discriminator.clone(),
            opt_g: self.opt_g.clone(),
            opt_d: self.opt_d.clone(),
            rng: self.rng.clone(),
            counters: self.counters,
            stats: self.stats,
            negatives: self.negatives.clone(),
        }
    }

    /// Puts the trainer back into a snapshot's state and clears any divergence.
    pub fn restore(&mut self, snapshot: &Snapshot) {
        let Snapshot {
            settings,
            generator,
            discriminator,
            opt_g,
            opt_d,
            rng,
            counters,
            stats,
            negatives,
        } = snapshot.clone();
        self.buf.grads_g = vec![0.0; generator.params().len()];
        self.buf.grads_d = vec![0.0; discriminator.params().len()];
        self.settings = settings;
        self.generator = generator;
        self.discriminator = discriminator;
        self.opt_g = opt_g;
        self.opt_d = opt_d;
        self.rng = rng;
        self.counters = counters;
        self.stats = stats;
        self.negatives = negatives;
        self.divergence = None;
    }

    /// The latest automatic checkpoint (every [`CHECKPOINT_EVERY`] healthy iterations).
    pub fn last_good(&self) -> Option<&Snapshot> {
        self.checkpoint.as_ref()
    }

    /// Restores the latest checkpoint ("Back to last good state"): the networks, the
    /// optimisers, the random state and the counters. Algorithm 1's live settings stay
    /// as they are now (the user chose them); the returned record says which of them
    /// differ from the checkpoint's. `None` when there is no checkpoint yet. (A run's
    /// checkpoints share its reset settings, so only live ones can differ.)
    pub fn rewind(&mut self) -> Option<Rewound> {
        let snapshot = self.checkpoint.clone()?;
        let now = self.settings.clone();
        self.restore(&snapshot);
        let kept = self.settings.changes(&now);
        // They were in force a moment ago, so they are valid; a kept optimiser of another
        // kind than the checkpoint's starts from fresh state (the report names it).
        self.adopt_training(now.training);
        Some(Rewound {
            iteration: self.counters.iteration,
            kept,
        })
    }

    /// The current networks with their scalings, for exact analysis.
    pub fn model(&self) -> GanModel {
        GanModel::new(
            &self.settings,
            self.generator.clone(),
            self.discriminator.clone(),
        )
    }

    fn data_scale(&self) -> (f64, f64) {
        GanModel::<f32>::data_scale(&self.settings)
    }

    /// The random generator's state (the slow iteration checks nothing else drew from it).
    pub(super) fn rng(&self) -> &SimRng {
        &self.rng
    }

    /// D's input of the current D step in network units: m real samples, then m
    /// generated ones.
    pub(super) fn discriminator_input(&self) -> &[f32] {
        &self.buf.d_in
    }

    /// G's network input of the current step (w = Φ⁻¹(F_z(z)) when z is Gaussianised).
    pub(super) fn generator_input(&self) -> &[f32] {
        &self.buf.z
    }

    /// ∂L_G/∂x̃ per generated sample (network units, with the minibatch mean's 1/m) of
    /// the last [`Self::generator_gradient`]: what G's backward pass received.
    pub(super) fn generator_upstream(&self) -> &[f32] {
        &self.buf.dx
    }

    /// The WGAN-GP interpolates x̂ of the last D step (network units; empty otherwise).
    pub(super) fn penalty_points(&self) -> &[f64] {
        &self.buf.xhat
    }

    /// Fills `buf.z` with m network inputs: z ~ p_z, or w = Φ⁻¹(F_z(z)) drawn directly
    /// from N(0, 1), which is the same law.
    pub(super) fn sample_generator_input(&mut self, m: usize) {
        self.buf.z.resize(m, 0.0);
        if self.settings.scaling.gaussianize_z {
            standard_normal_into(&mut self.rng, &mut self.buf.z);
        } else {
            for v in &mut self.buf.z {
                *v = self.settings.noise.sample(&mut self.rng) as f32;
            }
        }
    }

    fn diverge(&mut self, player: Player, reason: String) -> Divergence {
        let d = Divergence {
            player,
            iteration: self.counters.iteration,
            reason,
        };
        self.divergence = Some(d.clone());
        d
    }

    pub(super) fn check_running(&self) -> Result<(), Divergence> {
        self.divergence.clone().map_or(Ok(()), Err)
    }

    /// One discriminator update: ascend V(D, G) (descend D's loss) on m real and m
    /// generated samples. Its phases are the sub-steps 1–5 of Algorithm 1 that
    /// [`super::substep::SlowIteration`] stops after, one by one.
    pub fn discriminator_step(&mut self) -> Result<(), Divergence> {
        self.check_running()?;
        let t = self.settings.training.clone();
        self.sample_data(t.batch_size);
        if t.g_objective == GObjective::DAscent {
            self.negatives_for_discriminator(&t);
        } else {
            if !self.negatives.x.is_empty() {
                self.negatives = Negatives::default();
            }
            self.sample_generator_input(t.batch_size);
            self.generate_for_discriminator()?;
        }
        let loss = self.discriminator_gradient(&t)?;
        self.update_discriminator(&t, loss)
    }

    /// The d-ascent experiment's negatives into the second half of D's input: the
    /// round's samples, made afresh when a round of `ascent_round` D steps has passed (or
    /// the minibatch size changed). The first round's are the random starts themselves.
    fn negatives_for_discriminator(&mut self, t: &TrainingSettings) {
        use rand::RngExt as _;
        let m = t.batch_size;
        let n = &self.negatives;
        let due = n.x.len() != m
            || (!n.frozen && self.counters.d_steps.saturating_sub(n.made_at) >= t.ascent_round);
        if due {
            let frame = self.ascent_frame();
            let mut x: Vec<f64> = (0..m)
                .map(|_| frame.start(self.rng.random::<f64>()))
                .collect();
            if !self.negatives.x.is_empty() {
                frame.ascend(&self.discriminator, &mut x);
            }
            let (shift, scale) = self.data_scale();
            let old = std::mem::take(&mut self.negatives);
            let mut kept = if t.ascent_keep { old.kept } else { Vec::new() };
            if t.ascent_keep {
                kept.extend_from_slice(&old.x);
                let excess = kept.len().saturating_sub(KEPT_NEGATIVES);
                kept.drain(..excess);
            }
            self.negatives = Negatives {
                x: x.iter().map(|x| ((x - shift) / scale) as f32).collect(),
                made_at: self.counters.d_steps,
                round: old.round + 1,
                frozen: old.frozen,
                kept,
            };
        }
        let n = &self.negatives;
        if t.ascent_keep && !n.kept.is_empty() {
            // Every negative so far, this round's and the earlier ones', equally likely.
            let total = n.kept.len() + n.x.len();
            for slot in &mut self.buf.d_in[m..] {
                let i = self.rng.random_range(0..total);
                *slot = if i < n.x.len() {
                    n.x[i]
                } else {
                    n.kept[i - n.x.len()]
                };
            }
        } else {
            self.buf.d_in[m..].copy_from_slice(&n.x);
        }
    }

    /// Under d-ascent with `ascent_keep`: every negative so far (this round's and the
    /// earlier rounds' kept ones) in data units; else this round's.
    pub fn all_negatives(&self) -> Vec<f64> {
        self.in_data_units(self.negatives.x.iter().chain(&self.negatives.kept))
    }

    /// D's inputs `x` (network units) in data units.
    fn in_data_units<'a>(&self, x: impl Iterator<Item = &'a f32>) -> Vec<f64> {
        let (shift, scale) = self.data_scale();
        x.map(|&x| shift + scale * f64::from(x)).collect()
    }

    /// The coordinates of the d-ascent experiment's ascent for this run.
    fn ascent_frame(&self) -> AscentFrame {
        AscentFrame::new(&self.settings.target, self.data_scale())
    }

    /// Under d-ascent: the current round (1 for the first; 0 before any D step).
    pub fn ascent_round(&self) -> u64 {
        self.negatives.round
    }

    /// Under d-ascent: the current round's negatives in data units (empty otherwise).
    pub fn negatives(&self) -> Vec<f64> {
        self.in_data_units(self.negatives.x.iter())
    }

    /// Sub-step 1: m real samples, standardised, into the first half of D's input.
    pub(super) fn sample_data(&mut self, m: usize) {
        let (shift, scale) = self.data_scale();
        let (shift, inv_scale) = (shift as f32, (1.0 / scale) as f32);
        self.buf.d_in.resize(2 * m, 0.0);
        let (real, _) = self.buf.d_in.split_at_mut(m);
        self.settings.target.sample_into(&mut self.rng, real);
        real.iter_mut().for_each(|x| *x = (*x - shift) * inv_scale);
    }

    /// Sub-step 3: G(z) for the noise in `buf.z`, into the second half of D's input. G's
    /// network output is already in D's units, since (shift + scale·g − shift)/scale = g.
    pub(super) fn generate_for_discriminator(&mut self) -> Result<(), Divergence> {
        let m = self.buf.z.len();
        let fake = self.generator.forward(&self.buf.z, &mut self.buf.ws_g);
        if let Some(reason) = overflow(fake, "generated sample") {
            return Err(self.diverge(Player::Generator, reason));
        }
        self.buf.d_in[m..].copy_from_slice(fake);
        Ok(())
    }

    /// Sub-step 4: D's loss on the real and generated samples in D's input (with the
    /// WGAN-GP penalty), and ∂L_D/∂θ_D left in `buf.grads_d`.
    pub(super) fn discriminator_gradient(
        &mut self,
        t: &TrainingSettings,
    ) -> Result<f64, Divergence> {
        let m = self.buf.d_in.len() / 2;
        let logits = self
            .discriminator
            .forward(&self.buf.d_in, &mut self.buf.ws_d);
        self.buf.d_grad_out.resize(2 * m, 0.0);
        let (lr_, lf) = logits.split_at(m);
        let (gr, gf) = self.buf.d_grad_out.split_at_mut(m);
        let mut loss = discriminator_loss(t.loss, lr_, lf, gr, gf);
        self.buf.grads_d.iter_mut().for_each(|g| *g = 0.0);
        self.discriminator.backward(
            &mut self.buf.ws_d,
            &self.buf.d_grad_out,
            Some(&mut self.buf.grads_d),
            None,
        );
        self.stats.gradient_penalty = 0.0;
        self.buf.xhat.clear();
        if t.loss == LossKind::WassersteinGp && t.gp_weight > 0.0 {
            let (_, scale) = self.data_scale();
            let penalty = self.gradient_penalty_into_grads(m, scale, t.gp_weight);
            self.stats.gradient_penalty = penalty;
            loss += penalty;
        }
        if !loss.is_finite() {
            return Err(self.diverge(Player::Discriminator, format!("loss is {loss}")));
        }
        Ok(loss)
    }

    /// Sub-step 5: D's optimiser step on the gradient of sub-step 4, whose loss was `loss`.
    pub(super) fn update_discriminator(
        &mut self,
        t: &TrainingSettings,
        loss: f64,
    ) -> Result<(), Divergence> {
        let lr = t.lr_d * t.lr_factor(self.counters.iteration);
        let (norm, ratio) = self.apply_update(Player::Discriminator, lr, t)?;
        self.stats.d_loss = loss;
        self.stats.d_grad_norm = norm;
        self.stats.d_update_ratio = ratio;
        self.counters.d_steps += 1;
        Ok(())
    }

    /// Adds the one-sided penalty λ E[max(0, |f'(x̂)| − 1)²] on x̂ = εx + (1 − ε)G(z) to
    /// D's gradient (see [`gradient_penalty`] for why one-sided); returns the term.
    /// The slope is taken in data units, where the Lipschitz constraint means W1.
    fn gradient_penalty_into_grads(&mut self, m: usize, scale: f64, weight: f64) -> f64 {
        use rand::RngExt as _;
        self.buf.xhat.clear();
        for i in 0..m {
            let eps: f64 = self.rng.random();
            let (r, f) = (f64::from(self.buf.d_in[i]), f64::from(self.buf.d_in[m + i]));
            self.buf.xhat.push(eps * r + (1.0 - eps) * f);
        }
        // The penalty's double backpropagation runs in f64 for accuracy.
        let d64: Mlp<f64> = self.discriminator.cast();
        let mut grads = vec![0.0; d64.params().len()];
        let value = std::cell::Cell::new(0.0);
        d64.slopes_and_penalty_backward(
            &self.buf.xhat,
            |slopes| {
                let data_slopes: Vec<f64> = slopes.iter().map(|s| s / scale).collect();
                let (v, g) = gradient_penalty(weight, &data_slopes);
                value.set(v);
                g.iter().map(|g| g / scale).collect()
            },
            &mut grads,
        );
        let value = value.get();
        for (acc, g) in self.buf.grads_d.iter_mut().zip(grads) {
            *acc += g as f32;
        }
        value
    }

    /// One generator update on a fresh minibatch of m noise samples: descend G's loss
    /// through the frozen discriminator. Its phases are the sub-steps 6–8 of Algorithm 1
    /// that [`super::substep::SlowIteration`] stops after.
    pub fn generator_step(&mut self) -> Result<(), Divergence> {
        self.check_running()?;
        let t = self.settings.training.clone();
        let ranked = match t.g_objective {
            GObjective::Adversarial => {
                self.sample_generator_input(t.batch_size);
                let loss = self.generator_gradient(t.loss)?;
                return self.update_generator(&t, loss);
            }
            // No G to train: D's negatives come from ascending D.
            GObjective::DAscent => return Ok(()),
            GObjective::L2Random => false,
            GObjective::L2Ranked => true,
        };
        self.sample_generator_input(t.batch_size);
        let loss = self.regression_gradient(ranked)?;
        self.update_generator(&t, loss)
    }

    /// G's regression loss (1/m) Σ (G(z_i) − x_i)² (network units) on the noise in
    /// `buf.z` and m fresh data values, paired at random or by rank, with ∂L/∂θ_G left in
    /// `buf.grads_g` (see [`super::alone`]).
    fn regression_gradient(&mut self, ranked: bool) -> Result<f64, Divergence> {
        let m = self.buf.z.len();
        let (shift, scale) = self.data_scale();
        let (shift, inv_scale) = (shift as f32, (1.0 / scale) as f32);
        self.buf.paired.resize(m, 0.0);
        self.settings
            .target
            .sample_into(&mut self.rng, &mut self.buf.paired);
        self.buf
            .paired
            .iter_mut()
            .for_each(|x| *x = (*x - shift) * inv_scale);
        if ranked {
            pair_by_rank(&mut self.buf.z, &mut self.buf.paired);
        }
        let fake = self.generator.forward(&self.buf.z, &mut self.buf.ws_g);
        if let Some(reason) = overflow(fake, "generated sample") {
            return Err(self.diverge(Player::Generator, reason));
        }
        self.buf.dx.resize(m, 0.0);
        let loss = regression_loss(fake, &self.buf.paired, &mut self.buf.dx);
        if !loss.is_finite() {
            return Err(self.diverge(Player::Generator, format!("loss is {loss}")));
        }
        self.generator_backward_from_dx();
        Ok(loss)
    }

    /// ∂L_G/∂θ_G into `grads_g`, back through G from ∂L_G/∂x in `dx` (G's forward pass
    /// of this step in `ws_g`).
    fn generator_backward_from_dx(&mut self) {
        self.buf.grads_g.iter_mut().for_each(|g| *g = 0.0);
        self.generator.backward(
            &mut self.buf.ws_g,
            &self.buf.dx,
            Some(&mut self.buf.grads_g),
            None,
        );
    }

    /// Sub-step 8: G's optimiser step on the gradient of sub-step 7, whose loss was `loss`.
    pub(super) fn update_generator(
        &mut self,
        t: &TrainingSettings,
        loss: f64,
    ) -> Result<(), Divergence> {
        let lr = t.lr_g * t.lr_factor(self.counters.iteration);
        let (norm, ratio) = self.apply_update(Player::Generator, lr, t)?;
        self.stats.g_loss = loss;
        self.stats.g_grad_norm = norm;
        self.stats.g_update_ratio = ratio;
        self.counters.g_steps += 1;
        Ok(())
    }

    /// Sub-step 7: G's loss on the noise minibatch in `buf.z`, with ∂L/∂x̃ (network
    /// units) left in `buf.dx` and ∂L/∂θ_G in `buf.grads_g`.
    pub(super) fn generator_gradient(&mut self, loss_kind: LossKind) -> Result<f64, Divergence> {
        let m = self.buf.z.len();
        let fake = self.generator.forward(&self.buf.z, &mut self.buf.ws_g);
        if let Some(reason) = overflow(fake, "generated sample") {
            return Err(self.diverge(Player::Generator, reason));
        }
        let logits = self.discriminator.forward(fake, &mut self.buf.ws_d_on_fake);
        self.buf.g_grad_out.resize(m, 0.0);
        let loss = generator_loss(loss_kind, logits, &mut self.buf.g_grad_out);
        if !loss.is_finite() {
            return Err(self.diverge(Player::Generator, format!("loss is {loss}")));
        }
        // ∂L/∂x through D (input gradient only), then back through G.
        self.buf.dx.resize(m, 0.0);
        self.discriminator.backward(
            &mut self.buf.ws_d_on_fake,
            &self.buf.g_grad_out,
            None,
            Some(&mut self.buf.dx),
        );
        self.generator_backward_from_dx();
        Ok(loss)
    }

    /// ‖∂L_G/∂θ_G‖ under each of `losses`, all on one fresh minibatch of m noise samples,
    /// without updating anything: §3's comparison of the minimax and non-saturating
    /// generator losses, made on equal terms. Draws from the run's random generator.
    pub fn generator_gradient_norms(
        &mut self,
        m: usize,
        losses: &[LossKind],
    ) -> Result<Vec<f64>, Divergence> {
        self.sample_generator_input(m.max(1));
        let mut norms = Vec::with_capacity(losses.len());
        for &loss in losses {
            self.generator_gradient(loss)?;
            norms.push(gradient_norm(&self.buf.grads_g));
        }
        Ok(norms)
    }

    /// Checks the gradient in `buf`, applies the optimiser step for `player`, and checks
    /// the result. An update that is non-finite, overflows, or moves the parameters
    /// farther than their own norm (‖Δθ‖ > max(‖θ‖, 1): a learning rate far too large) is
    /// undone, so the trainer keeps the last finite state. Returns
    /// (‖g‖, ‖Δθ‖ / max(‖θ‖, 1)).
    fn apply_update(
        &mut self,
        player: Player,
        lr: f64,
        t: &TrainingSettings,
    ) -> Result<(f64, f64), Divergence> {
        let (net, opt, grads) = match player {
            Player::Generator => (&mut self.generator, &mut self.opt_g, &self.buf.grads_g),
            Player::Discriminator => (&mut self.discriminator, &mut self.opt_d, &self.buf.grads_d),
        };
        let norm = gradient_norm(grads);
        if let Some(reason) = bad_gradient(norm) {
            return Err(self.diverge(player, reason));
        }
        self.buf.backup_params.clear();
        self.buf.backup_params.extend_from_slice(net.params());
        self.buf.backup_opt.copy_from(opt);
        let before = param_norm(net.params());
        opt.step(net.params_mut(), grads, lr, &t.optimizer_params());
        if player == Player::Discriminator && t.loss == LossKind::WassersteinClip {
            let c = t.clip as f32;
            net.params_mut()
                .iter_mut()
                .for_each(|p| *p = p.clamp(-c, c));
        }
        let moved = distance(net.params(), &self.buf.backup_params);
        let ratio = moved / before;
        let problem = overflow(net.params(), "parameter").or_else(|| {
            (ratio > MAX_UPDATE_RATIO).then(|| {
                format!(
                    "one update moved the weights by {ratio:.1}× their norm (limit {MAX_UPDATE_RATIO}): \
                     learning rate {lr} is far too large"
                )
            })
        });
        if let Some(reason) = problem {
            net.params_mut().copy_from_slice(&self.buf.backup_params);
            opt.copy_from(&self.buf.backup_opt);
            return Err(self.diverge(player, reason));
        }
        Ok((norm, ratio))
    }

    /// One iteration of Algorithm 1: k discriminator steps, then `g_steps` generator steps
    /// (the run's very first iteration starts with `d_pretrain_steps` extra D steps).
    pub fn iteration(&mut self) -> Result<(), Divergence> {
        for _ in 0..self.head_start_steps() {
            self.discriminator_step()?;
        }
        for _ in 0..self.settings.training.k {
            self.discriminator_step()?;
        }
        for _ in 0..self.settings.training.g_steps {
            self.generator_step()?;
        }
        self.finish_iteration();
        Ok(())
    }

    /// The D steps this iteration starts with before its k: `d_pretrain_steps` on the
    /// run's very first iteration (no D step taken yet), else none.
    pub fn head_start_steps(&self) -> u64 {
        if self.counters.iteration == 0 && self.counters.d_steps == 0 {
            self.settings.training.d_pretrain_steps
        } else {
            0
        }
    }

    /// Counts the iteration and takes the automatic checkpoint when one is due.
    pub(super) fn finish_iteration(&mut self) {
        self.counters.iteration += 1;
        if self.counters.iteration.is_multiple_of(CHECKPOINT_EVERY) {
            self.checkpoint = Some(self.snapshot());
        }
    }

    /// Runs `n` iterations, stopping at a divergence.
    pub fn run(&mut self, n: u64) -> Result<(), Divergence> {
        for _ in 0..n {
            self.iteration()?;
        }
        Ok(())
    }

    /// Trains only D, with G frozen, for `steps` steps on minibatches of `m`, with the
    /// learning rate falling linearly from `lr` to 0 (so D settles instead of jittering);
    /// the loss is the current one. Proposition 1's setting: D approaches
    /// D* = p_data / (p_data + p_g). Counters other than D steps do not move.
    pub fn train_discriminator_only(
        &mut self,
        steps: u64,
        m: usize,
        lr: f64,
    ) -> Result<(), Divergence> {
        self.train_discriminator_schedule(0..steps, steps, m, lr)
    }

    /// Steps `range` of [`Self::train_discriminator_only`]'s schedule of `total` steps (the
    /// learning rate at step s is lr·(1 − s/total)), so a long schedule can run in slices.
    pub fn train_discriminator_schedule(
        &mut self,
        range: std::ops::Range<u64>,
        total: u64,
        m: usize,
        lr: f64,
    ) -> Result<(), Divergence> {
        let saved = self.settings.training.clone();
        let mut result = Ok(());
        for step in range {
            let mut t = saved.clone();
            t.batch_size = m;
            t.lr_d = (lr * (1.0 - step as f64 / total as f64)).max(f64::MIN_POSITIVE);
            t.lr_decay_iters = 0;
            self.settings.training = t;
            result = self.discriminator_step();
            if result.is_err() {
                break;
            }
        }
        self.settings.training = saved;
        result
    }

    /// The two-sample test: a fresh D (seeded by `seed`, starting at D = 1/2 everywhere)
    /// trained alone against the frozen G for `steps` steps (m = 256, Adam from 2e-3
    /// decaying to 0). Returns max |D(x) − 1/2| over the central 98 % of p_data. Small only
    /// if p_g ≈ p_data: a D that has merely stopped learning cannot pass it.
    pub fn fresh_discriminator_gap(&self, seed: u64, steps: u64) -> Result<f64, Divergence> {
        Ok(self.fresh_discriminator(seed, steps)?.gap)
    }

    /// [`Self::fresh_discriminator_gap`] with its probe: the trainer whose D was replaced
    /// by a fresh one trained alone, as well as the gap.
    pub fn fresh_discriminator(&self, seed: u64, steps: u64) -> Result<TwoSampleTest, Divergence> {
        let mut probe = self.clone();
        if probe.settings.training.g_objective == GObjective::DAscent {
            // The fresh D tells data from a fixed sample of p_g: the ascent of the run's D.
            probe.freeze_negatives(256);
        }
        probe.reinitialize_discriminator(seed);
        if probe.settings.training.optimizer != super::optim::OptimizerKind::Adam {
            let mut t = probe.settings.training.clone();
            t.optimizer = super::optim::OptimizerKind::Adam;
            probe.settings.training = t;
            probe.reinitialize_discriminator(seed);
        }
        probe.train_discriminator_only(steps, 256, 2e-3)?;
        let model = probe.model();
        let target = &model.target;
        let (lo, hi) = (
            target.quantile(0.5 * (1.0 - FRESH_TEST_MASS)),
            target.quantile(0.5 * (1.0 + FRESH_TEST_MASS)),
        );
        let n = 400;
        let x: Vec<f64> = (0..=n)
            .map(|i| lo + (hi - lo) * i as f64 / n as f64)
            .collect();
        let d = model.discriminator_probability(&x);
        let gap = d.iter().fold(0.0_f64, |m, d| m.max((d - 0.5).abs()));
        Ok(TwoSampleTest { probe, gap })
    }

    /// Under d-ascent: `m` samples of p_g (the ascent of the current D from random starts)
    /// as D's negatives for good, whatever the round length.
    fn freeze_negatives(&mut self, m: usize) {
        use rand::RngExt as _;
        let frame = self.ascent_frame();
        let mut x: Vec<f64> = (0..m)
            .map(|_| frame.start(self.rng.random::<f64>()))
            .collect();
        frame.ascend(&self.discriminator, &mut x);
        let (shift, scale) = self.data_scale();
        self.negatives = Negatives {
            x: x.iter().map(|x| ((x - shift) / scale) as f32).collect(),
            made_at: self.counters.d_steps,
            round: self.negatives.round + 1,
            frozen: true,
            kept: Vec::new(),
        };
    }

    /// Replaces D by a freshly initialised network (seeded by `seed`) with fresh optimiser
    /// state: the start of the two-sample test. Its output layer starts at zero weights
    /// and the bias that reads as D = 1/2, so the fresh D is undecided everywhere and
    /// stays so where no sample ever lands; only the samples move it.
    pub fn reinitialize_discriminator(&mut self, seed: u64) {
        let mut rng = SimRng::seed_from_u64(seed);
        let s = &self.settings.discriminator;
        self.discriminator = Mlp::new(s.shape(), s.init, &mut rng);
        self.discriminator
            .set_constant_output(undecided_output(self.settings.training.loss));
        self.opt_d = Optimizer::new(
            self.settings.training.optimizer,
            self.discriminator.params().len(),
        );
    }

    /// One iteration with D replaced by an oracle (Proposition 2's setting, see
    /// [`super::oracle`]): `g_steps` generator updates, each on a fresh minibatch, whose
    /// ∂L/∂x comes from `oracle` instead of from backpropagation through D; D is not
    /// trained. `oracle` is given the current G and D and the generated samples in data
    /// units, and returns the minibatch loss and ∂L/∂x per sample (or why it cannot).
    /// Optimiser, learning-rate schedule, divergence checks and checkpoints are those of
    /// [`Self::iteration`].
    pub fn oracle_iteration(&mut self, oracle: &mut GeneratorOracle<'_>) -> Result<(), Divergence> {
        for _ in 0..self.settings.training.g_steps {
            self.oracle_generator_step(oracle)?;
        }
        self.finish_iteration();
        Ok(())
    }

    /// One generator update from the oracle's ∂L/∂x (see [`Self::oracle_iteration`]).
    fn oracle_generator_step(
        &mut self,
        oracle: &mut GeneratorOracle<'_>,
    ) -> Result<(), Divergence> {
        self.check_running()?;
        let t = self.settings.training.clone();
        let model = self.model();
        let (shift, scale) = self.data_scale();
        self.sample_generator_input(t.batch_size);
        let fake = self.generator.forward(&self.buf.z, &mut self.buf.ws_g);
        if let Some(reason) = overflow(fake, "generated sample") {
            return Err(self.diverge(Player::Generator, reason));
        }
        let x: Vec<f64> = fake.iter().map(|&g| shift + scale * f64::from(g)).collect();
        let (loss, dl_dx) = oracle(&model, &x).map_err(|r| self.diverge(Player::Generator, r))?;
        assert_eq!(
            dl_dx.len(),
            x.len(),
            "the oracle's gradient needs one value per sample"
        );
        if !loss.is_finite() {
            return Err(self.diverge(Player::Generator, format!("oracle loss is {loss}")));
        }
        // x = μ + σ·g, so ∂L/∂g = σ·∂L/∂x.
        self.buf.dx.clear();
        self.buf
            .dx
            .extend(dl_dx.iter().map(|&d| (scale * d) as f32));
        self.buf.grads_g.iter_mut().for_each(|g| *g = 0.0);
        self.generator.backward(
            &mut self.buf.ws_g,
            &self.buf.dx,
            Some(&mut self.buf.grads_g),
            None,
        );
        self.update_generator(&t, loss)
    }
}

/// What [`Trainer::oracle_iteration`] asks of an oracle: given G and D and the generated
/// samples in data units, the minibatch loss and ∂L/∂x per sample, or why it cannot.
pub type GeneratorOracle<'a> = dyn FnMut(&GanModel, &[f64]) -> Result<(f64, Vec<f64>), String> + 'a;

/// The share of p_data (its central quantiles) over which the two-sample test measures
/// max |D − 1/2|.
pub const FRESH_TEST_MASS: f64 = 0.98;

/// D's raw output that reads as D = 1/2 under `loss` (see [`LossKind::probability`]).
fn undecided_output(loss: LossKind) -> f32 {
    match loss {
        LossKind::LeastSquares => 0.5,
        LossKind::Minimax
        | LossKind::NonSaturating
        | LossKind::WassersteinClip
        | LossKind::WassersteinGp
        | LossKind::Hinge => 0.0,
    }
}

/// ‖a − b‖₂, with eight independent lanes so it vectorises.
fn distance(a: &[f32], b: &[f32]) -> f64 {
    let mut acc = [0.0_f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| (x - y) * (x - y))
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += (x[l] - y[l]) * (x[l] - y[l]);
        }
    }
    f64::from(acc.iter().sum::<f32>() + tail).sqrt()
}

/// max(‖θ‖₂, 1): the scale an update is compared against.
fn param_norm(params: &[f32]) -> f64 {
    f64::from(dot(params, params)).sqrt().max(1.0)
}

fn gradient_norm(grads: &[f32]) -> f64 {
    f64::from(dot(grads, grads)).sqrt()
}

fn bad_gradient(norm: f64) -> Option<String> {
    if !norm.is_finite() {
        Some("gradient is not finite".to_owned())
    } else if norm > 1e15 {
        Some(format!("gradient norm {norm:.3e} overflowed (limit 1e15)"))
    } else {
        None
    }
}

/// Flags a non-finite or huge value; `sum` makes NaN and ±∞ propagate cheaply.
fn overflow(values: &[f32], what: &str) -> Option<String> {
    if !sum(values).finite() {
        let bad = values
            .iter()
            .find(|v| !v.is_finite())
            .copied()
            .unwrap_or(f32::INFINITY);
        return Some(format!("a {what} became {bad}"));
    }
    let largest = values.iter().fold(0.0_f32, |a, v| a.max(v.abs()));
    (largest > OVERFLOW_LIMIT)
        .then(|| format!("a {what} reached {largest:.3e} (limit {OVERFLOW_LIMIT:.0e})"))
}
