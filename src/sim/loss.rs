//! GAN losses on the discriminator's raw output l (a logit for the cross-entropy losses,
//! a critic value for Wasserstein and hinge). Each function returns the minibatch loss and
//! writes ∂loss/∂l per sample, so the network never sees a probability that could round
//! to 0 or 1.

use serde::{Deserialize, Serialize};

use super::float::Real;
use super::mlp::sum;

/// The loss pair used for D and G.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossKind {
    /// The paper's value function for both: G descends E log(1 − D(G(z))) (Algorithm 1).
    Minimax,
    /// D as in the paper; G minimises −E log D(G(z)) instead (§3), same fixed point.
    NonSaturating,
    /// Least squares (Mao et al.): D regresses 1 on data and 0 on samples; G regresses 1.
    LeastSquares,
    /// Wasserstein critic with weight clipping (Arjovsky et al.).
    WassersteinClip,
    /// Wasserstein critic with a gradient penalty λ E[max(0, |f'(x̂)| − 1)²] (see
    /// [`gradient_penalty`] for why one-sided).
    WassersteinGp,
    /// Hinge loss for D; G maximises the critic.
    Hinge,
}

impl LossKind {
    /// Every loss, for menus and tests.
    pub const ALL: [Self; 6] = [
        Self::Minimax,
        Self::NonSaturating,
        Self::LeastSquares,
        Self::WassersteinClip,
        Self::WassersteinGp,
        Self::Hinge,
    ];

    /// The name used in settings files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Minimax => "minimax",
            Self::NonSaturating => "non-saturating",
            Self::LeastSquares => "least-squares",
            Self::WassersteinClip => "wasserstein-clip",
            Self::WassersteinGp => "wasserstein-gp",
            Self::Hinge => "hinge",
        }
    }

    /// D(x) as a number in [0, 1] for drawing and for V(D, G): σ(l), except for least
    /// squares, whose output is itself the regression onto {0, 1} (its optimum is also
    /// p_data / (p_data + p_g)), clamped to [0, 1].
    pub fn probability(self, raw: f64) -> f64 {
        match self {
            Self::LeastSquares => raw.clamp(0.0, 1.0),
            _ => super::float::sigmoid_f64(raw),
        }
    }
}

impl std::fmt::Display for LossKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// D's loss (to minimise) on raw outputs for real and generated samples; writes
/// ∂L/∂l into `d_real` and `d_fake`. For the cross-entropy losses this is −V(D, G) on the
/// minibatch. The gradient penalty of WGAN-GP is added by the trainer.
pub fn discriminator_loss<T: Real>(
    kind: LossKind,
    real: &[T],
    fake: &[T],
    d_real: &mut [T],
    d_fake: &mut [T],
) -> f64 {
    let (nr, nf) = (T::lit(real.len() as f64), T::lit(fake.len() as f64));
    let (one, zero, half) = (T::one(), T::zero(), T::lit(0.5));
    let mut total = zero;
    match kind {
        LossKind::Minimax | LossKind::NonSaturating => {
            // L = E softplus(−l_r) + E softplus(l_f);  ∂/∂l_r = −σ(−l_r),  ∂/∂l_f = σ(l_f).
            // Per-sample terms first (vectorised), then one lane-parallel sum.
            for (g, &l) in d_real.iter_mut().zip(real) {
                *g = (-l).softplus_fast();
            }
            let t_r = sum(d_real);
            for (g, &l) in d_real.iter_mut().zip(real) {
                *g = -(-l).sigmoid() / nr;
            }
            for (g, &l) in d_fake.iter_mut().zip(fake) {
                *g = l.softplus_fast();
            }
            let t_f = sum(d_fake);
            for (g, &l) in d_fake.iter_mut().zip(fake) {
                *g = l.sigmoid() / nf;
            }
            return t_r.as_f64() / real.len() as f64 + t_f.as_f64() / fake.len() as f64;
        }
        LossKind::LeastSquares => {
            for (g, &l) in d_real.iter_mut().zip(real) {
                total += half * (l - one) * (l - one) / nr;
                *g = (l - one) / nr;
            }
            for (g, &l) in d_fake.iter_mut().zip(fake) {
                total += half * l * l / nf;
                *g = l / nf;
            }
        }
        LossKind::WassersteinClip | LossKind::WassersteinGp => {
            for (g, &l) in d_real.iter_mut().zip(real) {
                total -= l / nr;
                *g = -one / nr;
            }
            for (g, &l) in d_fake.iter_mut().zip(fake) {
                total += l / nf;
                *g = one / nf;
            }
        }
        LossKind::Hinge => {
            for (g, &l) in d_real.iter_mut().zip(real) {
                let active = l < one;
                total += if active { (one - l) / nr } else { zero };
                *g = if active { -one / nr } else { zero };
            }
            for (g, &l) in d_fake.iter_mut().zip(fake) {
                let active = l > -one;
                total += if active { (one + l) / nf } else { zero };
                *g = if active { one / nf } else { zero };
            }
        }
    }
    total.as_f64()
}

