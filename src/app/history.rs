//! Metrics over the whole run in bounded memory: when full, every other row is dropped and
//! the recording stride doubles, so a run of millions of iterations keeps an even sample.
//!
//! Rows are placed on a *progress* axis rather than on the iteration count alone: steps taken
//! outside Algorithm 1's iterations (D trained alone in Figure 1's stage (b), a single D or G
//! step) leave the iteration count where it is, so each such step advances progress by one.
//! Without them progress is the iteration count itself.

use std::time::{Duration, Instant};

pub use crate::sim::record::Row;
use crate::sim::settings::Change;
use crate::sim::trainer::{Counters, Trainer};

/// Most rows kept.
pub const CAPACITY: usize = 2048;

/// Most setting-change markers kept (the newest).
pub const MAX_MARKERS: usize = 64;

/// Edits of the same settings less than this apart are one gesture (a slider being dragged
/// sends a change every frame) and make one marker.
pub const GESTURE: Duration = Duration::from_millis(1500);

/// Where a recorded moment sits in its run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Place {
    /// The metric plots' x: iterations completed plus one for each D or G step taken
    /// outside an iteration. Never decreases within a run (except by a rewind).
    pub progress: f64,
    /// The trainer's counters at that moment.
    pub counters: Counters,
}

impl Place {
    /// D and G updates applied: grows with every step, so it orders the moments of a run.
    pub fn updates(&self) -> u64 {
        self.counters.d_steps + self.counters.g_steps
    }

    /// Steps taken outside iterations up to here (progress beyond the iteration count).
    pub fn single_steps(&self) -> f64 {
        self.progress - self.counters.iteration as f64
    }

    /// The place of `now`, later in the same run, where each iteration took
    /// `steps_per_iteration` updates (k D steps + the G steps): every completed iteration
    /// counts one, every update beyond those of the iterations (D-only training, a single
    /// step, D's pre-training) counts one.
    pub fn advanced_to(self, now: Counters, steps_per_iteration: u64) -> Self {
        let iterations = now.iteration.saturating_sub(self.counters.iteration);
        let updates = (now.d_steps + now.g_steps).saturating_sub(self.updates());
        let single = updates.saturating_sub(iterations.saturating_mul(steps_per_iteration));
        Self {
            progress: self.progress + (iterations + single) as f64,
            counters: now,
        }
    }
}

/// Updates per iteration of Algorithm 1 under `trainer`'s settings: k D steps, then the G
/// steps.
fn steps_per_iteration(trainer: &Trainer) -> u64 {
    let t = &trainer.settings().training;
    u64::from(t.k) + u64::from(t.g_steps)
}

/// A decimating record of [`Row`]s, each with its [`Place`].
#[derive(Clone, Debug)]
pub struct History {
    rows: Vec<Row>,
    places: Vec<Place>,
    stride: u64,
}

impl Default for History {
    fn default() -> Self {
        Self {
            rows: Vec::with_capacity(CAPACITY),
            places: Vec::with_capacity(CAPACITY),
            stride: 1,
        }
    }
}

impl History {
    /// Records `row` at `place`. Rows off the current stride are provisional: the next push
    /// replaces them, so the record always reaches the present without growing. A row at the
    /// same progress as the last (nothing was trained in between) replaces it.
    pub fn push(&mut self, place: Place, row: Row) {
        if self.places.last().is_some_and(|last| {
            !self.on_stride(last) || last.progress.total_cmp(&place.progress).is_eq()
        }) {
            self.rows.pop();
            self.places.pop();
        }
        self.rows.push(row);
        self.places.push(place);
        if self.rows.len() >= CAPACITY {
            self.stride *= 2;
            let (Some(latest_row), Some(latest_place)) = (self.rows.pop(), self.places.pop())
            else {
                return;
            };
            let stride = self.stride;
            let keep: Vec<bool> = self
                .places
                .iter()
                .map(|p| (p.progress as u64).is_multiple_of(stride))
                .collect();
            self.retain_where(&keep);
            self.rows.push(latest_row);
            self.places.push(latest_place);
        }
    }

    fn on_stride(&self, place: &Place) -> bool {
        (place.progress as u64).is_multiple_of(self.stride)
    }

