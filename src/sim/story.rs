//! Figure 1 (a)–(d) of the paper as a scripted, seeded scenario on the live trainer.
//!
//! - (a) Algorithm 1 from the seeded start until p_g is close to p_data but visibly
//!   different (JSD below [`StoryOptions::a_jsd`]) and D* is smooth enough for D to match
//!   in (b) ([`StoryOptions::a_max_slope`]); then D steps of the inner loop alone (G
//!   frozen) until D is a partially accurate classifier: D − 1/2 has the sign of
//!   p_data − p_g on more than [`StoryOptions::a_sign_share`] of the central mass and D
//!   spans more than [`StoryOptions::a_d_span`] there.
//! - (b) G frozen, D trained alone (rounds of steps with a decaying learning rate) until
//!   max |D − D*| < [`StoryOptions::b_gap`] over the central 98 % of (p_data + p_g)/2.
//! - (c) D frozen, G steps until G(z) has moved [`StoryOptions::c_move`] data standard
//!   deviations on average (at most [`StoryOptions::c_steps`]): each arrow's G(z) before
//!   and after.
//! - (d) Algorithm 1 continued until JSD < [`StoryOptions::d_jsd`] and a freshly trained D
//!   stays within [`StoryOptions::d_fresh_gap`] of 1/2 on the data's central 98 %.
//!
//! A generator network moves G(z) smoothly in z: one step shifts and stretches p_g as a
//! whole. When D has a valley or a ridge inside p_g's bulk whose centre is not where the
//! step stretches from, some G(z) are carried downhill, and (c) misses its bound. The
//! story then rejects that (a): it continues Algorithm 1 from (a)'s state to the next
//! check that qualifies and redoes (b) and (c), at most [`StoryOptions::a_attempts`]
//! times, and says so in (a)'s caption.
//! The story advances in bounded slices of work ([`Story::advance`]) so that a user interface
//! can show progress, draw the live state and cancel; run to the end it is deterministic for
//! a seed. Every stage keeps the state it started from (to replay it) and the state it
//! captured (to continue the live run from it).

use super::analysis::{Analysis, AnalysisOptions, arrow_pairs};
use super::model::GanModel;
use super::trainer::{Divergence, FRESH_TEST_MASS, Snapshot, Trainer};

/// One of the figure's four panels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// A pair near convergence.
    A,
    /// D trained to D* with G fixed.
    B,
    /// G moved by D's gradient.
    C,
    /// Convergence: p_g = p_data, D = 1/2.
    D,
}

impl Stage {
    /// All four, in order.
    pub const ALL: [Self; 4] = [Self::A, Self::B, Self::C, Self::D];

    /// "(a)" … "(d)".
    pub fn label(self) -> &'static str {
        match self {
            Self::A => "(a)",
            Self::B => "(b)",
            Self::C => "(c)",
            Self::D => "(d)",
        }
    }

    /// The paper's caption for this panel (Goodfellow et al. 2014, Figure 1).
    pub fn caption(self) -> &'static str {
        match self {
            Self::A => {
                "Consider an adversarial pair near convergence: p_g is similar to p_data and D \
                 is a partially accurate classifier."
            }
            Self::B => {
                "In the inner loop of the algorithm D is trained to discriminate samples from \
                 data, converging to D*(x) = p_data(x) / (p_data(x) + p_g(x))."
            }
            Self::C => {
                "After an update to G, gradient of D has guided G(z) to flow to regions that \
                 are more likely to be classified as data."
            }
            Self::D => {
                "After several steps of training, if G and D have enough capacity, they will \
                 reach a point at which both cannot improve because p_g = p_data. The \
                 discriminator is unable to differentiate between the two distributions, \
                 i.e. D(x) = 1/2."
            }
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The scenario's thresholds and budgets.
#[derive(Clone, Debug, PartialEq)]
pub struct StoryOptions {
    /// (a) starts with G's output shifted by this many data standard deviations.
    pub a_offset: f64,
    /// (a) stops at the first check where JSD falls below this.
    pub a_jsd: f64,
    /// … and D* is smooth enough for a small network to match in (b): max |dD*/dx| over
    /// the central 98 % of the mixture below this many per data standard deviation.
    pub a_max_slope: f64,
    /// (a) and (d) check the exact JSD every this many iterations.
    pub check_every: u64,
    /// (a) gives up after this many iterations.
    pub a_max_iters: u64,
    /// (a) then trains D alone until D − 1/2 has the sign of p_data − p_g on more than
    /// this share of the central 98 % of (p_data + p_g)/2 …
    pub a_sign_share: f64,
    /// … and max D − min D there is above this,
    pub a_d_span: f64,
    /// … in at most this many D steps (checked every `check_every`).
    pub a_max_d_steps: u64,
    /// Times (a) is tried: a candidate whose (c) misses a bound, or whose (d) runs out of
    /// budget, is rejected and Algorithm 1 continues from it to the next one.
    pub a_attempts: u32,
    /// (b) stops when max |D − D*| over the central 98 % of the mixture is below this.
    pub b_gap: f64,
    /// (b) trains D in rounds of this many steps (learning rate decaying to 0 in each).
    pub b_round_steps: u64,
    /// (b)'s minibatch size.
    pub b_batch: usize,
    /// (b)'s learning rate at the start of each round.
    pub b_lr: f64,
    /// (b) gives up after this many rounds.
    pub b_max_rounds: u64,
    /// (c) takes G steps with D frozen until G(z) has moved this many data standard
    /// deviations on average (so the arrows' move is visible) …
    pub c_move: f64,
    /// … or this many steps.
    pub c_steps: u64,
    /// (d) stops when JSD is below this …
    pub d_jsd: f64,
    /// … and a fresh D stays this close to 1/2 on the data's central 98 %.
    pub d_fresh_gap: f64,
    /// Steps the fresh D of (d) is trained for.
    pub d_probe_steps: u64,
    /// (d) gives up after this many iterations.
    pub d_max_iters: u64,
    /// Number of arrows drawn (and compared in (c)).
    pub arrows: usize,
}

impl Default for StoryOptions {
    fn default() -> Self {
        Self {
            a_offset: 2.0,
            a_jsd: 0.06,
            a_max_slope: 1.5,
            check_every: 25,
            a_max_iters: 5_000,
            a_sign_share: 0.8,
            a_d_span: 0.15,
            a_max_d_steps: 5_000,
            a_attempts: 4,
            b_gap: 0.03,
            b_round_steps: 250,
            b_batch: 512,
            b_lr: 2e-3,
            b_max_rounds: 120,
            c_move: 0.1,
            c_steps: 10,
            d_jsd: 0.002,
            d_fresh_gap: 0.05,
            d_probe_steps: 2_000,
            d_max_iters: 30_000,
            arrows: 25,
        }
    }
}

/// Which side of its limit a measured value must lie on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundKind {
    /// value < limit.
    Below,
    /// value > limit.
    Above,
}

