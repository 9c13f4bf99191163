//! Lessons: a small TOML file of steps a lecturer walks through, each with its settings
//! changes, pace, run-until condition, caption and the views to show (the format is in
//! the README and `assets/lessons/`).
//!
//! A lesson is read and checked whole before anything runs ([`Lesson::parse`]): unknown
//! keys, bad values, conditions that cannot hold and settings the schema refuses are
//! refused with the step (1-based, with its title), the key and the accepted values.
//! [`StepPlay`] plays one step on a trainer in bounded slices (the app's worker and the
//! headless [`LessonRun`] share it), so what the app shows and what `ganscope lesson`
//! writes come from the same code.

use super::analysis::{Analysis, AnalysisOptions};
use super::breakpoint::{self, Breakpoints, Reading};
use super::check::SettingError;
use super::compare::{Comparison, ComparisonSpec};
use super::coverage::{self, ModeMass};
use super::oracle;
use super::pace::{Pace, PaceChoice};
use super::settings::{Preset, Settings};
use super::trainer::{Divergence, Trainer};

/// The lessons compiled in: (name, TOML text), in the order lists show them. The name is
/// the file's stem in `assets/lessons/`.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("figure1", include_str!("../../assets/lessons/figure1.toml")),
    (
        "saturation",
        include_str!("../../assets/lessons/saturation.toml"),
    ),
    (
        "helvetica",
        include_str!("../../assets/lessons/helvetica.toml"),
    ),
    (
        "proposition1",
        include_str!("../../assets/lessons/proposition1.toml"),
    ),
    (
        "proposition2",
        include_str!("../../assets/lessons/proposition2.toml"),
    ),
    (
        "oscillation",
        include_str!("../../assets/lessons/oscillation.toml"),
    ),
    ("wgan-gp", include_str!("../../assets/lessons/wgan-gp.toml")),
    ("g-alone", include_str!("../../assets/lessons/g-alone.toml")),
    ("d-alone", include_str!("../../assets/lessons/d-alone.toml")),
];

/// The names of the built-in lessons, comma-separated, for messages.
pub fn built_in_names() -> String {
    BUILT_IN
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The overlays, views and controls a step can show or hide.
pub const SHOW_NAMES: [&str; 8] = [
    "d-star",
    "arrows",
    "forces",
    "histogram",
    "real-samples",
    "g-vs-z",
    "modes",
    "metrics",
];

/// A step's default budget (units: iterations, or D/G steps for d-only/g-only).
pub const DEFAULT_BUDGET: u64 = 5000;

/// The largest budget a step may ask for.
pub const MAX_BUDGET: u64 = 200_000;

/// Units between checks of a step's conditions (an `iterations=N` or `steps=N` stop is
/// exact whatever this is).
pub const CHECK_EVERY: u64 = 25;

/// D alone (`train = "d-only"`) trains as Proposition 1's demonstration in the Figure 1
/// scenario does: rounds of this many steps on minibatches of [`D_ONLY_BATCH`], the
/// learning rate falling from [`D_ONLY_LR`] to 0 within each round, so D settles on D*
/// instead of jittering around it. Its conditions are checked at the end of each round.
pub const D_ONLY_ROUND: u64 = 250;

/// D alone's minibatch size.
pub const D_ONLY_BATCH: usize = 512;

/// D alone's learning rate at the start of each round.
pub const D_ONLY_LR: f64 = 2e-3;

/// The analysis a check reads (coarser than the app's picture: it is taken often).
fn check_options() -> AnalysisOptions {
    AnalysisOptions {
        grid_points: 500,
        z_cells: 2048,
        ..AnalysisOptions::default()
    }
}

/// The forms `until` accepts, for messages.
pub const UNTIL_ACCEPTED: &str = "steps=N (N ≥ 1 iterations, or D/G steps with d-only/g-only, from the \
     step's start), iterations=N (the run's total), d-gap<ε (max |D − D*| over the central 98 % \
     of (p_data + p_g)/2, ε in (0, 1]), or a breakpoint (jsd<ε, mode-lost, d-saturated, \
     grad-g<ε, iter>=N), joined by commas for whichever holds first";

/// A lesson that could not be read: where (the step, 1-based, with its title), which key,
/// and what is wrong with what is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    /// The step (1-based) and its title, or `None` for the lesson's own keys.
    pub step: Option<(usize, String)>,
    /// The key (`until`, `set."training.k"`, …).
    pub key: String,
    /// What is wrong, and what is accepted.
    pub problem: String,
}

