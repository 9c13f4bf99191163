//! The ideal generator T*(z) = F_data⁻¹(F_z(z)): the increasing map that pushes p_z onto
//! p_data exactly (in one dimension, the optimal transport map), and how a learned G
//! differs from it: where G folds back on itself, and how much of p_g lies where p_data
//! has essentially nothing.
//!
//! T* is computed from both tails: for F_z(z) ≤ 1/2 it solves F_data(x) = F_z(z), above
//! it solves 1 − F_data(x) = 1 − F_z(z) with both sides computed directly, so a z deep in
//! either tail of a normal prior keeps its digits. Gaussian and uniform targets invert in
//! closed form; a mixture's CDF is inverted by Newton's method inside a bracket, falling
//! back to bisection whenever a Newton step would leave it.

use super::analysis::{Analysis, AnalysisOptions, z_line};
use super::distribution::{Noise, Target, normal_cdf, normal_quantile};
use super::float::Real;
use super::model::GanModel;

/// Where p_data counts as empty: below this share of its largest value.
pub const EMPTY_DENSITY: f64 = 1e-3;

/// x-grid points of the analysis behind [`IdealView::new`]'s misplaced mass.
pub const MISPLACED_GRID_POINTS: usize = 4000;

/// A fold is counted only if G travels back by more than this share of its total travel
/// over the grid, so rounding in a flat (saturated) stretch of G is not a fold.
pub const FOLD_TOLERANCE: f64 = 1e-6;

/// (F_z(z), 1 − F_z(z)), each computed directly so that neither tail loses digits.
fn noise_tails(noise: &Noise, z: f64) -> (f64, f64) {
    match noise {
        Noise::Uniform { low, high } => (
            ((z - low) / (high - low)).clamp(0.0, 1.0),
            ((high - z) / (high - low)).clamp(0.0, 1.0),
        ),
        Noise::Normal { mean, std } => {
            let t = (z - mean) / std;
            (normal_cdf(t), normal_cdf(-t))
        }
    }
}

/// T*(z) = F_data⁻¹(F_z(z)), the increasing map with T*(z) ~ p_data for z ~ p_z. At the
/// ends of a bounded prior it is the ends of the target's support (±∞ for an unbounded
/// target).
pub fn ideal_map(target: &Target, noise: &Noise, z: f64) -> f64 {
    let (lower, upper) = noise_tails(noise, z);
    data_quantile(target, lower, upper)
}

/// [`ideal_map`] at each z.
pub fn ideal_map_batch(target: &Target, noise: &Noise, z: &[f64]) -> Vec<f64> {
    z.iter().map(|&z| ideal_map(target, noise, z)).collect()
}

/// The mirror image of T*: F_data⁻¹(1 − F_z(z)), the decreasing map with x ~ p_data for
/// z ~ p_z (1 − F_z(z) is uniform when F_z(z) is). A G that runs backwards can reach
/// p_g = p_data only as this map, never as T*; both tails keep their digits as in
/// [`ideal_map`].
pub fn mirror_map(target: &Target, noise: &Noise, z: f64) -> f64 {
    let (lower, upper) = noise_tails(noise, z);
    data_quantile(target, upper, lower)
}

/// [`mirror_map`] at each z.
pub fn mirror_map_batch(target: &Target, noise: &Noise, z: &[f64]) -> Vec<f64> {
    z.iter().map(|&z| mirror_map(target, noise, z)).collect()
}

/// The x with F_data(x) = `lower` and 1 − F_data(x) = `upper` (the two sum to 1; the
/// smaller one is solved for, where it has all its digits).
pub fn data_quantile(target: &Target, lower: f64, upper: f64) -> f64 {
    let (support_lo, support_hi) = match target {
        Target::Uniform { low, high } => (*low, *high),
        Target::Gaussian { .. } | Target::Mixture { .. } => (f64::NEG_INFINITY, f64::INFINITY),
    };
    if lower <= 0.0 {
        return support_lo;
    }
    if upper <= 0.0 {
        return support_hi;
    }
    let from_below = lower <= 0.5;
    match target {
        Target::Gaussian { mean, std } => {
            if from_below {
                mean + std * normal_quantile(lower)
            } else {
                mean - std * normal_quantile(upper)
            }
        }
        Target::Uniform { low, high } => {
            if from_below {
                low + (high - low) * lower
            } else {
                high - (high - low) * upper
            }
        }
        Target::Mixture {
            weights,
            means,
            stds,
        } => {
            let components = || weights.iter().zip(means).zip(stds);
            // f is increasing in x with its root at the quantile, and f' = p_data.
            let f = |x: f64| {
                if from_below {
                    components()
                        .map(|((w, m), s)| w * normal_cdf((x - m) / s))
                        .sum::<f64>()
                        - lower
                } else {
                    upper
                        - components()
                            .map(|((w, m), s)| w * normal_cdf((m - x) / s))
                            .sum::<f64>()
                }
            };
            let smallest_std = stds.iter().copied().fold(f64::INFINITY, f64::min);
            let (lo, hi) = target.support_hint();
            // The Gaussian with the mixture's mean and std gives the first guess.
            let guess = if from_below {
                target.mean() + target.std() * normal_quantile(lower)
            } else {
                target.mean() - target.std() * normal_quantile(upper)
            };
            solve_increasing(f, |x| target.pdf(x), (lo, hi), guess, smallest_std)
        }
    }
}

