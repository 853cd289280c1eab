//! y = S x for a symmetric S stored in its lower triangle, reading the triangle once.
//!
//! This product is half the flops of the tridiagonalisation and nearly all of its
//! memory traffic: every reflector needs the whole trailing matrix. faer has no such
//! product (its own tridiagonalisation fuses it, privately, with a rank-2 update that
//! also *writes* the matrix, which is what made it memory-bound), and its triangular
//! products read the triangle twice (once for L x, once for Lᵀ x). So this one kernel
//! is hand-written: each column is used twice while it is in registers, as an axpy
//! into y and as a dot product with x.
//!
//! Bits do not depend on the thread count: the columns are cut into a fixed number of
//! pieces ([`FIXED_DEGREE`]) by area, every piece sums into its own vector, and the
//! pieces are added in a fixed order, whether they run in parallel or not. Nor do they
//! depend on the CPU: the AVX2 path compiles the same scalar arithmetic in the same
//! order (Rust never fuses a multiply and an add), only in wider registers.

use faer::{Mat, MatMut, MatRef, Par};

use crate::FIXED_DEGREE;

/// Below this many stored entries (m²/2) the product runs as one piece: splitting and
/// joining costs more than the work (faer's tridiagonalisation uses the same cut).
const SPLIT_THRESHOLD: usize = 192 * 256;

/// Scratch for [`symv_lower`] on matrices up to `n` × `n`: one partial sum per piece.
pub(crate) struct SymvScratch {
    parts: Mat<f64>,
}

impl SymvScratch {
    /// Scratch for products of size up to `n`.
    pub(crate) fn new(n: usize) -> Self {
        Self {
            parts: Mat::zeros(n, FIXED_DEGREE),
        }
    }
}

/// Overwrites `y` with S x, S = `s` symmetric with only its lower triangle read.
///
/// `s` must have unit row stride (column-major storage), as every matrix the
/// tridiagonalisation builds has.
pub(crate) fn symv_lower(
    s: MatRef<'_, f64>,
    x: &[f64],
    y: &mut [f64],
    scratch: &mut SymvScratch,
    par: Par,
) {
    let m = s.nrows();
    debug_assert!(s.ncols() == m && x.len() == m && y.len() == m);
    assert_eq!(s.row_stride(), 1, "symv_lower needs column-major storage");
    y.fill(0.0);
    if m * m / 2 < SPLIT_THRESHOLD {
        sweep(s, x, y, 0, m);
        return;
    }
    let parts = scratch.parts.as_mut().subrows_mut(0, m);
    run_pieces(s, x, parts, 0, par);
    for k in 0..FIXED_DEGREE {
        let first = piece_start(m, k);
        let part = scratch.parts.col(k);
        for i in first..m {
            y[i] += part[i];
        }
    }
}

/// First column of piece `k` of `FIXED_DEGREE`: the cuts give every piece the same
/// share of the triangle (column j holds m − j entries), as in faer's own kernel.
fn piece_start(m: usize, k: usize) -> usize {
    let share = k as f64 / FIXED_DEGREE as f64;
    ((1.0 - (1.0 - share).sqrt()) * m as f64) as usize
}

/// Computes the pieces `first..first + parts.ncols()` into the columns of `parts`,
/// halving recursively so that faer's `join_raw` hands each half its share of `par`.
fn run_pieces(s: MatRef<'_, f64>, x: &[f64], parts: MatMut<'_, f64>, first: usize, par: Par) {
    let count = parts.ncols();
    if count == 1 {
        let m = s.nrows();
        let (c0, c1) = (piece_start(m, first), piece_start(m, first + 1));
        let mut parts = parts;
        let part = parts
            .col_mut(0)
            .try_as_col_major_mut()
            .expect("scratch columns are contiguous")
            .as_slice_mut();
        part[c0..].fill(0.0);
        sweep(s, x, part, c0, c1);
        return;
    }
    let half = count / 2;
    let (left, right) = parts.split_at_col_mut(half);
    faer::utils::thread::join_raw(
        |p| run_pieces(s, x, left, first, p),
        |p| run_pieces(s, x, right, first + half, p),
        par,
    );
}

/// Adds the contribution of columns `c0..c1` of S to `y` (rows ≥ `c0`).
fn sweep(s: MatRef<'_, f64>, x: &[f64], y: &mut [f64], c0: usize, c1: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { sweep_avx2(s, x, y, c0, c1) };
            return;
        }
    }
    sweep_portable(s, x, y, c0, c1);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sweep_avx2(s: MatRef<'_, f64>, x: &[f64], y: &mut [f64], c0: usize, c1: usize) {
    sweep_portable(s, x, y, c0, c1);
}

