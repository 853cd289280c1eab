//! The linearised feature covariance of a network with given weights, in the
//! label-vector form used for trained networks (SPEC §4.4, paper eqs. 25–27, 35–36).
//!
//! Starting from the input second moment Ω₀ = E[x xᵀ] and ψ₀ = E[x y], every layer
//! φ_ℓ = f_ℓ(W_ℓ φ_{ℓ−1}) is replaced by its Gaussian-equivalent linear layer:
//!
//! ```text
//!   averaged variance (the paper):   r̄ = ⟨diag(W Ω Wᵀ)⟩,  κ₁ = E f′(N), κ*² from N ~ 𝒩(0, r̄)
//!       Ω_ℓ = κ₁² W Ω_{ℓ−1} Wᵀ + κ*² I,             ψ_ℓ = κ₁ W ψ_{ℓ−1}
//!   per-neuron variance (SPEC §4.4, avg=False):  rᵢ = (W Ω Wᵀ)ᵢᵢ, κ₁ᵢ, …
//!       (Ω_ℓ)ᵢⱼ = κ₁ᵢ κ₁ⱼ (W Ω Wᵀ)ᵢⱼ (i ≠ j),  (Ω_ℓ)ᵢᵢ = Var f(𝒩(0, rᵢ)),
//!       ψ_ℓ = diag(κ₁ᵢ) W ψ_{ℓ−1}
//! ```
//!
//! κ*² is the centred one (E f subtracted), so that a non-odd activation such as ReLU in
//! the *last* layer describes centred features (SPEC §8.8); for odd activations it is the
//! paper's. A hidden layer with E f ≠ 0 would feed non-centred pre-activations (with a
//! different mean per neuron) into the next layer, which the linearisation does not
//! describe: that is reported as an error rather than approximated.
//! The two conventions coincide for i.i.d. rainbow rows and differ for trained weights,
//! whose rows have unequal norms.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef};

use crate::checks::{check_finite, check_finite_value, check_input_covariance};
use crate::{Activation, RainbowError, gaussian_moments};

/// Which pre-activation variance the Gaussian moments are taken at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarianceConvention {
    /// One variance per layer, the mean of diag(W Ω Wᵀ) (the paper's choice).
    Averaged,
    /// One variance per neuron, diag(W Ω Wᵀ) itself (exact diagonal).
    PerNeuron,
}

/// A layer with given weights: φ ↦ f(W φ).
#[derive(Debug, Clone)]
pub struct Layer {
    /// W, out × in (rows are neurons).
    pub weights: Mat<f64>,
    /// f.
    pub activation: Activation,
}

/// The features of `x`'s columns after `layers` (the actual network, not its
/// linearisation), with faer's `par` inside the products.
pub fn forward(layers: &[Layer], x: &Mat<f64>, par: faer::Par) -> Mat<f64> {
    // The first layer reads x where it is: a copy of a large input (784 × 28 000 for
    // MNIST's emp_cov, 176 MB) would cost a pass and its page faults for nothing.
    let Some((first, rest)) = layers.split_first() else {
        return x.clone();
    };
    rest.iter().fold(apply(first, x.as_ref(), par), |h, layer| {
        apply(layer, h.as_ref(), par)
    })
}

/// f(W h) of one layer.
fn apply(layer: &Layer, h: faer::MatRef<'_, f64>, par: faer::Par) -> Mat<f64> {
    let mut pre = Mat::<f64>::zeros(layer.weights.nrows(), h.ncols());
    matmul(
        pre.as_mut(),
        Accum::Replace,
        layer.weights.as_ref(),
        h,
        1.0,
        par,
    );
    layer.activation.apply_in_place(&mut pre);
    pre
}

/// The linearisation coefficients of one layer: one entry (averaged) or one per neuron.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerCoefficients {
    /// Pre-activation variances r.
    pub r: Vec<f64>,
    /// κ₁ = E f′(N).
    pub kappa1: Vec<f64>,
    /// κ*² = Var f(N) − r κ₁² (centred).
    pub kappa_star_sq: Vec<f64>,
}

