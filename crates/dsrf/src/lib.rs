//! **dsrf** — the paper's experiments as a library.
//!
//! *Asymptotics of Learning with Deep Structured (Random) Features* (Schröder, Dmitriev,
//! Cui, Loureiro, ICML 2024) says that ridge regression on the features φ of a network
//! (random, structured or trained, with only the readout fitted) has a test error that
//! depends on the population covariances Ω, Φ, Ψ alone. Its Section 5 method is: take a
//! network, get its feature covariances — in closed form (Definition 4.2), by Monte
//! Carlo, or empirically from data — evaluate Theorem 3.1 and hold it against ridge on
//! real samples. This crate is that method, typed, over the layers it re-exports:
//!
//! | layer | re-export | what |
//! |---|---|---|
//! | `dsrf-linalg` | [`linalg`] | PSD eigen, roots, ridge solves |
//! | `dsrf-theory` | [`theory`] | Theorem 3.1: errors, optimal λ, curves |
//! | `dsrf-rainbow` | [`rainbow`] | activations, Gaussian moments, Definition 4.2 |
//! | `dsrf-sim` | [`sim`] | seeded sampling, ridge fits, training, data |
//!
//! What needs several layers lives here:
//!
//! * [`NetworkModel`] / [`RealisedNetwork`] — spec + seed → weights → covariances (either
//!   variance convention) → [`theory::Problem`]; Monte-Carlo covariances; the teacher
//!   sampler ([`network`]);
//! * [`empirical`] — Ω̂, ψ̂, E y² from a feature matrix and labels;
//! * [`route`] — the empirical route: features and labels → theory next to ridge on held-out rows;
//! * [`simulate`] — a network's empirical learning curve next to its theory;
//! * [`learned` — the learned-features pipeline: splits, training, per-snapshot
//!   comparison of theory and ridge (also for weights trained elsewhere);
//! * [`compare`] — relative deviations, quantiles, peaks;
//! * [`subsets`] — the empirical ridge curve: fits on random subsets of a pool;
//! * [`spectra`] — eigenvalues of every layer's sampled feature covariance;
//! * [`presets`] — the networks of the papers' figures;
//! * [`files`] (feature `files`) — the network, problem and linearisation file formats
//!   and `.npy` arrays, one strict parser for the CLI, the xtask and Python;
//! * [`budget`] — memory and work limits checked before anything is allocated;
//! * [`retain`] — a global allocator for the binaries that reuses freed large blocks.
//!
//! # Example
//!
//! ```
//! use dsrf::{budget::Budget, presets, rainbow::VarianceConvention, theory::Penalty};
//!
//! let network = presets::figure1_model(2024, 60, 0.5).realise(&Budget::default())?;
//! let problem = network.problem(VarianceConvention::Averaged)?;
//! let point = problem.risk(30.0, Penalty::paper(1e-3))?;
//! assert!(point.test_error.is_finite() && point.test_error > 0.0);
//! # Ok::<(), dsrf::DsrfError>(())
//! ```
//!
//! # Parallelism
//!
//! Results never depend on the number of threads: dense kernels run with the fixed
//! degree of `dsrf_linalg` (see ARCHITECTURE.md), loops over grid points, replicates and
//! snapshots use rayon with a fixed order of reduction.
#![deny(missing_docs)]

pub mod budget;
pub mod compare;
pub mod empirical;
mod error;
#[cfg(feature = "files")]
pub mod files;
mod footprint;
pub mod learned;
pub mod network;
pub mod presets;
pub mod retain;
pub mod route;
pub mod simulate;
pub mod spectra;
pub mod subsets;

pub use dsrf_linalg as linalg;
pub use dsrf_rainbow as rainbow;
pub use dsrf_sim as sim;
pub use dsrf_theory as theory;

pub use error::{DsrfError, Result};
pub use footprint::{Footprint, network_footprint};
pub use network::{NetworkModel, Readout, RealisedNetwork};

/// The parallelism of the facade's own dense products: `dsrf_linalg`'s fixed degree
/// (bit-identical results for any thread count).
pub(crate) fn par() -> faer::Par {
    dsrf_linalg::fixed_parallelism()
}
