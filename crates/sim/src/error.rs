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
