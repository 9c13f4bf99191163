//! Side by side, the training side: the worker's comparison (2 to 4 runs from one seed in
//! lockstep, see [`crate::sim::compare`]) paced like the single run, each run's metric
//! record, and the picture the view draws. The single run is left as it was: the worker
//! goes back to it when side by side ends.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::SeedableRng as _;

use crate::sim::analysis::{Analysis, AnalysisOptions};
use crate::sim::compare::{Comparison, ComparisonSpec};
use crate::sim::coverage::{self, ModeMass};
use crate::sim::forces::{Forces, forces};
use crate::sim::pace::Pace;
use crate::sim::record::Row;
use crate::sim::settings::{SettingError, Settings};
use crate::sim::trainer::{Counters, Divergence, SimRng};
use crate::sim::view::{Framing, ViewRange};

use super::history::{History, RunRecord};
use super::worker::Published;

/// One run of the comparison, as the view draws it.
#[derive(Clone, Debug)]
pub struct RunPicture {
    /// Its label ("minimax").
    pub label: String,
    /// Its changes to the base settings, as `--set` takes them.
    pub overrides: Vec<String>,
    /// Its settings.
    pub settings: Settings,
    /// Its progress.
    pub counters: Counters,
    /// Why it stopped, if it diverged.
    pub divergence: Option<Divergence>,
    /// Exact metrics over the whole support.
    pub analysis: Analysis,
    /// Curves on the comparison's shared x range.
    pub curves: Analysis,
    /// A minibatch of generated samples (the same noise for every run).
    pub generated: Vec<f64>,
    /// A minibatch of data samples.
    pub real: Vec<f64>,
    /// The force on each of `generated` under the run's loss.
    pub forces: Forces,
    /// For a mixture target, the exact p_g mass of each mode.
    pub modes: Option<Vec<ModeMass>>,
    /// Minibatch losses and gradient norms over the run.
    pub minibatch_history: Arc<History>,
    /// The exact metrics over the run, one row per picture.
    pub history: Arc<History>,
}

/// What side by side shows: every run at one moment, on shared axes.
#[derive(Clone, Debug)]
pub struct ComparePicture {
    /// The comparison's name (`saturation`).
    pub name: String,
    /// What to watch.
    pub watch: String,
    /// The preset the runs start from, if they do.
    pub preset: Option<String>,
    /// Every run's seed.
    pub seed: u64,
    /// Iterations every run has completed (a diverged run stays where it stopped).
    pub iteration: u64,
    /// The shared x range (it moves only when a run's densities leave it or all shrink).
    pub view: ViewRange,
    /// The runs, in the comparison's order.
    pub runs: Vec<RunPicture>,
    /// Whether the runs train continuously.
    pub playing: bool,
    /// The pace "lecture" plays the comparison at.
    pub pace: Pace,
    /// Measured iterations per second (of each run).
    pub iterations_per_second: f64,
}

/// The worker's comparison while side by side is on.
pub struct SideBySide {
    comparison: Comparison,
    records: Vec<RunRecord>,
    view: Option<ViewRange>,
    sampler: SimRng,
    playing: bool,
    pace_start: Instant,
    pace_clock: f64,
    rate_window: (Instant, u64),
    rate: f64,
    /// The single run's picture when side by side began: the worker's run is not touched
    /// meanwhile, so it is what the rest of the window shows.
    pub single: Published,
}

impl SideBySide {
    /// Fresh runs of `spec` (all of it checked first), paused; `single` is the run's picture
    /// now.
    pub fn new(spec: ComparisonSpec, single: Published) -> Result<Self, SettingError> {
        let comparison = Comparison::new(spec)?;
        let seed = comparison.spec().base.seed;
        let mut out = Self {
            records: vec![RunRecord::default(); comparison.runs().len()],
            comparison,
            view: None,
            sampler: SimRng::seed_from_u64(seed ^ 0x9e37_79b9),
            playing: false,
            pace_start: Instant::now(),
            pace_clock: 0.0,
            rate_window: (Instant::now(), 0),
            rate: 0.0,
            single,
        };
        out.record_stats();
        Ok(out)
    }

    /// The comparison being run.
    pub fn spec(&self) -> &ComparisonSpec {
        self.comparison.spec()
    }

    /// Iterations the runs have completed in lockstep.
    pub fn iteration(&self) -> u64 {
        self.comparison.iteration()
    }

    /// Whether the runs train continuously (not once every run has diverged).
    pub fn playing(&self) -> bool {
        self.playing && !self.comparison.all_diverged()
    }

    /// Play or pause.
    pub fn set_playing(&mut self, on: bool) {
        self.playing = on;
        self.restart_pacing();
    }

    /// The pace starts again from now (a new pace, play).
    pub fn restart_pacing(&mut self) {
        self.pace_start = Instant::now();
        self.pace_clock = 0.0;
        self.rate_window = (Instant::now(), self.comparison.iteration());
    }

    /// Every run back to iteration 0.
    pub fn reset(&mut self) {
        self.comparison.reset();
        self.records.iter_mut().for_each(RunRecord::clear);
        self.view = None;
        self.record_stats();
        self.restart_pacing();
    }

    /// One iteration of every run; says which runs diverged in it, if any.
    pub fn step(&mut self) -> Option<String> {
        let diverged = self.comparison.run(1, 1);
        self.record_stats();
        self.divergence_notice(&diverged)
    }

