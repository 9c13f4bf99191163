//! A lesson in the app: the worker plays each step at its pace until its condition,
//! then pauses and says so; Next, Back and Replay move between steps, each step starting
//! from the state stored at its start. Leaving the lesson puts the user's run back as it
//! was (the run, the pace, the oracle). The stepping itself is [`crate::sim::lesson`]'s.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::sim::lesson::{Lesson, Outcome, StepPlay, Train};
use crate::sim::pace::Pace;

use super::{SavedRun, Worker};

/// D or G steps alone play at least this many a second (a D-only step takes thousands).
const MIN_ALONE_RATE: f64 = 250.0;

/// What the UI shows of an open lesson.
#[derive(Clone, Debug)]
pub struct LessonPicture {
    /// The lesson.
    pub lesson: Arc<Lesson>,
    /// The step shown (0-based).
    pub index: usize,
    /// Whether the step is playing (not yet ended, not paused).
    pub running: bool,
    /// Fraction of the way to the step's count or budget.
    pub fraction: f64,
    /// How the step ended, once it has.
    pub outcome: Option<Outcome>,
    /// Units the step has used.
    pub units: u64,
}

/// An open lesson in the worker.
pub(super) struct Player {
    lesson: Arc<Lesson>,
    index: usize,
    /// The run at each step's start, up to the one shown.
    starts: Vec<SavedRun>,
    play: Option<StepPlay>,
    paused: bool,
    /// The user's run, pace and oracle before the lesson.
    before: SavedRun,
    pace_before: Pace,
    oracle_before: bool,
}

impl Worker {
    /// Opens `lesson` on the current seed (unless it fixes its own) and plays its first
    /// step; `None` leaves an open lesson. The lesson was checked whole when read.
    pub(super) fn open_lesson(&mut self, lesson: Option<Box<Lesson>>) {
        let Some(lesson) = lesson else {
            self.leave_lesson();
            return;
        };
        if self.lesson.is_some() {
            self.leave_lesson();
        }
        self.side_by_side = None;
        let before = self.save_run();
        let (pace_before, oracle_before) = (self.pace, self.oracle);
        let settings = lesson.start_on(Some(self.trainer.settings().seed));
        self.oracle = false;
        self.reset(settings);
        self.lesson = Some(Player {
            lesson: Arc::from(lesson),
            index: 0,
            starts: Vec::new(),
            play: None,
            paused: false,
            before,
            pace_before,
            oracle_before,
        });
        self.begin_step(0);
    }

    fn leave_lesson(&mut self) {
        let Some(player) = self.lesson.take() else {
            return;
        };
        self.side_by_side = None;
        self.put_back(player.before);
        self.pace = player.pace_before;
        self.oracle = player.oracle_before;
        self.restart_pacing();
        self.notice = Some("Left the lesson: the run is as it was before it".to_owned());
    }

    /// Starts step `index` from the run as it is now (storing it as the step's start).
    fn begin_step(&mut self, index: usize) {
        let Some(player) = self.lesson.as_mut() else {
            return;
        };
        player.starts.truncate(index);
        // The timeline is not copied (up to 32 MiB a step): going back to this start cuts
        // the live timeline back to it instead.
        let saved = SavedRun {
            trainer: self.trainer.clone(),
            record: self.record.clone(),
            film: self.film.lock().map(|f| f.clone()).unwrap_or_default(),
            run_id: self.run_id,
            timeline: crate::sim::timeline::Timeline::new(),
        };
        let Some(player) = self.lesson.as_mut() else {
            return;
        };
        player.starts.push(saved);
        player.index = index;
        player.paused = false;
        let step = player.lesson.steps[index].clone();
        let pace = player.lesson.pace_of(&step);
        self.side_by_side = None;
        match StepPlay::begin(&step, &mut self.trainer) {
            Ok(play) => {
                self.oracle = step.oracle;
                // A step without a pace of its own plays at the pace the user has chosen.
                if step.pace.is_some() {
                    self.pace = pace;
                }
                if let Some(name) = &step.compare {
                    let spec = crate::sim::compare::ComparisonSpec::named(name)
                        .map(|s| s.on_base(self.trainer.settings().clone()));
                    match spec {
                        Ok(spec) => {
                            self.set_side_by_side(Some(spec));
                            if let Some(s) = &mut self.side_by_side {
                                s.set_playing(true);
                            }
                        }
                        Err(e) => self.error = Some(e.to_string()),
                    }
                }
                if let Some(player) = self.lesson.as_mut() {
                    player.play = Some(play);
                }
            }
            Err(e) => self.error = Some(format!("the step could not start: {e}")),
        }
        self.playing = false;
        self.restart_pacing();
    }

