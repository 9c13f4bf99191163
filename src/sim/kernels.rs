//! The kernels of the training loop: one matrix product, register-blocked so that the
//! compiler vectorises it along the minibatch, and a transpose. Matrices are column-major
//! slices.
//!
//! For the shapes that matter here (a batch of 128–256 rows times 32 × 32 weights) they
//! avoid the packing a general GEMM does, which costs as much as the arithmetic.

use super::float::Real;

/// Rows per register block (two AVX-512 vectors of f32, four of AVX2): measured best.
const ROWS: usize = 32;
/// Output columns per register block.
const COLS: usize = 8;

/// What an output column of [`matmul_into`] starts from.
#[derive(Clone, Copy, Debug)]
pub enum Start<'a, T> {
    /// out = a · W.
    Zero,
    /// out = bias + a · W, `bias[r]` added to row r.
    RowBias(&'a [T]),
    /// out += a · W.
    Accumulate,
}

/// out (rows × n) = start + a · W, for `a` of shape rows × k, where
/// W[kk, j] = `w[kk·stride_k + j·stride_j]` (so a transposed W is just other strides).
#[expect(clippy::too_many_arguments, reason = "a BLAS-style kernel signature")]
pub fn matmul_into<T: Real>(
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
        Start::RowBias(bias) => assert_eq!(bias.len(), rows, "matmul: row bias length"),
        Start::Zero | Start::Accumulate => {}
    }
    let full_rows = rows / ROWS * ROWS;
    let full_cols = n / COLS * COLS;
    for j0 in (0..full_cols).step_by(COLS) {
        for b0 in (0..full_rows).step_by(ROWS) {
            let mut acc = [[T::zero(); ROWS]; COLS];
            for (c, col) in acc.iter_mut().enumerate() {
                match start {
                    Start::Zero => {}
                    Start::RowBias(bias) => col.copy_from_slice(&bias[b0..b0 + ROWS]),
                    Start::Accumulate => {
                        let s = (j0 + c) * rows + b0;
                        col.copy_from_slice(&out[s..s + ROWS]);
                    }
                }
            }
            for kk in 0..k {
                let Some(av) = a.get(kk * rows + b0..kk * rows + b0 + ROWS) else {
                    continue;
                };
                let av: [T; ROWS] = std::array::from_fn(|r| av[r]);
                for (c, col) in acc.iter_mut().enumerate() {
                    let wv = w[kk * stride_k + (j0 + c) * stride_j];
                    for r in 0..ROWS {
                        col[r] = av[r].mul_add_fast(wv, col[r]);
                    }
                }
            }
            for (c, col) in acc.iter().enumerate() {
                let start = (j0 + c) * rows + b0;
                out[start..start + ROWS].copy_from_slice(col);
            }
        }
    }
    // Leftover columns one at a time, still blocked over rows: this is the matrix-vector
    // product path (n = 1), used for bias and 1-wide-layer gradients.
    for j in full_cols..n {
        for b0 in (0..full_rows).step_by(ROWS) {
            let mut acc = match start {
                Start::Zero => [T::zero(); ROWS],
                Start::RowBias(bias) => std::array::from_fn(|r| bias[b0 + r]),
                Start::Accumulate => std::array::from_fn(|r| out[j * rows + b0 + r]),
            };
            for kk in 0..k {
                let Some(av) = a.get(kk * rows + b0..kk * rows + b0 + ROWS) else {
                    continue;
                };
                let wv = w[kk * stride_k + j * stride_j];
                for r in 0..ROWS {
                    acc[r] = av[r].mul_add_fast(wv, acc[r]);
                }
            }
            out[j * rows + b0..j * rows + b0 + ROWS].copy_from_slice(&acc);
        }
    }
    // Leftover rows, plainly.
    for j in 0..n {
        for b in full_rows..rows {
            let mut s = match start {
                Start::Zero => T::zero(),
                Start::RowBias(bias) => bias[b],
                Start::Accumulate => out[j * rows + b],
            };
            for kk in 0..k {
                s = a[kk * rows + b].mul_add_fast(w[kk * stride_k + j * stride_j], s);
            }
            out[j * rows + b] = s;
        }
    }
}

/// dst (cols × rows, column-major) = srcᵀ for src of shape rows × cols.
pub fn transpose<T: Real>(src: &[T], rows: usize, cols: usize, dst: &mut [T]) {
    assert_eq!(src.len(), rows * cols, "transpose: source shape");
    assert_eq!(dst.len(), rows * cols, "transpose: destination shape");
    // Sequential writes, strided reads: one destination column (a source row) at a time.
    for (r, dst_col) in dst.chunks_exact_mut(cols).enumerate() {
        for (d, src_col) in dst_col.iter_mut().zip(src.chunks_exact(rows)) {
            *d = src_col[r];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f64], w: &[f64], rows: usize, k: usize, n: usize) -> Vec<f64> {
        let mut out = vec![0.0; rows * n];
        for b in 0..rows {
            for j in 0..n {
                out[j * rows + b] = (0..k).map(|kk| a[kk * rows + b] * w[kk + j * k]).sum();
            }
        }
        out
    }

    #[test]
    fn kernels_match_naive_products_for_odd_shapes() {
        for &(rows, k, n) in &[
            (1, 1, 1),
            (17, 5, 3),
            (32, 4, 4),
            (37, 9, 11),
            (256, 32, 32),
        ] {
            let a: Vec<f64> = (0..rows * k)
                .map(|i| ((i * 37 % 23) as f64 - 11.0) / 7.0)
                .collect();
            let w: Vec<f64> = (0..k * n)
                .map(|i| ((i * 13 % 17) as f64 - 8.0) / 5.0)
                .collect();
            let expect = naive(&a, &w, rows, k, n);
            let mut out = vec![0.0; rows * n];
            matmul_into(&mut out, &a, rows, k, n, &w, (1, k), Start::Zero);
            for (x, y) in out.iter().zip(&expect) {
                assert!((x - y).abs() < 1e-12, "matmul {rows}x{k}x{n}");
            }
            // Transposed weights through strides: W'[kk, j] = W[j, kk] with W of k × n.
            if k == n {
                let wt: Vec<f64> = (0..k * n).map(|i| w[(i % k) * k + i / k]).collect();
                let expect_t = naive(&a, &wt, rows, k, n);
                matmul_into(&mut out, &a, rows, k, n, &w, (k, 1), Start::Zero);
                for (x, y) in out.iter().zip(&expect_t) {
                    assert!((x - y).abs() < 1e-12, "transposed matmul {rows}x{k}");
                }
            }
            // Row biases and accumulation.
            let bias: Vec<f64> = (0..rows).map(|r| r as f64 * 0.5).collect();
            matmul_into(&mut out, &a, rows, k, n, &w, (1, k), Start::RowBias(&bias));
            for (i, (x, y)) in out.iter().zip(&expect).enumerate() {
                assert!(
                    (x - y - bias[i % rows]).abs() < 1e-12,
                    "row bias {rows}x{k}x{n}"
                );
            }
            matmul_into(&mut out, &a, rows, k, n, &w, (1, k), Start::Accumulate);
            for (i, (x, y)) in out.iter().zip(&expect).enumerate() {
                assert!(
                    (x - 2.0 * y - bias[i % rows]).abs() < 1e-10,
                    "accumulate {rows}x{k}x{n}"
                );
            }
            // A transpose round-trips.
            let mut t = vec![0.0; rows * k];
            let mut back = vec![0.0; rows * k];
            transpose(&a, rows, k, &mut t);
            transpose(&t, k, rows, &mut back);
            assert_eq!(back, a);
        }
    }
}
