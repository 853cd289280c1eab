//! The losses of the Gaussian-covariate-model equations and their proximal maps.
//!
//! For a loss ℓ(y, z), a label y and a "cavity" field ω, the proximal map at
//! strength V is
//!
//! ```text
//!     prox(ω) = argmin_z  ℓ(y, z) + (z − ω)² / (2V),
//! ```
//!
//! and the equations need f = (prox − ω)/V, its derivative ∂_ω f and the loss at
//! the proximal point (SPEC §5.5, eq. 201 and its ridge case eq. 197):
//!
//! * square ℓ = ½(y − z)²: prox = (ω + Vy)/(1 + V), in closed form;
//! * logistic ℓ = log(1 + e^{−yz}) (y = ±1): with t = y·prox, t solves
//!   t = yω + V σ(−t) (σ the logistic function), a strictly monotone equation on
//!   [yω, yω + V] solved by safeguarded Newton; ∂_ω f = −ℓ''/(1 + Vℓ'');
//! * hinge ℓ = max(0, 1 − yz) (y = ±1): piecewise in closed form, with kinks at
//!   yω = 1 and yω = 1 − V (the quadrature splits there).

use dsrf_linalg::{sigmoid, softplus};

/// The per-sample loss of the empirical risk Σ_μ ℓ(y_μ, wᵀφ_μ) + (λ_c/2)‖w‖².
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Loss {
    /// ½(y − z)²: ridge regression, the same estimator as Theorem 3.1's.
    Square,
    /// log(1 + e^{−yz}) for labels ±1: L2-regularised logistic regression.
    Logistic,
    /// max(0, 1 − yz) for labels ±1: the soft-margin support vector machine.
    Hinge,
}

/// What the equations need of a loss at one (y, ω): f = (prox − ω)/V, −∂_ω f and
/// ℓ(y, prox).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Proximal {
    pub f: f64,
    pub minus_df: f64,
    pub loss: f64,
    /// The proximal point itself (its sign is the training prediction).
    pub z: f64,
}

/// Largest Newton steps for the logistic proximal map (it converges in ≈ 5).
const NEWTON_STEPS: usize = 100;

impl Loss {
    /// The name used in files and messages.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Square => "square",
            Loss::Logistic => "logistic",
            Loss::Hinge => "hinge",
        }
    }

    /// ℓ(y, z).
    pub fn value(self, y: f64, z: f64) -> f64 {
        match self {
            Loss::Square => 0.5 * (y - z) * (y - z),
            Loss::Logistic => softplus(-y * z),
            Loss::Hinge => (1.0 - y * z).max(0.0),
        }
    }

    /// Whether the loss needs labels ±1.
    pub fn needs_binary_labels(self) -> bool {
        !matches!(self, Loss::Square)
    }

    /// The proximal quantities at label y, field ω and strength V > 0.
    pub(crate) fn proximal(self, y: f64, omega: f64, v: f64) -> Proximal {
        match self {
            Loss::Square => {
                let z = (omega + v * y) / (1.0 + v);
                Proximal {
                    f: (y - omega) / (1.0 + v),
                    minus_df: 1.0 / (1.0 + v),
                    loss: 0.5 * (y - z) * (y - z),
                    z,
                }
            }
            Loss::Logistic => {
                let t = logistic_margin(y * omega, v);
                let (s_plus, s_minus) = (sigmoid(t), sigmoid(-t));
                let curvature = s_plus * s_minus;
                Proximal {
                    f: y * s_minus,
                    minus_df: curvature / (1.0 + v * curvature),
                    loss: softplus(-t),
                    z: y * t,
                }
            }
            Loss::Hinge => {
                let t0 = y * omega;
                if t0 >= 1.0 {
                    Proximal {
                        f: 0.0,
                        minus_df: 0.0,
                        loss: 0.0,
                        z: omega,
                    }
                } else if t0 > 1.0 - v {
                    Proximal {
                        f: (y - omega) / v,
                        minus_df: 1.0 / v,
                        loss: 0.0,
                        z: y,
                    }
                } else {
                    Proximal {
                        f: y,
                        minus_df: 0.0,
                        loss: 1.0 - t0 - v,
                        z: omega + v * y,
                    }
                }
            }
        }
    }

    /// The fields ω where the proximal quantities are not smooth, for label y.
    pub(crate) fn kinks(self, y: f64, v: f64) -> [f64; 2] {
        match self {
            Loss::Hinge => [y, y * (1.0 - v)],
            Loss::Square | Loss::Logistic => [f64::NAN; 2],
        }
    }
}

