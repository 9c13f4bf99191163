//! Target distributions p_data and noise priors p_z: densities, CDFs, quantiles and
//! seeded sampling, all in `f64`.

use rand::RngExt as _;
use rand_distr::{Distribution as _, StandardNormal};
use serde::{Deserialize, Serialize};

use super::check::SettingError;
use super::float::Real;

/// √(2π).
const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

/// Standard normal density φ(x).
pub fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / SQRT_2PI
}

/// Standard normal CDF Φ(x), accurate in both tails (via `erfc`).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal quantile Φ⁻¹(p): Acklam's rational approximation refined by one
/// Halley step, accurate to about 1e-15 relative. Returns ±∞ at p = 0 or 1.
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.024_25;
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - P_LOW {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    // One Halley step on Φ(x) − p.
    let e = normal_cdf(x) - p;
    let u = e * SQRT_2PI * (0.5 * x * x).exp();
    x - u / (1.0 + 0.5 * x * u)
}

/// The data distribution p_data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Target {
    /// N(mean, std²).
    Gaussian {
        /// μ.
        mean: f64,
        /// σ, at least 0.001 (the schema's range).
        std: f64,
    },
    /// Σ_i w_i N(mean_i, std_i²).
    Mixture {
        /// Mixing weights, positive, summing to 1.
        weights: Vec<f64>,
        /// Component means.
        means: Vec<f64>,
        /// Component standard deviations, positive.
        stds: Vec<f64>,
    },
    /// U(low, high).
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound, at least 0.001 above low.
        high: f64,
    },
}

impl Target {
    /// One target of each kind (a Gaussian, an unequal two-mode mixture, a uniform), for
    /// tests and examples that must hold for every kind.
    pub fn one_of_each() -> [Self; 3] {
        [
            Self::Gaussian {
                mean: 4.0,
                std: 0.5,
            },
            Self::Mixture {
                weights: vec![0.3, 0.7],
                means: vec![-2.0, 2.0],
                stds: vec![0.5, 1.0],
            },
            Self::Uniform {
                low: -1.0,
                high: 3.0,
            },
        ]
    }

    /// The kinds' names, as in settings files (`target.kind`).
    pub const KINDS: [&'static str; 3] = ["gaussian", "mixture", "uniform"];

    /// This target's kind, one of [`Self::KINDS`].
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Gaussian { .. } => "gaussian",
            Self::Mixture { .. } => "mixture",
            Self::Uniform { .. } => "uniform",
        }
    }

    /// Checks what the settings schema cannot see field by field: a mixture has one mean
    /// and one std per weight and its weights sum to 1; a uniform's high exceeds its low.
    /// The error names the field (`target.high`, …).
    pub fn check_relations(&self) -> Result<(), SettingError> {
        match self {
            Self::Gaussian { .. } => Ok(()),
            Self::Mixture {
                weights,
                means,
                stds,
            } => {
                let n = weights.len();
                if means.len() != n || stds.len() != n {
                    return Err(SettingError::new(
                        "target.means",
                        format!(
                            "{} means and {} stds for {n} weights",
                            means.len(),
                            stds.len()
                        ),
                        "one mean and one std per weight",
                    ));
                }
                let total: f64 = weights.iter().sum();
                if (total - 1.0).abs() > 1e-6 {
                    return Err(SettingError::new(
                        "target.weights",
                        format!("sum {total}"),
                        "weights summing to 1 (±1e-6)",
                    ));
                }
                Ok(())
            }
            Self::Uniform { low, high } => ordered("target", *low, *high),
        }
    }

    /// Density p_data(x).
    pub fn pdf(&self, x: f64) -> f64 {
        match self {
            Self::Gaussian { mean, std } => normal_pdf((x - mean) / std) / std,
            Self::Mixture {
                weights,
                means,
                stds,
            } => components(weights, means, stds)
                .map(|(w, m, s)| w * normal_pdf((x - m) / s) / s)
                .sum(),
            Self::Uniform { low, high } => {
                if (*low..=*high).contains(&x) {
                    1.0 / (high - low)
                } else {
                    0.0
                }
            }
        }
    }

    /// Cumulative distribution F_data(x).
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Self::Gaussian { mean, std } => normal_cdf((x - mean) / std),
            Self::Mixture {
                weights,
                means,
                stds,
            } => components(weights, means, stds)
                .map(|(w, m, s)| w * normal_cdf((x - m) / s))
                .sum(),
            Self::Uniform { low, high } => ((x - low) / (high - low)).clamp(0.0, 1.0),
        }
    }

    /// Quantile F⁻¹(p) for p in (0, 1): closed form for the Gaussian and uniform,
    /// bisection on the CDF (to 1e-12 of the spread) for a mixture.
    pub fn quantile(&self, p: f64) -> f64 {
        match self {
            Self::Gaussian { mean, std } => mean + std * normal_quantile(p),
            Self::Uniform { low, high } => low + (high - low) * p.clamp(0.0, 1.0),
            Self::Mixture { .. } => {
                let (mut lo, mut hi) = self.support_hint();
                let tol = (hi - lo) * 1e-13;
                while hi - lo > tol {
                    let mid = 0.5 * (lo + hi);
                    // Far from 0 the tolerance can be finer than the numbers' spacing.
                    if mid <= lo || mid >= hi {
                        break;
                    }
                    if self.cdf(mid) < p {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                0.5 * (lo + hi)
            }
        }
    }

    /// Mean of p_data.
    pub fn mean(&self) -> f64 {
        match self {
            Self::Gaussian { mean, .. } => *mean,
            Self::Mixture {
                weights,
                means,
                stds,
            } => components(weights, means, stds)
                .map(|(w, m, _)| w * m)
                .sum(),
            Self::Uniform { low, high } => 0.5 * (low + high),
        }
    }

    /// Standard deviation of p_data.
    pub fn std(&self) -> f64 {
        match self {
            Self::Gaussian { std, .. } => *std,
            Self::Mixture {
                weights,
                means,
                stds,
            } => {
                let mu = self.mean();
                components(weights, means, stds)
                    .map(|(w, m, s)| w * (s * s + (m - mu) * (m - mu)))
                    .sum::<f64>()
                    .sqrt()
            }
            Self::Uniform { low, high } => (high - low) / 12f64.sqrt(),
        }
    }

    /// An interval holding all but a negligible (< 1e-15) part of the mass.
    pub fn support_hint(&self) -> (f64, f64) {
        match self {
            Self::Gaussian { mean, std } => (mean - 9.0 * std, mean + 9.0 * std),
            Self::Mixture { means, stds, .. } => means
                .iter()
                .zip(stds)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (m, s)| {
                    (lo.min(m - 9.0 * s), hi.max(m + 9.0 * s))
                }),
            Self::Uniform { low, high } => (*low, *high),
        }
    }

    /// One draw x ~ p_data.
    pub fn sample(&self, rng: &mut impl rand::Rng) -> f64 {
        match self {
            Self::Gaussian { mean, std } => {
                let n: f64 = rng.sample(StandardNormal);
                mean + std * n
            }
            Self::Mixture {
                weights,
                means,
                stds,
            } => {
                let u: f64 = rng.random();
                let mut acc = 0.0;
                let mut pick = weights.len() - 1;
                for (i, w) in weights.iter().enumerate() {
                    acc += w;
                    if u < acc {
                        pick = i;
                        break;
                    }
                }
                let n: f64 = rng.sample(StandardNormal);
                means[pick] + stds[pick] * n
            }
            Self::Uniform { low, high } => rng.random_range(*low..*high),
        }
    }

    /// Fills `out` with independent draws.
    pub fn sample_into<T: Real>(&self, rng: &mut impl rand::Rng, out: &mut [T]) {
        for v in out {
            *v = T::lit(self.sample(rng));
        }
    }
}