    /// Back to the start of step `index` (restoring its state) and plays it again.
    fn restart_step(&mut self, index: usize) {
        let Some(player) = self.lesson.as_mut() else {
            return;
        };
        let Some(start) = player.starts.get(index) else {
            return;
        };
        let saved = SavedRun {
            trainer: start.trainer.clone(),
            record: start.record.clone(),
            film: start.film.clone(),
            run_id: start.run_id,
            timeline: std::mem::take(&mut self.timeline),
        };
        self.put_back(saved);
        self.timeline_back_to_trainer();
        self.begin_step(index);
    }

    /// The lesson's commands: next step, back to the previous one, replay this one.
    pub(super) fn lesson_command(&mut self, command: &super::Command) {
        use super::Command;
        let Some(player) = &self.lesson else {
            self.error =
                Some("no lesson is open (Lesson menu, or ganscope --lesson NAME)".to_owned());
            return;
        };
        let (index, steps) = (player.index, player.lesson.steps.len());
        match command {
            Command::LessonNext if index + 1 < steps => self.begin_step(index + 1),
            Command::LessonNext => {
                self.notice =
                    Some("That was the lesson's last step: <- goes back, R replays it".to_owned());
            }
            Command::LessonBack => self.restart_step(index.saturating_sub(1)),
            Command::LessonReplay => self.restart_step(index),
            _ => {}
        }
    }

    /// Pauses or resumes the step playing.
    pub(super) fn lesson_set_playing(&mut self, on: bool) {
        if let Some(player) = &mut self.lesson {
            player.paused = !on;
        }
        if let Some(s) = &mut self.side_by_side {
            s.set_playing(on);
        }
        self.restart_pacing();
    }

    /// Plays the step for up to `budget` at its pace; returns whether anything changed.
    pub(super) fn work_lesson(&mut self, budget: Duration) -> bool {
        let Some(player) = &mut self.lesson else {
            return false;
        };
        if player.paused {
            return false;
        }
        let Some(play) = player.play.as_mut() else {
            return false;
        };
        if play.outcome().is_some() {
            return false;
        }
        if let Some(side_by_side) = &mut self.side_by_side {
            let (ran, _) = side_by_side.work(budget, self.pace);
            let target = play.step().until.steps.unwrap_or(0);
            if side_by_side.iteration() >= target {
                side_by_side.set_playing(false);
                play.finish(Outcome::Reached(format!("steps={target}")));
            }
            return ran;
        }
        let start = Instant::now();
        let alone = play.step().train != Train::Both;
        let mut ran = false;
        while start.elapsed() < budget {
            let rate = self
                .pace
                .rate(self.trainer.counters().iteration)
                .map(|r| if alone { r.max(MIN_ALONE_RATE) } else { r });
            let chunk = if let Some(rate) = rate {
                if self.pace_clock > self.pace_start.elapsed().as_secs_f64() {
                    break;
                }
                self.pace_clock += 1.0 / rate;
                1
            } else {
                16
            };
            let ended = play.advance(&mut self.trainer, chunk).is_some();
            ran = true;
            self.record.push_minibatch(&self.trainer);
            self.timeline.record(&self.trainer);
            if ended {
                // The lesson bar says how the step ended.
                break;
            }
        }
        ran
    }

    /// Whether a lesson's step is playing (the worker has work without a command).
    pub(super) fn lesson_busy(&self) -> bool {
        self.lesson.as_ref().is_some_and(|p| {
            !p.paused && p.play.as_ref().is_some_and(|play| play.outcome().is_none())
        })
    }

    /// Whether a lesson is open.
    pub(super) fn lesson_open(&self) -> bool {
        self.lesson.is_some()
    }

    /// What the UI shows of the open lesson.
    pub(super) fn lesson_picture(&self) -> Option<Arc<LessonPicture>> {
        let player = self.lesson.as_ref()?;
        let play = player.play.as_ref();
        Some(Arc::new(LessonPicture {
            lesson: Arc::clone(&player.lesson),
            index: player.index,
            running: self.lesson_busy(),
            fraction: play.map_or(0.0, StepPlay::fraction),
            outcome: play.and_then(|p| p.outcome().cloned()),
            units: play.map_or(0, StepPlay::units),
        }))
    }
}