/// The root t of t = t₀ + V σ(−t): in [t₀, t₀ + V], strictly increasing residual
/// with slope 1 + Vσ(t)σ(−t) ∈ [1, 1 + V/4]. The residual changes convexity at
/// t = 0, where plain Newton can cycle for large V; so Newton runs inside the
/// bracket and a step that leaves it or does not halve the previous step is replaced
/// by bisection (Numerical Recipes' `rtsafe`), to the last bits.
fn logistic_margin(t0: f64, v: f64) -> f64 {
    let residual = |t: f64| t - t0 - v * sigmoid(-t);
    let (mut lo, mut hi) = (t0, t0 + v);
    let mut t = t0 + v * sigmoid(-t0);
    let mut step_before = hi - lo;
    let mut step = step_before;
    for _ in 0..NEWTON_STEPS {
        let r = residual(t);
        if r == 0.0 {
            return t;
        }
        if r > 0.0 {
            hi = t;
        } else {
            lo = t;
        }
        let slope = 1.0 + v * sigmoid(t) * sigmoid(-t);
        let newton = t - r / slope;
        let next = if newton > lo && newton < hi && (2.0 * r).abs() <= (step_before * slope).abs() {
            newton
        } else {
            0.5 * (lo + hi)
        };
        step_before = step;
        step = next - t;
        if step.abs() <= 4.0 * f64::EPSILON * t.abs().max(1.0)
            || hi - lo <= 4.0 * f64::EPSILON * t.abs().max(1.0)
        {
            return next;
        }
        t = next;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The proximal point minimises ℓ(y, z) + (z − ω)²/(2V): checked against a fine
    /// scan, and f, ∂_ω f against finite differences.
    #[test]
    fn proximal_maps_minimise_and_differentiate() {
        for loss in [Loss::Square, Loss::Logistic, Loss::Hinge] {
            for &(y, omega, v) in &[
                (1.0, 0.35, 0.7),
                (-1.0, 0.3, 2.0),
                (1.0, -2.5, 0.1),
                (-1.0, 4.0, 4.5),
                (1.0, 0.95, 0.5),
            ] {
                let p = loss.proximal(y, omega, v);
                let objective = |z: f64| loss.value(y, z) + (z - omega).powi(2) / (2.0 * v);
                let best = (0..=200_000)
                    .map(|i| omega - 10.0 + 20.0 * i as f64 / 200_000.0)
                    .map(|z| (objective(z), z))
                    .fold((f64::INFINITY, 0.0), |a, b| if b.0 < a.0 { b } else { a });
                assert!(
                    objective(p.z) <= best.0 + 1e-9,
                    "{loss:?} y={y} ω={omega}: {} vs scan {}",
                    objective(p.z),
                    best.0
                );
                assert!((p.f - (p.z - omega) / v).abs() < 1e-12);
                assert!((p.loss - loss.value(y, p.z)).abs() < 1e-12);
                let h = 1e-6;
                let fd = (loss.proximal(y, omega + h, v).f - loss.proximal(y, omega - h, v).f)
                    / (2.0 * h);
                assert!(
                    (p.minus_df + fd).abs() < 1e-6,
                    "{loss:?} ∂f: {} vs {}",
                    -p.minus_df,
                    fd
                );
            }
        }
    }

    #[test]
    fn logistic_margin_is_exact_in_extreme_fields() {
        // A grid through the inflection at t = 0, where plain Newton cycles for large
        // V (V = 130, t₀ = −2.64 did), and extreme fields.
        let grid = (0..2000).flat_map(|i| {
            let t0 = -40.0 + 80.0 * i as f64 / 2000.0;
            [1.0, 10.0, 130.0, 1e4].map(move |v| (t0, v))
        });
        for (t0, v) in grid.chain([(-50.0, 1e-3), (50.0, 10.0), (0.0, 1e6), (-700.0, 3.0)]) {
            let t = logistic_margin(t0, v);
            let residual = t - t0 - v * sigmoid(-t);
            assert!(
                residual.abs() <= 1e-12 * (1.0 + t.abs()),
                "t0={t0} V={v}: {residual}"
            );
        }
    }
}
