//! The finite-sample simulator: what actually happens at finite size, and therefore
//! the ground truth for every formula of dsrf.
//!
//! Depends on `dsrf-linalg` and `dsrf-rainbow` only; `dsrf-theory` is used solely as a
//! dev-dependency by the tests that tie the layers together. Its planned content
//! (tracked in the project's issues) is seeded sampling of inputs, networks and labels
//! from `rand_chacha` streams; ridge fits on the readout (primal or dual, many λ from
//! one factorisation); test, train and oracle errors; Monte-Carlo estimates of Ω, Φ, Ψ;
//! replicates in parallel with thread-count-independent results; gradient-descent
//! training of finite-width networks; and loaders for real image data (IDX files).
//!
//! Nothing is exported yet; the crate exists so that the layering of the workspace is
//! visible from the start (see `ARCHITECTURE.md`).
#![deny(missing_docs)]
