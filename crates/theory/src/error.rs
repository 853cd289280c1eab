use dsrf_linalg::LinalgError;
use thiserror::Error;

/// Everything that can go wrong in `dsrf-theory`.
///
/// Variants name the mathematical quantity in the paper's notation (Ω, ψ, E\[y²\], …);
/// front-ends map them to their own field names.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TheoryError {
    /// A covariance matrix failed a linear-algebra check (shape, symmetry, PSD).
    #[error("{quantity}: {source}")]
    Matrix {
        /// Which matrix ("Ω", "Ψ").
        quantity: &'static str,
        /// What was wrong with it.
        source: LinalgError,
    },
    /// A given eigenvalue list of Ω has an eigenvalue that is clearly negative.
    #[error(
        "Ω: eigenvalue {index} is {value:e}; a covariance has no negative eigenvalues (tolerance {tolerance:e})"
    )]
    NegativeEigenvalue {
        /// Position in the list as given.
        index: usize,
        /// The value.
        value: f64,
        /// Largest accepted magnitude of a negative eigenvalue.
        tolerance: f64,
    },
    /// A number is NaN or infinite.
    #[error("{quantity}: entry {index} is not a finite number ({value})")]
    NotFinite {
        /// Which quantity.
        quantity: &'static str,
        /// Position of the entry (0 for scalars).
        index: usize,
        /// The value found.
        value: f64,
    },
    /// Two objects that must have matching sizes do not.
    #[error("{quantity}: expected {expected}, found {found}")]
    Shape {
        /// Which quantity has the wrong size.
        quantity: &'static str,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// The problem has no features (p = 0).
    #[error("Ω: the feature dimension p must be at least 1")]
    Empty,
    /// A variance or second moment is negative.
    #[error("{quantity} must be ≥ 0, got {value}")]
    Negative {
        /// Which quantity.
        quantity: &'static str,
        /// The value found.
        value: f64,
    },
    /// The label second moment cannot be explained by the features: the joint
    /// covariance of (φ, y) would not be PSD.
    #[error(
        "the target power ρ = {available} is smaller than the part the features explain, ψᵀΩ⁺ψ = {explained}: no joint distribution of (φ, y) has these moments (ρ = E[y²] − s² in the code form, θ*ᵀΨθ*/k with ψ = Φθ*/√k in the paper form)"
    )]
    InconsistentLabels {
        /// E\[y²\] − s² (code form) or θ*ᵀΨθ*/k (paper form).
        available: f64,
        /// ψᵀΩ⁺ψ.
        explained: f64,
    },
    /// ψ has weight on the null space of Ω, which no joint distribution allows.
    #[error(
        "ψ has weight {outside:e} (of ‖ψ‖² = {total:e}) on the null space of Ω: a feature direction with zero variance cannot correlate with the label"
    )]
    OutsideRange {
        /// Σ (uᵢᵀψ)² over the zero eigenvalues.
        outside: f64,
        /// ‖ψ‖².
        total: f64,
    },
    /// A derived quantity does not fit in an f64.
    #[error("{quantity} overflows the range of f64: rescale the features or labels")]
    Overflow {
        /// Which quantity.
        quantity: &'static str,
    },
    /// A ridge penalty is negative or not a number.
    #[error("λ must be ≥ 0 and finite, got {0}")]
    InvalidPenalty(f64),
    /// A sample size is not a positive finite number.
    #[error("n must be > 0 and finite, got {0}")]
    InvalidSampleSize(f64),
    /// A loss, label channel and penalty the equations do not describe.
    #[error("{detail}")]
    Unsupported {
        /// What was asked and why it is refused.
        detail: String,
    },
    /// The root finder did not converge, or n and λ are too extreme for the
    /// spectrum (κ would leave the range of f64). Reported rather than hidden.
    #[error(
        "the self-consistent equation cannot be solved for n = {}, λ_c = {} (code units): {detail}",
        short(*n),
        short(*lambda_code)
    )]
    NoConvergence {
        /// Sample size.
        n: f64,
        /// Penalty in code units.
        lambda_code: f64,
        /// What happened.
        detail: String,
    },
}

/// A number for a message: plain when moderate, scientific otherwise.
fn short(x: f64) -> String {
    if x == 0.0 || (1e-4..1e15).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}
