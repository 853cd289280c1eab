//! Definition 4.2: the linearised population covariances of a learner network and a
//! target network that read the same input (paper eqs. 25–28, SPEC §4.2).
//!
//! With Ω₀ = Ψ₀ = Φ₀ = E[x xᵀ], learner layers (W_ℓ, f_ℓ), ℓ = 1..L, and target layers
//! (V_ℓ, g_ℓ), ℓ = 1..L̃:
//!
//! ```text
//!   Ω_ℓ = κ₁² W Ω_{ℓ−1} Wᵀ + κ*² I
//!   Ψ_ℓ = κ̃₁² V Ψ_{ℓ−1} Vᵀ + κ̃*² I
//!   Φ_ℓ = κ₁ κ̃₁ W Φ_{ℓ−1} Vᵀ + κ̌*² I           (ℓ ≤ min(L, L̃))
//!   Φ_ℓ = κ₁ W_ℓ Φ_{ℓ−1}                         (L̃ < ℓ ≤ L, learner deeper)
//!   Φ_ℓ = κ̃₁ Φ_{ℓ−1} V_ℓᵀ                        (L < ℓ ≤ L̃, target deeper)
//! ```
//!
//! with κ₁, κ*² at r = ⟨diag W Ω Wᵀ⟩, κ̃₁, κ̃*² at r̃ = ⟨diag V Ψ Vᵀ⟩ and the signed
//! cross coefficient κ̌*² = Cov(f(N), g(Ñ)) − ř κ₁ κ̃₁ for (N, Ñ) jointly Gaussian with
//! covariance ř = ⟨diag W Φ Vᵀ⟩ — never square-rooted (SPEC §8.14). The identity term of
//! Φ pairs the i-th learner neuron with the i-th target neuron, so it needs equal widths;
//! with unequal widths the rows cannot be paired and the term is absent. For
//! independent rows ř is O(p^{-1/2}) and κ̌*² is negligible; it matters when learner and
//! target share rows (the paper's Figure 1). The per-neuron convention replaces the
//! identity terms by the exact diagonal (variances, covariances) of each neuron, as in
//! [`crate::linearize_label_features`].

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef};

use crate::checks::{check_finite, check_finite_value, check_input_covariance, not_finite};
use crate::linearize::{Layer, LayerCoefficients, VarianceConvention};
use crate::{RainbowError, cross_moment, gaussian_moments};

/// Ω, Φ, Ψ of the last layers, with the coefficients of every layer.
#[derive(Debug, Clone)]
pub struct PopulationCovariances {
    /// Ω = E[φ φᵀ], p × p (learner features).
    pub omega: Mat<f64>,
    /// Φ = E[φ φ*ᵀ], p × k (learner × target features).
    pub phi: Mat<f64>,
    /// Ψ = E[φ* φ*ᵀ], k × k (target features).
    pub psi: Mat<f64>,
    /// Learner coefficients, first layer first.
    pub learner: Vec<LayerCoefficients>,
    /// Target coefficients, first layer first.
    pub target: Vec<LayerCoefficients>,
    /// κ̌*² of every common layer with paired rows (one entry, or one per neuron);
    /// empty where the widths differ.
    pub cross: Vec<Vec<f64>>,
}

