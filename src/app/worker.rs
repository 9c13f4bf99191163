//! The training side of the app: owns the [`Trainer`], applies commands, runs iterations at
//! the chosen speed and publishes what the UI draws. Runs on its own thread in the app, or
//! inline (same code) in tests.

use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::SeedableRng as _;

use crate::scene::StoryPicture;
use crate::scene::animation::Filmstrip;
use crate::sim::analysis::{Analysis, AnalysisOptions};
use crate::sim::breakpoint::{Breakpoints, Fired, Reading};
use crate::sim::coverage::{self, ModeMass};
use crate::sim::forces::{Forces, forces};
use crate::sim::ideal::IdealView;
use crate::sim::oracle;
use crate::sim::pace::Pace;
use crate::sim::settings::{SettingError, Settings, TrainingSettings};
use crate::sim::story::{Capture, Stage, Story, StoryOptions};
use crate::sim::substep::{Phase, Round, SlowIteration, SubStep};
use crate::sim::trainer::{Counters, Divergence, SimRng, Snapshot, StepStats, Trainer};
use crate::sim::view::{Framing, ViewRange, densities_span};

use super::history::{History, Marker, Row, RunRecord};
use super::side_by_side::{ComparePicture, SideBySide};
use super::timeline_view::TimelinePicture;
use crate::sim::timeline::Timeline;
use timeline::Scrub;

mod timeline;
use crate::sim::compare::ComparisonSpec;

/// Something the UI asks of the trainer.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Start or stop continuous training.
    SetPlaying(bool),
    /// One iteration of Algorithm 1 (k D steps, then the G steps).
    StepIteration,
    /// One discriminator step only.
    StepDiscriminator,
    /// One generator step only.
    StepGenerator,
    /// Start again from the current settings.
    Reset,
    /// Back to the last automatic checkpoint (after a divergence).
    Rewind,
    /// How fast a playing run goes.
    SetPace(Pace),
    /// New training settings, applied at the next step without reset.
    SetTraining(TrainingSettings),
    /// New settings of any kind: model, data or seed changes reset the run.
    Apply(Settings),
    /// Start a new run from these settings (a preset), whatever they change.
    Load(Settings),
    /// Run the Figure 1 scenario (a)–(d) on the fig1 preset with the current seed.
    Figure1,
    /// Replay one stage of the last Figure 1 scenario, live and paced, from its start.
    ReplayStage(Stage),
    /// Continue training live from the state a stage captured.
    ContinueFrom(Stage),
    /// Stop a running scenario or replay; a cancelled scenario puts the run back as it was.
    CancelStory,
    /// Proposition 2's oracle: D := D* of the current G at every G step (D is not trained).
    SetOracle(bool),
    /// Pause when any of these first holds (an empty list: never).
    SetBreakpoints(Breakpoints),
    /// Algorithm 1 in slow motion: a step (and play) runs one sub-step at a time. Turning
    /// it off finishes the iteration under way.
    SetSlowMotion(bool),
    /// The next sub-step of Algorithm 1 (slow motion).
    SubStep,
    /// Side by side: train these runs in lockstep instead of the run (which is kept as it
    /// is, paused); `None` goes back to the run as it was.
    Compare(Option<ComparisonSpec>),
    /// The timeline: show recorded moment `i` (the live run waits, paused), or `None`
    /// to go back to the live run.
    Scrub(Option<usize>),
    /// The timeline: the run becomes the moment shown, exactly as it was then; the
    /// moments and metrics recorded after it are dropped.
    ContinueFromScrub,
    /// The timeline: publish p_g at a few earlier moments (onion skin).
    SetOnionSkin(bool),
    /// Open this lesson and play its first step (the run put aside); `None` leaves the
    /// lesson, putting the run back as it was.
    Lesson(Option<Box<crate::sim::lesson::Lesson>>),
    /// The lesson's next step, from the run as it is now.
    LessonNext,
    /// Back to the start of the previous step (its state restored), played again.
    LessonBack,
    /// The step again from its start.
    LessonReplay,
    /// The timeline: show the moment `delta` moments from the one shown (from the live
    /// run: back from it); past the latest, the live run.
    ScrubStep(isize),
}

/// Algorithm 1 in slow motion, as the UI draws it.
#[derive(Clone, Debug)]
pub struct SlowPicture {
    /// The sub-step just run (`None` before the first, or after a change made elsewhere).
    pub last: Option<Arc<SubStep>>,
    /// The curves of G and D before that sub-step (for one that changed D or G), on the
    /// figure's x range.
    pub before: Option<Arc<Analysis>>,
    /// (sub-steps done, sub-steps) of the iteration under way; (0, 0) between iterations.
    pub progress: (usize, usize),
    /// The sub-step the next press runs (`None`: the next iteration's first).
    pub upcoming: Option<(Round, Phase)>,
}

/// A Figure 1 scenario or replay in progress.
struct StoryRun {
    story: Story,
    /// `None` for the whole scenario; a stage for a replay of it.
    replay: Option<Stage>,
    /// The run as it was before the scenario or replay (restored on cancel or failure).
    before: Option<Box<SavedRun>>,
    /// Units of work per 50 ms for a paced replay.
    pace: u64,
}

/// A run put aside while a scenario or replay runs.
struct SavedRun {
    trainer: Trainer,
    record: RunRecord,
    film: Filmstrip,
    run_id: u64,
    timeline: Timeline,
}

