//! The optimal penalty λ*(n) = argmin_λ E_test(n, λ).
//!
//! The error depends on λ only through κ, and on the admissible range the map
//! κ ↦ λ_c(κ) = κ(n − df₁(κ)) is explicit and strictly increasing (its derivative is
//! n − df₂ > 0). Minimising over ln κ is therefore the same one-dimensional problem as
//! minimising over ln λ — same minimiser, same boundaries — but every evaluation is a
//! single O(p) pass instead of a root solve. The interval runs from κ just above its
//! ridgeless value (κ₀ for n < rank, 10⁻⁶ ω_min otherwise) to 10⁶ ω_max, where ridge is
//! indistinguishable from the null predictor. A coarse log-spaced scan locates the
//! best bracket (the error is usually, but not provably, unimodal — SPEC §8.11);
//! Brent's method refines it. When the scan's minimum sits at an end, the exact limits
//! decide: the ridgeless error at λ = 0, the null predictor at λ = ∞. The reported
//! point is finally recomputed from λ* through the ordinary solver, so it is
//! self-consistent like every other [`RiskPoint`].

use rayon::prelude::*;

use crate::fixed_point::Hint;
use crate::units::Penalty;
use crate::{Problem, RiskPoint, TheoryError};

/// Where the minimum over λ was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Optimum {
    /// A finite λ* > 0 with a smaller error than both limits.
    Interior,
    /// λ* → 0⁺: the ridgeless interpolator is (weakly) best.
    LambdaToZero,
    /// λ* → ∞: the null predictor ŷ = 0 is (weakly) best.
    LambdaToInfinity,
}

/// The result of an optimal-λ search at one n.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimalPoint {
    /// The risk at the minimising λ (λ = 0 or ∞ at a boundary).
    pub point: RiskPoint,
    /// Whether the minimum is interior or a limit.
    pub optimum: Optimum,
}

const SCAN_POINTS: usize = 31;
const BRENT_TOLERANCE: f64 = 1e-10;
const BRENT_MAX_ITERATIONS: usize = 200;

impl Problem {
    /// The λ minimising the test error at sample size `n` (see the module docs).
    pub fn optimal_penalty(&self, n: f64) -> Result<OptimalPoint, TheoryError> {
        if !(n.is_finite() && n > 0.0) {
            return Err(TheoryError::InvalidSampleSize(n));
        }
        let null = self.null_predictor(n);
        if self.rank() == 0 {
            return Ok(OptimalPoint {
                point: null,
                optimum: Optimum::LambdaToInfinity,
            });
        }
        let r = self.rank() as f64;
        let kappa0 = if n < r {
            Some(self.solve_kappa_ridgeless(n)?.0)
        } else {
            None
        };
        let hint = Hint {
            warm_start: None,
            kappa0,
        };
        let ridgeless = self.risk_warm(n, Penalty::code(0.0), hint)?;
        let ln_lo = match kappa0 {
            Some(k0) => (k0 * (1.0 + 1e-6)).ln(),
            None => (1e-6 * self.eigenvalues[0]).ln(),
        };
        let ln_hi = (1e6 * self.eigenvalues[self.eigenvalues.len() - 1]).ln();
        let error_at = |t: f64| self.error_at_kappa(n, t.exp());
        let grid: Vec<f64> = (0..SCAN_POINTS)
            .map(|i| ln_lo + (ln_hi - ln_lo) * i as f64 / (SCAN_POINTS - 1) as f64)
            .collect();
        let values: Vec<f64> = grid.iter().map(|&t| error_at(t)).collect();
        let best = (0..SCAN_POINTS)
            .min_by(|&i, &j| values[i].total_cmp(&values[j]))
            .expect("non-empty grid");
        if best == SCAN_POINTS - 1 && null.test_error <= values[best] {
            return Ok(OptimalPoint {
                point: null,
                optimum: Optimum::LambdaToInfinity,
            });
        }
        if best == 0 && ridgeless.test_error <= values[0] {
            return Ok(OptimalPoint {
                point: ridgeless,
                optimum: Optimum::LambdaToZero,
            });
        }
        let a = grid[best.saturating_sub(1)];
        let b = grid[(best + 1).min(SCAN_POINTS - 1)];
        let t = brent_minimise(error_at, a, grid[best], b, values[best]);
        let kappa = t.exp();
        let lambda_code = n * kappa * self.q_and_slope(n, kappa).0.max(0.0) * self.scale;
        let point = if lambda_code > 0.0 {
            let hint = Hint {
                warm_start: Some(kappa),
                kappa0,
            };
            self.risk_warm(n, Penalty::code(lambda_code), hint)?
        } else {
            ridgeless
        };
        // The limits can still win (e.g. a flat error); report them honestly.
        if ridgeless.test_error <= point.test_error {
            return Ok(OptimalPoint {
                point: ridgeless,
                optimum: Optimum::LambdaToZero,
            });
        }
        if null.test_error <= point.test_error {
            return Ok(OptimalPoint {
                point: null,
                optimum: Optimum::LambdaToInfinity,
            });
        }
        Ok(OptimalPoint {
            point,
            optimum: Optimum::Interior,
        })
    }

    /// [`Problem::optimal_penalty`] for many n, in parallel.
    pub fn optimal_curve(&self, ns: &[f64]) -> Result<Vec<OptimalPoint>, TheoryError> {
        ns.par_iter().map(|&n| self.optimal_penalty(n)).collect()
    }

    /// The test error at effective regularisation κ (internal units; admissible:
    /// κ > κ₀ for n < rank).
    fn error_at_kappa(&self, n: f64, kappa: f64) -> f64 {
        let lambda_m = self.q_and_slope(n, kappa).0.max(0.0);
        self.evaluate(n, kappa, lambda_m, 0).test_error
    }
}

/// Brent's method for a minimum of `f` inside \[a, b\], starting from the best scanned
/// point `x` with value `fx` (golden-section steps with parabolic acceleration).
fn brent_minimise(f: impl Fn(f64) -> f64, mut a: f64, x: f64, mut b: f64, fx: f64) -> f64 {
    const GOLDEN: f64 = 0.381_966_011_250_105_1;
    let (mut x, mut w, mut v) = (x, x, x);
    let (mut fx, mut fw, mut fv) = (fx, fx, fx);
    let (mut d, mut e) = (0.0f64, 0.0f64);
    for _ in 0..BRENT_MAX_ITERATIONS {
        let mid = 0.5 * (a + b);
        let tol1 = BRENT_TOLERANCE * x.abs() + 1e-12;
        let tol2 = 2.0 * tol1;
        if (x - mid).abs() <= tol2 - 0.5 * (b - a) {
            return x;
        }
        let mut golden = true;
        if e.abs() > tol1 {
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            }
            q = q.abs();
            if p.abs() < (0.5 * q * e).abs() && p > q * (a - x) && p < q * (b - x) {
                e = d;
                d = p / q;
                let u = x + d;
                if u - a < tol2 || b - u < tol2 {
                    d = tol1.copysign(mid - x);
                }
                golden = false;
            }
        }
        if golden {
            e = if x >= mid { a - x } else { b - x };
            d = GOLDEN * e;
        }
        let u = if d.abs() >= tol1 {
            x + d
        } else {
            x + tol1.copysign(d)
        };
        let fu = f(u);
        if fu <= fx {
            if u >= x {
                a = x;
            } else {
                b = x;
            }
            (v, w, x) = (w, x, u);
            (fv, fw, fx) = (fw, fx, fu);
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                (v, w) = (w, u);
                (fv, fw) = (fw, fu);
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        }
    }
    x
}
