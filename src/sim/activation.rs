//! Hidden-layer activations. Each one's value and derivatives sit side by side in one
//! `match`, so an activation without a derivative does not compile.

use serde::{Deserialize, Serialize};

use super::float::Real;

/// Slope of leaky ReLU for negative inputs.
pub const LEAKY_SLOPE: f64 = 0.2;

/// A hidden-layer nonlinearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    /// tanh(z), as in most 1-D GAN demonstrations.
    Tanh,
    /// max(0, z).
    Relu,
    /// max(0.2·z, z).
    LeakyRelu,
    /// 1 / (1 + e^−z).
    Sigmoid,
}

impl Activation {
    /// Every activation, for menus and tests.
    pub const ALL: [Self; 4] = [Self::Tanh, Self::Relu, Self::LeakyRelu, Self::Sigmoid];

    /// The name used in settings files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tanh => "tanh",
            Self::Relu => "relu",
            Self::LeakyRelu => "leaky-relu",
            Self::Sigmoid => "sigmoid",
        }
    }

    /// a = σ(z), applied in place to a slice.
    #[inline]
    pub fn forward_in_place<T: Real>(self, z: &mut [T]) {
        self.forward_in_place_fused::<T, { cfg!(target_feature = "fma") }>(z);
    }

    /// [`Self::forward_in_place`], with the approximations' multiply-adds fused when `FMA`
    /// (for a vector path of [`super::simd`] whose CPU has FMA).
    #[inline(always)]
    pub fn forward_in_place_fused<T: Real, const FMA: bool>(self, z: &mut [T]) {
        let zero = T::zero();
        let slope = T::lit(LEAKY_SLOPE);
        // Plain loops, not `for_each`: a library call that LLVM may leave out of line in a
        // large vector-path function, where its multiply-adds become `fmaf` calls.
        match self {
            Self::Tanh => {
                for v in z {
                    *v = v.tanh_fused::<FMA>();
                }
            }
            Self::Relu => {
                for v in z {
                    *v = if *v > zero { *v } else { zero };
                }
            }
            Self::LeakyRelu => {
                for v in z {
                    *v = if *v > zero { *v } else { *v * slope };
                }
            }
            Self::Sigmoid => {
                for v in z {
                    *v = v.sigmoid_fused::<FMA>();
                }
            }
        }
    }

    /// σ'(z) and σ''(z), both written in terms of the output a = σ(z).
    ///
    /// Working from the output means the forward pass need not keep z.
    #[inline]
    pub fn derivatives_from_output<T: Real>(self, a: T) -> (T, T) {
        let one = T::one();
        let two = one + one;
        match self {
            // tanh' = 1 − a², tanh'' = −2a(1 − a²)
            Self::Tanh => {
                let d = one - a * a;
                (d, -two * a * d)
            }
            // ReLU is piecewise linear: σ'' = 0 almost everywhere.
            Self::Relu => (if a > T::zero() { one } else { T::zero() }, T::zero()),
            Self::LeakyRelu => (
                if a > T::zero() {
                    one
                } else {
                    T::lit(LEAKY_SLOPE)
                },
                T::zero(),
            ),
            // σ' = a(1 − a), σ'' = a(1 − a)(1 − 2a)
            Self::Sigmoid => {
                let d = a * (one - a);
                (d, d * (one - two * a))
            }
        }
    }

    /// Multiplies an upstream gradient by σ'(z) in place: g ← g · σ'(z), with a = σ(z).
    #[inline(always)]
    pub fn backward_in_place<T: Real>(self, a: &[T], g: &mut [T]) {
        let zero = T::zero();
        let one = T::one();
        let slope = T::lit(LEAKY_SLOPE);
        match self {
            Self::Tanh => {
                for (g, &a) in g.iter_mut().zip(a) {
                    *g *= one - a * a;
                }
            }
            Self::Relu => {
                for (g, &a) in g.iter_mut().zip(a) {
                    *g = if a > zero { *g } else { zero };
                }
            }
            Self::LeakyRelu => {
                for (g, &a) in g.iter_mut().zip(a) {
                    *g = if a > zero { *g } else { *g * slope };
                }
            }
            Self::Sigmoid => {
                for (g, &a) in g.iter_mut().zip(a) {
                    *g *= a * (one - a);
                }
            }
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