/// The root of an increasing `f` with derivative `df`: the bracket `(lo, hi)` is widened
/// until it holds the root, then Newton steps from `guess` run inside it, with bisection
/// whenever a step would leave it or fails to halve the bracket's width. Stops when a step
/// moves x by less than 1e-14 of (|x| + `scale`), or after 400 steps (bisection alone
/// needs fewer).
fn solve_increasing(
    f: impl Fn(f64) -> f64,
    df: impl Fn(f64) -> f64,
    (mut lo, mut hi): (f64, f64),
    guess: f64,
    scale: f64,
) -> f64 {
    let mut width = (hi - lo).max(scale);
    for _ in 0..64 {
        if f(lo) <= 0.0 {
            break;
        }
        lo -= width;
        width *= 2.0;
    }
    for _ in 0..64 {
        if f(hi) >= 0.0 {
            break;
        }
        hi += width;
        width *= 2.0;
    }
    let mut x = if guess > lo && guess < hi {
        guess
    } else {
        0.5 * (lo + hi)
    };
    for _ in 0..400 {
        let fx = f(x);
        if fx == 0.0 {
            return x;
        }
        if fx < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let slope = df(x);
        let newton = x - fx / slope;
        let next = if slope > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= 1e-14 * (x.abs() + scale) || next <= lo || next >= hi {
            return next.clamp(lo, hi);
        }
        x = next;
    }
    x
}

/// Which way G runs over the z grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// G mostly increases, like T*.
    Increasing,
    /// G mostly decreases: the mirror image of T*. It can still push p_z onto p_data
    /// exactly (as F_data⁻¹(1 − F_z(z)) does), but it is not the map T* the figure draws.
    Decreasing,
    /// G does not move at all: every z lands on one point.
    Constant,
}

impl Direction {
    /// The direction in words.
    pub fn name(self) -> &'static str {
        match self {
            Self::Increasing => "increasing",
            Self::Decreasing => "decreasing",
            Self::Constant => "constant",
        }
    }
}

/// The direction G mostly runs in over `g` (G on an increasing z grid), and its folds:
/// the maximal runs of z where G moves against that direction, each as (z where it turns
/// back, z where it turns again). Turning points are refined to the zero of the linear
/// interpolant of `slope` (G'(z) on the same grid) where G' changes sign next to them.
pub fn folds(z: &[f64], g: &[f64], slope: &[f64]) -> (Direction, Vec<(f64, f64)>) {
    assert!(
        z.len() == g.len() && z.len() == slope.len(),
        "z, G(z) and G'(z) need one value per grid point"
    );
    let steps: Vec<f64> = g.windows(2).map(|w| w[1] - w[0]).collect();
    let up: f64 = steps.iter().map(|s| s.max(0.0)).sum();
    let down: f64 = steps.iter().map(|s| (-s).max(0.0)).sum();
    let total = up + down;
    if total == 0.0 {
        return (Direction::Constant, Vec::new());
    }
    let (direction, sign) = if up >= down {
        (Direction::Increasing, 1.0)
    } else {
        (Direction::Decreasing, -1.0)
    };
    let mut out = Vec::new();
    let mut start: Option<(usize, f64)> = None;
    let close = |begin: usize, end: usize, back: f64, out: &mut Vec<(f64, f64)>| {
        if back > FOLD_TOLERANCE * total {
            out.push((turning_point(z, slope, begin), turning_point(z, slope, end)));
        }
    };
    for (i, &s) in steps.iter().enumerate() {
        if s * sign < 0.0 {
            if let Some((_, back)) = start.as_mut() {
                *back += s.abs();
            } else {
                start = Some((i, s.abs()));
            }
        } else if s * sign > 0.0
            && let Some((begin, back)) = start.take()
        {
            close(begin, i, back, &mut out);
        }
    }
    if let Some((begin, back)) = start {
        close(begin, steps.len(), back, &mut out);
    }
    (direction, out)
}

