//! Every setting of a run, its presets, and the settings-file format (TOML). What each
//! setting accepts is described once, in [`super::schema`]; a bad value is refused with an
//! error naming the field, the value and the accepted range.

use serde::{Deserialize, Serialize};

use super::activation::Activation;
use super::alone::GObjective;
pub use super::check::SettingError;
use super::distribution::{Noise, Target};
use super::loss::LossKind;
use super::mlp::{Init, MlpShape};
use super::optim::{OptimParams, OptimizerKind};
use super::pace::Pace;
use super::schema::{self, Applies};

/// A settings file's parse error, named by the key (`training.k`) and line where toml
/// found it.
fn toml_error(text: &str, e: &toml::de::Error) -> SettingError {
    let message = e.message().trim().to_owned();
    let start = e.span().map_or(0, |s| s.start.min(text.len()));
    let line_no = text[..start].matches('\n').count();
    let lines: Vec<&str> = text.lines().collect();
    let line = lines.get(line_no).copied().unwrap_or("").trim();
    // The table the error sits in: the nearest [header] at or above the line.
    let table = lines
        .get(..=line_no.min(lines.len().saturating_sub(1)))
        .unwrap_or(&[])
        .iter()
        .rev()
        .find_map(|l| {
            let l = l.trim();
            (l.starts_with('[') && l.ends_with(']')).then(|| l.trim_matches(['[', ']']).trim())
        });
    let dotted = |key: &str| match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_owned(),
    };
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    if let Some(key) = quoted("missing field `") {
        return SettingError::new(
            &format!("{} (settings file)", dotted(&key)),
            "missing",
            "every setting to be present (`ganscope config` prints a complete file)",
        );
    }
    let (key, value) = match line.split_once('=') {
        Some((k, v)) if !line.starts_with('[') => (k.trim().to_owned(), v.trim().to_owned()),
        _ => (String::new(), line.to_owned()),
    };
    let place = if key.is_empty() {
        format!("settings file line {}", line_no + 1)
    } else {
        format!("{} (settings file line {})", dotted(&key), line_no + 1)
    };
    // What the key accepts is the schema's to say; serde's words are the fallback.
    let expected = match schema::find(&dotted(&key)) {
        Some(spec) if !key.is_empty() => spec.expected(),
        _ => match message
            .split_once("expected ")
            .map_or(message.as_str(), |(_, rest)| rest)
        {
            "u32" | "u64" | "usize" => "a whole number, 0 or more".to_owned(),
            "f64" | "f32" => "a number".to_owned(),
            "a boolean" | "bool" => "true or false".to_owned(),
            other => other.to_owned(),
        },
    };
    let value = if value.is_empty() {
        message.clone()
    } else {
        value
    };
    SettingError::new(&place, value, &expected)
}

/// Architecture of one network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetSettings {
    /// Units per hidden layer (accepted range: [`schema::G_WIDTH`], [`schema::D_WIDTH`]).
    pub width: usize,
    /// Hidden layers.
    pub depth: usize,
    /// Hidden nonlinearity.
    pub activation: Activation,
    /// Weight initialisation.
    pub init: Init,
}

impl NetSettings {
    /// The MLP shape these settings describe.
    pub fn shape(&self) -> MlpShape {
        MlpShape {
            width: self.width,
            depth: self.depth,
            activation: self.activation,
        }
    }
}

/// Everything about Algorithm 1's loop. All of it may change between steps except D's
/// head start; what each accepts is in [`schema`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSettings {
    /// k: discriminator steps per iteration.
    pub k: u32,
    /// Generator steps per iteration (more than 1 is the paper's §6 warning).
    pub g_steps: u32,
    /// m: minibatch size for each step.
    pub batch_size: usize,
    /// The loss pair for D and G.
    pub loss: LossKind,
    /// The optimiser for both networks.
    pub optimizer: OptimizerKind,
    /// Discriminator learning rate.
    pub lr_d: f64,
    /// Generator learning rate.
    pub lr_g: f64,
    /// Momentum coefficient for `momentum`.
    pub momentum: f64,
    /// Adam β₁.
    pub beta1: f64,
    /// Adam β₂.
    pub beta2: f64,
    /// Adam ε.
    pub eps: f64,
    /// Learning rates fall linearly to 0 at this iteration; 0 keeps them constant.
    pub lr_decay_iters: u64,
    /// Weight-clipping bound c for `wasserstein-clip`.
    pub clip: f64,
    /// Gradient-penalty weight λ for `wasserstein-gp`.
    pub gp_weight: f64,
    /// Before the first iteration D trains alone for this many steps (G frozen): the
    /// confident-D start of the vanishing-gradient lesson. Applies with a new run; files
    /// written before it existed read as 0.
    #[serde(default)]
    pub d_pretrain_steps: u64,
    /// How G learns: through D (the GAN), by regression on random or ranked (z, x) pairs,
    /// or not at all, D's negatives made by ascending D (see [`super::alone`]). Files
    /// written before it existed read as adversarial.
    #[serde(default)]
    pub g_objective: GObjective,
    /// With `d-ascent`: D steps per round, after which D's negatives are made afresh by
    /// ascending the D of that moment.
    #[serde(default = "default_ascent_round")]
    pub ascent_round: u64,
    /// With `d-ascent`: D keeps training against every earlier round's negatives too, not
    /// only the latest round's.
    #[serde(default)]
    pub ascent_keep: bool,
}