/// The strict bound a piece of evidence must meet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bound {
    /// Below or above.
    pub kind: BoundKind,
    /// The limit, itself excluded.
    pub limit: f64,
}

impl Bound {
    /// Whether `value` lies on the right side of the limit.
    pub fn holds(self, value: f64) -> bool {
        match self.kind {
            BoundKind::Below => value < self.limit,
            BoundKind::Above => value > self.limit,
        }
    }

    /// "<" or ">".
    pub fn symbol(self) -> &'static str {
        match self.kind {
            BoundKind::Below => "<",
            BoundKind::Above => ">",
        }
    }
}

/// A number that proves a panel, with the bound it must meet (if any).
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// What it measures, e.g. "max |D - D*| (central 98 %)".
    pub name: String,
    /// The measured value.
    pub value: f64,
    /// The bound the value must meet; `None` for a number shown for information.
    pub bound: Option<Bound>,
}

impl Evidence {
    fn new(name: &str, value: f64) -> Self {
        Self {
            name: name.to_owned(),
            value,
            bound: None,
        }
    }

    fn below(name: &str, value: f64, limit: f64) -> Self {
        Self {
            bound: Some(Bound {
                kind: BoundKind::Below,
                limit,
            }),
            ..Self::new(name, value)
        }
    }

    fn above(name: &str, value: f64, limit: f64) -> Self {
        Self {
            bound: Some(Bound {
                kind: BoundKind::Above,
                limit,
            }),
            ..Self::new(name, value)
        }
    }

    /// Whether the value meets its bound (without one: whether it is finite).
    pub fn passed(&self) -> bool {
        match self.bound {
            Some(bound) => bound.holds(self.value),
            None => self.value.is_finite(),
        }
    }

    /// "name = value (< bound)" with a precision that suits the value.
    pub fn line(&self) -> String {
        let v = format_number(self.value);
        match self.bound {
            Some(bound) => {
                let mark = if self.passed() { "" } else { "  NOT MET" };
                format!(
                    "{} = {v}  ({} {}){mark}",
                    self.name,
                    bound.symbol(),
                    format_number(bound.limit)
                )
            }
            None => format!("{} = {v}", self.name),
        }
    }
}

fn format_number(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{v:.2e}")
    } else if a >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.4}")
    }
}

/// One captured panel.
#[derive(Clone, Debug)]
pub struct Capture {
    /// Which panel.
    pub stage: Stage,
    /// The trainer's state when this stage began (replay starts here).
    pub start: Snapshot,
    /// The state captured (the live run can continue from here).
    pub end: Snapshot,
    /// The state drawn: `end`, except in (d), where D is the fresh D of the two-sample test
    /// (the inner loop's best D against the final G).
    pub drawn: Snapshot,
    /// For (c): each arrow's (z, G(z)) before the G update. Empty for other stages.
    pub arrows_before: Vec<(f64, f64)>,
    /// How the state was reached, in one sentence.
    pub how: String,
    /// Units of work the stage took (iterations, D steps or G steps).
    pub work: u64,
    /// The numbers that prove the panel.
    pub evidence: Vec<Evidence>,
}

