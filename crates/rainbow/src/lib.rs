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
//!   otherwise (accurate to ~1e-13; SPEC §8.10 explains why not Gauss–Hermite);
//! * [`linearize_label_features`]: the linearised feature covariance Ω_L and label
//!   correlation ψ_L of a network with *given* weights (e.g. trained ones), from the
//!   input moments Ω₀, ψ₀, with the averaged (paper) or per-neuron variance convention.
//!
//! * [`linearized_covariances`]: Definition 4.2 for a learner and a target network with
//!   given weights — Ω, Φ, Ψ in every depth order, with the signed cross coefficient κ̌*²
//!   of paired rows.
//!
//! Planned (tracked in the project's issues): network specifications and seeded sampling
//! of rainbow layers W = Z C^{1/2} (including C computed from earlier layers and shared
//! weights), the equivalent stochastic linear network, the spectral density of Ω^lin,
//! and Monte-Carlo checks of the recursion.
#![deny(missing_docs)]

mod activation;
mod error;
mod gaussian;
mod linearize;
mod network;
mod quadrature;
mod recursion;

pub use activation::{Activation, CustomActivation};
pub use error::RainbowError;
pub use gaussian::{GaussianMoments, cross_moment, gaussian_moments};
pub use linearize::{
    Layer, LayerCoefficients, LinearizedFeatures, VarianceConvention, linearize_label_features,
};
pub use network::{CovarianceSpec, MatrixSpec, NetworkSpec, SampledNetwork};
pub use recursion::{PopulationCovariances, linearized_covariances};

/// Re-export of the matrix type used for weights and covariances.
pub use faer::Mat;
