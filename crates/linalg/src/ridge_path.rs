//! Ridge solutions for many penalties from few factorisations.
//!
//! (A + λ I) w = b for L penalties with the same symmetric PSD A (X Xᵀ or XᵀX). With one
//! Cholesky factor of M = A + λ₀ I and K = M⁻¹,
//!
//!   A + λ I = M (I + σ K),  σ = λ − λ₀,  so  w(λ) = (I + σ K)⁻¹ K b,
//!
//! and every penalty is a *shift* of the same operator K. Shifted systems share one
//! Krylov space, so a single Lanczos run on K from c = K b (one pair of triangular solves
//! per step, full reorthogonalisation) solves all of them: w(λ) = ‖c‖ V (I + σT)⁻¹ e₁
//! with the Lanczos basis V and tridiagonal T. K's spectrum 1/(a + λ₀) makes this
//! converge in a handful of steps when the penalties are small next to the bulk of A's
//! spectrum — the usual case. Every solution is then checked by its true residual
//! against the backward error of a direct solve; penalties that fail (far from λ₀,
//! near-singular A) get an anchor of their own, so the worst case is one Cholesky per
//! penalty, i.e. a direct solve each.

use faer::{Accum, Mat, MatRef, Par};

use crate::LinalgError;
use crate::cholesky::LowerCholesky;
use crate::ridge::RidgeSystem;
use crate::validate::{check_finite, check_finite_slice, check_square_finite};

/// Lanczos steps per anchor (each costs two triangular solves with the factor).
const LANCZOS_STEPS: usize = 60;

/// w(λ) = (A + λ I)⁻¹ b for every λ in `penalties` (each > 0), with A symmetric PSD
/// (only its lower triangle is read). Returns s × L, one column per penalty.
pub fn ridge_path_normal(
    a: MatRef<'_, f64>,
    b: &[f64],
    penalties: &[f64],
    par: Par,
) -> Result<Mat<f64>, LinalgError> {
    check_square_finite(a)?;
    let s = a.nrows();
    if b.len() != s {
        return Err(LinalgError::ShapeMismatch(format!(
            "the system is {s}×{s} but the right-hand side has length {}",
            b.len()
        )));
    }
    check_finite_slice(b)?;
    if let Some(&bad) = penalties.iter().find(|l| !(l.is_finite() && **l > 0.0)) {
        return Err(LinalgError::InvalidPenalty(bad));
    }
    let mut out = Mat::<f64>::zeros(s, penalties.len());
    if s == 0 || penalties.is_empty() {
        return Ok(out);
    }
    // Only the lower triangle is ever read: the factorisation uses it, and products
    // with A are formed from it and its transpose.
    let a_norm = {
        let mut sum = 0.0;
        for j in 0..s {
            sum += a[(j, j)] * a[(j, j)];
            for i in j + 1..s {
                sum += 2.0 * a[(i, j)] * a[(i, j)];
            }
        }
        sum.sqrt()
    };
    let b_norm = b.iter().map(|v| v * v).sum::<f64>().sqrt();
    let mut unsolved: Vec<usize> = (0..penalties.len()).collect();
    unsolved.sort_by(|&i, &j| penalties[i].total_cmp(&penalties[j]));
    while !unsolved.is_empty() {
        // Anchor at the penalty nearest the arithmetic middle of what is left: the
        // shifted operators' spread (a + λ)/(a + λ₀) over the small eigenvalues a is
        // then balanced between the smallest and the largest penalty.
        let middle = 0.5 * (penalties[unsolved[0]] + penalties[unsolved[unsolved.len() - 1]]);
        let anchor = unsolved
            .iter()
            .map(|&k| penalties[k])
            .min_by(|x, y| (x - middle).abs().total_cmp(&(y - middle).abs()))
            .expect("unsolved is not empty");
        let mut shifted = Mat::<f64>::zeros(s, s);
        shifted.copy_from_triangular_lower(a);
        for i in 0..s {
            shifted[(i, i)] += anchor;
        }
        // With the caller's `par` (faer's `llt` would use its global setting).
        let factor = LowerCholesky::new(shifted.as_ref(), par).map_err(|e| {
            LinalgError::NoConvergence(format!(
                "Cholesky of the ridge system at penalty {anchor:e} failed ({e}); the normal-equation matrix is not PSD"
            ))
        })?;
        let apply_k = |v: &mut Mat<f64>| factor.solve_in_place(v.as_mut());
        let shifts: Vec<f64> = unsolved.iter().map(|&k| penalties[k] - anchor).collect();
        let candidates = shifted_solutions(&apply_k, b, &shifts, a_norm + anchor, b_norm);
        // Accept what a direct solve would: ‖b − (A + λ)w‖ ≤ 16ε((‖A‖_F + λ)‖w‖ + ‖b‖).
        let mut residual = Mat::<f64>::zeros(s, unsolved.len());
        symmetric_product(residual.as_mut(), a, candidates.as_ref(), -1.0, par);
        let mut left = Vec::new();
        for (k, &index) in unsolved.iter().enumerate() {
            let lambda = penalties[index];
            let w = candidates.col(k);
            let w_norm = dot(w, w).sqrt();
            let r_norm = (0..s)
                .map(|i| (residual[(i, k)] + b[i] - lambda * w[i]).powi(2))
                .sum::<f64>()
                .sqrt();
            let tolerance = 16.0 * f64::EPSILON * ((a_norm + lambda) * w_norm + b_norm);
            if r_norm <= tolerance || lambda == anchor {
                out.col_mut(index).copy_from(w);
            } else {
                left.push(index);
            }
        }
        unsolved = left;
    }
    Ok(out)
}

