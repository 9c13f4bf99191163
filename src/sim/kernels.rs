//! The kernels of the training loop: one matrix product, register-blocked so that the
//! compiler vectorises it along the minibatch, and the weight gradients' sums over it. Matrices are column-major
//! slices.
//!
//! For the shapes that matter here (a batch of 128–256 rows times 32 × 32 weights) they
//! avoid the packing a general GEMM does, which costs as much as the arithmetic. The
//! block sizes and the use of FMA are parameters: each vector path of [`super::simd`]
//! picks its own, and compiles the kernel inlined into its passes.

use super::float::Real;

/// What an output column of [`matmul_blocked`] starts from.
#[derive(Clone, Copy, Debug)]
pub enum Start<'a, T> {
    /// out = a · W.
    Zero,
    /// out = bias + a · W, `bias[j]` added to column j.
    ColumnBias(&'a [T]),
    /// out += a · W.
    Accumulate,
}

/// x·a + b, fused into one rounding when `FMA` (for a path whose CPU has it).
#[inline(always)]
fn madd<T: Real, const FMA: bool>(x: T, a: T, b: T) -> T {
    if FMA { x.mul_add(a, b) } else { x * a + b }
}

/// out (rows × n) = start + a · W, for `a` of shape rows × k, where
/// W[kk, j] = `w[kk·stride_k + j·stride_j]` (so a transposed W is just other strides).
///
/// Blocks of `R` rows × `C` columns of `out` are summed in registers, each entry over kk
/// in order (so the blocking never changes a result).
#[expect(clippy::too_many_arguments, reason = "a BLAS-style kernel signature")]
#[inline(always)]
pub fn matmul_blocked<T: Real, const R: usize, const C: usize, const FMA: bool>(
    out: &mut [T],
    a: &[T],
    rows: usize,
    k: usize,
    n: usize,
    w: &[T],
    (stride_k, stride_j): (usize, usize),
    start: Start<'_, T>,
) {
    assert_eq!(out.len(), rows * n, "matmul: output shape");
    assert_eq!(a.len(), rows * k, "matmul: input shape");
    match start {
        Start::ColumnBias(bias) => assert_eq!(bias.len(), n, "matmul: column bias length"),
        Start::Zero | Start::Accumulate => {}
    }
    let full_rows = rows / R * R;
    if rows * k * size_of::<T>() > PACK_ABOVE_BYTES {
        // A large input: one strip of R rows at a time, copied into a contiguous buffer
        // that stays in L1 while every column block of W passes over it (read in place,
        // its rows are `rows` apart and alias in the cache; and sweeping the whole input
        // once per column block would stream it from memory each time).
        let packed_w = pack_column_blocks::<T, C>(w, k, n, (stride_k, stride_j));
        let mut block_rows = vec![T::zero(); k * R * PACK_STRIPS];
        let mut b0 = 0;
        while b0 < full_rows {
            let strips = ((full_rows - b0) / R).min(PACK_STRIPS);
            pack_strips::<T, R>(&mut block_rows, a, rows, b0, strips);
            for (s, strip) in block_rows.chunks_exact(k * R).take(strips).enumerate() {
                let a_strip = Strip {
                    a: strip,
                    stride: R,
                    offset: 0,
                };
                strip_columns::<T, R, C, FMA>(out, rows, a_strip, n, &packed_w, start, b0 + s * R);
            }
            b0 += strips * R;
        }
    } else {
        let mut j0 = 0;
        while j0 + C <= n {
            column_block::<T, R, C, FMA>(out, a, rows, w, (stride_k, stride_j), start, j0);
            j0 += C;
        }
        // The last columns in narrower blocks (4, 2, 1), so that no column is left to a
        // one-accumulator loop, which waits on each multiply-add's latency.
        if C > 4 && j0 + 4 <= n {
            column_block::<T, R, 4, FMA>(out, a, rows, w, (stride_k, stride_j), start, j0);
            j0 += 4;
        }
        if C > 2 && j0 + 2 <= n {
            column_block::<T, R, 2, FMA>(out, a, rows, w, (stride_k, stride_j), start, j0);
            j0 += 2;
        }
        if j0 < n {
            // One column (a matrix-vector product): four row blocks at a time.
            for j in j0..n {
                matvec_column::<T, R, FMA>(out, a, rows, w, (stride_k, stride_j), start, j);
            }
        }
    }
    // Leftover rows, plainly.
    for j in 0..n {
        for b in full_rows..rows {
            let mut s = match start {
                Start::Zero => T::zero(),
                Start::ColumnBias(bias) => bias[j],
                Start::Accumulate => out[j * rows + b],
            };
            for kk in 0..k {
                s = madd::<T, FMA>(a[kk * rows + b], w[kk * stride_k + j * stride_j], s);
            }
            out[j * rows + b] = s;
        }
    }
}