/// The z of grid point `i` (a local extremum of G on the grid), moved to where the
/// linear interpolant of G' crosses zero in a neighbouring interval, if it does.
fn turning_point(z: &[f64], slope: &[f64], i: usize) -> f64 {
    let at = |j: usize| z.get(j).copied();
    for j in [i.wrapping_sub(1), i] {
        let (Some(za), Some(zb)) = (at(j), at(j.wrapping_add(1))) else {
            continue;
        };
        let (sa, sb) = (slope[j], slope[j + 1]);
        if sa == 0.0 {
            return za;
        }
        if sa * sb < 0.0 {
            return za + (zb - za) * sa / (sa - sb);
        }
    }
    z.get(i).copied().unwrap_or(f64::NAN)
}

/// The mass p_g puts where T* puts essentially none: ∫ max(0, p_g − p_data) dx over the
/// region where p_data < [`EMPTY_DENSITY`] × its peak (bins of `analysis`). For a
/// uniform target this is p_g's mass outside the support; for a Gaussian, its excess
/// beyond about 3.7 σ; for a mixture, also any bridge G builds across an empty gap
/// between modes. It is 0 when p_g = p_data, and, unlike a plain tail mass, it does not
/// count the data's own (tiny) mass there.
pub fn misplaced_mass(analysis: &Analysis) -> f64 {
    let peak = analysis.p_data.iter().copied().fold(0.0, f64::max);
    let floor = EMPTY_DENSITY * peak;
    let inside: f64 = analysis
        .p_data
        .iter()
        .zip(&analysis.p_g)
        .filter(|(d, _)| **d < floor)
        .map(|(d, g)| (g - d).max(0.0))
        .sum::<f64>()
        * analysis.dx;
    // p_g cut off by an explicit x range lies beyond the data's 1e-6 quantiles too.
    inside + (1.0 - analysis.p_g_mass_in_range).max(0.0)
}

/// Everything a "G vs z" view draws: the learned G and the ideal T* on one z grid, G's
/// folds and the mass it misplaces.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdealView {
    /// Evenly spaced z over the figure's z line (cell centres, so a bounded prior's ends,
    /// where T* may be infinite, are not on it).
    pub z: Vec<f64>,
    /// G(z).
    pub g: Vec<f64>,
    /// T*(z) = F_data⁻¹(F_z(z)).
    pub t_star: Vec<f64>,
    /// When G decreases: the decreasing ideal map F_data⁻¹(1 − F_z(z)) (see
    /// [`mirror_map`]), the one such a G can still reach. Empty otherwise.
    pub mirror: Vec<f64>,
    /// Which way G runs; T* increases.
    pub direction: Option<Direction>,
    /// The z intervals where G runs against its direction (see [`folds`]).
    pub folds: Vec<(f64, f64)>,
    /// See [`misplaced_mass`].
    pub misplaced_mass: f64,
}

impl IdealView {
    /// The view of `model` on `points` z values, with the misplaced mass from an exact
    /// analysis on [`MISPLACED_GRID_POINTS`] x bins.
    pub fn new<T: Real>(model: &GanModel<T>, points: usize) -> Self {
        let opts = AnalysisOptions {
            grid_points: MISPLACED_GRID_POINTS,
            ..AnalysisOptions::default()
        };
        Self::with_analysis(model, &Analysis::new(model, &opts), points)
    }

    /// As [`Self::new`], reusing an analysis of the same model (e.g. the frame's).
    pub fn with_analysis<T: Real>(model: &GanModel<T>, analysis: &Analysis, points: usize) -> Self {
        let n = points.max(2);
        let (lo, hi) = z_line(&model.noise);
        let z: Vec<f64> = (0..n)
            .map(|i| lo + (i as f64 + 0.5) * (hi - lo) / n as f64)
            .collect();
        let (g, slope) = model.generate_with_slope(&z);
        let (direction, folds) = folds(&z, &g, &slope);
        let mirror = if direction == Direction::Decreasing {
            mirror_map_batch(&model.target, &model.noise, &z)
        } else {
            Vec::new()
        };
        Self {
            t_star: ideal_map_batch(&model.target, &model.noise, &z),
            mirror,
            z,
            g,
            direction: Some(direction),
            folds,
            misplaced_mass: misplaced_mass(analysis),
        }
    }

    /// max |G(z) − T*(z)| over the grid.
    pub fn max_gap(&self) -> f64 {
        max_abs_difference(&self.g, &self.t_star)
    }

