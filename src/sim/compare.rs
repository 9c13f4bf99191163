//! Side by side: two to four runs from one base settings and one seed that differ in
//! chosen settings, trained in lockstep (every run at the same iteration count), so a
//! lesson shows what one setting changes. Each run is an ordinary [`Trainer`] that owns its
//! networks, optimisers and random generator: after N iterations its state is that of the
//! same settings trained alone for N iterations, whichever thread stepped it (tested).
//!
//! The ready-made comparisons ([`READY_MADE`]) are looked up by name
//! ([`ComparisonSpec::named`]); [`ComparisonSpec::varying`] makes one from a base and a
//! `key=value1,value2` list.

use super::analysis::{Analysis, AnalysisOptions};
use super::pace::Pace;
use super::settings::{Preset, SettingError, Settings};
use super::trainer::{Divergence, Snapshot, Trainer};
use super::view::{Framing, ViewRange, densities_span};

/// The fewest runs a comparison has.
pub const MIN_RUNS: usize = 2;
/// The most runs a comparison has (a 2 × 2 grid).
pub const MAX_RUNS: usize = 4;

/// One run of a comparison: its label and its changes to the base settings.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// What the figure calls it ("minimax").
    pub label: String,
    /// `key=value` assignments as `--set` takes them (`training.loss=minimax`), applied to
    /// the base in order.
    pub overrides: Vec<String>,
}

/// What to compare: a base, the runs' changes to it, what to watch and the pace.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonSpec {
    /// Its name (`saturation`), or `KEY varied` for one made by [`Self::varying`].
    pub name: String,
    /// What to watch, in one line.
    pub watch: String,
    /// The preset the base came from, if it did (for titles).
    pub preset: Option<String>,
    /// The settings every run starts from; its seed is every run's seed.
    pub base: Settings,
    /// The runs, [`MIN_RUNS`] to [`MAX_RUNS`] of them.
    pub runs: Vec<RunSpec>,
    /// The pace the comparison plays at in the app's "lecture" pace (the base preset's).
    pub pace: Pace,
}

/// A ready-made comparison: a preset as the base and each run's label and overrides.
#[derive(Clone, Copy, Debug)]
pub struct ReadyMade {
    /// The name on the command line and in the app (`saturation`).
    pub name: &'static str,
    /// The preset every run starts from.
    pub preset: &'static str,
    /// What to watch, in one line.
    pub watch: &'static str,
    /// Each run's label and overrides.
    pub runs: &'static [(&'static str, &'static [&'static str])],
}

/// The ready-made comparisons, in the order lists show them. Lessons refer to them by
/// name, so a name never changes.
pub const READY_MADE: [ReadyMade; 5] = [
    ReadyMade {
        name: "saturation",
        preset: "vanishing",
        watch: "Section 3: under a confident D the minimax G barely moves, the non-saturating G runs to the data (X shows the pushes)",
        runs: &[
            ("minimax", &["training.loss=minimax"]),
            ("non-saturating", &["training.loss=non-saturating"]),
        ],
    },
    ReadyMade {
        name: "g-steps",
        preset: "collapse",
        watch: "Section 6: with 10 G steps per D step p_g drops a mode and hops between them; with 1 it keeps both",
        runs: &[
            ("1 G step per D step", &["training.g_steps=1"]),
            ("10 G steps per D step", &["training.g_steps=10"]),
        ],
    },
    ReadyMade {
        name: "k",
        preset: "fig1",
        watch: "Proposition 2: with k = 20 D stays near D* and p_g settles on p_data; with k = 1 D lags and p_g wobbles",
        runs: &[("k = 1", &["training.k=1"]), ("k = 20", &["training.k=20"])],
    },
    ReadyMade {
        name: "optimizer",
        preset: "oscillation",
        watch: "At learning rate 0.01, SGD with momentum swings p_g's mean far across the data's; Adam keeps it close",
        runs: &[
            ("SGD with momentum 0.9", &["training.optimizer=momentum"]),
            ("Adam", &["training.optimizer=adam"]),
        ],
    },
    ReadyMade {
        name: "beta1",
        preset: "fig1",
        watch: "Adam's beta1 on fig1: at 0.5 p_g's width swings wider and JSD runs higher than at 0 (fig1's choice)",
        runs: &[
            ("beta1 = 0.5", &["training.beta1=0.5"]),
            ("beta1 = 0", &["training.beta1=0"]),
        ],
    },
];