impl std::fmt::Display for LessonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.step {
            Some((i, title)) => write!(f, "lesson step {i} ({title:?}), key `{}`: ", self.key)?,
            None => write!(f, "lesson, key `{}`: ", self.key)?,
        }
        f.write_str(&self.problem)
    }
}

impl std::error::Error for LessonError {}

/// How a step trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Train {
    /// Algorithm 1: k D steps, then the G steps.
    Both,
    /// D alone, G frozen (Proposition 1).
    DOnly,
    /// G alone, D frozen.
    GOnly,
}

impl Train {
    /// The name in a lesson file.
    pub fn name(self) -> &'static str {
        match self {
            Self::Both => "both",
            Self::DOnly => "d-only",
            Self::GOnly => "g-only",
        }
    }

    /// What one unit of the step's budget is.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Both => "iterations",
            Self::DOnly => "D steps",
            Self::GOnly => "G steps",
        }
    }
}

/// A step's run-until condition: whichever of its parts holds first.
#[derive(Clone, Debug, PartialEq)]
pub struct Until {
    /// As written.
    pub text: String,
    /// `steps=N`: N units from the step's start.
    pub steps: Option<u64>,
    /// `iterations=N`: the run's total.
    pub iterations: Option<u64>,
    /// `d-gap<ε`.
    pub d_gap: Option<f64>,
    /// The breakpoint conditions.
    pub conditions: Breakpoints,
}

impl Until {
    /// Reads a condition list (see [`UNTIL_ACCEPTED`]).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut out = Self {
            text: text.trim().to_owned(),
            steps: None,
            iterations: None,
            d_gap: None,
            conditions: Breakpoints::default(),
        };
        let mut list = Vec::new();
        for part in text.split(',') {
            let p: String = part.chars().filter(|c| !c.is_whitespace()).collect();
            let count = |v: &str| {
                v.parse::<u64>()
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| format!("'{p}': N = '{v}' is not a whole number ≥ 1"))
            };
            if let Some(v) = p.strip_prefix("steps=") {
                out.steps = Some(count(v)?);
            } else if let Some(v) = p.strip_prefix("iterations=") {
                out.iterations = Some(count(v)?);
            } else if let Some(v) = p.strip_prefix("d-gap<") {
                let eps = v
                    .parse::<f64>()
                    .ok()
                    .filter(|e| e.is_finite() && *e > 0.0 && *e <= 1.0)
                    .ok_or_else(|| format!("'{p}': ε = '{v}' is not a number in (0, 1]"))?;
                out.d_gap = Some(eps);
            } else {
                let b = breakpoint::Breakpoint::parse(part)
                    .map_err(|e| format!("condition '{}': {}", e.part, e.problem))?;
                list.push(b);
            }
        }
        out.conditions = Breakpoints::new(list);
        Ok(out)
    }

    /// Whether a check needs an analysis of the model.
    fn needs_analysis(&self) -> bool {
        self.d_gap.is_some() || self.conditions.needs_analysis()
    }

    /// Whether it has a condition besides counting.
    fn has_conditions(&self) -> bool {
        self.d_gap.is_some() || !self.conditions.is_empty()
    }
}

/// One checked step.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Short title.
    pub title: String,
    /// What to look at, one paragraph.
    pub caption: String,
    /// Settings changes at the step's start, as `--set` takes them (`training.k=20`).
    pub set: Vec<String>,
    /// The pace, if the step names one.
    pub pace: Option<PaceChoice>,
    /// How it trains.
    pub train: Train,
    /// When it stops.
    pub until: Until,
    /// Most units before it gives up.
    pub budget: u64,
    /// Views turned on for the step (names in [`SHOW_NAMES`]).
    pub show: Vec<String>,
    /// Views turned off for the step.
    pub hide: Vec<String>,
    /// Proposition 2's oracle D.
    pub oracle: bool,
    /// A ready-made comparison trained in lockstep for this step.
    pub compare: Option<String>,
}

