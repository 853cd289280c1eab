//! `dsrf.DsrfError`: every error of the library, as a `ValueError` subclass whose
//! message names the argument (the facade's own messages).

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

create_exception!(
    dsrf,
    DsrfError,
    PyValueError,
    "An input dsrf refuses, or a computation it cannot carry out; the message names the argument."
);

/// Any displayable error as a `DsrfError`.
pub fn to_py(e: impl std::fmt::Display) -> PyErr {
    DsrfError::new_err(e.to_string())
}

/// A `DsrfError` about the named argument.
pub fn argument(name: &str, message: impl std::fmt::Display) -> PyErr {
    DsrfError::new_err(format!("{name}: {message}"))
}