/// The ready-made names, comma-separated, for messages.
pub fn ready_made_names() -> String {
    READY_MADE
        .iter()
        .map(|r| r.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A run's error, named by the run: `training.k (run 'k = 20') = 0 is not accepted: …`.
fn in_run(label: &str, e: SettingError) -> SettingError {
    SettingError {
        field: format!("{} (run '{label}')", e.field),
        ..e
    }
}

/// Splits `a,b,[c,d]` at the commas outside brackets and quotes.
fn split_values(text: &str) -> Vec<String> {
    let (mut out, mut current) = (Vec::new(), String::new());
    let (mut depth, mut quoted) = (0i32, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(std::mem::take(&mut current).trim().to_owned());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current.trim().to_owned());
    out
}

/// Other names of ready-made comparisons: the ones issue 11 gave them, which are also the
/// names of their base presets (`compare vanishing` compares on the `vanishing` preset).
pub const ALIASES: [(&str, &str); 2] = [("vanishing", "saturation"), ("collapse", "g-steps")];

/// The ready-made comparison's own name for `name` (itself, or what it is an alias of).
pub fn canonical_name(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, own)| own)
}

impl ComparisonSpec {
    /// The ready-made comparison called `name` (or one of its [`ALIASES`]; seed 1, as its
    /// preset); an unknown name is refused with the list of names.
    pub fn named(name: &str) -> Result<Self, SettingError> {
        let name = canonical_name(name);
        let Some(ready) = READY_MADE.iter().find(|r| r.name == name) else {
            return Err(SettingError::new(
                "comparison",
                name,
                &format!("one of {} (`ganscope compare --list`)", ready_made_names()),
            ));
        };
        let preset = Preset::named(ready.preset)?;
        Ok(Self {
            name: ready.name.to_owned(),
            watch: ready.watch.to_owned(),
            preset: Some(ready.preset.to_owned()),
            base: preset.settings(),
            runs: ready
                .runs
                .iter()
                .map(|(label, overrides)| RunSpec {
                    label: (*label).to_owned(),
                    overrides: overrides.iter().map(|o| (*o).to_owned()).collect(),
                })
                .collect(),
            pace: preset.pace,
        })
    }

    /// One run per value of `KEY=V1,V2[,V3,V4]` (commas inside `[…]` belong to a list
    /// value), each labelled `name = value` with the key's last part, on `base`; checked
    /// like any comparison ([`Self::run_settings`]).
    pub fn varying(base: Settings, vary: &str, pace: Pace) -> Result<Self, SettingError> {
        let Some((key, values)) = vary.split_once('=') else {
            return Err(SettingError::new("--vary", vary, "KEY=VALUE1,VALUE2"));
        };
        let key = key.trim();
        let short = key.rsplit('.').next().unwrap_or(key);
        let spec = Self {
            name: format!("{key} varied"),
            watch: format!("what {key} changes, all else equal (one seed)"),
            preset: None,
            base,
            runs: split_values(values)
                .into_iter()
                .map(|v| RunSpec {
                    label: format!("{short} = {v}"),
                    overrides: vec![format!("{key}={v}")],
                })
                .collect(),
            pace,
        };
        spec.run_settings()?;
        Ok(spec)
    }