/// Inputs bigger than this (rows × k entries) are packed a strip of rows at a time by
/// [`matmul_blocked`]; smaller ones stay in L1 as they are. The reference workload's
/// products (at most 256 × 32 f32, 32 KiB) are below it.
const PACK_ABOVE_BYTES: usize = 96 * 1024;

/// How many strips of R rows [`matmul_blocked`] packs at a time: each column of the input
/// is then read in runs of `PACK_STRIPS · R` entries (four cache lines for f32 on AVX2)
/// rather than one line per column per strip, which the prefetchers follow.
const PACK_STRIPS: usize = 4;

/// Rows b0..b0 + strips·R of `a` (rows × k) into `dst` as `strips` packed strips of R
/// rows, one after another, each with entry (kk, r) at `kk·R + r`.
#[inline(always)]
fn pack_strips<T: Real, const R: usize>(
    dst: &mut [T],
    a: &[T],
    rows: usize,
    b0: usize,
    strips: usize,
) {
    let k = a.len() / rows.max(1);
    for (kk, a_col) in a.chunks_exact(rows).enumerate() {
        let run = &a_col[b0..b0 + strips * R];
        for (s, src) in run.chunks_exact(R).enumerate() {
            let at = s * k * R + kk * R;
            dst[at..at + R].copy_from_slice(src);
        }
    }
}

/// R rows of the input, entry (kk, r) at `a[kk·stride + offset + r]`: in place
/// (stride = rows, offset = the strip's first row) or packed (stride = R, offset 0).
#[derive(Clone, Copy)]
struct Strip<'a, T> {
    a: &'a [T],
    stride: usize,
    offset: usize,
}

/// The widths of [`matmul_blocked`]'s column blocks over n columns, in order: C each,
/// then one of 4 and one of 2 where they fit, then ones.
#[inline(always)]
fn column_blocks<const C: usize>(n: usize) -> impl Iterator<Item = (usize, usize)> {
    let mut j0 = 0;
    std::iter::from_fn(move || {
        let left = n - j0;
        let cb = if left >= C {
            C
        } else if C > 4 && left >= 4 {
            4
        } else if C > 2 && left >= 2 {
            2
        } else {
            left.min(1)
        };
        (cb > 0).then(|| {
            j0 += cb;
            (j0 - cb, cb)
        })
    })
}

/// W (k × n, entry (kk, j) at `w[kk·stride_k + j·stride_j]`) rearranged so that each
/// column block of [`column_blocks`] (j0, cb) is contiguous at `j0·k`, its cb values of
/// each kk together.
#[inline(always)]
fn pack_column_blocks<T: Real, const C: usize>(
    w: &[T],
    k: usize,
    n: usize,
    (stride_k, stride_j): (usize, usize),
) -> Vec<T> {
    let mut packed = Vec::with_capacity(k * n);
    for (j0, cb) in column_blocks::<C>(n) {
        let strides = (stride_k, stride_j);
        match cb {
            _ if cb == C => pack_block::<T, C>(&mut packed, w, k, strides, j0),
            4 => pack_block::<T, 4>(&mut packed, w, k, strides, j0),
            2 => pack_block::<T, 2>(&mut packed, w, k, strides, j0),
            _ => pack_block::<T, 1>(&mut packed, w, k, strides, j0),
        }
    }
    packed
}

