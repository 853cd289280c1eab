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
//!   vector, the matrix is tridiagonalised by blocked Householder reflections
//!   (LAPACK's `dsytrd` scheme, which keeps that vector fixed), and the implicit QL
//!   iteration on the tridiagonal matrix tracks only the first component of each
//!   eigenvector. This costs the tridiagonalisation plus O(p²), roughly half of a full
//!   eigendecomposition. [`projected_spectrum_with`] can use faer's unblocked
//!   tridiagonalisation instead, as an independent reference.
//! * **No hand-written matrix products,** with one exception. Products,
//!   factorisations and reductions go through faer, which brings SIMD kernels and its
//!   own rayon parallelism. The exception is the symmetric matrix–vector product of the
//!   blocked tridiagonalisation, which faer does not offer with one read of the
//!   triangle and which dominates that reduction's memory traffic (module `symv`).
//! * **Same bits for any thread count.** faer splits work and partial sums by the
//!   *degree* of the parallelism it is given, and its defaults (`Par::rayon(0)`, the
//!   global setting behind `*` and the high-level solvers) take that degree from the
//!   current rayon pool. Every function here therefore hands faer a fixed degree,
//!   [`fixed_parallelism`] (`Par::rayon(FIXED_DEGREE)`), or the `Par` its caller passes
//!   explicitly ([`psd_eigen_with`], [`ridge_path`], [`ridge_path_normal`]); never faer's
//!   global setting. Results are then bit-identical in rayon pools of any size (tested
//!   with 1–4 threads), which the simulator and the figures rely on. Callers that
//!   already parallelise across independent problems pass `Par::Seq`. Loops of many
//!   small parallel steps (dsrf-sim's training, the reduction of
//!   [`projected_spectrum`]) run on a pool worker ([`on_pool`]),
//!   where faer's joins do not have to wake a sleeping caller.
//!   [`product`] is the fixed-degree replacement for faer's `&a * &b`. The hand-written
//!   product follows the same rule: it always cuts its work into `FIXED_DEGREE` pieces.
//! * **Gaussian expectations by kink-aware quadrature** ([`quadrature`]): adaptive
//!   Gauss–Kronrod split where the caller says the integrand is not smooth, shared by
//!   the activation moments (dsrf-rainbow) and the loss-side integrals of the
//!   Gaussian-covariate-model equations (dsrf-theory).
//! * **One error enum** ([`LinalgError`]); nothing here panics on bad input.
//!
//! Conventions: matrices are `faer::Mat<f64>`; data matrices store samples as
//! *columns* (p × n), as in the paper.
#![deny(missing_docs)]

mod cholesky;
mod eigen;
mod error;
mod parallelism;
pub mod quadrature;
mod reduction;
mod ridge;
mod ridge_path;
mod ridge_prefixes;
mod roots;
mod simd;
mod special;
mod spectral;
mod symv;
mod tridiagonal;
mod validate;

pub use cholesky::spd_solve;
pub use eigen::{Clipping, PsdEigen, PsdPolicy, psd_eigen, psd_eigen_with, psd_eigenvalues};
pub use error::LinalgError;
pub use parallelism::{FIXED_DEGREE, fixed_parallelism, on_pool, product};
pub use ridge::{RidgeSystem, ridge_solve};
pub use ridge_path::{gram_lower, ridge_path, ridge_path_normal};
pub use ridge_prefixes::ridge_path_prefixes;
pub use roots::{psd_inverse_sqrt, psd_sqrt};
pub use simd::SimdLevel;
pub use special::{sigmoid, softplus};
pub use spectral::{
    ProjectedSpectrum, Tridiagonalisation, projected_spectrum, projected_spectrum_with,
};
pub use validate::check_symmetric;

/// Re-export of the matrix type used throughout dsrf.
pub use faer::Mat;
