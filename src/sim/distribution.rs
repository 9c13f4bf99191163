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

/// Standard normal quantile Φ⁻¹(p) by Wichura's algorithm AS 241 (PPND16, Applied
/// Statistics 37, 1988): three rational approximations of degree 7, accurate to about 1e-16
/// relative, with no call to Φ (twice as fast as a rational guess refined by a Halley step
/// on Φ, which the frame's z grid felt). Returns ±∞ at p = 0 or 1.
#[allow(
    clippy::excessive_precision,
    reason = "the coefficients as Wichura published them"
)]
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    // Numerator and denominator coefficients, constant term first.
    const CENTRAL: ([f64; 8], [f64; 8]) = (
        [
            3.387_132_872_796_366_608,
            1.331_416_678_917_843_774_5e2,
            1.971_590_950_306_551_442_7e3,
            1.373_169_376_550_946_112_5e4,
            4.592_195_393_154_987_145_7e4,
            6.726_577_092_700_870_085_3e4,
            3.343_057_558_358_812_810_5e4,
            2.509_080_928_730_122_672_7e3,
        ],
        [
            1.0,
            4.231_333_070_160_091_125_2e1,
            6.871_870_074_920_579_083e2,
            5.394_196_021_424_751_107_7e3,
            2.121_379_430_158_659_586_7e4,
            3.930_789_580_009_271_061e4,
            2.872_908_573_572_194_267_4e4,
            5.226_495_278_852_854_561e3,
        ],
    );
    const NEAR: ([f64; 8], [f64; 8]) = (
        [
            1.423_437_110_749_683_577_34,
            4.630_337_846_156_545_295_9,
            5.769_497_221_460_691_405_5,
            3.647_848_324_763_204_605_04,
            1.270_458_252_452_368_382_58,
            2.417_807_251_774_506_117_7e-1,
            2.272_384_498_926_918_458_33e-2,
            7.745_450_142_783_414_076_4e-4,
        ],
        [
            1.0,
            2.053_191_626_637_758_821_87,
            1.676_384_830_183_803_849_4,
            6.897_673_349_851_000_045_5e-1,
            1.481_039_764_274_800_745_9e-1,
            1.519_866_656_361_645_719_66e-2,
            5.475_938_084_995_344_946e-4,
            1.050_750_071_644_416_843_24e-9,
        ],
    );
    const FAR: ([f64; 8], [f64; 8]) = (
        [
            6.657_904_643_501_103_777_2,
            5.463_784_911_164_114_369_9,
            1.784_826_539_917_291_335_8,
            2.965_605_718_285_048_912_3e-1,
            2.653_218_952_657_612_309_3e-2,
            1.242_660_947_388_078_438_6e-3,
            2.711_555_568_743_487_578_15e-5,
            2.010_334_399_292_288_132_65e-7,
        ],
        [
            1.0,
            5.998_322_065_558_879_376_9e-1,
            1.369_298_809_227_358_053_1e-1,
            1.487_536_129_085_061_485_25e-2,
            7.868_691_311_456_132_591e-4,
            1.846_318_317_510_054_681_8e-5,
            1.421_511_758_316_445_888_7e-7,
            2.044_263_103_389_939_785_64e-15,
        ],
    );
    let ratio = |(num, den): &([f64; 8], [f64; 8]), r: f64| {
        let horner = |c: &[f64; 8]| c.iter().rev().fold(0.0, |acc, &c| acc * r + c);
        horner(num) / horner(den)
    };
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        return q * ratio(&CENTRAL, 0.180_625 - q * q);
    }
    let r = (-(if q < 0.0 { p } else { 1.0 - p }).ln()).sqrt();
    let x = if r <= 5.0 {
        ratio(&NEAR, r - 1.6)
    } else {
        ratio(&FAR, r - 5.0)
    };
    if q < 0.0 { -x } else { x }
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
        // Across all three branches (their seams at p = 0.075 and p = e^-25) and out to
        // p = 1e-300, inverting Φ to a few ulps of x and symmetric about 1/2.
        for i in 1..4000 {
            let p = if i < 2000 {
                10f64.powf(-300.0 * f64::from(i) / 2000.0)
            } else {
                f64::from(i - 2000) / 2000.0
            };
            if p <= 0.0 {
                continue;
            }
            let x = normal_quantile(p);
            let back = normal_cdf(x);
            // |dΦ/dx| = φ(x): the Φ error it allows, relative to p (the tail's own scale).
            let slack = 4.0 * f64::EPSILON * (p.min(1.0 - p) + normal_pdf(x) * x.abs());
            assert!(
                (back - p).abs() <= slack.max(1e-300),
                "p={p} x={x} back={back}"
            );
            if p < 0.5 && 1.0 - (1.0 - p) == p {
                assert_eq!(normal_quantile(1.0 - p), -normal_quantile(p), "p={p}");
            }
        }
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
