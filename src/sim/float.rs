//! The scalar type the networks are generic over: `f32` for training speed, `f64` for
//! gradient checks and exact analysis.

use nalgebra::RealField;

/// A floating-point scalar usable by [`crate::sim::mlp::Mlp`].
///
/// Only `f32` and `f64` implement it. The element-wise kernels are written on slices so
/// that the compiler vectorises them along the minibatch.
pub trait Real: RealField + Copy + Default + std::fmt::Debug + Send + Sync + 'static {
    /// Converts from `f64` (rounding for `f32`).
    fn lit(v: f64) -> Self;
    /// Converts to `f64` exactly.
    fn as_f64(self) -> f64;
    /// `tanh(x)`; for `f32` a rational approximation (max error ≈ 1e-7) that vectorises.
    fn tanh_fast(self) -> Self;
    /// [`Self::tanh_fast`] with its multiply-adds fused when `FMA` (for a vector path
    /// whose CPU has FMA, whatever this build's baseline).
    fn tanh_fused<const FMA: bool>(self) -> Self;
    /// The logistic function 1 / (1 + e^−x), stable for large |x|.
    fn sigmoid(self) -> Self;
    /// [`Self::sigmoid`] with its multiply-adds fused when `FMA`.
    fn sigmoid_fused<const FMA: bool>(self) -> Self;
    /// Whether the value is neither infinite nor NaN.
    fn finite(self) -> bool;
    /// self · a + b, fused into one rounding where the CPU has FMA (then it vectorises to
    /// FMA instructions); a separate multiply and add elsewhere.
    fn mul_add_fast(self, a: Self, b: Self) -> Self;
    /// softplus(x) = log(1 + eˣ); for `f32` a branch-free form accurate to ≈ 1e-7 absolute.
    fn softplus_fast(self) -> Self;
}

impl Real for f64 {
    #[inline]
    fn lit(v: f64) -> Self {
        v
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self
    }
    #[inline]
    fn tanh_fast(self) -> Self {
        self.tanh()
    }
    #[inline]
    fn tanh_fused<const FMA: bool>(self) -> Self {
        self.tanh()
    }
    #[inline]
    fn sigmoid(self) -> Self {
        sigmoid_f64(self)
    }
    #[inline]
    fn sigmoid_fused<const FMA: bool>(self) -> Self {
        sigmoid_f64(self)
    }
    #[inline]
    fn finite(self) -> bool {
        self.is_finite()
    }
    #[inline]
    fn mul_add_fast(self, a: Self, b: Self) -> Self {
        #[cfg(target_feature = "fma")]
        {
            self.mul_add(a, b)
        }
        #[cfg(not(target_feature = "fma"))]
        {
            self * a + b
        }
    }
    #[inline]
    fn softplus_fast(self) -> Self {
        softplus(self)
    }
}

impl Real for f32 {
    #[inline]
    fn lit(v: f64) -> Self {
        v as Self
    }
    #[inline]
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline]
    fn tanh_fast(self) -> Self {
        tanh_rational_f32::<{ cfg!(target_feature = "fma") }>(self)
    }
    #[inline(always)]
    fn tanh_fused<const FMA: bool>(self) -> Self {
        tanh_rational_f32::<FMA>(self)
    }
    #[inline]
    fn sigmoid(self) -> Self {
        self.sigmoid_fused::<{ cfg!(target_feature = "fma") }>()
    }
    #[inline(always)]
    fn sigmoid_fused<const FMA: bool>(self) -> Self {
        // 0.5 + 0.5·tanh(x/2) is exact algebra and reuses the vectorising tanh.
        0.5 + 0.5 * tanh_rational_f32::<FMA>(0.5 * self)
    }
    #[inline]
    fn finite(self) -> bool {
        self.is_finite()
    }
    #[inline]
    fn mul_add_fast(self, a: Self, b: Self) -> Self {
        #[cfg(target_feature = "fma")]
        {
            self.mul_add(a, b)
        }
        #[cfg(not(target_feature = "fma"))]
        {
            self * a + b
        }
    }
    #[inline]
    fn softplus_fast(self) -> Self {
        // softplus(x) = max(x, 0) − ln σ(|x|), and σ(|x|) ∈ [1/2, 1] where
        // ln y = 2 atanh(s), s = (y − 1)/(y + 1) ∈ [−1/3, 0], converges fast.
        let y = (self.abs()).sigmoid();
        let s = (y - 1.0) / (y + 1.0);
        let s2 = s * s;
        let series = 1.0
            + s2 * (1.0 / 3.0
                + s2 * (1.0 / 5.0
                    + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0 + s2 / 13.0)))));
        self.max(0.0) - 2.0 * s * series
    }
}

