//! Ridge on nested prefixes of one sample: the first n columns of a feature matrix for
//! several n, as in a learning curve whose subsets of one repeat are nested.
//!
//! The normal-equation matrices of nested prefixes share almost all their work. For
//! the sizes n ≥ p (primal form) the Gram matrix grows by the new samples only,
//!
//!   X₍ₙ₎X₍ₙ₎ᵀ = X₍ₘ₎X₍ₘ₎ᵀ + Σ_{m ≤ j < n} xⱼxⱼᵀ   (m < n),
//!
//! so all of them together cost one Gram matrix of the largest size instead of one per
//! size. For the sizes n < p (dual form) the kernel X₍ₙ₎ᵀX₍ₙ₎ is the leading n × n
//! block of the kernel of the largest such size, which is formed once. Each size is
//! then solved for its penalties by [`ridge_path_normal`] as [`ridge_path`] would.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

use crate::LinalgError;
use crate::ridge::RidgeSystem;
use crate::ridge_path::{gram_lower, ridge_path_normal};
use crate::validate::check_finite;

#[cfg(doc)]
use crate::ridge_path;

/// Ridge weights minimising ‖y₍ₙ₎ − X₍ₙ₎ᵀw‖² + λ‖w‖² (code convention) on the first
/// n samples (columns) of `features` (p × N) and `labels`, for every n in `sizes`
/// (each in 1..=N, any order) and every λ in `penalties[k]` (each > 0) of size
/// `sizes[k]`. Returns, in the order of `sizes`, p × L weights (one column per
/// penalty) and the form that solved them — the same as [`ridge_path`] on each prefix,
/// up to rounding.
pub fn ridge_path_prefixes(
    features: MatRef<'_, f64>,
    labels: &[f64],
    sizes: &[usize],
    penalties: &[Vec<f64>],
    par: Par,
) -> Result<Vec<(Mat<f64>, RidgeSystem)>, LinalgError> {
    let (p, total) = (features.nrows(), features.ncols());
    if labels.len() != total {
        return Err(LinalgError::ShapeMismatch(format!(
            "features are {p}×{total} (samples as columns) but there are {} labels",
            labels.len()
        )));
    }
    if penalties.len() != sizes.len() {
        return Err(LinalgError::ShapeMismatch(format!(
            "{} lists of penalties for {} sizes",
            penalties.len(),
            sizes.len()
        )));
    }
    if let Some(&n) = sizes.iter().find(|&&n| n == 0 || n > total) {
        return Err(LinalgError::ShapeMismatch(format!(
            "prefix size {n} must be in 1..={total} (the samples given)"
        )));
    }
    check_finite(features)?;
    let mut out: Vec<Option<(Mat<f64>, RidgeSystem)>> = vec![None; sizes.len()];
    let mut ascending: Vec<usize> = (0..sizes.len()).collect();
    ascending.sort_by_key(|&k| sizes[k]);
    let (dual, primal): (Vec<usize>, Vec<usize>) =
        ascending.into_iter().partition(|&k| sizes[k] < p);
    if let Some(&largest) = dual.last() {
        let m = sizes[largest];
        let mut kernel = Mat::<f64>::zeros(m, m);
        gram_lower(
            kernel.as_mut(),
            features.subcols(0, m).transpose(),
            Accum::Replace,
            par,
        );
        for k in dual {
            let n = sizes[k];
            let alpha = ridge_path_normal(
                kernel.as_ref().submatrix(0, 0, n, n),
                &labels[..n],
                &penalties[k],
                par,
            )?;
            let mut w = Mat::<f64>::zeros(p, penalties[k].len());
            matmul(
                w.as_mut(),
                Accum::Replace,
                features.subcols(0, n),
                alpha.as_ref(),
                1.0,
                par,
            );
            out[k] = Some((w, RidgeSystem::Dual));
        }
    }
    let mut gram = Mat::<f64>::zeros(p, p);
    let mut b = Mat::<f64>::zeros(p, 1);
    let mut filled = 0;
    for k in primal {
        let n = sizes[k];
        if n > filled {
            let new = features.subcols(filled, n - filled);
            let accum = if filled == 0 {
                Accum::Replace
            } else {
                Accum::Add
            };
            gram_lower(gram.as_mut(), new, accum, par);
            let y = MatRef::from_column_major_slice(&labels[filled..n], n - filled, 1);
            matmul(b.as_mut(), accum, new, y, 1.0, par);
            filled = n;
        }
        let rhs: Vec<f64> = (0..p).map(|i| b[(i, 0)]).collect();
        let w = ridge_path_normal(gram.as_ref(), &rhs, &penalties[k], par)?;
        out[k] = Some((w, RidgeSystem::Primal));
    }
    Ok(out
        .into_iter()
        .map(|o| o.expect("every size is dual or primal"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ridge_path;
    use crate::ridge_path::tests::data;

    /// Sizes on both sides of p, unsorted and repeated, against `ridge_path` on each
    /// prefix: the shared Gram and kernel change only the rounding.
    #[test]
    fn prefixes_match_one_path_per_prefix() {
        let (p, total) = (24, 90);
        let (x, y) = data(p, total);
        let sizes = [60, 5, 24, 90, 17, 60, 23, 25];
        let penalties: Vec<Vec<f64>> = sizes
            .iter()
            .enumerate()
            .map(|(k, _)| [1e-3, 0.1, 10.0][..1 + k % 3].to_vec())
            .collect();
        let fits = ridge_path_prefixes(x.as_ref(), &y, &sizes, &penalties, Par::Seq).unwrap();
        for ((&n, ls), (w, system)) in sizes.iter().zip(&penalties).zip(&fits) {
            let (direct, direct_system) =
                ridge_path(x.as_ref().subcols(0, n), &y[..n], ls, Par::Seq).unwrap();
            assert_eq!(*system, direct_system, "n = {n}");
            assert_eq!((w.nrows(), w.ncols()), (p, ls.len()));
            for (l, lambda) in ls.iter().enumerate() {
                let norm = direct.col(l).norm_l2();
                let diff = (w.col(l) - direct.col(l)).norm_l2();
                assert!(diff <= 1e-10 * norm, "n = {n}, λ = {lambda}: {diff:e}");
            }
        }
    }

    #[test]
    fn bad_sizes_labels_and_penalties_are_errors() {
        let (x, y) = data(6, 10);
        let one = vec![vec![1.0]];
        let fit = |sizes: &[usize], labels: &[f64], penalties: &[Vec<f64>]| {
            ridge_path_prefixes(x.as_ref(), labels, sizes, penalties, Par::Seq)
        };
        assert!(fit(&[0], &y, &one).is_err());
        assert!(fit(&[11], &y, &one).is_err());
        assert!(fit(&[5], &y[..9], &one).is_err());
        assert!(fit(&[5, 6], &y, &one).is_err());
        assert!(matches!(
            fit(&[8], &y, &[vec![-1.0]]),
            Err(LinalgError::InvalidPenalty(_))
        ));
        let mut bad = x.clone();
        bad[(2, 3)] = f64::NAN;
        assert!(ridge_path_prefixes(bad.as_ref(), &y, &[5], &one, Par::Seq).is_err());
        // No penalties for a size: an empty p × 0 result.
        let empty = fit(&[4, 8], &y, &[vec![], vec![]]).unwrap();
        assert_eq!(empty[1].0.ncols(), 0);
    }
}
