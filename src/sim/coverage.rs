//! Mode coverage: how much of p_g each component of a mixture p_data = Σ_i w_i N(μ_i, σ_i²)
//! accounts for, and the alarm of §6's "Helvetica scenario", in which G maps many z to
//! one x and a mode of the data is left with almost none of the model's mass.
//!
//! Each x is shared between the components by their posterior responsibilities
//! r_i(x) = w_i N(x; μ_i, σ_i²) / p_data(x), so that
//!
//! mass_i = ∫ p_g(x) · r_i(x) dx,
//!
//! a split of p_g that sums to 1 and gives mass_i = w_i exactly when p_g = p_data (where
//! components overlap, a nearest-mean split does neither). The integral is taken on the
//! x grid of an [`Analysis`], from its exact p_g (change of variables, see
//! [`super::analysis::Pushforward`]).
//!
//! Tails: r_i is computed from log densities, ln w_i − ln σ_i − ½((x − μ_i)/σ_i)², minus
//! their log-sum-exp, so it stays defined far from the data, where p_data(x) itself
//! underflows to 0 (beyond about 38 σ). There the largest log term wins, which is the
//! component nearest to x in σ units: p_g's mass out in empty space is assigned to the
//! mode it is closest to in that sense. Only if every log term is −∞ (no positive weight)
//! does x go by nearest mean in σ units explicitly.
//!
//! Coverage is not fit: a p_g piled up midway between two equal modes splits evenly
//! between them and raises no alarm. The JSD and W1 of the same [`Analysis`] say how far
//! it is from p_data.

use super::analysis::Analysis;
use super::distribution::Target;

/// A mode counts as lost when p_g gives it less than this fraction of its data weight:
/// mass_i < w_i / 5.
pub const LOST_SHARE: f64 = 0.2;

/// One component of a mixture target and the share of p_g it holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModeMass {
    /// μ_i.
    pub mean: f64,
    /// σ_i.
    pub std: f64,
    /// w_i: the component's share of p_data.
    pub weight: f64,
    /// ∫ p_g(x) r_i(x) dx: the component's share of p_g.
    pub mass: f64,
}

impl ModeMass {
    /// mass_i / w_i: 1 when p_g gives the mode its data share, 0 when it gives none.
    pub fn share(&self) -> f64 {
        self.mass / self.weight
    }

    /// Whether p_g gives the mode under a fifth of its data share (mass_i < w_i / 5),
    /// §6's collapse of many z onto the other modes.
    pub fn is_lost(&self) -> bool {
        self.mass < LOST_SHARE * self.weight
    }
}

/// p_g's mass per component of a mixture `target`, in component order, on `analysis`'s
/// grid (which must be of a model with this target). `None` when the target is not a
/// mixture. The masses sum to `analysis.p_g_mass_in_range` (1 on an automatic grid, which
/// holds all of p_g). About 2·grid·modes exponentials: cheap enough for every frame.
pub fn mode_masses(analysis: &Analysis, target: &Target) -> Option<Vec<ModeMass>> {
    let Target::Mixture {
        weights,
        means,
        stds,
    } = target
    else {
        return None;
    };
    let modes: Vec<(f64, f64, f64)> = weights
        .iter()
        .zip(means)
        .zip(stds)
        .map(|((&w, &m), &s)| (w, m, s))
        .collect();
    let mut masses = vec![0.0; modes.len()];
    let mut log_terms = vec![0.0; modes.len()];
    for (&x, &p_g) in analysis.x.iter().zip(&analysis.p_g) {
        let bin_mass = p_g * analysis.dx;
        if bin_mass <= 0.0 {
            continue;
        }
        for (slot, &(w, m, s)) in log_terms.iter_mut().zip(&modes) {
            let u = (x - m) / s;
            *slot = w.ln() - s.ln() - 0.5 * u * u;
        }
        let top = log_terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if top == f64::NEG_INFINITY {
            if let Some(i) = nearest_in_stds(&modes, x) {
                masses[i] += bin_mass;
            }
            continue;
        }
        let total: f64 = log_terms.iter().map(|l| (l - top).exp()).sum();
        for (mass, l) in masses.iter_mut().zip(&log_terms) {
            *mass += bin_mass * (l - top).exp() / total;
        }
    }
    Some(
        modes
            .iter()
            .zip(masses)
            .map(|(&(weight, mean, std), mass)| ModeMass {
                mean,
                std,
                weight,
                mass,
            })
            .collect(),
    )
}

/// The index of the component whose mean is nearest to `x` in units of its σ.
fn nearest_in_stds(modes: &[(f64, f64, f64)], x: f64) -> Option<usize> {
    modes
        .iter()
        .enumerate()
        .min_by(|a, b| {
            let d = |&(_, m, s): &(f64, f64, f64)| ((x - m) / s).abs();
            d(a.1).total_cmp(&d(b.1))
        })
        .map(|(i, _)| i)
}

