//! Breakpoints: conditions on the state of a run that stop it when they first hold, so a
//! moment of the game (convergence, a lost mode, a saturated D, a vanishing generator
//! gradient) can be looked at when it happens.
//!
//! A list is written as text, e.g. `jsd<0.01,mode-lost`, and fires on whichever condition
//! holds first. Conditions are checked on a [`Reading`] of the run, taken wherever the
//! caller chooses (`ganscope train --until` takes one every `--check-every` iterations);
//! the exact JSD and the mode masses need an [`Analysis`], so they are not checked each
//! iteration.

use super::analysis::Analysis;
use super::coverage::{self, ModeMass};
use super::distribution::Target;
use super::float::Real;
use super::model::GanModel;
use super::trainer::Trainer;

/// D counts as saturated when the mean of D(G(z)) is below this or above 1 − this: D
/// rejects (or accepts) nearly every generated sample, so G's minimax gradient vanishes
/// (§3) or D has stopped telling the two apart.
pub const SATURATION: f64 = 0.01;

/// Equal-probability z cells over which mean D(G(z)) is taken.
pub const D_ON_G_CELLS: usize = 256;

/// The forms a condition can take, for error messages and help.
pub const ACCEPTED: &str = "jsd<ε (ε in (0, ln 2 = 0.693]), mode-lost (mixture targets), \
     d-saturated (mean D(G(z)) < 0.01 or > 0.99), grad-g<ε (ε > 0), \
     iter>=N or iteration=N (N ≥ 1), joined by commas for whichever holds first";

/// One condition on the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Breakpoint {
    /// JSD(p_data ‖ p_g) < ε: p_g has come close to p_data (Theorem 1's C(G) near −log 4).
    JsdBelow(f64),
    /// A mode of a mixture target holds under a fifth of its data weight (see
    /// [`ModeMass::is_lost`]): §6's Helvetica scenario.
    ModeLost,
    /// Mean D(G(z)) < [`SATURATION`] or > 1 − [`SATURATION`] (for the Wasserstein losses D
    /// is read as σ(critic), as drawn).
    DSaturated,
    /// ‖∂L_G/∂θ_G‖ of the last generator step < ε (never before G's first step).
    GradGBelow(f64),
    /// The run has completed at least N iterations.
    Iteration(u64),
}

impl std::fmt::Display for Breakpoint {
    /// The canonical text, which [`Breakpoints::parse`] reads back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::JsdBelow(eps) => write!(f, "jsd<{eps:?}"),
            Self::ModeLost => f.write_str("mode-lost"),
            Self::DSaturated => f.write_str("d-saturated"),
            Self::GradGBelow(eps) => write!(f, "grad-g<{eps:?}"),
            Self::Iteration(n) => write!(f, "iteration={n}"),
        }
    }
}

/// A condition that could not be read: the part, what is wrong with it, and (in its
/// message) the accepted forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakpointError {
    /// The offending part of the list, as written.
    pub part: String,
    /// What is wrong with it.
    pub problem: String,
}

impl std::fmt::Display for BreakpointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "condition '{}': {}; accepted: {ACCEPTED}",
            self.part, self.problem
        )
    }
}

impl std::error::Error for BreakpointError {}

/// The numbers the conditions look at, for one state of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// Completed iterations.
    pub iteration: u64,
    /// JSD(p_data ‖ p_g), if an analysis was taken.
    pub jsd: Option<f64>,
    /// p_g's mass per mode, for a mixture target with an analysis.
    pub modes: Option<Vec<ModeMass>>,
    /// E_z[D(G(z))] (see [`mean_d_on_generated`]).
    pub mean_d_on_generated: f64,
    /// ‖∂L_G/∂θ_G‖ of the last G step; `None` before the first.
    pub g_grad: Option<f64>,
}

impl Reading {
    /// Reads `trainer` now; `analysis`, if given, must be of the trainer's model now
    /// (without it the JSD and mode conditions cannot fire). Costs one pass of
    /// [`D_ON_G_CELLS`] z values through G and D, plus the mode masses.
    pub fn new(trainer: &Trainer, analysis: Option<&Analysis>) -> Self {
        let counters = trainer.counters();
        let target = &trainer.settings().target;
        Self {
            iteration: counters.iteration,
            jsd: analysis.map(|a| a.metrics.jsd),
            modes: analysis.and_then(|a| coverage::mode_masses(a, target)),
            mean_d_on_generated: mean_d_on_generated(&trainer.model(), D_ON_G_CELLS),
            g_grad: (counters.g_steps > 0).then(|| trainer.stats().g_grad_norm),
        }
    }
}

