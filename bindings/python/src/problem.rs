//! `Problem`: Theorem 3.1's validated input, and its curves as numpy columns.

use dsrf::files::{Form, field_of};
use dsrf::theory::{CodeForm, Covariance, Optimum, PaperForm, Penalty, RiskPoint, Units};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::{column, matrix, vector};
use crate::errors::{argument, to_py};

/// A validated problem (eigenvalues of Ω, projections of ψ, ρ, s²).
#[pyclass(frozen, module = "dsrf._dsrf")]
pub struct Problem {
    pub inner: dsrf::theory::Problem,
}

/// `"code"` or `"paper"` — there is no default.
pub fn units_of(units: &str) -> PyResult<Units> {
    match units {
        "code" => Ok(Units::Code),
        "paper" => Ok(Units::Paper),
        other => Err(argument(
            "units",
            format!(
                "expected \"code\" (λ_c, scikit-learn's alpha) or \"paper\" (λ = λ_c/p), got {other:?}"
            ),
        )),
    }
}

fn units_name(units: Units) -> &'static str {
    match units {
        Units::Code => "code",
        Units::Paper => "paper",
    }
}

/// Ω as a matrix (2-D) or by its eigenvalues (1-D); exactly one is given.
fn omega(
    matrix_form: Option<PyReadonlyArray2<'_, f64>>,
    eigenvalues: Option<PyReadonlyArray1<'_, f64>>,
) -> PyResult<Covariance> {
    match (matrix_form, eigenvalues) {
        (Some(m), None) => Ok(Covariance::Matrix(matrix("omega", &m)?)),
        (None, Some(e)) => Ok(Covariance::Eigenvalues(vector("omega", &e)?)),
        _ => Err(argument(
            "omega",
            "give Ω as a matrix or as its eigenvalues",
        )),
    }
}

/// The code form: Ω, ψ = E[φy], E[y²] (label noise included), s².
#[pyfunction]
#[pyo3(signature = (omega_matrix, omega_eigenvalues, psi, label_second_moment, noise_variance))]
pub fn code_form(
    py: Python<'_>,
    omega_matrix: Option<PyReadonlyArray2<'_, f64>>,
    omega_eigenvalues: Option<PyReadonlyArray1<'_, f64>>,
    psi: PyReadonlyArray1<'_, f64>,
    label_second_moment: f64,
    noise_variance: f64,
) -> PyResult<Problem> {
    let form = CodeForm {
        omega: omega(omega_matrix, omega_eigenvalues)?,
        psi: vector("psi", &psi)?,
        label_second_moment,
        noise_variance,
    };
    let inner = py
        .detach(|| form.check())
        .map_err(|e| argument(field_of(&e, Form::Code), e))?;
    Ok(Problem { inner })
}

/// The paper form: Ω, Φ (p × k), Ψ (k × k), θ*, ⟨Σ⟩.
#[pyfunction]
#[pyo3(signature = (omega_matrix, omega_eigenvalues, phi, psi_target, theta_star, noise_variance))]
pub fn paper_form(
    py: Python<'_>,
    omega_matrix: Option<PyReadonlyArray2<'_, f64>>,
    omega_eigenvalues: Option<PyReadonlyArray1<'_, f64>>,
    phi: PyReadonlyArray2<'_, f64>,
    psi_target: PyReadonlyArray2<'_, f64>,
    theta_star: PyReadonlyArray1<'_, f64>,
    noise_variance: f64,
) -> PyResult<Problem> {
    let form = PaperForm {
        omega: omega(omega_matrix, omega_eigenvalues)?,
        phi: matrix("phi", &phi)?,
        psi_target: matrix("psi_target", &psi_target)?,
        theta_star: vector("theta_star", &theta_star)?,
        noise_variance,
    };
    let inner = py
        .detach(|| form.check())
        .map_err(|e| argument(field_of(&e, Form::Paper), e))?;
    Ok(Problem { inner })
}

/// Eigen-quantities directly: ωᵢ, aᵢ = uᵢᵀψ, ρ, s².
#[pyfunction]
pub fn from_spectrum(
    eigenvalues: PyReadonlyArray1<'_, f64>,
    projections: PyReadonlyArray1<'_, f64>,
    rho: f64,
    noise_variance: f64,
) -> PyResult<Problem> {
    let inner = dsrf::theory::Problem::from_spectrum(
        &vector("eigenvalues", &eigenvalues)?,
        &vector("projections", &projections)?,
        rho,
        noise_variance,
    )
    .map_err(to_py)?;
    Ok(Problem { inner })
}

