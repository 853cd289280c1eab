//! Full symmetric eigendecomposition of covariance matrices with PSD repair.

use faer::{Mat, MatRef};

use crate::LinalgError;
use crate::validate::check_symmetric;

/// How strict to be when a covariance is only approximately PSD and symmetric.
///
/// The defaults accept what rounding and Monte-Carlo estimation produce (negative
/// eigenvalues at the level of 10⁻¹³ of the spectrum) and reject genuinely indefinite
/// input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PsdPolicy {
    /// Largest accepted |A − Aᵀ| entry, relative to the largest |A| entry.
    pub symmetry_tolerance: f64,
    /// Largest accepted Σ|negative eigenvalues| / Σ|eigenvalues|. Negative eigenvalues
    /// within this budget are clipped to zero and reported in [`Clipping`].
    pub max_negative_mass: f64,
}

impl Default for PsdPolicy {
    fn default() -> Self {
        Self {
            symmetry_tolerance: 1e-10,
            max_negative_mass: 1e-8,
        }
    }
}

/// What PSD repair did to a spectrum: the negative eigenvalues that were set to zero.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Clipping {
    /// Number of eigenvalues that were negative and are now zero.
    pub count: usize,
    /// The most negative eigenvalue before clipping (0 if none).
    pub most_negative: f64,
    /// Σ|negative eigenvalues| / Σ|eigenvalues| before clipping.
    pub negative_mass: f64,
}

impl Clipping {
    /// Clips the negative entries of `values` in place, or fails if they are too large.
    pub(crate) fn apply(values: &mut [f64], policy: &PsdPolicy) -> Result<Self, LinalgError> {
        let total: f64 = values.iter().map(|v| v.abs()).sum();
        let mut report = Clipping::default();
        let mut negative = 0.0;
        for v in values.iter().filter(|v| **v < 0.0) {
            report.count += 1;
            report.most_negative = report.most_negative.min(*v);
            negative += v.abs();
        }
        if report.count == 0 {
            return Ok(report);
        }
        report.negative_mass = negative / total;
        if report.negative_mass > policy.max_negative_mass {
            return Err(LinalgError::NotPositiveSemiDefinite {
                count: report.count,
                most_negative: report.most_negative,
                negative_mass: report.negative_mass,
                tolerance: policy.max_negative_mass,
            });
        }
        for v in values.iter_mut().filter(|v| **v < 0.0) {
            *v = 0.0;
        }
        Ok(report)
    }
}

/// Eigendecomposition A = U diag(values) Uᵀ of a PSD matrix.
#[derive(Debug, Clone)]
pub struct PsdEigen {
    /// Eigenvalues in ascending order, negatives clipped to zero.
    pub values: Vec<f64>,
    /// Orthonormal eigenvectors, one per column, in the order of `values`.
    pub vectors: Mat<f64>,
    /// What PSD repair did.
    pub clipping: Clipping,
}

/// Symmetric eigendecomposition of a covariance matrix (faer's divide and conquer).
///
/// Checks shape, finiteness and symmetry, then clips tiny negative eigenvalues
/// according to `policy`. Runs with [`crate::fixed_parallelism`], so the bits of the
/// result do not depend on the thread count; see [`psd_eigen_with`].
pub fn psd_eigen(a: MatRef<'_, f64>, policy: &PsdPolicy) -> Result<PsdEigen, LinalgError> {
    psd_eigen_with(a, policy, crate::fixed_parallelism())
}

/// [`psd_eigen`] with explicit parallelism: pass `Par::Seq` inside code that already
/// runs in parallel (e.g. across replicates), so that parallelism is never nested.
/// Any `Par::Seq` or `Par::Rayon(n)` with a fixed n gives thread-count independent
/// results; `Par::rayon(0)` and faer's global setting do not (see
/// [`crate::FIXED_DEGREE`]).
pub fn psd_eigen_with(
    a: MatRef<'_, f64>,
    policy: &PsdPolicy,
    par: faer::Par,
) -> Result<PsdEigen, LinalgError> {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::evd::{self, ComputeEigenvectors};
    check_symmetric(a, policy.symmetry_tolerance)?;
    let n = a.nrows();
    let mut vectors = Mat::<f64>::zeros(n, n);
    let mut diag = faer::diag::Diag::<f64>::zeros(n);
    let mut buffer = MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(
        n,
        ComputeEigenvectors::Yes,
        par,
        Default::default(),
    ));
    evd::self_adjoint_evd(
        a,
        diag.as_mut(),
        Some(vectors.as_mut()),
        par,
        MemStack::new(&mut buffer),
        Default::default(),
    )
    .map_err(|e| LinalgError::NoConvergence(format!("{e:?}")))?;
    let mut values: Vec<f64> = (0..n).map(|i| diag[i]).collect();
    let clipping = Clipping::apply(&mut values, policy)?;
    Ok(PsdEigen {
        values,
        vectors,
        clipping,
    })
}

