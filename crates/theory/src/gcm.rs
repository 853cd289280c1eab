//! Beyond ridge: the replica fixed point of the Gaussian covariate model (GCM) for a
//! convex loss (precursor arXiv:2302.00401, Conjectures 4.2/4.3 and App. D; SPEC §5.5;
//! the equations of Loureiro et al. 2021 written in eigen-sums).
//!
//! Code units throughout: the estimator minimises Σ_μ ℓ(y_μ, wᵀφ_μ) + (λ_c/2)‖w‖²
//! over n samples (the precursor's Σℓ(y, θᵀφ/√p) + (λ/2)‖θ‖² with λ_c = pλ; for the
//! square loss ½(y − z)² this is exactly Theorem 3.1's ridge estimator).
//! The labels are a function of the teacher field ν (variance ρ, E[φν] = ψ): y = ν + ε
//! ([`Labels::Linear`]) or y = ±sign(ν + ε) ([`Labels::Sign`], the sign flipped with
//! probability `flip`), ε ~ 𝒩(0, s²) with the problem's noise variance.
//!
//! With the student field z = wᵀφ, the overlaps are q = E z², m = E zν and V (the
//! susceptibility). In Ω's eigenbasis (ωᵢ, aᵢ² = (uᵢᵀψ)²) the regulariser side is
//!
//! ```text
//!   V = Σ ωᵢ/(λ_c + V̂ωᵢ),   m = m̂ Σ aᵢ²/(λ_c + V̂ωᵢ),
//!   q = Σ (q̂ωᵢ + m̂²aᵢ²) ωᵢ/(λ_c + V̂ωᵢ)²,
//! ```
//!
//! and the loss side, with ξ ~ 𝒩(0, 1), ω = √q ξ, the teacher's conditional mean
//! μ = mξ/√q and variance v = ρ − m²/q + s², Z(y | μ, v) the label's probability,
//! f = (prox − ω)/V ([`Loss`]):
//!
//! ```text
//!   V̂ = n E_ξ Σ_y Z·(−∂_ω f),   q̂ = n E_ξ Σ_y Z·f²,   m̂ = n E_ξ Σ_y ∂_μZ·f .
//! ```
//!
//! For the square loss with linear labels the expectations are closed
//! (V̂ = m̂ = n/(1 + V), q̂ = n(ρ + s² + q − 2m)/(1 + V)²) and the fixed point is
//! Theorem 3.1 (tested to 10⁻¹⁰); otherwise they are one-dimensional integrals, taken
//! by the kink-aware adaptive quadrature of `dsrf_linalg::quadrature`, split at the
//! hinge's kinks.
//!
//! The iteration runs on the overlaps (ln V, ln q, m/√(qρ)) with Anderson acceleration (plain steps
//! crawl where the ridge fixed point is flat, SPEC §8.4); it stops when one more
//! step changes the conjugates by less than a relative [`GCM_TOLERANCE`] and reports
//! non-convergence as an error, never as the last iterate. Logistic and hinge need
//! λ > 0: at λ = 0 on separable data the minimiser does not exist (the max-margin
//! limit), which is refused by name.

use dsrf_linalg::quadrature::standard_normal_expectations;

use crate::loss::Loss;
use crate::units::{Penalty, Units};
use crate::{Problem, TheoryError};

/// Relative change in (V, q, m) at which the iteration stops.
pub const GCM_TOLERANCE: f64 = 1e-12;
/// Largest number of iterations.
pub const GCM_MAX_ITERATIONS: usize = 20_000;
/// Absolute tolerance of each loss-side integral (the integrands are O(1)).
const INTEGRAL_TOLERANCE: f64 = 1e-12;

/// How the labels depend on the teacher field ν (variance ρ) and the noise ε
/// (variance s², the problem's noise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Labels {
    /// y = ν + ε: regression (square loss only).
    Linear,
    /// y = sign(ν + ε), flipped with probability `flip` ∈ [0, ½).
    Sign {
        /// Probability that a label is flipped.
        flip: f64,
    },
}