/// Appends columns j0..j0 + CB of W to `packed`, their CB values of each kk together.
#[inline(always)]
fn pack_block<T: Real, const CB: usize>(
    packed: &mut Vec<T>,
    w: &[T],
    k: usize,
    (stride_k, stride_j): (usize, usize),
    j0: usize,
) {
    if stride_j == 1 {
        // W's rows contiguous (the forward weights): one run of CB values per kk.
        for kk in 0..k {
            let s = kk * stride_k + j0;
            let run: &[T; CB] = w[s..s + CB].try_into().expect("CB columns");
            packed.extend_from_slice(run);
        }
    } else if stride_k == 1 {
        // W's columns contiguous (a transposed W, or a column of weights): CB streams.
        let cols: [&[T]; CB] =
            std::array::from_fn(|c| &w[(j0 + c) * stride_j..(j0 + c) * stride_j + k]);
        #[expect(
            clippy::needless_range_loop,
            reason = "kk indexes CB columns at once, each of length k (no bounds checks)"
        )]
        for kk in 0..k {
            let values: [T; CB] = std::array::from_fn(|c| cols[c][kk]);
            packed.extend_from_slice(&values);
        }
    } else {
        for kk in 0..k {
            let values: [T; CB] = std::array::from_fn(|c| w[kk * stride_k + (j0 + c) * stride_j]);
            packed.extend_from_slice(&values);
        }
    }
}

/// Every column of `out` for the R rows from b0, W packed by [`pack_column_blocks`].
#[inline(always)]
fn strip_columns<T: Real, const R: usize, const C: usize, const FMA: bool>(
    out: &mut [T],
    rows: usize,
    a: Strip<'_, T>,
    n: usize,
    packed_w: &[T],
    start: Start<'_, T>,
    b0: usize,
) {
    let k = packed_w.len() / n.max(1);
    for (j0, cb) in column_blocks::<C>(n) {
        let w = &packed_w[j0 * k..(j0 + cb) * k];
        let at = (b0, j0);
        match cb {
            _ if cb == C => block::<T, R, C, FMA>(out, rows, a, (w, (C, 1), 0), start, at),
            4 => block::<T, R, 4, FMA>(out, rows, a, (w, (4, 1), 0), start, at),
            2 => block::<T, R, 2, FMA>(out, rows, a, (w, (2, 1), 0), start, at),
            _ => block::<T, R, 1, FMA>(out, rows, a, (w, (1, 1), 0), start, at),
        }
    }
}

/// Columns j0..j0 + CB of [`matmul_blocked`], for the whole blocks of `R` rows.
#[inline(always)]
fn column_block<T: Real, const R: usize, const CB: usize, const FMA: bool>(
    out: &mut [T],
    a: &[T],
    rows: usize,
    w: &[T],
    strides: (usize, usize),
    start: Start<'_, T>,
    j0: usize,
) {
    for b0 in (0..rows / R * R).step_by(R) {
        let strip = Strip {
            a,
            stride: rows,
            offset: b0,
        };
        block::<T, R, CB, FMA>(out, rows, strip, (w, strides, j0), start, (b0, j0));
    }
}