/// Eigenvalues (ascending) of a PSD matrix, without eigenvectors; same checks,
/// clipping and (fixed) parallelism as [`psd_eigen`].
pub fn psd_eigenvalues(
    a: MatRef<'_, f64>,
    policy: &PsdPolicy,
) -> Result<(Vec<f64>, Clipping), LinalgError> {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::evd::{self, ComputeEigenvectors};
    check_symmetric(a, policy.symmetry_tolerance)?;
    let n = a.nrows();
    let par = crate::fixed_parallelism();
    let mut diag = faer::diag::Diag::<f64>::zeros(n);
    let mut buffer = MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(
        n,
        ComputeEigenvectors::No,
        par,
        Default::default(),
    ));
    // faer's `self_adjoint_eigenvalues` does exactly this with the global parallelism.
    evd::self_adjoint_evd(
        a,
        diag.as_mut(),
        None,
        par,
        MemStack::new(&mut buffer),
        Default::default(),
    )
    .map_err(|e| LinalgError::NoConvergence(format!("{e:?}")))?;
    let mut values: Vec<f64> = (0..n).map(|i| diag[i]).collect();
    let clipping = Clipping::apply(&mut values, policy)?;
    Ok((values, clipping))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_tiny_negative_and_reports() {
        // diag(1, 2, -1e-14) rotated is still "PSD up to noise".
        let a = Mat::from_fn(
            3,
            3,
            |i, j| {
                if i == j { [1.0, 2.0, -1e-14][i] } else { 0.0 }
            },
        );
        let e = psd_eigen(a.as_ref(), &PsdPolicy::default()).unwrap();
        assert_eq!(e.values, vec![0.0, 1.0, 2.0]);
        assert_eq!(e.clipping.count, 1);
        assert_eq!(e.clipping.most_negative, -1e-14);
    }

    #[test]
    fn eigenvalues_only_match_the_full_decomposition() {
        let a = Mat::from_fn(5, 5, |i, j| 1.0 / (1.0 + i as f64 + j as f64));
        let (values, clipping) = psd_eigenvalues(a.as_ref(), &PsdPolicy::default()).unwrap();
        let full = psd_eigen(a.as_ref(), &PsdPolicy::default()).unwrap();
        assert_eq!(clipping, full.clipping);
        for (x, y) in values.iter().zip(&full.values) {
            approx::assert_abs_diff_eq!(x, y, epsilon = 1e-15);
        }
        let bad = Mat::from_fn(2, 2, |i, j| if i == j { [1.0, -1.0][i] } else { 0.0 });
        assert!(psd_eigenvalues(bad.as_ref(), &PsdPolicy::default()).is_err());
    }

    #[test]
    fn rejects_indefinite() {
        let a = Mat::from_fn(2, 2, |i, j| if i == j { [1.0, -0.5][i] } else { 0.0 });
        let err = psd_eigen(a.as_ref(), &PsdPolicy::default()).unwrap_err();
        assert!(matches!(
            err,
            LinalgError::NotPositiveSemiDefinite { count: 1, .. }
        ));
        assert!(err.to_string().contains("not positive semi-definite"));
    }

    #[test]
    fn rejects_asymmetric_and_non_square() {
        let a = Mat::from_fn(2, 2, |i, j| (i * 2 + j) as f64);
        let err = psd_eigen(a.as_ref(), &PsdPolicy::default()).unwrap_err();
        assert!(matches!(
            err,
            LinalgError::NotSymmetric { row: 1, col: 0, .. }
        ));
        let b = Mat::<f64>::zeros(2, 3);
        assert!(matches!(
            psd_eigen(b.as_ref(), &PsdPolicy::default()),
            Err(LinalgError::NotSquare { rows: 2, cols: 3 })
        ));
    }

    #[test]
    fn reconstructs_the_matrix() {
        let a = Mat::from_fn(4, 4, |i, j| 1.0 / (1.0 + i as f64 + j as f64)); // Hilbert: PSD
        let e = psd_eigen(a.as_ref(), &PsdPolicy::default()).unwrap();
        assert!(e.values.windows(2).all(|w| w[0] <= w[1]));
        let d = Mat::from_fn(4, 4, |i, j| if i == j { e.values[i] } else { 0.0 });
        let r = &e.vectors * &d * e.vectors.transpose();
        for i in 0..4 {
            for j in 0..4 {
                approx::assert_abs_diff_eq!(r[(i, j)], a[(i, j)], epsilon = 1e-14);
            }
        }
    }
}
