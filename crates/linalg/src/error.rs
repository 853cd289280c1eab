use thiserror::Error;

/// Everything that can go wrong in `dsrf-linalg`.
///
/// Messages say *which* property failed and by how much; the caller adds the name
/// of the field or parameter the matrix came from.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LinalgError {
    /// A matrix that must be square is not.
    #[error("expected a square matrix, got {rows}×{cols}")]
    NotSquare {
        /// Number of rows.
        rows: usize,
        /// Number of columns.
        cols: usize,
    },
    /// An entry is NaN or infinite.
    #[error("entry ({row}, {col}) is not a finite number ({value})")]
    NonFinite {
        /// Row of the offending entry.
        row: usize,
        /// Column of the offending entry (0 for vectors).
        col: usize,
        /// The value found.
        value: f64,
    },
    /// A matrix that must be symmetric is not, beyond the tolerance.
    #[error(
        "matrix is not symmetric: |A[{row},{col}] − A[{col},{row}]| = {difference:e} exceeds {tolerance:e} (relative to the largest entry)"
    )]
    NotSymmetric {
        /// Row of the worst pair.
        row: usize,
        /// Column of the worst pair.
        col: usize,
        /// Absolute difference of the pair.
        difference: f64,
        /// The tolerance that was applied (absolute).
        tolerance: f64,
    },
    /// The negative part of the spectrum is too large to be estimation noise.
    #[error(
        "matrix is not positive semi-definite: {count} negative eigenvalue(s), most negative {most_negative:e}, carrying {negative_mass:.3e} of the spectral mass (tolerance {tolerance:e})"
    )]
    NotPositiveSemiDefinite {
        /// Number of negative eigenvalues.
        count: usize,
        /// The most negative eigenvalue.
        most_negative: f64,
        /// Σ|negative eigenvalues| / Σ|eigenvalues|.
        negative_mass: f64,
        /// The tolerance on `negative_mass` that was applied.
        tolerance: f64,
    },
    /// A matrix that must be invertible (numerically) is singular.
    #[error(
        "matrix is numerically singular: smallest eigenvalue {smallest:e}, largest {largest:e}"
    )]
    Singular {
        /// Smallest eigenvalue after clipping.
        smallest: f64,
        /// Largest eigenvalue.
        largest: f64,
    },
    /// Operand shapes do not fit together.
    #[error("shape mismatch: {0}")]
    ShapeMismatch(String),
    /// A ridge penalty must be strictly positive (and finite) for a Cholesky solve.
    #[error("ridge penalty must be finite and > 0, got {0}")]
    InvalidPenalty(f64),
    /// An iterative eigen-solver did not converge.
    #[error("eigenvalue iteration did not converge: {0}")]
    NoConvergence(String),
}