/// The GCM's prediction at one (n, λ) for one loss and label channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GcmPoint {
    /// Sample size n.
    pub n: f64,
    /// Penalty in code units λ_c (the estimator's (λ_c/2)‖w‖²).
    pub lambda_code: f64,
    /// The penalty as it was asked for.
    pub penalty: Penalty,
    /// Feature dimension p.
    pub p: usize,
    /// The loss.
    pub loss: Loss,
    /// The label channel.
    pub labels: Labels,
    /// q = E (wᵀφ)²: the student's power.
    pub q: f64,
    /// m = E (wᵀφ)ν: the student–teacher overlap.
    pub m: f64,
    /// V: the susceptibility.
    pub v: f64,
    /// The conjugates (V̂, q̂, m̂).
    pub hats: [f64; 3],
    /// E (y − wᵀφ)² on a fresh sample.
    pub test_mse: f64,
    /// P(sign wᵀφ ≠ y) on a fresh sample (sign labels only).
    pub classification_error: Option<f64>,
    /// The mean training loss (1/n) Σ ℓ(y_μ, ŵᵀφ_μ), penalty excluded.
    pub train_loss: f64,
    /// Iterations spent.
    pub iterations: usize,
}

impl GcmPoint {
    /// The penalty in the given units.
    pub fn lambda(&self, units: Units) -> f64 {
        self.penalty.in_units(units, self.p)
    }
}

/// The fixed point's state: the conjugates.
#[derive(Debug, Clone, Copy)]
struct Hats {
    v: f64,
    q: f64,
    m: f64,
}

/// The overlaps.
#[derive(Debug, Clone, Copy)]
struct Overlaps {
    v: f64,
    q: f64,
    m: f64,
}

/// One problem, loss, channel, n and λ: everything an iteration needs.
struct Equations<'a> {
    problem: &'a Problem,
    loss: Loss,
    labels: Labels,
    n: f64,
    /// λ_c / scale (the problem's eigen-quantities are stored divided by ω_max).
    lambda: f64,
}

impl Equations<'_> {
    /// The regulariser side: (V, q, m) from the conjugates, in O(p).
    fn overlaps(&self, h: Hats) -> Overlaps {
        let p = self.problem;
        let (mut v, mut q, mut m) = (0.0, 0.0, 0.0);
        for (&w, &a2) in p.eigenvalues.iter().zip(&p.weights) {
            let d = 1.0 / (self.lambda + h.v * w);
            v += w * d;
            m += a2 * d;
            q += (h.q * w + h.m * h.m * a2) * w * d * d;
        }
        Overlaps { v, q, m: h.m * m }
    }

    /// ρ, s² and the teacher's conditional variance v = ρ − m²/q + s².
    fn teacher(&self, o: Overlaps) -> (f64, f64, f64) {
        let rho = self.problem.rho;
        let s2 = self.problem.noise;
        let explained = if o.q > 0.0 { o.m * o.m / o.q } else { 0.0 };
        (rho, s2, (rho - explained).max(0.0) + s2)
    }

    /// The loss side: (V̂, q̂, m̂) and the mean training loss.
    fn conjugates(&self, o: Overlaps) -> (Hats, f64) {
        let (rho, s2, cond) = self.teacher(o);
        let n = self.n;
        match (self.loss, self.labels) {
            (Loss::Square, Labels::Linear) => {
                let residual = rho + s2 + o.q - 2.0 * o.m;
                let g = 1.0 / (1.0 + o.v);
                (
                    Hats {
                        v: n * g,
                        q: n * residual * g * g,
                        m: n * g,
                    },
                    0.5 * residual * g * g,
                )
            }
            (_, Labels::Sign { flip }) => {
                let [a, b, c, train] = self.sign_channel(o, cond, flip);
                (
                    Hats {
                        v: n * a,
                        q: n * b,
                        m: n * c,
                    },
                    train,
                )
            }
            (_, Labels::Linear) => unreachable!("checked in `gcm`"),
        }
    }

    /// E_ξ Σ_{y=±1} of (Z·(−∂f), Z·f², ∂_μZ·f, Z·ℓ) for the sign channel.
    fn sign_channel(&self, o: Overlaps, cond: f64, flip: f64) -> [f64; 4] {
        let sq = o.q.max(0.0).sqrt();
        let slope = if sq > 0.0 { o.m / sq } else { 0.0 };
        let sd = cond.sqrt();
        let loss = self.loss;
        let integrand = |xi: f64| {
            let omega = sq * xi;
            let mu = slope * xi;
            let mut out = [0.0; 4];
            for y in [1.0, -1.0] {
                let (z, dz) = label_probability(y, mu, sd, flip);
                let p = loss.proximal(y, omega, o.v);
                out[0] += z * p.minus_df;
                out[1] += z * p.f * p.f;
                out[2] += dz * p.f;
                out[3] += z * p.loss;
            }
            out
        };
        // Kinks of the hinge in ξ, and the scale on which Z varies.
        let mut breaks = Vec::new();
        if sq > 0.0 {
            for y in [1.0, -1.0] {
                breaks.extend(loss.kinks(y, o.v).iter().map(|k| k / sq));
            }
        }
        let width = if slope != 0.0 { sd / slope.abs() } else { 1.0 };
        standard_normal_expectations(integrand, &breaks, INTEGRAL_TOLERANCE, width)
    }
}

