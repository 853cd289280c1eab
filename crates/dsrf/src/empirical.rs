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
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

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
#[derive(Debug, Clone, PartialEq)]
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

    /// The mean squared error (1/N) Σⱼ (yⱼ − wᵀφⱼ)² on the samples these moments are of
    /// (φ centred as they were), for every column w of `readouts` (p × L), from the
    /// moments alone:
    ///
    /// ```text
    ///   (1/N) Σⱼ (yⱼ − wᵀφⱼ)² = E y² − 2 wᵀψ̂ + wᵀΩ̂w
    /// ```
    ///
    /// — p² L flops against the p N L of predicting every sample, so a held-out set
    /// reduced to its moments once scores any number of fits cheaply. The rounding
    /// error is that of the three terms, ε (E y² + 2|wᵀψ̂| + wᵀΩ̂w) up to a factor of
    /// order p: small relative to the error itself unless the error is far below those
    /// terms (a fit that explains nearly all of E y²). Such a fit can come out
    /// slightly negative, which a sum of squares cannot be: it is clipped at 0, as
    /// dsrf-sim's moment risks are; a form that is not finite (readouts so large that
    /// wᵀΩ̂w overflows) is an error, never a clipped or infinite error.
    pub fn mean_squared_errors(&self, readouts: MatRef<'_, f64>, par: Par) -> Result<Vec<f64>> {
        let p = self.psi.len();
        if self.omega.shape() != (p, p) {
            return Err(DsrfError::input(
                "omega",
                format!("is {:?} but ψ̂ has length {p}", self.omega.shape()),
            ));
        }
        if readouts.nrows() != p {
            return Err(DsrfError::input(
                "readouts",
                format!(
                    "have {} rows but the moments are of p = {p} features",
                    readouts.nrows()
                ),
            ));
        }
        let mut omega_w = Mat::<f64>::zeros(p, readouts.ncols());
        matmul(
            omega_w.as_mut(),
            Accum::Replace,
            self.omega.as_ref(),
            readouts,
            1.0,
            par,
        );
        (0..readouts.ncols())
            .map(|l| {
                let (w, ow) = (readouts.col(l), omega_w.col(l));
                let (mut cross, mut quadratic) = (0.0, 0.0);
                for i in 0..p {
                    cross += w[i] * self.psi[i];
                    quadratic += w[i] * ow[i];
                }
                let error = self.label_second_moment - 2.0 * cross + quadratic;
                if error.is_finite() {
                    Ok(error.max(0.0))
                } else {
                    Err(DsrfError::input(
                        format!("readouts[{l}]"),
                        format!("give E y² − 2wᵀψ̂ + wᵀΩ̂w = {error}, not a finite number"),
                    ))
                }
            })
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subsets::mse_per_penalty;

    /// The moment identity against predicting every sample, for readouts from 10⁻² to
    /// 10 (errors from about E y² to far above it), with the features centred.
    #[test]
    fn errors_from_moments_match_predicting_every_sample() {
        let (p, n) = (7, 40);
        let x = Mat::from_fn(p, n, |i, j| {
            ((i * 13 + j * 7) % 17) as f64 / 17.0 + 0.1 * i as f64
        });
        let y: Vec<f64> = (0..n).map(|j| ((j * 5) % 9) as f64 / 4.0 - 1.0).collect();
        let moments =
            empirical_moments(x.as_ref(), &y, &Centring::SampleMean, &Budget::unlimited()).unwrap();
        let centred_x = centred(x.as_ref(), &moments.mean);
        let w = Mat::from_fn(p, 4, |i, l| {
            10f64.powi(l as i32 - 2) * (((i * 3 + l) % 5) as f64 - 2.0)
        });
        let direct = mse_per_penalty(w.as_ref(), centred_x.as_ref(), &y);
        let from_moments = moments.mean_squared_errors(w.as_ref(), Par::Seq).unwrap();
        for (a, b) in from_moments.iter().zip(&direct) {
            assert!((a - b).abs() <= 1e-12 * b.max(1.0), "{a} vs {b}");
        }
        // w = 0 gives E y² exactly.
        let zero = moments
            .mean_squared_errors(Mat::zeros(p, 1).as_ref(), Par::Seq)
            .unwrap();
        assert_eq!(zero[0], moments.label_second_moment);
        let wrong = moments.mean_squared_errors(Mat::zeros(p + 1, 1).as_ref(), Par::Seq);
        assert!(wrong.unwrap_err().to_string().contains("readouts"));
        let misshapen = EmpiricalMoments {
            omega: Mat::zeros(p, p - 1),
            ..moments.clone()
        };
        let refused = misshapen.mean_squared_errors(w.as_ref(), Par::Seq);
        assert!(refused.unwrap_err().to_string().contains("omega"));
        // Readouts whose quadratic form overflows are an error naming the column.
        let huge = Mat::from_fn(p, 2, |_, l| if l == 1 { 1e300 } else { 0.0 });
        let overflow = moments.mean_squared_errors(huge.as_ref(), Par::Seq);
        assert!(overflow.unwrap_err().to_string().contains("readouts[1]"));
        // The exact least-squares fit of y on one feature, with y = 3 φ₀ exactly: the
        // error is 0 up to rounding, and never below it.
        let exact_y: Vec<f64> = (0..n).map(|j| 3.0 * centred_x[(0, j)]).collect();
        let exact = empirical_moments(
            centred_x.as_ref(),
            &exact_y,
            &Centring::Uncentred,
            &Budget::unlimited(),
        )
        .unwrap();
        let w3 = Mat::from_fn(p, 1, |i, _| if i == 0 { 3.0 } else { 0.0 });
        let e = exact.mean_squared_errors(w3.as_ref(), Par::Seq).unwrap()[0];
        assert!(
            (0.0..=1e-14 * exact.label_second_moment).contains(&e),
            "{e}"
        );
    }
}
