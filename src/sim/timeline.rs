//! The run's timeline: a bounded record of *moments*, each a full [`Snapshot`] of the
//! trainer (G, D, both optimisers' states, the random generator, the counters, the
//! statistics and the settings) at an iteration count, from which the run can be shown
//! again or continued bit for bit ([`Trainer::from_snapshot`]).
//!
//! Memory stays bounded however long the run, by the metric record's rule (see
//! `app::history`): a moment is kept at each multiple of a *spacing* (its "bucket":
//! `iteration / spacing`), and when the record would hold more than [`MAX_MOMENTS`]
//! moments or more than [`MAX_BYTES`] bytes, the spacing doubles and every moment but the
//! first of its new bucket is dropped. The first moment and the latest are always kept, so
//! the record always reaches from the start of the run to (within one spacing of) now,
//! evenly sampled in between.
//!
//! Bytes per moment (counted by [`moment_bytes`] from the buffers' lengths): the fig1
//! preset's networks (G and D both 32 wide, depth 2) have 1153 parameters each, so a
//! moment holds 3 f32 buffers per network (parameters, first and second moment of the
//! optimiser), 27 672 bytes of them, plus the snapshot itself: 28 280 bytes in all (as
//! built on 2026-12-01), so the 1024 moments of a full record come to 27.6 MiB, under
//! [`MAX_BYTES`]. (The test `fig1_moments_fit_the_byte_bound` checks these figures.)
//!
//! The one case the byte bound cannot hold: when a single moment is larger than half of
//! [`MAX_BYTES`] (networks of more than about 700 000 parameters together), the record
//! keeps the first and the latest moment anyway, so it holds at most two moments.

use super::distribution::Target;
use super::trainer::{Snapshot, Trainer};

/// Most moments kept.
pub const MAX_MOMENTS: usize = 1024;

/// Most bytes the moments may hold (see the module's note on very large networks).
pub const MAX_BYTES: usize = 32 << 20;

/// One recorded moment of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Moment {
    /// Completed iterations at the moment.
    pub iteration: u64,
    /// The whole state then: [`Trainer::from_snapshot`] continues the run from it exactly.
    pub snapshot: Snapshot,
}

/// Bytes one moment of this snapshot holds: the struct itself, the parameters and both
/// optimiser buffers of G and D (f32 each), and a mixture target's component lists.
pub fn moment_bytes(snapshot: &Snapshot) -> usize {
    let settings = snapshot.settings();
    let params =
        settings.generator.shape().param_count() + settings.discriminator.shape().param_count();
    let mixture = match &settings.target {
        Target::Mixture {
            weights,
            means,
            stds,
        } => (weights.len() + means.len() + stds.len()) * size_of::<f64>(),
        Target::Gaussian { .. } | Target::Uniform { .. } => 0,
    };
    size_of::<Moment>() + 3 * params * size_of::<f32>() + mixture
}

/// A bounded, thinned record of moments, oldest first.
#[derive(Clone, Debug)]
pub struct Timeline {
    moments: Vec<Moment>,
    /// Iterations per bucket: one moment is kept per bucket.
    spacing: u64,
    bytes: usize,
}

impl Default for Timeline {
    fn default() -> Self {
        Self::new()
    }
}

impl Timeline {
    /// An empty record at a spacing of one iteration.
    pub fn new() -> Self {
        Self {
            moments: Vec::new(),
            spacing: 1,
            bytes: 0,
        }
    }

    /// Records `trainer`'s state if its iteration count has entered a bucket after the
    /// latest moment's (or the record is empty); thins the record if it would then exceed
    /// its bounds. A stopped (diverged) run is not recorded. Returns whether a moment was
    /// recorded.
    pub fn record(&mut self, trainer: &Trainer) -> bool {
        let iteration = trainer.counters().iteration;
        if trainer.divergence().is_some() {
            return false;
        }
        if let Some(last) = self.moments.last()
            && iteration / self.spacing <= last.iteration / self.spacing
        {
            return false;
        }
        self.push(Moment {
            iteration,
            snapshot: trainer.snapshot(),
        });
        true
    }

    /// Appends a moment (later than the latest) and restores the bounds.
    fn push(&mut self, moment: Moment) {
        self.bytes += moment_bytes(&moment.snapshot);
        self.moments.push(moment);
        while (self.moments.len() > MAX_MOMENTS || self.bytes > MAX_BYTES) && self.moments.len() > 2
        {
            self.thin();
        }
    }