/// Columns of risk points (λ and m in `units`).
pub fn columns<'py>(
    py: Python<'py>,
    points: &[RiskPoint],
    units: Units,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let col = |f: &dyn Fn(&RiskPoint) -> f64| column(py, points.iter().map(f).collect());
    d.set_item("n", col(&|p| p.n))?;
    d.set_item("alpha", col(&|p| p.n / p.p as f64))?;
    d.set_item("lambda", col(&|p| p.lambda(units)))?;
    d.set_item("lambda_code", col(&|p| p.lambda_code))?;
    d.set_item("units", units_name(units))?;
    d.set_item("test_error", col(&|p| p.test_error))?;
    d.set_item("excess_risk", col(&|p| p.excess_risk))?;
    d.set_item("bias", col(&|p| p.bias))?;
    d.set_item("variance", col(&|p| p.variance))?;
    d.set_item("noise_variance", col(&|p| p.noise_variance))?;
    d.set_item("train_error", col(&|p| p.train_error))?;
    d.set_item("m", col(&|p| p.m(units)))?;
    d.set_item("kappa", col(&|p| p.kappa))?;
    d.set_item("degrees_of_freedom", col(&|p| p.degrees_of_freedom))?;
    d.set_item("denominator", col(&|p| p.denominator))?;
    Ok(d)
}

#[pymethods]
impl Problem {
    /// The feature dimension p.
    #[getter]
    fn p(&self) -> usize {
        self.inner.dim()
    }

    /// The rank of Ω.
    #[getter]
    fn rank(&self) -> usize {
        self.inner.rank()
    }

    /// Eigenvalues of Ω (ascending).
    #[getter]
    fn eigenvalues<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArray1<f64>> {
        column(py, self.inner.eigenvalues())
    }

    /// The target power ρ.
    #[getter]
    fn target_power(&self) -> f64 {
        self.inner.target_power()
    }

    /// Every (λ, n) pair, λ-major.
    fn learning_curve<'py>(
        &self,
        py: Python<'py>,
        ns: PyReadonlyArray1<'py, f64>,
        lambdas: PyReadonlyArray1<'py, f64>,
        units: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let units = units_of(units)?;
        let ns = vector("ns", &ns)?;
        let penalties: Vec<Penalty> = vector("lambdas", &lambdas)?
            .into_iter()
            .map(|l| Penalty::new(l, units))
            .collect();
        let problem = &self.inner;
        let points = py
            .detach(|| problem.learning_curve(&ns, &penalties))
            .map_err(to_py)?;
        columns(py, &points, units)
    }

    /// The minimising penalty for every n, with where it lies.
    fn optimal_lambda<'py>(
        &self,
        py: Python<'py>,
        ns: PyReadonlyArray1<'py, f64>,
        units: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let units = units_of(units)?;
        let ns = vector("ns", &ns)?;
        let problem = &self.inner;
        let best = py.detach(|| problem.optimal_curve(&ns)).map_err(to_py)?;
        let points: Vec<RiskPoint> = best.iter().map(|b| b.point).collect();
        let d = columns(py, &points, units)?;
        let optimum: Vec<&str> = best
            .iter()
            .map(|b| match b.optimum {
                Optimum::Interior => "interior",
                Optimum::LambdaToZero => "lambda_to_zero",
                Optimum::LambdaToInfinity => "lambda_to_infinity",
            })
            .collect();
        d.set_item("optimum", optimum)?;
        Ok(d)
    }

    /// The ridgeless limit λ → 0⁺ at every n.
    fn ridgeless<'py>(
        &self,
        py: Python<'py>,
        ns: PyReadonlyArray1<'py, f64>,
        units: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let units = units_of(units)?;
        let ns = vector("ns", &ns)?;
        let points = ns
            .iter()
            .map(|&n| self.inner.ridgeless(n))
            .collect::<Result<Vec<_>, _>>()
            .map_err(to_py)?;
        columns(py, &points, units)
    }
}