/// The column sweep in pairs: two columns share every load and store of y and x.
#[inline(always)]
fn sweep_portable(s: MatRef<'_, f64>, x: &[f64], y: &mut [f64], c0: usize, c1: usize) {
    let m = s.nrows();
    let column = |j: usize| -> &[f64] {
        &s.col(j)
            .try_as_col_major()
            .expect("unit row stride checked by symv_lower")
            .as_slice()[j..]
    };
    let mut j = c0;
    while j + 1 < c1 {
        let (a0, a1) = (column(j), column(j + 1));
        let (x0, x1) = (x[j], x[j + 1]);
        // The 2×2 diagonal block, then rows j+2.. in one sweep.
        let (t0, t1) = axpy2_dot2(&a0[2..], &a1[1..], x0, x1, &x[j + 2..m], &mut y[j + 2..m]);
        y[j] += a0[0] * x0 + a0[1] * x1 + t0;
        y[j + 1] += a0[1] * x0 + a1[0] * x1 + t1;
        j += 2;
    }
    if j < c1 {
        let a0 = column(j);
        let (t0, _) = axpy2_dot2(&a0[1..], &a0[1..], x[j], 0.0, &x[j + 1..m], &mut y[j + 1..m]);
        y[j] += a0[0] * x[j] + t0;
    }
}

/// y += u x0 + v x1 and returns (uᵀx, vᵀx), all slices of one length. Eight partial
/// sums per dot product keep the SIMD lanes independent (the add latency is hidden),
/// and their fixed order makes the result the same on every path.
#[inline(always)]
fn axpy2_dot2(u: &[f64], v: &[f64], x0: f64, x1: f64, x: &[f64], y: &mut [f64]) -> (f64, f64) {
    const LANES: usize = 8;
    let len = y.len();
    let (u, v, x) = (&u[..len], &v[..len], &x[..len]);
    let body = len / LANES * LANES;
    let mut su = [0.0f64; LANES];
    let mut sv = [0.0f64; LANES];
    for (((uc, vc), xc), yc) in u[..body]
        .chunks_exact(LANES)
        .zip(v[..body].chunks_exact(LANES))
        .zip(x[..body].chunks_exact(LANES))
        .zip(y[..body].chunks_exact_mut(LANES))
    {
        for t in 0..LANES {
            yc[t] += uc[t] * x0 + vc[t] * x1;
            su[t] += uc[t] * xc[t];
            sv[t] += vc[t] * xc[t];
        }
    }
    let total = |s: [f64; LANES]| ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    let (mut du, mut dv) = (total(su), total(sv));
    for i in body..len {
        y[i] += u[i] * x0 + v[i] * x1;
        du += u[i] * x[i];
        dv += v[i] * x[i];
    }
    (du, dv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symmetric(m: usize) -> Mat<f64> {
        let a = Mat::<f64>::from_fn(m, m, |i, j| ((i * 31 + j * 17) % 23) as f64 / 7.0 - 1.5);
        Mat::from_fn(m, m, |i, j| if i >= j { a[(i, j)] } else { a[(j, i)] })
    }

    /// Against faer's general product on the full symmetric matrix, with garbage in
    /// the upper triangle to prove it is never read; sizes on both sides of the split.
    #[test]
    fn matches_the_dense_product() {
        for m in [1, 2, 3, 8, 17, 100, 313, 400] {
            let full = symmetric(m);
            let mut lower = full.clone();
            for j in 0..m {
                for i in 0..j {
                    lower[(i, j)] = f64::NAN;
                }
            }
            let x: Vec<f64> = (0..m).map(|i| (i as f64 * 0.7).sin()).collect();
            let xm = Mat::from_fn(m, 1, |i, _| x[i]);
            let want = crate::product(full.as_ref(), xm.as_ref());
            let mut y = vec![0.0; m];
            let mut scratch = SymvScratch::new(m);
            symv_lower(lower.as_ref(), &x, &mut y, &mut scratch, crate::fixed_parallelism());
            for i in 0..m {
                approx::assert_abs_diff_eq!(y[i], want[(i, 0)], epsilon = 1e-12 * m as f64);
            }
        }
    }

    /// The SIMD path and the portable path give the same bits.
    #[test]
    fn simd_and_portable_paths_agree_bitwise() {
        let m = 203;
        let s = symmetric(m);
        let x: Vec<f64> = (0..m).map(|i| (i as f64 * 0.3).cos()).collect();
        let mut fast = vec![0.0; m];
        let mut portable = vec![0.0; m];
        sweep(s.as_ref(), &x, &mut fast, 0, m);
        sweep_portable(s.as_ref(), &x, &mut portable, 0, m);
        assert_eq!(
            fast.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            portable.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
}