/// Z(y | μ, v) and ∂_μ Z for y = ±sign(ν + ε) with ν + ε ~ 𝒩(μ, sd²) and flips.
fn label_probability(y: f64, mu: f64, sd: f64, flip: f64) -> (f64, f64) {
    if sd == 0.0 {
        // A deterministic label: a step in μ (its derivative is a point mass that
        // the integrals never see at ξ ≠ 0).
        let agree = if y * mu > 0.0 { 1.0 } else { 0.0 };
        return (flip + (1.0 - 2.0 * flip) * agree, 0.0);
    }
    let t = y * mu / sd;
    let cdf = 0.5 * erfc(-t * std::f64::consts::FRAC_1_SQRT_2);
    let density = (-0.5 * t * t).exp() / (2.0 * std::f64::consts::PI).sqrt();
    (
        flip + (1.0 - 2.0 * flip) * cdf,
        (1.0 - 2.0 * flip) * y * density / sd,
    )
}

fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

impl Problem {
    /// The GCM prediction for `loss` and `labels` at sample size `n` and `penalty`
    /// (λ > 0 for logistic and hinge), from a cold start.
    pub fn gcm(
        &self,
        n: f64,
        penalty: Penalty,
        loss: Loss,
        labels: Labels,
    ) -> Result<GcmPoint, TheoryError> {
        self.gcm_from(n, penalty, loss, labels, None)
    }

    /// A learning curve of the GCM prediction, warm-started from point to point (in
    /// the order given: increasing n is the natural one).
    pub fn gcm_curve(
        &self,
        ns: &[f64],
        penalty: Penalty,
        loss: Loss,
        labels: Labels,
    ) -> Result<Vec<GcmPoint>, TheoryError> {
        self.gcm_curve_from(ns, penalty, loss, labels, None)
    }

    /// Learning curves for several penalties (λ-major order, as `learning_curve`),
    /// warm-started along n within a curve and along λ from one curve's first point
    /// to the next's (neighbouring penalties, in the order given, have neighbouring
    /// fixed points).
    pub fn gcm_grid(
        &self,
        ns: &[f64],
        penalties: &[Penalty],
        loss: Loss,
        labels: Labels,
    ) -> Result<Vec<GcmPoint>, TheoryError> {
        let mut out: Vec<GcmPoint> = Vec::with_capacity(ns.len() * penalties.len());
        let mut first: Option<GcmPoint> = None;
        for &penalty in penalties {
            let start = first.map(|f| scaled_hats(&f, ns.first().copied().unwrap_or(f.n)));
            let curve = self.gcm_curve_from(ns, penalty, loss, labels, start)?;
            first = curve.first().copied();
            out.extend(curve);
        }
        Ok(out)
    }

