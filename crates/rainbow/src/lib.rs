//! Gaussian rainbow networks (paper §4): from a network's weights to the population
//! covariances Ω, Φ, Ψ of its features, in closed form.
//!
//! This crate sits directly on `dsrf-linalg` and knows nothing of the test-error
//! solver: it produces covariances, `dsrf-theory` consumes them.
//!
//! Implemented so far:
//!
//! * [`Activation`]s and their Gaussian moments ([`gaussian_moments`],
//!   [`cross_moment`]) — the coefficients κ₁, κ*² of the linearisation (eqs. 26–27), in
//!   closed form where one exists and by kink-aware adaptive Gauss–Kronrod quadrature
//!   otherwise, split at kinks and at the activation's own scale 1/√r so that large
//!   variances and sharp activations stay resolved (SPEC §7.2 to 1e-11; §8.10 explains
//!   why not Gauss–Hermite);
//! * [`linearize_label_features`]: the linearised feature covariance Ω_L and label
//!   correlation ψ_L of a network with *given* weights (e.g. trained ones), from the
//!   input moments Ω₀, ψ₀, with the averaged (paper) or per-neuron variance convention.
//!
//! * [`linearized_covariances`]: Definition 4.2 for a learner and a target network with
//!   given weights — Ω, Φ, Ψ in every depth order, with the signed cross coefficient κ̌*²
//!   of paired rows.
//!
//! * [`NetworkSpec`]: learner and target networks as data — Gaussian rainbow layers
//!   W = Z C^{1/2} with C fixed or computed from earlier weights, shared and given
//!   weights — realised by [`NetworkSpec::sample`] from per-name ChaCha8 streams of one
//!   seed. The networks of the papers' figures are built in the `dsrf` facade's presets.
//!
//! * [`equivalent_linear_network`]: W_eff and C_eff of the equivalent stochastic linear
//!   network (eqs. 34–36), with Ω^lin = W_eff Ω₀ W_effᵀ + C_eff.
//!
//! * [`spectral_density`]: the density of Ω^lin's eigenvalues for the precursor's i.i.d.
//!   model from the Stieltjes recursion (SPEC §5.6), coefficients from
//!   [`iid_spectral_layers`].
//!
//! Guarantees: every input covariance Ω₀ is checked to be a non-empty PSD matrix (the
//! theory's `dsrf_linalg::PsdPolicy::default()`); a variance, covariance or product
//! that overflows or becomes NaN in any layer is a [`RainbowError::NotFinite`] naming
//! the layer and the quantity, never clipped into a number; a given row covariance
//! `CovarianceSpec::Matrix(C)` gives W = Z C^{1/2} with the full symmetric PSD root
//! (diagonal forms stay O(d)); and every product and decomposition runs with
//! `dsrf_linalg::fixed_parallelism()`, so realised weights and covariances are
//! bit-identical for any number of threads.
//!
//! Planned (tracked in the project's issues): tabulated moments for the per-neuron hot
//! path of wide trained layers.
#![deny(missing_docs)]

mod activation;
mod checks;
mod elementary;
mod equivalent;
mod error;
mod gaussian;
mod linearize;
mod network;
mod recursion;
mod spectrum;

pub use activation::{Activation, CustomActivation};
pub use equivalent::{EquivalentLinearNetwork, equivalent_linear_network};
pub use error::RainbowError;
pub use gaussian::{GaussianMoments, cross_moment, gaussian_moments};
pub use linearize::{
    Layer, LayerCoefficients, LinearizedFeatures, VarianceConvention, forward,
    linearize_label_features,
};
pub use network::{CovarianceSpec, MatrixSpec, NetworkSpec, SampledNetwork, gaussian_vector};
pub use recursion::{PopulationCovariances, linearized_covariances};
pub use spectrum::{SpectralLayer, iid_spectral_layers, spectral_density};

/// Re-export of the matrix type used for weights and covariances.
pub use faer::Mat;
