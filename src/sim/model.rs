//! The generator and discriminator as functions of data-space x and noise z, with the
//! scalings applied: G(z) = μ + σ·net_G(w(z)) and D(x) = σ_logistic(net_D((x − μ)/σ))
//! (for least squares, the raw output itself: see [`LossKind::probability`]).
//!
//! The networks are evaluated in their own precision (`f32` for a training run: the exact
//! functions that were trained); inputs and outputs cross the boundary as `f64`.

use std::sync::OnceLock;

use super::alone::{AscentFrame, AscentMap, GObjective};
use super::distribution::{Noise, Target};
use super::float::Real;
use super::loss::LossKind;
use super::mlp::Mlp;
use super::settings::Settings;

/// G and D as maps between data space and noise space.
#[derive(Clone, Debug)]
pub struct GanModel<T: Real = f32> {
    /// p_data.
    pub target: Target,
    /// p_z.
    pub noise: Noise,
    /// The loss, which says how D's raw output reads as a probability.
    pub loss: LossKind,
    /// G's network.
    pub generator: Mlp<T>,
    /// D's network.
    pub discriminator: Mlp<T>,
    shift: f64,
    scale: f64,
    gaussianize_z: bool,
    /// Under [`GObjective::DAscent`] there is no G: x = G(z) is the end of the ascent on D
    /// from the start of z (see [`AscentMap`]), made when first asked for.
    ascent: Option<(AscentFrame, OnceLock<AscentMap>)>,
}

impl<T: Real> GanModel<T> {
    /// Wraps networks trained under `settings`.
    pub fn new(settings: &Settings, generator: Mlp<T>, discriminator: Mlp<T>) -> Self {
        let (shift, scale) = Self::data_scale(settings);
        Self {
            target: settings.target.clone(),
            noise: settings.noise.clone(),
            loss: settings.training.loss,
            generator,
            discriminator,
            shift,
            scale,
            gaussianize_z: settings.scaling.gaussianize_z,
            ascent: (settings.training.g_objective == GObjective::DAscent).then(|| {
                (
                    AscentFrame::new(&settings.target, (shift, scale)),
                    OnceLock::new(),
                )
            }),
        }
    }

    /// Under d-ascent, the map from z to the ascent's end point under this D.
    pub fn ascent_map(&self) -> Option<&AscentMap> {
        self.ascent
            .as_ref()
            .map(|(frame, map)| map.get_or_init(|| AscentMap::new(frame, &self.discriminator)))
    }

    /// (μ, σ) of the data standardisation: the target's mean and std, or (0, 1).
    pub fn data_scale(settings: &Settings) -> (f64, f64) {
        if settings.scaling.standardize {
            (settings.target.mean(), settings.target.std())
        } else {
            (0.0, 1.0)
        }
    }

    fn generator_input(&self, z: &[f64]) -> Vec<T> {
        if self.gaussianize_z {
            z.iter()
                .map(|&z| T::lit(self.noise.gaussianize(z)))
                .collect()
        } else {
            z.iter().map(|&z| T::lit(z)).collect()
        }
    }

    /// x = G(z) for each z (under d-ascent: the ascent's end point from z's start).
    pub fn generate(&self, z: &[f64]) -> Vec<f64> {
        if let Some(map) = self.ascent_map() {
            return map.generate(&self.noise, z);
        }
        let w = self.generator_input(z);
        self.generator
            .eval(&w)
            .into_iter()
            .map(|g| self.shift + self.scale * g.as_f64())
            .collect()
    }

    /// (G(z), G'(z)) for each z; G' includes the warp's slope.
    pub fn generate_with_slope(&self, z: &[f64]) -> (Vec<f64>, Vec<f64>) {
        if let Some(map) = self.ascent_map() {
            return map.generate_with_slope(&self.noise, z);
        }
        let w = self.generator_input(z);
        let (g, dg) = self.generator.eval_with_slope(&w);
        let x = g
            .iter()
            .map(|g| self.shift + self.scale * g.as_f64())
            .collect();
        let slope = dg
            .iter()
            .zip(z)
            .map(|(d, &z)| {
                let warp = if self.gaussianize_z {
                    self.noise.gaussianize_slope(z)
                } else {
                    1.0
                };
                self.scale * d.as_f64() * warp
            })
            .collect();
        (x, slope)
    }

    /// D's raw output (logit or critic value) at each x.
    pub fn discriminator_raw(&self, x: &[f64]) -> Vec<f64> {
        let xs: Vec<T> = x
            .iter()
            .map(|x| T::lit((x - self.shift) / self.scale))
            .collect();
        self.discriminator
            .eval(&xs)
            .into_iter()
            .map(T::as_f64)
            .collect()
    }

    /// D(x) as a probability (see [`LossKind::probability`]).
    pub fn discriminator_probability(&self, x: &[f64]) -> Vec<f64> {
        self.discriminator_raw(x)
            .into_iter()
            .map(|l| self.loss.probability(l))
            .collect()
    }
}
