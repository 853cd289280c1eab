//! The optimal penalty λ*(n) = argmin_λ E_test(n, λ), searched over ln λ.
//!
//! The error depends on λ only through κ, and λ_c(κ) = κ(n − df₁(κ)) is explicit, so
//! the search interval is chosen in κ, where the spectrum sets the scale: from
//! κ just above its ridgeless value (κ₀ for n < rank, 10⁻⁶ ω_min for n ≥ rank) to
//! 10⁶ ω_max, where ridge is indistinguishable from the null predictor. A coarse scan on
//! a log-spaced λ grid locates the best bracket (the error is usually, but not
//! provably, unimodal in ln λ — SPEC §8.11); Brent's method refines it. When the scan's
//! minimum sits at an end of the interval the exact limits decide: the ridgeless error
//! at λ = 0, the null predictor at λ = ∞.

use rayon::prelude::*;

use crate::units::Penalty;
use crate::{Problem, RiskPoint, TheoryError};

/// Where the minimum over λ was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
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

const SCAN_POINTS: usize = 41;
const BRENT_TOLERANCE: f64 = 1e-9;
const BRENT_MAX_ITERATIONS: usize = 200;

impl Problem {
    /// The λ minimising the test error at sample size `n` (see the module docs).
    pub fn optimal_penalty(&self, n: f64) -> Result<OptimalPoint, TheoryError> {
        if !(n.is_finite() && n > 0.0) {
            return Err(TheoryError::InvalidSampleSize(n));
        }
        if self.rank() == 0 {
            return Ok(OptimalPoint {
                point: self.null_predictor(n),
                optimum: Optimum::LambdaToInfinity,
            });
        }
        let (ln_lo, ln_hi) = self.search_interval(n)?;
        let mut warm = None;
        let mut eval = |ln_lambda: f64| -> Result<RiskPoint, TheoryError> {
            let point = self.risk_warm(n, Penalty::code(ln_lambda.exp()), warm)?;
            warm = Some(point.kappa);
            Ok(point)
        };
        let grid: Vec<f64> = (0..SCAN_POINTS)
            .map(|i| ln_lo + (ln_hi - ln_lo) * i as f64 / (SCAN_POINTS - 1) as f64)
            .collect();
        let mut values = Vec::with_capacity(SCAN_POINTS);
        for &x in &grid {
            values.push(eval(x)?.test_error);
        }
        let best = (0..SCAN_POINTS)
            .min_by(|&i, &j| values[i].total_cmp(&values[j]))
            .expect("non-empty grid");
        let ridgeless = self.ridgeless(n)?;
        let null = self.null_predictor(n);
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
        let step = grid[1] - grid[0];
        let a = if best == 0 {
            grid[0] - 10.0 * step
        } else {
            grid[best - 1]
        };
        let b = if best == SCAN_POINTS - 1 {
            grid[best] + 10.0 * step
        } else {
            grid[best + 1]
        };
        let x = brent_minimise(
            |x| eval(x).map(|p| p.test_error),
            a,
            grid[best],
            b,
            values[best],
        )?;
        let point = self.risk(n, Penalty::code(x.exp()))?;
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

    /// ln λ_c bounds of the scan (see the module docs).
    fn search_interval(&self, n: f64) -> Result<(f64, f64), TheoryError> {
        let r = self.rank() as f64;
        let smallest = self.eigenvalues[0];
        let largest = *self.eigenvalues.last().expect("rank > 0");
        let kappa_lo = if n < r {
            let (k0, _) = self.solve_kappa_ridgeless(n)?;
            k0 * (1.0 + 1e-6)
        } else {
            1e-6 * smallest
        };
        let kappa_hi = 1e6 * largest;
        let lambda_of = |kappa: f64| kappa * (n - self.sums(kappa).df1);
        let lo = lambda_of(kappa_lo);
        let hi = lambda_of(kappa_hi);
        // lo > 0 by construction; guard against rounding at κ₀.
        let lo = if lo > 0.0 { lo } else { hi * 1e-30 };
        Ok((lo.ln(), hi.ln()))
    }
}

/// Brent's method for a minimum of `f` inside [a, b], starting from the best scanned
/// point `x` with value `fx` (golden-section steps with parabolic acceleration).
fn brent_minimise(
    mut f: impl FnMut(f64) -> Result<f64, TheoryError>,
    mut a: f64,
    x: f64,
    mut b: f64,
    fx: f64,
) -> Result<f64, TheoryError> {
    const GOLDEN: f64 = 0.381_966_011_250_105_1;
    let (mut x, mut w, mut v) = (x, x, x);
    let (mut fx, mut fw, mut fv) = (fx, fx, fx);
    let (mut d, mut e) = (0.0f64, 0.0f64);
    for _ in 0..BRENT_MAX_ITERATIONS {
        let mid = 0.5 * (a + b);
        let tol1 = BRENT_TOLERANCE * x.abs() + 1e-12;
        let tol2 = 2.0 * tol1;
        if (x - mid).abs() <= tol2 - 0.5 * (b - a) {
            return Ok(x);
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
        let fu = f(u)?;
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
    Ok(x)
}