    /// Doubles the spacing and keeps the first moment of each new bucket, and the latest.
    fn thin(&mut self) {
        self.spacing = self.spacing.saturating_mul(2);
        let spacing = self.spacing;
        let last = self.moments.len() - 1;
        let mut previous: Option<u64> = None;
        let mut index = 0;
        self.moments.retain(|m| {
            let bucket = m.iteration / spacing;
            let keep = index == last || previous != Some(bucket);
            if keep {
                previous = Some(bucket);
            }
            index += 1;
            keep
        });
        self.bytes = self.moments.iter().map(|m| moment_bytes(&m.snapshot)).sum();
    }

    /// Number of moments.
    pub fn len(&self) -> usize {
        self.moments.len()
    }

    /// Whether no moment is recorded.
    pub fn is_empty(&self) -> bool {
        self.moments.is_empty()
    }

    /// Iterations between kept moments now.
    pub fn spacing(&self) -> u64 {
        self.spacing
    }

    /// Bytes the moments hold (see [`moment_bytes`]).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Moment `i`, oldest first.
    pub fn moment(&self, i: usize) -> Option<&Moment> {
        self.moments.get(i)
    }

    /// The moments, oldest first.
    pub fn moments(&self) -> &[Moment] {
        &self.moments
    }

    /// Each moment's iteration count, oldest first.
    pub fn iterations(&self) -> Vec<u64> {
        self.moments.iter().map(|m| m.iteration).collect()
    }

    /// The index of the moment nearest to `iteration` (the earlier of two as near).
    pub fn nearest(&self, iteration: u64) -> Option<usize> {
        let after = self.moments.partition_point(|m| m.iteration < iteration);
        let distance = |i: usize| self.moments.get(i).map(|m| m.iteration.abs_diff(iteration));
        match (after.checked_sub(1), distance(after)) {
            (Some(before), Some(d)) if distance(before).is_some_and(|b| b <= d) => Some(before),
            (_, Some(_)) => Some(after),
            (Some(before), None) => Some(before),
            (None, None) => None,
        }
    }

    /// Drops the moments after `iteration` (a branch or a rewind goes back there).
    pub fn truncate_after(&mut self, iteration: u64) {
        self.moments.retain(|m| m.iteration <= iteration);
        self.bytes = self.moments.iter().map(|m| moment_bytes(&m.snapshot)).sum();
    }

    /// Forgets every moment and starts again at a spacing of one (a new run).
    pub fn clear(&mut self) {
        *self = Self::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::settings::Settings;

    fn fig1() -> Trainer {
        let settings = Settings::preset("fig1").expect("fig1 exists");
        Trainer::new(settings).expect("fig1 is valid")
    }

    #[test]
    fn a_run_records_one_moment_per_bucket() {
        let mut trainer = fig1();
        let mut timeline = Timeline::new();
        assert!(timeline.record(&trainer));
        assert!(!timeline.record(&trainer), "the same iteration twice");
        trainer.run(3).expect("trains");
        assert!(timeline.record(&trainer));
        assert_eq!(timeline.iterations(), vec![0, 3]);
        assert_eq!(timeline.nearest(1), Some(0));
        assert_eq!(timeline.nearest(2), Some(1));
        assert_eq!(timeline.nearest(100), Some(1));
        timeline.truncate_after(2);
        assert_eq!(timeline.iterations(), vec![0]);
        assert_eq!(timeline.bytes(), moment_bytes(&trainer.snapshot()));
        timeline.clear();
        assert!(timeline.is_empty());
        assert_eq!(timeline.nearest(5), None);
    }

    #[test]
    fn fig1_moments_fit_the_byte_bound() {
        let trainer = fig1();
        let s = trainer.settings();
        assert_eq!(s.generator.shape().param_count(), 1153);
        assert_eq!(s.discriminator.shape().param_count(), 1153);
        let bytes = moment_bytes(&trainer.snapshot());
        assert_eq!(bytes - size_of::<Moment>(), 27_672);
        assert!(bytes * MAX_MOMENTS <= MAX_BYTES, "{bytes} bytes a moment");
        // The struct itself (the settings are most of it) adds a few hundred bytes.
        assert!((28_000..29_000).contains(&bytes), "{bytes} bytes a moment");
    }
}
