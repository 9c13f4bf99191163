//! A small multilayer perceptron from one input to one output, with a hand-written
//! backward pass for parameter gradients and for the gradient with respect to the input.
//!
//! Layout: activations are `batch × width` column-major matrices, so each unit's values
//! over the minibatch are contiguous and every loop vectorises along the batch. A hidden
//! layer's weights are stored as M (output unit × input unit, column-major). The forward
//! product A·Mᵀ and the input gradient dZ·M broadcast the (small) weights against vectors
//! of samples ([`super::kernels::matmul_blocked`]); the weight gradient dZᵀ·A sums over
//! the batch ([`super::kernels::matmul_tn`]). The 1-wide first and last layers are the
//! same kernels with one column. The
//! gradient-penalty pass views the weights as nalgebra matrices, where that reads better.
//! The forward and backward passes run on the CPU's fastest vector path ([`super::simd`]).
//!
//! All parameters live in one flat vector, so optimisers, snapshots, casts and gradient
//! checks treat a network as a plain slice.

use nalgebra::{DMatrix, DMatrixView, Dyn};
use rand::RngExt as _;
use serde::{Deserialize, Serialize};

use super::activation::Activation;
use super::float::Real;
use super::kernels::Start;
use super::simd::{self, Isa};

/// Rows per chunk in [`Mlp::eval`]: a width-32 f64 activation matrix of 128 rows is
/// 32 KiB, well under glibc's 128 KiB mmap threshold, so the allocator reuses its buffers
/// (at 512 rows each chunk's buffers were mapped and unmapped again); 128 rows measured 2 %
/// faster on a frame's analysis than 256, and 512 rows 15 % slower.
pub const EVAL_CHUNK: usize = 128;

/// Weight initialisation schemes; biases always start at zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// Glorot (Xavier) uniform: U(±√(6 / (fan_in + fan_out))). Suits tanh and sigmoid.
    Glorot,
    /// He uniform: U(±√(6 / fan_in)). Suits ReLU and leaky ReLU.
    He,
}

impl Init {
    /// Both schemes, for menus and tests.
    pub const ALL: [Self; 2] = [Self::Glorot, Self::He];

    /// The name used in settings files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Glorot => "glorot",
            Self::He => "he",
        }
    }
}

/// The architecture of a 1 → width (× depth) → 1 network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MlpShape {
    /// Units in every hidden layer.
    pub width: usize,
    /// Number of hidden layers (≥ 1).
    pub depth: usize,
    /// The hidden nonlinearity; the output layer is linear.
    pub activation: Activation,
}

impl MlpShape {
    /// Number of parameters: input layer 2w, each further hidden layer w² + w, output w + 1.
    pub fn param_count(&self) -> usize {
        let w = self.width;
        3 * w + 1 + (self.depth - 1) * (w * w + w)
    }

    fn hidden_offset(&self, layer: usize) -> usize {
        let w = self.width;
        2 * w + (layer - 1) * (w * w + w)
    }

    fn output_offset(&self) -> usize {
        self.hidden_offset(self.depth)
    }
}

/// A multilayer perceptron R → R with parameters in one flat vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp<T: Real> {
    shape: MlpShape,
    params: Vec<T>,
}

/// Buffers for one forward/backward pass; reused across steps so the hot loop does not
/// allocate. One workspace per (network, batch role) pair.
#[derive(Clone, Debug, Default)]
pub struct Workspace<T: Real> {
    input: Vec<T>,
    acts: Vec<DMatrix<T>>,
    out: Vec<T>,
    grad: DMatrix<T>,
    grad_prev: DMatrix<T>,
    ones: Vec<T>,
}

impl<T: Real> Workspace<T> {
    fn prepare(&mut self, batch: usize, shape: &MlpShape) {
        let w = shape.width;
        let fits = self.out.len() == batch
            && self.acts.len() == shape.depth
            && self
                .acts
                .first()
                .is_some_and(|a| a.nrows() == batch && a.ncols() == w);
        if !fits {
            self.input = vec![T::zero(); batch];
            self.acts = (0..shape.depth).map(|_| DMatrix::zeros(batch, w)).collect();
            self.out = vec![T::zero(); batch];
        }
    }

    /// The backward pass's buffers, made on its first use (a forward-only evaluation
    /// never zeroes them).
    fn prepare_grads(&mut self, batch: usize, width: usize) {
        if self.grad.shape() != (batch, width) || self.grad_prev.shape() != (batch, width) {
            self.grad = DMatrix::zeros(batch, width);
            self.grad_prev = DMatrix::zeros(batch, width);
        }
    }
}

