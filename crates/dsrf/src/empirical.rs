//! Features → problem: Theorem 3.1's input from a feature matrix and its labels (the
//! authors' `FeatureRidgeRegression.empirical`), and from input moments pushed through
//! given layers (the "lin" theory of trained networks).
//!
//! With features φ₁, …, φ_N (the columns of a p × N matrix, optionally centred by a
//! mean m) and labels y:
//!
//! ```text
//!   Ω̂ = (1/N) Σ (φⱼ − m)(φⱼ − m)ᵀ,   ψ̂ = (1/N) Σ (φⱼ − m) yⱼ,   E y² = (1/N) Σ yⱼ²
//! ```
//!
//! — labels are never centred (as in the authors' code), and all three moments come
//! from the same samples (SPEC §8.7: moments from different samples can form a
//! non-PSD joint covariance and meaningless errors).

use dsrf_linalg::gram_lower;
use dsrf_rainbow::{Layer, VarianceConvention, linearize_label_features};
use dsrf_theory::{CodeForm, Covariance, Problem};
use faer::{Accum, Mat, MatRef};

use crate::budget::{Budget, f64_bytes};
use crate::network::field_error;
use crate::{DsrfError, Result};

/// How features are centred before their moments are taken.
#[derive(Debug, Clone, PartialEq)]
pub enum Centring {
    /// Not at all (Ω̂ is the uncentred second moment, e.g. Ω₀ of raw inputs).
    Uncentred,
    /// By their own sample mean.
    SampleMean,
    /// By a given mean (e.g. that of another split).
    Given(Vec<f64>),
}

/// Ω̂, ψ̂ and E y² of a sample.
#[derive(Debug, Clone)]
pub struct EmpiricalMoments {
    /// Ω̂, p × p, exactly symmetric.
    pub omega: Mat<f64>,
    /// ψ̂, length p.
    pub psi: Vec<f64>,
    /// E y² (labels not centred).
    pub label_second_moment: f64,
    /// The mean that was subtracted (zeros when uncentred).
    pub mean: Vec<f64>,
    /// N.
    pub samples: usize,
}

/// The mean of the columns of `features`.
pub fn column_mean(features: MatRef<'_, f64>) -> Vec<f64> {
    let n = features.ncols() as f64;
    let ones = vec![1.0; features.ncols()];
    weighted_row_sums(features, &ones)
        .into_iter()
        .map(|s| s / n)
        .collect()
}

/// Σⱼ features[i, j] wⱼ for every row i, summed in column order (j = 0, 1, …) but read
/// column by column: the same sums as a row-by-row loop, without its strided reads.
fn weighted_row_sums(features: MatRef<'_, f64>, weights: &[f64]) -> Vec<f64> {
    let mut sums = vec![0.0; features.nrows()];
    for (j, w) in weights.iter().enumerate() {
        for (s, v) in sums.iter_mut().zip(features.col(j).iter()) {
            *s += v * w;
        }
    }
    sums
}

/// `features` with `mean` subtracted from every column.
pub fn centred(features: MatRef<'_, f64>, mean: &[f64]) -> Mat<f64> {
    centred_in_place(features.to_owned(), mean)
}

/// `features` with `mean` subtracted from every column, without a copy.
pub fn centred_in_place(mut features: Mat<f64>, mean: &[f64]) -> Mat<f64> {
    for j in 0..features.ncols() {
        for (v, m) in features.col_as_slice_mut(j).iter_mut().zip(mean) {
            *v -= m;
        }
    }
    features
}