/// The linearised covariances of `learner` and `target` on inputs with second moment
/// `omega0` (see the module docs). Ω₀ must be a non-empty PSD matrix (by
/// `dsrf_linalg::PsdPolicy::default()`). Errors name the network and layer, including
/// [`RainbowError::NotFinite`] when a covariance overflows: every layer's products,
/// variances and results are checked, so an overflow is never clipped into a number.
/// Products run with `dsrf_linalg::fixed_parallelism()` (same bits for any thread count).
pub fn linearized_covariances(
    omega0: MatRef<'_, f64>,
    learner: &[Layer],
    target: &[Layer],
    convention: VarianceConvention,
) -> Result<PopulationCovariances, RainbowError> {
    check_input_covariance(omega0)?;
    check_chain("learner", learner, omega0.nrows())?;
    check_chain("target", target, omega0.nrows())?;
    let mut omega = omega0.to_owned();
    let mut psi = omega0.to_owned();
    let mut phi = omega0.to_owned();
    let (mut learner_coefficients, mut target_coefficients, mut cross) = (vec![], vec![], vec![]);
    let depth = learner.len().max(target.len());
    for l in 0..depth {
        let (lw, tw) = (
            format!("learner.layers[{l}]"),
            format!("target.layers[{l}]"),
        );
        // M = W Ω Wᵀ, its Gaussian moments, the next Ω.
        let step_learner = learner
            .get(l)
            .map(|layer| {
                let hidden = l + 1 < learner.len();
                pre_activation(layer, &omega, hidden, convention, (&lw, "W Ω Wᵀ"))
            })
            .transpose()?;
        let step_target = target
            .get(l)
            .map(|layer| {
                let hidden = l + 1 < target.len();
                pre_activation(layer, &psi, hidden, convention, (&tw, "V Ψ Vᵀ"))
            })
            .transpose()?;
        // Φ's layer is named after the network(s) that have layer l.
        let cross_name = match (learner.get(l), target.get(l)) {
            (Some(_), Some(_)) => format!("learner/target.layers[{l}]"),
            (Some(_), None) => lw.clone(),
            _ => tw.clone(),
        };
        phi = match (learner.get(l), target.get(l), &step_learner, &step_target) {
            (Some(wl), Some(vl), Some((_, cl)), Some((_, ct))) => {
                let w = wl.weights.as_ref();
                let v = vl.weights.as_ref();
                let m = product(product(w, phi.as_ref()).as_ref(), v.transpose());
                check_finite(m.as_ref(), &cross_name, "W Φ Vᵀ")?;
                let paired = w.nrows() == v.nrows();
                let (next, kc) =
                    cross_step(&m, cl, ct, wl, vl, paired, convention).map_err(|e| match e {
                        RainbowError::NotFinite { quantity, .. } => {
                            not_finite(&cross_name, quantity)
                        }
                        e => RainbowError::Input {
                            what: cross_name.clone(),
                            message: e.to_string(),
                        },
                    })?;
                cross.push(kc);
                next
            }
            (Some(wl), None, Some((_, cl)), None) => {
                scale_rows(&product(wl.weights.as_ref(), phi.as_ref()), cl)
            }
            (None, Some(vl), None, Some((_, ct))) => {
                scale_cols(&product(phi.as_ref(), vl.weights.transpose()), ct)
            }
            _ => unreachable!("l < depth means at least one network has layer l"),
        };
        check_finite(phi.as_ref(), &cross_name, "Φ")?;
        if let Some((m, c)) = step_learner {
            omega = diagonal_step(&m, &c);
            check_finite(omega.as_ref(), &lw, "Ω")?;
            learner_coefficients.push(c.into());
        }
        if let Some((m, c)) = step_target {
            psi = diagonal_step(&m, &c);
            check_finite(psi.as_ref(), &tw, "Ψ")?;
            target_coefficients.push(c.into());
        }
    }
    Ok(PopulationCovariances {
        omega,
        phi,
        psi,
        learner: learner_coefficients,
        target: target_coefficients,
        cross,
    })
}

/// The fixed-degree product A B (thread-count independent bits).
fn product(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(a.nrows(), b.ncols());
    matmul(
        out.as_mut(),
        Accum::Replace,
        a,
        b,
        1.0,
        dsrf_linalg::fixed_parallelism(),
    );
    out
}