impl Capture {
    /// Whether every bound of this panel is met.
    pub fn passed(&self) -> bool {
        self.evidence.iter().all(Evidence::passed)
    }
}

/// An (a) candidate the story gave up on, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    /// The iteration of the candidate.
    pub iteration: u64,
    /// What failed after it, e.g. "(c): D(G(z)) rose for 72 % of z".
    pub why: String,
}

/// Where the script is.
#[derive(Clone, Debug)]
enum Phase {
    WarmUp {
        iters: u64,
    },
    /// (a)'s D steps after `iters` iterations of Algorithm 1.
    Classify {
        iters: u64,
        steps: u64,
    },
    TrainD {
        rounds: u64,
        step: u64,
    },
    MoveG {
        steps: u64,
        before: Vec<(f64, f64)>,
    },
    Converge {
        iters: u64,
    },
    Done,
}

/// How far the story has come.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// The stage being worked on (the last one when done).
    pub stage: Stage,
    /// Overall fraction done, 0 to 1 (by the stages' budgets; stages usually finish early).
    pub fraction: f64,
    /// Whether every requested stage is captured.
    pub done: bool,
}

/// Why a stage could not be captured.
#[derive(Clone, Debug, PartialEq)]
pub enum StoryError {
    /// The run diverged.
    Diverged(Divergence),
    /// A stage used its whole budget without meeting its condition.
    Budget {
        /// Which stage.
        stage: Stage,
        /// What was not reached, with the best value seen.
        detail: String,
    },
}

impl std::fmt::Display for StoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Diverged(d) => write!(f, "the run diverged: {d}"),
            Self::Budget { stage, detail } => {
                write!(f, "stage {} ran out of budget: {detail}", stage.label())
            }
        }
    }
}

impl std::error::Error for StoryError {}

impl From<Divergence> for StoryError {
    fn from(d: Divergence) -> Self {
        Self::Diverged(d)
    }
}

/// The scripted scenario (see the module documentation).
#[derive(Clone, Debug)]
pub struct Story {
    opts: StoryOptions,
    phase: Phase,
    /// The last stage to run (a replay runs one stage only).
    last: Stage,
    stage_start: Option<Snapshot>,
    captures: Vec<Capture>,
    best: f64,
    c_taken: u64,
    drawn: Option<Snapshot>,
    stage_work: u64,
    /// (a) candidates rejected because a later stage failed.
    rejected: Vec<Rejected>,
}

/// Analysis resolution for the story's checks.
fn check_options() -> AnalysisOptions {
    AnalysisOptions {
        grid_points: 1000,
        z_cells: 4096,
        ..AnalysisOptions::default()
    }
}

impl Story {
    /// The whole story, (a) to (d), from the trainer's current state.
    pub fn new(opts: StoryOptions) -> Self {
        Self::stages(opts, Stage::A, Stage::D)
    }

    /// Stages `first` to `last` only, from the trainer's current state (which should be
    /// the `start` of `first`'s capture for a faithful replay).
    pub fn stages(mut opts: StoryOptions, first: Stage, last: Stage) -> Self {
        // Counts of at least 1, so no check divides by zero.
        opts.check_every = opts.check_every.max(1);
        opts.a_max_iters = opts.a_max_iters.max(1);
        opts.a_max_d_steps = opts.a_max_d_steps.max(1);
        opts.a_attempts = opts.a_attempts.max(1);
        opts.b_round_steps = opts.b_round_steps.max(1);
        opts.b_max_rounds = opts.b_max_rounds.max(1);
        opts.c_steps = opts.c_steps.max(1);
        opts.d_max_iters = opts.d_max_iters.max(1);
        let phase = Self::phase_of(first);
        Self {
            opts,
            phase,
            last,
            stage_start: None,
            captures: Vec::new(),
            best: f64::INFINITY,
            c_taken: 0,
            drawn: None,
            stage_work: 0,
            rejected: Vec::new(),
        }
    }

    fn phase_of(stage: Stage) -> Phase {
        match stage {
            Stage::A => Phase::WarmUp { iters: 0 },
            Stage::B => Phase::TrainD { rounds: 0, step: 0 },
            Stage::C => Phase::MoveG {
                steps: 0,
                before: Vec::new(),
            },
            Stage::D => Phase::Converge { iters: 0 },
        }
    }

    /// The options in force.
    pub fn options(&self) -> &StoryOptions {
        &self.opts
    }

    /// The panels captured so far.
    pub fn captures(&self) -> &[Capture] {
        &self.captures
    }

    /// The (a) candidates rejected because a later stage failed, in order.
    pub fn rejected_candidates(&self) -> &[Rejected] {
        &self.rejected
    }

    /// Takes the captured panels.
    pub fn into_captures(self) -> Vec<Capture> {
        self.captures
    }