/// `training.ascent_round` of files written before it existed: the schema's default.
fn default_ascent_round() -> u64 {
    match schema::ASCENT_ROUND.kind {
        schema::Kind::Whole(v) => v,
        _ => 200,
    }
}

impl TrainingSettings {
    /// The optimiser's coefficients.
    pub fn optimizer_params(&self) -> OptimParams {
        OptimParams {
            momentum: self.momentum,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
        }
    }

    /// Whether the learning-rate decay has reached 0 by `iteration`: every further step
    /// would change nothing.
    pub fn schedule_ended(&self, iteration: u64) -> bool {
        self.lr_decay_iters > 0 && iteration >= self.lr_decay_iters
    }

    /// Iterations left before the decay reaches 0 (`None` without decay).
    pub fn iterations_to_schedule_end(&self, iteration: u64) -> Option<u64> {
        (self.lr_decay_iters > 0).then(|| self.lr_decay_iters.saturating_sub(iteration))
    }

    /// The learning-rate multiplier at `iteration` (linear decay to 0, or 1).
    pub fn lr_factor(&self, iteration: u64) -> f64 {
        if self.lr_decay_iters == 0 {
            1.0
        } else {
            (1.0 - iteration as f64 / self.lr_decay_iters as f64).max(0.0)
        }
    }
}

/// How data and noise are presented to the networks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingSettings {
    /// D sees (x − μ)/σ and G's output is μ + σ·net, with μ, σ the target's mean and std.
    pub standardize: bool,
    /// G's network is fed w = Φ⁻¹(F_z(z)) instead of z (a fixed, invertible warp: z stays
    /// uniform on the figure's z line and p_g stays its exact pushforward).
    pub gaussianize_z: bool,
}

/// All settings of a run: with the seed they determine it bit for bit on one build.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Seed of the one random generator that drives initialisation and sampling.
    pub seed: u64,
    /// p_data.
    pub target: Target,
    /// p_z.
    pub noise: Noise,
    /// G's architecture.
    pub generator: NetSettings,
    /// D's architecture.
    pub discriminator: NetSettings,
    /// Algorithm 1's loop.
    pub training: TrainingSettings,
    /// Input and output scaling.
    pub scaling: ScalingSettings,
}

/// One setting that differs between two settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The dotted key.
    pub key: &'static str,
    /// The app's label for it.
    pub label: &'static str,
    /// The value before, as the settings file writes it.
    pub from: String,
    /// The value after.
    pub to: String,
}

/// A named starting point with the lesson it teaches.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// The name on the command line (`--preset fig1`) and in the app's menu.
    pub name: &'static str,
    /// What it shows, in one line.
    pub lesson: &'static str,
    /// The pace at which it plays its lesson in the app, chosen so the lesson plays out
    /// over tens of seconds (measured in `tests/presets.rs`).
    pub pace: Pace,
    /// Its changes to the reference settings.
    edit: fn(&mut Settings),
}

