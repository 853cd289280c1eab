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

use crate::kernels::{SpectralSums, compensated_shortfall, spectral_sums};
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

    /// q(κ) = 1 − df₁/n and dq/d(ln κ) = Σ ωκ/(ω+κ)²/n, in internal units.
    ///
    /// For n ≥ rank, q = ((n − r) + Σ κ/(ω+κ))/n is a sum of non-negative terms. For
    /// n < rank, q is a small difference near the root; it is then computed as
    /// (n − Σ ω/(ω+κ))/n with a compensated sum, whose rounding error is a few ulps of
    /// n (at the root df₁ ≤ n) rather than of the rank.
    pub(crate) fn q_and_slope(&self, n: f64, kappa: f64) -> (f64, f64) {
        let r = self.rank() as f64;
        if n >= r {
            let s = self.sums(kappa);
            return (((n - r) + s.complement) / n, s.cross / n);
        }
        let (shortfall, cross) = compensated_shortfall(&self.eigenvalues, kappa, n);
        (shortfall / n, cross / n)
    }

    /// Solves eq. 8 for κ at sample size `n` and penalty `lambda` > 0, both κ and λ in
    /// internal units (divided by `scale`).
    ///
    /// The [`Hint`] (a κ from a nearby (n, λ), a cached κ₀) only saves work.
    /// Returns κ and the number of function evaluations used, the ridgeless root κ₀
    /// included when n < rank and it was not cached; the total never exceeds
    /// [`MAX_ITERATIONS`].
    pub(crate) fn solve_kappa(
        &self,
        n: f64,
        lambda: f64,
        hint: Hint,
    ) -> Result<(f64, usize), TheoryError> {
        debug_assert!(n > 0.0 && lambda > 0.0);
        let fail = |detail: String| TheoryError::NoConvergence {
            n,
            lambda_code: lambda * self.scale,
            detail,
        };
        let r = self.rank() as f64;
        // Bracket from eq. 10, in logarithms so that extreme n and λ cannot overflow.
        let mut ln_lower = lambda.ln() - n.ln();
        if self.rank() == 0 {
            return Ok((ln_lower.exp(), 0));
        }
        let mut ln_upper = (lambda + self.trace).ln() - n.ln();
        if n > r {
            ln_upper = ln_upper.min(lambda.ln() - (n - r).ln());
        }
        if n > r && ln_upper < -RANGE {
            // κ = λ/(n − r)·(1 + O(κ/ω_min)) with κ < e^-RANGE·ω_max: the correction
            // is below f64 resolution (an underflow to 0 means the ridgeless limit).
            return Ok((lambda / (n - r), 0));
        }
        if n == r {
            // The root is ~√λ ≥ e^-RANGE/2 here; only the analytic lower bound may
            // leave the range of f64.
            ln_lower = ln_lower.max(-RANGE);
        }
        let target = lambda.ln() - n.ln();
        let warm_start = hint.warm_start.filter(|k| k.is_finite() && *k > 0.0);
        if n >= r {
            check_range(ln_lower, ln_upper).map_err(fail)?;
            let eval = |u: f64| -> Option<(f64, f64)> {
                let (q, slope) = self.q_and_slope(n, u.exp());
                (q > 0.0).then(|| (u + q.ln() - target, 1.0 + slope / q))
            };
            let start = match warm_start {
                Some(k) => k.ln(),
                // The small-λ asymptote κ ≈ λ/(n − r) when it exists.
                None if n > r => lambda.ln() - (n - r).ln(),
                None => ln_upper,
            };
            return safeguarded_newton(eval, ln_lower, ln_upper, start, |_| 1.0, MAX_ITERATIONS)
                .map(|(u, it)| (u.exp(), it))
                .map_err(fail);
        }
        // n < rank: κ > κ₀ (the ridgeless root) and q vanishes linearly at κ₀, so
        // iterate on v = ln(κ − κ₀), in which F is again close to linear for every λ.
        let (kappa0, it0) = match hint.kappa0 {
            Some(k0) => (k0, 0),
            // Report a failure against the penalty asked for, not the λ = 0 of the
            // auxiliary ridgeless root.
            None => self.solve_kappa_ridgeless(n).map_err(|e| match e {
                TheoryError::NoConvergence { detail, .. } => fail(format!(
                    "the ridgeless root κ₀ it is bracketed by: {detail}"
                )),
                other => other,
            })?,
        };
        let upper = ln_upper.exp().max(kappa0 * (1.0 + 1e-12));
        let eval = |v: f64| -> Option<(f64, f64)> {
            let excess = v.exp();
            let kappa = kappa0 + excess;
            let (q, slope) = self.q_and_slope(n, kappa);
            (q > 0.0).then(|| {
                let value = kappa.ln() + q.ln() - target;
                (value, (1.0 + slope / q) * excess / kappa)
            })
        };
        // First order in λ: q ≈ (κ − κ₀) S/n with S = Σ ω/(ω+κ₀)², and q = λ/(nκ); with
        // S κ₀² = Σ ω (κ₀/(ω+κ₀))² computed without under- or overflow.
        let s_scaled: f64 = self
            .eigenvalues
            .iter()
            .map(|w| {
                let t = kappa0 / (w + kappa0);
                w * t * t
            })
            .sum();
        let ln_linear = lambda.ln() + kappa0.ln() - s_scaled.ln();
        let v_hi = (upper - kappa0).ln();
        // κ − κ₀ ≥ λ/(κ_max S(κ₀)) since S decreases in κ.
        let v_lo = (ln_linear + kappa0.ln() - upper.ln()).min(ln_linear - std::f64::consts::LN_2);
        // Below κ₀·e^-80 an excess is invisible next to κ₀ in f64.
        let v_floor = kappa0.ln() - 80.0;
        if v_hi <= v_floor || ln_linear < v_floor {
            return Ok((kappa0, it0));
        }
        let v_lo = v_lo.max(v_floor);
        check_range(v_lo, v_hi).map_err(fail)?;
        let start = match warm_start {
            Some(k) if k > kappa0 => (k - kappa0).ln(),
            _ => ln_linear.min(v_hi),
        };
        let relative = |v: f64| {
            let excess = v.exp();
            excess / (kappa0 + excess)
        };
        safeguarded_newton(eval, v_lo, v_hi, start, relative, MAX_ITERATIONS - it0)
            .map(|(v, it)| (kappa0 + v.exp(), it + it0))
            .map_err(fail)
    }

    /// The ridgeless limit of κ for n < rank Ω, in internal units: the root κ₀ of
    /// df₁(κ₀) = n.
    pub(crate) fn solve_kappa_ridgeless(&self, n: f64) -> Result<(f64, usize), TheoryError> {
        let r = self.rank() as f64;
        debug_assert!(n < r);
        let fail = |detail: String| TheoryError::NoConvergence {
            n,
            lambda_code: 0.0,
            detail,
        };
        let smallest = self.eigenvalues[0];
        // df₁ ≤ Tr Ω/κ and df₁ ≥ r ω_min/(ω_min + κ) bound κ₀.
        let ln_lower = smallest.ln() + (r - n).ln() - n.ln();
        let ln_upper = self.trace.ln() - n.ln();
        check_range(ln_lower, ln_upper).map_err(fail)?;
        let ln_n = n.ln();
        // G(u) = ln n − ln df₁(e^u), increasing in u.
        let eval = |u: f64| -> Option<(f64, f64)> {
            let s = self.sums(u.exp());
            Some((ln_n - s.df1.ln(), s.cross / s.df1))
        };
        safeguarded_newton(eval, ln_lower, ln_upper, ln_upper, |_| 1.0, MAX_ITERATIONS)
            .map(|(u, it)| (u.exp(), it))
            .map_err(fail)
    }
}

