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
    /// A sample, an accumulated sum or a measured error that is not a finite number:
    /// the data contain NaN or ±∞ (e.g. a feature map that overflowed) or a sum
    /// overflowed. `what` names the data (`features`, `labels`, `test error`, …),
    /// `quantity` the value (an entry, `Σφφᵀ`, `Σy²`, the quadratic form …). Never
    /// replaced by a number.
    #[error(
        "{what}: {quantity} is not a finite number (NaN or ±∞ in the data, or an overflowing sum); rescale the inputs, weights or labels"
    )]
    NotFinite {
        /// The data.
        what: String,
        /// The value.
        quantity: String,
    },
    /// Arguments that do not fit together; `what` names the argument.
    #[error("{what}: {message}")]
    Input {
        /// The offending argument.
        what: String,
        /// What is wrong with it.
        message: String,
    },
    /// Reading or writing a file of the training cache failed.
    #[error("training cache: cannot {operation} {}: {message}", path.display())]
    CacheIo {
        /// The file or folder.
        path: std::path::PathBuf,
        /// `read`, `write`, `create` or `rename`.
        operation: &'static str,
        /// The operating system's classification.
        kind: std::io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// A training-cache entry that does not verify (it is discarded and the run
    /// retrained, never used).
    #[error("training cache entry {}: {problem}", path.display())]
    CacheEntry {
        /// The entry file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        problem: CacheProblem,
    },
}

/// Why a training-cache entry was not used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CacheProblem {
    /// The file does not start with the entry signature.
    #[error("not a training-cache entry")]
    NotAnEntry,
    /// Written in another file layout.
    #[error("file layout {found}, this build reads {expected}")]
    Layout {
        /// The layout in the file.
        found: u64,
        /// The layout this build writes.
        expected: u64,
    },
    /// Its key (configuration, initial network, data, training version) is not the
    /// requested one: a stale entry or a collision of the file name's hash.
    #[error("its key differs from the requested run")]
    KeyMismatch,
    /// Shorter than its contents say.
    #[error("truncated")]
    Truncated,
    /// Longer than its contents say.
    #[error("trailing bytes after the checksum")]
    TrailingBytes,
    /// The bytes do not match the stored checksum.
    #[error("checksum mismatch")]
    Checksum,
    /// A stored field that cannot be right (an unknown activation, an invalid network).
    #[error("invalid {what}: {message}")]
    Invalid {
        /// The field.
        what: &'static str,
        /// Why.
        message: String,
    },
}

pub(crate) fn io_error(
    path: &std::path::Path,
    operation: &'static str,
    e: &std::io::Error,
) -> SimError {
    SimError::CacheIo {
        path: path.to_path_buf(),
        operation,
        kind: e.kind(),
        message: e.to_string(),
    }
}

pub(crate) fn input(what: impl Into<String>, message: impl Into<String>) -> SimError {
    SimError::Input {
        what: what.into(),
        message: message.into(),
    }
}

pub(crate) fn not_finite(what: impl Into<String>, quantity: impl Into<String>) -> SimError {
    SimError::NotFinite {
        what: what.into(),
        quantity: quantity.into(),
    }
}

/// `Err(NotFinite)` naming the first non-finite entry of the p × m sample matrix.
pub(crate) fn check_finite_samples(
    what: &str,
    samples: faer::MatRef<'_, f64>,
) -> Result<(), SimError> {
    for j in 0..samples.ncols() {
        for i in 0..samples.nrows() {
            let v = samples[(i, j)];
            if !v.is_finite() {
                return Err(not_finite(
                    what,
                    format!(
                        "entry ({i}, {j}) of the sample (row = feature, column = sample) is {v}"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// `Err(NotFinite)` naming the first non-finite label.
pub(crate) fn check_finite_labels(labels: &[f64]) -> Result<(), SimError> {
    match labels.iter().position(|y| !y.is_finite()) {
        Some(j) => Err(not_finite(
            "labels",
            format!("label {j} of the sample is {}", labels[j]),
        )),
        None => Ok(()),
    }
}
