//! Eigenvalues of a covariance together with the squared projections of one vector
//! onto its eigenvectors — without forming the eigenvectors.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::tridiag;
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::reborrow::Reborrow;
use faer::{Accum, Mat, MatMut, MatRef};

use crate::LinalgError;
use crate::eigen::{Clipping, PsdPolicy};
use crate::reduction::tridiagonalise_blocked;
use crate::symv::{Direction, SymvScratch, symv_lower};
use crate::tridiagonal::eigen_first_components;
use crate::validate::{check_finite_slice, check_symmetric};

/// The spectral data of a pair (Ω, ψ): eigenvalues ωᵢ of Ω and the squared
/// projections (uᵢᵀψ)² of ψ onto the matching unit eigenvectors.
///
/// Every spectral function of the pair, ψᵀ f(Ω) ψ = Σᵢ f(ωᵢ)(uᵢᵀψ)², can be evaluated
/// from these two vectors in O(p).
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectedSpectrum {
    /// Eigenvalues in ascending order, negative estimation noise clipped to zero.
    pub values: Vec<f64>,
    /// `weights[i]` = (uᵢᵀψ)², in the order of `values`; they sum to ‖ψ‖².
    pub weights: Vec<f64>,
    /// What PSD repair did to the eigenvalues.
    pub clipping: Clipping,
}

/// Which Householder tridiagonalisation [`projected_spectrum_with`] uses. Both give
/// the same spectrum and weights up to rounding (tested to 1e-12 relative to ‖Ω‖).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tridiagonalisation {
    /// LAPACK's blocked scheme (`dsytrd`): panels of reflectors applied to the trailing
    /// matrix as one matrix product; about twice as fast as [`Self::Faer`] once the
    /// matrix outgrows the cache (p ≳ 1000). What [`projected_spectrum`] uses.
    #[default]
    Blocked,
    /// faer's unblocked `tridiag_in_place`, the previous path: kept as an independent
    /// reference for tests and benchmarks.
    Faer,
}

/// Computes the [`ProjectedSpectrum`] of a symmetric PSD matrix `a` (p × p) and a
/// vector `v` (length p).
///
/// Algorithm: a Householder reflection H maps v to ‖v‖e₁; B = HAH is reduced to
/// tridiagonal form T = QᵀBQ (blocked Householder, [`Tridiagonalisation::Blocked`]),
/// with Q e₁ = e₁; if T = VΛVᵀ then the eigenvectors of A are U = HQV and
/// Uᵀv = ‖v‖ Vᵀe₁, the first row of V — which the implicit QL iteration produces in
/// O(p²) without V itself. Cost: one rank-2 update, one tridiagonalisation (4p³/3
/// flops), no back-transformation.
pub fn projected_spectrum(
    a: MatRef<'_, f64>,
    v: &[f64],
    policy: &PsdPolicy,
) -> Result<ProjectedSpectrum, LinalgError> {
    projected_spectrum_with(a, v, policy, Tridiagonalisation::Blocked)
}

