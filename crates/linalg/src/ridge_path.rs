//! Ridge solutions for many penalties from few factorisations.
//!
//! (A + λ I) w = b for L penalties with the same symmetric PSD A (X Xᵀ or XᵀX). One
//! Cholesky factor of A + λ₀ I is an excellent preconditioner for every nearby shift:
//! the preconditioned matrix has eigenvalues (a + λ)/(a + λ₀), which lie between 1 and
//! λ/λ₀ and cluster at 1 wherever a ≫ λ — the usual case, since penalties are small
//! next to the bulk of the spectrum. So the penalties are solved together by block
//! preconditioned conjugate gradients (one pass over A and one triangular solve per
//! iteration for all of them), starting from the anchor's own solution, and run to a
//! backward error at the level of a direct solve. Penalties that have not converged
//! after a few iterations (far from the anchor, near-singular A) get an anchor of
//! their own, so the worst case is one Cholesky per penalty — a direct solve each.
//!
//! Measured (benches/simulate.rs in dsrf-sim): ten penalties over 4.5 decades at
//! p = 1000, n = 2000 cost about one extra factorisation and a few block iterations.

use faer::linalg::matmul::matmul;
use faer::linalg::solvers::SolveCore;
use faer::{Accum, Conj, Mat, MatRef, Par, Side};

use crate::LinalgError;
use crate::ridge::RidgeSystem;
use crate::validate::{check_finite, check_finite_slice, check_square_finite};

/// Conjugate-gradient iterations per anchor before the unconverged penalties are
/// re-anchored (each iteration costs ~4s² flops per penalty, a factorisation s³/3).
const ITERATIONS_PER_ANCHOR: usize = 30;

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
    // The full symmetric matrix, for the products of the iteration.
    let full = Mat::from_fn(s, s, |i, j| if i >= j { a[(i, j)] } else { a[(j, i)] });
    let a_norm = full.norm_l2();
    let b_norm = b.iter().map(|v| v * v).sum::<f64>().sqrt();
    let mut unsolved: Vec<usize> = (0..penalties.len()).collect();
    unsolved.sort_by(|&i, &j| penalties[i].total_cmp(&penalties[j]));
    while !unsolved.is_empty() {
        // Anchor at the middle (in λ order) of what is left.
        let anchor = penalties[unsolved[unsolved.len() / 2]];
        let mut shifted = full.clone();
        for i in 0..s {
            shifted[(i, i)] += anchor;
        }
        let factor = shifted.llt(Side::Lower).map_err(|e| {
            LinalgError::NoConvergence(format!(
                "Cholesky of the ridge system at penalty {anchor:e} failed ({e:?}); the normal-equation matrix is not PSD"
            ))
        })?;
        let precondition = |m: &mut Mat<f64>| factor.solve_in_place_with_conj(Conj::No, m.as_mut());
        let m = unsolved.len();
        let shifts: Vec<f64> = unsolved.iter().map(|&k| penalties[k]).collect();
        // Start from the anchor's solution: w₀ = (A + λ₀)⁻¹ b for every column.
        let mut w = Mat::from_fn(s, 1, |i, _| b[i]);
        precondition(&mut w);
        let mut w = Mat::from_fn(s, m, |i, _| w[(i, 0)]);
        // r = b − (A + λ) w = (λ₀ − λ) w₀.
        let mut r = Mat::from_fn(s, m, |i, k| (anchor - shifts[k]) * w[(i, k)]);
        let mut z = r.clone();
        precondition(&mut z);
        let mut p = z.clone();
        let mut rz: Vec<f64> = (0..m).map(|k| dot(r.col(k), z.col(k))).collect();
        let mut done = vec![false; m];
        let mut q = Mat::<f64>::zeros(s, m);
        for _ in 0..=ITERATIONS_PER_ANCHOR {
            for k in 0..m {
                if !done[k] {
                    let w_norm = dot(w.col(k), w.col(k)).sqrt();
                    let r_norm = dot(r.col(k), r.col(k)).sqrt();
                    // Backward error at the level of a Cholesky solve.
                    let tolerance = 4.0 * f64::EPSILON * ((a_norm + shifts[k]) * w_norm + b_norm);
                    done[k] = r_norm <= tolerance;
                }
            }
            if done.iter().all(|d| *d) {
                break;
            }
            matmul(
                q.as_mut(),
                Accum::Replace,
                full.as_ref(),
                p.as_ref(),
                1.0,
                par,
            );
            for k in 0..m {
                if done[k] {
                    continue;
                }
                for i in 0..s {
                    q[(i, k)] += shifts[k] * p[(i, k)];
                }
                let alpha = rz[k] / dot(p.col(k), q.col(k));
                for i in 0..s {
                    w[(i, k)] += alpha * p[(i, k)];
                    r[(i, k)] -= alpha * q[(i, k)];
                }
            }
            z.copy_from(&r);
            precondition(&mut z);
            for k in 0..m {
                if done[k] {
                    continue;
                }
                let next = dot(r.col(k), z.col(k));
                let beta = next / rz[k];
                rz[k] = next;
                for i in 0..s {
                    p[(i, k)] = z[(i, k)] + beta * p[(i, k)];
                }
            }
        }
        let mut left = Vec::new();
        for (k, &index) in unsolved.iter().enumerate() {
            if done[k] || penalties[index] == anchor {
                out.col_mut(index).copy_from(w.col(k));
            } else {
                left.push(index);
            }
        }
        unsolved = left;
    }
    Ok(out)
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
        gram_lower(gram.as_mut(), features, par);
        let mut b = Mat::<f64>::zeros(p, 1);
        faer::linalg::matmul::matmul(b.as_mut(), faer::Accum::Replace, features, y, 1.0, par);
        let b: Vec<f64> = (0..p).map(|i| b[(i, 0)]).collect();
        Ok((
            ridge_path_normal(gram.as_ref(), &b, penalties, par)?,
            RidgeSystem::Primal,
        ))
    } else {
        let mut kernel = Mat::<f64>::zeros(n, n);
        gram_lower(kernel.as_mut(), features.transpose(), par);
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

/// The lower triangle of X Xᵀ (half the flops of the full product).
pub(crate) fn gram_lower(dst: faer::MatMut<'_, f64>, x: MatRef<'_, f64>, par: Par) {
    faer::linalg::matmul::triangular::matmul(
        dst,
        faer::linalg::matmul::triangular::BlockStructure::TriangularLower,
        faer::Accum::Replace,
        x,
        faer::linalg::matmul::triangular::BlockStructure::Rectangular,
        x.transpose(),
        faer::linalg::matmul::triangular::BlockStructure::Rectangular,
        1.0,
        par,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ridge_solve;

    fn data(p: usize, n: usize) -> (Mat<f64>, Vec<f64>) {
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
                // Two backward-stable solves agree to ε times the condition number.
                let (lo, hi) = spectrum
                    .iter()
                    .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
                        (lo.min(*v), hi.max(*v))
                    });
                let kappa = (hi + l) / (lo.max(0.0) + l);
                let tol = 64.0 * f64::EPSILON * kappa;
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