/// M = W C Wᵀ of one layer (C = Ω or Ψ of the previous layer), checked finite, and the
/// Gaussian moments at its diagonal; a hidden layer must be centred. Errors name the
/// layer (`learner.layers[l]`) and M (`W Ω Wᵀ`).
fn pre_activation(
    layer: &Layer,
    previous: &Mat<f64>,
    hidden: bool,
    convention: VarianceConvention,
    (what, name): (&str, &'static str),
) -> Result<(Mat<f64>, LayerMoments), RainbowError> {
    let w = layer.weights.as_ref();
    let m = product(product(w, previous.as_ref()).as_ref(), w.transpose());
    check_finite(m.as_ref(), what, name)?;
    let c = coefficients(&m, &layer.activation, convention, what).map_err(|e| match e {
        e @ RainbowError::NotFinite { .. } => e,
        e => RainbowError::Input {
            what: what.to_string(),
            message: e.to_string(),
        },
    })?;
    if hidden {
        check_centred(&c).map_err(|message| RainbowError::Input {
            what: format!("{what}.activation"),
            message,
        })?;
    }
    Ok((m, c))
}

fn check_chain(network: &str, layers: &[Layer], input: usize) -> Result<(), RainbowError> {
    let mut width = input;
    for (l, layer) in layers.iter().enumerate() {
        if layer.weights.ncols() != width {
            return Err(RainbowError::Input {
                what: format!("{network}.layers[{l}].weights"),
                message: format!(
                    "has {} columns but the previous width is {width} (weights are out × in)",
                    layer.weights.ncols()
                ),
            });
        }
        layer
            .activation
            .validate()
            .map_err(|e| RainbowError::Input {
                what: format!("{network}.layers[{l}].activation"),
                message: e.to_string(),
            })?;
        let w = layer.weights.as_ref();
        if let Some((i, j)) = (0..w.ncols())
            .flat_map(|j| (0..w.nrows()).map(move |i| (i, j)))
            .find(|&(i, j)| !w[(i, j)].is_finite())
        {
            return Err(RainbowError::Input {
                what: format!("{network}.layers[{l}].weights[{i}][{j}]"),
                message: "not a finite number".into(),
            });
        }
        width = layer.weights.nrows();
    }
    Ok(())
}

/// The Gaussian moments at the variance(s) of M's diagonal. M must be finite (checked
/// by the caller), so `max(0.0)` only clips rounding below zero, never a NaN; the
/// averaged variance is checked because the sum of finite variances can overflow.
fn coefficients(
    m: &Mat<f64>,
    activation: &crate::Activation,
    convention: VarianceConvention,
    what: &str,
) -> Result<LayerMoments, RainbowError> {
    let n = m.nrows();
    let diagonal: Vec<f64> = (0..n).map(|i| m[(i, i)].max(0.0)).collect();
    let rs = match convention {
        VarianceConvention::Averaged => {
            vec![mean_variance(&diagonal, what, "r")?]
        }
        VarianceConvention::PerNeuron => diagonal,
    };
    let moments = rs
        .iter()
        .map(|&r| gaussian_moments(activation, r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LayerMoments { moments })
}

/// The moments of one layer (one entry, or one per neuron).
#[derive(Debug, Clone)]
pub(crate) struct LayerMoments {
    moments: Vec<crate::GaussianMoments>,
}

impl LayerMoments {
    fn kappa1(&self, i: usize) -> f64 {
        self.moments[i.min(self.moments.len() - 1)].kappa1
    }

    fn per_neuron(&self) -> bool {
        self.moments.len() > 1
    }
}

impl From<LayerMoments> for LayerCoefficients {
    fn from(m: LayerMoments) -> Self {
        LayerCoefficients {
            r: m.moments.iter().map(|g| g.r).collect(),
            kappa1: m.moments.iter().map(|g| g.kappa1).collect(),
            kappa_star_sq: m.moments.iter().map(|g| g.kappa_star_sq()).collect(),
        }
    }
}

/// Ω_ℓ from M = W Ω Wᵀ: κ₁ᵢκ₁ⱼ Mᵢⱼ off the diagonal; κ₁² Mᵢᵢ + κ*² (averaged) or
/// Var f(𝒩(0, rᵢ)) (per neuron) on it.
fn diagonal_step(m: &Mat<f64>, c: &LayerMoments) -> Mat<f64> {
    let n = m.nrows();
    let per = c.per_neuron();
    Mat::from_fn(n, n, |i, j| {
        if i == j {
            if per {
                c.moments[i].variance()
            } else {
                let g = &c.moments[0];
                g.kappa1 * g.kappa1 * m[(i, i)] + g.kappa_star_sq()
            }
        } else {
            c.kappa1(i) * c.kappa1(j) * 0.5 * (m[(i, j)] + m[(j, i)])
        }
    })
}

/// Φ_ℓ at a common layer from M = W Φ Vᵀ, and the cross coefficients used.
fn cross_step(
    m: &Mat<f64>,
    cl: &LayerMoments,
    ct: &LayerMoments,
    wl: &Layer,
    vl: &Layer,
    paired: bool,
    convention: VarianceConvention,
) -> Result<(Mat<f64>, Vec<f64>), RainbowError> {
    let (p, k) = (m.nrows(), m.ncols());
    let mut next = Mat::from_fn(p, k, |i, j| cl.kappa1(i) * ct.kappa1(j) * m[(i, j)]);
    if !paired {
        return Ok((next, Vec::new()));
    }
    let cov =
        |r: f64, rt: f64, rc: f64, ml: &crate::GaussianMoments, mt: &crate::GaussianMoments| {
            // Clip ř to the Cauchy–Schwarz bound: estimated diagonals can overshoot by
            // rounding. Never a NaN (clamp would pass it on): that is an error.
            if !rc.is_finite() {
                return Err(not_finite("", "ř"));
            }
            let bound = crate::gaussian::cauchy_schwarz_bound(r, rt);
            let rc = rc.clamp(-bound, bound);
            cross_moment(&wl.activation, &vl.activation, r, rt, rc)
                .map(|e| e - ml.mean * mt.mean - rc * ml.kappa1 * mt.kappa1)
        };
    let kc = match convention {
        VarianceConvention::Averaged => {
            let diagonal: Vec<f64> = (0..p).map(|i| m[(i, i)]).collect();
            let rc = mean_variance(&diagonal, "", "ř")?;
            let (ml, mt) = (&cl.moments[0], &ct.moments[0]);
            let kc = cov(ml.r, mt.r, rc, ml, mt)?;
            for i in 0..p {
                next[(i, i)] += kc;
            }
            vec![kc]
        }
        VarianceConvention::PerNeuron => {
            let mut out = Vec::with_capacity(p);
            for i in 0..p {
                let (ml, mt) = (&cl.moments[i], &ct.moments[i]);
                let kc = cov(ml.r, mt.r, m[(i, i)], ml, mt)?;
                // Exact diagonal: Cov(f(Nᵢ), g(Ñᵢ)) = κ₁ᵢκ̃₁ᵢ řᵢ + κ̌*²ᵢ.
                next[(i, i)] += kc;
                out.push(kc);
            }
            out
        }
    };
    Ok((next, kc))
}

/// The mean of finite values, checked: their sum can overflow even when each is finite.
fn mean_variance(values: &[f64], what: &str, quantity: &'static str) -> Result<f64, RainbowError> {
    let sum: f64 = values.iter().sum();
    check_finite_value(sum / values.len().max(1) as f64, what, quantity)
}

/// Hidden layers must produce centred features (see the module docs of `linearize`).
pub(crate) fn check_centred(c: &LayerMoments) -> Result<(), String> {
    c.moments.iter().try_for_each(crate::linearize::centred)
}

fn scale_rows(m: &Mat<f64>, c: &LayerMoments) -> Mat<f64> {
    Mat::from_fn(m.nrows(), m.ncols(), |i, j| c.kappa1(i) * m[(i, j)])
}

fn scale_cols(m: &Mat<f64>, c: &LayerMoments) -> Mat<f64> {
    Mat::from_fn(m.nrows(), m.ncols(), |i, j| c.kappa1(j) * m[(i, j)])
}
