//! The worker's side of the timeline (see [`crate::sim::timeline`]): showing a recorded
//! moment while the live run waits, branching from it, and the onion skin.

use std::sync::Arc;

use super::{Command, Published, Worker, options};
use crate::app::timeline_view::{OnionCurve, TimelinePicture, step_target};
use crate::sim::analysis::{Analysis, AnalysisOptions};
use crate::sim::trainer::Trainer;
use crate::sim::view::ViewRange;

/// Earlier moments the onion skin shows.
pub const ONION_MOMENTS: usize = 4;

/// The onion curves last computed, with the view and the moments they are of.
type OnionCache = (ViewRange, Vec<u64>, Arc<[OnionCurve]>);

/// What the timeline shows.
#[derive(Debug, Default)]
pub struct Scrub {
    /// The moment shown instead of the live run, if any.
    pub(super) at: Option<usize>,
    /// Whether a moment's picture is being made (the trainer is then the moment's, and
    /// nothing may be recorded from it).
    pub(super) publishing: bool,
    /// Whether the onion skin is on.
    onion: bool,
    onion_cache: Option<OnionCache>,
}

/// The moments the onion skin shows before moment `shown` (the live end: the number of
/// moments), nearest first: [`ONION_MOMENTS`] of them spread over the latest half of the
/// moments before it (the last few, early in a run).
pub fn onion_picks(shown: usize) -> Vec<usize> {
    let step = (shown / (2 * ONION_MOMENTS)).max(1);
    (1..=ONION_MOMENTS)
        .filter_map(|j| shown.checked_sub(j * step))
        .collect()
}

impl Worker {
    /// Whether `command` is the timeline's (applies it if so). Any other command that
    /// changes the live run first goes back to it from a moment shown.
    pub(super) fn timeline_handles(&mut self, command: &Command) -> bool {
        match command {
            Command::Scrub(at) => self.scrub_to(*at),
            Command::ContinueFromScrub => self.continue_from_scrub(),
            Command::SetOnionSkin(on) => self.scrub.onion = *on,
            Command::ScrubStep(delta) => {
                let iterations = self.timeline.iterations();
                let live = self.trainer.counters().iteration;
                let target = step_target(&iterations, self.scrub.at, live, *delta);
                if target != self.scrub.at {
                    self.scrub_to(target);
                }
            }
            Command::SetPace(_)
            | Command::SetBreakpoints(_)
            | Command::SetOracle(_)
            | Command::SetPlaying(false) => return false,
            _ => {
                if self.scrub.at.take().is_some() {
                    let live = self.trainer.counters().iteration;
                    self.notice = Some(if matches!(command, Command::SetPlaying(true)) {
                        format!(
                            "Playing on from the live end (iteration {live}); to go on from the moment shown, press Continue from here (B)"
                        )
                    } else {
                        format!("Back to the live run (iteration {live})")
                    });
                }
                return false;
            }
        }
        true
    }

    /// Shows moment `at` (pausing the live run), or the live run again.
    fn scrub_to(&mut self, at: Option<usize>) {
        match at {
            Some(i) if i >= self.timeline.len() => {
                self.error = Some(format!(
                    "no moment {i} on the timeline: it holds {} (0 to {})",
                    self.timeline.len(),
                    self.timeline.len().saturating_sub(1)
                ));
            }
            Some(i) => {
                self.playing = false;
                self.scrub.at = Some(i);
            }
            None => {
                if self.scrub.at.take().is_some() {
                    self.notice = Some(format!(
                        "Back to the live run (iteration {}, paused: Space plays)",
                        self.trainer.counters().iteration
                    ));
                }
            }
        }
    }

    /// The run becomes the moment shown, exactly as it was then; what was recorded after
    /// it (moments, metrics, setting changes) is dropped.
    fn continue_from_scrub(&mut self) {
        let Some(moment) = self.scrub.at.and_then(|i| self.timeline.moment(i)) else {
            self.error = Some(
                "no moment to continue from: pick one on the timeline first (, and . step)"
                    .to_owned(),
            );
            return;
        };
        let iteration = moment.iteration;
        match Trainer::from_snapshot(&moment.snapshot) {
            Ok(trainer) => {
                let dropped = self.timeline.len() - 1 - self.scrub.at.unwrap_or(0);
                let live = self.trainer.counters().iteration;
                self.trainer = trainer;
                self.record.go_back_to(&self.trainer);
                self.timeline_back_to_trainer();
                self.playing = false;
                self.slow = None;
                self.last_sub = None;
                self.fired = None;
                self.holding.iter_mut().for_each(|h| *h = false);
                self.restart_pacing();
                self.notice = Some(format!(
                    "Branched at iteration {iteration}: the run goes on from there exactly as it was (iterations {iteration} to {live} and {dropped} later moments dropped)"
                ));
            }
            Err(e) => self.error = Some(format!("cannot continue from that moment: {e}")),
        }
    }