    /// Keeps the rows (and their places) whose `keep` entry is true.
    fn retain_where(&mut self, keep: &[bool]) {
        let mut flags = keep.iter();
        self.rows.retain(|_| flags.next().copied().unwrap_or(false));
        let mut flags = keep.iter();
        self.places
            .retain(|_| flags.next().copied().unwrap_or(false));
    }

    /// The recorded rows, oldest first.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The place of each row of [`Self::rows`].
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// Each row's progress with the number `value` reads from it, oldest first.
    pub fn points(&self, value: impl Fn(&Row) -> f64) -> impl Iterator<Item = [f64; 2]> {
        self.places
            .iter()
            .zip(&self.rows)
            .map(move |(place, row)| [place.progress, value(row)])
    }

    /// The last place recorded, if any.
    pub fn last_place(&self) -> Option<Place> {
        self.places.last().copied()
    }

    /// Forgets everything (a reset).
    pub fn clear(&mut self) {
        self.rows.clear();
        self.places.clear();
        self.stride = 1;
    }

    /// Drops rows recorded after `updates` D and G updates (a rewind).
    pub fn truncate_after(&mut self, updates: u64) {
        let keep: Vec<bool> = self.places.iter().map(|p| p.updates() <= updates).collect();
        self.retain_where(&keep);
    }

    /// The progress at which `iteration` was first reached: exact at recorded rows; between
    /// them, one unit of progress per iteration (a record without rows: the iteration).
    pub fn progress_of_iteration(&self, iteration: u64) -> f64 {
        let first_reaching = self
            .places
            .partition_point(|p| p.counters.iteration < iteration);
        let before = first_reaching
            .checked_sub(1)
            .and_then(|i| self.places.get(i));
        let from_before =
            |p: &Place| p.progress + iteration.saturating_sub(p.counters.iteration) as f64;
        match (before, self.places.get(first_reaching)) {
            (Some(before), Some(after)) => from_before(before).min(after.progress),
            (Some(before), None) => from_before(before),
            (None, Some(after)) => {
                after.progress - after.counters.iteration.saturating_sub(iteration) as f64
            }
            (None, None) => iteration as f64,
        }
    }

    /// The recorded row nearest to `progress` (the earlier of two as near) with its
    /// place, if any.
    pub fn row_near(&self, progress: f64) -> Option<(Place, Row)> {
        let after = self.places.partition_point(|p| p.progress < progress);
        let distance = |i: usize| {
            self.places
                .get(i)
                .map_or(f64::INFINITY, |p| (p.progress - progress).abs())
        };
        let nearest = match after.checked_sub(1) {
            Some(before) if distance(before) <= distance(after) => before,
            _ => after,
        };
        Some((*self.places.get(nearest)?, *self.rows.get(nearest)?))
    }

    /// The iteration count at `progress`: exact at recorded rows; between them, iterations
    /// advance one per unit of progress, but never beyond the next row's count.
    pub fn iteration_at(&self, progress: f64) -> f64 {
        let after = self.places.partition_point(|p| p.progress <= progress);
        let Some(before) = after.checked_sub(1).and_then(|i| self.places.get(i)) else {
            return progress;
        };
        let estimate = progress - before.single_steps();
        let upper = self
            .places
            .get(after)
            .map_or(f64::INFINITY, |p| p.counters.iteration as f64);
        estimate.max(before.counters.iteration as f64).min(upper)
    }

    /// Stretches of progress spent outside iterations (at least `min_steps` long), with
    /// which network trained in each.
    pub fn single_step_phases(&self, min_steps: f64) -> Vec<SingleStepPhase> {
        let mut phases: Vec<SingleStepPhase> = Vec::new();
        for pair in self.places.windows(2) {
            let [a, b] = pair else { continue };
            if b.counters.iteration != a.counters.iteration || b.progress <= a.progress {
                continue;
            }
            let trained = Trained::between(a.counters, b.counters);
            match phases.last_mut() {
                Some(last) if last.end == a.progress && last.trained == trained => {
                    last.end = b.progress;
                }
                _ => phases.push(SingleStepPhase {
                    start: a.progress,
                    end: b.progress,
                    iteration: a.counters.iteration,
                    trained,
                }),
            }
        }
        phases.retain(|p| p.end - p.start >= min_steps);
        phases
    }
}