impl Step {
    /// Whether `name` is shown (`Some(true)`), hidden (`Some(false)`) or left as the user
    /// has it (`None`) during the step.
    pub fn shows(&self, name: &str) -> Option<bool> {
        if self.show.iter().any(|s| s == name) {
            Some(true)
        } else if self.hide.iter().any(|s| s == name) {
            Some(false)
        } else {
            None
        }
    }
}

/// A checked lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// Its name (the file's stem).
    pub name: String,
    /// Title.
    pub title: String,
    /// What the room will see.
    pub summary: String,
    /// The preset it starts from, if any.
    pub preset: Option<String>,
    /// Whether the file fixes the seed (else the caller's seed is used).
    pub seed_fixed: bool,
    /// The settings at its start (preset, seed, `set`).
    pub start: Settings,
    /// The pace "lecture" means in it: its preset's, or 100 iterations a second.
    pub lecture_pace: Pace,
    /// The steps, at least one.
    pub steps: Vec<Step>,
}

/// The keys of a lesson and of a step.
const LESSON_KEYS: [&str; 6] = ["title", "summary", "preset", "seed", "set", "step"];
const STEP_KEYS: [&str; 11] = [
    "title", "caption", "set", "pace", "train", "until", "budget", "show", "hide", "oracle",
    "compare",
];

/// The pace names a step accepts.
const PACE_NAMES: &str = "slow-motion, lecture, fast, fastest";

/// Reads the keys of one table of a lesson file, naming where an error is.
struct Keys<'a> {
    table: &'a toml::Table,
    step: Option<(usize, String)>,
}

impl Keys<'_> {
    fn fail(&self, key: &str, problem: impl Into<String>) -> LessonError {
        LessonError {
            step: self.step.clone(),
            key: key.to_owned(),
            problem: problem.into(),
        }
    }

    fn known(&self, keys: &[&str]) -> Result<(), LessonError> {
        match self.table.keys().find(|k| !keys.contains(&k.as_str())) {
            Some(k) => Err(self.fail(
                k,
                format!("not a key of a lesson here; accepted: {}", keys.join(", ")),
            )),
            None => Ok(()),
        }
    }

    fn text(&self, key: &str, required: bool) -> Result<Option<String>, LessonError> {
        match self.table.get(key) {
            None if required => Err(self.fail(key, "missing; a text is required")),
            None => Ok(None),
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
            Some(other) => Err(self.fail(key, format!("{other} is not a non-empty text"))),
        }
    }

    fn whole(&self, key: &str, min: u64, max: u64) -> Result<Option<u64>, LessonError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Integer(n))
                if (min as i128..=max as i128).contains(&(*n as i128)) =>
            {
                Ok(Some(*n as u64))
            }
            Some(other) => Err(self.fail(
                key,
                format!("{other} is not accepted; a whole number from {min} to {max}"),
            )),
        }
    }

    fn names(&self, key: &str) -> Result<Vec<String>, LessonError> {
        let Some(value) = self.table.get(key) else {
            return Ok(Vec::new());
        };
        let accepted = format!("a list of names from {}", SHOW_NAMES.join(", "));
        let toml::Value::Array(items) = value else {
            return Err(self.fail(key, format!("{value} is not {accepted}")));
        };
        items
            .iter()
            .map(|v| match v {
                toml::Value::String(s) if SHOW_NAMES.contains(&s.as_str()) => Ok(s.clone()),
                other => Err(self.fail(
                    key,
                    format!("{other} is not one of {}", SHOW_NAMES.join(", ")),
                )),
            })
            .collect()
    }

    /// The `set` table as `key=value` assignments, each checked on `base` in turn;
    /// returns the settings after them.
    fn set(&self, base: &Settings) -> Result<(Vec<String>, Settings), LessonError> {
        let Some(value) = self.table.get("set") else {
            return Ok((Vec::new(), base.clone()));
        };
        let toml::Value::Table(set) = value else {
            return Err(self.fail(
                "set",
                format!("{value} is not a table of settings, e.g. {{ \"training.k\" = 20 }}"),
            ));
        };
        let mut settings = base.clone();
        let mut out = Vec::new();
        for (key, value) in set {
            let assignment = format!("{key}={value}");
            let where_ = format!("set.\"{key}\"");
            if key == "seed" && self.step.is_some() {
                return Err(self.fail(&where_, "a step cannot change the seed; set it at the top"));
            }
            settings = settings
                .with_override(&assignment)
                .map_err(|e| self.fail(&where_, e.to_string()))?;
            out.push(assignment);
        }
        Ok((out, settings))
    }
}