    fn gcm_curve_from(
        &self,
        ns: &[f64],
        penalty: Penalty,
        loss: Loss,
        labels: Labels,
        start: Option<Hats>,
    ) -> Result<Vec<GcmPoint>, TheoryError> {
        let mut out: Vec<GcmPoint> = Vec::with_capacity(ns.len());
        for &n in ns {
            let warm = match out.last() {
                Some(prev) => Some(scaled_hats(prev, n)),
                None => start,
            };
            out.push(self.gcm_from(n, penalty, loss, labels, warm)?);
        }
        Ok(out)
    }

    fn gcm_from(
        &self,
        n: f64,
        penalty: Penalty,
        loss: Loss,
        labels: Labels,
        start: Option<Hats>,
    ) -> Result<GcmPoint, TheoryError> {
        if !(n > 0.0 && n.is_finite()) {
            return Err(TheoryError::InvalidSampleSize(n));
        }
        let lambda_code = penalty.to_code(self.p);
        if !(lambda_code >= 0.0 && lambda_code.is_finite()) {
            return Err(TheoryError::InvalidPenalty(penalty.value()));
        }
        check_channel(loss, labels, lambda_code)?;
        let eq = Equations {
            problem: self,
            loss,
            labels,
            n,
            lambda: lambda_code / self.scale,
        };
        let (h, o, train, iterations) = solve(&eq, start)?;
        Ok(point(&eq, penalty, lambda_code, h, o, train, iterations))
    }
}

/// A neighbour's conjugates as the start at sample size n: they scale with n.
fn scaled_hats(prev: &GcmPoint, n: f64) -> Hats {
    let scale = n / prev.n;
    Hats {
        v: prev.hats[0] * scale,
        q: prev.hats[1] * scale,
        m: prev.hats[2] * scale,
    }
}

/// Refuses combinations the equations do not describe.
fn check_channel(loss: Loss, labels: Labels, lambda_code: f64) -> Result<(), TheoryError> {
    let detail = |d: String| TheoryError::Unsupported { detail: d };
    match labels {
        Labels::Linear if loss.needs_binary_labels() => Err(detail(format!(
            "the {} loss needs labels ±1: use sign labels",
            loss.name()
        ))),
        Labels::Sign { flip } if !(0.0..0.5).contains(&flip) => Err(detail(format!(
            "the label-flip probability must be in [0, 0.5), got {flip}"
        ))),
        _ if loss.needs_binary_labels() && lambda_code == 0.0 => Err(detail(format!(
            "the {} loss needs λ > 0: at λ = 0 the minimiser does not exist on separable \
             data (the max-margin limit), which these equations do not describe",
            loss.name()
        ))),
        _ => Ok(()),
    }
}

/// Coordinates in which the fixed-point map is iterated: the overlaps as
/// (ln V, ln q, m/√(qρ)). The overlaps stay finite where a conjugate vanishes (the
/// hinge at small n has V̂ → 0 when every sample sits on the linear part of the loss,
/// and V → Σω/λ_c), and m/√(qρ) is a cosine in [−1, 1].
fn coordinates(o: Overlaps, rho: f64) -> [f64; 3] {
    [o.v.ln(), o.q.ln(), o.m / (o.q * rho).sqrt()]
}

fn overlaps_at(x: [f64; 3], rho: f64) -> Overlaps {
    let q = x[1].exp();
    Overlaps {
        v: x[0].exp(),
        q,
        m: x[2] * (q * rho).sqrt(),
    }
}

/// Iterations without halving the best residual before Anderson is suspended.
const STALL: usize = 40;
/// Damped plain steps taken while it is suspended, and their damping.
const DAMPED_STEPS: usize = 200;
const DAMPING: f64 = 0.5;

