//! The two thought experiments of the lecture view of GANs as structured learning: can
//! either player learn the distribution without the other?
//!
//! *Can the generator learn alone?* G is trained by regression instead of through D: its
//! step draws m noise values and m data values, pairs them, and descends the mean squared
//! error (1/m) Σ (G(z_i) − x_i)². Random pairs ([`GObjective::L2Random`]) carry no
//! information about which x belongs to which z, so the best G is the conditional mean
//! E[x | z] = E[x] for every z: p_g collapses to a point at the data's mean (the "blur" of a
//! regression model). Pairs made by rank ([`GObjective::L2Ranked`]: both minibatches
//! sorted, the i-th smallest z with the i-th smallest x, what an encoder that kept the
//! order would give) teach the monotone map T*(z) = F_data⁻¹(F_z(z)), which in one
//! dimension is the right answer: p_g = p_data.
//!
//! *Can the discriminator generate alone?* ([`GObjective::DAscent`]) G's network is not
//! used. The samples D is trained against (its negatives) are made by gradient ascent on
//! D's raw output (the logit) from starts x₀ drawn uniformly over [`START_SPREAD`] standard
//! deviations either side of the data's mean. The negatives are made afresh every
//! `training.ascent_round` D steps (a round) from the D of that moment and kept fixed
//! within the round: "retrain D with those samples as negatives". The first round's
//! negatives are the random starts themselves (nothing has been learned to ascend yet).
//! For the figure, p_g is the law of the ascent's end point from a uniform start, under
//! the current D (see [`AscentMap`]): every start flows to one of D's maxima.
//!
//! The ascent works in the data's standard units s = (x − mean)/std, so its constants
//! suit any target: [`ASCENT_STEPS`] steps of s ← s + [`ASCENT_RATE`]·dl/ds, each move
//! capped at [`ASCENT_MAX_MOVE`], with s kept inside the start box (a projected ascent:
//! D's maximum over the region the starts come from).

use serde::{Deserialize, Serialize};

use super::distribution::{Noise, Target};
use super::float::Real;
use super::mlp::Mlp;

/// How G learns (or whether there is a G at all).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GObjective {
    /// Through D, under the run's loss: the GAN.
    #[default]
    Adversarial,
    /// Regression on randomly paired (z, x): learns E[x], the blur.
    L2Random,
    /// Regression on (z, x) paired by rank: learns the monotone map T*.
    L2Ranked,
    /// No G: D's negatives are made by ascending D from random starts.
    DAscent,
}

impl GObjective {
    /// Every objective, for menus and tests.
    pub const ALL: [Self; 4] = [
        Self::Adversarial,
        Self::L2Random,
        Self::L2Ranked,
        Self::DAscent,
    ];

    /// The name used in settings files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Adversarial => "adversarial",
            Self::L2Random => "l2-random",
            Self::L2Ranked => "l2-ranked",
            Self::DAscent => "d-ascent",
        }
    }

    /// The app's words for it (ASCII, for the UI font).
    pub fn label(self) -> &'static str {
        match self {
            Self::Adversarial => "adversarial (through D)",
            Self::L2Random => "L2, random pairs",
            Self::L2Ranked => "L2, ranked pairs",
            Self::DAscent => "no G: ascend D",
        }
    }

    /// Whether G is trained through D (the only case slow motion and the oracle D show).
    pub fn is_adversarial(self) -> bool {
        self == Self::Adversarial
    }
}

