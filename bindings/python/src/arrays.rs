//! numpy ↔ faer. The Python wrapper hands over C-contiguous float64 arrays; these
//! helpers copy them into faer matrices (and back), refusing non-finite entries with
//! the argument's name.

use faer::Mat;
use numpy::{PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::errors::argument;

/// A numpy matrix bound to the interpreter.
pub type Matrix<'py> = Bound<'py, PyArray2<f64>>;
/// A numpy vector bound to the interpreter.
pub type Vector<'py> = Bound<'py, PyArray1<f64>>;

/// A matrix from a 2-D array.
pub fn matrix(name: &str, a: &PyReadonlyArray2<'_, f64>) -> PyResult<Mat<f64>> {
    let [rows, cols] = [a.shape()[0], a.shape()[1]];
    let view = a.as_array();
    if let Some(((i, j), v)) = view.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(argument(
            name,
            format!("entry [{i}, {j}] is not finite ({v})"),
        ));
    }
    Ok(Mat::from_fn(rows, cols, |i, j| view[[i, j]]))
}

/// A vector from a 1-D array.
pub fn vector(name: &str, a: &PyReadonlyArray1<'_, f64>) -> PyResult<Vec<f64>> {
    let v: Vec<f64> = a.as_array().iter().copied().collect();
    if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(argument(name, format!("entry [{i}] is not finite ({x})")));
    }
    Ok(v)
}

/// A numpy array of a matrix.
pub fn to_numpy<'py>(py: Python<'py>, m: &Mat<f64>) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let rows: Vec<Vec<f64>> = (0..m.nrows())
        .map(|i| (0..m.ncols()).map(|j| m[(i, j)]).collect())
        .collect();
    if m.nrows() == 0 {
        return Ok(PyArray2::zeros(py, [0, m.ncols()], false));
    }
    PyArray2::from_vec2(py, &rows).map_err(crate::errors::to_py)
}

/// A numpy array of a vector.
pub fn column<'py>(py: Python<'py>, v: Vec<f64>) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_vec(py, v)
}

/// The columns of ridge-on-samples points next to the theory (`simulate`,
/// `compare_features`); an undefined relative deviation is NaN.
pub fn comparison_columns<'py>(
    py: Python<'py>,
    points: &[dsrf::compare::PointComparison],
    units: &str,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    let d = pyo3::types::PyDict::new(py);
    let col = |f: &dyn Fn(&dsrf::compare::PointComparison) -> f64| {
        column(py, points.iter().map(f).collect())
    };
    d.set_item("n", col(&|p| p.n as f64))?;
    d.set_item("lambda", col(&|p| p.penalty.value()))?;
    d.set_item("lambda_code", col(&|p| p.lambda_code))?;
    d.set_item("units", units)?;
    d.set_item("test_error_mean", col(&|p| p.test.mean))?;
    d.set_item("test_error_std", col(&|p| p.test.std))?;
    d.set_item("test_error_stderr", col(&|p| p.test.stderr))?;
    d.set_item("train_error_mean", col(&|p| p.train.mean))?;
    d.set_item("train_error_std", col(&|p| p.train.std))?;
    d.set_item("theory_test_error", col(&|p| p.theory.test_error))?;
    d.set_item("theory_train_error", col(&|p| p.theory.train_error))?;
    d.set_item(
        "relative_deviation",
        col(&|p| p.relative_deviation.unwrap_or(f64::NAN)),
    )?;
    Ok(d)
}
