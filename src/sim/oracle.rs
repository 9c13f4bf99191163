//! Proposition 2's oracle discriminator: at every generator step D is replaced by D* of
//! the current G, D*(x) = p_data(x) / (p_data(x) + p_g(x)), so G descends its loss
//! through the optimal D instead of through a trained network.
//!
//! D* is held as a logit, l*(x) = ln p̂_data(x) − ln p̂_g(x), D* = σ(l*), so the generator
//! losses of [`super::loss::generator_loss`] apply unchanged: minimax descends
//! E ln(1 − D*(G(z))) = −E softplus(l*), non-saturating descends
//! −E ln D*(G(z)) = E softplus(−l*).
//!
//! **How p_g is smoothed.** The exact pushforward of p_z through the current G
//! ([`Pushforward`], refined like [`super::analysis::Analysis`]) is binned on
//! [`P_G_BINS`] bins across p_g's range, and p̂_g is those bin masses smoothed by a
//! Gaussian kernel of width h = [`BANDWIDTH_BINS`] bins, evaluated in closed form at each
//! sample (so ln p̂_g and its derivative are smooth functions of x, with no grid
//! interpolation). p_data is smoothed by the same kernel, also in closed form (a
//! Gaussian component's variance grows by h², a uniform's edges become Φ ramps), so that
//! D*_h = 1/2 wherever p_g = p_data: smoothing does not move the fixed point. Samples
//! beyond p_g's exact range (z in the last 1e-9 of a normal prior's tails) are read at
//! its end, with zero slope.
//!
//! **What is differentiated.** As in Proposition 2, D* is frozen while G steps: the
//! gradient is ∂/∂θ of E_z L(l*(G_θ(z))) with l* fixed at the current p_g, not
//! differentiated through p_g's own dependence on θ. For the minimax loss this is the
//! gradient of C(G) itself (by Danskin's theorem the optimal D's dependence on G adds
//! nothing at the optimum), so G descends C(G) = −log 4 + 2·JSD(p_data ‖ p_g).

use super::analysis::Pushforward;
use super::check::SettingError;
use super::distribution::{Target, normal_cdf};
use super::float::Real;
use super::loss::{LossKind, generator_loss};
use super::model::GanModel;
use super::trainer::{Divergence, Trainer};

/// Bins of p_g across its range.
pub const P_G_BINS: usize = 2048;

/// The smoothing kernel's standard deviation h, in bins of p_g.
pub const BANDWIDTH_BINS: f64 = 3.0;

/// Equal-probability z cells pushed through G (as in the analysis).
pub const Z_CELLS: usize = 4096;

/// The kernel is summed over bins within this many h of x (the rest weigh < e⁻³²).
const KERNEL_REACH: f64 = 8.0;

/// p_g's range is taken at least this share of the data's std wide, so a collapsed G
/// still gets a kernel of positive width.
const MIN_SPREAD: f64 = 1e-3;

/// ln √(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Refuses training settings the oracle D cannot stand in for: a loss without D*
/// ([`check_loss`]), or a G that does not learn through D (`training.g_objective`).
pub fn check(training: &super::settings::TrainingSettings) -> Result<(), SettingError> {
    check_loss(training.loss)?;
    check_objective(training.g_objective)
}

/// Refuses a G objective other than `adversarial`: the oracle replaces the D that G
/// descends through, and the regression and d-ascent experiments have no such D.
pub fn check_objective(objective: super::alone::GObjective) -> Result<(), SettingError> {
    if objective.is_adversarial() {
        Ok(())
    } else {
        Err(SettingError::new(
            "training.g_objective",
            objective,
            "adversarial with the oracle D: it stands in for the D that G learns through",
        ))
    }
}

/// Refuses a loss whose G does not read D as a probability of the value function V(D, G):
/// D* = p_data / (p_data + p_g) is the optimal D of minimax and non-saturating only.
pub fn check_loss(loss: LossKind) -> Result<(), SettingError> {
    match loss {
        LossKind::Minimax | LossKind::NonSaturating => Ok(()),
        LossKind::LeastSquares
        | LossKind::WassersteinClip
        | LossKind::WassersteinGp
        | LossKind::Hinge => Err(SettingError::new(
            "training.loss",
            loss,
            "minimax or non-saturating with the oracle D: D* = p_data / (p_data + p_g) is \
             the optimal D of their value function",
        )),
    }
}

/// D*_h of one state of G: smoothed p_data and p_g, read as a logit at any x.
#[derive(Clone, Debug)]
pub struct OracleD {
    target: Target,
    bandwidth: f64,
    /// Left edge of bin 0.
    lo: f64,
    dx: f64,
    /// p_g's probability per bin.
    masses: Vec<f64>,
    /// p_g's exact range.
    range: (f64, f64),
}

