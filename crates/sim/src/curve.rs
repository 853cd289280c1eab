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

/// Values of magnitude in [`SAFE_RANGE`] are summarised by the textbook formulas
/// directly: their squares and sums (over up to 10⁶⁰ values) neither overflow nor
/// lose their deviations to underflow. Others are divided by max|v| first.
const SAFE_RANGE: (f64, f64) = (1e-100, 1e100);

impl Summary {
    /// Summarises `values`.
    ///
    /// For finite values the mean is always finite, and so are std and stderr unless
    /// the true standard deviation itself exceeds `f64::MAX` (values near ±1.3·10³⁰⁸
    /// of both signs): values outside 10^±100 are scaled by their largest magnitude
    /// before squaring, so that neither (v − mean)² nor the sums overflow or
    /// underflow. Values within that range give exactly the textbook
    /// mean Σv/R and std √(Σ(v − mean)²/(R − 1)).
    pub fn of(values: &[f64]) -> Self {
        let largest = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = if !largest.is_finite()
            || largest == 0.0
            || (SAFE_RANGE.0..=SAFE_RANGE.1).contains(&largest)
        {
            1.0
        } else {
            largest
        };
        if scale == 1.0 {
            return Self::unscaled(values);
        }
        let scaled: Vec<f64> = values.iter().map(|v| v / scale).collect();
        let unit = Self::unscaled(&scaled);
        Self {
            mean: unit.mean * scale,
            std: unit.std * scale,
            stderr: unit.stderr * scale,
        }
    }

    /// The textbook formulas, for values whose squares are safe.
    fn unscaled(values: &[f64]) -> Self {
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

/// The units of ridge penalties (see [`Penalties`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PenaltyUnits {
    /// The authors' code: predictor wᵀφ, penalty λ_c‖w‖².
    Code,
    /// The paper: predictor θᵀφ/√p, penalty λ‖θ‖²; λ_c = p λ.
    Paper,
}

/// Ridge penalties with their units — never a bare number whose convention is guessed.
#[derive(Debug, Clone, PartialEq)]
pub enum Penalties {
    /// λ_c of the code convention (predictor wᵀφ, penalty λ_c‖w‖²).
    Code(Vec<f64>),
    /// λ of the paper's convention (predictor θᵀφ/√p, penalty λ‖θ‖²), λ_c = p λ.
    Paper(Vec<f64>),
}

impl Penalties {
    /// The units of the values.
    pub fn units(&self) -> PenaltyUnits {
        match self {
            Penalties::Code(_) => PenaltyUnits::Code,
            Penalties::Paper(_) => PenaltyUnits::Paper,
        }
    }

