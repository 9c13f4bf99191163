//! The one description of every setting: its key, kind, accepted range, default, unit,
//! scale, whether it changes a run live or starts a new one, and what it means in the
//! paper's terms. Validation, the default settings, `--set`, `ganscope config`, the
//! settings file, the one-line string and the app's controls all read this table, so a
//! new setting is one entry here plus the code that uses it.

use super::activation::Activation;
use super::alone::GObjective;
use super::check::{Range, SettingError, number_text};
use super::distribution::{Noise, Target};
use super::loss::LossKind;
use super::mlp::Init;
use super::optim::OptimizerKind;

/// What kind of value a setting holds.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A whole number within the spec's range.
    Whole(u64),
    /// A finite number within the spec's range.
    Number(f64),
    /// true or false.
    Flag(bool),
    /// One name out of a list (the function gives the names; the value is the default).
    Choice(fn() -> Vec<&'static str>, &'static str),
    /// A list of numbers (one per mixture component), each within the range, at most
    /// this many; the slice is the default.
    Numbers(&'static [f64], usize),
}

/// How a numeric control spreads its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Equal steps.
    Linear,
    /// Equal ratios (learning rates, ε, sizes).
    Log,
}

/// When a changed value takes effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// At the next step of the run in progress (Algorithm 1's loop settings).
    Live,
    /// With fresh networks: a new run (data, noise, architectures, scaling, seed).
    Reset,
}

/// The control the app draws for a numeric setting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Widget {
    /// A slider over a convenient span; values outside it (but in range) are shown and
    /// kept, and can be typed.
    Slider(f64, f64),
    /// A number box dragged in steps of this size.
    Drag(f64),
    /// Flags and choices: a checkbox or a menu.
    Own,
}

/// One setting.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// The dotted key of the settings file, `--set` and the one-line string.
    pub key: &'static str,
    /// The control's label in the app.
    pub label: &'static str,
    /// The kind of value, with its default.
    pub kind: Kind,
    /// The accepted values (numbers only; [`Range::ANY`] otherwise).
    pub range: Range,
    /// The unit, or "" for none.
    pub unit: &'static str,
    /// Linear or logarithmic.
    pub scale: Scale,
    /// Live or with a reset.
    pub applies: Applies,
    /// Only present when the section's `kind` is this (`target.mean` for a Gaussian).
    pub variant: Option<&'static str>,
    /// The control in the app.
    pub widget: Widget,
    /// One line in the paper's terms.
    pub help: &'static str,
}

impl Range {
    /// Any finite number: for settings that are not numbers.
    pub const ANY: Self = Self::closed(f64::MIN, f64::MAX);
}

/// Largest |location| or scale accepted for distributions.
const LOCATION: f64 = 1e4;
/// Smallest standard deviation accepted: narrower targets leave the f32 networks no
/// room to resolve them (a σ of 1e-320 is a NaN loss at the first step).
const MIN_STD: f64 = 1e-3;
/// Most mixture components accepted.
pub const MAX_COMPONENTS: usize = 16;

const fn base(key: &'static str, label: &'static str, kind: Kind, help: &'static str) -> Spec {
    Spec {
        key,
        label,
        kind,
        range: Range::ANY,
        unit: "",
        scale: Scale::Linear,
        applies: Applies::Reset,
        variant: None,
        widget: Widget::Own,
        help,
    }
}

const fn number(
    key: &'static str,
    label: &'static str,
    default: f64,
    range: Range,
    widget: Widget,
    help: &'static str,
) -> Spec {
    Spec {
        range,
        widget,
        ..base(key, label, Kind::Number(default), help)
    }
}

const fn whole(
    key: &'static str,
    label: &'static str,
    default: u64,
    range: Range,
    widget: Widget,
    help: &'static str,
) -> Spec {
    Spec {
        range,
        widget,
        ..base(key, label, Kind::Whole(default), help)
    }
}