/// G's loss (to minimise) on D's raw outputs for generated samples; writes ∂L/∂l.
pub fn generator_loss<T: Real>(kind: LossKind, fake: &[T], d_fake: &mut [T]) -> f64 {
    let n = T::lit(fake.len() as f64);
    let one = T::one();
    let mut total = T::zero();
    match kind {
        LossKind::Minimax => {
            // L = E log(1 − σ(l)) = −E softplus(l);  ∂/∂l = −σ(l): vanishes as D(G(z)) → 0.
            for (g, &l) in d_fake.iter_mut().zip(fake) {
                *g = l.softplus_fast();
            }
            total = -sum(d_fake);
            for (g, &l) in d_fake.iter_mut().zip(fake) {
                *g = -l.sigmoid() / n;
            }
        }
        LossKind::NonSaturating => {
            // L = −E log σ(l) = E softplus(−l);  ∂/∂l = −σ(−l): strong when D(G(z)) ≈ 0.
            for (g, &l) in d_fake.iter_mut().zip(fake) {
                *g = (-l).softplus_fast();
            }
            total = sum(d_fake);
            for (g, &l) in d_fake.iter_mut().zip(fake) {
                *g = -(-l).sigmoid() / n;
            }
        }
        LossKind::LeastSquares => {
            for (g, &l) in d_fake.iter_mut().zip(fake) {
                total += T::lit(0.5) * (l - one) * (l - one);
                *g = (l - one) / n;
            }
        }
        LossKind::WassersteinClip | LossKind::WassersteinGp | LossKind::Hinge => {
            for (g, &l) in d_fake.iter_mut().zip(fake) {
                total -= l;
                *g = -one / n;
            }
        }
    }
    total.as_f64() / fake.len() as f64
}

