//! The vector paths: which of the CPU's vector units a network's forward and backward
//! passes use, picked once at run time. The default build targets baseline x86-64 (or
//! whatever the architecture's baseline is), so one binary starts on any machine of its
//! architecture, and still runs its passes with AVX2 + FMA or AVX-512 where the CPU has them.
//!
//! Each path compiles the same Rust ([`Mlp::forward_on`], [`Mlp::backward_on`], inlined
//! into a function built for that path's CPU features); a path differs only in its
//! register blocking and in fusing multiply-adds. The products over a layer's inputs add
//! in the same order on every path; the weight gradients' sums over the batch are split
//! into one partial sum per vector lane, so paths with different lane counts agree to
//! rounding, not bit for bit (the tests compare every path with the baseline).
//!
//! This is the crate's one module with `unsafe` code, and all of it is the calls in
//! [`forward`] and [`backward`]: calling a function compiled for CPU features that the
//! CPU might lack is unsafe, and each such call here sits behind [`VectorPath::supported`],
//! the standard library's run-time CPUID check, read once through [`active`].
#![expect(
    unsafe_code,
    reason = "calls to #[target_feature] functions, each guarded by a run-time CPU check"
)]

use std::sync::atomic::{AtomicU8, Ordering};

use super::activation::Activation;
use super::float::Real;
use super::kernels::{Start, matmul_blocked, matmul_tn, matmul_tn_by_products, tn_by_products};
use super::mlp::{Mlp, Workspace};

/// A set of vector instructions the passes can be compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VectorPath {
    /// AVX-512 (F, VL, DQ, BW) with FMA: 16 f32 lanes, 32 vector registers (x86-64).
    Avx512,
    /// AVX2 with FMA: 8 f32 lanes, 16 vector registers (x86-64).
    Avx2,
    /// The architecture's baseline (SSE2 on x86-64), no FMA: runs on every CPU.
    Baseline,
}

impl VectorPath {
    /// Every path, fastest first.
    pub const ALL: [Self; 3] = [Self::Avx512, Self::Avx2, Self::Baseline];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Avx512 => "avx512",
            Self::Avx2 => "avx2",
            Self::Baseline => "baseline",
        }
    }

    /// What the path uses, in a few words.
    pub fn description(self) -> &'static str {
        match self {
            Self::Avx512 => "AVX-512 + FMA, 16 f32 lanes",
            Self::Avx2 => "AVX2 + FMA, 8 f32 lanes",
            Self::Baseline => "baseline vectors, no FMA",
        }
    }

    /// The path named `name`, if any.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether this CPU has the path's instructions (checked at run time).
    pub fn supported(self) -> bool {
        match self {
            Self::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            Self::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Self::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512vl")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(not(target_arch = "x86_64"))]
            Self::Avx2 | Self::Avx512 => false,
        }
    }

    /// The fastest path this CPU supports.
    pub fn detected() -> Self {
        Self::ALL
            .into_iter()
            .find(|p| p.supported())
            .unwrap_or(Self::Baseline)
    }

    fn code(self) -> u8 {
        match self {
            Self::Avx512 => 1,
            Self::Avx2 => 2,
            Self::Baseline => 3,
        }
    }
}

impl std::fmt::Display for VectorPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The path in use: 0 until [`active`] first runs or [`select`] chooses one.
static ACTIVE: AtomicU8 = AtomicU8::new(0);

/// The path the passes run on: the detected one unless [`select`] chose another.
pub fn active() -> VectorPath {
    let code = ACTIVE.load(Ordering::Relaxed);
    if let Some(path) = VectorPath::ALL.into_iter().find(|p| p.code() == code) {
        return path;
    }
    let path = VectorPath::detected();
    ACTIVE.store(path.code(), Ordering::Relaxed);
    path
}

/// Runs the passes on `path` from now on (e.g. `bench --vector-path baseline`), if this
/// CPU supports it.
pub fn select(path: VectorPath) -> Result<(), String> {
    if !path.supported() {
        let have: Vec<_> = VectorPath::ALL
            .into_iter()
            .filter(|p| p.supported())
            .map(VectorPath::name)
            .collect();
        return Err(format!(
            "vector path `{path}` is not supported by this CPU; it supports: {}",
            have.join(", ")
        ));
    }
    ACTIVE.store(path.code(), Ordering::Relaxed);
    Ok(())
}