const fn live(spec: Spec) -> Spec {
    Spec {
        applies: Applies::Live,
        ..spec
    }
}

const fn log(spec: Spec) -> Spec {
    Spec {
        scale: Scale::Log,
        ..spec
    }
}

const fn unit(unit: &'static str, spec: Spec) -> Spec {
    Spec { unit, ..spec }
}

const fn only(variant: &'static str, spec: Spec) -> Spec {
    Spec {
        variant: Some(variant),
        ..spec
    }
}

fn target_kinds() -> Vec<&'static str> {
    Target::KINDS.to_vec()
}

fn noise_kinds() -> Vec<&'static str> {
    Noise::KINDS.to_vec()
}

fn activations() -> Vec<&'static str> {
    Activation::ALL.iter().map(|a| a.name()).collect()
}

fn inits() -> Vec<&'static str> {
    Init::ALL.iter().map(|i| i.name()).collect()
}

fn losses() -> Vec<&'static str> {
    LossKind::ALL.iter().map(|l| l.name()).collect()
}

fn objectives() -> Vec<&'static str> {
    GObjective::ALL.iter().map(|o| o.name()).collect()
}

fn optimizers() -> Vec<&'static str> {
    OptimizerKind::ALL.iter().map(|o| o.name()).collect()
}

const LOC: Range = Range::closed(-LOCATION, LOCATION);
const STD: Range = Range::closed(MIN_STD, LOCATION);
const UNIT_INTERVAL: Range = Range::closed_open(0.0, 1.0);
const LEARNING_RATE: Range = Range::open_closed(0.0, 100.0);