    /// After the trainer went back in its run (a rewind, a captured stage, a branch):
    /// drops the moments after it and shows the live run.
    pub(super) fn timeline_back_to_trainer(&mut self) {
        self.timeline
            .truncate_after(self.trainer.counters().iteration);
        self.scrub.at = None;
    }

    /// The picture of the moment shown, if one is: the figure, arrows and numbers of that
    /// moment, with the live run's settings (the controls act on the live run) and its
    /// metric record, the moment marked on it.
    pub(super) fn publish_moment(&mut self) -> Option<Published> {
        if self.scrub.publishing {
            return None;
        }
        let moment = self.timeline.moment(self.scrub.at?)?;
        let shown = match Trainer::from_snapshot(&moment.snapshot) {
            Ok(trainer) => trainer,
            Err(e) => {
                self.error = Some(format!("cannot show that moment: {e}"));
                self.scrub.at = None;
                return None;
            }
        };
        let live = std::mem::replace(&mut self.trainer, shown);
        self.scrub.publishing = true;
        let mut picture = self.publish();
        self.scrub.publishing = false;
        self.trainer = live;
        picture.settings = self.trainer.settings().clone();
        picture.playing = false;
        picture.iterations_per_second = 0.0;
        picture.divergence = None;
        picture.timeline.live_iteration = self.trainer.counters().iteration;
        Some(picture)
    }

    /// The timeline's part of the picture of the trainer now (the moment's, while one
    /// is shown), with the onion curves on the figure's grid when the skin is on.
    pub(super) fn timeline_picture(
        &mut self,
        view: ViewRange,
        curves: &Analysis,
    ) -> TimelinePicture {
        let shown = self.scrub.at.unwrap_or(self.timeline.len());
        let onion = if self.scrub.onion {
            self.onion_curves(view, curves, shown)
        } else {
            Arc::from([])
        };
        TimelinePicture {
            iterations: self.timeline.iterations().into(),
            scrub: self.scrub.at,
            shown_iteration: self.trainer.counters().iteration,
            live_iteration: self.trainer.counters().iteration,
            onion_on: self.scrub.onion,
            onion,
            bytes: self.timeline.bytes(),
        }
    }

    /// p_g of the onion skin's moments on `curves`' grid (computed once per set of moments
    /// and view).
    fn onion_curves(
        &mut self,
        view: ViewRange,
        curves: &Analysis,
        shown: usize,
    ) -> Arc<[OnionCurve]> {
        let moments: Vec<_> = onion_picks(shown)
            .into_iter()
            .filter_map(|i| self.timeline.moment(i))
            .collect();
        let iterations: Vec<u64> = moments.iter().map(|m| m.iteration).collect();
        if let Some((v, its, onion)) = &self.scrub.onion_cache
            && *v == view
            && *its == iterations
        {
            return Arc::clone(onion);
        }
        let opts = AnalysisOptions {
            grid_points: curves.x.len(),
            x_range: Some(view.into()),
            ..options()
        };
        let onion: Arc<[OnionCurve]> = moments
            .iter()
            .map(|m| OnionCurve {
                iteration: m.iteration,
                p_g: Analysis::new(&m.snapshot.model(), &opts).p_g,
            })
            .collect();
        self.scrub.onion_cache = Some((view, iterations, Arc::clone(&onion)));
        onion
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_onion_skin_spreads_over_the_latest_half() {
        assert_eq!(onion_picks(0), Vec::<usize>::new());
        assert_eq!(onion_picks(2), vec![1, 0]);
        assert_eq!(onion_picks(10), vec![9, 8, 7, 6]);
        assert_eq!(onion_picks(1024), vec![896, 768, 640, 512]);
    }
}