    fn stage(&self) -> Stage {
        match self.phase {
            Phase::WarmUp { .. } | Phase::Classify { .. } => Stage::A,
            Phase::TrainD { .. } => Stage::B,
            Phase::MoveG { .. } => Stage::C,
            Phase::Converge { .. } => Stage::D,
            Phase::Done => self.last,
        }
    }

    /// How far along the story is.
    pub fn progress(&self) -> Progress {
        let o = &self.opts;
        let within = match &self.phase {
            Phase::WarmUp { iters } => *iters as f64 / o.a_max_iters as f64,
            Phase::Classify { steps, .. } => *steps as f64 / o.a_max_d_steps as f64,
            Phase::TrainD { rounds, step } => {
                (*rounds as f64 + *step as f64 / o.b_round_steps as f64) / o.b_max_rounds as f64
            }
            Phase::MoveG { steps, .. } => *steps as f64 / o.c_steps.max(1) as f64,
            Phase::Converge { iters } => *iters as f64 / o.d_max_iters as f64,
            Phase::Done => 1.0,
        };
        let first = self
            .captures
            .first()
            .map_or(self.stage(), |c| c.stage)
            .index();
        let span = (self.last.index() + 1 - first.min(self.last.index())) as f64;
        let done_stages = (self.stage().index() - first.min(self.stage().index())) as f64;
        let fraction = if matches!(self.phase, Phase::Done) {
            1.0
        } else {
            ((done_stages + within.clamp(0.0, 1.0)) / span).clamp(0.0, 1.0)
        };
        Progress {
            stage: self.stage(),
            fraction,
            done: matches!(self.phase, Phase::Done),
        }
    }

    /// Runs about `work` units (iterations, D steps or G steps) of the script.
    pub fn advance(&mut self, trainer: &mut Trainer, work: u64) -> Result<Progress, StoryError> {
        let mut left = work.max(1);
        while left > 0 && !matches!(self.phase, Phase::Done) {
            if self.stage_start.is_none() {
                self.stage_start = Some(trainer.snapshot());
                self.best = f64::INFINITY;
            }
            let done = self.captures.len();
            let used = self.step(trainer, left)?;
            let finished = self.captures.len() > done;
            match self.captures.last_mut() {
                Some(c) if finished => c.work += used,
                _ => self.stage_work += used,
            }
            left = left.saturating_sub(used.max(1));
        }
        Ok(self.progress())
    }

    /// Runs the script to the end (or its first failure), reporting progress after every
    /// slice of work.
    pub fn run(
        &mut self,
        trainer: &mut Trainer,
        mut report: impl FnMut(Progress),
    ) -> Result<(), StoryError> {
        loop {
            let p = self.advance(trainer, 500)?;
            report(p);
            if p.done {
                return Ok(());
            }
        }
    }

    /// One bounded piece of the current phase; returns the work used.
    fn step(&mut self, trainer: &mut Trainer, left: u64) -> Result<u64, StoryError> {
        match self.phase {
            Phase::WarmUp { .. } => self.step_a(trainer, left),
            Phase::Classify { .. } => self.step_classify(trainer, left),
            Phase::TrainD { .. } => self.step_b(trainer, left),
            Phase::MoveG { .. } => self.step_c(trainer, left),
            Phase::Converge { .. } => self.step_d(trainer, left),
            Phase::Done => Ok(0),
        }
    }

    /// (a): Algorithm 1 from G's shifted start (a run's first iteration only: a rejected
    /// candidate continues unshifted), checking JSD and D*'s slope every `check_every`
    /// iterations.
    fn step_a(&mut self, trainer: &mut Trainer, left: u64) -> Result<u64, StoryError> {
        let o = self.opts.clone();
        let Phase::WarmUp { iters } = &mut self.phase else {
            return Ok(0);
        };
        if *iters == 0 && trainer.counters().iteration == 0 {
            let (_, scale) = GanModel::<f32>::data_scale(trainer.settings());
            let shift = o.a_offset * trainer.settings().target.std() / scale;
            trainer.generator_mut().shift_output(shift as f32);
        }
        let n = (o.check_every - *iters % o.check_every).min(left);
        trainer.run(n)?;
        *iters += n;
        if iters.is_multiple_of(o.check_every) {
            let a = Analysis::new(&trainer.model(), &check_options());
            self.best = self.best.min(a.metrics.jsd);
            let slope = d_star_slope(&a, trainer.settings().target.std());
            if a.metrics.jsd < o.a_jsd && slope < o.a_max_slope {
                let iters = *iters;
                self.phase = Phase::Classify { iters, steps: 0 };
                self.classify_or_go_on(trainer, &a, iters, 0);
            } else if *iters >= o.a_max_iters {
                return Err(StoryError::Budget {
                    stage: Stage::A,
                    detail: format!(
                        "JSD < {} with a smooth D* (max slope {} per std) not reached \
                         in {} iterations (least JSD {:.4})",
                        o.a_jsd, o.a_max_slope, o.a_max_iters, self.best
                    ),
                });
            }
        }
        Ok(n)
    }

