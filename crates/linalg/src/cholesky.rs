//! Cholesky factorisation and solves with an explicit parallelism.
//!
//! faer's `Mat::llt` and `Llt::solve` take their parallelism from faer's global setting,
//! i.e. from the thread count (see [`crate::FIXED_DEGREE`]); these wrappers call the same
//! low-level routines with the `Par` the caller chooses.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::{factor, solve};
use faer::{Conj, Mat, MatMut, MatRef, Par};

/// The lower Cholesky factor L of A = L Lᵀ, and the parallelism to solve with.
pub(crate) struct LowerCholesky {
    l: Mat<f64>,
    par: Par,
}

impl LowerCholesky {
    /// Factorises the symmetric matrix whose lower triangle is `a`; fails (with faer's
    /// message) when A is not numerically positive definite.
    pub(crate) fn new(a: MatRef<'_, f64>, par: Par) -> Result<Self, String> {
        let n = a.nrows();
        let mut l = Mat::<f64>::zeros(n, n);
        l.copy_from_triangular_lower(a);
        let mut buffer = MemBuffer::new(factor::cholesky_in_place_scratch::<f64>(
            n,
            par,
            Default::default(),
        ));
        factor::cholesky_in_place(
            l.as_mut(),
            Default::default(),
            par,
            MemStack::new(&mut buffer),
            Default::default(),
        )
        .map_err(|e| format!("{e:?}"))?;
        // As faer's `Llt` does: the strict upper triangle is scratch, clear it.
        for j in 1..n {
            for i in 0..j {
                l[(i, j)] = 0.0;
            }
        }
        Ok(Self { l, par })
    }

    /// Overwrites `rhs` with A⁻¹ rhs (two triangular solves).
    pub(crate) fn solve_in_place(&self, rhs: MatMut<'_, f64>) {
        let n = self.l.nrows();
        let mut buffer = MemBuffer::new(solve::solve_in_place_scratch::<f64>(
            n,
            rhs.ncols(),
            self.par,
        ));
        solve::solve_in_place_with_conj(
            self.l.as_ref(),
            Conj::No,
            rhs,
            self.par,
            MemStack::new(&mut buffer),
        );
    }

    /// A⁻¹ rhs as a new matrix.
    pub(crate) fn solve(&self, rhs: MatRef<'_, f64>) -> Mat<f64> {
        let mut out = rhs.to_owned();
        self.solve_in_place(out.as_mut());
        out
    }
}

/// A⁻¹ B for a symmetric positive-definite A (its lower triangle is read), by
/// Cholesky with [`crate::fixed_parallelism`] (same bits for any thread count); an
/// A that is not numerically positive definite is an error, not a guess.
pub fn spd_solve(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Result<Mat<f64>, crate::LinalgError> {
    if a.nrows() != a.ncols() || b.nrows() != a.nrows() {
        return Err(crate::LinalgError::ShapeMismatch(format!(
            "spd_solve: A is {}×{}, B is {}×{}",
            a.nrows(),
            a.ncols(),
            b.nrows(),
            b.ncols()
        )));
    }
    let llt = LowerCholesky::new(a, crate::fixed_parallelism())
        .map_err(|e| crate::LinalgError::NoConvergence(format!("Cholesky: {e}")))?;
    Ok(llt.solve(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spd_solve_inverts_and_refuses_indefinite_or_misshapen_systems() {
        let a = Mat::from_fn(3, 3, |i, j| if i == j { 4.0 } else { 1.0 });
        let b = Mat::from_fn(3, 1, |i, _| i as f64 + 1.0);
        let x = spd_solve(a.as_ref(), b.as_ref()).unwrap();
        let back = crate::product(a.as_ref(), x.as_ref());
        for i in 0..3 {
            assert!((back[(i, 0)] - b[(i, 0)]).abs() < 1e-14);
        }
        let indefinite = Mat::from_fn(2, 2, |i, j| if i == j { 1.0 } else { 2.0 });
        assert!(spd_solve(indefinite.as_ref(), Mat::<f64>::zeros(2, 1).as_ref()).is_err());
        assert!(spd_solve(a.as_ref(), Mat::<f64>::zeros(2, 1).as_ref()).is_err());
    }
}
