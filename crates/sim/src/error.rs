use thiserror::Error;

/// Everything that can go wrong in `dsrf-sim`.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SimError {
    /// A linear-algebra failure (non-PSD covariance, singular system, …), with context.
    #[error("{context}: {source}")]
    Linalg {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: dsrf_linalg::LinalgError,
    },
    /// Arguments that do not fit together; `what` names the argument.
    #[error("{what}: {message}")]
    Input {
        /// The offending argument.
        what: String,
        /// What is wrong with it.
        message: String,
    },
}

pub(crate) fn input(what: impl Into<String>, message: impl Into<String>) -> SimError {
    SimError::Input {
        what: what.into(),
        message: message.into(),
    }
}