/// The seed.
pub const SEED: Spec = whole(
    "seed",
    "seed",
    1,
    Range::whole(0, (1 << 53) - 1),
    Widget::Drag(1.0),
    "Seed of the one random generator behind initialisation and sampling: the same seed and settings give the same run",
);
/// p_data's family.
pub const TARGET_KIND: Spec = base(
    "target.kind",
    "target",
    Kind::Choice(target_kinds, "gaussian"),
    "p_data, the distribution the generator must learn: a Gaussian, a mixture of Gaussians or a uniform",
);
/// μ of a Gaussian p_data.
pub const TARGET_MEAN: Spec = only(
    "gaussian",
    unit(
        "x",
        number(
            "target.mean",
            "μ",
            4.0,
            LOC,
            Widget::Drag(0.05),
            "Mean of p_data = N(μ, σ²)",
        ),
    ),
);
/// σ of a Gaussian p_data.
pub const TARGET_STD: Spec = only(
    "gaussian",
    log(unit(
        "x",
        number(
            "target.std",
            "σ",
            0.5,
            STD,
            Widget::Drag(0.01),
            "Standard deviation of p_data = N(μ, σ²)",
        ),
    )),
);
/// A mixture's weights.
pub const TARGET_WEIGHTS: Spec = only(
    "mixture",
    Spec {
        range: Range::open_closed(0.0, 1.0),
        widget: Widget::Drag(0.01),
        ..base(
            "target.weights",
            "w",
            Kind::Numbers(&[0.5, 0.5], MAX_COMPONENTS),
            "Mixing weights w_i of p_data = Σ w_i N(μ_i, σ_i²), summing to 1",
        )
    },
);
/// A mixture's means.
pub const TARGET_MEANS: Spec = only(
    "mixture",
    Spec {
        range: LOC,
        unit: "x",
        widget: Widget::Drag(0.05),
        ..base(
            "target.means",
            "μ",
            Kind::Numbers(&[-2.0, 2.0], MAX_COMPONENTS),
            "Means μ_i of the mixture's components (its modes)",
        )
    },
);
/// A mixture's standard deviations.
pub const TARGET_STDS: Spec = only(
    "mixture",
    Spec {
        range: STD,
        unit: "x",
        scale: Scale::Log,
        widget: Widget::Drag(0.01),
        ..base(
            "target.stds",
            "σ",
            Kind::Numbers(&[0.5, 0.5], MAX_COMPONENTS),
            "Standard deviations σ_i of the mixture's components",
        )
    },
);
/// A uniform p_data's lower end.
pub const TARGET_LOW: Spec = only(
    "uniform",
    unit(
        "x",
        number(
            "target.low",
            "low",
            2.0,
            LOC,
            Widget::Drag(0.05),
            "Lower end of p_data = U(low, high)",
        ),
    ),
);
/// A uniform p_data's upper end.
pub const TARGET_HIGH: Spec = only(
    "uniform",
    unit(
        "x",
        number(
            "target.high",
            "high",
            6.0,
            LOC,
            Widget::Drag(0.05),
            "Upper end of p_data = U(low, high), greater than low",
        ),
    ),
);
/// p_z's family.
pub const NOISE_KIND: Spec = base(
    "noise.kind",
    "noise z",
    Kind::Choice(noise_kinds, "uniform"),
    "p_z, the noise fed to G: uniform as in the paper's Figure 1, or normal",
);
/// A uniform p_z's lower end.
pub const NOISE_LOW: Spec = only(
    "uniform",
    unit(
        "z",
        number(
            "noise.low",
            "low",
            -1.0,
            LOC,
            Widget::Drag(0.05),
            "Lower end of p_z = U(low, high)",
        ),
    ),
);
/// A uniform p_z's upper end.
pub const NOISE_HIGH: Spec = only(
    "uniform",
    unit(
        "z",
        number(
            "noise.high",
            "high",
            1.0,
            LOC,
            Widget::Drag(0.05),
            "Upper end of p_z = U(low, high), greater than low",
        ),
    ),
);
/// μ of a normal p_z.
pub const NOISE_MEAN: Spec = only(
    "normal",
    unit(
        "z",
        number(
            "noise.mean",
            "μ",
            0.0,
            LOC,
            Widget::Drag(0.05),
            "Mean of p_z = N(μ, σ²)",
        ),
    ),
);
/// σ of a normal p_z.
pub const NOISE_STD: Spec = only(
    "normal",
    log(unit(
        "z",
        number(
            "noise.std",
            "σ",
            1.0,
            STD,
            Widget::Drag(0.01),
            "Standard deviation of p_z = N(μ, σ²)",
        ),
    )),
);

const fn width(key: &'static str, help: &'static str) -> Spec {
    unit(
        "units",
        whole(
            key,
            "width",
            32,
            Range::whole(1, 256),
            Widget::Drag(1.0),
            help,
        ),
    )
}

const fn depth(key: &'static str, help: &'static str) -> Spec {
    unit(
        "layers",
        whole(
            key,
            "depth",
            2,
            Range::whole(1, 4),
            Widget::Drag(0.05),
            help,
        ),
    )
}