impl Lesson {
    /// The built-in lesson called `name`; an unknown name is refused with the list.
    pub fn named(name: &str) -> Result<Self, LessonError> {
        match BUILT_IN.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Self::parse(n, text),
            None => Err(LessonError {
                step: None,
                key: "name".to_owned(),
                problem: format!(
                    "'{name}' is not a built-in lesson; one of {}",
                    built_in_names()
                ),
            }),
        }
    }

    /// A built-in name, or else a file's path.
    pub fn named_or_file(what: &str) -> Result<Self, String> {
        if BUILT_IN.iter().any(|(n, _)| *n == what) {
            return Self::named(what).map_err(|e| e.to_string());
        }
        let path = std::path::Path::new(what);
        if !path.exists() && !what.ends_with(".toml") {
            return Err(format!(
                "'{what}' is neither a built-in lesson ({}) nor a lesson file",
                built_in_names()
            ));
        }
        Self::from_file(path)
    }

    /// Reads a lesson file (its name is the file's stem); errors start with the path.
    pub fn from_file(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path
            .file_stem()
            .map_or_else(|| "lesson".to_owned(), |s| s.to_string_lossy().into_owned());
        Self::parse(&name, &text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Reads and checks a lesson whole.
    pub fn parse(name: &str, text: &str) -> Result<Self, LessonError> {
        let doc: toml::Table = toml::from_str(text).map_err(|e| LessonError {
            step: None,
            key: "(syntax)".to_owned(),
            problem: format!("not TOML: {}", e.message().trim()),
        })?;
        let top = Keys {
            table: &doc,
            step: None,
        };
        top.known(&LESSON_KEYS)?;
        let title = top.text("title", true)?.unwrap_or_default();
        let summary = top.text("summary", true)?.unwrap_or_default();
        let preset = top.text("preset", false)?;
        let (mut start, lecture_pace) = match &preset {
            Some(p) => {
                let found = Preset::named(p).map_err(|e| top.fail("preset", e.to_string()))?;
                (found.settings(), found.pace)
            }
            None => (Settings::reference(), Pace::Steady(100.0)),
        };
        let seed = top.whole("seed", 0, i64::MAX as u64)?;
        if let Some(seed) = seed {
            start.seed = seed;
        }
        let (_, start) = top.set(&start)?;
        let Some(toml::Value::Array(raw_steps)) = doc.get("step") else {
            return Err(top.fail("step", "missing; at least one [[step]] table is required"));
        };
        if raw_steps.is_empty() {
            return Err(top.fail("step", "at least one [[step]] table is required"));
        }
        let mut settings = start.clone();
        let mut steps = Vec::with_capacity(raw_steps.len());
        for (i, raw) in raw_steps.iter().enumerate() {
            let step = parse_step(i + 1, raw, &settings)?;
            for assignment in &step.set {
                settings = settings
                    .with_override(assignment)
                    .map_err(|e| LessonError {
                        step: Some((i + 1, step.title.clone())),
                        key: "set".to_owned(),
                        problem: e.to_string(),
                    })?;
            }
            steps.push(step);
        }
        Ok(Self {
            name: name.to_owned(),
            title,
            summary,
            preset,
            seed_fixed: seed.is_some(),
            start,
            lecture_pace,
            steps,
        })
    }

    /// The start with `seed` unless the file fixes its own.
    pub fn start_on(&self, seed: Option<u64>) -> Settings {
        let mut s = self.start.clone();
        if let (Some(seed), false) = (seed, self.seed_fixed) {
            s.seed = seed;
        }
        s
    }

    /// The pace a step plays at in the app: its own, or "lecture" (the lesson's pace).
    pub fn pace_of(&self, step: &Step) -> Pace {
        step.pace
            .unwrap_or(PaceChoice::Lecture)
            .pace(self.lecture_pace)
    }
}

/// Reads and checks step `n` (1-based) on the settings in force before it.
fn parse_step(n: usize, raw: &toml::Value, before: &Settings) -> Result<Step, LessonError> {
    let toml::Value::Table(table) = raw else {
        return Err(LessonError {
            step: Some((n, String::new())),
            key: "step".to_owned(),
            problem: "each [[step]] must be a table".to_owned(),
        });
    };
    let title = match table.get("title") {
        Some(toml::Value::String(s)) => s.trim().to_owned(),
        _ => String::new(),
    };
    let keys = Keys {
        table,
        step: Some((n, title.clone())),
    };
    keys.known(&STEP_KEYS)?;
    keys.text("title", true)?;
    let caption = keys.text("caption", true)?.unwrap_or_default();
    let (set, settings) = keys.set(before)?;
    if let Some(key) = set.iter().find_map(|a| {
        let key = a.split_once('=').map_or(a.as_str(), |(k, _)| k);
        let one = before.with_override(a).ok()?;
        before.needs_reset(&one).then(|| key.to_owned())
    }) {
        return Err(keys.fail(
            &format!("set.\"{key}\""),
            "a step may change only live training settings (k, losses, rates, optimiser, …); \
             model, data, noise and scaling belong in the lesson's own `set`",
        ));
    }
    let pace = match keys.text("pace", false)? {
        None => None,
        Some(p) => Some(
            PaceChoice::ALL
                .into_iter()
                .find(|c| c.name().replace(' ', "-") == p || c.name() == p)
                .ok_or_else(|| {
                    keys.fail("pace", format!("'{p}' is not a pace; one of {PACE_NAMES}"))
                })?,
        ),
    };
    let train = match keys.text("train", false)?.as_deref() {
        None | Some("both") => Train::Both,
        Some("d-only") => Train::DOnly,
        Some("g-only") => Train::GOnly,
        Some(other) => {
            return Err(keys.fail(
                "train",
                format!("'{other}' is not accepted; one of both, d-only, g-only"),
            ));
        }
    };
    let until_text = keys.text("until", true)?.unwrap_or_default();
    let until = Until::parse(&until_text)
        .map_err(|e| keys.fail("until", format!("{e}; accepted: {UNTIL_ACCEPTED}")))?;
    until
        .conditions
        .check_target(&settings.target)
        .map_err(|e| keys.fail("until", format!("{e}")))?;
    let budget = keys
        .whole("budget", 1, MAX_BUDGET)?
        .unwrap_or(DEFAULT_BUDGET);
    let show = keys.names("show")?;
    let hide = keys.names("hide")?;
    if let Some(both) = show.iter().find(|s| hide.contains(s)) {
        return Err(keys.fail("hide", format!("'{both}' is also in `show`")));
    }
    let oracle = match table.get("oracle") {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(other) => return Err(keys.fail("oracle", format!("{other} is not true or false"))),
    };
    if oracle {
        oracle::check_loss(settings.training.loss)
            .map_err(|e| keys.fail("oracle", e.to_string()))?;
        if train != Train::Both {
            return Err(keys.fail(
                "oracle",
                "the oracle D trains G through D*: use train = \"both\"",
            ));
        }
    }
    let compare = keys.text("compare", false)?;
    if let Some(name) = &compare {
        check_compare(&keys, name, &settings, train, oracle, &until)?;
    }
    Ok(Step {
        title,
        caption,
        set,
        pace,
        train,
        until,
        budget,
        show,
        hide,
        oracle,
        compare,
    })
}

/// A side-by-side step: a ready-made comparison on the lesson's settings so far, trained
/// with Algorithm 1 for a number of iterations.
fn check_compare(
    keys: &Keys<'_>,
    name: &str,
    settings: &Settings,
    train: Train,
    oracle: bool,
    until: &Until,
) -> Result<(), LessonError> {
    let spec = ComparisonSpec::named(name).map_err(|e| keys.fail("compare", e.to_string()))?;
    spec.on_base(settings.clone())
        .run_settings()
        .map_err(|e| keys.fail("compare", e.to_string()))?;
    if train != Train::Both || oracle {
        return Err(keys.fail(
            "compare",
            "a side-by-side step trains with Algorithm 1: train = \"both\", no oracle",
        ));
    }
    if until.has_conditions() || until.steps.is_none() {
        return Err(keys.fail(
            "until",
            "a side-by-side step runs for a number of iterations: until = \"steps=N\"",
        ));
    }
    Ok(())
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Its condition held: which, and with what value.
    Reached(String),
    /// It used its whole budget without the condition holding.
    Budget,
    /// Training diverged.
    Diverged(String),
}

impl Outcome {
    /// Whether the condition held.
    pub fn reached(&self) -> bool {
        matches!(self, Self::Reached(_))
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Reached(what) => write!(f, "reached: {what}"),
            Self::Budget => f.write_str("budget used up before the condition held"),
            Self::Diverged(why) => write!(f, "stopped: {why}"),
        }
    }
}