/// E_z[D(G(z))] by the midpoint rule over `cells` equal-probability cells of p_z:
/// z_i = F_z⁻¹((i + ½)/cells). The mean probability D gives generated samples of being
/// real, the quantity the second term of V(D, G) takes the log of.
pub fn mean_d_on_generated<T: Real>(model: &GanModel<T>, cells: usize) -> f64 {
    let cells = cells.max(1);
    let z: Vec<f64> = (0..cells)
        .map(|i| model.noise.quantile((i as f64 + 0.5) / cells as f64))
        .collect();
    let d = model.discriminator_probability(&model.generate(&z));
    d.iter().sum::<f64>() / cells as f64
}

/// A condition that held: which, when, and the value that met it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fired {
    /// The condition.
    pub breakpoint: Breakpoint,
    /// The iteration of the reading.
    pub iteration: u64,
    /// The measured value: the JSD, the lost mode's mass, mean D(G(z)), ‖∇θ_G‖, or the
    /// iteration.
    pub value: f64,
    /// For `mode-lost`: the lost mode (0-based index) and its numbers.
    pub mode: Option<(usize, ModeMass)>,
}

impl std::fmt::Display for Fired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self {
            breakpoint,
            iteration,
            value,
            mode,
        } = self;
        write!(f, "{breakpoint} held at iteration {iteration}: ")?;
        match (breakpoint, mode) {
            (Breakpoint::ModeLost, Some((i, m))) => write!(
                f,
                "mode {} (mean {}) holds {} of p_g, under a fifth of its weight {}",
                i + 1,
                m.mean,
                number(m.mass),
                m.weight
            ),
            (Breakpoint::JsdBelow(_), _) => write!(f, "jsd = {}", number(*value)),
            (Breakpoint::DSaturated, _) => write!(f, "mean D(G(z)) = {}", number(*value)),
            (Breakpoint::GradGBelow(_), _) => write!(f, "|grad G| = {}", number(*value)),
            _ => write!(f, "iteration = {iteration}"),
        }
    }
}

/// Four significant digits, in exponent form when small or large.
fn number(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e6) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

impl Breakpoint {
    /// Reads one condition (surrounding and inner spaces ignored).
    pub fn parse(part: &str) -> Result<Self, BreakpointError> {
        let text: String = part.chars().filter(|c| !c.is_whitespace()).collect();
        let fail = |problem: String| BreakpointError {
            part: part.trim().to_owned(),
            problem,
        };
        if text.is_empty() {
            return Err(fail(
                "an empty condition (two commas in a row, or one at an end)".to_owned(),
            ));
        }
        match text.as_str() {
            "mode-lost" => return Ok(Self::ModeLost),
            "d-saturated" => return Ok(Self::DSaturated),
            _ => {}
        }
        let Some(at) = text.find(['<', '>', '=']) else {
            return Err(fail("not a condition".to_owned()));
        };
        let (name, rest) = text.split_at(at);
        let (op, value) = ["<=", ">=", "<", ">", "="]
            .iter()
            .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v)))
            .unwrap_or(("", rest));
        let expect_op = |wanted: &[&str], form: &str| {
            if wanted.contains(&op) {
                Ok(())
            } else {
                Err(fail(format!("{name} takes {form}, not '{op}'")))
            }
        };
        match name {
            "jsd" => {
                expect_op(&["<"], "'<' (jsd<ε)")?;
                let eps = positive(value, std::f64::consts::LN_2)
                    .map_err(|e| fail(format!("ε = '{value}' is not {e}")))?;
                Ok(Self::JsdBelow(eps))
            }
            "grad-g" => {
                expect_op(&["<"], "'<' (grad-g<ε)")?;
                let eps = positive(value, f64::MAX)
                    .map_err(|e| fail(format!("ε = '{value}' is not {e}")))?;
                Ok(Self::GradGBelow(eps))
            }
            "iter" | "iteration" => {
                expect_op(&[">=", "="], "'>=' or '=' (iter>=N)")?;
                let n = value
                    .parse::<u64>()
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| fail(format!("N = '{value}' is not a whole number ≥ 1")))?;
                Ok(Self::Iteration(n))
            }
            _ => Err(fail(format!("'{name}' is not a condition's name"))),
        }
    }

    /// Whether the condition needs an [`Analysis`] in its reading.
    pub fn needs_analysis(&self) -> bool {
        matches!(self, Self::JsdBelow(_) | Self::ModeLost)
    }

    /// Whether it holds for `reading`, and with which value.
    pub fn check(&self, reading: &Reading) -> Option<Fired> {
        let fired = |value: f64| Fired {
            breakpoint: *self,
            iteration: reading.iteration,
            value,
            mode: None,
        };
        match *self {
            Self::JsdBelow(eps) => reading.jsd.filter(|&j| j < eps).map(fired),
            Self::ModeLost => {
                let modes = reading.modes.as_deref()?;
                let (i, m) = coverage::least_covered(modes).filter(|(_, m)| m.is_lost())?;
                Some(Fired {
                    mode: Some((i, m)),
                    ..fired(m.mass)
                })
            }
            Self::DSaturated => {
                let d = reading.mean_d_on_generated;
                (!(SATURATION..=1.0 - SATURATION).contains(&d)).then(|| fired(d))
            }
            Self::GradGBelow(eps) => reading.g_grad.filter(|&g| g < eps).map(fired),
            Self::Iteration(n) => (reading.iteration >= n).then(|| fired(reading.iteration as f64)),
        }
    }
}

