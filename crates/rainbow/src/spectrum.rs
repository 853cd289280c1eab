//! The spectral density of Ω^lin for the precursor's i.i.d. deep random features
//! (arXiv:2302.00401 App. B.4, SPEC §5.6).
//!
//! For layers of widths k₀ = d, k₁, …, k_L with aspect ratios γ_ℓ = k_{ℓ−1}/k_ℓ and
//! linearisation coefficients (κ₁,ℓ, κ*,ℓ²), the Stieltjes transforms
//! m_ℓ(z) = ⟨(Ω_ℓ^lin − z)⁻¹⟩ satisfy (eq. 158)
//!
//! ```text
//!   (z − κ*²) m_ℓ² − (γ − 1) m_ℓ + (γ²/κ₁²) m_{ℓ−1}(z_{ℓ−1}) = 0,   z_{ℓ−1} = −γ/(κ₁² m_ℓ),
//! ```
//!
//! with m₀ the transform of the input covariance. All of them are solved together by a
//! damped fixed-point iteration at z_L = λ + iη, taking for each m_ℓ the root with
//! Im m > 0; the density is Im m_L(λ + iη)/π (a Lorentzian smoothing of width η).

use faer::complex::Complex64 as C;

use crate::{Activation, RainbowError, gaussian_moments};

/// One layer of the i.i.d. model as the Stieltjes recursion needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpectralLayer {
    /// γ = k_{ℓ−1}/k_ℓ.
    pub gamma: f64,
    /// κ₁.
    pub kappa1: f64,
    /// κ*².
    pub kappa_star_sq: f64,
}

/// The coefficients of the precursor's model: input covariance with mean eigenvalue
/// `input_mean` (⟨Ω₀⟩), layers (width, weight variance Δ, activation); the variances
/// follow r₁ = Δ₁⟨Ω₀⟩, r_{ℓ+1} = Δ_{ℓ+1} E f_ℓ(𝒩(0, r_ℓ))² (SPEC §5.2). Hidden layers
/// must be centred (E f = 0, e.g. odd activations), as the precursor assumes.
pub fn iid_spectral_layers(
    input_dim: usize,
    input_mean: f64,
    layers: &[(usize, f64, Activation)],
) -> Result<Vec<SpectralLayer>, RainbowError> {
    let mut fan_in = input_dim;
    let mut second_moment = input_mean;
    layers
        .iter()
        .enumerate()
        .map(|(l, (width, delta, activation))| {
            let m = gaussian_moments(activation, delta * second_moment)?;
            if l + 1 < layers.len() {
                crate::linearize::centred(&m).map_err(|message| RainbowError::Input {
                    what: format!("layers[{l}].activation"),
                    message,
                })?;
            }
            let layer = SpectralLayer {
                gamma: fan_in as f64 / *width as f64,
                kappa1: m.kappa1,
                kappa_star_sq: m.kappa_star_sq(),
            };
            fan_in = *width;
            second_moment = m.variance();
            Ok(layer)
        })
        .collect()
}

/// The spectral density of Ω_L^lin at each point of `grid`, smoothed at width `eta`,
/// for input eigenvalues `input_eigenvalues`.
pub fn spectral_density(
    input_eigenvalues: &[f64],
    layers: &[SpectralLayer],
    grid: &[f64],
    eta: f64,
) -> Result<Vec<f64>, RainbowError> {
    if !(eta.is_finite() && eta > 0.0) {
        return Err(RainbowError::InvalidVariance {
            quantity: "η",
            value: eta,
        });
    }
    if input_eigenvalues.is_empty() || layers.is_empty() {
        return Err(RainbowError::Input {
            what: "layers".into(),
            message: "the spectral density needs an input spectrum and at least one layer".into(),
        });
    }
    let m0 = |z: C| -> C {
        input_eigenvalues
            .iter()
            .map(|&w| C::new(1.0, 0.0) / (C::new(w, 0.0) - z))
            .sum::<C>()
            / input_eigenvalues.len() as f64
    };
    let l = layers.len();
    let mut out = Vec::with_capacity(grid.len());
    // Warm start along the grid.
    let mut m: Vec<C> = vec![C::new(0.0, 1.0); l + 1];
    for &lambda in grid {
        let z_top = C::new(lambda, eta);
        // Warm start from the previous grid point; if that does not settle, restart
        // from i·1 with heavier damping.
        let mut converged = iterate(&mut m, z_top, layers, &m0, 0.5);
        if !converged {
            m = vec![C::new(0.0, 1.0); l + 1];
            converged = iterate(&mut m, z_top, layers, &m0, 0.2);
        }
        if !converged || !m[l].im.is_finite() {
            return Err(RainbowError::Input {
                what: "spectral_density".into(),
                message: format!(
                    "the Stieltjes recursion did not converge at λ = {lambda} (try a larger η)"
                ),
            });
        }
        out.push(m[l].im.max(0.0) / std::f64::consts::PI);
    }
    Ok(out)
}

/// Damped fixed-point sweeps of the recursion at z_L = `z_top`; true when converged.
fn iterate(
    m: &mut [C],
    z_top: C,
    layers: &[SpectralLayer],
    m0: &impl Fn(C) -> C,
    keep: f64,
) -> bool {
    let l = layers.len();
    let mut z = vec![C::new(0.0, 0.0); l + 1];
    for _ in 0..20_000 {
        // z_{i−1} from m_i, then m_0 and the quadratics upwards.
        z[l] = z_top;
        for i in (1..=l).rev() {
            let layer = &layers[i - 1];
            z[i - 1] = C::new(-layer.gamma, 0.0) / (m[i] * (layer.kappa1 * layer.kappa1));
        }
        let mut next = m.to_vec();
        next[0] = m0(z[0]);
        for i in 1..=l {
            let layer = &layers[i - 1];
            let shifted = z[i] - layer.kappa_star_sq;
            let b = layer.gamma - 1.0;
            let disc = C::new(b * b, 0.0)
                - shifted
                    * next[i - 1]
                    * (4.0 * layer.gamma * layer.gamma / (layer.kappa1 * layer.kappa1));
            let root = disc.sqrt();
            let candidates = [
                (C::new(b, 0.0) - root) / (shifted * 2.0),
                (C::new(b, 0.0) + root) / (shifted * 2.0),
            ];
            // The Stieltjes transform of a measure has Im m > 0 for Im z > 0.
            next[i] = if candidates[0].im > candidates[1].im {
                candidates[0]
            } else {
                candidates[1]
            };
        }
        let change: f64 = next
            .iter()
            .zip(m.iter())
            .map(|(a, b)| (a - b).norm())
            .fold(0.0, f64::max);
        for (a, b) in m.iter_mut().zip(&next) {
            *a = *a * keep + *b * (1.0 - keep);
        }
        if !change.is_finite() {
            return false;
        }
        if change < 1e-12 * (1.0 + m[l].norm()) {
            return true;
        }
    }
    false
}
