//! Ridge regression solves by Cholesky, primal or dual by shape.

use faer::{Mat, MatRef};

use crate::LinalgError;
use crate::cholesky::LowerCholesky;
use crate::ridge_path::gram_lower;
use crate::validate::check_finite;

/// Which normal equations [`ridge_solve`] factorised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RidgeSystem {
    /// (X Xᵀ + λ I_p) w = X y — the p × p system, chosen when p ≤ n.
    Primal,
    /// w = X (Xᵀ X + λ I_n)⁻¹ y — the n × n system, chosen when n < p.
    Dual,
}

/// Ridge regression weights w minimising ‖y − Xᵀw‖² + λ‖w‖² for every column of
/// `targets`.
///
/// * `features`: X, p × n, **samples as columns**.
/// * `targets`: n × t (one regression per column).
/// * `penalty`: λ > 0 in the units of this objective, i.e. the *code* convention
///   λ_c of the paper's authors (predictor wᵀφ). For the paper's convention (predictor
///   θᵀφ/√p, penalty λ‖θ‖²) pass λ_c = pλ and rescale θ = √p w.
///
/// Returns the p × t weights and the system that was solved. Both systems give the
/// same w (push-through identity); the smaller one is factorised. Runs with
/// [`crate::fixed_parallelism`] (same bits for any thread count).
pub fn ridge_solve(
    features: MatRef<'_, f64>,
    targets: MatRef<'_, f64>,
    penalty: f64,
) -> Result<(Mat<f64>, RidgeSystem), LinalgError> {
    let (p, n) = (features.nrows(), features.ncols());
    if targets.nrows() != n {
        return Err(LinalgError::ShapeMismatch(format!(
            "features are {p}×{n} (samples as columns) but targets have {} rows",
            targets.nrows()
        )));
    }
    if !(penalty.is_finite() && penalty > 0.0) {
        return Err(LinalgError::InvalidPenalty(penalty));
    }
    check_finite(features)?;
    check_finite(targets)?;
    let par = crate::fixed_parallelism();
    if p <= n {
        let mut gram = Mat::<f64>::zeros(p, p);
        gram_lower(gram.as_mut(), features, faer::Accum::Replace, par);
        add_to_diagonal(&mut gram, penalty);
        let rhs = crate::product(features, targets);
        let llt = LowerCholesky::new(gram.as_ref(), par).map_err(|e| {
            LinalgError::NoConvergence(format!("Cholesky of the primal system: {e}"))
        })?;
        Ok((llt.solve(rhs.as_ref()), RidgeSystem::Primal))
    } else {
        let mut kernel = Mat::<f64>::zeros(n, n);
        gram_lower(
            kernel.as_mut(),
            features.transpose(),
            faer::Accum::Replace,
            par,
        );
        add_to_diagonal(&mut kernel, penalty);
        let llt = LowerCholesky::new(kernel.as_ref(), par)
            .map_err(|e| LinalgError::NoConvergence(format!("Cholesky of the dual system: {e}")))?;
        let alpha = llt.solve(targets);
        Ok((crate::product(features, alpha.as_ref()), RidgeSystem::Dual))
    }
}

fn add_to_diagonal(m: &mut Mat<f64>, value: f64) {
    for i in 0..m.nrows() {
        m[(i, i)] += value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(p: usize, n: usize) -> (Mat<f64>, Mat<f64>) {
        let x = Mat::from_fn(p, n, |i, j| ((i * 7 + j * 13) % 17) as f64 / 17.0 - 0.4);
        let y = Mat::from_fn(n, 2, |j, c| ((j * 5 + c * 3) % 7) as f64 - 3.0);
        (x, y)
    }

    /// The first-order optimality condition (X Xᵀ + λ) w = X y, checked directly.
    fn residual(x: &Mat<f64>, y: &Mat<f64>, w: &Mat<f64>, lambda: f64) -> f64 {
        let lhs = x * (x.transpose() * w) + w * faer::Scale(lambda);
        let rhs = x * y;
        (0..lhs.nrows())
            .flat_map(|i| (0..lhs.ncols()).map(move |j| (i, j)))
            .map(|(i, j)| (lhs[(i, j)] - rhs[(i, j)]).abs())
            .fold(0.0, f64::max)
    }

    #[test]
    fn primal_and_dual_satisfy_the_normal_equations() {
        for &(p, n) in &[(5, 20), (20, 5), (8, 8)] {
            let (x, y) = data(p, n);
            let (w, system) = ridge_solve(x.as_ref(), y.as_ref(), 0.3).unwrap();
            assert_eq!(
                system,
                if p <= n {
                    RidgeSystem::Primal
                } else {
                    RidgeSystem::Dual
                }
            );
            assert!(residual(&x, &y, &w, 0.3) < 1e-11, "p={p} n={n}");
        }
    }

    #[test]
    fn rejects_bad_penalty_and_shapes() {
        let (x, y) = data(3, 4);
        assert!(matches!(
            ridge_solve(x.as_ref(), y.as_ref(), 0.0),
            Err(LinalgError::InvalidPenalty(_))
        ));
        assert!(matches!(
            ridge_solve(x.as_ref(), y.as_ref(), f64::NAN),
            Err(LinalgError::InvalidPenalty(_))
        ));
        let (_, y5) = data(3, 5);
        assert!(matches!(
            ridge_solve(x.as_ref(), y5.as_ref(), 1.0),
            Err(LinalgError::ShapeMismatch(_))
        ));
    }
}