/// Columns of Anderson's history (the state has three coordinates).
const ANDERSON_DEPTH: usize = 3;

/// Anderson acceleration (type II, depth 3) of the map x ↦ F(x) (overlaps → conjugates
/// → overlaps) in [`coordinates`]:
/// the plain iteration needs O(λ^{-1/2}) steps where the ridge fixed point is flat
/// (n < p, small λ; SPEC §8.4), the accelerated one a few dozen. A step that leaves
/// the domain or makes the residual much worse falls back to a damped plain step
/// and restarts the history.
fn solve(eq: &Equations, start: Option<Hats>) -> Result<(Hats, Overlaps, f64, usize), TheoryError> {
    // Cold start: a student that has learned nothing yet (q small, m = 0, V = 1).
    let rho = eq.problem.rho.max(f64::MIN_POSITIVE);
    let o0 = match start {
        Some(h) => eq.overlaps(h),
        None => Overlaps {
            v: 1.0,
            q: 1e-2 * rho,
            m: 0.0,
        },
    };
    let map = |x: [f64; 3]| -> Option<([f64; 3], Hats, Overlaps, f64)> {
        let o = overlaps_at(x, rho);
        let (h, train) = eq.conjugates(o);
        let next = eq.overlaps(h);
        let fx = coordinates(next, rho);
        fx.iter()
            .all(|c| c.is_finite())
            .then_some((fx, h, next, train))
    };
    let mut x = coordinates(o0, rho);
    let mut history: Vec<([f64; 3], [f64; 3])> = Vec::new();
    let mut best = f64::INFINITY;
    let (mut since_best, mut damped_left) = (0usize, 0usize);
    for iteration in 1..=GCM_MAX_ITERATIONS {
        let Some((fx, h, o, train)) = map(x) else {
            // An extrapolation left the domain: back to halfway from the last good
            // point, without history.
            let Some(&(good, g)) = history.last() else {
                return Err(no_convergence(eq, "the iteration left the range of f64"));
            };
            history.clear();
            x = std::array::from_fn(|i| good[i] + 0.5 * g[i]);
            continue;
        };
        let g: [f64; 3] = std::array::from_fn(|i| fx[i] - x[i]);
        let residual = g[0].abs().max(g[1].abs()).max(g[2].abs());
        if residual < GCM_TOLERANCE {
            return Ok((h, o, train, iteration));
        }
        if residual > 1e3 * best {
            history.clear();
        }
        if residual < 0.5 * best {
            best = residual;
            since_best = 0;
        } else {
            since_best += 1;
        }
        // Anderson can cycle on the hinge's piecewise equations: after a stall, a
        // stretch of damped plain steps (contractive near the fixed point), then
        // acceleration again from a fresh history.
        if since_best > STALL {
            damped_left = DAMPED_STEPS;
            since_best = 0;
            history.clear();
        }
        if damped_left > 0 {
            damped_left -= 1;
            x = std::array::from_fn(|i| x[i] + DAMPING * g[i]);
            continue;
        }
        history.push((x, g));
        if history.len() > ANDERSON_DEPTH + 1 {
            history.remove(0);
        }
        let plain: [f64; 3] = std::array::from_fn(|i| x[i] + g[i]);
        let next = anderson(&history).unwrap_or(plain);
        x = if next.iter().all(|c| c.is_finite()) {
            next
        } else {
            history.clear();
            std::array::from_fn(|i| x[i] + 0.5 * g[i])
        };
    }
    Err(no_convergence(
        eq,
        &format!(
            "no fixed point to a relative {GCM_TOLERANCE:e} within {GCM_MAX_ITERATIONS} iterations"
        ),
    ))
}