    /// What to say when the runs at `indices` have just diverged.
    fn divergence_notice(&self, indices: &[usize]) -> Option<String> {
        let runs = self.comparison.runs();
        let said: Vec<String> = indices
            .iter()
            .filter_map(|&i| runs.get(i))
            .filter_map(|r| Some(format!("run '{}' {}", r.label(), r.divergence()?)))
            .collect();
        (!said.is_empty()).then(|| {
            format!(
                "{}: it keeps its last finite state; Play goes on with the others",
                said.join("; ")
            )
        })
    }

    fn record_stats(&mut self) {
        for (record, run) in self.records.iter_mut().zip(self.comparison.runs()) {
            record.push_minibatch(run.trainer());
        }
    }

    /// Trains for up to `budget` at `pace` while playing; returns whether anything ran
    /// (and a notice when a run diverged: play then pauses, as a single run's does).
    pub fn work(&mut self, budget: Duration, pace: Pace) -> (bool, Option<String>) {
        if !self.playing() {
            return (false, None);
        }
        let start = Instant::now();
        let (mut ran, mut notice) = (false, None);
        while start.elapsed() < budget {
            let iteration = self.comparison.iteration();
            let paced = pace.rate(iteration);
            if let Some(rate) = paced {
                if self.pace_clock > self.pace_start.elapsed().as_secs_f64() {
                    break;
                }
                self.pace_clock += 1.0 / rate;
            }
            // As a single run does, the runs pause where their learning rates reach 0.
            let left = self
                .comparison
                .runs()
                .iter()
                .filter(|r| r.divergence().is_none())
                .filter_map(|r| {
                    r.trainer()
                        .settings()
                        .training
                        .iterations_to_schedule_end(iteration)
                })
                .min();
            if left == Some(0) {
                self.playing = false;
                notice = Some(format!(
                    "A run's learning rates have decayed to 0 at iteration {iteration}: side by side is paused"
                ));
                ran = true;
                break;
            }
            // Paced: one iteration on this thread; else chunks spread over the cores.
            let (chunk, jobs) = match paced {
                Some(_) => (1, 1),
                None => (16, crate::jobs::default_jobs()),
            };
            let chunk = left.map_or(chunk, |left| chunk.min(left));
            let diverged = self.comparison.run(chunk, jobs);
            self.record_stats();
            ran = true;
            if !diverged.is_empty() {
                self.playing = false;
                notice = self.divergence_notice(&diverged);
                break;
            }
        }
        let (since, at) = self.rate_window;
        let secs = since.elapsed().as_secs_f64();
        if secs > 0.5 {
            let now = self.comparison.iteration();
            self.rate = (now - at) as f64 / secs;
            self.rate_window = (Instant::now(), now);
        }
        (ran, notice)
    }

    /// Time until the paced runs are due again (`None`: at once).
    pub fn next_due(&self, pace: Pace) -> Option<Duration> {
        pace.rate(self.comparison.iteration())?;
        Some(Duration::from_secs_f64(
            (self.pace_clock - self.pace_start.elapsed().as_secs_f64()).max(0.0),
        ))
    }

    /// The shared x range: kept while every run's densities stay inside it and fill at
    /// least a third of it (the single run's rule), so the picture does not jitter.
    fn update_view(&mut self) -> ViewRange {
        let span = self.comparison.span(&Framing::LIVE);
        let keep = self
            .view
            .filter(|view| view.contains(span) && span.width() >= view.width() / 3.0);
        let view = keep.unwrap_or_else(|| Framing::LIVE.frame(span));
        self.view = Some(view);
        view
    }

    /// The picture of every run now; records a row of exact metrics for each.
    pub fn publish(&mut self) -> ComparePicture {
        let view = self.update_view();
        let all_curves = self.comparison.curves_on(view, 600);
        // Every run sees the same noise and data draws (where its p_z and p_data are the
        // same), so their samples differ only by their G.
        let draws = self.sampler.clone();
        let mut runs = Vec::with_capacity(all_curves.len());
        for ((run, record), (curves, spec)) in self
            .comparison
            .runs()
            .iter()
            .zip(&mut self.records)
            .zip(all_curves.into_iter().zip(&self.comparison.spec().runs))
        {
            let trainer = run.trainer();
            let model = trainer.model();
            let analysis = Analysis::new(&model, &AnalysisOptions::default());
            record.push_exact(trainer, Row::measured(trainer, &analysis));
            let mut sampler = draws.clone();
            let m = trainer.settings().training.batch_size;
            let z: Vec<f64> = (0..m).map(|_| model.noise.sample(&mut sampler)).collect();
            let real = (0..m).map(|_| model.target.sample(&mut sampler)).collect();
            let forces = forces(trainer, &z);
            self.sampler = sampler;
            runs.push(RunPicture {
                label: run.label().to_owned(),
                overrides: spec.overrides.clone(),
                settings: trainer.settings().clone(),
                counters: trainer.counters(),
                divergence: run.divergence().cloned(),
                modes: coverage::mode_masses(&analysis, &model.target),
                analysis,
                curves,
                generated: forces.x.clone(),
                real,
                forces,
                minibatch_history: Arc::new(record.minibatch().clone()),
                history: Arc::new(record.exact().clone()),
            });
        }
        let spec = self.comparison.spec();
        ComparePicture {
            name: spec.name.clone(),
            watch: spec.watch.clone(),
            preset: spec.preset.clone(),
            seed: spec.base.seed,
            iteration: self.comparison.iteration(),
            view,
            runs,
            playing: self.playing(),
            pace: spec.pace,
            iterations_per_second: if self.playing() { self.rate } else { 0.0 },
        }
    }
}
