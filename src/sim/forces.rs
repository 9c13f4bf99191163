//! The forces on generated samples: for each x = G(z) of a minibatch, the push
//! −∂ℓ/∂x that G's loss gives it through the frozen discriminator, under the run's loss
//! and, beside it, under the minimax and the non-saturating generator losses, so §3's
//! saturation shows sample by sample.
//!
//! Precisely: G's minibatch loss is L_G = (1/m) Σᵢ ℓ(l(xᵢ)), with l = D's raw output
//! (a logit, or a critic value) and ℓ the per-sample loss of [`generator_loss`]. The
//! force on sample i is
//!
//! F_i = −m · ∂L_G/∂x_i = −ℓ'(l(x_i)) · ∂l/∂x (x_i),
//!
//! in data units (x, not the standardised x̃ = (x − μ)/σ the networks see), and without
//! the minibatch's 1/m, so it does not depend on m. G's backward pass receives
//! ∂L_G/∂x̃_i = −σ F_i / m for that sample. For the critic losses (Wasserstein, hinge)
//! ℓ = −l, so the force is the critic's slope. The force is where G's step pushes each
//! sample; how far the sample actually moves also depends on G's Jacobian, which the
//! slow iteration's G update shows ([`super::substep`]).
//!
//! The minimax and non-saturating pushes read D's raw output as a logit whatever the
//! run's loss is: −ℓ' is σ(l) for minimax (log(1 − D) saturates as D(G(z)) → 0) and
//! σ(−l) = 1 − D for non-saturating (−log D does not).
//!
//! With the oracle D of Proposition 2 ([`super::oracle`]) G descends through D*, not
//! through the network: [`oracle_forces`] takes l = l*(x) = ln p̂_data(x) − ln p̂_g(x) and
//! its slope from [`OracleD::logit_and_slope`], with the same ℓ.
//!
//! When G does not learn through D (`training.g_objective`, see [`super::alone`]),
//! [`Forces::current`] is the push G's own objective gives (the minimax and non-saturating
//! columns stay the pushes D would give, for comparison). For the regression objectives it
//! is the expected push of the pairing, −∂ℓ/∂x with ℓ = (x − y)²/σ² the per-sample loss in
//! network units and y its paired value in the limit of a large minibatch: y = E[x] for
//! random pairs, y = T*(z) for ranked ones. Under d-ascent it is ∂l/∂x, the slope the
//! ascent climbs, at the ascent's end points: about 0 where they reached a maximum of D.

use super::alone::GObjective;
use super::ideal::ideal_map_batch;
use super::loss::{LossKind, generator_loss};
use super::model::GanModel;
use super::oracle::OracleD;
use super::trainer::Trainer;

/// The forces on one minibatch of generated samples (see the module docs for the
/// definition and units).
#[derive(Clone, Debug, PartialEq)]
pub struct Forces {
    /// The run's loss, under which [`Self::current`] is taken.
    pub loss: LossKind,
    /// x_i = G(z_i), in data units.
    pub x: Vec<f64>,
    /// D's raw output l(x_i) (a logit, or a critic value).
    pub d_raw: Vec<f64>,
    /// F_i under the run's loss: positive pushes x_i to the right.
    pub current: Vec<f64>,
    /// F_i under the minimax generator loss E log(1 − D(G(z))): σ(l_i) · ∂l/∂x.
    pub minimax: Vec<f64>,
    /// F_i under the non-saturating generator loss −E log D(G(z)): σ(−l_i) · ∂l/∂x.
    pub non_saturating: Vec<f64>,
}

/// The mean |F_i| over a minibatch under each loss.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MeanPush {
    /// Under the run's loss.
    pub current: f64,
    /// Under the minimax loss.
    pub minimax: f64,
    /// Under the non-saturating loss.
    pub non_saturating: f64,
}

impl MeanPush {
    /// How many times the non-saturating push is the minimax one (§3's gap), `None` when
    /// the minimax push is 0.
    pub fn non_saturating_over_minimax(self) -> Option<f64> {
        (self.minimax > 0.0).then(|| self.non_saturating / self.minimax)
    }
}

impl Forces {
    /// The mean |F_i| of each loss (0 for an empty minibatch).
    pub fn mean_push(&self) -> MeanPush {
        let Self {
            current,
            minimax,
            non_saturating,
            ..
        } = self;
        MeanPush {
            current: mean_abs(current),
            minimax: mean_abs(minimax),
            non_saturating: mean_abs(non_saturating),
        }
    }
}

/// The forces on G(z) for the noise values `z` (in p_z's units) under `trainer`'s
/// current G and D. Pure: nothing in the trainer changes and no random number is drawn.
/// Evaluated in `f64` on the trained `f32` weights.
pub fn forces(trainer: &Trainer, z: &[f64]) -> Forces {
    let settings = trainer.settings();
    let model = GanModel::<f64>::new(
        settings,
        trainer.generator().cast(),
        trainer.discriminator().cast(),
    );
    let (shift, scale) = GanModel::<f64>::data_scale(settings);
    let x = model.generate(z);
    let x_net: Vec<f64> = x.iter().map(|x| (x - shift) / scale).collect();
    let (d_raw, slope_net) = model.discriminator.eval_with_slope(&x_net);
    // ∂l/∂x = (∂l/∂x̃) / σ.
    let slope: Vec<f64> = slope_net.iter().map(|s| s / scale).collect();
    let push = |kind| per_sample_push(kind, &d_raw, &slope);
    let current = match settings.training.g_objective {
        GObjective::Adversarial => push(model.loss),
        GObjective::L2Random | GObjective::L2Ranked => {
            let ranked = settings.training.g_objective == GObjective::L2Ranked;
            let paired: Vec<f64> = if ranked {
                ideal_map_batch(&model.target, &model.noise, z)
            } else {
                vec![model.target.mean(); z.len()]
            };
            x.iter()
                .zip(&paired)
                .map(|(x, y)| -2.0 * (x - y) / (scale * scale))
                .collect()
        }
        GObjective::DAscent => slope.clone(),
    };
    Forces {
        loss: model.loss,
        current,
        minimax: push(LossKind::Minimax),
        non_saturating: push(LossKind::NonSaturating),
        x,
        d_raw,
    }
}