    /// (a)'s second part: D steps of the inner loop alone (G frozen, the run's own
    /// learning rate and m) until D is a partially accurate classifier.
    fn step_classify(&mut self, trainer: &mut Trainer, left: u64) -> Result<u64, StoryError> {
        let o = self.opts.clone();
        let Phase::Classify { iters, steps } = &mut self.phase else {
            return Ok(0);
        };
        let n = (o.check_every - *steps % o.check_every).min(left);
        for _ in 0..n {
            trainer.discriminator_step()?;
        }
        *steps += n;
        let (iters, steps) = (*iters, *steps);
        if steps.is_multiple_of(o.check_every) {
            let a = Analysis::new(&trainer.model(), &check_options());
            let captured = self.classify_or_go_on(trainer, &a, iters, steps);
            if !captured && steps >= o.a_max_d_steps {
                let reading = classifier_reading(&a);
                return Err(StoryError::Budget {
                    stage: Stage::A,
                    detail: format!(
                        "D did not become a partially accurate classifier in {steps} D steps \
                         (sign right on {:.3} of the mass, bound {}; span {:.3}, bound {})",
                        reading.sign_share, o.a_sign_share, reading.span, o.a_d_span
                    ),
                });
            }
        }
        Ok(n)
    }

    /// Captures (a) if D classifies well enough; returns whether it did.
    fn classify_or_go_on(
        &mut self,
        trainer: &Trainer,
        a: &Analysis,
        iters: u64,
        steps: u64,
    ) -> bool {
        let reading = classifier_reading(a);
        let ready =
            reading.sign_share > self.opts.a_sign_share && reading.span > self.opts.a_d_span;
        if ready {
            self.capture_a(trainer, a, iters, steps);
        }
        ready
    }

    /// (b): D alone with G frozen, in rounds of a decaying learning rate, checking
    /// max |D − D*| after each round.
    fn step_b(&mut self, trainer: &mut Trainer, left: u64) -> Result<u64, StoryError> {
        let o = self.opts.clone();
        let Phase::TrainD { rounds, step } = &mut self.phase else {
            return Ok(0);
        };
        let n = (o.b_round_steps - *step).min(left);
        trainer.train_discriminator_schedule(
            *step..*step + n,
            o.b_round_steps,
            o.b_batch,
            o.b_lr,
        )?;
        *step += n;
        if *step == o.b_round_steps {
            *step = 0;
            *rounds += 1;
            let rounds = *rounds;
            let a = Analysis::new(&trainer.model(), &check_options());
            let gap = a.optimality_gap();
            self.best = self.best.min(gap);
            if gap < o.b_gap {
                self.capture_b(trainer, gap, rounds);
            } else if rounds >= o.b_max_rounds {
                return Err(StoryError::Budget {
                    stage: Stage::B,
                    detail: format!(
                        "max |D − D*| stayed above {} for {} D steps (least {:.4})",
                        o.b_gap,
                        rounds * o.b_round_steps,
                        self.best
                    ),
                });
            }
        }
        Ok(n)
    }

    /// (c): G steps with D frozen until G(z) has moved far enough or the steps run out.
    fn step_c(&mut self, trainer: &mut Trainer, left: u64) -> Result<u64, StoryError> {
        let o = self.opts.clone();
        let Phase::MoveG { steps, before } = &mut self.phase else {
            return Ok(0);
        };
        if *steps == 0 && before.is_empty() {
            *before = arrow_pairs(&trainer.model(), o.arrows);
        }
        let start = self.stage_start.as_ref().map(Snapshot::model);
        let mut n = 0;
        let mut far_enough = false;
        while n < left && *steps < o.c_steps && !far_enough {
            trainer.generator_step()?;
            *steps += 1;
            n += 1;
            if let Some(start) = &start {
                let flow = flow_toward_data(start, &trainer.model(), 200);
                far_enough = flow.mean_move >= o.c_move;
            }
        }
        if far_enough || *steps >= o.c_steps {
            self.c_taken = *steps;
            let before = std::mem::take(before);
            self.capture_c(trainer, before);
        }
        Ok(n.max(1))
    }