/// Ω̂, ψ̂, E y² of the columns of `features` (p × N) with `labels` (length N).
pub fn empirical_moments(
    features: MatRef<'_, f64>,
    labels: &[f64],
    centring: &Centring,
    budget: &Budget,
) -> Result<EmpiricalMoments> {
    let (p, n) = (features.nrows(), features.ncols());
    if n == 0 || p == 0 {
        return Err(DsrfError::input(
            "features",
            format!("need at least one feature and one sample, got p = {p}, N = {n}"),
        ));
    }
    if labels.len() != n {
        return Err(DsrfError::input(
            "labels",
            format!("{} labels for {n} samples", labels.len()),
        ));
    }
    budget.check_memory(
        &format!("the {p} × {p} feature covariance"),
        f64_bytes((p as u128) * (p as u128) * 2 + (p as u128) * (n as u128)),
    )?;
    check_finite("features", features)?;
    if let Some(i) = labels.iter().position(|y| !y.is_finite()) {
        return Err(DsrfError::input(
            format!("labels[{i}]"),
            "is not a finite number",
        ));
    }
    let mean = match centring {
        Centring::Uncentred => vec![0.0; p],
        Centring::SampleMean => column_mean(features),
        Centring::Given(m) => {
            if m.len() != p {
                return Err(DsrfError::input(
                    "centre",
                    format!("has length {} but the features have {p}", m.len()),
                ));
            }
            m.clone()
        }
    };
    let owned;
    let f = match centring {
        Centring::Uncentred => features,
        _ => {
            owned = centred(features, &mean);
            owned.as_ref()
        }
    };
    // One triangle (half the flops of the full product), mirrored: exactly symmetric.
    let mut lower = Mat::<f64>::zeros(p, p);
    gram_lower(lower.as_mut(), f, Accum::Replace, crate::par());
    let scale = 1.0 / n as f64;
    let omega = Mat::from_fn(p, p, |i, j| scale * lower[(i.max(j), i.min(j))]);
    let psi: Vec<f64> = weighted_row_sums(f, labels)
        .into_iter()
        .map(|s| s / n as f64)
        .collect();
    let label_second_moment = labels.iter().map(|y| y * y).sum::<f64>() / n as f64;
    let moments = EmpiricalMoments {
        omega,
        psi,
        label_second_moment,
        mean,
        samples: n,
    };
    moments.check_finite()?;
    Ok(moments)
}

fn check_finite(what: &str, m: MatRef<'_, f64>) -> Result<()> {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            if !m[(i, j)].is_finite() {
                return Err(DsrfError::input(
                    format!("{what}[{i}][{j}]"),
                    format!("is not a finite number ({})", m[(i, j)]),
                ));
            }
        }
    }
    Ok(())
}

impl EmpiricalMoments {
    /// Overflowing sums are an error, never an infinite moment.
    fn check_finite(&self) -> Result<()> {
        let overflow = |quantity: &str| {
            DsrfError::input(
                quantity,
                "overflows the range of f64: rescale the features or labels",
            )
        };
        if !self.label_second_moment.is_finite() {
            return Err(overflow("E y²"));
        }
        if self.psi.iter().any(|v| !v.is_finite()) {
            return Err(overflow("ψ̂"));
        }
        check_finite("Ω̂", self.omega.as_ref()).map_err(|_| overflow("Ω̂"))
    }

    /// Theorem 3.1's input (code form) with label-noise variance `noise_variance`
    /// (part of E y²; 0 when unknown — it only splits the excess risk off).
    pub fn problem(&self, noise_variance: f64) -> Result<Problem> {
        Ok(CodeForm {
            omega: Covariance::Matrix(self.omega.clone()),
            psi: self.psi.clone(),
            label_second_moment: self.label_second_moment,
            noise_variance,
        }
        .check()?)
    }
}

/// The "lin" theory of given layers (SPEC §4.4): Ω₀ = E x xᵀ (uncentred) and
/// ψ₀ = E x y of `inputs` (d × N) with `labels`, pushed through `layers` by
/// `linearize_label_features`; with E y² of the same labels.
pub fn linearised_problem(
    layers: &[Layer],
    inputs: MatRef<'_, f64>,
    labels: &[f64],
    convention: VarianceConvention,
    budget: &Budget,
) -> Result<Problem> {
    let m = empirical_moments(inputs, labels, &Centring::Uncentred, budget)?;
    let lin = linearize_label_features(m.omega.as_ref(), &m.psi, layers, convention)
        .map_err(field_error)?;
    Ok(CodeForm {
        omega: Covariance::Matrix(lin.omega),
        psi: lin.psi,
        label_second_moment: m.label_second_moment,
        noise_variance: 0.0,
    }
    .check()?)
}