impl OracleD {
    /// D* of `model`'s current G (its D is not used).
    pub fn new<T: Real>(model: &GanModel<T>) -> Self {
        let generate = |z: &[f64]| model.generate(z);
        let mut pf = Pushforward::new(&model.noise, generate, Z_CELLS);
        let (g_lo, g_hi) = pf.range();
        let spread = (g_hi - g_lo).max(MIN_SPREAD * model.target.std());
        let dx = spread / P_G_BINS as f64;
        for _ in 0..2 {
            if !pf.refine(&model.noise, generate, 0.5 * dx) {
                break;
            }
        }
        // Refining can reach beyond the first range where G turns inside a cell.
        let range = pf.range();
        let lo = range.0 - dx;
        let n = ((range.1 - range.0) / dx).ceil() as usize + 2;
        Self {
            target: model.target.clone(),
            bandwidth: BANDWIDTH_BINS * dx,
            lo,
            dx,
            masses: pf.bin_masses(lo, dx, n),
            range,
        }
    }

    /// The kernel's standard deviation h, in data units.
    pub fn bandwidth(&self) -> f64 {
        self.bandwidth
    }

    /// (ln p̂_g(x), d/dx ln p̂_g(x)): the binned p_g smoothed by the kernel.
    fn ln_p_g(&self, x: f64) -> (f64, f64) {
        let h = self.bandwidth;
        let reach = KERNEL_REACH * h;
        let last_bin = self.masses.len().saturating_sub(1);
        let first = ((x - reach - self.lo) / self.dx).floor().max(0.0) as usize;
        let last = (((x + reach - self.lo) / self.dx).ceil().max(0.0) as usize).min(last_bin);
        let centre = |j: usize| self.lo + (j as f64 + 0.5) * self.dx;
        let exponent = |j: usize, m: f64| m.ln() - 0.5 * ((x - centre(j)) / h).powi(2);
        let top = (first..=last)
            .filter_map(|j| {
                self.masses
                    .get(j)
                    .filter(|m| **m > 0.0)
                    .map(|&m| exponent(j, m))
            })
            .fold(f64::NEG_INFINITY, f64::max);
        if top == f64::NEG_INFINITY {
            // No mass within reach: not met for x in p_g's range, which every bin covers.
            return (f64::NEG_INFINITY, 0.0);
        }
        let (mut sum, mut slope) = (0.0, 0.0);
        for j in first..=last {
            let Some(&m) = self.masses.get(j).filter(|m| **m > 0.0) else {
                continue;
            };
            let w = (exponent(j, m) - top).exp();
            sum += w;
            slope -= w * (x - centre(j)) / (h * h);
        }
        (top + sum.ln() - h.ln() - LN_SQRT_2PI, slope / sum)
    }

    /// (l*(x), dl*/dx) with l* = ln p̂_data − ln p̂_g, the logit of D*_h.
    pub fn logit_and_slope(&self, x: f64) -> (f64, f64) {
        let (lo, hi) = self.range;
        let at = x.clamp(lo, hi);
        let (ld, dd) = ln_smoothed_data(&self.target, self.bandwidth, at);
        let (lg, dg) = self.ln_p_g(at);
        let slope = if at == x { dd - dg } else { 0.0 };
        (ld - lg, slope)
    }

    /// D*_h(x) = p̂_data / (p̂_data + p̂_g).
    pub fn probability(&self, x: f64) -> f64 {
        super::float::sigmoid_f64(self.logit_and_slope(x).0)
    }

    /// G's minibatch loss under `loss` through D*_h at the generated samples `x` (data
    /// units), and ∂L/∂x per sample (with the 1/m of the mean).
    pub fn generator_loss(&self, loss: LossKind, x: &[f64]) -> Result<(f64, Vec<f64>), String> {
        check_loss(loss).map_err(|e| e.to_string())?;
        let (logits, slopes): (Vec<f64>, Vec<f64>) =
            x.iter().map(|&x| self.logit_and_slope(x)).unzip();
        let mut dl = vec![0.0; x.len()];
        let value = generator_loss(loss, &logits, &mut dl);
        Ok((value, dl.iter().zip(&slopes).map(|(d, s)| d * s).collect()))
    }
}