/// Which networks a stretch of single steps trained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trained {
    /// D alone (G frozen).
    DiscriminatorOnly,
    /// G alone (D frozen).
    GeneratorOnly,
    /// Both, in single steps.
    Both,
}

impl Trained {
    fn between(a: Counters, b: Counters) -> Self {
        match (b.d_steps > a.d_steps, b.g_steps > a.g_steps) {
            (true, false) => Self::DiscriminatorOnly,
            (false, true) => Self::GeneratorOnly,
            _ => Self::Both,
        }
    }

    /// A short name for the plots.
    pub fn label(self) -> &'static str {
        match self {
            Self::DiscriminatorOnly => "D only",
            Self::GeneratorOnly => "G only",
            Self::Both => "single steps",
        }
    }
}

/// A stretch of progress with the iteration count standing still.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SingleStepPhase {
    /// Progress where it began.
    pub start: f64,
    /// Progress where it ended.
    pub end: f64,
    /// The iteration it happened at.
    pub iteration: u64,
    /// Which network trained.
    pub trained: Trained,
}

/// A live change of the training settings, drawn as a labelled vertical line.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Where the change was made.
    pub place: Place,
    /// What changed (from the value in force before to the new one).
    pub changes: Vec<Change>,
    /// When it was last edited (to join a slider's stream of edits into one marker).
    edited: Instant,
}