    /// The same comparison with every run on `seed`.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.base.seed = seed;
        self
    }

    /// The same runs on another base (a lesson's settings so far): each run's overrides
    /// are applied to it instead.
    #[must_use]
    pub fn on_base(mut self, base: Settings) -> Self {
        self.base = base;
        self.preset = None;
        self
    }

    /// Each run's settings: the base with the run's overrides. Refused, naming the run,
    /// the key and the accepted values: fewer than [`MIN_RUNS`] or more than
    /// [`MAX_RUNS`] runs, an empty or repeated label, an override of the seed (every run
    /// shares the base's), a bad key or value, or two runs with the same settings.
    pub fn run_settings(&self) -> Result<Vec<Settings>, SettingError> {
        let n = self.runs.len();
        if !(MIN_RUNS..=MAX_RUNS).contains(&n) {
            return Err(SettingError::new(
                "runs",
                format!("{n} runs"),
                &format!("{MIN_RUNS} to {MAX_RUNS} runs"),
            ));
        }
        self.base.validate()?;
        let mut out: Vec<Settings> = Vec::with_capacity(n);
        for (i, run) in self.runs.iter().enumerate() {
            let label = run.label.as_str();
            if label.trim().is_empty() {
                return Err(SettingError::new("label", "(empty)", "a name for each run"));
            }
            if self.runs[..i].iter().any(|r| r.label == run.label) {
                return Err(SettingError::new(
                    "label",
                    label,
                    "a different name per run",
                ));
            }
            let mut settings = self.base.clone();
            for assignment in &run.overrides {
                let key = assignment.split_once('=').map_or("", |(k, _)| k.trim());
                if key == "seed" {
                    return Err(in_run(
                        label,
                        SettingError::new(
                            "seed",
                            assignment,
                            "a setting other than the seed: the runs share one seed (--seed)",
                        ),
                    ));
                }
                settings = settings
                    .with_override(assignment)
                    .map_err(|e| in_run(label, e))?;
            }
            if let Some(same) = out.iter().position(|s| *s == settings) {
                return Err(SettingError::new(
                    &format!("run '{label}'"),
                    format!("the same settings as run '{}'", self.runs[same].label),
                    "runs that differ in at least one setting",
                ));
            }
            out.push(settings);
        }
        Ok(out)
    }
}

/// One run of a comparison.
#[derive(Clone, Debug)]
pub struct ComparedRun {
    label: String,
    trainer: Trainer,
}

impl ComparedRun {
    /// Its label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Its trainer (settings, networks, counters, divergence).
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// Its whole state, to compare with a run trained alone or to continue from.
    pub fn snapshot(&self) -> Snapshot {
        self.trainer.snapshot()
    }

    /// Why it stopped, if it diverged.
    pub fn divergence(&self) -> Option<&Divergence> {
        self.trainer.divergence()
    }

    /// Trains `n` more iterations unless it has diverged (it then stays in its last
    /// finite state, as a single run does).
    fn advance(&mut self, n: u64) {
        if self.trainer.divergence().is_none() {
            // A divergence is kept in the trainer and read from there.
            let _ = self.trainer.run(n);
        }
    }
}

/// Runs trained in lockstep.
#[derive(Clone, Debug)]
pub struct Comparison {
    spec: ComparisonSpec,
    runs: Vec<ComparedRun>,
    iteration: u64,
}

impl Comparison {
    /// Fresh runs for `spec`, after checking all of it ([`ComparisonSpec::run_settings`]):
    /// nothing is built if anything is refused.
    pub fn new(spec: ComparisonSpec) -> Result<Self, SettingError> {
        let settings = spec.run_settings()?;
        let runs = spec
            .runs
            .iter()
            .zip(settings)
            .map(|(run, s)| {
                Ok(ComparedRun {
                    label: run.label.clone(),
                    trainer: Trainer::new(s).map_err(|e| in_run(&run.label, e))?,
                })
            })
            .collect::<Result<Vec<_>, SettingError>>()?;
        Ok(Self {
            spec,
            runs,
            iteration: 0,
        })
    }

    /// What it compares.
    pub fn spec(&self) -> &ComparisonSpec {
        &self.spec
    }

    /// The runs, in the spec's order.
    pub fn runs(&self) -> &[ComparedRun] {
        &self.runs
    }

    /// Iterations every run has completed, except a run that diverged, which stays at the
    /// iteration where it stopped.
    pub fn iteration(&self) -> u64 {
        self.iteration
    }