/// (ln p̂_data(x), d/dx ln p̂_data(x)) for p̂_data = p_data ∗ N(0, h²), in closed form and
/// in log space, so it stays finite far from the data.
pub fn ln_smoothed_data(target: &Target, h: f64, x: f64) -> (f64, f64) {
    match target {
        Target::Gaussian { mean, std } => ln_gaussian(x, *mean, std.hypot(h)),
        Target::Mixture {
            weights,
            means,
            stds,
        } => {
            let terms: Vec<(f64, f64)> = weights
                .iter()
                .zip(means)
                .zip(stds)
                .map(|((w, m), s)| {
                    let (l, d) = ln_gaussian(x, *m, s.hypot(h));
                    (w.ln() + l, d)
                })
                .collect();
            let top = terms.iter().map(|t| t.0).fold(f64::NEG_INFINITY, f64::max);
            let (mut sum, mut slope) = (0.0, 0.0);
            for (l, d) in terms {
                let w = (l - top).exp();
                sum += w;
                slope += w * d;
            }
            (top + sum.ln(), slope / sum)
        }
        Target::Uniform { low, high } => {
            // Symmetric about the middle: work on the upper half, mirror the slope.
            let mid = 0.5 * (low + high);
            let (x, mirror) = if x >= mid {
                (x, 1.0)
            } else {
                (low + high - x, -1.0)
            };
            // p̂ = (Φ(u_a) − Φ(u_b)) / (b − a) = (Q(u_b) − Q(u_a)) / (b − a), u_b ≤ u_a.
            let (ua, ub) = ((x - low) / h, (x - high) / h);
            let (qa, qb) = (ln_normal_sf(ua), ln_normal_sf(ub));
            let ratio = (qa - qb).exp();
            let ln_p = qb + (-ratio).ln_1p() - (high - low).ln();
            let ln_phi = |u: f64| -0.5 * u * u - LN_SQRT_2PI;
            let slope = ((ln_phi(ua) - qb).exp() - (ln_phi(ub) - qb).exp()) / (h * (1.0 - ratio));
            (ln_p, mirror * slope)
        }
    }
}

/// ln N(x; mean, std²) and its derivative.
fn ln_gaussian(x: f64, mean: f64, std: f64) -> (f64, f64) {
    let t = (x - mean) / std;
    (-0.5 * t * t - std.ln() - LN_SQRT_2PI, -t / std)
}

/// ln Q(u) = ln(1 − Φ(u)), from erfc while it has digits, then the asymptotic series.
fn ln_normal_sf(u: f64) -> f64 {
    if u < 30.0 {
        normal_cdf(-u).ln()
    } else {
        let r = 1.0 / (u * u);
        -0.5 * u * u - u.ln() - LN_SQRT_2PI + (r * (-1.0 + r * (3.0 - 15.0 * r))).ln_1p()
    }
}

/// One iteration with the oracle D (see the module documentation): `g_steps` G steps
/// through D* of the G of that moment, under the run's loss; D is not trained.
pub fn iteration(trainer: &mut Trainer) -> Result<(), Divergence> {
    let loss = trainer.settings().training.loss;
    trainer.oracle_iteration(&mut |model, x| OracleD::new(model).generator_loss(loss, x))
}

/// Runs `n` oracle iterations, stopping at a divergence.
pub fn run(trainer: &mut Trainer, n: u64) -> Result<(), Divergence> {
    for _ in 0..n {
        iteration(trainer)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothed_data_log_density_matches_central_differences_and_the_density() {
        let targets = Target::one_of_each();
        let h = 0.05;
        for t in &targets {
            for x in [-40.0, -3.0, -1.02, -0.5, 0.9, 1.0, 2.97, 3.1, 5.0, 60.0] {
                let (l, d) = ln_smoothed_data(t, h, x);
                let e = 1e-6;
                let num =
                    (ln_smoothed_data(t, h, x + e).0 - ln_smoothed_data(t, h, x - e).0) / (2.0 * e);
                assert!(
                    (num - d).abs() <= 1e-6 * d.abs().max(1.0),
                    "{t:?} x = {x}: slope {d}, central differences {num}"
                );
                assert!(l.is_finite(), "{t:?} x = {x}: ln p̂ = {l}");
            }
            // Where the kernel is negligible against p_data's own scale, p̂ ≈ p_data.
            let inside = t.mean() + 0.1;
            let (l, _) = ln_smoothed_data(t, 1e-4, inside);
            assert!(
                (l.exp() / t.pdf(inside) - 1.0).abs() < 1e-6,
                "{t:?}: p̂ {} p {}",
                l.exp(),
                t.pdf(inside)
            );
        }
    }

    #[test]
    fn the_oracle_refuses_losses_without_d_star() {
        for loss in LossKind::ALL {
            let ok = check_loss(loss).is_ok();
            assert_eq!(
                ok,
                matches!(loss, LossKind::Minimax | LossKind::NonSaturating),
                "{loss}"
            );
            if let Err(e) = check_loss(loss) {
                assert!(e.to_string().contains("training.loss"), "{e}");
            }
        }
    }
}