/// What a running story does: the whole scenario, or one stage again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoryKind {
    /// The Figure 1 scenario (a)–(d), capturing each stage.
    Scenario,
    /// A live, paced replay of one captured stage.
    Replay,
}

/// How far a running scenario or replay has got.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StoryProgress {
    /// Overall fraction done, 0 to 1.
    pub fraction: f64,
    /// The stage being run.
    pub stage: Stage,
    /// Scenario or replay.
    pub kind: StoryKind,
}

/// What the UI shows of the Figure 1 scenario.
#[derive(Clone, Debug, Default)]
pub struct StoryState {
    /// The four analysed panels of the last completed scenario.
    pub picture: Option<Arc<StoryPicture>>,
    /// Progress of a running scenario or replay.
    pub running: Option<StoryProgress>,
    /// Why the last scenario failed, if it did.
    pub error: Option<String>,
}

/// What the UI draws: a consistent picture of one moment of the run.
#[derive(Clone, Debug)]
pub struct Published {
    /// The settings in force.
    pub settings: Settings,
    /// Progress.
    pub counters: Counters,
    /// Minibatch losses and gradient norms.
    pub stats: StepStats,
    /// Why the run stopped, if it did.
    pub divergence: Option<Divergence>,
    /// Whether training runs continuously.
    pub playing: bool,
    /// Exact metrics over the whole support.
    pub analysis: Analysis,
    /// Curves on the figure's x range.
    pub curves: Analysis,
    /// The figure's x range (moves only when the densities leave it or shrink a lot).
    pub view: ViewRange,
    /// A fresh minibatch of generated samples.
    pub generated: Vec<f64>,
    /// A fresh minibatch of data samples.
    pub real: Vec<f64>,
    /// Minibatch losses and gradient norms, recorded as training runs.
    pub minibatch_history: Arc<History>,
    /// The exact metrics, recorded at each published picture.
    pub history: Arc<History>,
    /// The live setting changes of the run, oldest first.
    pub markers: Arc<[Marker]>,
    /// Measured training speed.
    pub iterations_per_second: f64,
    /// Last error from a refused command, to show.
    pub error: Option<String>,
    /// What the last command did when that needs saying (a rewind's report).
    pub notice: Option<String>,
    /// The Figure 1 scenario.
    pub story: StoryState,
    /// The noise values of `generated` (`generated[i]` = G(`z[i]`)).
    pub z: Vec<f64>,
    /// The force on each of `generated` under the run's loss, minimax and non-saturating.
    pub forces: Forces,
    /// G(z) against the ideal map T*(z) over p_z's range.
    pub ideal: Arc<IdealView>,
    /// For a mixture target, the exact p_g mass of each mode.
    pub modes: Option<Vec<ModeMass>>,
    /// Whether the oracle D is on.
    pub oracle: bool,
    /// The breakpoints in force.
    pub breakpoints: Breakpoints,
    /// The breakpoint that paused the run last (until play resumes or the run resets).
    pub fired: Option<Fired>,
    /// Algorithm 1 in slow motion, when on.
    pub slow: Option<SlowPicture>,
    /// Side by side, when on: every run of the comparison (the fields above are then the
    /// single run's, as it was when side by side began).
    pub compare: Option<Arc<ComparePicture>>,
    /// The timeline: the moments recorded, the one shown and the onion skin.
    pub timeline: TimelinePicture,
    /// The open lesson, if any.
    pub lesson: Option<Arc<LessonPicture>>,
}

mod lesson;
pub use lesson::LessonPicture;

/// Points of the G-versus-z view's curves.
pub const IDEAL_POINTS: usize = 256;

/// Slow motion never plays faster than this many sub-steps a second, whatever the pace.
pub const SLOW_MAX_RATE: f64 = 4.0;

/// Owns the run.
pub struct Worker {
    trainer: Trainer,
    /// The histories, the run's place on the metric plots and its setting changes.
    record: RunRecord,
    playing: bool,
    pace: Pace,
    pace_start: Instant,
    /// Seconds after `pace_start` at which the next paced iteration is due.
    pace_clock: f64,
    rate_window: (Instant, u64),
    rate: f64,
    view: Option<ViewRange>,
    error: Option<String>,
    notice: Option<String>,
    sampler: SimRng,
    story_run: Option<StoryRun>,
    captures: Vec<Capture>,
    story: StoryState,
    film: Arc<Mutex<Filmstrip>>,
    /// Counts resets, so records of one run are never joined to another's states.
    run_id: u64,
    /// The run the captures came from.
    captures_run: u64,
    oracle: bool,
    breakpoints: Breakpoints,
    /// Whether each breakpoint held at the last check (a breakpoint fires when it starts
    /// to hold, so play goes on after one has fired).
    holding: Vec<bool>,
    fired: Option<Fired>,
    /// Slow motion: on, the iteration under way, and the last sub-step with G and D
    /// before it.
    slow_on: bool,
    slow: Option<SlowIteration>,
    last_sub: Option<Arc<SubStep>>,
    /// The curves before `last_sub`, on the view they were drawn for.
    slow_before: Option<(ViewRange, Arc<Analysis>)>,
    /// Side by side, when on: it trains instead of `trainer`, which waits as it was.
    side_by_side: Option<SideBySide>,
    /// The timeline (see [`super::timeline_view`]).
    timeline: Timeline,
    scrub: Scrub,
    /// An open lesson: it plays its steps on `trainer`.
    lesson: Option<lesson::Player>,
}