/// The logistic function in `f64`, written so that neither branch overflows.
#[inline]
pub fn sigmoid_f64(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `softplus(x) = log(1 + e^x)`, stable for large |x|: `max(x, 0) + log1p(e^−|x|)`.
#[inline]
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// tanh as a 13/6 rational function on [−7.9, 7.9] (the coefficients used by Eigen);
/// branch-free so a loop over a slice vectorises.
#[inline(always)]
fn tanh_rational_f32<const FMA: bool>(x: f32) -> f32 {
    const CLAMP: f32 = 7.905_311;
    const A1: f32 = 4.893_524_6e-3;
    const A3: f32 = 6.372_619_3e-4;
    const A5: f32 = 1.485_722_4e-5;
    const A7: f32 = 5.122_297e-8;
    const A9: f32 = -8.604_672e-11;
    const A11: f32 = 2.000_188e-13;
    const A13: f32 = -2.760_768_5e-16;
    const B0: f32 = 4.893_525e-3;
    const B2: f32 = 2.268_434_6e-3;
    const B4: f32 = 1.185_347_1e-4;
    const B6: f32 = 1.198_258_4e-6;
    let x = x.clamp(-CLAMP, CLAMP);
    let x2 = x * x;
    // Horner's rule with fused multiply-adds where the path has them.
    let madd = |p: f32, c: f32| if FMA { p.mul_add(x2, c) } else { p * x2 + c };
    let mut p = A13;
    for c in [A11, A9, A7, A5, A3, A1] {
        p = madd(p, c);
    }
    let mut q = B6;
    for c in [B4, B2, B0] {
        q = madd(q, c);
    }
    p * x / q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_tanh_matches_std_tanh() {
        let mut worst = 0.0_f64;
        for i in -200_000..=200_000 {
            let x = i as f32 * 1e-4;
            let err = (f64::from(x.tanh_fast()) - f64::from(x).tanh()).abs();
            worst = worst.max(err);
        }
        assert!(worst < 5e-7, "max |tanh_fast − tanh| = {worst}");
        assert!((1e6_f32).tanh_fast() <= 1.0 && (-1e6_f32).tanh_fast() >= -1.0);
    }

    #[test]
    fn sigmoid_and_softplus_are_stable() {
        assert_eq!(sigmoid_f64(-1000.0), 0.0);
        assert_eq!(sigmoid_f64(1000.0), 1.0);
        assert!((softplus(1000.0) - 1000.0).abs() < 1e-12);
        assert!(softplus(-1000.0) >= 0.0 && softplus(-1000.0) < 1e-300);
        assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-15);
        for x in [-30.0_f32, -3.0, -0.01, 0.0, 0.7, 12.0, 40.0] {
            let err = (f64::from(x.softplus_fast()) - softplus(f64::from(x))).abs();
            assert!(
                err < 2e-6 * (1.0 + f64::from(x.abs())),
                "softplus({x}) off by {err}"
            );
            let err = (f64::from(x.sigmoid()) - sigmoid_f64(f64::from(x))).abs();
            assert!(err < 1e-6, "sigmoid({x}) off by {err}");
        }
    }
}