/// What a vector path compiles differently: its register blocking and whether it fuses
/// multiply-adds. The methods are `#[inline(always)]` so that they are compiled inside the
/// path's `#[target_feature]` function, with its instructions.
pub trait Isa {
    /// Whether x·a + b is one fused instruction.
    const FMA: bool;

    /// out (rows × n) = start + a · W: [`super::kernels::matmul_blocked`] with this
    /// path's blocking.
    #[expect(clippy::too_many_arguments, reason = "a BLAS-style kernel signature")]
    fn matmul_into<T: Real>(
        out: &mut [T],
        a: &[T],
        rows: usize,
        k: usize,
        n: usize,
        w: &[T],
        strides: (usize, usize),
        start: Start<'_, T>,
    );

    /// out (n1 × n2) += aᵀ · b: [`super::kernels::matmul_tn`] with this path's blocking.
    fn matmul_tn<T: Real>(out: &mut [T], a: &[T], b: &[T], rows: usize, n1: usize, n2: usize);

    /// a = σ(z) in place, the approximations fused where the path has FMA.
    fn activate<T: Real>(activation: Activation, z: &mut [T]);

    /// x·a + b, fused where the path has FMA.
    #[inline(always)]
    fn mul_add<T: Real>(x: T, a: T, b: T) -> T {
        if Self::FMA {
            x.mul_add(a, b)
        } else {
            x * a + b
        }
    }
}

/// Blocks per path, sized so the accumulators fill most of the vector registers without
/// spilling (12 of AVX2's 16, 16 of AVX-512's 32, 12 of SSE2's 16): rows × columns of
/// [`super::kernels::matmul_blocked`] for f32 and f64, and the lanes (f32 / f64) and
/// entries of [`super::kernels::matmul_tn`]'s partial sums.
macro_rules! isa {
    ($name:ident, $fma:expr, f32: $r32:literal x $c32:literal, f64: $r64:literal x $c64:literal,
     lanes: $l32:literal / $l64:literal, sums: $i:literal x $j:literal) => {
        #[doc = concat!("The `", stringify!($name), "` path's kernels.")]
        #[derive(Clone, Copy, Debug)]
        pub struct $name;

        impl Isa for $name {
            const FMA: bool = $fma;

            #[inline(always)]
            fn matmul_tn<T: Real>(
                out: &mut [T],
                a: &[T],
                b: &[T],
                rows: usize,
                n1: usize,
                n2: usize,
            ) {
                let products = tn_by_products::<T>(rows, n1, n2);
                match (size_of::<T>() == 4, products) {
                    (true, false) => matmul_tn::<T, $l32, $i, $j, $fma>(out, a, b, rows, n1, n2),
                    (true, true) => {
                        matmul_tn_by_products::<T, $r32, $c32, $fma>(out, a, b, rows, n1, n2);
                    }
                    (false, false) => matmul_tn::<T, $l64, $i, $j, $fma>(out, a, b, rows, n1, n2),
                    (false, true) => {
                        matmul_tn_by_products::<T, $r64, $c64, $fma>(out, a, b, rows, n1, n2);
                    }
                }
            }

            #[inline(always)]
            fn activate<T: Real>(activation: Activation, z: &mut [T]) {
                activation.forward_in_place_fused::<T, $fma>(z);
            }

            #[inline(always)]
            fn matmul_into<T: Real>(
                out: &mut [T],
                a: &[T],
                rows: usize,
                k: usize,
                n: usize,
                w: &[T],
                strides: (usize, usize),
                start: Start<'_, T>,
            ) {
                if size_of::<T>() == 4 {
                    matmul_blocked::<T, $r32, $c32, $fma>(out, a, rows, k, n, w, strides, start);
                } else {
                    matmul_blocked::<T, $r64, $c64, $fma>(out, a, rows, k, n, w, strides, start);
                }
            }
        }
    };
}

isa!(Avx512Isa, true, f32: 32 x 8, f64: 16 x 8, lanes: 16 / 8, sums: 4 x 4);
isa!(Avx2Isa, true, f32: 16 x 6, f64: 8 x 6, lanes: 8 / 4, sums: 4 x 3);
isa!(BaselineIsa, false, f32: 8 x 6, f64: 4 x 6, lanes: 4 / 2, sums: 4 x 3);

/// [`Mlp::forward`] on the active path.
pub fn forward<'w, T: Real>(mlp: &Mlp<T>, x: &[T], ws: &'w mut Workspace<T>) -> &'w [T] {
    forward_on_path(active(), mlp, x, ws)
}