/// G's hidden width.
pub const G_WIDTH: Spec = width(
    "generator.width",
    "Units in each hidden layer of the generator G(z)",
);
/// G's hidden depth.
pub const G_DEPTH: Spec = depth("generator.depth", "Hidden layers of the generator G(z)");
/// G's nonlinearity.
pub const G_ACTIVATION: Spec = base(
    "generator.activation",
    "activation",
    Kind::Choice(activations, "tanh"),
    "The generator's hidden nonlinearity (its output layer is linear)",
);
/// G's initialisation.
pub const G_INIT: Spec = base(
    "generator.init",
    "init",
    Kind::Choice(inits, "glorot"),
    "The generator's weight initialisation: Glorot suits tanh and sigmoid, He suits ReLU",
);
/// D's hidden width.
pub const D_WIDTH: Spec = width(
    "discriminator.width",
    "Units in each hidden layer of the discriminator D(x)",
);
/// D's hidden depth.
pub const D_DEPTH: Spec = depth(
    "discriminator.depth",
    "Hidden layers of the discriminator D(x)",
);
/// D's nonlinearity.
pub const D_ACTIVATION: Spec = base(
    "discriminator.activation",
    "activation",
    Kind::Choice(activations, "tanh"),
    "The discriminator's hidden nonlinearity (its output is a logit)",
);
/// D's initialisation.
pub const D_INIT: Spec = base(
    "discriminator.init",
    "init",
    Kind::Choice(inits, "glorot"),
    "The discriminator's weight initialisation: Glorot suits tanh and sigmoid, He suits ReLU",
);
/// k.
pub const K: Spec = live(log(unit(
    "steps",
    whole(
        "training.k",
        "k (D steps)",
        1,
        Range::whole(1, 100),
        Widget::Slider(1.0, 100.0),
        "k: discriminator steps per iteration of Algorithm 1. The paper used k = 1",
    ),
)));
/// G steps per iteration.
pub const G_STEPS: Spec = live(log(unit(
    "steps",
    whole(
        "training.g_steps",
        "G steps",
        1,
        Range::whole(1, 100),
        Widget::Slider(1.0, 100.0),
        "Generator steps per iteration. More than 1 is §6's warning: G trained too much without updating D collapses many z onto the same x",
    ),
)));
/// m.
pub const BATCH_SIZE: Spec = live(log(unit(
    "samples",
    whole(
        "training.batch_size",
        "minibatch m",
        128,
        Range::whole(1, 4096),
        Widget::Slider(8.0, 1024.0),
        "m: samples of noise and of data in each step's minibatch",
    ),
)));
/// The loss pair.
pub const LOSS: Spec = live(base(
    "training.loss",
    "loss",
    Kind::Choice(losses, "non-saturating"),
    "minimax: G descends log(1 − D(G(z))) (Algorithm 1). non-saturating: G ascends log D(G(z)) (§3). Also least squares, Wasserstein (clipping or gradient penalty) and hinge",
));
/// The update rule.
pub const OPTIMIZER: Spec = live(base(
    "training.optimizer",
    "optimiser",
    Kind::Choice(optimizers, "adam"),
    "SGD, SGD with momentum (the paper's choice) or Adam, for both networks; a new optimiser starts with fresh state",
));
/// D's learning rate.
pub const LR_D: Spec = live(log(number(
    "training.lr_d",
    "learning rate D",
    1e-3,
    LEARNING_RATE,
    Widget::Slider(1e-5, 1.0),
    "Step size of the discriminator's ascent of V(D, G)",
)));
/// G's learning rate.
pub const LR_G: Spec = live(log(number(
    "training.lr_g",
    "learning rate G",
    1e-3,
    LEARNING_RATE,
    Widget::Slider(1e-5, 1.0),
    "Step size of the generator's descent of its loss",
)));
/// μ of SGD with momentum.
pub const MOMENTUM: Spec = live(number(
    "training.momentum",
    "momentum",
    0.9,
    UNIT_INTERVAL,
    Widget::Slider(0.0, 0.99),
    "μ in v ← μv + g, θ ← θ − ηv (the paper trained with momentum)",
));
/// Adam's β₁.
pub const BETA1: Spec = live(number(
    "training.beta1",
    "Adam β₁",
    0.5,
    UNIT_INTERVAL,
    Widget::Slider(0.0, 0.99),
    "Decay of Adam's first-moment average (0 keeps no momentum)",
));
/// Adam's β₂. Its top stays clear of 1 by more than f32's spacing there: at β₂ = 1 in
/// f32 the second moment never grows and the first step is thousands of times too long.
pub const BETA2: Spec = live(number(
    "training.beta2",
    "Adam β₂",
    0.999,
    Range::closed(0.0, 0.999_999),
    Widget::Slider(0.9, 0.9999),
    "Decay of Adam's second-moment average",
));
/// Adam's ε.
pub const EPS: Spec = live(log(number(
    "training.eps",
    "Adam ε",
    1e-8,
    Range::closed(1e-12, 1.0),
    Widget::Slider(1e-12, 1e-2),
    "ε in Adam's step m̂ / (√v̂ + ε): keeps the step finite where gradients vanish",
)));
/// The learning-rate schedule.
pub const LR_DECAY_ITERS: Spec = live(unit(
    "iterations",
    whole(
        "training.lr_decay_iters",
        "decay to 0 at",
        0,
        Range::whole(0, 1_000_000_000),
        Widget::Drag(100.0),
        "Both learning rates fall linearly to 0 at this iteration; 0 keeps them constant",
    ),
));
/// WGAN's clipping bound.
pub const CLIP: Spec = live(log(number(
    "training.clip",
    "clip c",
    0.01,
    Range::open_closed(0.0, 10.0),
    Widget::Slider(0.001, 1.0),
    "Wasserstein with clipping: after each critic step every weight is clamped to [−c, c]",
)));
/// WGAN-GP's λ.
pub const GP_WEIGHT: Spec = live(number(
    "training.gp_weight",
    "penalty λ",
    10.0,
    Range::closed(0.0, 1000.0),
    Widget::Slider(0.0, 100.0),
    "λ in λ·E[max(0, |f'(x̂)| − 1)²] on points x̂ between data and samples",
));
/// D's head start.
pub const D_PRETRAIN_STEPS: Spec = unit(
    "steps",
    whole(
        "training.d_pretrain_steps",
        "D steps before the run",
        0,
        Range::whole(0, 100_000),
        Widget::Drag(10.0),
        "Before the first iteration D trains alone this many steps with G frozen: the confident D of §3's vanishing gradients",
    ),
);
/// How G learns (the thought experiments of [`super::alone`]).
pub const G_OBJECTIVE: Spec = live(base(
    "training.g_objective",
    "G learns by",
    Kind::Choice(objectives, "adversarial"),
    "adversarial: G descends its loss through D (the GAN). l2-random: G regresses randomly paired data, (1/m) sum (G(z_i) - x_i)^2, and learns E[x], the blur. l2-ranked: the same with z and x paired by rank, which learns the monotone map T*. d-ascent: no G; D's negatives are made by gradient ascent on D from random starts, afresh every training.ascent_round D steps",
));
/// D steps per round of the d-ascent experiment.
pub const ASCENT_ROUND: Spec = live(log(unit(
    "steps",
    whole(
        "training.ascent_round",
        "D steps per round",
        200,
        Range::whole(1, 1_000_000),
        Widget::Slider(10.0, 10_000.0),
        "With g_objective = d-ascent: D trains this many steps against one set of negatives (a round), then new negatives are made by ascending the D of that moment",
    ),
)));
/// Whether d-ascent keeps earlier rounds' negatives.
pub const ASCENT_KEEP: Spec = live(base(
    "training.ascent_keep",
    "keep earlier negatives",
    Kind::Flag(false),
    "With g_objective = d-ascent: D trains against the negatives of every round so far (the latest 32768), not only the latest round's, so it cannot forget where earlier samples went",
));
/// Standardised data.
pub const STANDARDIZE: Spec = base(
    "scaling.standardize",
    "standardise data",
    Kind::Flag(false),
    "D sees (x − μ)/σ of the target and G's output is mapped back, so one learning rate suits any target",
);
/// Gaussianised noise.
pub const GAUSSIANIZE_Z: Spec = base(
    "scaling.gaussianize_z",
    "Gaussianise z inside G",
    Kind::Flag(false),
    "G's network is fed Φ⁻¹(F_z(z)); z itself stays uniform on the figure's z line and p_g stays its exact pushforward",
);