fn components<'a>(
    weights: &'a [f64],
    means: &'a [f64],
    stds: &'a [f64],
) -> impl Iterator<Item = (f64, f64, f64)> + 'a {
    weights
        .iter()
        .zip(means)
        .zip(stds)
        .map(|((&w, &m), &s)| (w, m, s))
}

/// The narrowest uniform accepted: as narrow as the narrowest Gaussian (a width of one
/// number's spacing would be the σ = 1e-320 of uniforms: no network resolves it).
pub const MIN_UNIFORM_WIDTH: f64 = 1e-3;

/// Refuses a uniform whose `high` does not exceed its `low` by [`MIN_UNIFORM_WIDTH`].
fn ordered(section: &str, low: f64, high: f64) -> Result<(), SettingError> {
    if high - low >= MIN_UNIFORM_WIDTH {
        Ok(())
    } else {
        Err(SettingError::new(
            &format!("{section}.high"),
            high,
            &format!("a number at least 0.001 greater than {section}.low = {low}"),
        ))
    }
}

/// The noise prior p_z that the generator is fed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Noise {
    /// U(low, high): the paper's Figure 1 draws evenly spaced z on such a line.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound, at least 0.001 above low.
        high: f64,
    },
    /// N(mean, std²).
    Normal {
        /// μ.
        mean: f64,
        /// σ, at least 0.001 (the schema's range).
        std: f64,
    },
}

