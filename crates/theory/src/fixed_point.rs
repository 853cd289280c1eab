//! The self-consistent equation (eq. 8) in its κ-form, solved by safeguarded Newton.
//!
//! With κ = p/(n m) (SPEC §3.5) eq. 8 reads
//!
//! ```text
//!     κ · (1 − df₁(κ)/n) = λ_c/n,      df₁(κ) = Σᵢ ωᵢ/(ωᵢ + κ),
//! ```
//!
//! where λ_c = pλ is the penalty in code units. We solve it in u = ln κ as
//!
//! ```text
//!     F(u) = u + ln q(κ) − ln(λ_c/n) = 0,      q(κ) = 1 − df₁(κ)/n = λ m,
//! ```
//!
//! which is strictly increasing in u and close to linear in every asymptotic regime
//! (slope 1 when κ ≫ ω or n > rank, slope 2 at n = rank, a logarithmic wall where
//! q → 0 when n < rank). Newton on F therefore converges in a handful of steps where the
//! authors' plain iteration m ← 1/(λ + ⟨Ω(1 + (n/p)mΩ)⁻¹⟩) needs O(λ^{-1/2}) steps at
//! n = p. The a-priori bounds of eq. 10, λ_c/n ≤ κ ≤ min{(λ_c + Tr Ω)/n, λ_c/(n − rank)},
//! give the bracket that the safeguard falls back to (bisection in u).
//!
//! q is evaluated without cancellation when n ≥ rank, as ((n − r) + Σ κ/(ωᵢ + κ))/n.
//! For n < rank the subtraction is inherent, but the root is then well conditioned in κ
//! (F′ ~ 1/q is large exactly where q is small), so κ keeps full relative accuracy.

use crate::kernels::{SpectralSums, compensated_complement, spectral_sums};
use crate::{Problem, TheoryError};

/// Largest number of function evaluations a solve may use.
pub const MAX_ITERATIONS: usize = 60;
/// Convergence threshold on the Newton step in ln κ (i.e. relative change of κ).
const STEP_TOLERANCE: f64 = 1e-14;

/// Optional knowledge that speeds up a solve without changing its result beyond
/// rounding: a κ from a neighbouring (n, λ) and, for n < rank, the ridgeless root κ₀
/// at this n (shared by every λ).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Hint {
    pub warm_start: Option<f64>,
    pub kappa0: Option<f64>,
}

impl Problem {
    pub(crate) fn sums(&self, kappa: f64) -> SpectralSums {
        spectral_sums(&self.eigenvalues, kappa)
    }

    /// q(κ) = 1 − df₁/n and dq/d(ln κ) = Σ ωκ/(ω+κ)²/n.
    ///
    /// For n < rank, q is a small difference of O(1) numbers near the root; the
    /// complement Σ κ/(ω+κ) is then summed with compensation so that its rounding
    /// error stays at the level of one term instead of growing with the rank.
    pub(crate) fn q_and_slope(&self, n: f64, kappa: f64) -> (f64, f64) {
        let r = self.rank() as f64;
        if n >= r {
            let s = self.sums(kappa);
            return (((n - r) + s.complement) / n, s.cross / n);
        }
        let (q, cross) = compensated_complement(&self.eigenvalues, kappa, n - r);
        (q / n, cross / n)
    }

    /// Solves eq. 8 for κ at sample size `n` and penalty `lambda_code` = λ_c > 0.
    ///
    /// The [`Hint`] (a κ from a nearby (n, λ), a cached κ₀) only saves work.
    /// Returns κ and the number of function evaluations used (including those of the
    /// ridgeless root κ₀ when n < rank and it was not cached).
    pub(crate) fn solve_kappa(
        &self,
        n: f64,
        lambda_code: f64,
        hint: Hint,
    ) -> Result<(f64, usize), TheoryError> {
        let warm_start = hint.warm_start;
        debug_assert!(n > 0.0 && lambda_code > 0.0);
        let r = self.rank() as f64;
        let lower = lambda_code / n;
        if self.rank() == 0 {
            return Ok((lower, 0));
        }
        let mut upper = (lambda_code + self.trace) / n;
        if n > r {
            upper = upper.min(lambda_code / (n - r));
        }
        let target = (lambda_code / n).ln();
        let fail = |detail| TheoryError::NoConvergence {
            n,
            lambda_code,
            detail,
        };
        if n >= r {
            let eval = |u: f64| -> Option<(f64, f64)> {
                let (q, slope) = self.q_and_slope(n, u.exp());
                (q > 0.0).then(|| (u + q.ln() - target, 1.0 + slope / q))
            };
            let start = match warm_start {
                Some(k) if k.is_finite() && k > 0.0 => k.ln(),
                // The small-λ asymptote κ ≈ λ_c/(n − r) when it exists.
                _ if n > r => (lambda_code / (n - r)).ln(),
                _ => upper.ln(),
            };
            return safeguarded_newton(eval, lower.ln(), upper.ln(), start, |_| 1.0)
                .map(|(u, it)| (u.exp(), it))
                .map_err(fail);
        }
        // n < rank: κ > κ₀ (the ridgeless root) and q vanishes linearly at κ₀, so
        // iterate on v = ln(κ − κ₀), in which F is again close to linear for every λ.
        let (kappa0, it0) = match hint.kappa0 {
            Some(k0) => (k0, 0),
            None => self.solve_kappa_ridgeless(n)?,
        };
        let upper = upper.max(kappa0 * (1.0 + 1e-12));
        let eval = |v: f64| -> Option<(f64, f64)> {
            let excess = v.exp();
            let kappa = kappa0 + excess;
            let (q, slope) = self.q_and_slope(n, kappa);
            (q > 0.0).then(|| {
                let value = kappa.ln() + q.ln() - target;
                (value, (1.0 + slope / q) * excess / kappa)
            })
        };
        // First order in λ: q ≈ (κ − κ₀) Σ ω/(ω+κ₀)² / n and q = λ_c/(nκ).
        let s0: f64 = self
            .eigenvalues
            .iter()
            .map(|w| w / ((w + kappa0) * (w + kappa0)))
            .sum();
        let linear = lambda_code / (kappa0 * s0);
        let start = match warm_start {
            Some(k) if k.is_finite() && k > kappa0 => (k - kappa0).ln(),
            _ => linear.min(upper - kappa0).ln(),
        };
        // κ − κ₀ ≥ λ_c/(κ_max S(κ₀)) since S decreases in κ.
        let v_lo = (lambda_code / (upper * s0)).min(0.5 * linear).ln();
        let v_hi = (upper - kappa0).ln();
        let relative = |v: f64| {
            let excess = v.exp();
            excess / (kappa0 + excess)
        };
        safeguarded_newton(eval, v_lo, v_hi, start, relative)
            .map(|(v, it)| (kappa0 + v.exp(), it + it0))
            .map_err(fail)
    }