impl Marker {
    /// "learning rate D: 0.001 -> 0.01", changes joined by ", ".
    pub fn label(&self) -> String {
        // Strings are quoted in a settings file; the plot does not need the quotes.
        let bare = |v: &str| v.trim_matches('"').to_owned();
        self.changes
            .iter()
            .map(|c| format!("{}: {} -> {}", c.label, bare(&c.from), bare(&c.to)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The newest [`MAX_MARKERS`] live setting changes of a run, oldest first.
#[derive(Clone, Debug, Default)]
pub struct Markers {
    list: Vec<Marker>,
}

impl Markers {
    /// Records `changes` made at `place` at time `now`. Edits of the same settings within
    /// [`GESTURE`] of the last marker's join it (keeping where it began); a change edited
    /// back to where it started disappears.
    pub fn record(&mut self, place: Place, changes: Vec<Change>, now: Instant) {
        if changes.is_empty() {
            return;
        }
        if let Some(last) = self.list.last_mut()
            && now.saturating_duration_since(last.edited) < GESTURE
            && changes
                .iter()
                .all(|c| last.changes.iter().any(|l| l.key == c.key))
        {
            for change in changes {
                if let Some(same) = last.changes.iter_mut().find(|l| l.key == change.key) {
                    same.to = change.to;
                }
            }
            last.changes.retain(|c| c.from != c.to);
            last.edited = now;
            if last.changes.is_empty() {
                self.list.pop();
            }
            return;
        }
        self.list.push(Marker {
            place,
            changes,
            edited: now,
        });
        if self.list.len() > MAX_MARKERS {
            self.list.remove(0);
        }
    }

    /// The markers, oldest first.
    pub fn all(&self) -> &[Marker] {
        &self.list
    }

    /// Forgets them all (a new run).
    pub fn clear(&mut self) {
        self.list.clear();
    }

    /// Drops markers made after `updates` D and G updates (a rewind).
    pub fn truncate_after(&mut self, updates: u64) {
        self.list.retain(|m| m.place.updates() <= updates);
    }
}

/// Everything the metric plots draw of one run, kept in step: where the run is, its two
/// histories and its setting changes.
#[derive(Clone, Debug, Default)]
pub struct RunRecord {
    place: Place,
    minibatch: History,
    exact: History,
    markers: Markers,
}

impl RunRecord {
    /// Where the run is now (as of the last [`Self::follow`]).
    pub fn place(&self) -> Place {
        self.place
    }

    /// Moves the place to `trainer`'s counters. Called after every piece of training, so
    /// that the settings in force were the same throughout the piece.
    pub fn follow(&mut self, trainer: &Trainer) -> Place {
        self.place = self
            .place
            .advanced_to(trainer.counters(), steps_per_iteration(trainer));
        self.place
    }

    /// Records `trainer`'s minibatch numbers at its place now.
    pub fn push_minibatch(&mut self, trainer: &Trainer) {
        let place = self.follow(trainer);
        self.minibatch.push(place, Row::minibatch(trainer));
    }

    /// Records a row of exact metrics at `trainer`'s place now.
    pub fn push_exact(&mut self, trainer: &Trainer, row: Row) {
        let place = self.follow(trainer);
        self.exact.push(place, row);
    }

    /// Records live setting changes at the place now.
    pub fn mark(&mut self, changes: Vec<Change>, now: Instant) {
        self.markers.record(self.place, changes, now);
    }

    /// Minibatch losses and gradient norms, every piece of training.
    pub fn minibatch(&self) -> &History {
        &self.minibatch
    }

    /// Exact metrics, every published picture.
    pub fn exact(&self) -> &History {
        &self.exact
    }

    /// The live setting changes.
    pub fn markers(&self) -> &[Marker] {
        self.markers.all()
    }

    /// Forgets everything (a new run).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Goes back to `trainer`'s state, an earlier moment of this run (a rewind or a captured
    /// stage): drops what was recorded after it and places it after the last row kept.
    pub fn go_back_to(&mut self, trainer: &Trainer) {
        let updates = trainer.counters().d_steps + trainer.counters().g_steps;
        self.minibatch.truncate_after(updates);
        self.exact.truncate_after(updates);
        self.markers.truncate_after(updates);
        let kept = [self.minibatch.last_place(), self.exact.last_place()]
            .into_iter()
            .flatten()
            .max_by(|a, b| a.updates().cmp(&b.updates()));
        self.place = kept.unwrap_or_default();
        self.follow(trainer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_iteration(i: u64) -> Place {
        Place {
            progress: i as f64,
            counters: Counters {
                iteration: i,
                d_steps: i,
                g_steps: i,
            },
        }
    }

    #[test]
    fn a_million_iterations_stay_bounded_and_span_the_run() {
        let mut h = History::default();
        for i in 0..=1_000_000 {
            h.push(
                at_iteration(i),
                Row {
                    iteration: i as f64,
                    ..Row::default()
                },
            );
        }
        let rows = h.rows();
        assert!(rows.len() < CAPACITY, "{} rows", rows.len());
        assert!(rows.len() > CAPACITY / 4);
        assert_eq!(rows.len(), h.places().len());
        assert_eq!(rows.first().map(|r| r.iteration), Some(0.0));
        assert_eq!(rows.last().map(|r| r.iteration), Some(1_000_000.0));
        assert!(rows.windows(2).all(|w| w[0].iteration < w[1].iteration));
        assert!(
            h.places()
                .iter()
                .zip(rows)
                .all(|(p, r)| p.progress == r.iteration),
            "rows and places stay paired"
        );
    }

    #[test]
    fn d_only_steps_advance_progress_one_each_and_are_all_kept() {
        let mut h = History::default();
        let mut place = Place::default();
        let mut counters = Counters::default();
        for _ in 0..175 {
            counters.iteration += 1;
            counters.d_steps += 1;
            counters.g_steps += 1;
            place = place.advanced_to(counters, 2);
            h.push(place, Row::default());
        }
        assert_eq!(place.progress, 175.0);
        for k in 0..1000 {
            counters.d_steps += 1;
            place = place.advanced_to(counters, 2);
            h.push(
                place,
                Row {
                    d_loss: f64::from(k),
                    ..Row::default()
                },
            );
        }
        assert_eq!(place.progress, 1175.0);
        assert_eq!(place.single_steps(), 1000.0);
        assert_eq!(h.rows().len(), 1175);
        assert!(
            h.places().windows(2).all(|w| w[0].progress < w[1].progress),
            "progress is strictly increasing through the D-only phase"
        );
        assert_eq!(h.rows().last().map(|r| r.d_loss), Some(999.0));
        let phases = h.single_step_phases(10.0);
        assert_eq!(
            phases,
            vec![SingleStepPhase {
                start: 175.0,
                end: 1175.0,
                iteration: 175,
                trained: Trained::DiscriminatorOnly,
            }]
        );
        assert_eq!(h.iteration_at(600.0), 175.0);
        assert_eq!(h.iteration_at(100.0), 100.0);
        assert_eq!(h.progress_of_iteration(175), 175.0);
        assert_eq!(h.progress_of_iteration(100), 100.0);
        // The next iteration comes after the D-only phase.
        assert_eq!(h.progress_of_iteration(176), 1176.0);
    }

    #[test]
    fn a_chunk_of_iterations_counts_its_iterations_and_only_the_extra_steps() {
        let start = Place::default();
        // 16 iterations of k = 3 and one G step, after 100 D steps of pre-training.
        let now = Counters {
            iteration: 16,
            d_steps: 100 + 16 * 3,
            g_steps: 16,
        };
        let place = start.advanced_to(now, 4);
        assert_eq!(place.progress, 116.0);
        assert_eq!(place.single_steps(), 100.0);
    }

    #[test]
    fn nothing_trained_replaces_the_last_row() {
        let mut h = History::default();
        h.push(at_iteration(3), Row::default());
        h.push(
            at_iteration(3),
            Row {
                jsd: 0.5,
                ..Row::default()
            },
        );
        assert_eq!(h.rows().len(), 1);
        assert_eq!(h.rows().first().map(|r| r.jsd), Some(0.5));
    }

    #[test]
    fn truncating_keeps_what_came_before_the_rewound_state() {
        let mut h = History::default();
        for i in 0..=50 {
            h.push(at_iteration(i), Row::default());
        }
        h.truncate_after(at_iteration(20).updates());
        assert_eq!(h.last_place(), Some(at_iteration(20)));
        assert_eq!(h.rows().len(), 21);
    }

    fn change(key: &'static str, from: &str, to: &str) -> Change {
        Change {
            key,
            label: key,
            from: from.to_owned(),
            to: to.to_owned(),
        }
    }

    #[test]
    fn a_dragged_slider_makes_one_marker_and_a_later_edit_another() {
        let start = Instant::now();
        let mut markers = Markers::default();
        let lr = |from: &str, to: &str| vec![change("lr", from, to)];
        markers.record(at_iteration(10), lr("0.001", "0.002"), start);
        let soon = start + Duration::from_millis(100);
        markers.record(at_iteration(12), lr("0.002", "0.004"), soon);
        assert_eq!(markers.all().len(), 1);
        let first = markers.all().first().map(|m| (m.place, m.label()));
        assert_eq!(
            first,
            Some((at_iteration(10), "lr: 0.001 -> 0.004".to_owned()))
        );
        let later = soon + GESTURE * 2;
        markers.record(at_iteration(40), lr("0.004", "0.003"), later);
        assert_eq!(markers.all().len(), 2);
        // Another setting is another marker, however soon.
        let loss = vec![change("loss", "\"minimax\"", "\"hinge\"")];
        markers.record(at_iteration(41), loss, later);
        let labels: Vec<String> = markers.all().iter().map(Marker::label).collect();
        assert_eq!(
            labels.last().map(String::as_str),
            Some("loss: minimax -> hinge")
        );
        markers.truncate_after(at_iteration(39).updates());
        assert_eq!(markers.all().len(), 1);
    }

    #[test]
    fn a_change_dragged_back_leaves_no_marker_and_the_count_is_bounded() {
        let start = Instant::now();
        let mut markers = Markers::default();
        markers.record(at_iteration(1), vec![change("k", "1", "2")], start);
        markers.record(at_iteration(1), vec![change("k", "2", "1")], start);
        assert!(markers.all().is_empty());
        for i in 0..200 {
            let at = start + GESTURE * (i + 1);
            markers.record(at_iteration(u64::from(i)), vec![change("k", "1", "2")], at);
        }
        assert_eq!(markers.all().len(), MAX_MARKERS);
        let first = markers.all().first().map(|m| m.place.counters.iteration);
        assert_eq!(first, Some(200 - MAX_MARKERS as u64), "the newest are kept");
    }
}