/// dst = alpha · A W for symmetric A given by its lower triangle.
fn symmetric_product(
    mut dst: faer::MatMut<'_, f64>,
    lower: MatRef<'_, f64>,
    w: MatRef<'_, f64>,
    alpha: f64,
    par: Par,
) {
    use faer::linalg::matmul::triangular::{BlockStructure, matmul as tri};
    tri(
        dst.as_mut(),
        BlockStructure::Rectangular,
        Accum::Replace,
        lower,
        BlockStructure::TriangularLower,
        w,
        BlockStructure::Rectangular,
        alpha,
        par,
    );
    tri(
        dst,
        BlockStructure::Rectangular,
        Accum::Add,
        lower.transpose(),
        BlockStructure::StrictTriangularUpper,
        w,
        BlockStructure::Rectangular,
        alpha,
        par,
    );
}

/// (I + σK)⁻¹ K b for every shift σ by one Lanczos run on K (applied by `apply_k`),
/// stopped when every shift's estimated residual, mapped back through ‖M‖ ≤
/// `m_norm`, is at the level of a direct solve (or the Krylov space is exhausted).
fn shifted_solutions(
    apply_k: &dyn Fn(&mut Mat<f64>),
    b: &[f64],
    shifts: &[f64],
    m_norm: f64,
    b_norm: f64,
) -> Mat<f64> {
    use faer::linalg::matmul::matmul;
    let s = b.len();
    let mut c = Mat::from_fn(s, 1, |i, _| b[i]);
    apply_k(&mut c);
    let c_norm = dot(c.col(0), c.col(0)).sqrt();
    if c_norm == 0.0 {
        return Mat::zeros(s, shifts.len());
    }
    let max_steps = LANCZOS_STEPS.min(s);
    // The Lanczos basis as columns; `size` of them are filled.
    let mut basis = Mat::<f64>::zeros(s, max_steps);
    basis
        .col_mut(0)
        .copy_from(c.col(0) * faer::Scale(1.0 / c_norm));
    let mut size = 1;
    let (mut alphas, mut betas) = (Vec::new(), Vec::new());
    let mut coefficients: Vec<Vec<f64>> = vec![Vec::new(); shifts.len()];
    let mut u = Mat::<f64>::zeros(s, 1);
    let mut h = Mat::<f64>::zeros(max_steps, 1);
    for step in 0..max_steps {
        u.col_mut(0).copy_from(basis.col(step));
        apply_k(&mut u);
        alphas.push(dot(basis.col(step), u.col(0)));
        // Full reorthogonalisation against the basis, twice (it is short).
        let v = basis.as_ref().subcols(0, size);
        for _ in 0..2 {
            let mut hk = h.as_mut().subrows_mut(0, size);
            matmul(
                hk.as_mut(),
                Accum::Replace,
                v.transpose(),
                u.as_ref(),
                1.0,
                Par::Seq,
            );
            matmul(u.as_mut(), Accum::Add, v, hk.as_ref(), -1.0, Par::Seq);
        }
        let beta = dot(u.col(0), u.col(0)).sqrt();
        let mut all = true;
        for (k, &sigma) in shifts.iter().enumerate() {
            let y = shifted_tridiagonal_solve(&alphas, &betas, sigma);
            let y_norm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
            let estimate = m_norm * (sigma * c_norm * beta * y[step]).abs();
            let tolerance =
                4.0 * f64::EPSILON * ((m_norm + sigma.abs()) * c_norm * y_norm + b_norm);
            all &= estimate <= tolerance;
            coefficients[k] = y;
        }
        // K is positive definite with ‖K‖ = 1/(a_min + λ₀): β at rounding level of
        // that means the Krylov space is invariant and the solutions are exact.
        let exhausted = beta <= f64::EPSILON * alphas.iter().fold(0.0f64, |m, a| m.max(a.abs()));
        if all || exhausted || size == max_steps {
            break;
        }
        betas.push(beta);
        basis
            .col_mut(size)
            .copy_from(u.col(0) * faer::Scale(1.0 / beta));
        size += 1;
    }
    let y = Mat::from_fn(size, shifts.len(), |j, k| c_norm * coefficients[k][j]);
    let mut out = Mat::<f64>::zeros(s, shifts.len());
    matmul(
        out.as_mut(),
        Accum::Replace,
        basis.as_ref().subcols(0, size),
        y.as_ref(),
        1.0,
        Par::Seq,
    );
    out
}

