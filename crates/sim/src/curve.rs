//! Simulated learning curves: replicates in parallel, nested prefixes of one sample per
//! replicate, every penalty from one tridiagonalisation per n.

use faer::Mat;
use rayon::prelude::*;

use crate::gaussian::stream;
use crate::moments::SecondMoments;
use crate::sampler::FeatureSampler;
use crate::{SimError, error::input};

/// Mean, standard deviation and standard error over replicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (0 for one replicate).
    pub std: f64,
    /// std/√R.
    pub stderr: f64,
}

impl Summary {
    /// Summarises `values`.
    pub fn of(values: &[f64]) -> Self {
        let r = values.len() as f64;
        let mean = values.iter().sum::<f64>() / r;
        let std = if values.len() > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (r - 1.0)).sqrt()
        } else {
            0.0
        };
        Self {
            mean,
            std,
            stderr: std / r.sqrt(),
        }
    }
}

/// One (n, λ) point of a simulated curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulatedPoint {
    /// Sample size.
    pub n: usize,
    /// Penalty in code units (predictor wᵀφ, penalty λ_c‖w‖²).
    pub lambda_code: f64,
    /// Test error E(y − wᵀφ)² over replicates.
    pub test: Summary,
    /// Mean squared training residual over replicates.
    pub train: Summary,
}

/// How the test error of a fitted w is measured.
#[derive(Debug, Clone)]
pub enum TestError {
    /// On a fresh held-out sample of this size (drawn per replicate).
    HeldOut(usize),
    /// Exactly, from the population moments in code units: E y² − 2wᵀψ + wᵀΩw
    /// (the oracle of SPEC §3.1 for a known joint covariance).
    Population {
        /// Ω = E φφᵀ.
        omega: Mat<f64>,
        /// ψ = E φy.
        psi: Vec<f64>,
        /// E y².
        label_second_moment: f64,
    },
}

/// Largest number of samples generated at once (bounds memory for wide features).
const CHUNK: usize = 4096;

/// The simulated learning curve, λ-major like `dsrf_theory::Problem::learning_curve`.
/// Replicate r draws its training data from stream 2r and its test data from stream
/// 2r + 1 of `seed`, so the result does not depend on the number of threads.
pub fn simulate_learning_curve(
    sampler: &impl FeatureSampler,
    ns: &[usize],
    penalties_code: &[f64],
    replicates: usize,
    seed: u64,
    test: &TestError,
) -> Result<Vec<SimulatedPoint>, SimError> {
    simulate_learning_curve_with_progress(
        sampler,
        ns,
        penalties_code,
        replicates,
        seed,
        test,
        &|| {},
    )
}

/// [`simulate_learning_curve`], calling `progress` once per finished replicate (from
/// whichever thread finished it), e.g. to advance a progress bar.
pub fn simulate_learning_curve_with_progress(
    sampler: &impl FeatureSampler,
    ns: &[usize],
    penalties_code: &[f64],
    replicates: usize,
    seed: u64,
    test: &TestError,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<SimulatedPoint>, SimError> {
    if ns.is_empty() || ns.contains(&0) {
        return Err(input("ns", "give at least one sample size, all > 0"));
    }
    if replicates == 0 {
        return Err(input("replicates", "need at least one"));
    }
    let p = sampler.feature_dim();
    if let TestError::Population { omega, psi, .. } = test {
        if omega.nrows() != p || omega.ncols() != p || psi.len() != p {
            return Err(input(
                "test",
                format!("population moments must be {p}×{p} and {p}"),
            ));
        }
    }
    let mut sorted: Vec<usize> = ns.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    // results[r][n index][λ index] = (test, train)
    let results: Vec<Vec<Vec<(f64, f64)>>> = (0..replicates)
        .into_par_iter()
        .map(|r| -> Result<_, SimError> {
            let mut rng = stream(seed, 2 * r as u64);
            let held_out = match test {
                TestError::HeldOut(m) => {
                    let mut test_rng = stream(seed, 2 * r as u64 + 1);
                    let mut moments = SecondMoments::new(p);
                    let mut left = *m;
                    while left > 0 {
                        let take = left.min(CHUNK);
                        let (x, y) = sampler.sample(&mut test_rng, take);
                        moments.add(x.as_ref(), &y)?;
                        left -= take;
                    }
                    Some(moments)
                }
                TestError::Population { .. } => None,
            };
            let mut train = SecondMoments::new(p);
            let mut per_n = Vec::with_capacity(sorted.len());
            for &n in &sorted {
                while train.count() < n {
                    let take = (n - train.count()).min(CHUNK);
                    let (x, y) = sampler.sample(&mut rng, take);
                    train.add(x.as_ref(), &y)?;
                }
                let weights = train.ridge_path(penalties_code)?;
                per_n.push(
                    weights
                        .iter()
                        .map(|w| {
                            let test_error = match (test, &held_out) {
                                (_, Some(moments)) => moments.risk(w),
                                (
                                    TestError::Population {
                                        omega,
                                        psi,
                                        label_second_moment,
                                    },
                                    None,
                                ) => population_risk(omega, psi, *label_second_moment, w),
                                _ => unreachable!("held-out moments exist exactly for HeldOut"),
                            };
                            (test_error, train.risk(w))
                        })
                        .collect(),
                );
            }
            progress();
            Ok(per_n)
        })
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(ns.len() * penalties_code.len());
    for (l, &lambda_code) in penalties_code.iter().enumerate() {
        for &n in ns {
            let k = sorted.binary_search(&n).expect("n is in the sorted list");
            let tests: Vec<f64> = results.iter().map(|r| r[k][l].0).collect();
            let trains: Vec<f64> = results.iter().map(|r| r[k][l].1).collect();
            out.push(SimulatedPoint {
                n,
                lambda_code,
                test: Summary::of(&tests),
                train: Summary::of(&trains),
            });
        }
    }
    Ok(out)
}

/// E y² − 2wᵀψ + wᵀΩw.
fn population_risk(omega: &Mat<f64>, psi: &[f64], label_second_moment: f64, w: &[f64]) -> f64 {
    let p = w.len();
    let wm = Mat::from_fn(p, 1, |i, _| w[i]);
    let mut ow = Mat::<f64>::zeros(p, 1);
    faer::linalg::matmul::matmul(
        ow.as_mut(),
        faer::Accum::Replace,
        omega.as_ref(),
        wm.as_ref(),
        1.0,
        faer::Par::Seq,
    );
    let quadratic: f64 = (0..p).map(|i| w[i] * ow[(i, 0)]).sum();
    let linear: f64 = (0..p).map(|i| w[i] * psi[i]).sum();
    (label_second_moment - 2.0 * linear + quadratic).max(0.0)
}
