//! Matrix square roots of PSD matrices, through the eigendecomposition.

use faer::{Mat, MatRef};

use crate::LinalgError;
use crate::eigen::{PsdPolicy, psd_eigen};

/// U diag(f(ωᵢ)) Uᵀ for the eigendecomposition of a PSD matrix.
fn spectral_function(eig: &crate::PsdEigen, f: impl Fn(f64) -> f64) -> Mat<f64> {
    let p = eig.values.len();
    let scaled = Mat::from_fn(p, p, |i, j| eig.vectors[(i, j)] * f(eig.values[j]));
    let r = crate::product(scaled.as_ref(), eig.vectors.transpose());
    // Symmetrise: the product is symmetric only up to rounding.
    Mat::from_fn(p, p, |i, j| 0.5 * (r[(i, j)] + r[(j, i)]))
}

/// The PSD square root A^{1/2} (symmetric, PSD, A^{1/2}A^{1/2} = A).
///
/// Used to sample Gaussian vectors with covariance A and rainbow weights W = Z C^{1/2}.
pub fn psd_sqrt(a: MatRef<'_, f64>, policy: &PsdPolicy) -> Result<Mat<f64>, LinalgError> {
    let eig = psd_eigen(a, policy)?;
    Ok(spectral_function(&eig, f64::sqrt))
}

/// The inverse square root A^{-1/2} of a positive definite matrix.
///
/// Fails with [`LinalgError::Singular`] when the smallest eigenvalue is below
/// `relative_floor` times the largest (the result would be dominated by noise).
pub fn psd_inverse_sqrt(
    a: MatRef<'_, f64>,
    policy: &PsdPolicy,
    relative_floor: f64,
) -> Result<Mat<f64>, LinalgError> {
    let eig = psd_eigen(a, policy)?;
    let largest = eig.values.last().copied().unwrap_or(0.0);
    let smallest = eig.values.first().copied().unwrap_or(0.0);
    if eig.values.is_empty() {
        return Ok(Mat::zeros(0, 0));
    }
    if smallest <= relative_floor * largest || smallest <= 0.0 {
        return Err(LinalgError::Singular { smallest, largest });
    }
    Ok(spectral_function(&eig, |w| 1.0 / w.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spd(p: usize) -> Mat<f64> {
        // Kac–Murdock–Szegő matrix: ρ^{|i−j|}, SPD for |ρ| < 1.
        Mat::from_fn(p, p, |i, j| 0.6f64.powi((i as i32 - j as i32).abs()))
    }

    #[test]
    fn square_root_squares_back() {
        let a = spd(12);
        let r = psd_sqrt(a.as_ref(), &PsdPolicy::default()).unwrap();
        let back = &r * &r;
        for i in 0..12 {
            for j in 0..12 {
                approx::assert_abs_diff_eq!(back[(i, j)], a[(i, j)], epsilon = 1e-13);
                assert_eq!(r[(i, j)], r[(j, i)]);
            }
        }
    }

    #[test]
    fn inverse_square_root_whitens() {
        let a = spd(9);
        let r = psd_inverse_sqrt(a.as_ref(), &PsdPolicy::default(), 1e-12).unwrap();
        let white = &r * &a * &r;
        for i in 0..9 {
            for j in 0..9 {
                approx::assert_abs_diff_eq!(
                    white[(i, j)],
                    if i == j { 1.0 } else { 0.0 },
                    epsilon = 1e-12
                );
            }
        }
    }

    #[test]
    fn inverse_square_root_rejects_singular() {
        let a = Mat::from_fn(3, 3, |i, j| if i == j && i > 0 { 1.0 } else { 0.0 });
        let err = psd_inverse_sqrt(a.as_ref(), &PsdPolicy::default(), 1e-12).unwrap_err();
        assert!(matches!(err, LinalgError::Singular { .. }));
    }
}