/// [`Mlp::forward`] on `path`; a path this CPU lacks runs the baseline.
pub fn forward_on_path<'w, T: Real>(
    path: VectorPath,
    mlp: &Mlp<T>,
    x: &[T],
    ws: &'w mut Workspace<T>,
) -> &'w [T] {
    match path {
        // SAFETY: the CPU has the path's features (checked at run time just before).
        #[cfg(target_arch = "x86_64")]
        VectorPath::Avx512 if path.supported() => unsafe { x86::forward_avx512(mlp, x, ws) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        VectorPath::Avx2 if path.supported() => unsafe { x86::forward_avx2(mlp, x, ws) },
        _ => mlp.forward_on::<BaselineIsa>(x, ws),
    }
}

/// [`Mlp::backward`] on the active path.
pub fn backward<T: Real>(
    mlp: &Mlp<T>,
    ws: &mut Workspace<T>,
    dy: &[T],
    grads: Option<&mut [T]>,
    dx: Option<&mut [T]>,
) {
    backward_on_path(active(), mlp, ws, dy, grads, dx);
}

/// [`Mlp::backward`] on `path`; a path this CPU lacks runs the baseline.
pub fn backward_on_path<T: Real>(
    path: VectorPath,
    mlp: &Mlp<T>,
    ws: &mut Workspace<T>,
    dy: &[T],
    grads: Option<&mut [T]>,
    dx: Option<&mut [T]>,
) {
    match path {
        // SAFETY: the CPU has the path's features (checked at run time just before).
        #[cfg(target_arch = "x86_64")]
        VectorPath::Avx512 if path.supported() => unsafe {
            x86::backward_avx512(mlp, ws, dy, grads, dx);
        },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        VectorPath::Avx2 if path.supported() => unsafe {
            x86::backward_avx2(mlp, ws, dy, grads, dx);
        },
        _ => mlp.backward_on::<BaselineIsa>(ws, dy, grads, dx),
    }
}

/// `rounds` rounds of one multiply-add on each of `N` independent f32 accumulators (fused
/// when `FMA`): as many chains as hide the FMA latency, so the loop runs at the core's
/// multiply-add throughput. Returns their sum, so nothing is optimised away.
#[inline(always)]
fn multiply_add_chains<const N: usize, const FMA: bool>(rounds: u64) -> f32 {
    let mut acc = [0.0_f32; N];
    let (a, b) = (
        std::hint::black_box(0.999_9_f32),
        std::hint::black_box(1e-4_f32),
    );
    for _ in 0..rounds {
        for v in &mut acc {
            *v = if FMA { v.mul_add(a, b) } else { *v * a + b };
        }
    }
    acc.iter().sum()
}

/// The f32 multiply-add peak of one core on `path` (a path this CPU lacks runs the
/// baseline), measured: `rounds` rounds over 12 (AVX2) or 16 (AVX-512) vectors of
/// accumulators, or 8 SSE2 vectors of separate multiplies and adds (more spill). Returns
/// the flops done (two per multiply-add) and their sum.
pub fn multiply_add_peak(path: VectorPath, rounds: u64) -> (f64, f32) {
    let (lanes, sum) = match path {
        // SAFETY: the CPU has the path's features (checked at run time just before).
        #[cfg(target_arch = "x86_64")]
        VectorPath::Avx512 if path.supported() => (256, unsafe { x86::peak_avx512(rounds) }),
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        VectorPath::Avx2 if path.supported() => (96, unsafe { x86::peak_avx2(rounds) }),
        _ => (32, multiply_add_chains::<32, false>(rounds)),
    };
    (2.0 * lanes as f64 * rounds as f64, sum)
}