    /// The ridgeless limit of κ for n < rank Ω: the root κ₀ of df₁(κ₀) = n.
    pub(crate) fn solve_kappa_ridgeless(&self, n: f64) -> Result<(f64, usize), TheoryError> {
        let r = self.rank() as f64;
        debug_assert!(n < r);
        let smallest = self.eigenvalues[0];
        // df₁ ≤ Tr Ω/κ and df₁ ≥ r ω_min/(ω_min + κ) bound κ₀.
        let lower = smallest * (r - n) / n;
        let upper = self.trace / n;
        let ln_n = n.ln();
        // G(u) = ln n − ln df₁(e^u), increasing in u.
        let eval = |u: f64| -> Option<(f64, f64)> {
            let s = self.sums(u.exp());
            Some((ln_n - s.df1.ln(), s.cross / s.df1))
        };
        safeguarded_newton(eval, lower.ln(), upper.ln(), upper.ln(), |_| 1.0)
            .map(|(u, it)| (u.exp(), it))
            .map_err(|detail| TheoryError::NoConvergence {
                n,
                lambda_code: 0.0,
                detail,
            })
    }
}

/// Newton's method on an increasing function, safeguarded by bisection inside a
/// bracket [lo, hi] with f(lo) ≤ 0 ≤ f(hi). `f` returns `None` where it is undefined,
/// which only happens below the root (treated as f = −∞).
///
/// The bracket is widened if rounding made its analytic upper end land on the
/// wrong side. Returns the root and the number of evaluations.
pub(crate) fn safeguarded_newton(
    f: impl Fn(f64) -> Option<(f64, f64)>,
    mut lo: f64,
    mut hi: f64,
    start: f64,
    relative_scale: impl Fn(f64) -> f64,
) -> Result<(f64, usize), String> {
    let evaluations = std::cell::Cell::new(0usize);
    let eval = |u: f64| {
        evaluations.set(evaluations.get() + 1);
        f(u).unwrap_or((f64::NEG_INFINITY, f64::NAN))
    };
    // The upper end comes from an analytic bound; it is checked (and widened if
    // rounding put it below the root) only when the bracket collapses onto it, so a
    // warm-started solve does not pay an extra evaluation.
    let mut hi_checked = false;
    let mut u = if start.is_finite() {
        start.clamp(lo, hi)
    } else {
        0.5 * (lo + hi)
    };
    let (mut value, mut slope) = eval(u);
    if u == hi {
        hi_checked = value >= 0.0;
    }
    // Newton must at least halve the step before last, or we bisect (rtsafe).
    let (mut step_before, mut step) = (hi - lo, hi - lo);
    loop {
        if value == 0.0 {
            return Ok((u, evaluations.get()));
        }
        if value < 0.0 {
            lo = u;
        } else {
            hi = u;
            hi_checked = true;
        }
        let newton = value / slope;
        let use_newton = value.is_finite()
            && slope.is_finite()
            && slope > 0.0
            && u - newton >= lo
            && u - newton <= hi
            && newton.abs() <= 0.5 * step_before.abs();
        let next = if use_newton {
            u - newton
        } else {
            0.5 * (lo + hi)
        };
        (step_before, step) = (step, next - u);
        u = next;
        let scale = relative_scale(u);
        if use_newton && step.abs() * scale <= STEP_TOLERANCE {
            return Ok((u, evaluations.get()));
        }
        if (hi - lo) * scale <= STEP_TOLERANCE || hi - lo <= 4.0 * f64::EPSILON * u.abs() {
            if hi_checked {
                return Ok((u, evaluations.get()));
            }
            let (top, _) = eval(hi);
            if top >= 0.0 {
                return Ok((u, evaluations.get()));
            }
            // Rounding put the analytic bound below the root: move the bracket up.
            let width = 1e-12f64.max(1e-12 * hi.abs());
            lo = hi;
            hi += width;
            u = hi;
            hi_checked = false;
        }
        if evaluations.get() >= MAX_ITERATIONS {
            return Err(format!(
                "no convergence after {MAX_ITERATIONS} evaluations (bracket [{lo}, {hi}] in ln κ)"
            ));
        }
        (value, slope) = eval(u);
    }
}