/// `text` as a number in (0, `max`], or why not ("a number in (0, …]").
fn positive(text: &str, max: f64) -> Result<f64, String> {
    let range = if max == f64::MAX {
        "a number > 0".to_owned()
    } else {
        format!("a number in (0, {max:.3}]")
    };
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0 && *v <= max)
        .ok_or(range)
}

/// A list of conditions: the run stops at the first reading where any holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Breakpoints(Vec<Breakpoint>);

impl Breakpoints {
    /// Reads a comma-separated list, e.g. `jsd<0.01,mode-lost`. The error names the first
    /// bad part and lists the accepted forms.
    pub fn parse(text: &str) -> Result<Self, BreakpointError> {
        text.split(',')
            .map(Breakpoint::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// A list of these conditions.
    pub fn new(list: Vec<Breakpoint>) -> Self {
        Self(list)
    }

    /// The conditions, in the order given.
    pub fn list(&self) -> &[Breakpoint] {
        &self.0
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Refuses conditions that can never hold for `target`: `mode-lost` needs a mixture.
    pub fn check_target(&self, target: &Target) -> Result<(), BreakpointError> {
        match (self.0.contains(&Breakpoint::ModeLost), target) {
            (false, _) | (true, Target::Mixture { .. }) => Ok(()),
            (true, other) => Err(BreakpointError {
                part: Breakpoint::ModeLost.to_string(),
                problem: format!(
                    "needs a mixture target (target.kind = mixture), not {}",
                    other.kind()
                ),
            }),
        }
    }

    /// Whether any condition needs an [`Analysis`] in its reading (so a caller can skip
    /// the analysis otherwise).
    pub fn needs_analysis(&self) -> bool {
        self.0.iter().any(Breakpoint::needs_analysis)
    }

    /// The first condition, in list order, that holds for `reading`.
    pub fn check(&self, reading: &Reading) -> Option<Fired> {
        self.0.iter().find_map(|b| b.check(reading))
    }

    /// The smallest N > `iteration` of an `iteration=N` condition: where a caller that
    /// checks only now and then must also stop, so the condition fires exactly at N.
    pub fn next_iteration_stop(&self, iteration: u64) -> Option<u64> {
        self.0
            .iter()
            .filter_map(|b| match b {
                Breakpoint::Iteration(n) if *n > iteration => Some(*n),
                _ => None,
            })
            .min()
    }
}

impl std::fmt::Display for Breakpoints {
    /// The canonical comma-separated text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

impl std::str::FromStr for Breakpoints {
    type Err = BreakpointError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading() -> Reading {
        Reading {
            iteration: 1200,
            jsd: Some(0.02),
            modes: Some(vec![
                ModeMass {
                    mean: -2.0,
                    std: 0.5,
                    weight: 0.5,
                    mass: 0.95,
                },
                ModeMass {
                    mean: 2.0,
                    std: 0.5,
                    weight: 0.5,
                    mass: 0.05,
                },
            ]),
            mean_d_on_generated: 0.5,
            g_grad: Some(3e-5),
        }
    }

    #[test]
    fn every_accepted_form_parses_and_prints_back() {
        let list = Breakpoints::parse(
            " jsd < 0.01 ,mode-lost,d-saturated,grad-g<1e-4,iter>=5000,iteration=7",
        )
        .expect("all accepted");
        assert_eq!(
            list.list(),
            [
                Breakpoint::JsdBelow(0.01),
                Breakpoint::ModeLost,
                Breakpoint::DSaturated,
                Breakpoint::GradGBelow(1e-4),
                Breakpoint::Iteration(5000),
                Breakpoint::Iteration(7),
            ]
        );
        let text = list.to_string();
        assert_eq!(Breakpoints::parse(&text), Ok(list));
    }

    #[test]
    fn a_bad_part_is_named_with_the_accepted_forms() {
        for (text, part, says) in [
            ("jsd<0.01,bogus", "bogus", "not a condition"),
            ("jsd>0.1", "jsd>0.1", "jsd takes '<'"),
            ("jsd<abc", "jsd<abc", "not a number in (0, 0.693]"),
            ("jsd<0", "jsd<0", "(0, 0.693]"),
            ("jsd<0.9", "jsd<0.9", "(0, 0.693]"),
            ("grad-g<nan", "grad-g<nan", "a number > 0"),
            ("grad-g<-1", "grad-g<-1", "a number > 0"),
            ("iter>=0", "iter>=0", "whole number ≥ 1"),
            ("iter>=1.5", "iter>=1.5", "whole number ≥ 1"),
            ("iter<5", "iter<5", "'>=' or '='"),
            ("speed<3", "speed<3", "'speed' is not a condition's name"),
            ("jsd<0.1,", "", "empty condition"),
        ] {
            let err = Breakpoints::parse(text).expect_err(text);
            assert_eq!(err.part, part, "{text}");
            let message = err.to_string();
            assert!(message.contains(says), "{text}: {message}");
            assert!(message.contains("iter>=N or iteration=N"), "{message}");
            assert!(!message.contains('\n'));
        }
    }

    #[test]
    fn the_first_listed_condition_that_holds_fires_with_its_value() {
        let r = reading();
        let fired = |text: &str| Breakpoints::parse(text).expect("valid").check(&r);
        assert_eq!(fired("jsd<0.01"), None);
        assert_eq!(fired("jsd<0.05").map(|f| f.value), Some(0.02));
        let lost = fired("jsd<0.01,mode-lost").expect("mode 2 holds 0.05 < 0.5/5");
        assert_eq!(lost.breakpoint, Breakpoint::ModeLost);
        assert_eq!(lost.mode.map(|(i, _)| i), Some(1));
        assert!(lost.to_string().contains("mode 2 (mean 2)"), "{lost}");
        assert_eq!(fired("d-saturated"), None);
        let grad = fired("grad-g<1e-4").expect("3e-5 < 1e-4");
        assert!(grad.to_string().contains("3.000e-5"), "{grad}");
        assert_eq!(fired("iter>=1201"), None);
        assert_eq!(fired("iter>=1200").map(|f| f.iteration), Some(1200));
        // Listed order decides between two that hold.
        let both = fired("iter>=5,jsd<0.5").expect("both hold");
        assert_eq!(both.breakpoint, Breakpoint::Iteration(5));
    }

    #[test]
    fn missing_numbers_never_fire_and_saturation_is_two_sided() {
        let mut r = Reading {
            jsd: None,
            modes: None,
            g_grad: None,
            ..reading()
        };
        let all = Breakpoints::parse("jsd<0.6,mode-lost,grad-g<1e9").expect("valid");
        assert_eq!(all.check(&r), None);
        let saturated = Breakpoints::parse("d-saturated").expect("valid");
        for (d, fires) in [(0.005, true), (0.011, false), (0.989, false), (0.995, true)] {
            r.mean_d_on_generated = d;
            assert_eq!(saturated.check(&r).is_some(), fires, "mean D(G(z)) = {d}");
        }
    }

    #[test]
    fn mode_lost_needs_a_mixture_and_iteration_stops_are_found() {
        let list = Breakpoints::parse("mode-lost,iter>=300,iteration=100").expect("valid");
        let gaussian = Target::Gaussian {
            mean: 0.0,
            std: 1.0,
        };
        let err = list.check_target(&gaussian).expect_err("not a mixture");
        assert!(err.to_string().contains("needs a mixture target"), "{err}");
        assert!(list.needs_analysis());
        assert_eq!(list.next_iteration_stop(0), Some(100));
        assert_eq!(list.next_iteration_stop(100), Some(300));
        assert_eq!(list.next_iteration_stop(300), None);
        assert!(
            !Breakpoints::parse("iter>=3")
                .expect("valid")
                .needs_analysis()
        );
    }
}