/// One step being played on a trainer, in slices.
#[derive(Clone, Debug)]
pub struct StepPlay {
    step: Step,
    /// Units done since the step's start.
    units: u64,
    /// Units at the last check of the conditions.
    checked: u64,
    /// The run's iteration at the step's start.
    start_iteration: u64,
    /// The side-by-side runs of a `compare` step.
    comparison: Option<Comparison>,
    outcome: Option<Outcome>,
}

impl StepPlay {
    /// Starts `step` on `trainer`: puts its settings changes in force (they were checked
    /// with the lesson, and only live settings change) and, for a `compare` step, builds
    /// its runs from the trainer's settings and seed.
    pub fn begin(step: &Step, trainer: &mut Trainer) -> Result<Self, SettingError> {
        let mut settings = trainer.settings().clone();
        for assignment in &step.set {
            settings = settings.with_override(assignment)?;
        }
        trainer.set_training(settings.training.clone())?;
        let comparison = match &step.compare {
            Some(name) => Some(Comparison::new(
                ComparisonSpec::named(name)?.on_base(trainer.settings().clone()),
            )?),
            None => None,
        };
        Ok(Self {
            step: step.clone(),
            units: 0,
            checked: 0,
            start_iteration: trainer.counters().iteration,
            comparison,
            outcome: None,
        })
    }