/// Every setting, in the settings file's order.
pub const ALL: [&Spec; 42] = [
    &SEED,
    &TARGET_KIND,
    &TARGET_MEAN,
    &TARGET_STD,
    &TARGET_WEIGHTS,
    &TARGET_MEANS,
    &TARGET_STDS,
    &TARGET_LOW,
    &TARGET_HIGH,
    &NOISE_KIND,
    &NOISE_LOW,
    &NOISE_HIGH,
    &NOISE_MEAN,
    &NOISE_STD,
    &G_WIDTH,
    &G_DEPTH,
    &G_ACTIVATION,
    &G_INIT,
    &D_WIDTH,
    &D_DEPTH,
    &D_ACTIVATION,
    &D_INIT,
    &K,
    &G_STEPS,
    &BATCH_SIZE,
    &LOSS,
    &OPTIMIZER,
    &LR_D,
    &LR_G,
    &MOMENTUM,
    &BETA1,
    &BETA2,
    &EPS,
    &LR_DECAY_ITERS,
    &CLIP,
    &GP_WEIGHT,
    &D_PRETRAIN_STEPS,
    &G_OBJECTIVE,
    &ASCENT_ROUND,
    &ASCENT_KEEP,
    &STANDARDIZE,
    &GAUSSIANIZE_Z,
];