/// |ln(κ/ω_max)| beyond which κ is treated as 0 or ∞ (e^650 ≈ 1e282).
pub(crate) const RANGE: f64 = 650.0;

/// κ (internal units, i.e. relative to ω_max) must stay well inside the range of f64
/// for the sums to be meaningful; n and λ that push it out are reported, not guessed.
fn check_range(lo: f64, hi: f64) -> Result<(), String> {
    const LIMIT: f64 = RANGE + 1.0;
    if lo.is_finite() && hi.is_finite() && lo > -LIMIT && hi < LIMIT {
        Ok(())
    } else {
        Err(format!(
            "κ/ω_max would leave [1e-282, 1e282] (bracket [{lo:.3}, {hi:.3}] in ln κ): n and λ are too extreme for the spectrum"
        ))
    }
}

/// Newton's method on an increasing function, safeguarded by bisection inside a
/// bracket \[lo, hi\] with f(lo) ≤ 0 ≤ f(hi). `f` returns `None` where it is undefined,
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
    budget: usize,
) -> Result<(f64, usize), String> {
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(format!("invalid bracket [{lo}, {hi}]"));
    }
    if lo > hi {
        // The analytic bounds crossed by rounding: they pin the root.
        (lo, hi) = (hi, lo);
    }
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
        start.max(lo).min(hi)
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
        if evaluations.get() >= budget {
            return Err(format!(
                "no convergence within {MAX_ITERATIONS} evaluations (bracket [{lo}, {hi}] in ln κ)"
            ));
        }
        (value, slope) = eval(u);
    }
}
