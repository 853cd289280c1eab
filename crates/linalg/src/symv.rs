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

/// The direction in which [`symv_lower`] sweeps the columns.
///
/// Why it matters: a sweep that reads more than the cache holds evicts its own start,
/// so the next product of the same, slightly smaller, matrix in the same direction
/// misses everywhere; in the opposite direction it starts on what the last one left in
/// the cache. Alternating per column of the reduction saved a third of the DRAM
/// traffic at p = 2000 (the triangle is 16 MB). The direction changes the order in
/// which column contributions are added, i.e. the rounding, so it is an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Columns left to right.
    Forward,
    /// Columns right to left.
    Backward,
}

/// The operands of one product: S (lower triangle), x and the sweep direction.
#[derive(Clone, Copy)]
struct Operands<'a> {
    s: MatRef<'a, f64>,
    x: &'a [f64],
    direction: Direction,
}

/// Overwrites `y` with S x, S = `s` symmetric with only its lower triangle read.
///
/// `s` must have unit row stride (column-major storage), as every matrix the
/// tridiagonalisation builds has.
pub(crate) fn symv_lower(
    s: MatRef<'_, f64>,
    x: &[f64],
    y: &mut [f64],
    direction: Direction,
    scratch: &mut SymvScratch,
    par: Par,
) {
    let m = s.nrows();
    debug_assert!(s.ncols() == m && x.len() == m && y.len() == m);
    assert_eq!(s.row_stride(), 1, "symv_lower needs column-major storage");
    let ops = Operands { s, x, direction };
    y.fill(0.0);
    if m * m / 2 < SPLIT_THRESHOLD {
        sweep(ops, y, 0, m);
        return;
    }
    let parts = scratch.parts.as_mut().subrows_mut(0, m);
    run_pieces(ops, parts, 0, par);
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
///
/// Backward sweeps take the halves in reverse order, so that pieces running one after
/// the other on one thread start where that thread's last sweep ended — except where
/// the halves go to different threads (the top split in a pool of two, the next level
/// too in a pool of four): there the calling thread keeps the left half and a thief
/// the right one in both directions, so each thread sweeps its own half back and forth
/// and starts on what *its* cache still holds. (Swapping halves every column cost
/// 10–15 % of the products of a p = 2000 reduction on 2 cores.) Neither order changes
/// the bits: each piece sums into its own vector.
fn run_pieces(ops: Operands<'_>, parts: MatMut<'_, f64>, first: usize, par: Par) {
    let count = parts.ncols();
    if count == 1 {
        let m = ops.s.nrows();
        let (c0, c1) = (piece_start(m, first), piece_start(m, first + 1));
        let part = parts
            .col_mut(0)
            .try_as_col_major_mut()
            .expect("scratch columns are contiguous")
            .as_slice_mut();
        part[c0..].fill(0.0);
        sweep(ops, part, c0, c1);
        return;
    }
    let half = count / 2;
    let (left, right) = parts.split_at_col_mut(half);
    let left = move |p| run_pieces(ops, left, first, p);
    let right = move |p| run_pieces(ops, right, first + half, p);
    // Whether the two halves likely run on different threads: each of the
    // `FIXED_DEGREE / count` subtrees at this depth needs two threads of its own.
    let split_between_threads = rayon::current_num_threads() * count >= 2 * FIXED_DEGREE;
    match (ops.direction, split_between_threads) {
        (Direction::Forward, _) | (Direction::Backward, true) => {
            faer::utils::thread::join_raw(left, right, par)
        }
        (Direction::Backward, false) => faer::utils::thread::join_raw(right, left, par),
    }
}

/// Columns per group of the sweep. The group shares the loads and stores of x and y
/// (three vector accesses per row serve eight matrix entries instead of four) and
/// keeps that many streams of the matrix in flight. The 1999 products of one p = 2000
/// reduction (a scratch loop over the shrinking trailing blocks), one thread: pairs
/// 410 ms, fours 310 ms on an older Zen 3; on a Zen 4, five alternated rounds, fours
/// 267–341 ms against eights 239–274 ms, and on two threads 143–176 against
/// 132–169 ms (OpenBLAS's `dsymv` in the same loop: 107–117 ms).
const GROUP: usize = 8;

/// Partial sums per dot product, one AVX register: element i goes to sum i mod LANES,
/// so the lanes are independent, and the fixed order makes every path agree.
const LANES: usize = 4;

/// Adds the contribution of columns `c0..c1` of S to `y` (rows ≥ `c0`), in groups of
/// [`GROUP`] columns that are the same in both directions.
fn sweep(ops: Operands<'_>, y: &mut [f64], c0: usize, c1: usize) {
    sweep_on(ops, y, c0, c1, has_avx());
}

/// [`sweep`] with the kernel chosen by the caller (`avx` only if the CPU has it).
fn sweep_on(ops: Operands<'_>, y: &mut [f64], c0: usize, c1: usize, avx: bool) {
    let groups = (c1 - c0) / GROUP;
    let tail = c0 + groups * GROUP;
    let group = |g: usize, y: &mut [f64]| columns::<GROUP>(ops, c0 + g * GROUP, y, avx);
    let rest = |y: &mut [f64]| match c1 - tail {
        0 => {}
        1 => columns::<1>(ops, tail, y, avx),
        2 => columns::<2>(ops, tail, y, avx),
        3 => columns::<3>(ops, tail, y, avx),
        4 => columns::<4>(ops, tail, y, avx),
        5 => columns::<5>(ops, tail, y, avx),
        6 => columns::<6>(ops, tail, y, avx),
        _ => columns::<7>(ops, tail, y, avx),
    };
    match ops.direction {
        Direction::Forward => {
            (0..groups).for_each(|g| group(g, y));
            rest(y);
        }
        Direction::Backward => {
            rest(y);
            (0..groups).rev().for_each(|g| group(g, y));
        }
    }
}

/// Whether the AVX kernel may run (the check is cached by std).
fn has_avx() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Adds columns j..j+C of S to `y`: their C × C diagonal block directly, the rows
/// below it through the kernel (AVX when `avx`, else portable; same bits).
#[inline(always)]
fn columns<const C: usize>(ops: Operands<'_>, j: usize, y: &mut [f64], avx: bool) {
    let Operands { s, x, .. } = ops;
    let m = s.nrows();
    let cols: [&[f64]; C] = std::array::from_fn(|k| {
        s.col(j + k)
            .try_as_col_major()
            .expect("unit row stride checked by symv_lower")
            .as_slice()
    });
    for (k, col) in cols.iter().enumerate() {
        let jk = j + k;
        y[jk] += col[jk] * x[jk];
        for r in jk + 1..j + C {
            y[r] += col[r] * x[jk];
            y[jk] += col[r] * x[r];
        }
    }
    let below: [&[f64]; C] = std::array::from_fn(|k| &cols[k][j + C..m]);
    let xs: [f64; C] = std::array::from_fn(|k| x[j + k]);
    let (x_below, y_below) = (&x[j + C..m], &mut y[j + C..m]);
    let dots = if avx {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `avx` is true only when the CPU supports AVX (`has_avx`).
        unsafe {
            avx::axpy_dot(below, xs, x_below, y_below)
        }
        #[cfg(not(target_arch = "x86_64"))]
        unreachable!("has_avx is false off x86_64")
    } else {
        axpy_dot(below, xs, x_below, y_below)
    };
    for k in 0..C {
        y[j + k] += dots[k];
    }
}

/// y += Σ_c a_c xs_c and returns (a_cᵀx)_c; all slices have the length of `y`.
/// Per row the products are added in column order; the dot products go through
/// [`LANES`] partial sums, added as a balanced tree, then the rows after the last full
/// group of lanes in order.
fn axpy_dot<const C: usize>(a: [&[f64]; C], xs: [f64; C], x: &[f64], y: &mut [f64]) -> [f64; C] {
    let body = y.len() / LANES * LANES;
    let mut acc = [[0.0f64; LANES]; C];
    for i in 0..body {
        let mut t = a[0][i] * xs[0];
        for c in 1..C {
            t += a[c][i] * xs[c];
        }
        y[i] += t;
        for c in 0..C {
            acc[c][i % LANES] += a[c][i] * x[i];
        }
    }
    finish(acc, a, xs, x, y, body)
}

/// The balanced sum of the partial sums, then rows `body..` one by one.
#[inline(always)]
fn finish<const C: usize>(
    acc: [[f64; LANES]; C],
    a: [&[f64]; C],
    xs: [f64; C],
    x: &[f64],
    y: &mut [f64],
    body: usize,
) -> [f64; C] {
    let mut dots = acc.map(|l| (l[0] + l[1]) + (l[2] + l[3]));
    for i in body..y.len() {
        let mut t = a[0][i] * xs[0];
        for c in 1..C {
            t += a[c][i] * xs[c];
        }
        y[i] += t;
        for c in 0..C {
            dots[c] += a[c][i] * x[i];
        }
    }
    dots
}

/// The kernel in AVX registers, written with intrinsics because the compiler's own
/// vectorisation of the portable loop shuffled lanes and ran at half speed. The
/// operations and their order are those of [`axpy_dot`] (separate multiplies and
/// adds, no fused multiply-add), so the bits are the same.
#[cfg(target_arch = "x86_64")]
mod avx {
    use std::arch::x86_64::{
        _mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_set1_pd, _mm256_setzero_pd,
        _mm256_storeu_pd,
    };

    use super::{LANES, finish};

    /// See [`super::axpy_dot`].
    ///
    /// # Safety
    ///
    /// The CPU must support AVX.
    #[target_feature(enable = "avx")]
    pub(super) unsafe fn axpy_dot<const C: usize>(
        a: [&[f64]; C],
        xs: [f64; C],
        x: &[f64],
        y: &mut [f64],
    ) -> [f64; C] {
        let len = y.len();
        assert!(x.len() == len && a.iter().all(|c| c.len() == len));
        let body = len / LANES * LANES;
        // SAFETY: every load and store is at i..i + 4 with i + 4 ≤ body ≤ len, the
        // length of all slices (asserted above); AVX is enabled on this function.
        unsafe {
            let b = xs.map(|v| _mm256_set1_pd(v));
            let mut acc = [_mm256_setzero_pd(); C];
            let mut i = 0;
            while i < body {
                let xi = _mm256_loadu_pd(x.as_ptr().add(i));
                let a0 = _mm256_loadu_pd(a[0].as_ptr().add(i));
                let mut t = _mm256_mul_pd(a0, b[0]);
                acc[0] = _mm256_add_pd(acc[0], _mm256_mul_pd(a0, xi));
                for c in 1..C {
                    let ac = _mm256_loadu_pd(a[c].as_ptr().add(i));
                    t = _mm256_add_pd(t, _mm256_mul_pd(ac, b[c]));
                    acc[c] = _mm256_add_pd(acc[c], _mm256_mul_pd(ac, xi));
                }
                let yi = _mm256_loadu_pd(y.as_ptr().add(i));
                _mm256_storeu_pd(y.as_mut_ptr().add(i), _mm256_add_pd(yi, t));
                i += LANES;
            }
            let acc = acc.map(|r| {
                let mut lanes = [0.0f64; LANES];
                _mm256_storeu_pd(lanes.as_mut_ptr(), r);
                lanes
            });
            finish(acc, a, xs, x, y, body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symmetric(m: usize) -> Mat<f64> {
        let a = Mat::<f64>::from_fn(m, m, |i, j| ((i * 31 + j * 17) % 23) as f64 / 7.0 - 1.5);
        Mat::from_fn(m, m, |i, j| if i >= j { a[(i, j)] } else { a[(j, i)] })
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Against faer's general product on the full symmetric matrix, with NaN in the
    /// upper triangle to prove it is never read; sizes on both sides of the split and
    /// with every remainder modulo the group and lane widths, both directions.
    #[test]
    fn matches_the_dense_product() {
        for m in [
            1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 17, 100, 313, 314, 401,
        ] {
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
            let mut scratch = SymvScratch::new(m);
            for direction in [Direction::Forward, Direction::Backward] {
                let mut y = vec![f64::NAN; m];
                let par = crate::fixed_parallelism();
                symv_lower(lower.as_ref(), &x, &mut y, direction, &mut scratch, par);
                for i in 0..m {
                    approx::assert_abs_diff_eq!(y[i], want[(i, 0)], epsilon = 1e-13 * m as f64);
                }
            }
        }
    }

    /// The AVX kernel and the portable one give the same bits (where AVX exists).
    #[test]
    fn simd_and_portable_paths_agree_bitwise() {
        if !has_avx() {
            return;
        }
        for m in [5, 203, 256] {
            let s = symmetric(m);
            let x: Vec<f64> = (0..m).map(|i| (i as f64 * 0.3).cos()).collect();
            for direction in [Direction::Forward, Direction::Backward] {
                let ops = Operands {
                    s: s.as_ref(),
                    x: &x,
                    direction,
                };
                let (mut fast, mut portable) = (vec![0.0; m], vec![0.0; m]);
                sweep_on(ops, &mut fast, 0, m, true);
                sweep_on(ops, &mut portable, 0, m, false);
                assert_eq!(bits(&fast), bits(&portable), "m = {m}, {direction:?}");
            }
        }
    }
}