    /// The step.
    pub fn step(&self) -> &Step {
        &self.step
    }

    /// Units done since its start.
    pub fn units(&self) -> u64 {
        self.units
    }

    /// The side-by-side runs of a `compare` step.
    pub fn comparison(&self) -> Option<&Comparison> {
        self.comparison.as_ref()
    }

    /// How it ended, once it has.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// Fraction of the way to its count (or its budget), for a progress bar.
    pub fn fraction(&self) -> f64 {
        let of = self
            .step
            .until
            .steps
            .unwrap_or(self.step.budget)
            .min(self.step.budget);
        (self.units as f64 / of.max(1) as f64).min(1.0)
    }

    /// Runs at most `max_units` more units (at least one), stopping at the condition,
    /// the budget or a divergence; returns the outcome once the step has ended.
    pub fn advance(&mut self, trainer: &mut Trainer, max_units: u64) -> Option<&Outcome> {
        if self.outcome.is_some() {
            return self.outcome.as_ref();
        }
        let mut left = max_units.max(1);
        while left > 0 && self.outcome.is_none() {
            let chunk = self.next_chunk(trainer).min(left);
            let result = self.train(trainer, chunk);
            self.units += chunk;
            left -= chunk;
            if let Err(d) = result {
                self.outcome = Some(Outcome::Diverged(d.to_string()));
            } else if self.units - self.checked >= self.check_every() || self.at_count(trainer) {
                self.checked = self.units;
                self.outcome = self.check(trainer);
            }
            if self.outcome.is_none() && self.units >= self.step.budget {
                self.outcome = Some(Outcome::Budget);
            }
        }
        self.outcome.as_ref()
    }

    /// Units between checks of the conditions.
    fn check_every(&self) -> u64 {
        if self.step.train == Train::DOnly {
            D_ONLY_ROUND
        } else {
            CHECK_EVERY
        }
    }