/// Splits `n` rows into chunks of one size, at most [`EVAL_CHUNK`] and a multiple of the
/// widest path's row block ([`EVAL_ROWS_ALIGN`]) so the kernels' leftover-rows loop never
/// runs: the last chunk is padded, so a workspace is sized once per call.
fn eval_chunk_rows(n: usize) -> usize {
    let rows = n.div_ceil(n.div_ceil(EVAL_CHUNK).max(1)).max(1);
    rows.next_multiple_of(EVAL_ROWS_ALIGN).min(EVAL_CHUNK)
}

/// The widest row block of the kernels (AVX-512's f32 block is 32 rows); [`EVAL_CHUNK`]
/// is a multiple of it.
const EVAL_ROWS_ALIGN: usize = 32;

/// `chunk`, padded to `rows` rows by repeating its last value, in `buf`.
fn padded<'b, T: Real>(chunk: &'b [T], rows: usize, buf: &'b mut Vec<T>) -> &'b [T] {
    if chunk.len() == rows {
        return chunk;
    }
    buf.clear();
    buf.extend_from_slice(chunk);
    buf.resize(rows, chunk.last().copied().unwrap_or_else(T::zero));
    buf
}

impl<T: Real> Mlp<T> {
    /// A network with initialised weights and zero biases.
    pub fn new(shape: MlpShape, init: Init, rng: &mut impl rand::Rng) -> Self {
        assert!(
            shape.depth >= 1 && shape.width >= 1,
            "MLP needs width ≥ 1, depth ≥ 1"
        );
        let w = shape.width;
        let mut params = vec![T::zero(); shape.param_count()];
        let mut fill = |slice: &mut [T], fan_in: usize, fan_out: usize| {
            let limit = match init {
                Init::Glorot => (6.0 / (fan_in + fan_out) as f64).sqrt(),
                Init::He => (6.0 / fan_in as f64).sqrt(),
            };
            for p in slice {
                *p = T::lit(rng.random_range(-limit..limit));
            }
        };
        fill(&mut params[..w], 1, w);
        for layer in 1..shape.depth {
            let off = shape.hidden_offset(layer);
            fill(&mut params[off..off + w * w], w, w);
        }
        let off = shape.output_offset();
        fill(&mut params[off..off + w], w, 1);
        Self { shape, params }
    }

    /// Wraps an existing parameter vector.
    pub fn from_params(shape: MlpShape, params: Vec<T>) -> Self {
        assert_eq!(
            params.len(),
            shape.param_count(),
            "parameter count mismatch"
        );
        Self { shape, params }
    }

    /// The architecture.
    pub fn shape(&self) -> MlpShape {
        self.shape
    }

    /// All parameters, flat.
    pub fn params(&self) -> &[T] {
        &self.params
    }

    /// All parameters, flat and mutable (optimisers write here).
    pub fn params_mut(&mut self) -> &mut [T] {
        &mut self.params
    }

    /// The same network in another precision.
    pub fn cast<U: Real>(&self) -> Mlp<U> {
        Mlp {
            shape: self.shape,
            params: self.params.iter().map(|p| U::lit(p.as_f64())).collect(),
        }
    }

    /// Sets the output layer to the constant `bias`: zero weights from the last hidden
    /// layer, so the network outputs `bias` everywhere until it is trained (a
    /// discriminator that starts undecided).
    pub fn set_constant_output(&mut self, bias: T) {
        let off = self.shape.output_offset();
        let w = self.shape.width;
        if let Some(weights) = self.params.get_mut(off..off + w) {
            weights.fill(T::zero());
        }
        if let Some(b) = self.params.last_mut() {
            *b = bias;
        }
    }

    /// Adds `by` to the output bias: shifts every output by the same amount.
    pub fn shift_output(&mut self, by: T) {
        if let Some(b) = self.params.last_mut() {
            *b += by;
        }
    }

    /// W with W[i, j] the weight from input unit i to output unit j (a view of the stored
    /// M = Wᵀ), and the layer's biases.
    fn hidden_weights(&self, layer: usize) -> (DMatrixView<'_, T, Dyn, Dyn>, &[T]) {
        let w = self.shape.width;
        let off = self.shape.hidden_offset(layer);
        (
            DMatrixView::from_slice_with_strides(&self.params[off..off + w * w], w, w, w, 1),
            &self.params[off + w * w..off + w * w + w],
        )
    }