/// Ω_L and ψ_L after the last layer, with the coefficients of every layer.
#[derive(Debug, Clone)]
pub struct LinearizedFeatures {
    /// The feature covariance Ω_L (p_L × p_L, symmetric).
    pub omega: Mat<f64>,
    /// ψ_L = E[φ_L y] under the linearisation.
    pub psi: Vec<f64>,
    /// Coefficients, first layer first.
    pub layers: Vec<LayerCoefficients>,
}

/// Propagates (Ω₀, ψ₀) through `layers` (see the module docs).
///
/// Errors name the field or layer: an Ω₀ that is empty or not a PSD matrix (by
/// `dsrf_linalg::PsdPolicy::default()`, as the theory checks it), a ψ₀ of the wrong
/// length, no layers, widths that do not chain, non-finite weights, and
/// [`RainbowError::NotFinite`] when a layer's Ω or ψ overflows (checked after every
/// layer, never clipped into a number). Products run with
/// `dsrf_linalg::fixed_parallelism()` (same bits for any thread count).
pub fn linearize_label_features(
    omega0: MatRef<'_, f64>,
    psi0: &[f64],
    layers: &[Layer],
    convention: VarianceConvention,
) -> Result<LinearizedFeatures, RainbowError> {
    check_input_covariance(omega0)?;
    if layers.is_empty() {
        return Err(RainbowError::Input {
            what: "layers".into(),
            message: "give at least one layer".into(),
        });
    }
    let d = omega0.nrows();
    if psi0.len() != d {
        return Err(RainbowError::Input {
            what: "psi0".into(),
            message: format!("length {} does not match omega0 ({d}×{d})", psi0.len()),
        });
    }
    if let Some(i) = psi0.iter().position(|x| !x.is_finite()) {
        return Err(RainbowError::Input {
            what: format!("psi0[{i}]"),
            message: "not a finite number".into(),
        });
    }
    let mut omega = omega0.to_owned();
    let mut psi = Mat::from_fn(d, 1, |i, _| psi0[i]);
    let mut coefficients = Vec::with_capacity(layers.len());
    for (index, layer) in layers.iter().enumerate() {
        let w = layer.weights.as_ref();
        if w.ncols() != omega.nrows() {
            return Err(RainbowError::Input {
                what: format!("layers[{index}].weights"),
                message: format!(
                    "has {} columns but the previous width is {} (weights are out × in)",
                    w.ncols(),
                    omega.nrows()
                ),
            });
        }
        if let Some((i, j)) = (0..w.ncols())
            .flat_map(|j| (0..w.nrows()).map(move |i| (i, j)))
            .find(|&(i, j)| !w[(i, j)].is_finite())
        {
            return Err(RainbowError::Input {
                what: format!("layers[{index}].weights[{i}][{j}]"),
                message: "not a finite number".into(),
            });
        }
        layer
            .activation
            .validate()
            .map_err(|e| RainbowError::Input {
                what: format!("layers[{index}].activation"),
                message: e.to_string(),
            })?;
        let hidden = index + 1 < layers.len();
        let what = format!("layers[{index}]");
        let (next_omega, next_psi, coeffs) = propagate(
            &omega,
            &psi,
            w,
            &layer.activation,
            convention,
            hidden,
            &what,
        )
        .map_err(|e| match e {
            RainbowError::Input { what, message } if what == "activation" => RainbowError::Input {
                what: format!("layers[{index}].activation"),
                message,
            },
            e @ RainbowError::NotFinite { .. } => e,
            e => RainbowError::Input {
                what: what.clone(),
                message: e.to_string(),
            },
        })?;
        omega = next_omega;
        psi = next_psi;
        coefficients.push(coeffs);
    }
    Ok(LinearizedFeatures {
        psi: (0..psi.nrows()).map(|i| psi[(i, 0)]).collect(),
        omega,
        layers: coefficients,
    })
}

/// Hidden layers must keep features centred: E f(N) ≈ 0.
pub(crate) fn centred(m: &crate::GaussianMoments) -> Result<(), String> {
    if m.mean.abs() <= 1e-9 * m.second_moment.sqrt().max(f64::MIN_POSITIVE) {
        return Ok(());
    }
    Err(format!(
        "has mean E f(N) = {:.3e} ≠ 0 at r = {:.3e}, so the next layer's pre-activations are not centred; the linearisation (Definition 4.2) assumes centred hidden features — use an odd activation (tanh, erf, sign, …) in hidden layers, or estimate the covariances by Monte Carlo (dsrf-sim)",
        m.mean, m.r
    ))
}