/// The R × CB block of `out` at (b0, j0), summed in registers over kk in order; its W
/// columns start at column `w_col` of `w`.
#[inline(always)]
fn block<T: Real, const R: usize, const CB: usize, const FMA: bool>(
    out: &mut [T],
    rows: usize,
    a: Strip<'_, T>,
    (w, (stride_k, stride_j), w_col): (&[T], (usize, usize), usize),
    start: Start<'_, T>,
    (b0, j0): (usize, usize),
) {
    let mut acc = [[T::zero(); R]; CB];
    for (c, col) in acc.iter_mut().enumerate() {
        match start {
            Start::Zero => {}
            Start::ColumnBias(bias) => col.fill(bias[j0 + c]),
            Start::Accumulate => {
                let s = (j0 + c) * rows + b0;
                col.copy_from_slice(&out[s..s + R]);
            }
        }
    }
    let (off, k_cols) = (a.offset, a.a.chunks_exact(a.stride));
    if stride_j == 1 && stride_k == CB && w_col == 0 {
        // W packed for this block: CB values per kk, one after another.
        for (wv, a_col) in w.chunks_exact(CB).zip(k_cols) {
            let av: [T; R] = *<&[T; R]>::try_from(&a_col[off..off + R]).expect("R rows");
            let wv: &[T; CB] = wv.try_into().expect("CB columns");
            for (col, &wc) in acc.iter_mut().zip(wv) {
                for r in 0..R {
                    col[r] = madd::<T, FMA>(av[r], wc, col[r]);
                }
            }
        }
    } else if stride_j == 1 {
        // W's rows are contiguous: CB values per kk, one bounds check for all.
        for (kk, a_col) in k_cols.enumerate() {
            let av: [T; R] = *<&[T; R]>::try_from(&a_col[off..off + R]).expect("R rows");
            let base = kk * stride_k + w_col;
            let wv: &[T; CB] = w[base..base + CB].try_into().expect("CB columns");
            for (col, &wc) in acc.iter_mut().zip(wv) {
                for r in 0..R {
                    col[r] = madd::<T, FMA>(av[r], wc, col[r]);
                }
            }
        }
    } else if stride_k == 1 {
        // W's columns are contiguous (a transposed W, or the batch columns of a weight
        // gradient's second factor): CB streams along kk, each sliced once to its length.
        let k = a.a.len() / a.stride;
        let wcols: [&[T]; CB] =
            std::array::from_fn(|c| &w[(w_col + c) * stride_j..(w_col + c) * stride_j + k]);
        for (kk, a_col) in (0..k).zip(k_cols) {
            let av: [T; R] = *<&[T; R]>::try_from(&a_col[off..off + R]).expect("R rows");
            for (col, wcol) in acc.iter_mut().zip(&wcols) {
                let wc = wcol[kk];
                for r in 0..R {
                    col[r] = madd::<T, FMA>(av[r], wc, col[r]);
                }
            }
        }
    } else {
        for (kk, a_col) in k_cols.enumerate() {
            let av: [T; R] = *<&[T; R]>::try_from(&a_col[off..off + R]).expect("R rows");
            for (c, col) in acc.iter_mut().enumerate() {
                let wc = w[kk * stride_k + (w_col + c) * stride_j];
                for r in 0..R {
                    col[r] = madd::<T, FMA>(av[r], wc, col[r]);
                }
            }
        }
    }
    for (c, col) in acc.iter().enumerate() {
        let s = (j0 + c) * rows + b0;
        out[s..s + R].copy_from_slice(col);
    }
}

/// Column j of [`matmul_blocked`] for the whole blocks of `R` rows, four blocks at a time
/// (four independent chains of multiply-adds), then one at a time.
#[inline(always)]
fn matvec_column<T: Real, const R: usize, const FMA: bool>(
    out: &mut [T],
    a: &[T],
    rows: usize,
    w: &[T],
    (stride_k, stride_j): (usize, usize),
    start: Start<'_, T>,
    j: usize,
) {
    const GROUP: usize = 4;
    let blocks = rows / R;
    let mut block = 0;
    while block < blocks {
        let group = if block + GROUP <= blocks { GROUP } else { 1 };
        let b0 = block * R;
        let span = group * R;
        let mut acc = [[T::zero(); R]; GROUP];
        for (g, acc_g) in acc.iter_mut().enumerate().take(group) {
            let s = j * rows + b0 + g * R;
            match start {
                Start::Zero => {}
                Start::ColumnBias(bias) => acc_g.fill(bias[j]),
                Start::Accumulate => acc_g.copy_from_slice(&out[s..s + R]),
            }
        }
        for (kk, a_col) in a.chunks_exact(rows).enumerate() {
            let wv = w[kk * stride_k + j * stride_j];
            let a_span = &a_col[b0..b0 + span];
            for (acc_g, a_g) in acc.iter_mut().zip(a_span.chunks_exact(R)) {
                let av: &[T; R] = a_g.try_into().expect("R rows");
                for (x, &ar) in acc_g.iter_mut().zip(av) {
                    *x = madd::<T, FMA>(ar, wv, *x);
                }
            }
        }
        for (g, acc_g) in acc.iter().enumerate().take(group) {
            let s = j * rows + b0 + g * R;
            out[s..s + R].copy_from_slice(acc_g);
        }
        block += group;
    }
}