    /// (d): Algorithm 1 continued, checking JSD every `check_every` iterations and, once
    /// it is small, the two-sample test.
    fn step_d(&mut self, trainer: &mut Trainer, left: u64) -> Result<u64, StoryError> {
        let o = self.opts.clone();
        let Phase::Converge { iters } = &mut self.phase else {
            return Ok(0);
        };
        let n = (o.check_every - *iters % o.check_every).min(left);
        trainer.run(n)?;
        *iters += n;
        if !iters.is_multiple_of(o.check_every) {
            return Ok(n);
        }
        let iters = *iters;
        let a = Analysis::new(&trainer.model(), &check_options());
        self.best = self.best.min(a.metrics.jsd);
        let mut used = n;
        if a.metrics.jsd < o.d_jsd {
            let test = trainer.fresh_discriminator(FRESH_SEED, o.d_probe_steps)?;
            used += o.d_probe_steps / 4;
            if test.gap < o.d_fresh_gap {
                self.drawn = Some(test.probe.snapshot());
                self.capture_d(trainer, &a, test.gap, iters);
                return Ok(used);
            }
        }
        // After the learning-rate schedule's end nothing moves: the budget ends there too.
        let schedule_over = trainer
            .settings()
            .training
            .iterations_to_schedule_end(trainer.counters().iteration)
            == Some(0);
        if iters >= o.d_max_iters || schedule_over {
            let why = format!(
                "(d): JSD < {} not reached by iteration {} (least {:.4})",
                o.d_jsd,
                trainer.counters().iteration,
                self.best
            );
            if self.retry_a(trainer, why) {
                return Ok(used);
            }
            return Err(StoryError::Budget {
                stage: Stage::D,
                detail: format!(
                    "JSD < {} with a fresh D within {} of 1/2 not reached in {iters} \
                     iterations (budget {}, or the learning-rate schedule's end; least JSD \
                     {:.4})",
                    o.d_jsd, o.d_fresh_gap, o.d_max_iters, self.best
                ),
            });
        }
        Ok(used)
    }

    fn finish_stage(&mut self, trainer: &Trainer, stage: Stage, capture: CaptureParts) {
        let start = self
            .stage_start
            .take()
            .unwrap_or_else(|| trainer.snapshot());
        let end = trainer.snapshot();
        self.captures.push(Capture {
            stage,
            start,
            drawn: self.drawn.take().unwrap_or_else(|| end.clone()),
            work: std::mem::take(&mut self.stage_work),
            end,
            arrows_before: capture.arrows_before,
            how: capture.how,
            evidence: capture.evidence,
        });
        self.phase = match stage {
            s if s == self.last => Phase::Done,
            Stage::A => Self::phase_of(Stage::B),
            Stage::B => Self::phase_of(Stage::C),
            Stage::C => Self::phase_of(Stage::D),
            Stage::D => Phase::Done,
        };
    }

    fn capture_a(&mut self, trainer: &Trainer, a: &Analysis, iters: u64, d_steps: u64) {
        let o = &self.opts;
        let accuracy = accuracies(a);
        let reading = classifier_reading(a);
        let evidence = vec![
            Evidence::below("JSD(p_data || p_g)", a.metrics.jsd, o.a_jsd),
            Evidence::above("JSD (visibly different)", a.metrics.jsd, 0.002),
            Evidence::below(
                "max |dD*/dx| x std of data (central 98 %)",
                d_star_slope(a, trainer.settings().target.std()),
                o.a_max_slope,
            ),
            Evidence::above(
                "share of the central 98 % where D - 1/2 has the sign of p_data - p_g",
                reading.sign_share,
                o.a_sign_share,
            ),
            Evidence::above("max D - min D (central 98 %)", reading.span, o.a_d_span),
            Evidence::new("accuracy of D", accuracy.d),
            Evidence::new("accuracy of D* (best possible)", accuracy.d_star),
            Evidence::new("max |D - D*| (central 98 %)", a.optimality_gap()),
        ];
        let from = match self.rejected.last() {
            None => format!(
                "from the seeded start (seed {}) with G's output shifted by {} data std",
                trainer.settings().seed,
                o.a_offset
            ),
            Some(_) => {
                let rejected: Vec<String> = self
                    .rejected
                    .iter()
                    .map(|r| format!("iteration {} ({})", r.iteration, r.why))
                    .collect();
                format!(
                    "(seed {}) continued from the rejected candidate{} at {}",
                    trainer.settings().seed,
                    if rejected.len() == 1 { "" } else { "s" },
                    rejected.join(", ")
                )
            }
        };
        let how = format!(
            "{iters} iterations of Algorithm 1 {from}, stopped at the first check \
             (every {}) with JSD < {} and D* smooth enough for D to match (slope < {} per \
             std); then {d_steps} D steps alone (G frozen, the run's own learning rate and m) \
             until D is a partially accurate classifier.",
            o.check_every, o.a_jsd, o.a_max_slope
        );
        self.finish_stage(
            trainer,
            Stage::A,
            CaptureParts {
                arrows_before: Vec::new(),
                how,
                evidence,
            },
        );
    }

    fn capture_b(&mut self, trainer: &Trainer, gap: f64, rounds: u64) {
        let evidence = vec![Evidence::below(
            "max |D - D*| (central 98 % of (p_data + p_g)/2)",
            gap,
            self.opts.b_gap,
        )];
        let how = format!(
            "G frozen; D alone for {} steps ({} rounds of {}, m = {}, learning rate from {} \
             down to 0 in each round).",
            rounds * self.opts.b_round_steps,
            rounds,
            self.opts.b_round_steps,
            self.opts.b_batch,
            self.opts.b_lr
        );
        self.finish_stage(
            trainer,
            Stage::B,
            CaptureParts {
                arrows_before: Vec::new(),
                how,
                evidence,
            },
        );
    }

