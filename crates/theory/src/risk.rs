//! Test error, train error and their parts at one (n, λ) — Theorem 3.1 in κ-form.
//!
//! With κ from the self-consistent equation, aᵢ² = (uᵢᵀψ)², ρ the target power and s²
//! the label-noise variance (SPEC §3.3, §3.5):
//!
//! ```text
//!   1 − D     = λm + (1/n) Σ ωκ/(ω+κ)²                     (a sum of positives)
//!   B         = (ρ − ψᵀΩ⁺ψ) + Σ a²κ²/(ω(ω+κ)²)             (a sum of positives)
//!   bias      = B / (1 − D)
//!   variance  = s² (df₂/n) / (1 − D)
//!   E_gen     = bias + variance                              (paper eq. 12: excess risk)
//!   test      = E_gen + s²                                   (fresh noisy label)
//!   train     = (λm)² · test                                 (SPEC §3.7)
//! ```
//!
//! Both B and 1 − D are written as sums of non-negative terms, so nothing cancels
//! near the interpolation peak n ≈ rank Ω, λ → 0 (SPEC §8.6). B equals the printed
//! numerator ρ − aᵀ(Ω + 2κ)(Ω + κ)⁻²a exactly.

use crate::fixed_point::{Hint, RANGE};
use crate::kernels::risk_sums;
use crate::units::{Penalty, Units};
use crate::{Problem, TheoryError};

/// Everything Theorem 3.1 says at one sample size n and penalty λ.
///
/// All quantities are unit-free except `lambda_code` and the accessors taking
/// [`Units`]. Infinite values are explicit: at λ = 0 and n = rank Ω the test error is
/// +∞ (unless there is neither noise nor misspecification, when it is 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskPoint {
    /// Sample size n.
    pub n: f64,
    /// Penalty in code units λ_c = pλ (0 for the ridgeless limit, +∞ for the null
    /// predictor).
    pub lambda_code: f64,
    /// The penalty exactly as it was asked for (so that λ = 0.1 in paper units is
    /// reported as 0.1, not as 0.1·p/p).
    pub penalty: Penalty,
    /// Feature dimension p, used for unit conversions.
    pub p: usize,
    /// Effective regularisation κ = p/(n m) = 1/(n m_c) (SPEC §3.5); 0 in the
    /// ridgeless limit with n > rank Ω.
    pub kappa: f64,
    /// λm = 1 − df₁/n ∈ \[0, 1\]: the factor by which ridge shrinks training residuals.
    pub lambda_m: f64,
    /// Effective degrees of freedom df₁(κ) = Tr Ω(Ω + κ)⁻¹.
    pub degrees_of_freedom: f64,
    /// 1 − D = 1 − df₂/n, the variance-inflation denominator.
    pub denominator: f64,
    /// The part of the excess risk driven by the target: B/(1 − D).
    pub bias: f64,
    /// The part of the excess risk driven by the label noise: s² D/(1 − D).
    pub variance: f64,
    /// The label-noise variance s².
    pub noise_variance: f64,
    /// Excess risk bias + variance: the paper's E_gen (error against the clean target).
    pub excess_risk: f64,
    /// Test error E(y − ŷ)² on a fresh noisy sample = excess risk + s².
    pub test_error: f64,
    /// Mean squared training residual (λm)² · test error.
    pub train_error: f64,
    /// Root-finder evaluations spent (0 when closed form).
    pub iterations: usize,
}

impl RiskPoint {
    /// The penalty in the given units.
    pub fn lambda(&self, units: Units) -> f64 {
        self.penalty.in_units(units, self.p)
    }

    /// The resolvent scalar m in the given units: m = p/(nκ) (paper), m_c = 1/(nκ)
    /// (code). +∞ in the ridgeless limit with n ≥ rank Ω; 0 for λ = ∞.
    pub fn m(&self, units: Units) -> f64 {
        let mc = if self.kappa == f64::INFINITY {
            0.0
        } else if self.kappa == 0.0 {
            f64::INFINITY
        } else {
            1.0 / (self.n * self.kappa)
        };
        match units {
            Units::Code => mc,
            Units::Paper => mc * self.p as f64,
        }
    }
}

impl Problem {
    /// Theorem 3.1 at sample size `n` and penalty `penalty` (λ ≥ 0; λ = 0 is the
    /// ridgeless limit λ → 0⁺, see [`Problem::ridgeless`]).
    pub fn risk(&self, n: f64, penalty: Penalty) -> Result<RiskPoint, TheoryError> {
        self.risk_warm(n, penalty, Hint::default())
    }

    /// The ridgeless limit λ → 0⁺ (minimum-norm interpolator for n < rank Ω, least
    /// squares for n > rank Ω). At n = rank Ω the test error is +∞ unless both the
    /// noise and the misspecification vanish, in which case it is 0.
    pub fn ridgeless(&self, n: f64) -> Result<RiskPoint, TheoryError> {
        self.risk(n, Penalty::code(0.0))
    }