/// The gradient penalty λ E[max(0, |s| − 1)²] on input slopes s = f'(x̂), with ∂/∂s.
///
/// One-sided (Petzka et al., 2018) rather than Gulrajani et al.'s (|s| − 1)²: both keep
/// the critic near 1-Lipschitz, but in one dimension a slope cannot rotate the way a
/// gradient does in the plane, so the two-sided form puts a barrier of height λ at f' = 0
/// that the critic cannot cross. We measured the consequence: a critic that starts
/// increasing stays increasing, and G runs off to infinity.
pub fn gradient_penalty(weight: f64, slopes: &[f64]) -> (f64, Vec<f64>) {
    let n = slopes.len() as f64;
    let excess = |s: f64| (s.abs() - 1.0).max(0.0);
    let value = slopes.iter().map(|&s| excess(s).powi(2)).sum::<f64>() * weight / n;
    let grad = slopes
        .iter()
        .map(|&s| 2.0 * weight * excess(s) * s.signum() / n)
        .collect();
    (value, grad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<F: Fn(&[f64]) -> f64>(f: F, x: &[f64], analytic: &[f64], what: &str) {
        let h = 1e-6;
        for i in 0..x.len() {
            let (mut xp, mut xm) = (x.to_vec(), x.to_vec());
            xp[i] += h;
            xm[i] -= h;
            let num = (f(&xp) - f(&xm)) / (2.0 * h);
            let err = (num - analytic[i]).abs() / num.abs().max(analytic[i].abs()).max(1e-8);
            assert!(
                err < 1e-6,
                "{what}: sample {i} numeric {num} analytic {} rel {err}",
                analytic[i]
            );
        }
    }

    #[test]
    fn every_loss_gradient_matches_central_differences() {
        let real = [2.5, -0.3, 0.7, 9.0, -12.0];
        let fake = [-1.7, 0.2, 3.3, -8.0];
        for kind in LossKind::ALL {
            let (mut dr, mut df) = (vec![0.0; real.len()], vec![0.0; fake.len()]);
            discriminator_loss(kind, &real, &fake, &mut dr, &mut df);
            let mut scratch = (vec![0.0; real.len()], vec![0.0; fake.len()]);
            let mut s2 = scratch.clone();
            check(
                |r| {
                    discriminator_loss(
                        kind,
                        r,
                        &fake,
                        &mut scratch.0.clone(),
                        &mut scratch.1.clone(),
                    )
                },
                &real,
                &dr,
                &format!("{kind} D real"),
            );
            check(
                |f| discriminator_loss(kind, &real, f, &mut s2.0.clone(), &mut s2.1.clone()),
                &fake,
                &df,
                &format!("{kind} D fake"),
            );
            scratch.0.clear();
            s2.0.clear();
            let mut dg = vec![0.0; fake.len()];
            generator_loss(kind, &fake, &mut dg);
            check(
                |f| generator_loss(kind, f, &mut vec![0.0; f.len()]),
                &fake,
                &dg,
                &format!("{kind} G"),
            );
        }
        let slopes = [0.3, -2.0, 1.7, -0.4];
        let (_, g) = gradient_penalty(10.0, &slopes);
        check(
            |s| gradient_penalty(10.0, s).0,
            &slopes,
            &g,
            "gradient penalty",
        );
    }

    #[test]
    fn cross_entropy_on_logits_is_stable_and_matches_the_value_function() {
        // −V(D, G) on one real and one fake sample, in the paper's terms.
        let (lr, lf) = (0.8_f64, -0.4_f64);
        let (dr, df) = (
            super::super::float::sigmoid_f64(lr),
            super::super::float::sigmoid_f64(lf),
        );
        let expected = -(dr.ln() + (1.0 - df).ln());
        let got = discriminator_loss(LossKind::Minimax, &[lr], &[lf], &mut [0.0], &mut [0.0]);
        assert!((got - expected).abs() < 1e-12);
        // Logits of ±1000 would give log(0) through probabilities; on logits they are fine.
        let big = discriminator_loss(
            LossKind::Minimax,
            &[-1000.0_f32],
            &[1000.0],
            &mut [0.0],
            &mut [0.0],
        );
        assert!(big.is_finite() && (big - 2000.0).abs() < 1e-3, "{big}");
    }

    #[test]
    fn minimax_loss_saturates_where_non_saturating_does_not() {
        // D confidently rejects the samples: D(G(z)) = σ(−8) ≈ 3e-4.
        let fake = [-8.0_f64; 4];
        let (mut mm, mut ns) = ([0.0; 4], [0.0; 4]);
        generator_loss(LossKind::Minimax, &fake, &mut mm);
        generator_loss(LossKind::NonSaturating, &fake, &mut ns);
        assert!(
            ns[0].abs() > 1000.0 * mm[0].abs(),
            "minimax {} vs non-saturating {}",
            mm[0],
            ns[0]
        );
    }
}
