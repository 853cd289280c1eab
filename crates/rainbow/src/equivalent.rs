//! The equivalent stochastic linear network (paper eq. 34–36, SPEC §4.3).
//!
//! With averaged coefficients, the linearised features have the second moments of
//! φ_lin(x) = W_eff x + C_eff^{1/2} ξ, ξ ~ 𝒩(0, I), where
//!
//! ```text
//!   W_eff = (Π_ℓ κ₁,ℓ) W_L ⋯ W_1
//!   C_eff = Σ_{ℓ<L} (κ*_ℓ Π_{s>ℓ} κ₁,s)² (W_L ⋯ W_{ℓ+1})(W_L ⋯ W_{ℓ+1})ᵀ + κ*_L² I
//! ```
//!
//! so that Ω^lin = W_eff Ω₀ W_effᵀ + C_eff. For trained weights the paper reads W_eff as
//! the learned representation and C_eff as an implicit regularisation.

use faer::Mat;

use crate::RainbowError;
use crate::linearize::{Layer, LayerCoefficients};

/// W_eff (p × d) and C_eff (p × p).
#[derive(Debug, Clone)]
pub struct EquivalentLinearNetwork {
    /// The effective linear map.
    pub w_eff: Mat<f64>,
    /// The effective noise covariance.
    pub c_eff: Mat<f64>,
}

/// Composes `layers` with their averaged coefficients (one entry per layer, as
/// produced by the averaged convention).
pub fn equivalent_linear_network(
    layers: &[Layer],
    coefficients: &[LayerCoefficients],
) -> Result<EquivalentLinearNetwork, RainbowError> {
    if layers.is_empty() || layers.len() != coefficients.len() {
        return Err(RainbowError::Input {
            what: "layers".into(),
            message: format!(
                "{} layers but {} coefficient sets (need one per layer, at least one)",
                layers.len(),
                coefficients.len()
            ),
        });
    }
    if let Some(l) = coefficients.iter().position(|c| c.kappa1.len() != 1) {
        return Err(RainbowError::Input {
            what: format!("layers[{l}]"),
            message: "the equivalent linear network needs averaged (one-per-layer) coefficients"
                .into(),
        });
    }
    // Walk from the input: W_eff ← κ₁ W W_eff, C_eff ← κ₁² W C_eff Wᵀ + κ*² I.
    let d = layers[0].weights.ncols();
    let mut w_eff = Mat::<f64>::identity(d, d);
    let mut c_eff = Mat::<f64>::zeros(d, d);
    for (l, (layer, c)) in layers.iter().zip(coefficients).enumerate() {
        let w = &layer.weights;
        if w.ncols() != w_eff.nrows() {
            return Err(RainbowError::Input {
                what: format!("layers[{l}].weights"),
                message: format!(
                    "has {} columns but the previous width is {}",
                    w.ncols(),
                    w_eff.nrows()
                ),
            });
        }
        let (k1, ks) = (c.kappa1[0], c.kappa_star_sq[0]);
        // Fixed-degree products: the same bits for any thread count.
        let product = dsrf_linalg::product;
        w_eff = product(w.as_ref(), w_eff.as_ref()) * faer::Scale(k1);
        let propagated = product(product(w.as_ref(), c_eff.as_ref()).as_ref(), w.transpose());
        let p = w.nrows();
        c_eff = Mat::from_fn(p, p, |i, j| {
            k1 * k1 * 0.5 * (propagated[(i, j)] + propagated[(j, i)])
                + if i == j { ks } else { 0.0 }
        });
    }
    Ok(EquivalentLinearNetwork { w_eff, c_eff })
}
