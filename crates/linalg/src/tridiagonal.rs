//! Implicit QL iteration on a symmetric tridiagonal matrix that tracks only the first
//! component of every eigenvector (the Golub–Welsch idea).
//!
//! Tracking one row of the eigenvector matrix instead of all of it makes each Givens
//! rotation O(1) instead of O(p), so the whole solve is O(p²) and needs O(p) memory.

use crate::LinalgError;

/// Eigenvalues of the tridiagonal matrix with diagonal `diag` and off-diagonal
/// `offdiag` (`offdiag[i]` couples rows i and i+1; its last entry is ignored), and the
/// first component of each normalised eigenvector.
///
/// On return `diag` holds the (unsorted) eigenvalues and the returned vector the first
/// components, in the same order.
pub(crate) fn eigen_first_components(
    diag: &mut [f64],
    offdiag: &mut [f64],
) -> Result<Vec<f64>, LinalgError> {
    let n = diag.len();
    assert_eq!(offdiag.len(), n);
    let mut z = vec![0.0; n];
    if n == 0 {
        return Ok(z);
    }
    z[0] = 1.0;
    offdiag[n - 1] = 0.0;

    // Work on a copy scaled to unit max-norm so that the plain √(f² + g²) below can
    // neither overflow nor underflow (hypot would be ~10x slower in the inner loop).
    let scale = diag
        .iter()
        .chain(offdiag.iter())
        .fold(0.0f64, |m, x| m.max(x.abs()));
    if scale == 0.0 {
        return Ok(z);
    }
    let inv = 1.0 / scale;
    diag.iter_mut().for_each(|x| *x *= inv);
    offdiag.iter_mut().for_each(|x| *x *= inv);

    let (d, e) = (diag, offdiag);
    const MAX_SWEEPS_PER_EIGENVALUE: usize = 60;
    for l in 0..n {
        let mut sweeps = 0;
        loop {
            // Find the first negligible off-diagonal element at or after l: small
            // relative to its neighbours, or to the whole matrix (‖T‖_max = 1 after the
            // scaling). The absolute test perturbs T by at most ε‖T‖ — the size of the
            // tridiagonalisation's own backward error — and stops the iteration from
            // chasing rounding noise in a numerically null block to full relative
            // accuracy, which can take more than any sweep budget.
            let mut m = l;
            while m + 1 < n {
                let dd = d[m].abs() + d[m + 1].abs();
                if e[m].abs() <= f64::EPSILON * dd.max(1.0) {
                    break;
                }
                m += 1;
            }
            if m == l {
                break;
            }
            sweeps += 1;
            if sweeps > MAX_SWEEPS_PER_EIGENVALUE {
                return Err(LinalgError::NoConvergence(format!(
                    "implicit QL needed more than {MAX_SWEEPS_PER_EIGENVALUE} sweeps for eigenvalue {l} of {n}"
                )));
            }
            // Wilkinson shift from the leading 2×2 block.
            let mut g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            let mut r = (g * g + 1.0).sqrt();
            g = d[m] - d[l] + e[l] / (g + r.copysign(g));
            let (mut s, mut c, mut p) = (1.0, 1.0, 0.0);
            let mut underflow = false;
            let mut i = m;
            while i > l {
                i -= 1;
                let f = s * e[i];
                let b = c * e[i];
                r = (f * f + g * g).sqrt();
                e[i + 1] = r;
                if r == 0.0 {
                    // Recover from underflow: deflate and restart the sweep.
                    d[i + 1] -= p;
                    e[m] = 0.0;
                    underflow = true;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
                let zi1 = z[i + 1];
                z[i + 1] = s * z[i] + c * zi1;
                z[i] = c * z[i] - s * zi1;
            }
            if underflow {
                continue;
            }
            d[l] -= p;
            e[l] = g;
            e[m] = 0.0;
        }
    }
    d.iter_mut().for_each(|x| *x *= scale);
    Ok(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dense reference: eigen of the tridiagonal matrix through faer.
    fn dense(d: &[f64], e: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let n = d.len();
        let t = faer::Mat::from_fn(n, n, |i, j| {
            if i == j {
                d[i]
            } else if i == j + 1 {
                e[j]
            } else if j == i + 1 {
                e[i]
            } else {
                0.0
            }
        });
        let evd = t.self_adjoint_eigen(faer::Side::Lower).unwrap();
        let vals = (0..n).map(|i| evd.S()[i]).collect();
        let first = (0..n).map(|j| evd.U()[(0, j)].powi(2)).collect();
        (vals, first)
    }

    #[test]
    fn matches_dense_eigen_on_a_graded_matrix() {
        let n = 40;
        let d: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect();
        let e: Vec<f64> = (0..n).map(|i| 0.3 * (i as f64 * 0.7).sin()).collect();
        let (want_vals, want_first) = dense(&d, &e);
        let (mut dd, mut ee) = (d.clone(), e.clone());
        let z = eigen_first_components(&mut dd, &mut ee).unwrap();
        let mut pairs: Vec<(f64, f64)> = dd.iter().copied().zip(z.iter().map(|x| x * x)).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (k, (v, w)) in pairs.iter().enumerate() {
            approx::assert_abs_diff_eq!(*v, want_vals[k], epsilon = 1e-14);
            approx::assert_abs_diff_eq!(*w, want_first[k], epsilon = 1e-12);
        }
        approx::assert_abs_diff_eq!(pairs.iter().map(|p| p.1).sum::<f64>(), 1.0, epsilon = 1e-14);
    }

    #[test]
    fn diagonal_and_empty_inputs() {
        let mut d = vec![3.0, 1.0, 2.0];
        let mut e = vec![0.0; 3];
        let z = eigen_first_components(&mut d, &mut e).unwrap();
        assert_eq!(d, vec![3.0, 1.0, 2.0]);
        assert_eq!(z, vec![1.0, 0.0, 0.0]);
        let z = eigen_first_components(&mut [], &mut []).unwrap();
        assert!(z.is_empty());
    }
}
