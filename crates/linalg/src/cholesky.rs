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