    /// max |G(z) − F_data⁻¹(1 − F_z(z))| over the grid, when G decreases.
    pub fn max_gap_to_mirror(&self) -> Option<f64> {
        (!self.mirror.is_empty()).then(|| max_abs_difference(&self.g, &self.mirror))
    }

    /// One line: G's direction, its folds and the misplaced mass.
    pub fn summary(&self) -> String {
        let direction = self.direction.map_or("unknown", Direction::name);
        let folds: Vec<String> = self
            .folds
            .iter()
            .map(|(a, b)| format!("[{a:.3}, {b:.3}]"))
            .collect();
        let mirror = self.max_gap_to_mirror().map_or(String::new(), |gap| {
            format!(", max |G − F_data⁻¹(1 − F_z)| {gap:.3}")
        });
        format!(
            "G {direction} (T* increases), {} fold{}{}, misplaced mass {:.2e}, max |G − T*| {:.3}{mirror}",
            self.folds.len(),
            if self.folds.len() == 1 { "" } else { "s" },
            if folds.is_empty() {
                String::new()
            } else {
                format!(" at z in {}", folds.join(", "))
            },
            self.misplaced_mass,
            self.max_gap()
        )
    }

    /// The view as CSV: a `z,g,t_star` header, then one line per grid point.
    pub fn to_csv(&self) -> String {
        let mut text = String::from("z,g,t_star\n");
        for ((z, g), t) in self.z.iter().zip(&self.g).zip(&self.t_star) {
            text += &format!("{z},{g},{t}\n");
        }
        text
    }
}

/// max |a_i − b_i|.
fn max_abs_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |m, (a, b)| m.max((a - b).abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mirror_map_pushes_p_z_onto_p_data_running_backwards() {
        let noise = Noise::Normal {
            mean: 0.5,
            std: 2.0,
        };
        for target in Target::one_of_each() {
            let z: Vec<f64> = (1..200)
                .map(|i| noise.quantile(f64::from(i) / 200.0))
                .collect();
            let x = mirror_map_batch(&target, &noise, &z);
            assert!(
                x.windows(2).all(|w| w[0] >= w[1]),
                "{target:?}: the mirror map decreases"
            );
            for (i, x) in (1..200).zip(&x) {
                // F_z(z) = p, so x must be p_data's (1 − p)-quantile, and T* of the z
                // reflected about the prior's mean.
                let p = f64::from(i) / 200.0;
                assert!(
                    (target.cdf(*x) - (1.0 - p)).abs() < 1e-9,
                    "{target:?} p = {p}: F_data = {}",
                    target.cdf(*x)
                );
                let reflected = ideal_map(&target, &noise, 1.0 - noise.quantile(p));
                assert!((x - reflected).abs() < 1e-7, "{target:?} p = {p}");
            }
        }
    }

    #[test]
    fn the_mixture_solver_reaches_the_far_tails() {
        let target = Target::Mixture {
            weights: vec![0.3, 0.7],
            means: vec![-2.0, 2.0],
            stds: vec![0.5, 1.0],
        };
        for p in [1e-300, 1e-12, 0.3, 0.5] {
            let x = data_quantile(&target, p, 1.0 - p);
            let back = target.cdf(x);
            assert!(
                (back - p).abs() <= 1e-12 * p,
                "p = {p}: x = {x}, F(x) = {back}"
            );
        }
        // The upper tail from its own side: 1 − F(x) = 1e-200 has all its digits.
        let x = data_quantile(&target, 1.0, 1e-200);
        let upper: f64 = [(0.3, -2.0, 0.5), (0.7, 2.0, 1.0)]
            .iter()
            .map(|(w, m, s)| w * normal_cdf((m - x) / s))
            .sum();
        assert!(
            (upper / 1e-200 - 1.0).abs() < 1e-10,
            "x = {x}: 1 − F = {upper}"
        );
    }

    #[test]
    fn turning_points_sit_where_the_slope_crosses_zero() {
        // G = −(z − 0.3)² on a coarse grid: one turn at 0.3, refined from the slope.
        let z: Vec<f64> = (0..11).map(|i| -1.0 + 0.2 * f64::from(i)).collect();
        let g: Vec<f64> = z.iter().map(|z| z * 1e-3 - (z - 0.3).powi(2)).collect();
        let slope: Vec<f64> = z.iter().map(|z| 1e-3 - 2.0 * (z - 0.3)).collect();
        let (direction, found) = folds(&z, &g, &slope);
        assert_eq!(direction, Direction::Increasing);
        assert_eq!(found.len(), 1, "{found:?}");
        let (a, b) = found[0];
        assert!((a - 0.3005).abs() < 1e-9, "{a}");
        assert!((b - 1.0).abs() < 1e-12, "{b}");
    }
}
