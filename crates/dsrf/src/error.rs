use std::path::PathBuf;

use thiserror::Error;

/// Everything that can go wrong in the `dsrf` facade.
///
/// Errors of the layers pass through unchanged (`Theory`, `Rainbow`, `Sim`, `Linalg`);
/// what the facade adds names the *input*: the field of a file (`Field`), the file
/// itself (`File`, `Io`), or the resource a request would exceed (`Memory`, `Work`).
#[derive(Debug, Error)]
pub enum DsrfError {
    /// A field of an input document (or an argument of a facade call) is not usable.
    /// `field` is its path, e.g. `learner[0].weights.rainbow.covariance`.
    #[error("field `{field}`: {message}")]
    Field {
        /// Where, as a path from the document's root.
        field: String,
        /// What is wrong, with the value the user gave.
        message: String,
    },
    /// An argument of a facade function that is not a file field.
    #[error("{what}: {message}")]
    Input {
        /// The argument.
        what: String,
        /// What is wrong with it.
        message: String,
    },
    /// Something inside the input file at `path` is wrong (`source` says what).
    #[error("invalid {what} {}: {inner}", path.display())]
    File {
        /// "network file", "problem file", …
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The error inside it (not a `source`: the message already includes it).
        inner: Box<DsrfError>,
    },
    /// An operating-system error on a named path.
    #[error("cannot {action} {}: {cause}", path.display())]
    Io {
        /// "read", "write", "create the folder", …
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error (not a `source`: the message already includes it).
        cause: std::io::Error,
    },
    /// A document that is not JSON at all.
    #[error("not valid JSON: {0}")]
    Json(String),
    /// A NumPy file that is not a usable float array.
    #[error("{} is not a usable .npy float array: {message}", path.display())]
    Npy {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A request whose memory would exceed the budget (checked before allocating).
    #[error(
        "{what} would need {} of memory, more than the limit of {}{hint}",
        crate::budget::human_bytes(*bytes),
        crate::budget::human_bytes(*limit as u128)
    )]
    Memory {
        /// What needs the memory (a field, a flag).
        what: String,
        /// Bytes it would need.
        bytes: u128,
        /// The limit.
        limit: u64,
        /// How to raise the limit, if the caller has a way (e.g. "; raise it with --max-memory").
        hint: String,
    },
    /// A request whose arithmetic would exceed the work budget (checked before starting).
    #[error(
        "{what} would need about {:.1e} floating-point operations, more than the limit of {:.1e}{hint}",
        *flops,
        *limit
    )]
    Work {
        /// What needs the work.
        what: String,
        /// Estimated floating-point operations.
        flops: f64,
        /// The limit.
        limit: f64,
        /// How to raise the limit.
        hint: String,
    },
    /// From Theorem 3.1 (dsrf-theory).
    #[error(transparent)]
    Theory(#[from] dsrf_theory::TheoryError),
    /// From the covariance recursion (dsrf-rainbow).
    #[error(transparent)]
    Rainbow(#[from] dsrf_rainbow::RainbowError),
    /// From the simulator (dsrf-sim).
    #[error(transparent)]
    Sim(#[from] dsrf_sim::SimError),
    /// From the linear algebra (dsrf-linalg).
    #[error(transparent)]
    Linalg(#[from] dsrf_linalg::LinalgError),
}

impl DsrfError {
    /// A field error.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        DsrfError::Field {
            field: field.into(),
            message: message.into(),
        }
    }

    /// An argument error.
    pub fn input(what: impl Into<String>, message: impl Into<String>) -> Self {
        DsrfError::Input {
            what: what.into(),
            message: message.into(),
        }
    }

    /// Wraps an error found inside the file at `path`.
    pub fn in_file(self, what: &'static str, path: impl Into<PathBuf>) -> Self {
        DsrfError::File {
            what,
            path: path.into(),
            inner: Box::new(self),
        }
    }

    /// An I/O error on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        DsrfError::Io {
            action,
            path: path.into(),
            cause,
        }
    }
}

/// The facade's result type.
pub type Result<T, E = DsrfError> = std::result::Result<T, E>;