/// [`projected_spectrum`] with a chosen tridiagonalisation (for comparisons: both
/// methods solve the same problem, so agreement is a test of either).
pub fn projected_spectrum_with(
    a: MatRef<'_, f64>,
    v: &[f64],
    policy: &PsdPolicy,
    method: Tridiagonalisation,
) -> Result<ProjectedSpectrum, LinalgError> {
    check_symmetric(a, policy.symmetry_tolerance)?;
    let p = a.nrows();
    if v.len() != p {
        return Err(LinalgError::ShapeMismatch(format!(
            "vector has length {} but the matrix is {p}×{p}",
            v.len()
        )));
    }
    check_finite_slice(v)?;
    // Exactly zero rows (dead ReLU units, constant pixels) are exact eigenvectors eᵢ with
    // eigenvalue 0 and weight vᵢ². Splitting them off is exact, shrinks the cubic work,
    // and keeps the QL iteration away from a large block that is pure rounding noise
    // after the reflection and tridiagonalisation.
    let live: Vec<usize> = (0..p)
        .filter(|&i| (0..p).any(|j| a[(i, j)] != 0.0))
        .collect();
    if live.len() < p {
        let sub = Mat::from_fn(live.len(), live.len(), |i, j| a[(live[i], live[j])]);
        let sub_v: Vec<f64> = live.iter().map(|&i| v[i]).collect();
        let inner = projected_spectrum_with(sub.as_ref(), &sub_v, policy, method)?;
        let mut pairs: Vec<(f64, f64)> = (0..p)
            .filter(|i| live.binary_search(i).is_err())
            .map(|i| (0.0, v[i] * v[i]))
            .chain(inner.values.into_iter().zip(inner.weights))
            .collect();
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
        return Ok(ProjectedSpectrum {
            values: pairs.iter().map(|x| x.0).collect(),
            weights: pairs.iter().map(|x| x.1).collect(),
            clipping: inner.clipping,
        });
    }
    // Work on A/s and v/√s with s the largest |entry| (and undo it at the end), so
    // that no intermediate overflows or underflows whatever the units of the features.
    let s = (0..p)
        .map(|j| a.col(j).iter().fold(0.0f64, |m, x| m.max(x.abs())))
        .fold(0.0f64, f64::max);
    let s = if s > 0.0 { s } else { 1.0 };
    // Only the lower triangle is kept: the reflection and both tridiagonalisations read
    // nothing else.
    let mut work = Mat::<f64>::zeros(p, p);
    for j in 0..p {
        let source = a.col(j).subrows(j, p - j);
        let target = work.col_mut(j).subrows_mut(j, p - j);
        target
            .iter_mut()
            .zip(source.iter())
            .for_each(|(w, x)| *w = x / s);
    }
    let root = s.sqrt();
    let v_scaled: Vec<f64> = v.iter().map(|x| x / root).collect();
    let norm2: f64 = v_scaled.iter().map(|x| x * x).sum();
    // On a pool worker, so that the thousands of small parallel steps of the reduction
    // do not each hand over from a thread outside the pool, and each thread keeps its
    // own half of the triangle in its cache from one product to the next (`symv`).
    let (mut diag, mut offdiag) = crate::on_pool(move || {
        if norm2 > 0.0 && p > 1 {
            reflect_onto_first_axis(&v_scaled, norm2, work.as_mut());
        }
        match method {
            Tridiagonalisation::Blocked => tridiagonalise_blocked(work),
            Tridiagonalisation::Faer => tridiagonalise(work),
        }
    });
    let first = eigen_first_components(&mut diag, &mut offdiag)?;

    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&i, &j| diag[i].total_cmp(&diag[j]));
    let mut values: Vec<f64> = order.iter().map(|&i| diag[i] * s).collect();
    let weights = if norm2 > 0.0 {
        order
            .iter()
            .map(|&i| norm2 * first[i] * first[i] * s)
            .collect()
    } else {
        vec![0.0; p]
    };
    let clipping = Clipping::apply(&mut values, policy)?;
    Ok(ProjectedSpectrum {
        values,
        weights,
        clipping,
    })
}

/// Overwrites the lower triangle of `work` (A, lower triangle) with that of H A H,
/// where H = I − β h hᵀ maps v to a multiple of e₁.
fn reflect_onto_first_axis(v: &[f64], norm2: f64, mut work: MatMut<'_, f64>) {
    let p = v.len();
    let par = crate::fixed_parallelism();
    let norm = norm2.sqrt();
    // h = v + sign(v₀)‖v‖e₁ avoids cancellation in h₀.
    let mut h = v.to_vec();
    h[0] += if v[0] >= 0.0 { norm } else { -norm };
    let hh: f64 = h.iter().map(|x| x * x).sum();
    let beta = 2.0 / hh;
    // H A H = A − h wᵀ − w hᵀ with q = βAh and w = q − (β hᵀq / 2) h.
    let mut q = vec![0.0; p];
    let mut scratch = SymvScratch::new(p);
    symv_lower(work.rb(), &h, &mut q, Direction::Forward, &mut scratch, par);
    q.iter_mut().for_each(|x| *x *= beta);
    let hq: f64 = h.iter().zip(&q).map(|(x, y)| x * y).sum();
    let k = 0.5 * beta * hq;
    let left = Mat::<f64>::from_fn(p, 2, |i, j| if j == 0 { h[i] } else { q[i] - k * h[i] });
    let right = Mat::<f64>::from_fn(p, 2, |i, j| left[(i, 1 - j)]);
    triangular::matmul(
        work.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Add,
        left.as_ref(),
        BlockStructure::Rectangular,
        right.transpose(),
        BlockStructure::Rectangular,
        -1.0,
        par,
    );
}