impl std::fmt::Display for GObjective {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Gradient-ascent steps from each start.
pub const ASCENT_STEPS: usize = 100;
/// Step size of the ascent in the data's standard units per unit of dl/ds.
pub const ASCENT_RATE: f64 = 0.1;
/// Largest move of one ascent step, in the data's standard deviations.
pub const ASCENT_MAX_MOVE: f64 = 0.25;
/// The starts are uniform over the data's mean ± this many standard deviations, and the
/// ascent stays inside that box.
pub const START_SPREAD: f64 = 4.0;
/// Starts whose ascent the figure's p_g interpolates between (see [`AscentMap`]).
pub const MAP_STARTS: usize = 512;

/// The regression loss (1/m) Σ (g_i − x_i)² of G's outputs `fake` against their paired
/// data `real` (both in network units); writes ∂L/∂g_i = 2 (g_i − x_i)/m into `grad`.
pub fn regression_loss<T: Real>(fake: &[T], real: &[T], grad: &mut [T]) -> f64 {
    assert_eq!(
        fake.len(),
        real.len(),
        "one data value per generated sample"
    );
    assert_eq!(fake.len(), grad.len(), "one gradient per generated sample");
    let m = fake.len().max(1) as f64;
    let two_over_m = T::lit(2.0 / m);
    let mut total = 0.0;
    for ((g, &f), &r) in grad.iter_mut().zip(fake).zip(real) {
        let e = f - r;
        total += e.as_f64() * e.as_f64();
        *g = two_over_m * e;
    }
    total / m
}

/// Pairs a noise minibatch with a data minibatch by rank: both sorted ascending, so the
/// i-th smallest z meets the i-th smallest x.
pub fn pair_by_rank<T: Real>(z: &mut [T], x: &mut [T]) {
    z.sort_by(|a, b| a.as_f64().total_cmp(&b.as_f64()));
    x.sort_by(|a, b| a.as_f64().total_cmp(&b.as_f64()));
}

/// The coordinates the ascent works in, and D's input scaling.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AscentFrame {
    /// The data's mean.
    pub mean: f64,
    /// The data's standard deviation.
    pub std: f64,
    /// D's input is (x − shift)/scale.
    pub shift: f64,
    /// See `shift`.
    pub scale: f64,
}

impl AscentFrame {
    /// The frame for `target` with D's input scaling (shift, scale).
    pub fn new(target: &Target, (shift, scale): (f64, f64)) -> Self {
        Self {
            mean: target.mean(),
            std: target.std().max(f64::MIN_POSITIVE),
            shift,
            scale,
        }
    }

    /// The start box in data units: mean ± [`START_SPREAD`]·std.
    pub fn start_range(&self) -> (f64, f64) {
        (
            self.mean - START_SPREAD * self.std,
            self.mean + START_SPREAD * self.std,
        )
    }

    /// The start at u ∈ [0, 1] of the box, in data units.
    pub fn start(&self, u: f64) -> f64 {
        let (lo, hi) = self.start_range();
        lo + (hi - lo) * u.clamp(0.0, 1.0)
    }

    /// Runs the ascent on D's raw output from each of `x` (data units, in place).
    pub fn ascend<T: Real>(&self, d: &Mlp<T>, x: &mut [f64]) {
        let mut s: Vec<f64> = x.iter().map(|x| (x - self.mean) / self.std).collect();
        let mut input = vec![T::zero(); s.len()];
        // dl/ds = dl/du · du/dx · dx/ds with u = (x − shift)/scale, x = mean + std·s.
        let chain = self.std / self.scale;
        for _ in 0..ASCENT_STEPS {
            for (u, &s) in input.iter_mut().zip(&s) {
                *u = T::lit((self.mean + self.std * s - self.shift) / self.scale);
            }
            let (_, slope) = d.eval_with_slope(&input);
            for (s, dl) in s.iter_mut().zip(slope) {
                let step =
                    (ASCENT_RATE * chain * dl.as_f64()).clamp(-ASCENT_MAX_MOVE, ASCENT_MAX_MOVE);
                // A non-finite slope leaves the point where it is.
                let step = if step.is_finite() { step } else { 0.0 };
                *s = (*s + step).clamp(-START_SPREAD, START_SPREAD);
            }
        }
        for (x, s) in x.iter_mut().zip(s) {
            *x = self.mean + self.std * s;
        }
    }
}