/// The passes compiled for x86-64's vector extensions.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Avx2Isa, Avx512Isa, Mlp, Real, Workspace, multiply_add_chains};

    #[target_feature(enable = "avx2,fma")]
    pub fn peak_avx2(rounds: u64) -> f32 {
        multiply_add_chains::<96, true>(rounds)
    }

    #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
    pub fn peak_avx512(rounds: u64) -> f32 {
        multiply_add_chains::<256, true>(rounds)
    }

    #[target_feature(enable = "avx2,fma")]
    pub fn forward_avx2<'w, T: Real>(mlp: &Mlp<T>, x: &[T], ws: &'w mut Workspace<T>) -> &'w [T] {
        mlp.forward_on::<Avx2Isa>(x, ws)
    }

    #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
    pub fn forward_avx512<'w, T: Real>(mlp: &Mlp<T>, x: &[T], ws: &'w mut Workspace<T>) -> &'w [T] {
        mlp.forward_on::<Avx512Isa>(x, ws)
    }

    #[target_feature(enable = "avx2,fma")]
    pub fn backward_avx2<T: Real>(
        mlp: &Mlp<T>,
        ws: &mut Workspace<T>,
        dy: &[T],
        grads: Option<&mut [T]>,
        dx: Option<&mut [T]>,
    ) {
        mlp.backward_on::<Avx2Isa>(ws, dy, grads, dx);
    }

    #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]
    pub fn backward_avx512<T: Real>(
        mlp: &Mlp<T>,
        ws: &mut Workspace<T>,
        dy: &[T],
        grads: Option<&mut [T]>,
        dx: Option<&mut [T]>,
    ) {
        mlp.backward_on::<Avx512Isa>(ws, dy, grads, dx);
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng as _;

    use super::*;
    use crate::sim::activation::Activation;
    use crate::sim::mlp::{Init, MlpShape};

    /// Every path this CPU has computes the same pass as the baseline, to rounding: the
    /// outputs, the parameter gradients and the input gradients, on an odd batch (so the
    /// kernels' leftover rows and columns run too) and every activation.
    #[test]
    fn the_peak_loop_does_the_multiply_adds_it_counts_on_every_path() {
        // v ← 0.9999·v + 1e-4 from 0, n times: v = 1e-4·(1 − 0.9999ⁿ)/(1 − 0.9999).
        let n = 1000;
        let each = 1e-4 * (1.0 - 0.9999_f64.powi(n)) / (1.0 - 0.9999);
        for path in VectorPath::ALL {
            let (flops, sum) = multiply_add_peak(path, n as u64);
            let chains = flops / (2.0 * f64::from(n));
            assert!(
                (f64::from(sum) / chains - each).abs() < 1e-4 * each,
                "{path}: {sum}"
            );
        }
    }

    #[test]
    fn every_supported_path_computes_the_baseline_pass() {
        let paths: Vec<_> = VectorPath::ALL
            .into_iter()
            .filter(|p| p.supported())
            .collect();
        assert!(paths.contains(&VectorPath::Baseline));
        for activation in Activation::ALL {
            let shape = MlpShape {
                width: 29,
                depth: 3,
                activation,
            };
            let mut rng = rand::rngs::StdRng::seed_from_u64(7);
            let mlp: Mlp<f32> = Mlp::new(shape, Init::Glorot, &mut rng);
            let x: Vec<f32> = (0..131).map(|i| (i as f32 - 65.0) / 40.0).collect();
            let dy: Vec<f32> = (0..131)
                .map(|i| ((i * 7 % 11) as f32 - 5.0) / 9.0)
                .collect();
            let run = |path: VectorPath| {
                let mut ws = Workspace::default();
                let y = forward_on_path(path, &mlp, &x, &mut ws).to_vec();
                let mut grads = vec![0.0; mlp.params().len()];
                let mut dx = vec![0.0; x.len()];
                backward_on_path(path, &mlp, &mut ws, &dy, Some(&mut grads), Some(&mut dx));
                (y, grads, dx)
            };
            let base = run(VectorPath::Baseline);
            for &path in &paths {
                let got = run(path);
                for (name, a, b) in [
                    ("output", &got.0, &base.0),
                    ("gradient", &got.1, &base.1),
                    ("input gradient", &got.2, &base.2),
                ] {
                    for (i, (u, v)) in a.iter().zip(b).enumerate() {
                        assert!(
                            (u - v).abs() <= 1e-5 * (1.0 + v.abs()),
                            "{path} {activation} {name}[{i}]: {u} vs baseline {v}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn paths_are_named_and_an_unsupported_one_is_refused() {
        for path in VectorPath::ALL {
            assert_eq!(VectorPath::named(path.name()), Some(path));
        }
        assert!(VectorPath::detected().supported());
        if let Some(missing) = VectorPath::ALL.into_iter().find(|p| !p.supported()) {
            let message = select(missing).expect_err("an unsupported path is refused");
            assert!(message.contains(missing.name()), "{message}");
        }
    }
}