/// Every setting, in the settings file's order.
pub fn all() -> impl Iterator<Item = &'static Spec> {
    ALL.into_iter()
}

/// The spec of a dotted key (`training.k`), if there is one.
pub fn find(key: &str) -> Option<&'static Spec> {
    all().find(|s| s.key == key)
}

impl Spec {
    /// The section (`training`) and the name within it (`k`); `("", "seed")` at the top.
    pub fn section_and_name(&self) -> (&'static str, &'static str) {
        self.key.rsplit_once('.').unwrap_or(("", self.key))
    }

    /// The default as a settings-file value.
    pub fn default_value(&self) -> toml::Value {
        match self.kind {
            Kind::Whole(v) => toml::Value::Integer(i64::try_from(v).unwrap_or(i64::MAX)),
            Kind::Number(v) => toml::Value::Float(v),
            Kind::Flag(v) => toml::Value::Boolean(v),
            Kind::Choice(_, v) => toml::Value::String(v.to_owned()),
            Kind::Numbers(v, _) => {
                toml::Value::Array(v.iter().map(|x| toml::Value::Float(*x)).collect())
            }
        }
    }

    /// Checks this setting's value as it stands in a settings document; a setting that
    /// is absent (another variant's) passes.
    pub fn check_in(&self, doc: &toml::Table) -> Result<(), SettingError> {
        let Some(value) = lookup(doc, self.key) else {
            return Ok(());
        };
        let as_number = |v: &toml::Value| match v {
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::Float(f) => Some(*f),
            _ => None,
        };
        match (self.kind, value) {
            (Kind::Whole(_) | Kind::Number(_), v) => {
                let n = as_number(v)
                    .ok_or_else(|| SettingError::new(self.key, v, &self.range.expected()))?;
                self.range.check(self.key, n)
            }
            (Kind::Numbers(_, most), toml::Value::Array(items)) => {
                if items.is_empty() || items.len() > most {
                    return Err(SettingError::new(
                        self.key,
                        format!("{} components", items.len()),
                        &format!("1 to {most} components"),
                    ));
                }
                for (i, item) in items.iter().enumerate() {
                    let field = format!("{}[{i}]", self.key);
                    let n = as_number(item)
                        .ok_or_else(|| SettingError::new(&field, item, &self.range.expected()))?;
                    self.range.check(&field, n)?;
                }
                Ok(())
            }
            (Kind::Flag(_), toml::Value::Boolean(_)) => Ok(()),
            (Kind::Choice(names, _), toml::Value::String(s)) => {
                let names = names();
                if names.contains(&s.as_str()) {
                    Ok(())
                } else {
                    Err(SettingError::new(
                        self.key,
                        s,
                        &format!("one of {}", names.join(", ")),
                    ))
                }
            }
            (_, v) => Err(SettingError::new(self.key, v, &self.expected())),
        }
    }