impl Noise {
    /// The kinds' names, as in settings files (`noise.kind`).
    pub const KINDS: [&'static str; 2] = ["uniform", "normal"];

    /// This noise's kind, one of [`Self::KINDS`].
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Uniform { .. } => "uniform",
            Self::Normal { .. } => "normal",
        }
    }

    /// Checks what the settings schema cannot see field by field: a uniform's high
    /// exceeds its low.
    pub fn check_relations(&self) -> Result<(), SettingError> {
        match self {
            Self::Uniform { low, high } => ordered("noise", *low, *high),
            Self::Normal { .. } => Ok(()),
        }
    }

    /// Density p_z(z).
    pub fn pdf(&self, z: f64) -> f64 {
        match self {
            Self::Uniform { low, high } => {
                if (*low..=*high).contains(&z) {
                    1.0 / (high - low)
                } else {
                    0.0
                }
            }
            Self::Normal { mean, std } => normal_pdf((z - mean) / std) / std,
        }
    }

    /// F_z(z).
    pub fn cdf(&self, z: f64) -> f64 {
        match self {
            Self::Uniform { low, high } => ((z - low) / (high - low)).clamp(0.0, 1.0),
            Self::Normal { mean, std } => normal_cdf((z - mean) / std),
        }
    }

    /// F_z⁻¹(p).
    pub fn quantile(&self, p: f64) -> f64 {
        match self {
            Self::Uniform { low, high } => low + (high - low) * p.clamp(0.0, 1.0),
            Self::Normal { mean, std } => mean + std * normal_quantile(p),
        }
    }

    /// One draw z ~ p_z.
    pub fn sample(&self, rng: &mut impl rand::Rng) -> f64 {
        match self {
            Self::Uniform { low, high } => rng.random_range(*low..*high),
            Self::Normal { mean, std } => {
                let n: f64 = rng.sample(StandardNormal);
                mean + std * n
            }
        }
    }

    /// The Gaussianising warp w = Φ⁻¹(F_z(z)): for uniform z the probit of its rank,
    /// for normal z a standardisation. If z ~ p_z then w ~ N(0, 1) exactly.
    pub fn gaussianize(&self, z: f64) -> f64 {
        match self {
            Self::Uniform { .. } => normal_quantile(self.cdf(z).clamp(1e-12, 1.0 - 1e-12)),
            Self::Normal { mean, std } => (z - mean) / std,
        }
    }

    /// d w / d z of [`Self::gaussianize`]: p_z(z) / φ(w).
    pub fn gaussianize_slope(&self, z: f64) -> f64 {
        match self {
            Self::Uniform { .. } => self.pdf(z) / normal_pdf(self.gaussianize(z)),
            Self::Normal { std, .. } => 1.0 / std,
        }
    }
}

/// Fills `out` with standard normal draws (the law of a Gaussianised z).
pub fn standard_normal_into<T: Real>(rng: &mut impl rand::Rng, out: &mut [T]) {
    for v in out {
        let n: f64 = StandardNormal.sample(rng);
        *v = T::lit(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng as _;

    #[test]
    fn normal_quantile_inverts_cdf() {
        for &p in &[
            1e-12,
            1e-6,
            0.01,
            0.024,
            0.3,
            0.5,
            0.77,
            0.976,
            0.999,
            1.0 - 1e-9,
        ] {
            let x = normal_quantile(p);
            let back = normal_cdf(x);
            assert!(
                (back - p).abs() <= 1e-14_f64.max(p * 1e-12),
                "p={p} x={x} back={back}"
            );
        }
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-15);
    }

    #[test]
    fn target_cdf_quantile_and_moments_agree() {
        let targets = Target::one_of_each();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for t in &targets {
            t.check_relations().unwrap_or_else(|e| panic!("{e}"));
            for &p in &[0.01, 0.25, 0.5, 0.9] {
                assert!((t.cdf(t.quantile(p)) - p).abs() < 1e-9, "{t:?} p={p}");
            }
            // The density integrates to 1 and its derivative matches the CDF.
            let (lo, hi) = t.support_hint();
            let n = 200_000;
            let h = (hi - lo) / n as f64;
            let mass: f64 = (0..n).map(|i| t.pdf(lo + (i as f64 + 0.5) * h) * h).sum();
            assert!((mass - 1.0).abs() < 1e-6, "{t:?} mass {mass}");
            let draws: Vec<f64> = (0..200_000).map(|_| t.sample(&mut rng)).collect();
            let m = draws.iter().sum::<f64>() / draws.len() as f64;
            let v = draws.iter().map(|x| (x - m).powi(2)).sum::<f64>() / draws.len() as f64;
            assert!((m - t.mean()).abs() < 0.02, "{t:?} mean {m}");
            assert!((v.sqrt() - t.std()).abs() < 0.02, "{t:?} std {}", v.sqrt());
        }
    }

    #[test]
    fn a_mixture_quantile_far_from_zero_ends() {
        // Its tolerance (1e-13 of the spread) is finer than the spacing of numbers
        // near 1e4: the bisection must stop at adjacent numbers instead.
        let t = Target::Mixture {
            weights: vec![0.5, 0.5],
            means: vec![-1e4, -1e4],
            stds: vec![0.5, 0.5],
        };
        let q = t.quantile(0.5);
        assert!((q + 1e4).abs() < 1e-9, "{q}");
    }

    #[test]
    fn gaussianized_uniform_is_standard_normal() {
        let noise = Noise::Uniform {
            low: -1.0,
            high: 1.0,
        };
        for &z in &[-0.9, -0.2, 0.0, 0.5] {
            let w = noise.gaussianize(z);
            assert!((normal_cdf(w) - noise.cdf(z)).abs() < 1e-14);
            let h = 1e-6;
            let num = (noise.gaussianize(z + h) - noise.gaussianize(z - h)) / (2.0 * h);
            assert!((num - noise.gaussianize_slope(z)).abs() < 1e-6 * num.abs());
        }
    }
}