/// y = (I + σT)⁻¹ e₁ for the Lanczos tridiagonal T (diagonal `alphas`, off-diagonal
/// `betas`), by LDLᵀ: I + σT is positive definite because T's eigenvalues lie in
/// K's spectrum (0, 1/λ₀\] and σ > −λ₀.
fn shifted_tridiagonal_solve(alphas: &[f64], betas: &[f64], sigma: f64) -> Vec<f64> {
    let k = alphas.len();
    let mut d = vec![0.0; k];
    let mut l = vec![0.0; k];
    let mut y = vec![0.0; k];
    y[0] = 1.0;
    for i in 0..k {
        d[i] = 1.0 + sigma * alphas[i];
        if i > 0 {
            d[i] -= l[i - 1] * sigma * betas[i - 1];
            y[i] -= l[i - 1] * y[i - 1];
        }
        if i + 1 < k {
            l[i] = sigma * betas[i] / d[i];
        }
    }
    for i in (0..k).rev() {
        y[i] /= d[i];
        if i + 1 < k {
            y[i] -= l[i] * y[i + 1];
        }
    }
    y
}

fn dot(x: faer::ColRef<'_, f64>, y: faer::ColRef<'_, f64>) -> f64 {
    x.iter().zip(y.iter()).map(|(a, b)| a * b).sum()
}

/// Ridge weights minimising ‖y − Xᵀw‖² + λ‖w‖² (code convention, as in
/// [`crate::ridge_solve`]) for every λ in `penalties`, from few factorisations of the
/// smaller normal-equation matrix (see [`ridge_path_normal`]): X Xᵀ (primal, p ≤ n) or XᵀX (dual, n < p, then
/// w = X α). `features` is p × n with samples as columns; returns p × L.
pub fn ridge_path(
    features: MatRef<'_, f64>,
    labels: &[f64],
    penalties: &[f64],
    par: Par,
) -> Result<(Mat<f64>, RidgeSystem), LinalgError> {
    let (p, n) = (features.nrows(), features.ncols());
    if labels.len() != n {
        return Err(LinalgError::ShapeMismatch(format!(
            "features are {p}×{n} (samples as columns) but there are {} labels",
            labels.len()
        )));
    }
    check_finite(features)?;
    let y = MatRef::from_column_major_slice(labels, n, 1);
    if p <= n {
        let mut gram = Mat::<f64>::zeros(p, p);
        gram_lower(gram.as_mut(), features, Accum::Replace, par);
        let mut b = Mat::<f64>::zeros(p, 1);
        faer::linalg::matmul::matmul(b.as_mut(), faer::Accum::Replace, features, y, 1.0, par);
        let b: Vec<f64> = (0..p).map(|i| b[(i, 0)]).collect();
        Ok((
            ridge_path_normal(gram.as_ref(), &b, penalties, par)?,
            RidgeSystem::Primal,
        ))
    } else {
        let mut kernel = Mat::<f64>::zeros(n, n);
        gram_lower(kernel.as_mut(), features.transpose(), Accum::Replace, par);
        let alpha = ridge_path_normal(kernel.as_ref(), labels, penalties, par)?;
        let mut w = Mat::<f64>::zeros(p, penalties.len());
        faer::linalg::matmul::matmul(
            w.as_mut(),
            faer::Accum::Replace,
            features,
            alpha.as_ref(),
            1.0,
            par,
        );
        Ok((w, RidgeSystem::Dual))
    }
}