    /// What the setting accepts, in words.
    pub fn expected(&self) -> String {
        match self.kind {
            Kind::Whole(_) | Kind::Number(_) => self.range.expected(),
            Kind::Flag(_) => "true or false".to_owned(),
            Kind::Choice(names, _) => format!("one of {}", names().join(", ")),
            Kind::Numbers(_, most) => {
                format!("a list of 1 to {most} numbers, each in {}", self.range)
            }
        }
    }

    /// One comment line for the settings file: [`Self::description`].
    pub fn comment(&self) -> String {
        format!("# {}", self.description())
    }

    /// The setting in one sentence: meaning, accepted values, unit, default, and when it
    /// applies (the settings file's comment and the app's tooltip).
    pub fn description(&self) -> String {
        let default = match self.kind {
            Kind::Whole(v) => number_text(v as f64),
            Kind::Number(v) => number_text(v),
            Kind::Flag(v) => v.to_string(),
            Kind::Choice(_, v) => v.to_owned(),
            Kind::Numbers(v, _) => format!("{v:?}"),
        };
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" (unit: {})", self.unit)
        };
        let applies = match self.applies {
            Applies::Live => "applies live, at the next step",
            Applies::Reset => "applies with a new run",
        };
        format!(
            "{}. Accepts {}{unit}; default {default}; {applies}.",
            self.help,
            self.expected()
        )
    }
}

/// The value at a dotted key of a settings document.
pub fn lookup<'a>(doc: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    let mut parts = key.split('.');
    let first = doc.get(parts.next()?)?;
    parts.try_fold(first, |v, part| v.as_table()?.get(part))
}

/// The fields of `section` (`target`, `noise`) for one `kind`, at their defaults.
pub fn variant_defaults(section: &str, kind: &str) -> toml::Table {
    let mut table = toml::Table::new();
    table.insert("kind".to_owned(), toml::Value::String(kind.to_owned()));
    for spec in all() {
        let (s, name) = spec.section_and_name();
        if s == section && spec.variant == Some(kind) {
            table.insert(name.to_owned(), spec.default_value());
        }
    }
    table
}

/// Every setting at its default (each section's default variant): the document of
/// [`crate::sim::Settings::reference`].
pub fn default_document() -> toml::Table {
    let mut doc = toml::Table::new();
    let kind_of = |section: &str| match find(&format!("{section}.kind")).map(|s| s.kind) {
        Some(Kind::Choice(_, default)) => Some(default),
        _ => None,
    };
    for spec in all() {
        let (section, name) = spec.section_and_name();
        if spec.variant.is_some() && spec.variant != kind_of(section) {
            continue;
        }
        let table = if section.is_empty() {
            &mut doc
        } else {
            let entry = doc
                .entry(section.to_owned())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let toml::Value::Table(t) = entry else {
                continue;
            };
            t
        };
        table.insert(name.to_owned(), spec.default_value());
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_accepted_by_its_own_range_and_keys_are_unique() {
        let mut keys: Vec<&str> = all().map(|s| s.key).collect();
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key is described twice");
        for spec in all() {
            let mut doc = toml::Table::new();
            let (section, name) = spec.section_and_name();
            let mut inner = toml::Table::new();
            inner.insert(name.to_owned(), spec.default_value());
            if section.is_empty() {
                doc = inner;
            } else {
                doc.insert(section.to_owned(), toml::Value::Table(inner));
            }
            spec.check_in(&doc)
                .unwrap_or_else(|e| panic!("{}: default refused: {e}", spec.key));
            if let Widget::Slider(lo, hi) = spec.widget {
                assert!(
                    spec.range.contains(lo) && spec.range.contains(hi) && lo < hi,
                    "{}: the slider's span leaves the accepted range",
                    spec.key
                );
            }
        }
    }
}