/// The Anderson update from the history of (xₖ, gₖ = F(xₖ) − xₖ): minimise
/// ‖g − ΔG γ‖ over γ (normal equations, Tikhonov-regularised), then
/// x = x + g − (ΔX + ΔG) γ. `None` with fewer than two entries or a singular system.
fn anderson(history: &[([f64; 3], [f64; 3])]) -> Option<[f64; 3]> {
    let k = history.len().checked_sub(1).filter(|&k| k > 0)?;
    let (x, g) = history[k];
    let dx: Vec<[f64; 3]> = (0..k)
        .map(|j| std::array::from_fn(|i| history[j + 1].0[i] - history[j].0[i]))
        .collect();
    let dg: Vec<[f64; 3]> = (0..k)
        .map(|j| std::array::from_fn(|i| history[j + 1].1[i] - history[j].1[i]))
        .collect();
    let dot = |a: &[f64; 3], b: &[f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let mut a: Vec<Vec<f64>> = (0..k)
        .map(|r| (0..k).map(|c| dot(&dg[r], &dg[c])).collect())
        .collect();
    let mut b: Vec<f64> = (0..k).map(|r| dot(&dg[r], &g)).collect();
    let trace: f64 = (0..k).map(|r| a[r][r]).sum();
    if trace.is_nan() || trace <= 0.0 {
        return None;
    }
    for (r, row) in a.iter_mut().enumerate() {
        row[r] += 1e-14 * trace;
    }
    let gamma = solve_small(&mut a, &mut b)?;
    Some(std::array::from_fn(|i| {
        x[i] + g[i]
            - (0..k)
                .map(|j| gamma[j] * (dx[j][i] + dg[j][i]))
                .sum::<f64>()
    }))
}

/// Gaussian elimination with partial pivoting for a k × k system (k ≤ 3).
fn solve_small(a: &mut [Vec<f64>], b: &mut [f64]) -> Option<Vec<f64>> {
    let k = b.len();
    for col in 0..k {
        let pivot = (col..k).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col] == 0.0 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (upper, lower) = a.split_at_mut(col + 1);
        let pivot_row = &upper[col];
        for (offset, row) in lower.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + offset] -= f * b[col];
        }
    }
    let mut x = vec![0.0; k];
    for row in (0..k).rev() {
        let s: f64 = (row + 1..k).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

fn no_convergence(eq: &Equations, detail: &str) -> TheoryError {
    TheoryError::NoConvergence {
        n: eq.n,
        lambda_code: eq.lambda * eq.problem.scale,
        detail: format!("GCM equations, {} loss: {detail}", eq.loss.name()),
    }
}

/// The metrics at the fixed point.
fn point(
    eq: &Equations,
    penalty: Penalty,
    lambda_code: f64,
    h: Hats,
    o: Overlaps,
    train: f64,
    iterations: usize,
) -> GcmPoint {
    let (rho, s2, _) = eq.teacher(o);
    let (test_mse, classification_error) = match eq.labels {
        Labels::Linear => (rho + s2 + o.q - 2.0 * o.m, None),
        Labels::Sign { flip } => {
            // y = ±sign(g), g = ν + ε ~ 𝒩(0, ρ + s²), jointly Gaussian with wᵀφ.
            let g = (rho + s2).sqrt();
            let cosine = if o.q > 0.0 {
                (o.m / (o.q.sqrt() * g)).clamp(-1.0, 1.0)
            } else {
                0.0
            };
            let signal = (1.0 - 2.0 * flip) * (2.0 / std::f64::consts::PI).sqrt() * o.m / g;
            (
                1.0 - 2.0 * signal + o.q,
                Some(flip + (1.0 - 2.0 * flip) * cosine.acos() / std::f64::consts::PI),
            )
        }
    };
    GcmPoint {
        n: eq.n,
        lambda_code,
        penalty,
        p: eq.problem.p,
        loss: eq.loss,
        labels: eq.labels,
        q: o.q,
        m: o.m,
        v: o.v,
        hats: [h.v, h.q, h.m],
        test_mse,
        classification_error,
        train_loss: train,
        iterations,
    }
}