/// One layer of the recursion: two faer products for W Ω Wᵀ, one for W ψ. Every
/// product, the averaged variance and the results are checked finite (errors name
/// `what`, the layer), so `max(0.0)` below only ever clips rounding, never a NaN.
fn propagate(
    omega: &Mat<f64>,
    psi: &Mat<f64>,
    w: MatRef<'_, f64>,
    activation: &Activation,
    convention: VarianceConvention,
    hidden: bool,
    what: &str,
) -> Result<(Mat<f64>, Mat<f64>, LayerCoefficients), RainbowError> {
    let check = |m: &crate::GaussianMoments| -> Result<(), RainbowError> {
        if hidden {
            centred(m).map_err(|message| RainbowError::Input {
                what: "activation".into(),
                message,
            })
        } else {
            Ok(())
        }
    };
    let (out, inp) = (w.nrows(), w.ncols());
    let par = dsrf_linalg::fixed_parallelism();
    let mut w_omega = Mat::<f64>::zeros(out, inp);
    matmul(
        w_omega.as_mut(),
        Accum::Replace,
        w,
        omega.as_ref(),
        1.0,
        par,
    );
    let mut pre = Mat::<f64>::zeros(out, out);
    matmul(
        pre.as_mut(),
        Accum::Replace,
        w_omega.as_ref(),
        w.transpose(),
        1.0,
        par,
    );
    let mut w_psi = Mat::<f64>::zeros(out, 1);
    matmul(w_psi.as_mut(), Accum::Replace, w, psi.as_ref(), 1.0, par);
    check_finite(pre.as_ref(), what, "W Ω Wᵀ")?;
    check_finite(w_psi.as_ref(), what, "ψ")?;
    let diagonal: Vec<f64> = (0..out).map(|i| pre[(i, i)].max(0.0)).collect();
    let (next, psi_next, coeffs) = match convention {
        VarianceConvention::Averaged => {
            let r = diagonal.iter().sum::<f64>() / out.max(1) as f64;
            check_finite_value(r, what, "r")?;
            let m = gaussian_moments(activation, r)?;
            check(&m)?;
            let (k1, ks) = (m.kappa1, m.kappa_star_sq());
            let next = Mat::from_fn(out, out, |i, j| {
                let sym = 0.5 * (pre[(i, j)] + pre[(j, i)]);
                k1 * k1 * sym + if i == j { ks } else { 0.0 }
            });
            let psi_next = Mat::from_fn(out, 1, |i, _| k1 * w_psi[(i, 0)]);
            let coeffs = LayerCoefficients {
                r: vec![r],
                kappa1: vec![k1],
                kappa_star_sq: vec![ks],
            };
            (next, psi_next, coeffs)
        }
        VarianceConvention::PerNeuron => {
            let moments = diagonal
                .iter()
                .map(|&r| gaussian_moments(activation, r))
                .collect::<Result<Vec<_>, _>>()?;
            moments.iter().try_for_each(check)?;
            let k1: Vec<f64> = moments.iter().map(|m| m.kappa1).collect();
            let next = Mat::from_fn(out, out, |i, j| {
                if i == j {
                    moments[i].variance()
                } else {
                    k1[i] * k1[j] * 0.5 * (pre[(i, j)] + pre[(j, i)])
                }
            });
            let psi_next = Mat::from_fn(out, 1, |i, _| k1[i] * w_psi[(i, 0)]);
            let coeffs = LayerCoefficients {
                r: diagonal,
                kappa_star_sq: moments.iter().map(|m| m.kappa_star_sq()).collect(),
                kappa1: k1,
            };
            (next, psi_next, coeffs)
        }
    };
    check_finite(next.as_ref(), what, "Ω")?;
    check_finite(psi_next.as_ref(), what, "ψ")?;
    Ok((next, psi_next, coeffs))
}