    /// y = f(x) for a batch of inputs; the result stays in `ws` for [`Self::backward`].
    /// Runs on the CPU's fastest vector path ([`simd::active`]).
    pub fn forward<'w>(&self, x: &[T], ws: &'w mut Workspace<T>) -> &'w [T] {
        simd::forward(self, x, ws)
    }

    /// [`Self::forward`] compiled for the vector path `I` (inlined into its
    /// `#[target_feature]` function by [`simd`]).
    #[inline(always)]
    pub(super) fn forward_on<'w, I: Isa>(&self, x: &[T], ws: &'w mut Workspace<T>) -> &'w [T] {
        // The width stays a run-time value: a compile-time width made LLVM scalarise the
        // per-sample loops (measured 30 % slower).
        let MlpShape {
            width: w,
            depth,
            activation,
        } = self.shape;
        let batch = x.len();
        ws.prepare(batch, &self.shape);
        ws.input.copy_from_slice(x);
        let p = &self.params;

        // Input layer: a broadcast, z[b, j] = w_j x_b + b_j.
        let (w_in, b_in) = (&p[..w], &p[w..2 * w]);
        let first = ws.acts[0].as_mut_slice();
        for (col, (&wj, &bj)) in first.chunks_exact_mut(batch).zip(w_in.iter().zip(b_in)) {
            for (z, &xb) in col.iter_mut().zip(x) {
                *z = I::mul_add(wj, xb, bj);
            }
        }
        I::activate(activation, first);

        for layer in 1..depth {
            let (done, rest) = ws.acts.split_at_mut(layer);
            let (prev, next) = (&done[layer - 1], &mut rest[0]);
            let off = self.shape.hidden_offset(layer);
            let (m, bias) = p[off..off + w * w + w].split_at(w * w);
            // Z = A_prev·Mᵀ + b: rows are samples; Mᵀ[kk, j] = M[j, kk] = m[j + kk·w].
            let out = next.as_mut_slice();
            I::matmul_into(
                out,
                prev.as_slice(),
                batch,
                w,
                w,
                m,
                (w, 1),
                Start::ColumnBias(bias),
            );
            I::activate(activation, out);
        }

        // Output layer: y = A·w_out + b_out.
        let off = self.shape.output_offset();
        let (w_out, b_out) = (&p[off..off + w], &p[off + w..off + w + 1]);
        let last = ws.acts[depth - 1].as_slice();
        I::matmul_into(
            &mut ws.out,
            last,
            batch,
            w,
            1,
            w_out,
            (1, 0),
            Start::ColumnBias(b_out),
        );
        &ws.out
    }

    /// Backpropagates `dy = ∂L/∂y` through the last forward pass in `ws`.
    ///
    /// Adds ∂L/∂θ into `grads` when given (the caller zeroes it), and writes ∂L/∂x into
    /// `dx` when given. Skipping `grads` skips the weight-gradient GEMMs, which is what the
    /// generator step needs from the discriminator.
    pub fn backward(
        &self,
        ws: &mut Workspace<T>,
        dy: &[T],
        grads: Option<&mut [T]>,
        dx: Option<&mut [T]>,
    ) {
        simd::backward(self, ws, dy, grads, dx);
    }

    /// [`Self::backward`] compiled for the vector path `I`.
    #[inline(always)]
    pub(super) fn backward_on<I: Isa>(
        &self,
        ws: &mut Workspace<T>,
        dy: &[T],
        mut grads: Option<&mut [T]>,
        dx: Option<&mut [T]>,
    ) {
        let MlpShape {
            width: w,
            depth,
            activation,
        } = self.shape;
        let batch = ws.out.len();
        assert_eq!(dy.len(), batch, "dy length must match the forward batch");
        ws.prepare_grads(batch, w);
        if let Some(g) = grads.as_deref() {
            assert_eq!(g.len(), self.params.len(), "gradient length mismatch");
        }
        let p = &self.params;
        let off = self.shape.output_offset();
        let w_out = &p[off..off + w];

        // Output layer: ∂L/∂w_out = Aᵀ·dy, ∂L/∂A = dy·w_outᵀ.
        ws.ones.resize(batch, T::one());
        if let Some(g) = grads.as_deref_mut() {
            let last = ws.acts[depth - 1].as_slice();
            I::matmul_tn(&mut g[off..off + w], last, dy, batch, w, 1);
            g[off + w] += sum(dy);
        }
        I::matmul_into(
            ws.grad.as_mut_slice(),
            dy,
            batch,
            1,
            w,
            w_out,
            (0, 1),
            Start::Zero,
        );

        for layer in (1..depth).rev() {
            // ∂L/∂Z = ∂L/∂A ⊙ σ'(Z).
            activation.backward_in_place(ws.acts[layer].as_slice(), ws.grad.as_mut_slice());
            let off = self.shape.hidden_offset(layer);
            let m = &p[off..off + w * w];
            if let Some(g) = grads.as_deref_mut() {
                // ∂L/∂M = ∂L/∂Zᵀ · A_prev and ∂L/∂b = ∂L/∂Zᵀ · 1 (sums over the batch).
                let (gm, gb) = g[off..off + w * w + w].split_at_mut(w * w);
                let prev = ws.acts[layer - 1].as_slice();
                let dz = ws.grad.as_slice();
                I::matmul_tn(gm, dz, prev, batch, w, w);
                I::matmul_tn(gb, dz, &ws.ones, batch, w, 1);
            }
            // ∂L/∂A_prev = ∂L/∂Z · M: W[kk, j] = M[kk, j] = m[kk + j·w], read in place
            // (the kernel streams M's columns, or packs them once for a large batch).
            let (dz, out) = (ws.grad.as_slice(), ws.grad_prev.as_mut_slice());
            I::matmul_into(out, dz, batch, w, w, m, (1, w), Start::Zero);
            std::mem::swap(&mut ws.grad, &mut ws.grad_prev);
        }

        activation.backward_in_place(ws.acts[0].as_slice(), ws.grad.as_mut_slice());
        let dz = ws.grad.as_slice();
        if let Some(g) = grads {
            // ∂L/∂w_in = dZᵀ·x, ∂L/∂b_in = dZᵀ·1.
            let (gw, gb) = g[..2 * w].split_at_mut(w);
            I::matmul_tn(gw, dz, &ws.input, batch, w, 1);
            I::matmul_tn(gb, dz, &ws.ones, batch, w, 1);
        }
        if let Some(dx) = dx {
            assert_eq!(dx.len(), batch, "dx length must match the forward batch");
            I::matmul_into(dx, dz, batch, w, 1, &p[..w], (1, 0), Start::Zero);
        }
    }

    /// f(x) for each x; for analysis and tests, not the training loop. Works in equal
    /// chunks of at most [`EVAL_CHUNK`] rows so the buffers stay small enough to be reused
    /// by the allocator, and are made once.
    pub fn eval(&self, x: &[T]) -> Vec<T> {
        let mut ws = Workspace::default();
        let rows = eval_chunk_rows(x.len());
        let (mut y, mut pad) = (Vec::with_capacity(x.len()), Vec::new());
        for chunk in x.chunks(rows) {
            let out = self.forward(padded(chunk, rows, &mut pad), &mut ws);
            y.extend_from_slice(&out[..chunk.len()]);
        }
        y
    }

    /// (f(x), f'(x)) for each x; for analysis and tests.
    pub fn eval_with_slope(&self, x: &[T]) -> (Vec<T>, Vec<T>) {
        let mut ws = Workspace::default();
        let rows = eval_chunk_rows(x.len());
        let (mut y, mut slope) = (Vec::with_capacity(x.len()), Vec::with_capacity(x.len()));
        let (ones, mut pad, mut s) = (vec![T::one(); rows], Vec::new(), vec![T::zero(); rows]);
        for chunk in x.chunks(rows) {
            let out = self.forward(padded(chunk, rows, &mut pad), &mut ws);
            y.extend_from_slice(&out[..chunk.len()]);
            self.backward(&mut ws, &ones, None, Some(&mut s));
            slope.extend_from_slice(&s[..chunk.len()]);
        }
        (y, slope)
    }

    /// The input slopes s_b = f'(x_b) by forward-mode differentiation, and, for the
    /// gradient penalty, ∂(Σ_b ds_b · s_b)/∂θ added into `grads`.
    ///
    /// Each layer carries the pair (a, ȧ = ∂a/∂x); the reverse pass runs over both, which
    /// needs σ''. Used by WGAN-GP, whose penalty max(0, |f'(x̂)| − 1)² depends on the slope.
    pub fn slopes_and_penalty_backward(
        &self,
        x: &[T],
        dslope: impl Fn(&[T]) -> Vec<T>,
        grads: &mut [T],
    ) -> Vec<T> {
        let MlpShape {
            width: w,
            depth,
            activation,
        } = self.shape;
        let batch = x.len();
        let p = &self.params;
        let d1 = |a: T| activation.derivatives_from_output(a).0;
        // Forward: keep a (post-activation) and ż (pre-activation tangent) per layer.
        let mut acts = Vec::with_capacity(depth);
        let mut ztans = Vec::with_capacity(depth);
        let z0 = DMatrix::from_fn(batch, w, |b, j| p[j] * x[b] + p[w + j]);
        let mut a = z0;
        activation.forward_in_place(a.as_mut_slice());
        let zt = DMatrix::from_fn(batch, w, |_, j| p[j]);
        let mut adot = zt.zip_map(&a, |zt, a| zt * d1(a));
        acts.push(a.clone());
        ztans.push(zt);
        for layer in 1..depth {
            let (weights, bias) = self.hidden_weights(layer);
            let mut z = &a * weights;
            for (col, &bj) in z.as_mut_slice().chunks_exact_mut(batch).zip(bias) {
                col.iter_mut().for_each(|v| *v += bj);
            }
            activation.forward_in_place(z.as_mut_slice());
            a = z;
            let zt = &adot * weights;
            adot = zt.zip_map(&a, |zt, a| zt * d1(a));
            acts.push(a.clone());
            ztans.push(zt);
        }
        let off = self.shape.output_offset();
        let w_out = nalgebra::DVector::from_column_slice(&p[off..off + w]);
        let slopes: Vec<T> = (&adot * &w_out).iter().copied().collect();

        // Reverse over (a, ȧ). The penalty does not depend on y, so ā starts at zero.
        let sbar = dslope(&slopes);
        let sbar = nalgebra::DVector::from_vec(sbar);
        for j in 0..w {
            grads[off + j] += dot(adot.column(j).as_slice(), sbar.as_slice());
        }
        let mut abar = DMatrix::<T>::zeros(batch, w);
        let mut adotbar = &sbar * w_out.transpose();
        for layer in (0..depth).rev() {
            let a = &acts[layer];
            let zt = &ztans[layer];
            // ȧ = σ'(z) ż  ⇒  z̄ = ā σ' + ǡ σ'' ż,  ż̄ = ǡ σ'.
            let mut zbar = abar.clone();
            let mut ztbar = adotbar.clone();
            for ((zb, ztb), (&av, &ztv)) in zbar
                .iter_mut()
                .zip(ztbar.iter_mut())
                .zip(a.iter().zip(zt.iter()))
            {
                let (s1, s2) = activation.derivatives_from_output(av);
                *zb = *zb * s1 + *ztb * s2 * ztv;
                *ztb *= s1;
            }
            if layer == 0 {
                for j in 0..w {
                    grads[j] += dot(zbar.column(j).as_slice(), x) + sum(ztbar.column(j).as_slice());
                    grads[w + j] += sum(zbar.column(j).as_slice());
                }
            } else {
                let (weights, _) = self.hidden_weights(layer);
                let hoff = self.shape.hidden_offset(layer);
                let prev_a = &acts[layer - 1];
                let prev_adot = ztans[layer - 1].zip_map(prev_a, |zt, a| zt * d1(a));
                let gw = prev_a.transpose() * &zbar + prev_adot.transpose() * &ztbar;
                // Stored as M = Wᵀ.
                for (g, v) in grads[hoff..hoff + w * w]
                    .iter_mut()
                    .zip(gw.transpose().iter())
                {
                    *g += *v;
                }
                for j in 0..w {
                    grads[hoff + w * w + j] += sum(zbar.column(j).as_slice());
                }
                abar = &zbar * weights.transpose();
                adotbar = &ztbar * weights.transpose();
            }
        }
        slopes
    }
}

/// Σ a_i b_i with eight independent accumulators, so it vectorises without reassociation.
#[inline]
pub fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    let mut acc = [T::zero(); 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] = x[l].mul_add_fast(y[l], acc[l]);
        }
    }
    let mut total = acc.iter().fold(T::zero(), |s, &v| s + v);
    for (&x, &y) in ra.iter().zip(rb) {
        total += x * y;
    }
    total
}

/// Σ a_i with eight independent accumulators.
#[inline]
pub fn sum<T: Real>(a: &[T]) -> T {
    let mut acc = [T::zero(); 8];
    let chunks = a.chunks_exact(8);
    let rest = chunks.remainder();
    for x in chunks {
        for l in 0..8 {
            acc[l] += x[l];
        }
    }
    rest.iter()
        .fold(acc.iter().fold(T::zero(), |s, &v| s + v), |s, &v| s + v)
}
