//! The high-dimensional test error of ridge regression on fixed features —
//! Theorem 3.1 of Schröder, Dmitriev, Cui & Loureiro, *Asymptotics of Learning with Deep
//! Structured (Random) Features* (ICML 2024).
//!
//! A learner fits the readout of a feature map φ: ℝᵈ → ℝᵖ by ridge regression on n
//! samples. When n, p and the target dimension are large and comparable, the test
//! error depends on the features only through the population covariances
//! Ω = E\[φφᵀ\], Φ = E\[φφ*ᵀ\], Ψ = E\[φ*φ*ᵀ\], through one scalar m(λ) solving the
//! self-consistent equation (eq. 8)
//!
//! ```text
//!     1/m = λ + ⟨Ω (I + (n/p) m Ω)⁻¹⟩ .
//! ```
//!
//! # Design decisions
//!
//! * **Validate once, then compute** (the linfa pattern). Input comes as a
//!   [`CodeForm`] (Ω, ψ = E\[φy\], E\[y²\] — what the authors' code uses) or a
//!   [`PaperForm`] (Ω, Φ, Ψ, θ*, ⟨Σ⟩). `check()` turns either into a [`Problem`]:
//!   the eigenvalues of Ω, the squared projections of ψ on its eigenvectors, the target
//!   power ρ and the noise s² — after one spectral reduction that never forms the
//!   eigenvectors (`dsrf_linalg::projected_spectrum`). Every evaluation afterwards is
//!   O(p).
//! * **Units are explicit.** Every penalty is a [`Penalty`] that carries its
//!   convention ([`Units::Paper`]: λ‖θ‖² with predictor θᵀφ/√p; [`Units::Code`]:
//!   λ_c‖w‖² with predictor wᵀφ; λ_c = pλ). Outputs expose λ and m in either.
//! * **κ-form and safeguarded Newton.** The solver works with the effective
//!   regularisation κ = p/(nm) (SPEC §3.5), in which eq. 8 becomes
//!   κ(1 − df₁(κ)/n) = λ_c/n, bracketed by eq. 10 and solved to a relative 10⁻¹⁴ in at
//!   most [`MAX_ITERATIONS`] evaluations for any λ and n, including n = p, λ → 0.
//! * **No cancellation, no NaN.** The error formula's numerator and denominator are
//!   written as sums of non-negative terms; the ridgeless limit λ → 0⁺ is computed
//!   exactly ([`Problem::ridgeless`]); at n = rank Ω it is +∞, returned as such.
//! * **Parallel where it pays.** Learning curves ([`Problem::learning_curve`]) and
//!   optimal-λ searches ([`Problem::optimal_curve`]) run in parallel with rayon, with
//!   results independent of the thread count.
//!
//! # Example
//!
//! SPEC test vector T2 (four eigen-directions, misspecified target, noise 0.1):
//!
//! ```
//! use dsrf_theory::{Penalty, Problem, Units};
//!
//! let problem = Problem::from_spectrum(&[1.0, 0.5, 0.25, 0.125], &[0.8, 0.3, -0.2, 0.1], 1.2, 0.1)?;
//! let point = problem.risk(4.0, Penalty::paper(0.1))?;
//! assert!((point.m(Units::Paper) - 4.16424373377).abs() < 1e-10);
//! assert!((point.excess_risk - 0.46589122662).abs() < 1e-10);
//! assert_eq!(point.test_error, point.excess_risk + 0.1);
//!
//! let best = problem.optimal_penalty(4.0)?;
//! assert!(best.point.test_error <= point.test_error);
//! # Ok::<(), dsrf_theory::TheoryError>(())
//! ```
//!
//! The test error reported as `test_error` is against a fresh *noisy* label (what an
//! experiment measures and what the authors' code reports); `excess_risk` is the
//! paper's E_gen (against the clean target). See `docs/theory.md` for every formula
//! with its equation number.
#![deny(missing_docs)]

mod curve;
mod error;
mod fixed_point;
mod gcm;
mod kernels;
mod loss;
mod optimal;
mod problem;
mod risk;
mod units;

pub use error::TheoryError;
pub use fixed_point::MAX_ITERATIONS;
pub use gcm::{GCM_MAX_ITERATIONS, GCM_TOLERANCE, GcmPoint, Labels};
pub use loss::Loss;
pub use optimal::{OptimalPoint, Optimum};
pub use problem::{CodeForm, Covariance, PaperForm, Problem};
pub use risk::RiskPoint;
pub use units::{Penalty, Units};

/// Re-export of the matrix type the input forms use.
pub use dsrf_linalg::Mat;
