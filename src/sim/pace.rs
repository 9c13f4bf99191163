//! How fast a run plays for people watching it: iterations per second as a function of
//! how far the run has got. A lesson's first iterations, where most happens, go in slow
//! motion; later ones, where change is subtle, go faster.

use serde::{Deserialize, Serialize};

/// A pace: the rate at each iteration, or as fast as the machine goes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pace {
    /// The same number of iterations every second.
    Steady(f64),
    /// `start` iterations per second at iteration 0, `gain` more for every further
    /// iteration, at most `max`: rate(n) = min(start + gain·n, max). Reaching iteration N
    /// takes (1/gain)·ln(1 + gain·N/start) seconds while below `max`.
    Ramp {
        /// Iterations per second at iteration 0.
        start: f64,
        /// Added iterations per second per iteration.
        gain: f64,
        /// The fastest rate.
        max: f64,
    },
    /// No pacing.
    Fastest,
}

impl Pace {
    /// Iterations per second at `iteration`, or `None` for as fast as possible.
    pub fn rate(&self, iteration: u64) -> Option<f64> {
        match *self {
            Self::Steady(rate) => Some(rate.max(1e-3)),
            Self::Ramp { start, gain, max } => {
                Some((start + gain * iteration as f64).min(max).max(1e-3))
            }
            Self::Fastest => None,
        }
    }

    /// Seconds this pace takes from iteration `from` to iteration `to` (0 without pacing).
    pub fn seconds_between(&self, from: u64, to: u64) -> f64 {
        (from..to)
            .map(|n| self.rate(n).map_or(0.0, |r| 1.0 / r))
            .sum()
    }
}

/// The paces a user chooses from by name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaceChoice {
    /// Two iterations a second: each step can be followed.
    SlowMotion,
    /// The lesson's own pace (each preset has one): its story over tens of seconds.
    #[default]
    Lecture,
    /// A thousand iterations a second.
    Fast,
    /// As fast as the machine goes.
    Fastest,
}

impl PaceChoice {
    /// Every choice, slowest first.
    pub const ALL: [Self; 4] = [Self::SlowMotion, Self::Lecture, Self::Fast, Self::Fastest];

    /// Its name on the button.
    pub fn name(self) -> &'static str {
        match self {
            Self::SlowMotion => "slow motion",
            Self::Lecture => "lecture",
            Self::Fast => "fast",
            Self::Fastest => "fastest",
        }
    }

    /// What it does, in one line.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::SlowMotion => "2 iterations a second: each step of Algorithm 1 can be followed",
            Self::Lecture => {
                "The lesson's own pace: its story plays out over tens of seconds (each preset has one)"
            }
            Self::Fast => "1 000 iterations a second",
            Self::Fastest => "As fast as the machine goes",
        }
    }

    /// The pace this choice means for a lesson whose own pace is `lesson`.
    pub fn pace(self, lesson: Pace) -> Pace {
        match self {
            Self::SlowMotion => Pace::Steady(2.0),
            Self::Lecture => lesson,
            Self::Fast => Pace::Steady(1000.0),
            Self::Fastest => Pace::Fastest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ramp_takes_the_time_its_closed_form_says() {
        let ramp = Pace::Ramp {
            start: 2.0 / 3.0,
            gain: 1.0 / 9.0,
            max: 1e9,
        };
        for n in [10_u64, 100, 1000] {
            // The sum over iterations is a left Riemann sum of the integral.
            let closed = 9.0 * (1.0 + n as f64 / 6.0).ln();
            let summed = ramp.seconds_between(0, n);
            assert!(
                summed >= closed && summed < closed * 1.15,
                "{n}: {summed} vs {closed}"
            );
        }
        assert_eq!(Pace::Steady(4.0).seconds_between(0, 8), 2.0);
        assert_eq!(Pace::Fastest.seconds_between(0, 8), 0.0);
    }
}
