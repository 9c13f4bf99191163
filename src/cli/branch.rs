//! `ganscope train --branch-at J --branch-set KEY=VALUE`: the app's "Continue from here",
//! scriptable. The run trains to iteration J, its whole state is taken (as a timeline
//! moment keeps it), the live settings change there and training goes on from that state.
//! Without `--branch-set` the output is the plain run's, bit for bit.

use ganscope::sim::settings::{Settings, TrainingSettings};
use ganscope::sim::trainer::Trainer;

use super::{Failure, usage};

/// Where a run branches, and the training settings it goes on with.
#[derive(Clone, Debug)]
pub struct Branch {
    /// The iteration of the branch.
    pub at: u64,
    /// Algorithm 1's settings after it.
    pub training: TrainingSettings,
    /// What changed, as the settings file names it, for the note on stderr.
    pub changes: String,
}

/// Checks `--branch-at` and `--branch-set` against the run before any work: J within
/// `--iters`, each assignment a valid live setting (one that needs no reset).
pub fn check(
    at: Option<u64>,
    assignments: &[String],
    iters: u64,
    settings: &Settings,
) -> Result<Option<Branch>, Failure> {
    let Some(at) = at else {
        return Ok(None);
    };
    if at > iters {
        return Err(usage(format!(
            "--branch-at {at}: must be at most --iters ({iters}), where the run ends"
        )));
    }
    let mut next = settings.clone();
    for assignment in assignments {
        next = next
            .with_override(assignment)
            .map_err(|e| usage(format!("--branch-set: {e}")))?;
    }
    if settings.needs_reset(&next) {
        return Err(usage(
            "--branch-set changes a setting that starts a new run (the model, the data, the \
             noise, the scaling or the seed): a branch keeps the networks, so only training.* \
             settings can change there",
        ));
    }
    let changes = settings
        .changes(&next)
        .iter()
        .map(|c| format!("{} {} -> {}", c.key, c.from, c.to))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Some(Branch {
        at,
        training: next.training,
        changes,
    }))
}

/// The run continued from `trainer`'s whole state with the branch's settings.
pub fn take(trainer: &Trainer, branch: &Branch) -> Result<Trainer, Failure> {
    let mut continued = Trainer::from_snapshot(&trainer.snapshot()).map_err(usage)?;
    continued
        .set_training(branch.training.clone())
        .map_err(|e| usage(format!("--branch-set: {e}")))?;
    let changed = if branch.changes.is_empty() {
        "nothing changed".to_owned()
    } else {
        branch.changes.clone()
    };
    eprintln!("ganscope: branched at iteration {}: {changed}", branch.at);
    Ok(continued)
}
