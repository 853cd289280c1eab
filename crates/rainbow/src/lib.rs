//! Gaussian rainbow networks (paper §4): from a network's weights to the population
//! covariances Ω, Φ, Ψ of its features, in closed form.
//!
//! This crate sits directly on `dsrf-linalg` and knows nothing of the test-error
//! solver: it produces covariances, `dsrf-theory` consumes them. Its planned content
//! (tracked in the project's issues) is
//!
//! * activations and their Gaussian moments κ₁ = E f′(N), E f², κ*² for N ~ 𝒩(0, r),
//!   in closed form where one exists and by kink-aware quadrature otherwise;
//! * network specifications — given weights or Gaussian rainbow layers W = Z C^{1/2}
//!   sampled from seeded ChaCha streams, shared weights, correlated learner/target rows;
//! * the linearised covariance recursion of Definition 4.2 (averaged or per-neuron
//!   variances) and the equivalent stochastic linear network of eq. 34.
//!
//! Nothing is exported yet; the crate exists so that the layering of the workspace is
//! visible from the start (see `ARCHITECTURE.md`).
#![deny(missing_docs)]