/// The lower triangle of X Xᵀ written into (`Accum::Replace`) or added to
/// (`Accum::Add`) the lower triangle of `dst`, with half the flops of the full product;
/// the strict upper triangle of `dst` is not touched.
pub fn gram_lower(dst: faer::MatMut<'_, f64>, x: MatRef<'_, f64>, accum: Accum, par: Par) {
    faer::linalg::matmul::triangular::matmul(
        dst,
        faer::linalg::matmul::triangular::BlockStructure::TriangularLower,
        accum,
        x,
        faer::linalg::matmul::triangular::BlockStructure::Rectangular,
        x.transpose(),
        faer::linalg::matmul::triangular::BlockStructure::Rectangular,
        1.0,
        par,
    );
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ridge_solve;

    /// A deterministic p × n feature matrix (rows of growing scale) and n labels.
    pub(crate) fn data(p: usize, n: usize) -> (Mat<f64>, Vec<f64>) {
        let x = Mat::from_fn(p, n, |i, j| {
            (((i * 7919 + j * 104_729) % 1013) as f64 / 1013.0 - 0.5) * (1.0 + i as f64 / p as f64)
        });
        let y = (0..n)
            .map(|j| ((j * 31) % 17) as f64 / 17.0 - 0.5)
            .collect();
        (x, y)
    }

    /// Both shapes, penalties over ten decades, against one Cholesky solve per penalty.
    #[test]
    fn path_matches_one_cholesky_solve_per_penalty() {
        let penalties = [1e-6, 1e-3, 0.1, 1.0, 10.0, 1e4];
        for (p, n, system) in [(40, 90, RidgeSystem::Primal), (90, 40, RidgeSystem::Dual)] {
            let (x, y) = data(p, n);
            let (path, solved) = ridge_path(x.as_ref(), &y, &penalties, Par::Seq).unwrap();
            assert_eq!(solved, system);
            let ym = Mat::from_fn(n, 1, |j, _| y[j]);
            let normal = if p <= n {
                &x * x.transpose()
            } else {
                x.transpose() * &x
            };
            let spectrum = crate::psd_eigenvalues(normal.as_ref(), &Default::default())
                .unwrap()
                .0;
            for (k, &l) in penalties.iter().enumerate() {
                let (direct, _) = ridge_solve(x.as_ref(), ym.as_ref(), l).unwrap();
                let norm = (0..p).map(|i| direct[(i, 0)].powi(2)).sum::<f64>().sqrt();
                let diff = (0..p)
                    .map(|i| (path[(i, k)] - direct[(i, 0)]).powi(2))
                    .sum::<f64>()
                    .sqrt();
                // Two backward-stable solves agree to ε times the condition number; the
                // dual form's w = Xα can amplify α's error by ‖X‖‖α‖/‖w‖ ≤ ‖X‖‖y‖/(λ‖w‖).
                let (lo, hi) = spectrum
                    .iter()
                    .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
                        (lo.min(*v), hi.max(*v))
                    });
                let kappa = (hi + l) / (lo.max(0.0) + l);
                let amplification = if p <= n {
                    1.0
                } else {
                    let x_norm = x.norm_l2();
                    let y_norm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
                    (x_norm * y_norm / (l * norm)).max(1.0)
                };
                let tol = 64.0 * f64::EPSILON * kappa * amplification;
                assert!(
                    diff <= tol * norm,
                    "p={p} n={n} λ={l}: {diff:e} vs {norm:e}"
                );
            }
        }
    }

    /// A rank-deficient A (p > n in the primal form) is fine for every λ > 0.
    #[test]
    fn singular_normal_matrix_and_bad_input() {
        let (x, y) = data(30, 10);
        let gram = &x * x.transpose();
        let b: Vec<f64> = (0..30)
            .map(|i| (0..10).map(|j| x[(i, j)] * y[j]).sum())
            .collect();
        let w = ridge_path_normal(gram.as_ref(), &b, &[0.5], Par::Seq).unwrap();
        let ym = Mat::from_fn(10, 1, |j, _| y[j]);
        let (direct, _) = ridge_solve(x.as_ref(), ym.as_ref(), 0.5).unwrap();
        for i in 0..30 {
            assert!((w[(i, 0)] - direct[(i, 0)]).abs() < 1e-12);
        }
        assert!(matches!(
            ridge_path_normal(gram.as_ref(), &b, &[0.0], Par::Seq),
            Err(LinalgError::InvalidPenalty(_))
        ));
        assert!(ridge_path_normal(gram.as_ref(), &b[..3], &[1.0], Par::Seq).is_err());
        let mut negative = Mat::<f64>::zeros(2, 2);
        negative[(0, 0)] = -1.0;
        negative[(1, 1)] = 1.0;
        assert!(ridge_path_normal(negative.as_ref(), &[1.0, 1.0], &[0.5], Par::Seq).is_err());
        assert!(ridge_path(x.as_ref(), &y[..4], &[1.0], Par::Seq).is_err());
    }
}