/// Analysis resolution for the published picture.
fn options() -> AnalysisOptions {
    AnalysisOptions::default()
}

impl Worker {
    /// A worker for a fresh run.
    pub fn new(settings: Settings) -> Result<Self, SettingError> {
        let trainer = Trainer::new(settings)?;
        let mut worker = Self {
            sampler: SimRng::seed_from_u64(trainer.settings().seed ^ 0x9e37_79b9),
            trainer,
            record: RunRecord::default(),
            playing: false,
            pace: Pace::Fastest,
            pace_start: Instant::now(),
            pace_clock: 0.0,
            rate_window: (Instant::now(), 0),
            rate: 0.0,
            view: None,
            error: None,
            notice: None,
            story_run: None,
            captures: Vec::new(),
            story: StoryState::default(),
            film: Arc::new(Mutex::new(Filmstrip::default())),
            run_id: 0,
            captures_run: 0,
            oracle: false,
            breakpoints: Breakpoints::default(),
            holding: Vec::new(),
            fired: None,
            slow_on: false,
            slow: None,
            last_sub: None,
            slow_before: None,
            side_by_side: None,
            timeline: Timeline::new(),
            scrub: Scrub::default(),
            lesson: None,
        };
        worker.timeline.record(&worker.trainer);
        Ok(worker)
    }

    /// Whether continuous training is on.
    pub fn playing(&self) -> bool {
        if let Some(side_by_side) = &self.side_by_side {
            return side_by_side.playing();
        }
        if self.lesson_open() {
            return self.lesson_busy();
        }
        self.playing && self.trainer.divergence().is_none()
    }

    /// Whether the worker has work to do without a command (training or a scenario).
    pub fn busy(&self) -> bool {
        self.playing() || self.story_run.is_some() || self.lesson_busy()
    }

    /// Whether a scenario or replay is running.
    pub fn story_running(&self) -> bool {
        self.story_run.is_some()
    }

    /// Whether a paced replay is running (one slice per published picture).
    pub fn story_paced(&self) -> bool {
        self.story_run.as_ref().is_some_and(|r| r.replay.is_some())
    }

    /// The run's recorded states, for an animation of the run so far.
    pub fn filmstrip(&self) -> Arc<Mutex<Filmstrip>> {
        Arc::clone(&self.film)
    }

    fn start_story(&mut self) {
        let mut settings = match Settings::preset("fig1") {
            Ok(s) => s,
            Err(e) => {
                self.error = Some(e.to_string());
                return;
            }
        };
        settings.seed = self.trainer.settings().seed;
        let before = Box::new(self.save_run());
        self.playing = false;
        self.reset(settings);
        self.story.error = None;
        self.story_run = Some(StoryRun {
            story: Story::new(StoryOptions::default()),
            replay: None,
            before: Some(before),
            pace: 0,
        });
    }

    /// The captured stage, or an error to show when Figure 1 has not run.
    fn capture(&mut self, stage: Stage) -> Option<Capture> {
        let found = self.captures.iter().find(|c| c.stage == stage).cloned();
        if found.is_none() {
            self.error = Some(format!(
                "run Figure 1 first: no stage {} yet",
                stage.label()
            ));
        }
        found
    }

    fn replay(&mut self, stage: Stage) {
        let Some(capture) = self.capture(stage) else {
            return;
        };
        let start = capture.start;
        let pace = (capture.work / 60).max(1);
        let before = Box::new(self.save_run());
        if self.restore_capture(&start) {
            self.story_run = Some(StoryRun {
                story: Story::stages(StoryOptions::default(), stage, stage),
                replay: Some(stage),
                before: Some(before),
                pace,
            });
        }
    }

    fn continue_from(&mut self, stage: Stage) {
        let Some(capture) = self.capture(stage) else {
            return;
        };
        let end = capture.end;
        if self.restore_capture(&end) {
            self.playing = true;
            self.restart_pacing();
        }
    }

    /// Everything a cancelled scenario or replay puts back.
    fn save_run(&self) -> SavedRun {
        SavedRun {
            trainer: self.trainer.clone(),
            record: self.record.clone(),
            film: self.film.lock().map(|f| f.clone()).unwrap_or_default(),
            run_id: self.run_id,
            timeline: self.timeline.clone(),
        }
    }

    fn put_back(&mut self, saved: SavedRun) {
        self.trainer = saved.trainer;
        self.record = saved.record;
        if let Ok(mut film) = self.film.lock() {
            *film = saved.film;
        }
        self.run_id = saved.run_id;
        self.timeline = saved.timeline;
        self.scrub.at = None;
        self.view = None;
        self.playing = false;
    }

    /// Puts the trainer into a captured state of the Figure 1 run, keeping the records up
    /// to it if they are that run's (else starting them afresh). Returns whether it could.
    fn restore_capture(&mut self, snapshot: &Snapshot) -> bool {
        match Trainer::from_snapshot(snapshot) {
            Ok(trainer) => {
                if self.run_id != self.captures_run {
                    self.record.clear();
                    if let Ok(mut film) = self.film.lock() {
                        film.clear();
                    }
                    self.run_id = self.captures_run;
                    self.timeline.clear();
                }
                self.trainer = trainer;
                self.record.go_back_to(&self.trainer);
                self.timeline_back_to_trainer();
                self.view = None;
                self.playing = false;
                true
            }
            Err(e) => {
                self.error = Some(e.to_string());
                false
            }
        }
    }