impl Preset {
    /// Every preset, in the order menus list them.
    pub const ALL: [Self; 7] = [
        Self {
            name: "fig1",
            lesson: "The paper's Figure 1: uniform z, Gaussian data, converges to p_g = p_data. Lesson: figure1",
            pace: Pace::Ramp {
                start: 2.0 / 3.0,
                gain: 1.0 / 9.0,
                max: 1000.0,
            },
            edit: |s| {
                // Measured over 10 seeds: β₁ = 0 (as in WGAN-GP and BigGAN) keeps the
                // final state from wobbling, so every seed passes the two-sample test.
                s.training.beta1 = 0.0;
                s.training.lr_d = 5e-4;
                s.training.lr_g = 5e-4;
                s.training.lr_decay_iters = 20_000;
                s.scaling.standardize = true;
                s.scaling.gaussianize_z = true;
            },
        },
        Self {
            name: "reference",
            lesson: "The benchmark workload: N(4, 0.5), tanh 32×32 nets, Adam 1e-3, no scaling.",
            pace: Pace::Steady(100.0),
            edit: |_| {},
        },
        Self {
            name: "vanishing",
            lesson: "Minimax loss, far start, D trained first: G's gradient vanishes (§3). Lesson: saturation",
            pace: Pace::Steady(60.0),
            edit: |s| {
                // G starts 16 σ from the data and D trains alone first, so D is confident;
                // plain SGD shows gradient sizes as they are (Adam would rescale them).
                s.target = Target::Gaussian {
                    mean: 8.0,
                    std: 0.5,
                };
                s.training.loss = LossKind::Minimax;
                s.training.optimizer = OptimizerKind::Sgd;
                s.training.lr_d = 0.01;
                s.training.lr_g = 0.01;
                s.training.d_pretrain_steps = 1000;
                s.scaling.gaussianize_z = true;
            },
        },
        Self {
            name: "collapse",
            lesson: "Two modes, 10 G steps per D step: G drops a mode and hops between them (§6). Lesson: helvetica",
            pace: Pace::Steady(60.0),
            edit: |s| {
                s.target = two_modes();
                s.training.g_steps = 10;
                s.scaling.standardize = true;
                s.scaling.gaussianize_z = true;
            },
        },
        Self {
            name: "oscillation",
            lesson: "SGD with momentum at learning rate 0.01, k = 1: p_g swings around p_data. Lesson: oscillation",
            pace: Pace::Steady(300.0),
            edit: |s| {
                // The paper's optimiser, SGD with momentum, at a large learning rate.
                s.training.optimizer = OptimizerKind::Momentum;
                s.training.momentum = 0.9;
                s.training.lr_d = 0.01;
                s.training.lr_g = 0.01;
                s.scaling.standardize = true;
                s.scaling.gaussianize_z = true;
            },
        },
        Self {
            name: "optimal-d",
            lesson: "k = 20: D stays near D* every iteration and p_g converges (Proposition 2). Lesson: proposition2",
            pace: Pace::Steady(30.0),
            edit: |s| {
                s.training.k = 20;
                s.training.lr_d = 2e-3;
                s.training.lr_g = 5e-4;
                s.scaling.standardize = true;
                s.scaling.gaussianize_z = true;
            },
        },
        Self {
            name: "wgan-gp",
            lesson: "Wasserstein loss with gradient penalty on two modes: both modes kept. Lesson: wgan-gp",
            pace: Pace::Steady(60.0),
            edit: |s| {
                s.target = two_modes();
                s.training.loss = LossKind::WassersteinGp;
                s.training.k = 5;
                s.training.lr_d = 1e-4;
                s.training.lr_g = 1e-4;
                s.training.beta1 = 0.5;
                s.training.beta2 = 0.9;
                s.scaling.standardize = true;
                s.scaling.gaussianize_z = true;
            },
        },
    ];

    /// The preset called `name`; an unknown name is refused with the list.
    pub fn named(name: &str) -> Result<&'static Self, SettingError> {
        Self::ALL.iter().find(|p| p.name == name).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|p| p.name).collect();
            SettingError::new("preset", name, &format!("one of {}", names.join(", ")))
        })
    }

    /// Its settings (seed 1).
    pub fn settings(&self) -> Settings {
        let mut s = Settings::reference();
        (self.edit)(&mut s);
        s
    }
}

/// The two-mode mixture of the collapse and WGAN-GP lessons: the schema's default mixture.
fn two_modes() -> Target {
    Target::with_defaults("mixture")
        .unwrap_or_else(|e| panic!("the schema's default mixture is a target: {e}"))
}

impl Target {
    /// A target of `kind` (`gaussian`, `mixture`, `uniform`) with the schema's defaults.
    pub fn with_defaults(kind: &str) -> Result<Self, SettingError> {
        toml::Value::Table(schema::variant_defaults("target", kind))
            .try_into()
            .map_err(|_| SettingError::new("target.kind", kind, &schema::TARGET_KIND.expected()))
    }
}

impl Noise {
    /// Noise of `kind` (`uniform`, `normal`) with the schema's defaults.
    pub fn with_defaults(kind: &str) -> Result<Self, SettingError> {
        toml::Value::Table(schema::variant_defaults("noise", kind))
            .try_into()
            .map_err(|_| SettingError::new("noise.kind", kind, &schema::NOISE_KIND.expected()))
    }
}