    /// Rejects the (a) this story captured (a later stage failed) if attempts are left:
    /// the trainer goes back to (a)'s state and (a) goes on from there. Returns whether it
    /// did.
    fn retry_a(&mut self, trainer: &mut Trainer, why: String) -> bool {
        let attempts = u32::try_from(self.rejected.len()).unwrap_or(u32::MAX) + 1;
        let Some(a) = self.captures.first() else {
            return false;
        };
        if a.stage != Stage::A || attempts >= self.opts.a_attempts {
            return false;
        }
        let restart = a.end.clone();
        self.rejected.push(Rejected {
            iteration: restart.counters().iteration,
            why,
        });
        self.captures.clear();
        trainer.restore(&restart);
        self.stage_start = None;
        self.stage_work = 0;
        self.drawn = None;
        self.phase = Self::phase_of(Stage::A);
        true
    }

    fn capture_c(&mut self, trainer: &mut Trainer, before: Vec<(f64, f64)>) {
        let model = trainer.model();
        let start = self
            .stage_start
            .as_ref()
            .map(|s| s.model())
            .unwrap_or_else(|| model.clone());
        let moved = flow_toward_data(&start, &model, FLOW_SAMPLES);
        let evidence = vec![
            Evidence::above("share of z whose D(G(z)) rose", moved.rose_share, 0.8),
            Evidence::new("share of G(z) moved up D's slope", moved.uphill_share),
            Evidence::above("rise of E_z D(G(z))", moved.d_after - moved.d_before, 0.0),
            Evidence::new("E_z D(G(z)) before", moved.d_before),
            Evidence::new("E_z D(G(z)) after", moved.d_after),
            Evidence::new("mean |G(z) move| / std of data", moved.mean_move),
        ];
        if !evidence.iter().all(Evidence::passed) {
            // A network moves G(z) smoothly in z: it cannot follow a D whose valley or
            // ridge inside p_g is off the centre its step stretches from.
            let why = format!(
                "(c): D(G(z)) rose for {:.0} % of z",
                100.0 * moved.rose_share
            );
            if self.retry_a(trainer, why) {
                return;
            }
        }
        let how = format!(
            "D frozen (as trained in (b)); {} G step{} at the run's learning rate (until G(z) \
             moved {} data std on average); faint arrows and the pale p_g: before the update.",
            self.c_taken,
            if self.c_taken == 1 { "" } else { "s" },
            self.opts.c_move
        );
        self.finish_stage(
            trainer,
            Stage::C,
            CaptureParts {
                arrows_before: before,
                how,
                evidence,
            },
        );
    }

    fn capture_d(&mut self, trainer: &Trainer, a: &Analysis, fresh: f64, iters: u64) {
        let live_gap = {
            let t = &trainer.settings().target;
            a.max_gap(
                &a.d,
                &vec![0.5; a.d.len()],
                (
                    t.quantile(0.5 * (1.0 - FRESH_TEST_MASS)),
                    t.quantile(0.5 * (1.0 + FRESH_TEST_MASS)),
                ),
            )
        };
        let evidence = vec![
            Evidence::below("JSD(p_data || p_g)", a.metrics.jsd, self.opts.d_jsd),
            Evidence::below(
                "fresh D: max |D - 1/2| (central 98 % of p_data)",
                fresh,
                self.opts.d_fresh_gap,
            ),
            Evidence::new("training's own D: max |D - 1/2| (same range)", live_gap),
            Evidence::new("C(G) + log 4", a.metrics.c_g + 4.0_f64.ln()),
        ];
        let how = format!(
            "Algorithm 1 continued for {iters} iterations (iteration {} in all), stopped at \
             the first check with JSD < {} at which a fresh D, trained {} steps against the \
             frozen G, stayed within {} of 1/2; that fresh D is the one drawn.",
            trainer.counters().iteration,
            self.opts.d_jsd,
            self.opts.d_probe_steps,
            self.opts.d_fresh_gap
        );
        self.finish_stage(
            trainer,
            Stage::D,
            CaptureParts {
                arrows_before: Vec::new(),
                how,
                evidence,
            },
        );
    }
}

struct CaptureParts {
    arrows_before: Vec<(f64, f64)>,
    how: String,
    evidence: Vec<Evidence>,
}

/// max |dD*/dx| · σ over the central 98 % of (p_data + p_g)/2: how sharp D* is.
pub fn d_star_slope(a: &Analysis, std: f64) -> f64 {
    let (lo, hi) = a.central_interval(&a.mixture(), 0.98);
    a.d_star
        .windows(2)
        .zip(a.x.windows(2))
        .filter(|(_, x)| lo <= x[0] && x[1] <= hi)
        .map(|(d, _)| (d[1] - d[0]).abs() / a.dx)
        .fold(0.0, f64::max)
        * std
}

