//! The empirical ridge curve of a finite data set: fit ridge (no intercept) on random
//! size-n subsets of a training pool and measure the mean squared error on held-out
//! sets — the authors' `genErrEmp` (SPEC §3.6), used by `dsrf empirical` and by the
//! learned-feature figures.
//!
//! Repeat r draws one seeded permutation of the pool (`dsrf_sim::split` with seed
//! `seed + r`) and uses its first n entries for every n, so the subsets of one repeat
//! are nested and sampled without replacement; one Gram matrix (and one kernel matrix
//! for the sizes below p) serves all of them (`dsrf_linalg::ridge_path_prefixes`).
//! Repeats run in parallel, each fit sequentially inside, so the numbers do not depend
//! on the thread count.
//!
//! A held-out set scores the fits either sample by sample or from its moments
//! ([`HeldOut`]): E (y − wᵀφ)² = E y² − 2wᵀψ + wᵀΩw costs 2p² flops per fit instead
//! of 2pm. Forming the moments costs p²m (one triangle), so in flops they pay off
//! after about p/2 fits — or at once, when they exist anyway (Ω̂, ψ̂, E y² of the set
//! the theory is given) or serve several learning curves of the same features. The
//! fits of one repeat are scored side by side in one product per set.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use rayon::prelude::*;

use crate::empirical::EmpiricalMoments;
use crate::{DsrfError, Result};

/// Which subsets are fitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Subsets {
    /// Subset sizes (each ≤ the pool size).
    pub ns: Vec<usize>,
    /// Penalties λ_c (code units: predictor wᵀφ, penalty λ_c‖w‖²) per entry of `ns`;
    /// penalties that are not finite and > 0 (an optimal λ* of 0 or ∞) are skipped.
    pub penalties_code: Vec<Vec<f64>>,
    /// Random subsets per size.
    pub repeats: usize,
    /// Repeat r permutes the pool with seed `seed + r`.
    pub seed: u64,
}

/// Features (p × m, samples as columns) with their labels.
#[derive(Debug, Clone, Copy)]
pub struct Samples<'a> {
    /// The features.
    pub features: MatRef<'a, f64>,
    /// The labels.
    pub labels: &'a [f64],
}

/// A held-out set the fits are scored on.
#[derive(Debug, Clone, Copy)]
pub enum HeldOut<'a> {
    /// The samples themselves: every fit predicts every sample, p m flops per fit.
    Samples(Samples<'a>),
    /// Their moments, taken with `Centring::Uncentred` of features centred as the
    /// pool's are ([`EmpiricalMoments::mean_squared_errors`]): 2p² flops per fit
    /// against the samples' 2pm, once the p²m of the moments are paid (see the module
    /// docs for when that pays).
    Moments(&'a EmpiricalMoments),
}

impl HeldOut<'_> {
    /// Feature dimension and sample count.
    fn shape(&self) -> (usize, usize) {
        match self {
            HeldOut::Samples(s) => (s.features.nrows(), s.features.ncols()),
            HeldOut::Moments(m) => (m.psi.len(), m.samples),
        }
    }

    /// Whether the set is consistent in itself (labels per sample, Ω̂ p × p).
    fn is_consistent(&self) -> bool {
        match self {
            HeldOut::Samples(s) => s.labels.len() == s.features.ncols(),
            HeldOut::Moments(m) => m.omega.nrows() == m.psi.len() && m.omega.ncols() == m.psi.len(),
        }
    }

    /// The mean squared error of every column of `w`.
    fn mean_squared_errors(&self, w: MatRef<'_, f64>) -> Result<Vec<f64>> {
        match self {
            HeldOut::Samples(s) => Ok(mse_per_penalty(w, s.features, s.labels)),
            HeldOut::Moments(m) => m.mean_squared_errors(w, Par::Seq),
        }
    }
}

/// Errors per subset size, penalty and repeat: `held_out[set][k][l][r]` for every
/// evaluation set, `train[k][l][r]` on the fitted subset itself. A skipped penalty has
/// no entries.
#[derive(Debug, Clone, PartialEq)]
pub struct SubsetErrors {
    /// Mean squared error on each evaluation set.
    pub held_out: Vec<Vec<Vec<Vec<f64>>>>,
    /// Mean squared training residual.
    pub train: Vec<Vec<Vec<f64>>>,
}