/// Unblocked Householder tridiagonalisation through faer; returns (diagonal,
/// off-diagonal).
pub(crate) fn tridiagonalise(mut work: Mat<f64>) -> (Vec<f64>, Vec<f64>) {
    let p = work.nrows();
    if p <= 1 {
        let d = (0..p).map(|i| work[(i, i)]).collect();
        return (d, vec![0.0; p]);
    }
    let par = crate::fixed_parallelism();
    let block = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<f64>(p, p);
    let mut householder = Mat::<f64>::zeros(block, p - 1);
    let mut buffer = MemBuffer::new(tridiag::tridiag_in_place_scratch::<f64>(
        p,
        par,
        Default::default(),
    ));
    tridiag::tridiag_in_place(
        work.as_mut(),
        householder.as_mut(),
        par,
        MemStack::new(&mut buffer),
        Default::default(),
    );
    let diag = (0..p).map(|i| work[(i, i)]).collect();
    let offdiag = (0..p)
        .map(|i| if i + 1 < p { work[(i + 1, i)] } else { 0.0 })
        .collect();
    (diag, offdiag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::psd_eigen;

    /// A deterministic, well-spread PSD test matrix: A = B Bᵀ / m with a
    /// pseudo-random B.
    fn test_matrix(p: usize, m: usize, seed: u64) -> Mat<f64> {
        let mut state = seed;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        let b = Mat::<f64>::from_fn(p, m, |_, _| next());
        let a = &b * b.transpose();
        // Exact symmetry.
        Mat::from_fn(
            p,
            p,
            |i, j| if i >= j { a[(i, j)] } else { a[(j, i)] } / m as f64,
        )
    }

    fn check_against_full(p: usize, m: usize) {
        let a = test_matrix(p, m, 7 + p as u64);
        let v: Vec<f64> = (0..p).map(|i| ((i * 37 % 11) as f64 - 5.0) / 3.0).collect();
        let fast = projected_spectrum(a.as_ref(), &v, &PsdPolicy::default()).unwrap();
        let full = psd_eigen(a.as_ref(), &PsdPolicy::default()).unwrap();
        let scale = full.values[p - 1];
        for i in 0..p {
            approx::assert_abs_diff_eq!(fast.values[i], full.values[i], epsilon = 1e-13 * scale);
        }
        // Invariant comparison: vᵀ(A + t)^{-k} v for several shifts t and powers k.
        for &t in &[1e-3, 0.1, 1.0, 10.0] {
            for k in 1..=2 {
                let f = |w: f64| (w + t).powi(-k);
                let fast_q: f64 = fast
                    .values
                    .iter()
                    .zip(&fast.weights)
                    .map(|(w, a)| f(*w) * a)
                    .sum();
                let full_q: f64 = (0..p)
                    .map(|j| {
                        let proj: f64 = (0..p).map(|i| full.vectors[(i, j)] * v[i]).sum();
                        f(full.values[j]) * proj * proj
                    })
                    .sum();
                approx::assert_relative_eq!(fast_q, full_q, max_relative = 1e-11);
            }
        }
        let norm2: f64 = v.iter().map(|x| x * x).sum();
        approx::assert_relative_eq!(
            fast.weights.iter().sum::<f64>(),
            norm2,
            max_relative = 1e-13
        );
    }

    #[test]
    fn agrees_with_full_eigendecomposition() {
        check_against_full(1, 3);
        check_against_full(2, 5);
        check_against_full(30, 60);
        check_against_full(120, 300);
    }

    /// Invariants of (A, v) from a full eigendecomposition: vᵀ(A + t)⁻¹v for a few t.
    fn resolvent_forms(values: &[f64], weights: &[f64]) -> Vec<f64> {
        [1e-3, 0.1, 1.0, 10.0]
            .iter()
            .map(|t| values.iter().zip(weights).map(|(w, a)| a / (w + t)).sum())
            .collect()
    }

    /// Features of a ReLU layer with most units dead: a rank-40 covariance on 160 live
    /// units spread among 1000, the other rows and columns exactly zero (the trained
    /// 1000-1000 MNIST network's Ω had 795 of them and broke the QL sweep budget).
    #[test]
    fn exactly_zero_rows_are_split_off() {
        let p = 1000;
        let live: Vec<usize> = (0..p).filter(|i| i * 7 % 25 == 3 || i % 31 == 0).collect();
        let small = test_matrix(live.len(), 40, 5);
        let mut a = Mat::<f64>::zeros(p, p);
        for (i, &li) in live.iter().enumerate() {
            for (j, &lj) in live.iter().enumerate() {
                a[(li, lj)] = small[(i, j)];
            }
        }
        let v: Vec<f64> = (0..p).map(|i| ((i * 13 % 7) as f64 - 3.0) / 5.0).collect();
        let fast = projected_spectrum(a.as_ref(), &v, &PsdPolicy::default()).unwrap();
        // Reference: the full eigendecomposition of the live block (faer's own solver
        // does not converge on the padded matrix), plus eigenvalue 0 with weight vᵢ² for
        // every dead unit.
        let block = psd_eigen(small.as_ref(), &PsdPolicy::default()).unwrap();
        let mut want: Vec<(f64, f64)> = (0..live.len())
            .map(|j| {
                let proj: f64 = (0..live.len())
                    .map(|i| block.vectors[(i, j)] * v[live[i]])
                    .sum();
                (block.values[j], proj * proj)
            })
            .chain(
                (0..p)
                    .filter(|i| !live.contains(i))
                    .map(|i| (0.0, v[i] * v[i])),
            )
            .collect();
        want.sort_by(|x, y| x.0.total_cmp(&y.0));
        let (values, weights): (Vec<f64>, Vec<f64>) = want.into_iter().unzip();
        let scale = values[p - 1];
        for (x, y) in fast.values.iter().zip(&values) {
            approx::assert_abs_diff_eq!(*x, *y, epsilon = 1e-13 * scale);
        }
        for (x, y) in resolvent_forms(&fast.values, &fast.weights)
            .iter()
            .zip(resolvent_forms(&values, &weights))
        {
            approx::assert_relative_eq!(*x, y, max_relative = 1e-10);
        }
    }

    /// A numerically null block without zero rows: rank 30 in dimension 600, so after
    /// the reflection and tridiagonalisation 570 eigenvalues are rounding noise.
    #[test]
    fn large_numerical_null_space_converges() {
        let p = 600;
        let a = test_matrix(p, 30, 11);
        let v: Vec<f64> = (0..p).map(|i| ((i * 5 % 9) as f64 - 4.0) / 7.0).collect();
        let fast = projected_spectrum(a.as_ref(), &v, &PsdPolicy::default()).unwrap();
        let full = psd_eigen(a.as_ref(), &PsdPolicy::default()).unwrap();
        let scale = full.values[p - 1];
        for i in 0..p {
            approx::assert_abs_diff_eq!(fast.values[i], full.values[i], epsilon = 1e-13 * scale);
        }
    }

    #[test]
    fn rank_deficient_matrix_keeps_weights_in_the_range() {
        // A = B Bᵀ with B of rank 10 in dimension 50; v in the range of A.
        let p = 50;
        let mut state = 1u64;
        let c = Mat::<f64>::from_fn(p, 10, |_, _| {
            state = state
                .wrapping_mul(2862933555777941757)
                .wrapping_add(3037000493);
            (state >> 40) as f64 / (1u64 << 24) as f64 - 0.5
        });
        let a0 = &c * c.transpose();
        let a = Mat::from_fn(p, p, |i, j| if i >= j { a0[(i, j)] } else { a0[(j, i)] });
        let v: Vec<f64> = (0..p)
            .map(|i| (0..10).map(|k| c[(i, k)] * (k as f64 - 4.5)).sum())
            .collect();
        let s = projected_spectrum(a.as_ref(), &v, &PsdPolicy::default()).unwrap();
        let top = s.values[p - 1];
        let null_weight: f64 = s
            .values
            .iter()
            .zip(&s.weights)
            .filter(|(w, _)| **w <= 1e-12 * top)
            .map(|(_, a)| a)
            .sum();
        let total: f64 = s.weights.iter().sum();
        assert!(
            null_weight <= 1e-20 * total.max(1.0) * 1e6,
            "null weight {null_weight}"
        );
        assert_eq!(s.values.iter().filter(|w| **w > 1e-10 * top).count(), 10);
    }

    #[test]
    fn zero_vector_and_shape_errors() {
        let a = test_matrix(5, 9, 1);
        let s = projected_spectrum(a.as_ref(), &[0.0; 5], &PsdPolicy::default()).unwrap();
        assert!(s.weights.iter().all(|w| *w == 0.0));
        let err = projected_spectrum(a.as_ref(), &[1.0; 4], &PsdPolicy::default()).unwrap_err();
        assert!(matches!(err, LinalgError::ShapeMismatch(_)));
        let err = projected_spectrum(
            a.as_ref(),
            &[1.0, f64::NAN, 0.0, 0.0, 0.0],
            &PsdPolicy::default(),
        )
        .unwrap_err();
        assert!(matches!(err, LinalgError::NonFinite { row: 1, .. }));
    }
}