/// How many modes are lost (see [`ModeMass::is_lost`]).
pub fn lost_modes(modes: &[ModeMass]) -> usize {
    modes.iter().filter(|m| m.is_lost()).count()
}

/// The mode holding the smallest fraction of its data share, with its index: the one the
/// alarm is about first.
pub fn least_covered(modes: &[ModeMass]) -> Option<(usize, ModeMass)> {
    modes
        .iter()
        .copied()
        .enumerate()
        .min_by(|a, b| a.1.share().total_cmp(&b.1.share()))
}

/// Column names for `modes` components in the CSV and JSON of `train`: `mode_1_mass` …
/// (1-based, in component order), then `lost_modes`.
pub fn column_names(modes: usize) -> Vec<String> {
    (1..=modes)
        .map(|i| format!("mode_{i}_mass"))
        .chain(std::iter::once("lost_modes".to_owned()))
        .collect()
}

/// The values for [`column_names`]: each mode's mass, then the count of lost modes.
pub fn column_values(modes: &[ModeMass]) -> Vec<f64> {
    modes
        .iter()
        .map(|m| m.mass)
        .chain(std::iter::once(lost_modes(modes) as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three_modes() -> Target {
        Target::Mixture {
            weights: vec![0.2, 0.5, 0.3],
            means: vec![-3.0, 0.0, 1.5],
            stds: vec![0.5, 1.0, 0.3],
        }
    }

    /// An analysis on [lo, hi) whose p_g is `p_g(x)` (bin-averaged by the midpoint rule).
    fn analysis_with(p_g: impl Fn(f64) -> f64, (lo, hi): (f64, f64), n: usize) -> Analysis {
        let dx = (hi - lo) / n as f64;
        let x: Vec<f64> = (0..n).map(|j| lo + (j as f64 + 0.5) * dx).collect();
        Analysis {
            p_g: x.iter().map(|&x| p_g(x)).collect(),
            x,
            dx,
            ..Analysis::default()
        }
    }

    #[test]
    fn p_g_equal_to_p_data_gives_each_mode_its_weight_even_where_modes_overlap() {
        let target = three_modes();
        let a = analysis_with(|x| target.pdf(x), (-8.0, 6.0), 2000);
        let modes = mode_masses(&a, &target).expect("a mixture");
        for m in &modes {
            assert!(
                (m.mass - m.weight).abs() < 1e-6,
                "μ = {}: mass {} against weight {}",
                m.mean,
                m.mass,
                m.weight
            );
            assert!(!m.is_lost());
        }
    }

    #[test]
    fn a_p_g_on_one_mode_loses_the_others_and_the_masses_sum_to_one() {
        let target = three_modes();
        // p_g = N(0, 0.3²): all of it near the middle mode.
        let a = analysis_with(
            |x| super::super::distribution::normal_pdf(x / 0.3) / 0.3,
            (-8.0, 6.0),
            2000,
        );
        let modes = mode_masses(&a, &target).expect("a mixture");
        let total: f64 = modes.iter().map(|m| m.mass).sum();
        assert!((total - 1.0).abs() < 1e-6, "total {total}");
        assert_eq!(lost_modes(&modes), 2, "{modes:?}");
        assert!(modes[1].mass > 0.9);
        assert_eq!(least_covered(&modes).map(|(i, _)| i), Some(0));
        assert_eq!(
            column_names(3),
            ["mode_1_mass", "mode_2_mass", "mode_3_mass", "lost_modes"]
        );
        assert_eq!(column_values(&modes).last(), Some(&2.0));
    }

    #[test]
    fn mass_far_beyond_the_data_goes_to_the_nearest_mode_in_stds() {
        // 200 σ to the right of the last mode p_data underflows to 0; the mass still counts.
        let target = three_modes();
        let far = 1.5 + 200.0 * 0.3;
        let a = analysis_with(
            |x| if (x - far).abs() < 0.5 { 1.0 } else { 0.0 },
            (far - 1.0, far + 1.0),
            200,
        );
        assert!(target.pdf(far) == 0.0, "p_data must underflow there");
        let modes = mode_masses(&a, &target).expect("a mixture");
        let total: f64 = modes.iter().map(|m| m.mass).sum();
        assert!((total - 1.0).abs() < 1e-9, "total {total}");
        // Nearest in σ units: 61.5 σ from the middle mode, 200 σ from the last.
        assert!(modes[1].mass > 0.999, "{modes:?}");
    }

    #[test]
    fn a_gaussian_target_has_no_modes_to_cover() {
        let a = analysis_with(|_| 1.0, (0.0, 1.0), 10);
        let target = Target::Gaussian {
            mean: 0.0,
            std: 1.0,
        };
        assert!(mode_masses(&a, &target).is_none());
    }
}