    fn cancel_story(&mut self) {
        if let Some(run) = self.story_run.take()
            && let Some(before) = run.before
        {
            self.put_back(*before);
        }
    }

    /// Advances a running scenario by about `budget` of work; returns whether one ran.
    fn work_story(&mut self, budget: Duration) -> bool {
        let Some(mut run) = self.story_run.take() else {
            return false;
        };
        let start = Instant::now();
        let result = loop {
            let units = if run.replay.is_some() { run.pace } else { 250 };
            let advanced = run.story.advance(&mut self.trainer, units);
            // A row per slice: stage (b) trains D alone for thousands of steps, drawn as a
            // curve over them.
            self.record_stats();
            match advanced {
                Ok(p) if p.done => break Ok(true),
                Ok(_) if run.replay.is_some() || start.elapsed() >= budget => break Ok(false),
                Ok(_) => {}
                Err(e) => break Err(e),
            }
        };
        match result {
            Ok(false) => self.story_run = Some(run),
            Ok(true) => {
                let captures = run.story.into_captures();
                if run.replay.is_none() {
                    self.story.picture = Some(Arc::new(StoryPicture::new(&captures)));
                    self.captures = captures;
                    self.captures_run = self.run_id;
                }
            }
            Err(e) => {
                // Nothing is lost: the run goes back to how it was before.
                if let Some(before) = run.before {
                    self.put_back(*before);
                }
                let what = if run.replay.is_some() {
                    "The replay"
                } else {
                    "Figure 1"
                };
                self.story.error = Some(format!("{what} stopped ({e}); the run is as it was"));
            }
        }
        true
    }

    /// Whether `command` may run now: a running scenario owns the trainer, since steps
    /// taken under it would change what it captures, so only its own controls, the speed,
    /// breakpoints and cancelling get through (a new run ends it).
    fn story_allows(&mut self, command: &Command) -> bool {
        if self.story_run.is_none() {
            return true;
        }
        match command {
            Command::CancelStory
            | Command::SetPace(_)
            | Command::SetPlaying(false)
            | Command::SetBreakpoints(_) => true,
            Command::Load(_) | Command::Apply(_) | Command::Reset => {
                self.story_run = None;
                true
            }
            _ => {
                self.error = Some("Figure 1 is running: wait for it or press Cancel".to_owned());
                false
            }
        }
    }

    /// Whether `command` may run now as usual: the lesson's own commands are run here;
    /// while a lesson is open Play and Pause go to its step, a new run (a preset, a file,
    /// Figure 1, side by side) leaves it, and stepping by hand is refused (the step owns
    /// the run).
    fn lesson_allows(&mut self, command: &Command) -> bool {
        match command {
            Command::Lesson(lesson) => {
                self.story_run = None;
                self.open_lesson(lesson.clone());
                return false;
            }
            Command::LessonNext | Command::LessonBack | Command::LessonReplay => {
                self.lesson_command(command);
                return false;
            }
            _ => {}
        }
        if !self.lesson_open() {
            return true;
        }
        match command {
            Command::SetPlaying(on) => {
                self.lesson_set_playing(*on);
                false
            }
            // A new run ends the lesson (the run it put aside is not needed).
            Command::Load(_) | Command::Apply(_) | Command::Figure1 => {
                self.lesson = None;
                self.side_by_side = None;
                true
            }
            // Leaving a side-by-side step leaves the lesson, the run put back.
            Command::Compare(spec) => {
                self.open_lesson(None);
                spec.is_some()
            }
            Command::Reset => {
                self.lesson_command(&Command::LessonReplay);
                false
            }
            Command::StepIteration
            | Command::StepDiscriminator
            | Command::StepGenerator
            | Command::SubStep
            | Command::SetSlowMotion(_)
            | Command::Rewind
            | Command::ReplayStage(_)
            | Command::ContinueFrom(_) => {
                self.error = Some(
                    "a lesson is open: -> next step, <- back, R replays the step (Leave lesson to step by hand)"
                        .to_owned(),
                );
                false
            }
            _ => true,
        }
    }

    /// Whether `command` is the lesson's, is refused while a scenario runs, or is side by
    /// side's or the timeline's (which apply it).
    fn handled_elsewhere(&mut self, command: &Command) -> bool {
        !self.lesson_allows(command)
            || !self.story_allows(command)
            || self.side_by_side_handles(command)
            || self.timeline_handles(command)
    }