impl Settings {
    /// Every setting at the schema's default: the benchmark's reference workload (see the
    /// README).
    pub fn reference() -> Self {
        toml::Value::Table(schema::default_document())
            .try_into()
            .unwrap_or_else(|e| panic!("the schema's defaults make settings: {e}"))
    }

    /// A preset by name (see [`Preset::ALL`]).
    pub fn preset(name: &str) -> Result<Self, SettingError> {
        Preset::named(name).map(Preset::settings)
    }

    /// The settings as a settings-file document (or why they cannot be one).
    fn document(&self) -> Result<toml::Table, SettingError> {
        toml::Table::try_from(self)
            .map_err(|e| SettingError::new("settings", e, "values a settings file can hold"))
    }

    /// Whether going from these settings to `next` needs fresh networks: a setting that
    /// the schema says applies with a reset (data, noise, architecture, scaling, seed,
    /// D's head start) differs. Algorithm 1's loop settings do not.
    pub fn needs_reset(&self, next: &Self) -> bool {
        // The app asks every frame, and mostly of equal settings: skip the documents.
        if self == next {
            return false;
        }
        let (Ok(a), Ok(b)) = (self.document(), next.document()) else {
            return self != next;
        };
        let differs = |key: &str| schema::lookup(&a, key) != schema::lookup(&b, key);
        schema::all()
            .filter(|spec| spec.applies == Applies::Reset)
            .any(|spec| differs(spec.key))
    }

    /// The settings that differ between these and `next`, in the schema's order, with
    /// both values as the settings file writes them.
    pub fn changes(&self, next: &Self) -> Vec<Change> {
        if self == next {
            return Vec::new();
        }
        let (Ok(a), Ok(b)) = (self.document(), next.document()) else {
            return Vec::new();
        };
        schema::all()
            .filter_map(|spec| {
                let (from, to) = (schema::lookup(&a, spec.key), schema::lookup(&b, spec.key));
                let text =
                    |v: Option<&toml::Value>| v.map_or("(none)".to_owned(), ToString::to_string);
                (from != to).then(|| Change {
                    key: spec.key,
                    label: spec.label,
                    from: text(from),
                    to: text(to),
                })
            })
            .collect()
    }

    /// Checks every field against the schema, then the relations between fields; the
    /// first problem found is returned.
    pub fn validate(&self) -> Result<(), SettingError> {
        // The seed first: one too large for a settings file could not be checked below.
        schema::SEED.range.check("seed", self.seed as f64)?;
        let doc = self.document()?;
        for spec in schema::all() {
            spec.check_in(&doc)?;
        }
        self.target.check_relations()?;
        self.noise.check_relations()
    }