    /// Units up to the next check, count or budget.
    fn next_chunk(&self, trainer: &Trainer) -> u64 {
        let mut chunk = (self.checked + self.check_every())
            .saturating_sub(self.units)
            .max(1);
        chunk = chunk.min(self.step.budget.saturating_sub(self.units).max(1));
        if let Some(n) = self.step.until.steps {
            chunk = chunk.min(n.saturating_sub(self.units).max(1));
        }
        let iteration = trainer.counters().iteration;
        let by_iteration = [self.step.until.iterations]
            .into_iter()
            .flatten()
            .chain(self.step.until.conditions.next_iteration_stop(iteration));
        if self.step.train == Train::Both {
            for n in by_iteration.filter(|&n| n > iteration) {
                chunk = chunk.min(n - iteration);
            }
        }
        chunk
    }

    fn train(&mut self, trainer: &mut Trainer, n: u64) -> Result<(), Divergence> {
        if let Some(comparison) = &mut self.comparison {
            comparison.run(n, 1);
            return Ok(());
        }
        for done in 0..n {
            match self.step.train {
                Train::Both if self.step.oracle => oracle::iteration(trainer)?,
                Train::Both => trainer.iteration()?,
                Train::DOnly => {
                    let at = (self.units + done) % D_ONLY_ROUND;
                    trainer.train_discriminator_schedule(
                        at..at + 1,
                        D_ONLY_ROUND,
                        D_ONLY_BATCH,
                        D_ONLY_LR,
                    )?;
                }
                Train::GOnly => trainer.generator_step()?,
            }
        }
        Ok(())
    }

    /// Whether a counting condition stops here.
    fn at_count(&self, trainer: &Trainer) -> bool {
        let until = &self.step.until;
        let iteration = trainer.counters().iteration;
        until.steps.is_some_and(|n| self.units >= n)
            || until.iterations.is_some_and(|n| iteration >= n)
            || until
                .conditions
                .list()
                .iter()
                .any(|b| matches!(b, breakpoint::Breakpoint::Iteration(n) if iteration >= *n))
    }

    /// The first part of the condition that holds now.
    fn check(&self, trainer: &Trainer) -> Option<Outcome> {
        let until = &self.step.until;
        if let Some(n) = until.steps.filter(|&n| self.units >= n) {
            return Some(Outcome::Reached(format!(
                "steps={n} ({} {})",
                self.units,
                self.step.train.unit()
            )));
        }
        let iteration = trainer.counters().iteration;
        if let Some(n) = until.iterations.filter(|&n| iteration >= n) {
            return Some(Outcome::Reached(format!("iterations={n}")));
        }
        if !until.has_conditions() {
            return None;
        }
        let analysis = until
            .needs_analysis()
            .then(|| Analysis::new(&trainer.model(), &check_options()));
        if let (Some(eps), Some(a)) = (until.d_gap, &analysis) {
            let gap = a.optimality_gap();
            if gap < eps {
                return Some(Outcome::Reached(format!(
                    "d-gap<{eps} at iteration {iteration}: max |D - D*| = {gap:.4}"
                )));
            }
        }
        let reading = Reading::new(trainer, analysis.as_ref());
        until
            .conditions
            .check(&reading)
            .map(|fired| Outcome::Reached(fired.to_string()))
    }

    /// Ends the step with `outcome` (a side-by-side step played elsewhere, in lockstep).
    pub fn finish(&mut self, outcome: Outcome) {
        self.units = self.step.until.steps.unwrap_or(self.units);
        self.outcome = Some(outcome);
    }

    /// Iterations the run has gained since the step's start.
    pub fn iterations(&self, trainer: &Trainer) -> u64 {
        trainer.counters().iteration - self.start_iteration
    }
}

/// The numbers at a step's end.
#[derive(Clone, Debug, PartialEq)]
pub struct Numbers {
    /// The run's iteration.
    pub iteration: u64,
    /// JSD(p_data ‖ p_g).
    pub jsd: f64,
    /// C(G).
    pub c_g: f64,
    /// max |D − D*| (Proposition 1's gap).
    pub d_gap: f64,
    /// p_g's mean and std.
    pub p_g_mean: f64,
    /// p_g's std.
    pub p_g_std: f64,
    /// p_g's mass per mode, for a mixture.
    pub modes: Option<Vec<ModeMass>>,
}