/// Fits every subset of `plan` on `pool` and evaluates on each of `evaluations`.
pub fn ridge_on_subsets(
    pool: Samples<'_>,
    evaluations: &[HeldOut<'_>],
    plan: &Subsets,
) -> Result<SubsetErrors> {
    let size = pool.features.ncols();
    let p = pool.features.nrows();
    if pool.labels.len() != size {
        return Err(DsrfError::input(
            "labels",
            format!("{} labels for {size} pool samples", pool.labels.len()),
        ));
    }
    if plan.penalties_code.len() != plan.ns.len() {
        return Err(DsrfError::input(
            "penalties",
            "need one list of penalties per subset size",
        ));
    }
    if let Some(n) = plan.ns.iter().find(|&&n| n == 0 || n > size) {
        return Err(DsrfError::input(
            "ns",
            format!("subset size {n} must be in 1..={size} (the training pool)"),
        ));
    }
    for (i, e) in evaluations.iter().enumerate() {
        let (rows, samples) = e.shape();
        if rows != p || !e.is_consistent() {
            return Err(DsrfError::input(
                format!("evaluation set {i}"),
                format!(
                    "of {rows} features and {samples} samples (with their labels or moments) does not fit p = {p}"
                ),
            ));
        }
    }
    // The gathered subsets live in one buffer per rayon job, reused by its repeats: a
    // fresh p × max n matrix per repeat (140 MB for MNIST's features) would be mapped
    // and faulted in page by page every time (≈ 0.07 s of a 1.7 s repeat on a VM).
    let per_repeat: Vec<Repeat> = (0..plan.repeats)
        .into_par_iter()
        .map_init(Mat::<f64>::new, |gathered, r| {
            let seed = plan.seed.wrapping_add(r as u64);
            one_repeat(gathered, pool, evaluations, plan, seed)
        })
        .collect::<Result<_>>()?;
    Ok(gather(&per_repeat, evaluations.len(), plan))
}

/// errors[k][l] of one repeat: (held-out per set, train), `None` for a skipped λ.
type Repeat = Vec<Vec<Option<(Vec<f64>, f64)>>>;

fn one_repeat(
    gathered: &mut Mat<f64>,
    pool: Samples<'_>,
    evaluations: &[HeldOut<'_>],
    plan: &Subsets,
    seed: u64,
) -> Result<Repeat> {
    let size = pool.features.ncols();
    let p = pool.features.nrows();
    let order = dsrf_sim::split(size, &[1.0], seed)?.concat();
    let usable: Vec<Vec<f64>> = plan
        .penalties_code
        .iter()
        .map(|ls| {
            ls.iter()
                .copied()
                .filter(|l| l.is_finite() && *l > 0.0)
                .collect()
        })
        .collect();
    // Every size fits a prefix of the same permuted pool: gathered once, and the
    // normal-equation matrices shared between the sizes (`ridge_path_prefixes`).
    let largest = plan.ns.iter().copied().max().unwrap_or(0);
    if gathered.shape() != (p, largest) {
        *gathered = Mat::zeros(p, largest);
    }
    for (j, &k) in order[..largest].iter().enumerate() {
        gathered.col_mut(j).copy_from(pool.features.col(k));
    }
    let x = gathered.as_ref();
    let y: Vec<f64> = order[..largest].iter().map(|&j| pool.labels[j]).collect();
    let fits = dsrf_linalg::ridge_path_prefixes(x, &y, &plan.ns, &usable, Par::Seq)?;
    // Every fit of the repeat side by side, so that each held-out set scores them in
    // one wide product instead of one narrow product per size.
    let total = fits.iter().map(|(w, _)| w.ncols()).sum();
    let mut all = Mat::<f64>::zeros(p, total);
    let mut offsets = Vec::with_capacity(fits.len());
    let mut next = 0;
    for (w, _) in &fits {
        all.as_mut().subcols_mut(next, w.ncols()).copy_from(w);
        offsets.push(next);
        next += w.ncols();
    }
    let scored: Vec<Vec<f64>> = evaluations
        .iter()
        .map(|e| e.mean_squared_errors(all.as_ref()))
        .collect::<Result<_>>()?;
    Ok(plan
        .ns
        .iter()
        .zip(&plan.penalties_code)
        .zip(fits.iter().zip(&offsets))
        .map(|((&n, penalties), ((w, _), &offset))| {
            let held_out: Vec<&[f64]> = scored
                .iter()
                .map(|errors| &errors[offset..offset + w.ncols()])
                .collect();
            let train = mse_per_penalty(w.as_ref(), x.subcols(0, n), &y[..n]);
            let mut next = 0;
            penalties
                .iter()
                .map(|l| {
                    (l.is_finite() && *l > 0.0).then(|| {
                        let k = next;
                        next += 1;
                        (held_out.iter().map(|h| h[k]).collect(), train[k])
                    })
                })
                .collect()
        })
        .collect())
}

fn gather(per_repeat: &[Repeat], sets: usize, plan: &Subsets) -> SubsetErrors {
    let shape = |_: usize| -> Vec<Vec<Vec<f64>>> {
        plan.penalties_code
            .iter()
            .map(|ls| vec![Vec::with_capacity(plan.repeats); ls.len()])
            .collect()
    };
    let mut held_out: Vec<_> = (0..sets).map(shape).collect();
    let mut train = shape(0);
    for repeat in per_repeat {
        for (k, per_lambda) in repeat.iter().enumerate() {
            for (l, entry) in per_lambda.iter().enumerate() {
                if let Some((h, t)) = entry {
                    for (s, value) in h.iter().enumerate() {
                        held_out[s][k][l].push(*value);
                    }
                    train[k][l].push(*t);
                }
            }
        }
    }
    SubsetErrors { held_out, train }
}

/// Mean squared error of every column of `w` (one fitted readout per penalty) on the
/// samples in the columns of `features`.
pub fn mse_per_penalty(w: MatRef<'_, f64>, features: MatRef<'_, f64>, labels: &[f64]) -> Vec<f64> {
    let mut pred = Mat::<f64>::zeros(w.ncols(), features.ncols());
    matmul(
        pred.as_mut(),
        Accum::Replace,
        w.transpose(),
        features,
        1.0,
        Par::Seq,
    );
    (0..w.ncols())
        .map(|l| {
            (0..features.ncols())
                .map(|j| (pred[(l, j)] - labels[j]).powi(2))
                .sum::<f64>()
                / features.ncols() as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_match_a_direct_ridge_fit() {
        let (p, pool) = (4, 30);
        let x = Mat::from_fn(p, pool, |i, j| ((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.45);
        let y: Vec<f64> = (0..pool).map(|j| ((j * 5) % 7) as f64 - 3.0).collect();
        let test = Mat::from_fn(p, 9, |i, j| ((i * 5 + j * 2) % 7) as f64 / 7.0 - 0.5);
        let ty: Vec<f64> = (0..9).map(|j| j as f64 * 0.1).collect();
        let plan = Subsets {
            ns: vec![10, 30],
            penalties_code: vec![vec![0.5, f64::INFINITY], vec![2.0]],
            repeats: 3,
            seed: 5,
        };
        let pool_samples = Samples {
            features: x.as_ref(),
            labels: &y,
        };
        let eval = Samples {
            features: test.as_ref(),
            labels: &ty,
        };
        let errors = ridge_on_subsets(pool_samples, &[HeldOut::Samples(eval)], &plan).unwrap();
        assert_eq!(errors.held_out[0][0][1].len(), 0, "λ = ∞ is skipped");
        // At n = pool every repeat fits the same data: one direct solve.
        let ym = Mat::from_fn(pool, 1, |j, _| y[j]);
        let (w, _) = dsrf_linalg::ridge_solve(x.as_ref(), ym.as_ref(), 2.0).unwrap();
        let direct = mse_per_penalty(w.as_ref(), test.as_ref(), &ty)[0];
        for r in 0..3 {
            assert!((errors.held_out[0][1][0][r] - direct).abs() < 1e-12);
        }
        // Scoring by the held-out set's moments: the same errors up to rounding.
        let moments = crate::empirical::empirical_moments(
            test.as_ref(),
            &ty,
            &crate::empirical::Centring::Uncentred,
            &crate::budget::Budget::unlimited(),
        )
        .unwrap();
        let both = [HeldOut::Samples(eval), HeldOut::Moments(&moments)];
        let scored = ridge_on_subsets(pool_samples, &both, &plan).unwrap();
        assert_eq!(scored.held_out[0], errors.held_out[0]);
        assert_eq!(scored.train, errors.train);
        for (by_samples, by_moments) in scored.held_out[0].iter().zip(&scored.held_out[1]) {
            for (a, b) in by_samples.iter().flatten().zip(by_moments.iter().flatten()) {
                assert!((a - b).abs() <= 1e-12 * a, "{a} vs {b}");
            }
            assert_eq!(
                by_samples.iter().flatten().count(),
                by_moments.iter().flatten().count()
            );
        }
        // Moments of another feature dimension are refused.
        let other = crate::empirical::empirical_moments(
            test.as_ref().subrows(0, p - 1),
            &ty,
            &crate::empirical::Centring::Uncentred,
            &crate::budget::Budget::unlimited(),
        )
        .unwrap();
        let refused = ridge_on_subsets(pool_samples, &[HeldOut::Moments(&other)], &plan);
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("evaluation set 0")
        );
        assert!(
            ridge_on_subsets(
                pool_samples,
                &[HeldOut::Samples(eval)],
                &Subsets {
                    ns: vec![31],
                    penalties_code: vec![vec![1.0]],
                    ..plan.clone()
                }
            )
            .is_err()
        );
    }
}