    /// Whether every run has diverged (nothing is left to train).
    pub fn all_diverged(&self) -> bool {
        self.runs.iter().all(|r| r.divergence().is_some())
    }

    /// Trains every run `n` more iterations, on up to `jobs` threads (1: all on this
    /// thread); the states are the same whatever `jobs` is. Returns the runs (their
    /// indices) that diverged during these iterations.
    pub fn run(&mut self, n: u64, jobs: usize) -> Vec<usize> {
        let before: Vec<bool> = self.runs.iter().map(|r| r.divergence().is_some()).collect();
        step_all(&mut self.runs, n, jobs);
        self.iteration += n;
        self.runs
            .iter()
            .zip(before)
            .enumerate()
            .filter(|(_, (run, was))| !was && run.divergence().is_some())
            .map(|(i, _)| i)
            .collect()
    }

    /// Back to fresh runs of the same spec, at iteration 0.
    pub fn reset(&mut self) {
        for run in &mut self.runs {
            let settings = run.trainer.settings().clone();
            // The settings were accepted when the comparison was built.
            if let Ok(trainer) = Trainer::new(settings) {
                run.trainer = trainer;
            }
        }
        self.iteration = 0;
    }

    /// The x span every run's densities need (the union of each run's
    /// [`densities_span`]), unpadded.
    pub fn span(&self, framing: &Framing) -> ViewRange {
        self.runs
            .iter()
            .map(|r| densities_span(&r.trainer.model(), framing))
            .fold(ViewRange::empty(), ViewRange::union)
    }

    /// Each run's curves on one x range, `grid_points` points: what shared axes draw.
    pub fn curves_on(&self, view: ViewRange, grid_points: usize) -> Vec<Analysis> {
        let options = AnalysisOptions {
            grid_points,
            x_range: Some(view.into()),
            ..AnalysisOptions::default()
        };
        self.runs
            .iter()
            .map(|r| Analysis::new(&r.trainer.model(), &options))
            .collect()
    }
}

