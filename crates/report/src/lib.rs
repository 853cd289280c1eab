//! Tables and figures. This crate depends on none of the other dsrf crates: it draws
//! the data it is given, so that the numerical layers never depend on presentation.
//!
//! Its planned content (tracked in the project's issues) is CSV/JSON tables with a
//! metadata header (figure id, parameters, seeds, version, commit, wall time) and SVG
//! figures rendered from a small figure model (panels, log/linear axes, theory lines,
//! simulation markers with error bars, discrete legends and viridis colour scales).
//!
//! Nothing is exported yet; the crate exists so that the layering of the workspace is
//! visible from the start (see `ARCHITECTURE.md`).
#![deny(missing_docs)]