/// "D generates alone" as a map from noise to data: z ↦ u = F_z(z) ↦ start x₀(u) ↦ the
/// ascent's end point. The ascent runs once, from [`MAP_STARTS`] starts at the centres of
/// equal cells of u, and the map interpolates linearly between neighbouring starts, so the
/// figure's p_g (the exact pushforward of this piecewise-linear map) costs one ascent per
/// model, not one per z the analysis asks about.
#[derive(Clone, Debug)]
pub struct AscentMap {
    /// The ascent's end points (data units) from the starts at u = (i + ½)/n.
    ends: Vec<f64>,
}

impl AscentMap {
    /// The map under discriminator `d`.
    pub fn new<T: Real>(frame: &AscentFrame, d: &Mlp<T>) -> Self {
        let n = MAP_STARTS;
        let mut ends: Vec<f64> = (0..n)
            .map(|i| frame.start((i as f64 + 0.5) / n as f64))
            .collect();
        frame.ascend(d, &mut ends);
        Self { ends }
    }

    /// The end points from the map's starts.
    pub fn ends(&self) -> &[f64] {
        &self.ends
    }

    /// (the segment index i, its fraction t) for u: between starts i and i + 1.
    fn locate(&self, u: f64) -> (usize, f64) {
        let n = self.ends.len();
        let pos = (u * n as f64 - 0.5).clamp(0.0, (n - 1) as f64);
        let i = (pos.floor() as usize).min(n.saturating_sub(2));
        (i, pos - i as f64)
    }

    /// The end point for each z of `noise`.
    pub fn generate(&self, noise: &Noise, z: &[f64]) -> Vec<f64> {
        z.iter()
            .map(|&z| {
                let (i, t) = self.locate(noise.cdf(z));
                let (a, b) = (self.ends[i], self.ends[(i + 1).min(self.ends.len() - 1)]);
                a + t * (b - a)
            })
            .collect()
    }

    /// (end point, d end / dz) for each z: the slope of the piecewise-linear map.
    pub fn generate_with_slope(&self, noise: &Noise, z: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let n = self.ends.len() as f64;
        let x = self.generate(noise, z);
        let slope = z
            .iter()
            .map(|&z| {
                let u = noise.cdf(z);
                let (i, _) = self.locate(u);
                let j = (i + 1).min(self.ends.len() - 1);
                // Outside the first and last centres the map is flat.
                let inside = (0.5 / n..=1.0 - 0.5 / n).contains(&u);
                if inside {
                    (self.ends[j] - self.ends[i]) * n * noise.pdf(z)
                } else {
                    0.0
                }
            })
            .collect();
        (x, slope)
    }
}

/// Mean and standard deviation of `x`.
pub fn mean_std(x: &[f64]) -> (f64, f64) {
    let n = x.len().max(1) as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_gradient_matches_central_differences() {
        let fake = [0.3_f64, -1.2, 2.0, 0.7];
        let real = [1.0_f64, -0.5, 1.5, 0.7];
        let mut grad = [0.0; 4];
        let loss = regression_loss(&fake, &real, &mut grad);
        assert!((loss - (0.49 + 0.49 + 0.25) / 4.0).abs() < 1e-12);
        let h = 1e-6;
        for i in 0..4 {
            let mut up = fake;
            let mut down = fake;
            up[i] += h;
            down[i] -= h;
            let mut scratch = [0.0; 4];
            let numeric = (regression_loss(&up, &real, &mut scratch)
                - regression_loss(&down, &real, &mut scratch))
                / (2.0 * h);
            assert!(
                (numeric - grad[i]).abs() < 1e-8,
                "{i}: {numeric} vs {}",
                grad[i]
            );
        }
    }

    #[test]
    fn names_round_trip_through_serde() {
        for o in GObjective::ALL {
            let parsed: Result<GObjective, _> = toml::Value::String(o.name().to_owned()).try_into();
            assert_eq!(parsed.ok(), Some(o));
        }
    }
}
