//! The two matrix-product kernels of the training loop, register-blocked so that the
//! compiler vectorises them along the minibatch. Matrices are column-major slices.
//!
//! For the shapes that matter here (a batch of 128–256 rows times 32 × 32 weights) they
//! avoid the packing a general GEMM does, which costs as much as the arithmetic.

use super::float::Real;

/// Rows per register block (one AVX-512 vector of f32, two of AVX2).
const ROWS: usize = 16;
/// Output columns per register block.
const COLS: usize = 4;

/// What an output column of [`matmul_into`] starts from.
#[derive(Clone, Copy, Debug)]
pub enum Start<'a, T> {
    /// out = a · W.
    Zero,
    /// out = bias + a · W, `bias[j]` added to column j.
    Bias(&'a [T]),
    /// out += a · W.
    Accumulate,
}

/// out = bias + a · W (see [`matmul_into`]); an empty `bias` means none.
#[expect(clippy::too_many_arguments, reason = "a BLAS-style kernel signature")]
pub fn matmul<T: Real>(
    out: &mut [T],
    a: &[T],
    rows: usize,
    k: usize,
    n: usize,
    w: &[T],
    strides: (usize, usize),
    bias: &[T],
) {
    let start = if bias.is_empty() {
        Start::Zero
    } else {
        Start::Bias(bias)
    };
    matmul_into(out, a, rows, k, n, w, strides, start);
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
    if let Start::Bias(bias) = start {
        assert_eq!(bias.len(), n, "matmul: bias length");
    }
    let full_rows = rows / ROWS * ROWS;
    let full_cols = n / COLS * COLS;
    for j0 in (0..full_cols).step_by(COLS) {
        for b0 in (0..full_rows).step_by(ROWS) {
            let mut acc = [[T::zero(); ROWS]; COLS];
            for (c, col) in acc.iter_mut().enumerate() {
                match start {
                    Start::Zero => {}
                    Start::Bias(bias) => *col = [bias[j0 + c]; ROWS],
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
    // Leftover rows and columns, plainly.
    for j in 0..n {
        let row_start = if j < full_cols { full_rows } else { 0 };
        for b in row_start..rows {
            let mut s = match start {
                Start::Zero => T::zero(),
                Start::Bias(bias) => bias[j],
                Start::Accumulate => out[j * rows + b],
            };
            for kk in 0..k {
                s = a[kk * rows + b].mul_add_fast(w[kk * stride_k + j * stride_j], s);
            }
            out[j * rows + b] = s;
        }
    }
}

/// out += aᵀ · d, for `a` of shape rows × k, `d` of shape rows × n and out of shape k × n:
/// the weight gradient Σ_b a[b, i] d[b, j]. `scratch` receives aᵀ, so that the product
/// runs through [`matmul`] with the batch as its inner dimension and no reductions
/// across vector lanes.
pub fn matmul_transposed_acc<T: Real>(
    out: &mut [T],
    a: &[T],
    d: &[T],
    (rows, k, n): (usize, usize, usize),
    scratch: &mut Vec<T>,
) {
    assert_eq!(out.len(), k * n, "matmul_transposed_acc: output shape");
    assert_eq!(a.len(), rows * k, "matmul_transposed_acc: a shape");
    assert_eq!(d.len(), rows * n, "matmul_transposed_acc: d shape");
    scratch.resize(rows * k, T::zero());
    transpose(a, rows, k, scratch);
    // out[i, j] += Σ_b aᵀ[i, b] · d[b, j], with d[b, j] at b + j·rows.
    matmul_into(out, scratch, k, rows, n, d, (1, rows), Start::Accumulate);
}

/// dst (cols × rows, column-major) = srcᵀ for src of shape rows × cols, in 8 × 8 tiles.
pub fn transpose<T: Real>(src: &[T], rows: usize, cols: usize, dst: &mut [T]) {
    const TILE: usize = 8;
    for c0 in (0..cols).step_by(TILE) {
        for r0 in (0..rows).step_by(TILE) {
            for r in r0..(r0 + TILE).min(rows) {
                for c in c0..(c0 + TILE).min(cols) {
                    dst[c + r * cols] = src[r + c * rows];
                }
            }
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
            matmul(&mut out, &a, rows, k, n, &w, (1, k), &[]);
            for (x, y) in out.iter().zip(&expect) {
                assert!((x - y).abs() < 1e-12, "matmul {rows}x{k}x{n}");
            }
            // Transposed weights through strides: W'[kk, j] = W[j, kk] with W of k × n.
            if k == n {
                let wt: Vec<f64> = (0..k * n).map(|i| w[(i % k) * k + i / k]).collect();
                let expect_t = naive(&a, &wt, rows, k, n);
                matmul(&mut out, &a, rows, k, n, &w, (k, 1), &[]);
                for (x, y) in out.iter().zip(&expect_t) {
                    assert!((x - y).abs() < 1e-12, "transposed matmul {rows}x{k}");
                }
            }
            // aᵀ · d accumulates.
            let d: Vec<f64> = (0..rows * n)
                .map(|i| ((i * 7 % 19) as f64 - 9.0) / 3.0)
                .collect();
            let mut g = vec![1.0; k * n];
            matmul_transposed_acc(&mut g, &a, &d, (rows, k, n), &mut Vec::new());
            for i in 0..k {
                for j in 0..n {
                    let s: f64 = (0..rows).map(|b| a[i * rows + b] * d[j * rows + b]).sum();
                    assert!((g[i + j * k] - 1.0 - s).abs() < 1e-10, "aᵀd {rows}x{k}x{n}");
                }
            }
        }
    }
}
