//! The empirical route (`dsrf empirical`, the Python `compare_features`): features and
//! labels of a finite data set in, Theorem 3.1 from their covariances next to the
//! empirical ridge curve on held-out rows out.
//!
//! The rows are split once by a seeded permutation into a test part (held out for
//! every test error), an optional covariance part (Ω̂, ψ̂, E y² — the authors' emp_cov
//! split; without it the moments come from the training pool) and the training pool
//! (ridge is fitted on random size-n subsets of it). Centring, when asked for, uses the
//! mean of the covariance rows for every part, as the authors do.

use dsrf_sim::Summary;
use dsrf_theory::Penalty;
use faer::{Mat, MatRef};

use crate::budget::{Budget, f64_bytes};
use crate::compare::PointComparison;
use crate::empirical::{Centring, centred, column_mean, empirical_moments};
use crate::subsets::{HeldOut, Samples, Subsets, ridge_on_subsets};
use crate::{DsrfError, Result};

/// How the rows are divided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowSplit {
    /// Fraction of the rows held out for the test error (in (0, 1)).
    pub test_fraction: f64,
    /// Fraction used only for the covariances (0: they come from the training pool).
    pub covariance_fraction: f64,
    /// Seed of the permutation.
    pub seed: u64,
}

/// Whether features are centred before their moments and fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureCentring {
    /// As given.
    None,
    /// By the mean of the covariance rows (the authors' choice).
    CovarianceMean,
}

/// The curve to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct EmpiricalPlan {
    /// Subset sizes (each ≤ the training pool).
    pub ns: Vec<usize>,
    /// Penalties (> 0) with their units.
    pub penalties: Vec<Penalty>,
    /// Random subsets per size.
    pub repeats: usize,
    /// Repeat r permutes the pool with seed `seed + r`.
    pub seed: u64,
    /// Centring.
    pub centring: FeatureCentring,
}

/// Sizes of the parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitSizes {
    /// Held-out rows.
    pub test: usize,
    /// Covariance rows (= `pool` when they are the pool).
    pub covariance: usize,
    /// Training pool.
    pub pool: usize,
}

/// Splits, estimates, fits and compares; `features` is p × N (samples as columns).
pub fn compare_on_data(
    features: MatRef<'_, f64>,
    labels: &[f64],
    split: &RowSplit,
    plan: &EmpiricalPlan,
    budget: &Budget,
) -> Result<(Vec<PointComparison>, SplitSizes)> {
    let (p, rows) = (features.nrows(), features.ncols());
    if labels.len() != rows {
        return Err(DsrfError::input(
            "labels",
            format!("{} labels for {rows} feature rows", labels.len()),
        ));
    }
    check_split(split)?;
    if plan.repeats == 0 {
        return Err(DsrfError::input("repeats", "need at least one repeat"));
    }
    budget.check_memory(
        &format!("the comparison (p = {p}, {rows} rows)"),
        f64_bytes(3 * (p as u128) * (rows as u128) + 4 * (p as u128) * (p as u128)),
    )?;
    let fractions = [split.test_fraction, split.covariance_fraction];
    let parts = dsrf_sim::split(rows, &fractions, split.seed)?;
    let taken: std::collections::HashSet<usize> = parts.iter().flatten().copied().collect();
    let pool_rows: Vec<usize> = (0..rows).filter(|r| !taken.contains(r)).collect();
    let cov_rows = if split.covariance_fraction > 0.0 {
        &parts[1]
    } else {
        &pool_rows
    };
    for (name, part) in [
        ("test", &parts[0]),
        ("training pool", &pool_rows),
        ("covariance", cov_rows),
    ] {
        if part.is_empty() {
            return Err(DsrfError::input(
                "split",
                format!(
                    "the {name} part of {rows} rows is empty: change the fractions or give more rows"
                ),
            ));
        }
    }
    let pick = |idx: &[usize]| Mat::from_fn(p, idx.len(), |i, j| features[(i, idx[j])]);
    let pick_labels = |idx: &[usize]| idx.iter().map(|&j| labels[j]).collect::<Vec<f64>>();
    let (mut test, mut pool, mut cov) = (pick(&parts[0]), pick(&pool_rows), pick(cov_rows));
    if plan.centring == FeatureCentring::CovarianceMean {
        let mean = column_mean(cov.as_ref());
        test = centred(test.as_ref(), &mean);
        pool = centred(pool.as_ref(), &mean);
        cov = centred(cov.as_ref(), &mean);
    }
    let (test_y, pool_y, cov_y) = (
        pick_labels(&parts[0]),
        pick_labels(&pool_rows),
        pick_labels(cov_rows),
    );
    let problem =
        empirical_moments(cov.as_ref(), &cov_y, &Centring::Uncentred, budget)?.problem(0.0)?;
    let codes = crate::simulate::codes(&plan.penalties, p)?;
    let ns: Vec<f64> = plan.ns.iter().map(|&n| n as f64).collect();
    let theory = problem.learning_curve(&ns, &plan.penalties)?;
    let subsets = Subsets {
        ns: plan.ns.clone(),
        penalties_code: vec![codes.clone(); plan.ns.len()],
        repeats: plan.repeats,
        seed: plan.seed,
    };
    let errors = ridge_on_subsets(
        Samples {
            features: pool.as_ref(),
            labels: &pool_y,
        },
        // The user's p may be large next to the test split: scored sample by sample.
        &[HeldOut::Samples(Samples {
            features: test.as_ref(),
            labels: &test_y,
        })],
        &subsets,
    )?;
    let mut out = Vec::with_capacity(theory.len());
    // λ-major, like the theory's learning curve.
    for (l, (&penalty, &code)) in plan.penalties.iter().zip(&codes).enumerate() {
        for (k, &n) in plan.ns.iter().enumerate() {
            let th = theory[l * plan.ns.len() + k];
            out.push(PointComparison::new(
                n,
                penalty,
                code,
                Summary::of(&errors.held_out[0][k][l]),
                Summary::of(&errors.train[k][l]),
                th,
            ));
        }
    }
    let sizes = SplitSizes {
        test: parts[0].len(),
        covariance: cov_rows.len(),
        pool: pool_rows.len(),
    };
    Ok((out, sizes))
}

fn check_split(split: &RowSplit) -> Result<()> {
    let ok = |f: f64| f.is_finite() && (0.0..1.0).contains(&f);
    if !(ok(split.test_fraction) && split.test_fraction > 0.0) {
        return Err(DsrfError::input(
            "test_fraction",
            format!("must be in (0, 1), got {:?}", split.test_fraction),
        ));
    }
    if !ok(split.covariance_fraction) {
        return Err(DsrfError::input(
            "covariance_fraction",
            format!("must be in [0, 1), got {:?}", split.covariance_fraction),
        ));
    }
    if split.test_fraction + split.covariance_fraction >= 1.0 {
        return Err(DsrfError::input(
            "split",
            format!(
                "test ({}) and covariance ({}) fractions leave no training pool",
                split.test_fraction, split.covariance_fraction
            ),
        ));
    }
    Ok(())
}
