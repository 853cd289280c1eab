//! Linear-algebra layer of dsrf: the few dense operations the theory and the simulator
//! need, written once on top of [faer].
//!
//! # Design decisions
//!
//! * **Covariances are positive semi-definite, up to estimation noise.** Every entry
//!   point that takes a covariance first checks that it is square, finite and
//!   symmetric, then decomposes it and *clips* small negative eigenvalues to zero.
//!   What was clipped is returned in a [`Clipping`] report; when the negative part of
//!   the spectrum carries more than a tolerance of the spectral mass the call fails
//!   with [`LinalgError::NotPositiveSemiDefinite`] instead of silently repairing a
//!   matrix that was never a covariance ([`PsdPolicy`]).
//! * **The solver needs a spectrum, not a basis.** The test-error formulas of the
//!   paper depend on a covariance Ω and a vector ψ only through the eigenvalues ωᵢ and
//!   the squared projections (uᵢᵀψ)². [`projected_spectrum`] computes exactly these
//!   without ever forming the eigenvector matrix: ψ is reflected onto the first basis
//!   vector, the matrix is tridiagonalised (which keeps that vector fixed), and the
//!   implicit QL iteration on the tridiagonal matrix tracks only the first component
//!   of each eigenvector. This costs the tridiagonalisation plus O(p²), roughly half
//!   of a full eigendecomposition.
//! * **No hand-written matrix products.** Products, factorisations and reductions go
//!   through faer, which brings SIMD kernels and its own rayon parallelism. Parallelism
//!   inside these calls follows faer's global setting; callers that parallelise across
//!   independent problems set it to sequential (see `ARCHITECTURE.md`).
//! * **One error enum** ([`LinalgError`]); nothing here panics on bad input.
//!
//! Conventions: matrices are `faer::Mat<f64>`; data matrices store samples as
//! *columns* (p × n), as in the paper.
#![deny(missing_docs)]

mod eigen;
mod error;
mod ridge;
mod ridge_path;
mod roots;
mod spectral;
mod trace;
mod tridiagonal;
mod validate;

pub use eigen::{Clipping, PsdEigen, PsdPolicy, psd_eigen, psd_eigen_with, psd_eigenvalues};
pub use error::LinalgError;
pub use ridge::{RidgeSystem, ridge_solve};
pub use ridge_path::{ridge_path, ridge_path_normal};
pub use roots::{psd_inverse_sqrt, psd_sqrt};
pub use spectral::{ProjectedSpectrum, projected_spectrum};
pub use trace::{normalized_trace, trace_of_product};
pub use validate::check_symmetric;

/// Re-export of the matrix type used throughout dsrf.
pub use faer::Mat;