/// The forces on G(z) for the noise values `z` when G descends through the oracle D*
/// of its current state (Proposition 2), as [`super::oracle::iteration`] trains it: l is
/// D*'s logit l*(x) and ∂l/∂x its slope ([`OracleD::logit_and_slope`]); the network D is
/// not read. Pure, like [`forces`].
pub fn oracle_forces(trainer: &Trainer, z: &[f64]) -> Forces {
    let model = GanModel::<f64>::new(
        trainer.settings(),
        trainer.generator().cast(),
        trainer.discriminator().cast(),
    );
    forces_through_oracle(&OracleD::new(&model), model.loss, model.generate(z))
}

/// The forces on the samples `x` (data units) through `oracle` under the run's `loss`.
pub fn forces_through_oracle(oracle: &OracleD, loss: LossKind, x: Vec<f64>) -> Forces {
    let (d_raw, slope): (Vec<f64>, Vec<f64>) = x.iter().map(|&x| oracle.logit_and_slope(x)).unzip();
    let push = |kind| per_sample_push(kind, &d_raw, &slope);
    Forces {
        loss,
        current: push(loss),
        minimax: push(LossKind::Minimax),
        non_saturating: push(LossKind::NonSaturating),
        x,
        d_raw,
    }
}

/// m equal-probability noise values, the midpoints F_z⁻¹((i + ½)/m): a minibatch without
/// random draws, for mean pushes that are the same on every call.
pub fn quantile_noise(trainer: &Trainer, m: usize) -> Vec<f64> {
    let noise = &trainer.settings().noise;
    (0..m)
        .map(|i| noise.quantile((i as f64 + 0.5) / m as f64))
        .collect()
}

/// F_i = −ℓ'(l_i) · ∂l/∂x_i, with ℓ' from [`generator_loss`] itself (which writes
/// ℓ'(l_i)/m), so the force and the loss the trainer descends cannot disagree.
fn per_sample_push(kind: LossKind, raw: &[f64], slope: &[f64]) -> Vec<f64> {
    let m = raw.len() as f64;
    let mut dl = vec![0.0; raw.len()];
    generator_loss(kind, raw, &mut dl);
    dl.iter().zip(slope).map(|(d, s)| -(d * m) * s).collect()
}

fn mean_abs(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().map(|v| v.abs()).sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimax_and_non_saturating_pushes_are_sigma_l_and_sigma_minus_l_times_the_slope() {
        let raw = [-6.0, 0.0, 2.0];
        let slope = [0.5, -1.0, 2.0];
        let mm = per_sample_push(LossKind::Minimax, &raw, &slope);
        let ns = per_sample_push(LossKind::NonSaturating, &raw, &slope);
        for i in 0..raw.len() {
            let s = super::super::float::sigmoid_f64(raw[i]);
            assert!(
                (mm[i] - s * slope[i]).abs() < 1e-12,
                "minimax {i}: {}",
                mm[i]
            );
            assert!(
                (ns[i] - (1.0 - s) * slope[i]).abs() < 1e-12,
                "non-saturating {i}: {}",
                ns[i]
            );
        }
        // Both push along D's slope, towards "real".
        assert!(mm.iter().zip(&slope).all(|(f, s)| f * s > 0.0));
    }

    #[test]
    fn the_oracle_force_is_minus_m_times_the_slope_of_g_loss_through_d_star() {
        use crate::sim::Settings;
        for kind in [LossKind::Minimax, LossKind::NonSaturating] {
            let mut s = Settings::preset("fig1").expect("preset");
            s.training.loss = kind;
            let mut t = Trainer::new(s).expect("valid");
            crate::sim::oracle::run(&mut t, 20).expect("finite");
            let z = quantile_noise(&t, 16);
            let f = oracle_forces(&t, &z);
            let model =
                GanModel::<f64>::new(t.settings(), t.generator().cast(), t.discriminator().cast());
            let oracle = OracleD::new(&model);
            let loss = |x: &[f64]| oracle.generator_loss(kind, x).expect("a loss with D*").0;
            let m = z.len() as f64;
            let h = 1e-6;
            let largest = f.current.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
            assert!(largest > 1e-3, "{kind}: no push at all ({largest})");
            for i in 0..z.len() {
                let (mut xp, mut xm) = (f.x.clone(), f.x.clone());
                xp[i] += h;
                xm[i] -= h;
                let numeric = -m * (loss(&xp) - loss(&xm)) / (2.0 * h);
                assert!(
                    (numeric - f.current[i]).abs() <= 1e-5 * largest,
                    "{kind}: sample {i} at x = {}: force {} but -m dL_G/dx = {numeric}",
                    f.x[i],
                    f.current[i]
                );
            }
            // The oracle's forces are not the network D's.
            let network = forces(&t, &z);
            assert_ne!(network.current, f.current, "{kind}");
        }
    }
}