    /// The limit λ → ∞: the null predictor ŷ = 0.
    pub fn null_predictor(&self, n: f64) -> RiskPoint {
        let test = self.rho + self.noise;
        RiskPoint {
            n,
            lambda_code: f64::INFINITY,
            penalty: Penalty::code(f64::INFINITY),
            p: self.p,
            kappa: f64::INFINITY,
            lambda_m: 1.0,
            degrees_of_freedom: 0.0,
            denominator: 1.0,
            bias: self.rho,
            variance: 0.0,
            noise_variance: self.noise,
            excess_risk: self.rho,
            test_error: test,
            train_error: test,
            iterations: 0,
        }
    }

    pub(crate) fn risk_warm(
        &self,
        n: f64,
        penalty: Penalty,
        hint: Hint,
    ) -> Result<RiskPoint, TheoryError> {
        if !(n.is_finite() && n > 0.0) {
            return Err(TheoryError::InvalidSampleSize(n));
        }
        let lambda_code = penalty.to_code(self.p);
        if lambda_code.is_nan() || lambda_code < 0.0 {
            return Err(TheoryError::InvalidPenalty(penalty.value()));
        }
        if lambda_code == f64::INFINITY {
            return Ok(RiskPoint {
                penalty,
                ..self.null_predictor(n)
            });
        }
        // Internal units: κ and λ relative to ω_max.
        let lambda = lambda_code / self.scale;
        let r = self.rank() as f64;
        if lambda > 0.0 && lambda.ln() - n.ln() > RANGE {
            // κ ≥ λ/n > e^650·ω_max: ridge returns the null predictor to within 1e-282.
            return Ok(RiskPoint {
                penalty,
                lambda_code,
                ..self.null_predictor(n)
            });
        }
        let (kappa, lambda_m, iterations) = if lambda > 0.0 {
            let (kappa, it) = self.solve_kappa(n, lambda, hint)?;
            if kappa == 0.0 {
                // λ negligible next to the spectrum with n > rank: the ridgeless limit.
                (0.0, ((n - r) / n).max(0.0), it)
            } else {
                // λm = 1 − df₁/n ≤ 1; the clamp only removes rounding.
                (kappa, (lambda / (n * kappa)).min(1.0), it)
            }
        } else if n < r {
            match hint.kappa0 {
                Some(k0) => (k0, 0.0, 0),
                None => {
                    let (kappa, it) = self.solve_kappa_ridgeless(n)?;
                    (kappa, 0.0, it)
                }
            }
        } else {
            (0.0, ((n - r) / n).max(0.0), 0)
        };
        let mut point = self.evaluate(n, kappa, lambda_m, iterations);
        point.lambda_code = lambda_code;
        point.penalty = penalty;
        Ok(point)
    }

    /// The error formulas at a solved κ (internal units); the penalty is reconstructed
    /// from κ as λ_c = nκ·λm·ω_max (callers that know it exactly overwrite it).
    pub(crate) fn evaluate(
        &self,
        n: f64,
        kappa: f64,
        lambda_m: f64,
        iterations: usize,
    ) -> RiskPoint {
        let lambda_code = n * kappa * lambda_m * self.scale;
        let (s, shrinkage) = risk_sums(&self.eigenvalues, &self.leverage, kappa);
        let (df1, df2) = if kappa == 0.0 {
            (self.rank() as f64, self.rank() as f64)
        } else {
            (s.df1, s.df2)
        };
        let denominator = lambda_m + s.cross / n;
        let numerator = self.misspecification + if kappa > 0.0 { shrinkage } else { 0.0 };
        let noise_gain = df2 / n;
        let (bias, variance) = if denominator > 0.0 {
            (
                numerator / denominator,
                self.noise * noise_gain / denominator,
            )
        } else {
            // λ = 0 at n = rank Ω: the interpolation peak itself.
            let blow_up = |x: f64| if x > 0.0 { f64::INFINITY } else { 0.0 };
            (blow_up(numerator), blow_up(self.noise))
        };
        let excess_risk = bias + variance;
        let test_error = excess_risk + self.noise;
        // Interpolation (λm = 0) leaves no training residual, even where the test
        // error is infinite.
        let train_error = if lambda_m == 0.0 {
            0.0
        } else {
            lambda_m * lambda_m * test_error
        };
        RiskPoint {
            n,
            lambda_code,
            penalty: Penalty::code(lambda_code),
            p: self.p,
            kappa: kappa * self.scale,
            lambda_m,
            degrees_of_freedom: df1,
            denominator,
            bias,
            variance,
            noise_variance: self.noise,
            excess_risk,
            test_error,
            train_error,
            iterations,
        }
    }
}