    /// Applies one command.
    pub fn handle(&mut self, command: Command) {
        self.error = None;
        self.notice = None;
        if self.handled_elsewhere(&command) {
            return;
        }
        let result = match command {
            Command::SetPlaying(on) => {
                if on {
                    self.fired = None;
                }
                self.playing = on;
                self.restart_pacing();
                Ok(())
            }
            Command::StepIteration if self.slow_on => self.sub_step(),
            Command::StepIteration if self.oracle => oracle::iteration(&mut self.trainer),
            Command::StepIteration => self.trainer.iteration(),
            Command::StepDiscriminator => self.trainer.discriminator_step(),
            Command::StepGenerator => self.trainer.generator_step(),
            Command::Reset => {
                let settings = self.trainer.settings().clone();
                self.reset(settings);
                Ok(())
            }
            Command::Rewind => {
                self.rewind();
                Ok(())
            }
            Command::SetPace(pace) => {
                self.pace = pace;
                self.restart_pacing();
                Ok(())
            }
            Command::SetTraining(training) => {
                self.set_training(training);
                Ok(())
            }
            Command::Load(settings) => {
                self.playing = false;
                self.reset(settings);
                Ok(())
            }
            Command::Figure1 => {
                self.start_story();
                Ok(())
            }
            Command::ReplayStage(stage) => {
                self.replay(stage);
                Ok(())
            }
            Command::ContinueFrom(stage) => {
                self.continue_from(stage);
                Ok(())
            }
            Command::CancelStory => {
                self.cancel_story();
                Ok(())
            }
            Command::SetOracle(_)
            | Command::SetBreakpoints(_)
            | Command::SetSlowMotion(_)
            | Command::SubStep => self.handle_why(command),
            // Handled above, by `side_by_side_handles`, `timeline_handles` and
            // `lesson_allows`.
            Command::Compare(_)
            | Command::Scrub(_)
            | Command::ContinueFromScrub
            | Command::SetOnionSkin(_)
            | Command::ScrubStep(_)
            | Command::Lesson(_)
            | Command::LessonNext
            | Command::LessonBack
            | Command::LessonReplay => Ok(()),
            Command::Apply(settings) => {
                if let Err(e) = settings.validate() {
                    self.error = Some(e.to_string());
                } else if self.trainer.needs_reset(&settings) {
                    self.reset(settings);
                } else {
                    self.set_training(settings.training);
                }
                Ok(())
            }
        };
        if result.is_err() {
            self.playing = false;
        }
        if self
            .slow
            .as_ref()
            .is_some_and(|s| !s.is_current(&self.trainer))
        {
            // Stepped another way: the sub-step shown no longer describes the run.
            self.slow = None;
            self.last_sub = None;
        }
        self.record_stats();
    }

    /// Back to the last automatic checkpoint, saying what that kept.
    fn rewind(&mut self) {
        let rewound = self.trainer.rewind();
        self.notice = Some(match &rewound {
            Some(rewound) => rewound.to_string(),
            None => "No good state to go back to yet: Reset starts again".to_owned(),
        });
        self.record.go_back_to(&self.trainer);
        self.timeline_back_to_trainer();
        // The settings kept differ from the checkpoint's: from here on the run
        // continues with them, a change like any other.
        if let Some(rewound) = rewound {
            self.record.mark(rewound.kept, Instant::now());
        }
        self.playing = false;
    }

    /// The commands of the "see why" views.
    fn handle_why(&mut self, command: Command) -> Result<(), crate::sim::Divergence> {
        match command {
            Command::SetOracle(on) => self.set_oracle(on),
            Command::SetBreakpoints(list) => self.set_breakpoints(list),
            Command::SetSlowMotion(on) => return self.set_slow_motion(on),
            Command::SubStep if self.slow_on => return self.sub_step(),
            Command::SubStep => self.error = Some("turn slow motion on first (S)".to_owned()),
            _ => {}
        }
        Ok(())
    }

    /// Turns the oracle D on (if the loss has a D*) or off.
    fn set_oracle(&mut self, on: bool) {
        if on {
            if let Err(e) = oracle::check(&self.trainer.settings().training) {
                self.error = Some(e.to_string());
                return;
            }
            if self.slow_on {
                self.error = Some(
                    "slow motion shows Algorithm 1 with a trained D: turn it off (S) to use the oracle D"
                        .to_owned(),
                );
                return;
            }
        }
        self.oracle = on;
    }

    /// Puts breakpoints in force; none of them has held yet.
    fn set_breakpoints(&mut self, list: Breakpoints) {
        if let Err(e) = list.check_target(&self.trainer.settings().target) {
            self.error = Some(e.to_string());
            return;
        }
        self.holding = vec![false; list.list().len()];
        self.breakpoints = list;
        self.fired = None;
    }

    /// Slow motion on, or off (finishing the iteration under way, so the run is left
    /// between iterations as a normal step leaves it).
    fn set_slow_motion(&mut self, on: bool) -> Result<(), crate::sim::Divergence> {
        if on && let Err(e) = crate::sim::substep::check(&self.trainer.settings().training) {
            self.error = Some(e.to_string());
            return Ok(());
        }
        if on && self.oracle {
            self.error = Some(
                "slow motion shows Algorithm 1 with a trained D: turn the oracle D off first"
                    .to_owned(),
            );
            return Ok(());
        }
        self.slow_on = on;
        self.restart_pacing();
        if !on {
            self.last_sub = None;
            if let Some(mut slow) = self.slow.take()
                && slow.is_current(&self.trainer)
            {
                slow.run_to_end(&mut self.trainer)?;
            }
        }
        Ok(())
    }

    /// Runs the next sub-step of Algorithm 1, starting an iteration if none is under way.
    fn sub_step(&mut self) -> Result<(), crate::sim::Divergence> {
        if self.trainer.divergence().is_some() {
            return Ok(());
        }
        let mut slow = self
            .slow
            .take()
            .filter(|s| s.is_current(&self.trainer) && !s.is_finished())
            .unwrap_or_else(|| SlowIteration::new(&self.trainer));
        let step = slow.next(&mut self.trainer)?;
        let completed = step.as_ref().is_some_and(|s| s.completes_iteration);
        self.last_sub = step.map(Arc::new);
        self.slow_before = None;
        if !slow.is_finished() {
            self.slow = Some(slow);
        }
        if completed && self.check_breakpoints() {
            self.playing = false;
        }
        Ok(())
    }

