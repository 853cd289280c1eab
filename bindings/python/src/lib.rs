//! `dsrf._dsrf`: the compiled core of the Python package `dsrf`.
//!
//! A thin layer over the `dsrf` facade: arrays arrive as C-contiguous float64 numpy
//! arrays (the Python wrapper in `python/dsrf/__init__.py` converts or refuses anything
//! else with a message naming the argument), results leave as numpy arrays in dicts,
//! and every dsrf error becomes `dsrf.DsrfError` (a `ValueError`). Long computations
//! run without the GIL on a worker thread while the calling thread checks for Ctrl-C.

mod arrays;
mod errors;
mod features;
mod interrupt;
mod network;
mod problem;

use pyo3::prelude::*;

#[pymodule]
fn _dsrf(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("DsrfError", m.py().get_type::<errors::DsrfError>())?;
    m.add_class::<problem::Problem>()?;
    m.add_class::<network::Network>()?;
    m.add_function(wrap_pyfunction!(problem::code_form, m)?)?;
    m.add_function(wrap_pyfunction!(problem::paper_form, m)?)?;
    m.add_function(wrap_pyfunction!(problem::from_spectrum, m)?)?;
    m.add_function(wrap_pyfunction!(network::network_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(features::linearize, m)?)?;
    m.add_function(wrap_pyfunction!(features::empirical_problem, m)?)?;
    m.add_function(wrap_pyfunction!(features::compare_features, m)?)?;
    m.add_function(wrap_pyfunction!(features::compare_network, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
