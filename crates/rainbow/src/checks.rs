//! Validation shared by the recursions: the input covariance and finiteness after
//! every layer.

use faer::MatRef;

use crate::RainbowError;

/// Ω₀ must be a covariance: non-empty, square, finite, symmetric and PSD by the same
/// policy the theory applies (`dsrf_linalg::PsdPolicy::default()`: negative spectral
/// mass beyond rounding is an error, tiny negative eigenvalues are fine). An indefinite
/// Ω₀ would propagate into "covariances" that no distribution has.
pub(crate) fn check_input_covariance(omega0: MatRef<'_, f64>) -> Result<(), RainbowError> {
    let input = |message: String| RainbowError::Input {
        what: "omega0".into(),
        message,
    };
    if omega0.nrows() == 0 || omega0.ncols() == 0 {
        return Err(input(format!(
            "is {}×{}: give the input covariance of at least one input",
            omega0.nrows(),
            omega0.ncols()
        )));
    }
    dsrf_linalg::psd_eigenvalues(omega0, &Default::default())
        .map(|_| ())
        .map_err(|e| input(e.to_string()))
}

/// `Err(NotFinite)` naming `what` and `quantity` unless every entry of `m` is finite.
pub(crate) fn check_finite(
    m: MatRef<'_, f64>,
    what: &str,
    quantity: &'static str,
) -> Result<(), RainbowError> {
    let finite = (0..m.ncols()).all(|j| m.col(j).iter().all(|x| x.is_finite()));
    finite
        .then_some(())
        .ok_or_else(|| not_finite(what, quantity))
}

/// `Err(NotFinite)` unless `value` is finite.
pub(crate) fn check_finite_value(
    value: f64,
    what: &str,
    quantity: &'static str,
) -> Result<f64, RainbowError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(not_finite(what, quantity))
    }
}

pub(crate) fn not_finite(what: &str, quantity: &'static str) -> RainbowError {
    RainbowError::NotFinite {
        what: what.to_string(),
        quantity,
    }
}