/// out (n1 × n2) += aᵀ · b, for `a` of shape rows × n1 and `b` of shape rows × n2: each
/// entry a sum over the rows (the minibatch), which are contiguous in both.
///
/// Blocks of `I` × `J` entries are summed in registers as `L`-lane partial sums (one
/// vector each), then each entry's lanes are added pairwise and the leftover rows after.
#[inline(always)]
pub fn matmul_tn<T: Real, const L: usize, const I: usize, const J: usize, const FMA: bool>(
    out: &mut [T],
    a: &[T],
    b: &[T],
    rows: usize,
    n1: usize,
    n2: usize,
) {
    assert_tn_shapes(out, a, b, (rows, n1, n2));
    // Long sums in panels of rows whose columns fit in L2 together (each block below
    // reads its columns whole, once per block of the other side); the reference
    // workload's sums (256 rows × 32 + 32 f32 columns) are one panel.
    let panel = (TN_PANEL_BYTES / ((n1 + n2).max(1) * size_of::<T>()))
        .max(TN_MIN_PANEL)
        .next_multiple_of(L);
    let mut r0 = 0;
    while r0 < rows {
        let len = if rows - r0 <= panel { rows - r0 } else { panel };
        tn_panel::<T, L, I, J, FMA>(out, a, b, rows, n1, n2, (r0, len));
        r0 += len;
    }
}

/// Whether [`matmul_tn_by_products`] does better than [`matmul_tn`] for these shapes:
/// long sums into outputs at least 128 wide (measured faster at W = 128 and 256; not the reference workload's, whose 256-row sums into
/// 32 × 32 weights [`matmul_tn`] keeps in L1 and reduces lane by lane).
pub fn tn_by_products<T>(rows: usize, n1: usize, n2: usize) -> bool {
    n1 >= 128 && n2 >= 16 && rows * (n1 + n2) * size_of::<T>() > TN_PANEL_BYTES
}

/// Rows per panel of [`matmul_tn_by_products`].
const TN_PRODUCT_PANEL: usize = 256;

/// out (n1 × n2) += aᵀ · b as [`matmul_tn`], but with the register blocks of
/// [`matmul_blocked`]: per panel of 256 rows, each strip of R columns of `a` is transposed
/// once into an L1-sized packed strip (R entries of aᵀ per row), and every column block
/// of `b` is broadcast against it straight from `b` (C contiguous streams), so that each
/// load feeds many multiply-adds where the sum-of-lanes kernel feeds few. Each entry is summed over the
/// rows in order (no pairwise lanes), which in f32 over the few thousand rows of a large
/// minibatch costs a few ulps.
#[inline(always)]
pub fn matmul_tn_by_products<T: Real, const R: usize, const C: usize, const FMA: bool>(
    out: &mut [T],
    a: &[T],
    b: &[T],
    rows: usize,
    n1: usize,
    n2: usize,
) {
    assert_tn_shapes(out, a, b, (rows, n1, n2));
    let full_i = n1 / R * R;
    let mut strip = vec![T::zero(); TN_PRODUCT_PANEL.min(rows) * R];
    let mut r0 = 0;
    while r0 < rows {
        let len = TN_PRODUCT_PANEL.min(rows - r0);
        let strip = &mut strip[..len * R];
        for i0 in (0..full_i).step_by(R) {
            // The strip of aᵀ: entry (kk, r) = a[r0 + kk, i0 + r], read as R streams.
            let cols: [&[T]; R] =
                std::array::from_fn(|r| &a[(i0 + r) * rows + r0..(i0 + r) * rows + r0 + len]);
            for (kk, dst) in (0..len).zip(strip.chunks_exact_mut(R)) {
                for (d, col) in dst.iter_mut().zip(&cols) {
                    *d = col[kk];
                }
            }
            let a_strip = Strip {
                a: strip,
                stride: R,
                offset: 0,
            };
            // W[kk, j] = b[r0 + kk, j], read in place (CB columns along kk).
            let w = (&b[r0..], (1, rows));
            for (j0, cb) in column_blocks::<C>(n2) {
                let (w, at) = ((w.0, w.1, j0), (i0, j0));
                let start = Start::Accumulate;
                match cb {
                    _ if cb == C => block::<T, R, C, FMA>(out, n1, a_strip, w, start, at),
                    4 => block::<T, R, 4, FMA>(out, n1, a_strip, w, start, at),
                    2 => block::<T, R, 2, FMA>(out, n1, a_strip, w, start, at),
                    _ => block::<T, R, 1, FMA>(out, n1, a_strip, w, start, at),
                }
            }
        }
        // The last n1 mod R entries of each column, plainly.
        for i in full_i..n1 {
            let a_i = &a[i * rows + r0..i * rows + r0 + len];
            for j in 0..n2 {
                let b_j = &b[j * rows + r0..j * rows + r0 + len];
                let mut s = out[i + j * n1];
                for (&x, &y) in a_i.iter().zip(b_j) {
                    s = madd::<T, FMA>(x, y, s);
                }
                out[i + j * n1] = s;
            }
        }
        r0 += len;
    }
}