    /// The settings file: TOML, every key present.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# could not serialise settings: {e}\n"))
    }

    /// The settings file with a comment above each key: what it means, the values it
    /// accepts, its default and whether it applies live (read back like the plain one).
    pub fn to_toml_commented(&self) -> String {
        let mut out = String::from(
            "# ganscope settings. Every key is described in the app's tooltips and below;\n\
             # a value outside its range is refused with the range named.\n",
        );
        let mut section = String::new();
        for line in self.to_toml().lines() {
            let trimmed = line.trim();
            if let Some(name) = trimmed.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.to_owned();
            } else if let Some((name, _)) = trimmed.split_once('=') {
                let name = name.trim();
                let key = if section.is_empty() {
                    name.to_owned()
                } else {
                    format!("{section}.{name}")
                };
                if let Some(spec) = schema::find(&key) {
                    out += &spec.comment();
                    out.push('\n');
                }
            }
            out += line;
            out.push('\n');
        }
        out
    }

    /// Parses and validates a settings file.
    pub fn from_toml(text: &str) -> Result<Self, SettingError> {
        let settings: Self = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Applies one `key=value` override (dotted key as in the settings file; the value in
    /// TOML syntax, a bare word taken as a string), then validates.
    pub fn with_override(&self, assignment: &str) -> Result<Self, SettingError> {
        let Some((key, raw)) = assignment.split_once('=') else {
            return Err(SettingError::new("--set", assignment, "key=value"));
        };
        let (key, raw) = (key.trim(), raw.trim());
        let mut doc: toml::Table = toml::from_str(&self.to_toml())
            .map_err(|e| SettingError::new("settings", e.message(), "serialisable settings"))?;
        let value = parse_value(raw);
        let mut parts: Vec<&str> = key.split('.').collect();
        let Some(last) = parts.pop() else {
            return Err(SettingError::new("--set", key, "a settings key"));
        };
        let mut table = &mut doc;
        for part in &parts {
            table = match table.get_mut(*part) {
                Some(toml::Value::Table(t)) => t,
                _ => return Err(unknown_key(key)),
            };
        }
        // A target or noise kind may change, which brings other keys; others must exist.
        if !table.contains_key(last) && !matches!(parts.as_slice(), ["target" | "noise"]) {
            return Err(unknown_key(key));
        }
        if last == "kind" && table.get("kind") != Some(&value) {
            let section = parts.join(".");
            *table = schema::variant_defaults(&section, raw.trim_matches('"'));
        }
        table.insert(last.to_owned(), value);
        // Checked against the schema before serde sees it, so that `--set seed=-1` or
        // `training.k=2.5` is refused with the accepted range, not with a type's name.
        if let Some(spec) = schema::find(key) {
            spec.check_in(&doc)?;
        }
        let text = toml::to_string(&doc)
            .map_err(|e| SettingError::new(key, raw, &format!("a valid value ({e})")))?;
        let settings: Self = toml::from_str(&text).map_err(|e| {
            SettingError::new(key, raw, &format!("a valid value ({})", e.message().trim()))
        })?;
        settings.validate()?;
        Ok(settings)
    }
}

fn unknown_key(key: &str) -> SettingError {
    SettingError::new(key, "(unknown key)", "a key printed by `ganscope config`")
}

fn parse_value(raw: &str) -> toml::Value {
    let wrapped = format!("v = {raw}");
    match toml::from_str::<toml::Table>(&wrapped) {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

/// The prefix of a one-line settings string (the format's version).
pub const LINE_PREFIX: &str = "ganscope1:";

impl Settings {
    /// Every setting on one line, `ganscope1:seed=1;target.kind="gaussian";…`: the dotted
    /// keys of the settings file with their TOML values, to paste into a message. Reading
    /// it back gives the same settings, so the same run.
    pub fn to_line(&self) -> String {
        let mut parts = Vec::new();
        if let Ok(doc) = toml::from_str::<toml::Table>(&self.to_toml()) {
            for (key, value) in &doc {
                match value {
                    toml::Value::Table(section) => {
                        for (k, v) in section {
                            parts.push(format!("{key}.{k}={v}"));
                        }
                    }
                    v => parts.push(format!("{key}={v}")),
                }
            }
        }
        format!("{LINE_PREFIX}{}", parts.join(";"))
    }

    /// Reads a string made by [`Self::to_line`]; a malformed one is refused with the
    /// problem named, and every setting must be present.
    pub fn from_line(line: &str) -> Result<Self, SettingError> {
        let expected = "a string made by `ganscope config --as-line` (ganscope1:key=value;…)";
        let Some(body) = line.trim().strip_prefix(LINE_PREFIX) else {
            return Err(SettingError::new(
                "settings string",
                "(no ganscope1: prefix)",
                expected,
            ));
        };
        let mut doc = toml::Table::new();
        for part in body.split(';').filter(|p| !p.trim().is_empty()) {
            let Some((key, raw)) = part.split_once('=') else {
                return Err(SettingError::new(
                    "settings string",
                    part,
                    "key=value parts",
                ));
            };
            let value: toml::Value = toml::from_str::<toml::Table>(&format!("v = {}", raw.trim()))
                .ok()
                .and_then(|mut t| t.remove("v"))
                .ok_or_else(|| SettingError::new(key.trim(), raw.trim(), "a TOML value"))?;
            let mut path: Vec<&str> = key.trim().split('.').collect();
            let Some(last) = path.pop() else {
                return Err(SettingError::new(
                    "settings string",
                    part,
                    "key=value parts",
                ));
            };
            let mut table = &mut doc;
            for section in path {
                let entry = table
                    .entry(section.to_owned())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                let toml::Value::Table(inner) = entry else {
                    return Err(SettingError::new(
                        key.trim(),
                        raw.trim(),
                        "a key inside a section",
                    ));
                };
                table = inner;
            }
            if table.insert(last.to_owned(), value).is_some() {
                return Err(SettingError::new(key.trim(), raw.trim(), "each key once"));
            }
        }
        let text =
            toml::to_string(&doc).map_err(|e| SettingError::new("settings string", e, expected))?;
        Self::from_toml(&text).map_err(|e| {
            // A line has no line numbers: its malformed parts are the string's.
            if e.field.starts_with("settings file") {
                SettingError::new("settings string", e.value, expected)
            } else {
                e
            }
        })
    }
}