impl Numbers {
    /// The numbers of `trainer` now.
    pub fn of(trainer: &Trainer) -> Self {
        let analysis = Analysis::new(&trainer.model(), &AnalysisOptions::default());
        let m = &analysis.metrics;
        Self {
            iteration: trainer.counters().iteration,
            jsd: m.jsd,
            c_g: m.c_g,
            d_gap: analysis.optimality_gap(),
            p_g_mean: m.p_g_mean,
            p_g_std: m.p_g_std,
            modes: coverage::mode_masses(&analysis, &trainer.settings().target),
        }
    }
}

impl std::fmt::Display for Numbers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "iteration {}, JSD {:.4}, C(G) {:.4}, max |D - D*| {:.3}, p_g mean {:.3}, std {:.3}",
            self.iteration, self.jsd, self.c_g, self.d_gap, self.p_g_mean, self.p_g_std
        )?;
        if let Some(modes) = &self.modes {
            let masses: Vec<String> = modes.iter().map(|m| format!("{:.2}", m.mass)).collect();
            write!(f, ", mode masses {}", masses.join("/"))?;
        }
        Ok(())
    }
}

/// What one step did, headless.
#[derive(Clone, Debug)]
pub struct StepReport {
    /// 1-based.
    pub index: usize,
    /// How it ended.
    pub outcome: Outcome,
    /// Units it used.
    pub units: u64,
    /// The numbers at its end (of the first run, for a side-by-side step).
    pub numbers: Numbers,
}

/// A lesson played headless, step by step, on one trainer.
#[derive(Clone, Debug)]
pub struct LessonRun {
    lesson: Lesson,
    trainer: Trainer,
    /// The trainer at each played step's start (to go back to).
    starts: Vec<Trainer>,
    /// The side-by-side runs of the last step played, if it had them.
    comparison: Option<Comparison>,
}

impl LessonRun {
    /// A fresh run at the lesson's start on `seed` (unless the file fixes its own).
    pub fn new(lesson: Lesson, seed: Option<u64>) -> Result<Self, SettingError> {
        let trainer = Trainer::new(lesson.start_on(seed))?;
        Ok(Self {
            lesson,
            trainer,
            starts: Vec::new(),
            comparison: None,
        })
    }

    /// The lesson.
    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// The run now.
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// Steps played so far.
    pub fn played(&self) -> usize {
        self.starts.len()
    }

    /// The side-by-side runs of the last step played, if it had them.
    pub fn comparison(&self) -> Option<&Comparison> {
        self.comparison.as_ref()
    }

    /// Plays the next step to its end; `None` after the last.
    pub fn next_step(&mut self) -> Option<Result<StepReport, SettingError>> {
        let i = self.starts.len();
        let step = self.lesson.steps.get(i)?.clone();
        self.starts.push(self.trainer.clone());
        Some(self.play(i, &step))
    }

    /// Goes back to the start of step `index` (0-based, already played) and plays it
    /// again, forgetting the steps after it.
    pub fn replay(&mut self, index: usize) -> Option<Result<StepReport, SettingError>> {
        let start = self.starts.get(index)?.clone();
        self.starts.truncate(index + 1);
        self.trainer = start;
        let step = self.lesson.steps[index].clone();
        Some(self.play(index, &step))
    }

    fn play(&mut self, i: usize, step: &Step) -> Result<StepReport, SettingError> {
        let mut play = StepPlay::begin(step, &mut self.trainer)?;
        let outcome = loop {
            if let Some(o) = play.advance(&mut self.trainer, 10_000) {
                break o.clone();
            }
        };
        self.comparison = play.comparison.take();
        let numbers = match &self.comparison {
            Some(c) => Numbers::of(c.runs()[0].trainer()),
            None => Numbers::of(&self.trainer),
        };
        Ok(StepReport {
            index: i + 1,
            outcome,
            units: play.units,
            numbers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_reads_counts_gaps_and_breakpoints() {
        let u = Until::parse("steps=20, d-gap<0.05, mode-lost").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u.steps, Some(20));
        assert_eq!(u.d_gap, Some(0.05));
        assert_eq!(u.conditions.list().len(), 1);
        for bad in ["steps=0", "d-gap<2", "jsd<", "often", ""] {
            assert!(Until::parse(bad).is_err(), "{bad}");
        }
    }
}