/// Panics unless `out` is n1 × n2, `a` rows × n1 and `b` rows × n2.
fn assert_tn_shapes<T>(out: &[T], a: &[T], b: &[T], (rows, n1, n2): (usize, usize, usize)) {
    assert_eq!(out.len(), n1 * n2, "matmul_tn: output shape");
    assert_eq!(a.len(), rows * n1, "matmul_tn: first input shape");
    assert_eq!(b.len(), rows * n2, "matmul_tn: second input shape");
}

/// How many bytes of the two inputs' columns one panel of [`matmul_tn`] spans.
const TN_PANEL_BYTES: usize = 192 * 1024;

/// The shortest panel of [`matmul_tn`].
const TN_MIN_PANEL: usize = 128;

/// [`matmul_tn`]'s sums over rows r0..r0 + len, added to `out`.
#[inline(always)]
fn tn_panel<T: Real, const L: usize, const I: usize, const J: usize, const FMA: bool>(
    out: &mut [T],
    a: &[T],
    b: &[T],
    rows: usize,
    n1: usize,
    n2: usize,
    span: (usize, usize),
) {
    let (full_i, full_j) = (n1 / I * I, n2 / J * J);
    for j0 in (0..full_j).step_by(J) {
        for i0 in (0..full_i).step_by(I) {
            tn_block::<T, L, I, J, FMA>(out, a, b, rows, n1, (i0, j0), span);
        }
        for i0 in full_i..n1 {
            tn_block::<T, L, 1, J, FMA>(out, a, b, rows, n1, (i0, j0), span);
        }
    }
    let mut j0 = full_j;
    if J > 2 && j0 + 2 <= n2 {
        for i0 in (0..full_i).step_by(I) {
            tn_block::<T, L, I, 2, FMA>(out, a, b, rows, n1, (i0, j0), span);
        }
        for i0 in full_i..n1 {
            tn_block::<T, L, 1, 2, FMA>(out, a, b, rows, n1, (i0, j0), span);
        }
        j0 += 2;
    }
    for j0 in j0..n2 {
        for i0 in (0..full_i).step_by(I) {
            tn_block::<T, L, I, 1, FMA>(out, a, b, rows, n1, (i0, j0), span);
        }
        for i0 in full_i..n1 {
            tn_block::<T, L, 1, 1, FMA>(out, a, b, rows, n1, (i0, j0), span);
        }
    }
}

/// One `BI` × `BJ` block of [`matmul_tn`] at (i0, j0).
#[inline(always)]
fn tn_block<T: Real, const L: usize, const BI: usize, const BJ: usize, const FMA: bool>(
    out: &mut [T],
    a: &[T],
    b: &[T],
    rows: usize,
    n1: usize,
    (i0, j0): (usize, usize),
    (r0, len): (usize, usize),
) {
    let lanes = len / L;
    let acols: [_; BI] =
        std::array::from_fn(|i| lane_chunks::<T, L>(a, rows, i0 + i, (r0, len), lanes));
    let bcols: [_; BJ] =
        std::array::from_fn(|j| lane_chunks::<T, L>(b, rows, j0 + j, (r0, len), lanes));
    let mut acc = [[[T::zero(); L]; BJ]; BI];
    for t in 0..lanes {
        let av: [[T; L]; BI] = std::array::from_fn(|i| acols[i].0[t]);
        let bv: [[T; L]; BJ] = std::array::from_fn(|j| bcols[j].0[t]);
        for (acc_i, a_t) in acc.iter_mut().zip(&av) {
            for (acc_ij, b_t) in acc_i.iter_mut().zip(&bv) {
                for l in 0..L {
                    acc_ij[l] = madd::<T, FMA>(a_t[l], b_t[l], acc_ij[l]);
                }
            }
        }
    }
    for (i, acc_i) in acc.iter().enumerate() {
        for (j, acc_ij) in acc_i.iter().enumerate() {
            let mut s = pairwise_sum(acc_ij);
            for (&x, &y) in acols[i].1.iter().zip(bcols[j].1) {
                s = madd::<T, FMA>(x, y, s);
            }
            out[(i0 + i) + (j0 + j) * n1] += s;
        }
    }
}