    /// The values as given.
    pub fn values(&self) -> &[f64] {
        match self {
            Penalties::Code(v) | Penalties::Paper(v) => v,
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
    /// The penalty as given in [`CurveConfig::penalties`], in `units`.
    pub penalty: f64,
    /// The units of `penalty`.
    pub units: PenaltyUnits,
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

/// What a simulated learning curve computes; [`CurveConfig::check`] validates it once
/// against the feature dimension and returns the [`CheckedCurveConfig`] that
/// [`simulate_learning_curve`] takes.
#[derive(Debug, Clone)]
pub struct CurveConfig {
    /// Sample sizes (any order, repeats allowed; all > 0). Output order follows it.
    pub ns: Vec<usize>,
    /// Ridge penalties (> 0, finite in code units), with their units.
    pub penalties: Penalties,
    /// Independent replicates (≥ 1).
    pub replicates: usize,
    /// Seed of the data streams: replicate r trains on stream 2r, tests on 2r + 1.
    pub seed: u64,
    /// How the test error is measured.
    pub test: TestError,
}

/// A [`CurveConfig`] that passed [`CurveConfig::check`] for feature dimension p.
#[derive(Debug, Clone)]
pub struct CheckedCurveConfig {
    config: CurveConfig,
    lambda_code: Vec<f64>,
    sorted_ns: Vec<usize>,
    p: usize,
}

impl CurveConfig {
    /// Validates the configuration for features of dimension `p`: `ns` non-empty and
    /// all > 0; every penalty finite and > 0, also after conversion to code units
    /// (errors quote the value and units as given); `replicates` ≥ 1; a held-out test
    /// size ≥ 1 or finite population moments of size p × p, p and a scalar.
    pub fn check(self, p: usize) -> Result<CheckedCurveConfig, SimError> {
        if self.ns.is_empty() || self.ns.contains(&0) {
            return Err(input("ns", "give at least one sample size, all > 0"));
        }
        if self.replicates == 0 {
            return Err(input("replicates", "need at least one"));
        }
        let lambda_code = penalties_in_code_units(&self.penalties, p)?;
        check_test(&self.test, p)?;
        let mut sorted_ns = self.ns.clone();
        sorted_ns.sort_unstable();
        sorted_ns.dedup();
        Ok(CheckedCurveConfig {
            config: self,
            lambda_code,
            sorted_ns,
            p,
        })
    }
}

impl CheckedCurveConfig {
    /// The configuration as given.
    pub fn config(&self) -> &CurveConfig {
        &self.config
    }

    /// The penalties in code units λ_c, in the order given.
    pub fn penalties_code(&self) -> &[f64] {
        &self.lambda_code
    }

    /// The feature dimension p it was checked for.
    pub fn feature_dim(&self) -> usize {
        self.p
    }
}

/// λ_c for every penalty, or an error quoting the value as the user gave it.
fn penalties_in_code_units(penalties: &Penalties, p: usize) -> Result<Vec<f64>, SimError> {
    let (units, factor) = match penalties {
        Penalties::Code(_) => ("code units, λ_c", 1.0),
        Penalties::Paper(_) => ("paper units, λ; λ_c = p λ", p as f64),
    };
    let values = penalties.values();
    if values.is_empty() {
        return Err(input("penalties", "give at least one penalty"));
    }
    values
        .iter()
        .enumerate()
        .map(|(i, &given)| {
            // Code units are passed through untouched (bit-identical to λ_c · 1).
            let code = if factor == 1.0 { given } else { given * factor };
            if given.is_finite() && given > 0.0 && code.is_finite() && code > 0.0 {
                Ok(code)
            } else {
                Err(input(
                    format!("penalties[{i}]"),
                    format!(
                        "{given:?} ({units}) must be finite and > 0, also in code units (got λ_c = {code:?} at p = {p})"
                    ),
                ))
            }
        })
        .collect()
}

fn check_test(test: &TestError, p: usize) -> Result<(), SimError> {
    match test {
        TestError::HeldOut(0) => Err(input(
            "test",
            "the held-out sample needs at least one sample",
        )),
        TestError::HeldOut(_) => Ok(()),
        TestError::Population {
            omega,
            psi,
            label_second_moment,
        } => {
            if omega.nrows() != p || omega.ncols() != p || psi.len() != p {
                return Err(input(
                    "test",
                    format!("population moments must be {p}×{p} and {p}"),
                ));
            }
            let finite = label_second_moment.is_finite()
                && psi.iter().all(|v| v.is_finite())
                && (0..p).all(|j| omega.col(j).iter().all(|v| v.is_finite()));
            if finite {
                Ok(())
            } else {
                Err(input("test", "population moments must be finite"))
            }
        }
    }
}

/// Largest number of samples generated at once (bounds memory for wide features).
const CHUNK: usize = 4096;

/// The simulated learning curve, λ-major like `dsrf_theory::Problem::learning_curve`
/// (for each penalty in the order given, every n in the order given). Replicate r
/// draws its training data from stream 2r and its test data from stream 2r + 1 of the
/// seed, so the result does not depend on the number of threads. `progress` is called
/// once per finished replicate (from whichever thread finished it), e.g. to advance a
/// progress bar.
///
/// Errors: a sampler whose feature dimension is not the one the configuration was
/// checked for, samples or sums that are not finite ([`SimError::NotFinite`]: a
/// feature map or labels that overflow), a ridge solve that fails.
pub fn simulate_learning_curve(
    sampler: &impl FeatureSampler,
    config: &CheckedCurveConfig,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<Vec<SimulatedPoint>, SimError> {
    let p = sampler.feature_dim();
    if p != config.p {
        return Err(input(
            "sampler",
            format!(
                "has {p} features but the configuration was checked for p = {}",
                config.p
            ),
        ));
    }
    // results[r][n index][λ index] = (test, train)
    let results: Vec<Vec<Vec<(f64, f64)>>> = (0..config.config.replicates)
        .into_par_iter()
        .map(|r| -> Result<_, SimError> {
            let per_n = replicate(sampler, config, r)?;
            if let Some(progress) = progress {
                progress();
            }
            Ok(per_n)
        })
        .collect::<Result<_, _>>()?;
    let given = &config.config.penalties;
    let mut out = Vec::with_capacity(config.config.ns.len() * config.lambda_code.len());
    for (l, &lambda_code) in config.lambda_code.iter().enumerate() {
        for &n in &config.config.ns {
            let k = config
                .sorted_ns
                .binary_search(&n)
                .expect("n is in the sorted list");
            let tests: Vec<f64> = results.iter().map(|r| r[k][l].0).collect();
            let trains: Vec<f64> = results.iter().map(|r| r[k][l].1).collect();
            out.push(SimulatedPoint {
                n,
                lambda_code,
                penalty: given.values()[l],
                units: given.units(),
                test: Summary::of(&tests),
                train: Summary::of(&trains),
            });
        }
    }
    Ok(out)
}

/// One replicate: (test, train) error for every sorted n and every penalty.
fn replicate(
    sampler: &impl FeatureSampler,
    config: &CheckedCurveConfig,
    r: usize,
) -> Result<Vec<Vec<(f64, f64)>>, SimError> {
    let (p, seed, test) = (config.p, config.config.seed, &config.config.test);
    let mut rng = stream(seed, 2 * r as u64);
    let held_out = match test {
        TestError::HeldOut(m) => {
            let mut test_rng = stream(seed, 2 * r as u64 + 1);
            let mut moments = SecondMoments::new(p);
            let mut left = *m;
            while left > 0 {
                let take = left.min(CHUNK);
                let (x, y) = sampler.sample(&mut test_rng, take);
                moments
                    .add(x.as_ref(), &y)
                    .map_err(|e| in_role(e, "test"))?;
                left -= take;
            }
            Some(moments)
        }
        TestError::Population { .. } => None,
    };
    let mut train = SecondMoments::new(p);
    let mut per_n = Vec::with_capacity(config.sorted_ns.len());
    for &n in &config.sorted_ns {
        while train.count() < n {
            let take = (n - train.count()).min(CHUNK);
            let (x, y) = sampler.sample(&mut rng, take);
            train
                .add(x.as_ref(), &y)
                .map_err(|e| in_role(e, "training"))?;
        }
        let weights = train.ridge_path(&config.lambda_code)?;
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
                    }
                    .map_err(|e| in_role(e, "test"))?;
                    Ok((
                        test_error,
                        train.risk(w).map_err(|e| in_role(e, "training"))?,
                    ))
                })
                .collect::<Result<_, SimError>>()?,
        );
    }
    Ok(per_n)
}

/// Prefixes a not-finite error's subject with the sample's role (`training features`).
fn in_role(e: SimError, role: &str) -> SimError {
    match e {
        SimError::NotFinite { what, quantity } => SimError::NotFinite {
            what: format!("{role} {what}"),
            quantity,
        },
        e => e,
    }
}

/// E y² − 2wᵀψ + wᵀΩw, clipped at 0 against rounding; an error when it is not finite.
fn population_risk(
    omega: &Mat<f64>,
    psi: &[f64],
    label_second_moment: f64,
    w: &[f64],
) -> Result<f64, SimError> {
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
    let risk = label_second_moment - 2.0 * linear + quadratic;
    if risk.is_finite() {
        Ok(risk.max(0.0))
    } else {
        Err(crate::error::not_finite(
            "error",
            format!("the population quadratic form E y² − 2wᵀψ + wᵀΩw = {risk}"),
        ))
    }
}