/// Trains each run `n` iterations: on this thread, or spread over up to `jobs` threads
/// (each run on exactly one of them, so no two threads touch one run).
fn step_all(runs: &mut [ComparedRun], n: u64, jobs: usize) {
    let jobs = jobs.clamp(1, runs.len().max(1));
    if jobs == 1 {
        runs.iter_mut().for_each(|r| r.advance(n));
        return;
    }
    let per_thread = runs.len().div_ceil(jobs);
    std::thread::scope(|scope| {
        let mut chunks = runs.chunks_mut(per_thread);
        let own = chunks.next();
        for chunk in chunks {
            scope.spawn(move || chunk.iter_mut().for_each(|r| r.advance(n)));
        }
        if let Some(chunk) = own {
            chunk.iter_mut().for_each(|r| r.advance(n));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run's settings trained alone for `n` iterations.
    fn alone(settings: &Settings, n: u64) -> Snapshot {
        let mut trainer = Trainer::new(settings.clone()).expect("valid");
        trainer.run(n).expect("no divergence");
        trainer.snapshot()
    }

    #[test]
    fn each_run_in_lockstep_equals_the_same_settings_trained_alone() {
        // Two ready-made comparisons with different kinds of change (the loss; G steps),
        // stepped in uneven slices, on one thread and on two.
        for name in ["saturation", "g-steps"] {
            let spec = ComparisonSpec::named(name).expect("ready-made");
            let settings = spec.run_settings().expect("valid");
            let solo: Vec<Snapshot> = settings.iter().map(|s| alone(s, 30)).collect();
            for jobs in [1, 2] {
                let mut c = Comparison::new(spec.clone()).expect("valid");
                for n in [1, 12, 17] {
                    assert!(c.run(n, jobs).is_empty(), "{name}: no divergence");
                }
                assert_eq!(c.iteration(), 30);
                for (run, expected) in c.runs().iter().zip(&solo) {
                    assert_eq!(run.trainer().counters().iteration, 30);
                    assert!(
                        run.snapshot() == *expected,
                        "{name}, run '{}', {jobs} threads: differs from the run alone",
                        run.label()
                    );
                }
            }
            // And the runs really differ from each other.
            assert!(solo[0] != solo[1], "{name}: the runs differ");
        }
    }

    #[test]
    fn every_ready_made_comparison_builds_and_its_runs_share_the_seed() {
        for ready in READY_MADE {
            let spec = ComparisonSpec::named(ready.name)
                .expect("ready-made")
                .with_seed(7);
            let settings = spec.run_settings().expect(ready.name);
            assert!(settings.len() >= MIN_RUNS && settings.len() <= MAX_RUNS);
            assert!(settings.iter().all(|s| s.seed == 7), "{}", ready.name);
            assert!(!ready.watch.is_empty());
            // The labels are ASCII: the app's fonts draw them.
            assert!(
                ready.runs.iter().all(|(l, _)| l.is_ascii()),
                "{}",
                ready.name
            );
        }
    }

    #[test]
    fn the_issue_names_open_the_same_comparisons() {
        for (alias, own) in ALIASES {
            let by_alias = ComparisonSpec::named(alias).expect("alias");
            let by_name = ComparisonSpec::named(own).expect("name");
            assert_eq!(by_alias.name, own);
            assert_eq!(by_alias.preset, by_name.preset);
            assert_eq!(
                by_alias.run_settings().expect(alias),
                by_name.run_settings().expect(own)
            );
            assert!(
                READY_MADE.iter().all(|r| r.name != alias),
                "{alias} is an alias"
            );
        }
    }

    #[test]
    fn bad_names_and_overrides_are_refused_naming_what_is_accepted() {
        let e = ComparisonSpec::named("saturaton").expect_err("unknown");
        let text = e.to_string();
        assert!(
            text.contains("saturaton") && READY_MADE.iter().all(|r| text.contains(r.name)),
            "{text}"
        );
        let base = Settings::preset("fig1").expect("preset");
        let e = ComparisonSpec::varying(base.clone(), "training.k=1,0", Pace::Fastest)
            .expect_err("k = 0");
        let text = e.to_string();
        assert!(
            text.contains("training.k (run 'k = 0')") && text.contains("[1, 100]"),
            "{text}"
        );
        let e = ComparisonSpec::varying(base.clone(), "training.kk=1,2", Pace::Fastest)
            .expect_err("unknown key");
        assert!(e.to_string().contains("training.kk"), "{e}");
        let e = ComparisonSpec::varying(base.clone(), "seed=1,2", Pace::Fastest).expect_err("seed");
        assert!(e.to_string().contains("share one seed"), "{e}");
        let e = ComparisonSpec::varying(base.clone(), "training.k=2", Pace::Fastest)
            .expect_err("one run");
        assert!(e.to_string().contains("2 to 4 runs"), "{e}");
        let e = ComparisonSpec::varying(base.clone(), "training.k=1,2,3,4,5", Pace::Fastest)
            .expect_err("five runs");
        assert!(e.to_string().contains("2 to 4 runs"), "{e}");
        let e = ComparisonSpec::varying(base.clone(), "training.lr_d=0.001,1e-3", Pace::Fastest)
            .expect_err("the same settings twice");
        assert!(e.to_string().contains("differ"), "{e}");
        let e = ComparisonSpec::varying(base, "training.k", Pace::Fastest).expect_err("no =");
        assert!(e.to_string().contains("KEY=VALUE1,VALUE2"), "{e}");
    }

    #[test]
    fn a_varied_list_value_keeps_its_commas() {
        assert_eq!(
            split_values("[1, 2],[3,4], \"a,b\""),
            ["[1, 2]", "[3,4]", "\"a,b\""]
        );
        let base = Settings::preset("fig1").expect("preset");
        let spec = ComparisonSpec::varying(base, "training.loss=minimax,hinge", Pace::Fastest)
            .expect("valid");
        let labels: Vec<&str> = spec.runs.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["loss = minimax", "loss = hinge"]);
    }
}