/// Rows r0..r0 + len of column `c` of a matrix with `rows` rows as `lanes` whole L-lane
/// chunks (sliced to that known length, so that indexing by chunk needs no bounds checks)
/// and the rows after.
#[inline(always)]
fn lane_chunks<T, const L: usize>(
    m: &[T],
    rows: usize,
    c: usize,
    (r0, len): (usize, usize),
    lanes: usize,
) -> (&[[T; L]], &[T]) {
    let start = c * rows + r0;
    let (chunks, rest) = m[start..start + len].as_chunks::<L>();
    (&chunks[..lanes], rest)
}

/// Σ v, added in pairs: the upper half of the lanes onto the lower, until one is left.
#[inline(always)]
fn pairwise_sum<T: Real, const L: usize>(v: &[T; L]) -> T {
    let mut v = *v;
    let mut n = L;
    while n > 1 {
        let h = n / 2;
        for l in 0..h {
            let upper = v[l + n - h];
            v[l] += upper;
        }
        n -= h;
    }
    v[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic test entries in [−1.6, 1.6], different for the two operands.
    fn first_matrix(len: usize) -> Vec<f64> {
        (0..len)
            .map(|i| ((i * 37 % 23) as f64 - 11.0) / 7.0)
            .collect()
    }

    fn second_matrix(len: usize) -> Vec<f64> {
        (0..len)
            .map(|i| ((i * 13 % 17) as f64 - 8.0) / 5.0)
            .collect()
    }

    fn naive(a: &[f64], w: &[f64], rows: usize, k: usize, n: usize) -> Vec<f64> {
        let mut out = vec![0.0; rows * n];
        for b in 0..rows {
            for j in 0..n {
                out[j * rows + b] = (0..k).map(|kk| a[kk * rows + b] * w[kk + j * k]).sum();
            }
        }
        out
    }

    /// The blockings the vector paths use, fused and not, and a block wider than a
    /// minibatch's remainder; each must give the naive product.
    type Kernel =
        fn(&mut [f64], &[f64], usize, usize, usize, &[f64], (usize, usize), Start<'_, f64>);
    const KERNELS: [(&str, Kernel); 6] = [
        ("32x8 fma", matmul_blocked::<f64, 32, 8, true>),
        ("16x6 fma", matmul_blocked::<f64, 16, 6, true>),
        ("8x6 fma", matmul_blocked::<f64, 8, 6, true>),
        ("8x6", matmul_blocked::<f64, 8, 6, false>),
        ("4x6", matmul_blocked::<f64, 4, 6, false>),
        ("16x8", matmul_blocked::<f64, 16, 8, false>),
    ];

    #[test]
    fn kernels_match_naive_products_for_odd_shapes() {
        for (name, matmul_into) in KERNELS {
            check_kernel(name, matmul_into);
        }
    }

    /// The sums-over-rows blockings of the paths, and blocks with leftovers on every side.
    type TnKernel = fn(&mut [f64], &[f64], &[f64], usize, usize, usize);
    const TN_KERNELS: [(&str, TnKernel); 5] = [
        ("8 lanes 4x4 fma", matmul_tn::<f64, 8, 4, 4, true>),
        ("4 lanes 4x3 fma", matmul_tn::<f64, 4, 4, 3, true>),
        ("2 lanes 4x3", matmul_tn::<f64, 2, 4, 3, false>),
        ("16 lanes 4x4", matmul_tn::<f64, 16, 4, 4, false>),
        ("3 lanes 2x5", matmul_tn::<f64, 3, 2, 5, false>),
    ];

    #[test]
    fn sums_over_the_batch_match_naive_products() {
        let by_products: [(&str, TnKernel); 3] = [
            (
                "products 16x6 fma",
                matmul_tn_by_products::<f64, 16, 6, true>,
            ),
            ("products 8x6", matmul_tn_by_products::<f64, 8, 6, false>),
            (
                "products 32x8 fma",
                matmul_tn_by_products::<f64, 32, 8, true>,
            ),
        ];
        for (name, tn) in TN_KERNELS.into_iter().chain(by_products) {
            for &(rows, n1, n2) in &[
                (1, 1, 1),
                (7, 3, 2),
                (128, 32, 32),
                (131, 33, 1),
                (37, 5, 11),
                // Several panels, the last one short with leftover rows.
                (1001, 33, 40),
                // Whole strips only, and one column block of each narrower width.
                (300, 64, 13),
            ] {
                let (a, b) = (first_matrix(rows * n1), second_matrix(rows * n2));
                // out starts at 1 everywhere: the kernel adds to it.
                let mut out = vec![1.0; n1 * n2];
                tn(&mut out, &a, &b, rows, n1, n2);
                for i in 0..n1 {
                    for j in 0..n2 {
                        let expect: f64 =
                            (0..rows).map(|r| a[r + i * rows] * b[r + j * rows]).sum();
                        let got = out[i + j * n1];
                        assert!(
                            (got - 1.0 - expect).abs() < 1e-10,
                            "{name}: {rows}x{n1}x{n2} entry ({i}, {j}): {got} vs 1 + {expect}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn pairwise_sums_add_every_lane() {
        let v: [f64; 7] = std::array::from_fn(|l| (1 << l) as f64);
        assert_eq!(pairwise_sum(&v), 127.0);
        let v: [f64; 16] = std::array::from_fn(|l| l as f64);
        assert_eq!(pairwise_sum(&v), 120.0);
        assert_eq!(pairwise_sum(&[3.0]), 3.0);
    }

    fn check_kernel(name: &str, matmul_into: Kernel) {
        for &(rows, k, n) in &[
            (1, 1, 1),
            (17, 5, 3),
            (32, 4, 4),
            (37, 9, 11),
            (256, 32, 32),
            (40, 300, 13),
            // Packed strips (inputs over PACK_ABOVE_BYTES), with leftover rows and columns.
            (300, 50, 13),
            (203, 64, 64),
            (515, 33, 7),
        ] {
            let (a, w) = (first_matrix(rows * k), second_matrix(k * n));
            let expect = naive(&a, &w, rows, k, n);
            let mut out = vec![0.0; rows * n];
            matmul_into(&mut out, &a, rows, k, n, &w, (1, k), Start::Zero);
            for (x, y) in out.iter().zip(&expect) {
                assert!((x - y).abs() < 1e-12, "{name}: matmul {rows}x{k}x{n}");
            }
            // Transposed weights through strides: W'[kk, j] = W[j, kk] with W of k × n.
            if k == n {
                let wt: Vec<f64> = (0..k * n).map(|i| w[(i % k) * k + i / k]).collect();
                let expect_t = naive(&a, &wt, rows, k, n);
                matmul_into(&mut out, &a, rows, k, n, &w, (k, 1), Start::Zero);
                for (x, y) in out.iter().zip(&expect_t) {
                    assert!(
                        (x - y).abs() < 1e-12,
                        "{name}: transposed matmul {rows}x{k}"
                    );
                }
            }
            // Column biases and accumulation.
            let bias: Vec<f64> = (0..n).map(|j| j as f64 * 0.5).collect();
            matmul_into(
                &mut out,
                &a,
                rows,
                k,
                n,
                &w,
                (1, k),
                Start::ColumnBias(&bias),
            );
            for (i, (x, y)) in out.iter().zip(&expect).enumerate() {
                assert!(
                    (x - y - bias[i / rows]).abs() < 1e-12,
                    "{name}: column bias {rows}x{k}x{n}"
                );
            }
            matmul_into(&mut out, &a, rows, k, n, &w, (1, k), Start::Accumulate);
            for (i, (x, y)) in out.iter().zip(&expect).enumerate() {
                assert!(
                    (x - 2.0 * y - bias[i / rows]).abs() < 1e-10,
                    "{name}: accumulate {rows}x{k}x{n}"
                );
            }
        }
    }
}