/// D read as a classifier of data against G's samples over the central 98 % of
/// (p_data + p_g)/2 (see [`classifier_reading`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassifierReading {
    /// Share of that mass on which D − 1/2 has the sign of p_data − p_g: where D says
    /// "data" (D > 1/2) data is indeed the likelier source, and where it says "sample"
    /// G's samples are.
    pub sign_share: f64,
    /// max D − min D there: how far D is from a flat, undecided line.
    pub span: f64,
}

/// How well D classifies, as [`ClassifierReading`] says, over the central 98 % of
/// (p_data + p_g)/2. Points where D = 1/2 or p_data = p_g count as disagreeing.
pub fn classifier_reading(a: &Analysis) -> ClassifierReading {
    let mixture = a.mixture();
    let (lo, hi) = a.central_interval(&mixture, 0.98);
    let (mut agree, mut total) = (0.0, 0.0);
    let (mut d_min, mut d_max) = (f64::INFINITY, f64::NEG_INFINITY);
    for (j, &x) in a.x.iter().enumerate() {
        let (Some(&d), Some(&pd), Some(&pg), Some(&w)) =
            (a.d.get(j), a.p_data.get(j), a.p_g.get(j), mixture.get(j))
        else {
            continue;
        };
        if !(lo..=hi).contains(&x) {
            continue;
        }
        total += w;
        if (d - 0.5) * (pd - pg) > 0.0 {
            agree += w;
        }
        d_min = d_min.min(d);
        d_max = d_max.max(d);
    }
    ClassifierReading {
        sign_share: if total > 0.0 { agree / total } else { 0.0 },
        span: if d_max >= d_min { d_max - d_min } else { 0.0 },
    }
}

/// The fresh discriminator's seed in (d).
const FRESH_SEED: u64 = 0xd1;

/// z values compared in (c).
const FLOW_SAMPLES: usize = 1000;

/// (c)'s measurements of how G(z) moved under D.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flow {
    /// Share of z (equal-probability quantiles) whose G(z) moved in the direction in which D
    /// increases (sign of ΔG(z) equal to the sign of D' at G(z) before the move).
    pub uphill_share: f64,
    /// E_z D(G(z)) before.
    pub d_before: f64,
    /// E_z D(G(z)) after (same D).
    pub d_after: f64,
    /// Share of z for which D(G(z)) rose: G(z) now lies where D says "data" more.
    pub rose_share: f64,
    /// Mean |G_after(z) − G_before(z)| in units of the data's standard deviation.
    pub mean_move: f64,
}

/// Compares two generators under the discriminator of `after` (in (c) both share D).
pub fn flow_toward_data(before: &GanModel, after: &GanModel, n: usize) -> Flow {
    let z: Vec<f64> = (0..n)
        .map(|i| before.noise.quantile((i as f64 + 0.5) / n as f64))
        .collect();
    let x0 = before.generate(&z);
    let x1 = after.generate(&z);
    let d0 = after.discriminator_probability(&x0);
    let d1 = after.discriminator_probability(&x1);
    let h = 1e-3 * after.target.std();
    let plus: Vec<f64> = x0.iter().map(|x| x + h).collect();
    let minus: Vec<f64> = x0.iter().map(|x| x - h).collect();
    let (dp, dm) = (
        after.discriminator_probability(&plus),
        after.discriminator_probability(&minus),
    );
    let rose = d0.iter().zip(&d1).filter(|(a, b)| b > a).count();
    let mut uphill = 0usize;
    let mut counted = 0usize;
    let mut moved = 0.0;
    for i in 0..n {
        let dx = x1[i] - x0[i];
        let slope = dp[i] - dm[i];
        moved += dx.abs();
        if dx != 0.0 && slope != 0.0 {
            counted += 1;
            if dx.signum() == slope.signum() {
                uphill += 1;
            }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    Flow {
        uphill_share: uphill as f64 / counted.max(1) as f64,
        rose_share: rose as f64 / n.max(1) as f64,
        d_before: mean(&d0),
        d_after: mean(&d1),
        mean_move: moved / n.max(1) as f64 / after.target.std(),
    }
}

/// How well D and D* classify data against G's samples (see [`accuracies`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Accuracies {
    /// The accuracy of the trained D.
    pub d: f64,
    /// The accuracy of D*, the best any classifier can do.
    pub d_star: f64,
}

/// The accuracies of D and of D* as classifiers of data against G's samples, each class
/// weighted 1/2: ½ P_data(D > ½) + ½ P_g(D < ½).
pub fn accuracies(a: &Analysis) -> Accuracies {
    let score = |d: &[f64]| {
        a.p_data
            .iter()
            .zip(&a.p_g)
            .zip(d)
            .map(|((pd, pg), d)| {
                let w = if *d > 0.5 {
                    *pd
                } else if *d < 0.5 {
                    *pg
                } else {
                    0.5 * (pd + pg)
                };
                0.5 * w * a.dx
            })
            .sum::<f64>()
    };
    Accuracies {
        d: score(&a.d),
        d_star: score(&a.d_star),
    }
}
