//! Optimisers: SGD, SGD with momentum (the paper's choice) and Adam, over a flat
//! parameter slice.

use serde::{Deserialize, Serialize};

use super::float::Real;

/// Which update rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    /// θ ← θ − η g.
    Sgd,
    /// v ← μ v + g;  θ ← θ − η v.
    Momentum,
    /// Adam (Kingma & Ba) with bias correction.
    Adam,
}

impl OptimizerKind {
    /// Every optimiser, for menus and tests.
    pub const ALL: [Self; 3] = [Self::Sgd, Self::Momentum, Self::Adam];

    /// The name used in settings files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sgd => "sgd",
            Self::Momentum => "momentum",
            Self::Adam => "adam",
        }
    }
}

impl std::fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The update rules' coefficients (the learning rate is passed per step, since the
/// schedule changes it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptimParams {
    /// μ of SGD with momentum, below 1.
    pub momentum: f64,
    /// Adam's β₁, below 1.
    pub beta1: f64,
    /// Adam's β₂, below 1 by more than f32's spacing there.
    pub beta2: f64,
    /// Adam's ε, positive.
    pub eps: f64,
}

/// An optimiser's state for one network.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimizer<T: Real> {
    kind: OptimizerKind,
    /// Momentum buffer, or Adam's first moment.
    m: Vec<T>,
    /// Adam's second moment.
    v: Vec<T>,
    /// Adam's step count, for bias correction.
    t: u64,
}

impl<T: Real> Optimizer<T> {
    /// Fresh state for `n` parameters.
    pub fn new(kind: OptimizerKind, n: usize) -> Self {
        Self {
            kind,
            m: vec![T::zero(); n],
            v: vec![T::zero(); n],
            t: 0,
        }
    }

    /// Becomes a copy of `other`, reusing this state's buffers (no allocation once sized).
    pub fn copy_from(&mut self, other: &Self) {
        self.kind = other.kind;
        self.t = other.t;
        self.m.clear();
        self.m.extend_from_slice(&other.m);
        self.v.clear();
        self.v.extend_from_slice(&other.v);
    }

    /// The update rule this state belongs to.
    pub fn kind(&self) -> OptimizerKind {
        self.kind
    }

    /// Applies one descent step θ ← θ − η·update(g). The caller has checked that `grads`
    /// is finite and bounded, so the state stays finite.
    pub fn step(&mut self, params: &mut [T], grads: &[T], lr: f64, hp: &OptimParams) {
        assert_eq!(
            params.len(),
            grads.len(),
            "optimiser: parameter/gradient mismatch"
        );
        assert_eq!(params.len(), self.m.len(), "optimiser: state size mismatch");
        let lr_t = T::lit(lr);
        match self.kind {
            OptimizerKind::Sgd => {
                for (p, &g) in params.iter_mut().zip(grads) {
                    *p -= lr_t * g;
                }
            }
            OptimizerKind::Momentum => {
                let mu = T::lit(hp.momentum);
                for ((p, &g), m) in params.iter_mut().zip(grads).zip(&mut self.m) {
                    *m = mu * *m + g;
                    *p -= lr_t * *m;
                }
            }
            OptimizerKind::Adam => {
                self.t += 1;
                let (b1, b2) = (hp.beta1, hp.beta2);
                let t = self.t as i32;
                // Bias corrections folded into the step size and ε (as in PyTorch).
                let c1 = 1.0 - b1.powi(t);
                let c2 = (1.0 - b2.powi(t)).sqrt();
                let step = T::lit(lr * c2 / c1);
                let eps = T::lit(hp.eps * c2);
                let (b1, b2) = (T::lit(b1), T::lit(b2));
                let (nb1, nb2) = (T::one() - b1, T::one() - b2);
                for (((p, &g), m), v) in params
                    .iter_mut()
                    .zip(grads)
                    .zip(&mut self.m)
                    .zip(&mut self.v)
                {
                    *m = b1 * *m + nb1 * g;
                    *v = b2 * *v + nb2 * g * g;
                    *p -= step * *m / (v.sqrt() + eps);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HP: OptimParams = OptimParams {
        momentum: 0.9,
        beta1: 0.5,
        beta2: 0.999,
        eps: 1e-8,
    };

    /// Each optimiser minimises a quadratic bowl f(θ) = Σ a_i (θ_i − c_i)².
    #[test]
    fn every_optimizer_descends_a_quadratic() {
        let hp = HP;
        let a = [1.0, 3.0, 0.5];
        let c = [2.0, -1.0, 0.5];
        for kind in OptimizerKind::ALL {
            let mut opt = Optimizer::<f64>::new(kind, 3);
            let mut theta = vec![0.0; 3];
            let lr = 0.05;
            for _ in 0..2000 {
                let g: Vec<f64> = (0..3).map(|i| 2.0 * a[i] * (theta[i] - c[i])).collect();
                opt.step(&mut theta, &g, lr, &hp);
            }
            for i in 0..3 {
                assert!(
                    (theta[i] - c[i]).abs() < 1e-2,
                    "{kind}: θ{i} = {}",
                    theta[i]
                );
            }
        }
    }

    #[test]
    fn adam_first_step_has_size_lr() {
        let hp = HP;
        let mut opt = Optimizer::<f64>::new(OptimizerKind::Adam, 2);
        let mut theta = vec![0.0, 0.0];
        opt.step(&mut theta, &[123.0, -0.001], 0.01, &hp);
        assert!(
            (theta[0] + 0.01).abs() < 1e-6 && (theta[1] - 0.01).abs() < 1e-4,
            "{theta:?}"
        );
    }
}