    /// Checks the breakpoints now; returns whether one started to hold (and records it).
    fn check_breakpoints(&mut self) -> bool {
        if self.breakpoints.is_empty() {
            return false;
        }
        let analysis = self
            .breakpoints
            .needs_analysis()
            .then(|| Analysis::new(&self.trainer.model(), &options()));
        let reading = Reading::new(&self.trainer, analysis.as_ref());
        let mut fired = None;
        for (holding, b) in self.holding.iter_mut().zip(self.breakpoints.list()) {
            let now = b.check(&reading);
            let was = std::mem::replace(holding, now.is_some());
            if !was && fired.is_none() {
                fired = now;
            }
        }
        let any = fired.is_some();
        if any {
            self.fired = fired;
        }
        any
    }

    /// Puts new live settings in force and marks what changed on the metric plots.
    fn set_training(&mut self, training: TrainingSettings) {
        if self.oracle
            && let Err(e) = oracle::check(&training)
        {
            self.error = Some(format!("{e} (turn the oracle D off first)"));
            return;
        }
        if self.slow_on
            && let Err(e) = crate::sim::substep::check(&training)
        {
            self.error = Some(format!("{e} (turn slow motion off first: S)"));
            return;
        }
        let before = self.trainer.settings().clone();
        match self.trainer.set_training(training) {
            Ok(()) => {
                let changes = before.changes(self.trainer.settings());
                self.record.mark(changes, Instant::now());
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn reset(&mut self, settings: Settings) {
        match Trainer::new(settings) {
            Ok(trainer) => {
                self.sampler = SimRng::seed_from_u64(trainer.settings().seed ^ 0x9e37_79b9);
                self.trainer = trainer;
                self.run_id += 1;
                if let Ok(mut film) = self.film.lock() {
                    film.clear();
                    // The start belongs in the run's GIF: training may come before a picture.
                    film.offer(self.trainer.counters().iteration, || self.trainer.model());
                }
                self.record.clear();
                self.timeline.clear();
                self.timeline.record(&self.trainer);
                self.scrub.at = None;
                self.view = None;
                self.restart_pacing();
                self.holding.iter_mut().for_each(|h| *h = false);
                self.fired = None;
                self.slow = None;
                self.last_sub = None;
                if self.oracle
                    && let Err(e) = oracle::check(&self.trainer.settings().training)
                {
                    self.oracle = false;
                    self.notice = Some(format!("The oracle D is off for the new run: {e}"));
                }
                if self.slow_on
                    && let Err(e) = crate::sim::substep::check(&self.trainer.settings().training)
                {
                    self.slow_on = false;
                    self.notice = Some(format!("Slow motion is off for the new run: {e}"));
                }
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn restart_pacing(&mut self) {
        self.pace_start = Instant::now();
        self.pace_clock = 0.0;
        self.rate_window = (Instant::now(), self.trainer.counters().iteration);
    }

    /// Trains for up to `budget` if playing (or runs the scenario), at the chosen speed.
    /// Returns whether it ran or stopped (something new to publish).
    pub fn work(&mut self, budget: Duration) -> bool {
        if self.story_run.is_some() {
            return self.work_story(budget);
        }
        if self.lesson_open() {
            return self.work_lesson(budget);
        }
        if let Some(side_by_side) = &mut self.side_by_side {
            let (ran, notice) = side_by_side.work(budget, self.pace);
            if notice.is_some() {
                self.notice = notice;
            }
            return ran;
        }
        if !self.playing() {
            return false;
        }
        if self.slow_on {
            return self.work_slow();
        }
        let start = Instant::now();
        let mut ran = false;
        while start.elapsed() < budget {
            let paced = self.pace.rate(self.trainer.counters().iteration);
            if let Some(rate) = paced {
                if self.pace_clock > self.pace_start.elapsed().as_secs_f64() {
                    break;
                }
                self.pace_clock += 1.0 / rate;
            }
            // At the end of the learning-rate decay every step would change nothing:
            // the run pauses there (the app says so and offers to extend it).
            let training = &self.trainer.settings().training;
            let iteration = self.trainer.counters().iteration;
            if training.schedule_ended(iteration) {
                self.playing = false;
                // A change to publish, though no step ran.
                ran = true;
                break;
            }
            // Small chunks keep the budget honest; the record gets one row per chunk.
            let chunk = if paced.is_some() { 1 } else { 16 };
            let chunk = training
                .iterations_to_schedule_end(iteration)
                .map_or(chunk, |left| chunk.min(left));
            // An `iteration=N` breakpoint fires at N exactly.
            let chunk = self
                .breakpoints
                .next_iteration_stop(iteration)
                .map_or(chunk, |stop| chunk.min(stop - iteration));
            let result = if self.oracle {
                oracle::run(&mut self.trainer, chunk)
            } else {
                self.trainer.run(chunk)
            };
            ran = true;
            self.record_stats();
            if result.is_err() || self.check_breakpoints() {
                self.playing = false;
                break;
            }
        }
        let (since, at) = self.rate_window;
        let secs = since.elapsed().as_secs_f64();
        if secs > 0.5 {
            let now = self.trainer.counters().iteration;
            self.rate = (now - at) as f64 / secs;
            self.rate_window = (Instant::now(), now);
        }
        ran
    }

    /// Slow motion, playing: one sub-step when due, at the pace's rate (at most
    /// [`SLOW_MAX_RATE`] a second).
    fn work_slow(&mut self) -> bool {
        let training = &self.trainer.settings().training;
        let iteration = self.trainer.counters().iteration;
        if self.slow.is_none() && training.schedule_ended(iteration) {
            self.playing = false;
            return true;
        }
        if self.pace_clock > self.pace_start.elapsed().as_secs_f64() {
            return false;
        }
        self.pace_clock += 1.0 / self.slow_rate();
        if self.sub_step().is_err() {
            self.playing = false;
        }
        self.record_stats();
        true
    }

    /// Sub-steps a second while slow motion plays.
    fn slow_rate(&self) -> f64 {
        self.pace
            .rate(self.trainer.counters().iteration)
            .unwrap_or(SLOW_MAX_RATE)
            .min(SLOW_MAX_RATE)
    }

    /// Time until the paced run is due again (`None`: at once or not playing).
    pub fn next_due(&self) -> Option<Duration> {
        if let Some(side_by_side) = &self.side_by_side {
            return side_by_side.next_due(self.pace);
        }
        if !self.slow_on {
            self.pace.rate(self.trainer.counters().iteration)?;
        }
        Some(Duration::from_secs_f64(
            (self.pace_clock - self.pace_start.elapsed().as_secs_f64()).max(0.0),
        ))
    }

    /// Records the minibatch numbers (cheap, every chunk).
    fn record_stats(&mut self) {
        self.record.push_minibatch(&self.trainer);
        self.timeline.record(&self.trainer);
    }

    /// Records a row of exact metrics (once per published picture).
    fn record_analysis(&mut self, analysis: &Analysis) {
        if self.scrub.publishing {
            return;
        }
        let row = Row::measured(&self.trainer, analysis);
        self.record.push_exact(&self.trainer, row);
    }

    /// A picture of the run now: exact metrics, curves on a stable x range, samples.
    pub fn publish(&mut self) -> Published {
        if let Some(picture) = self.publish_side_by_side() {
            return picture;
        }
        if let Some(picture) = self.publish_moment() {
            return picture;
        }
        let model = self.trainer.model();
        let analysis = Analysis::new(&model, &options());
        self.record_analysis(&analysis);
        let view = self.update_view(&model);
        let curves = Analysis::new(
            &model,
            &AnalysisOptions {
                grid_points: 600,
                x_range: Some(view.into()),
                ..options()
            },
        );
        let m = self.trainer.settings().training.batch_size;
        let z: Vec<f64> = (0..m)
            .map(|_| model.noise.sample(&mut self.sampler))
            .collect();
        // The oracle's G descends through D*, so its samples feel D*'s forces.
        let forces = if self.oracle {
            crate::sim::forces::oracle_forces(&self.trainer, &z)
        } else {
            forces(&self.trainer, &z)
        };
        let generated = forces.x.clone();
        let ideal = Arc::new(IdealView::with_analysis(&model, &analysis, IDEAL_POINTS));
        let modes = coverage::mode_masses(&analysis, &model.target);
        let slow = (self.slow_on && !self.scrub.publishing).then(|| self.slow_picture(view));
        let real = (0..m)
            .map(|_| model.target.sample(&mut self.sampler))
            .collect();
        if !self.scrub.publishing
            && let Ok(mut film) = self.film.lock()
        {
            let iteration = self.trainer.counters().iteration;
            film.offer(iteration, || model.clone());
        }
        self.story.running = self.story_run.as_ref().map(|run| {
            let p = run.story.progress();
            StoryProgress {
                fraction: p.fraction,
                stage: p.stage,
                kind: if run.replay.is_some() {
                    StoryKind::Replay
                } else {
                    StoryKind::Scenario
                },
            }
        });
        let timeline = self.timeline_picture(view, &curves);
        Published {
            settings: self.trainer.settings().clone(),
            counters: self.trainer.counters(),
            stats: self.trainer.stats(),
            divergence: self.trainer.divergence().cloned(),
            playing: self.playing(),
            analysis,
            curves,
            view,
            generated,
            real,
            history: Arc::new(self.record.exact().clone()),
            minibatch_history: Arc::new(self.record.minibatch().clone()),
            markers: self.record.markers().into(),
            iterations_per_second: if self.playing() { self.rate } else { 0.0 },
            error: self.error.clone(),
            notice: self.notice.clone(),
            story: self.story.clone(),
            z,
            forces,
            ideal,
            modes,
            oracle: self.oracle,
            breakpoints: self.breakpoints.clone(),
            fired: self.fired,
            slow,
            compare: None,
            timeline,
            lesson: self.lesson_picture(),
        }
    }

    /// What slow motion shows: the last sub-step, with the curves before it when it
    /// changed G or D (computed once per sub-step and view).
    fn slow_picture(&mut self, view: ViewRange) -> SlowPicture {
        let before_model = self.last_sub.as_ref().and_then(|s| match &s.event {
            crate::sim::substep::Event::HeadStart { before, .. } => Some(before.as_ref().clone()),
            crate::sim::substep::Event::DiscriminatorUpdate(u) => Some(u.before.clone()),
            crate::sim::substep::Event::GeneratorUpdate { update, .. } => {
                Some(update.before.clone())
            }
            _ => None,
        });
        let before = before_model.map(|model| match &self.slow_before {
            Some((v, curves)) if *v == view => Arc::clone(curves),
            _ => {
                let curves = Arc::new(Analysis::new(
                    &model,
                    &AnalysisOptions {
                        grid_points: 600,
                        x_range: Some(view.into()),
                        ..options()
                    },
                ));
                self.slow_before = Some((view, Arc::clone(&curves)));
                curves
            }
        });
        let (progress, upcoming) = match &self.slow {
            Some(slow) if slow.is_current(&self.trainer) => (slow.progress(), slow.upcoming()),
            _ => ((0, 0), None),
        };
        SlowPicture {
            last: self.last_sub.clone(),
            before,
            progress,
            upcoming,
        }
    }

    /// The figure's x range (see [`crate::sim::view`]); it changes only when the densities
    /// leave it or fill less than a third of it, so the picture does not jitter.
    fn update_view(&mut self, model: &crate::sim::GanModel) -> ViewRange {
        let span = densities_span(model, &Framing::LIVE);
        let keep = self
            .view
            .filter(|view| view.contains(span) && span.width() >= view.width() / 3.0);
        let view = keep.unwrap_or_else(|| Framing::LIVE.frame(span));
        self.view = Some(view);
        view
    }
}

/// Side by side (see [`super::side_by_side`]): while it is on, the comparison takes play,
/// steps, pace and reset, and the run waits untouched, so leaving returns to it as it was.
impl Worker {
    /// Starts side by side with `spec` (replacing one under way), or with `None` leaves it.
    /// A refused spec changes nothing.
    fn set_side_by_side(&mut self, spec: Option<ComparisonSpec>) {
        let Some(spec) = spec else {
            self.side_by_side = None;
            self.restart_pacing();
            return;
        };
        let single = match &self.side_by_side {
            Some(running) => running.single.clone(),
            None => {
                self.playing = false;
                self.publish()
            }
        };
        match SideBySide::new(spec, single) {
            Ok(side_by_side) => self.side_by_side = Some(side_by_side),
            Err(e) => self.error = Some(format!("side by side not started: {e}")),
        }
    }

    /// Whether `command` is side by side's (starting or leaving it, or anything while it is
    /// on); applies it if so.
    fn side_by_side_handles(&mut self, command: &Command) -> bool {
        if let Command::Compare(spec) = command {
            self.set_side_by_side(spec.clone());
            return true;
        }
        let Some(side_by_side) = &mut self.side_by_side else {
            return false;
        };
        match command {
            Command::SetPlaying(on) => side_by_side.set_playing(*on),
            Command::StepIteration => self.notice = side_by_side.step(),
            Command::SetPace(pace) => {
                self.pace = *pace;
                side_by_side.restart_pacing();
            }
            Command::Reset => side_by_side.reset(),
            _ => {
                self.error = Some(
                    "side by side is on: its runs take Play, Step, the pace and Reset; leave it \
                     (C, or Stop side by side) to change the single run"
                        .to_owned(),
                );
            }
        }
        true
    }

    /// The picture while side by side is on: the single run as it was, with the runs.
    fn publish_side_by_side(&mut self) -> Option<Published> {
        let side_by_side = self.side_by_side.as_mut()?;
        let compare = side_by_side.publish();
        let mut picture = side_by_side.single.clone();
        picture.playing = compare.playing;
        picture.iterations_per_second = compare.iterations_per_second;
        picture.error.clone_from(&self.error);
        picture.notice.clone_from(&self.notice);
        picture.compare = Some(Arc::new(compare));
        picture.lesson = self.lesson_picture();
        Some(picture)
    }
}

/// The worker on its own thread: commands in, pictures out.
pub struct ThreadedWorker {
    commands: Sender<Command>,
    latest: Arc<Mutex<Option<Published>>>,
}

impl ThreadedWorker {
    /// Starts the thread; `wake` is called after each new picture (to request a repaint).
    /// Fails only if the system cannot start a thread.
    pub fn spawn(worker: Worker, wake: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel();
        let latest = Arc::new(Mutex::new(None));
        let out = Arc::clone(&latest);
        std::thread::Builder::new()
            .name("ganscope-trainer".into())
            .spawn(move || run_thread(worker, &rx, &out, &wake))?;
        Ok(Self {
            commands: tx,
            latest,
        })
    }

    /// Sends a command (ignored if the thread has ended).
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// The newest picture, if one arrived since the last call.
    pub fn take(&self) -> Option<Published> {
        self.latest.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// How often a running trainer publishes.
const PUBLISH_EVERY: Duration = Duration::from_millis(50);

fn run_thread(
    mut worker: Worker,
    rx: &Receiver<Command>,
    out: &Mutex<Option<Published>>,
    wake: &dyn Fn(),
) {
    let publish = |worker: &mut Worker| {
        let picture = worker.publish();
        if let Ok(mut slot) = out.lock() {
            *slot = Some(picture);
        }
        wake();
    };
    publish(&mut worker);
    let mut last = Instant::now();
    loop {
        // Idle: block until told something. Playing: drain and train.
        if !worker.busy() {
            match rx.recv() {
                Ok(cmd) => worker.handle(cmd),
                Err(_) => return,
            }
        }
        let mut changed = false;
        loop {
            match rx.try_recv() {
                Ok(cmd) => {
                    worker.handle(cmd);
                    changed = true;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        if worker.story_running() {
            worker.work(Duration::from_millis(40));
            if worker.story_paced() {
                std::thread::sleep(PUBLISH_EVERY);
            }
        } else if worker.playing() {
            worker.work(Duration::from_millis(10));
            if let Some(wait) = worker.next_due() {
                std::thread::sleep(wait.min(Duration::from_millis(10)));
            }
        }
        if changed || !worker.busy() || last.elapsed() >= PUBLISH_EVERY || worker.story_paced() {
            publish(&mut worker);
            last = Instant::now();
        }
    }
}
