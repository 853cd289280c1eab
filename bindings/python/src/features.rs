//! Given weights and data: the linearisation of a (trained) network, the problem of
//! empirical features, and the empirical route (theory next to ridge on held-out rows).

use std::sync::Arc;

use dsrf::budget::Budget;
use dsrf::empirical::{Centring, empirical_moments};
use dsrf::rainbow::{Activation, CustomActivation, Layer, linearize_label_features};
use dsrf::route::{EmpiricalPlan, FeatureCentring, RowSplit, compare_on_data};
use dsrf::theory::Penalty;
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::arrays::{Matrix, Vector, column, matrix, to_numpy, vector};
use crate::errors::{argument, to_py};
use crate::network::convention_of;
use crate::problem::{Problem, units_of};

/// An activation: a built-in name, or a Python callable f(x: float) -> float whose
/// Gaussian moments are computed by the library's adaptive quadrature (a few hundred
/// to a few thousand calls per moment, each a Python call: milliseconds per layer).
fn activation(k: usize, item: &Bound<'_, PyAny>) -> PyResult<Activation> {
    if let Ok(name) = item.extract::<String>() {
        return Activation::from_name(&name).map_err(|e| argument(&format!("activations[{k}]"), e));
    }
    if !item.is_callable() {
        return Err(argument(
            &format!("activations[{k}]"),
            "expected a name such as \"tanh\" or a callable f(x) -> float",
        ));
    }
    let f: Arc<Py<PyAny>> = Arc::new(item.clone().unbind());
    let name = item
        .getattr("__name__")
        .and_then(|n| n.extract::<String>())
        .unwrap_or_else(|_| format!("python[{k}]"));
    // A Python error or a non-number becomes NaN, which the library reports as a
    // non-finite moment naming the layer.
    let call = move |x: f64| -> f64 {
        Python::attach(|py| {
            f.call1(py, (x,))
                .and_then(|v| v.extract::<f64>(py))
                .unwrap_or(f64::NAN)
        })
    };
    Ok(Activation::Custom(CustomActivation::new(name, call)))
}

/// Ω_L, ψ_L and the per-layer coefficients of given weights (out × in) from the input
/// moments Ω₀ = E[x xᵀ], ψ₀ = E[x y].
#[pyfunction]
pub fn linearize<'py>(
    py: Python<'py>,
    omega0: PyReadonlyArray2<'py, f64>,
    psi0: PyReadonlyArray1<'py, f64>,
    weights: Vec<PyReadonlyArray2<'py, f64>>,
    activations: &Bound<'py, PyList>,
    variance: &str,
) -> PyResult<(Matrix<'py>, Vector<'py>, Bound<'py, PyList>)> {
    if weights.len() != activations.len() {
        return Err(argument(
            "activations",
            format!(
                "{} activations for {} weight matrices",
                activations.len(),
                weights.len()
            ),
        ));
    }
    let layers = weights
        .iter()
        .zip(activations.iter())
        .enumerate()
        .map(|(k, (w, a))| {
            Ok(Layer {
                weights: matrix(&format!("weights[{k}]"), w)?,
                activation: activation(k, &a)?,
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let omega0 = matrix("omega0", &omega0)?;
    let psi0 = vector("psi0", &psi0)?;
    let convention = convention_of(variance)?;
    // Custom activations call back into Python, so this runs with the GIL held.
    let out = linearize_label_features(omega0.as_ref(), &psi0, &layers, convention)
        .map_err(|e| to_py(dsrf::network::field_error(e)))?;
    let coefficients = PyList::empty(py);
    for c in &out.layers {
        let d = PyDict::new(py);
        d.set_item("r", c.r.clone())?;
        d.set_item("kappa1", c.kappa1.clone())?;
        d.set_item("kappa_star_sq", c.kappa_star_sq.clone())?;
        coefficients.append(d)?;
    }
    Ok((to_numpy(py, &out.omega)?, column(py, out.psi), coefficients))
}

fn centring_of(centring: &str) -> PyResult<FeatureCentring> {
    match centring {
        "mean" => Ok(FeatureCentring::CovarianceMean),
        "none" => Ok(FeatureCentring::None),
        other => Err(argument(
            "centring",
            format!("expected \"mean\" or \"none\", got {other:?}"),
        )),
    }
}

/// Theorem 3.1's input from features (N × p, rows = samples) and labels.
#[pyfunction]
pub fn empirical_problem(
    py: Python<'_>,
    features: PyReadonlyArray2<'_, f64>,
    labels: PyReadonlyArray1<'_, f64>,
    centring: &str,
    noise_variance: f64,
) -> PyResult<Problem> {
    let x = matrix("features", &features)?;
    let y = vector("labels", &labels)?;
    let centring = match centring_of(centring)? {
        FeatureCentring::CovarianceMean => Centring::SampleMean,
        FeatureCentring::None => Centring::Uncentred,
    };
    let inner = py
        .detach(|| {
            empirical_moments(x.as_ref().transpose(), &y, &centring, &Budget::default())
                .and_then(|m| m.problem(noise_variance))
        })
        .map_err(to_py)?;
    Ok(Problem { inner })
}

/// The empirical route: split, estimate, fit on subsets, compare.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn compare_features<'py>(
    py: Python<'py>,
    features: PyReadonlyArray2<'py, f64>,
    labels: PyReadonlyArray1<'py, f64>,
    ns: Vec<usize>,
    lambdas: PyReadonlyArray1<'py, f64>,
    units: &str,
    test_fraction: f64,
    covariance_fraction: f64,
    centring: &str,
    seeds: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let units_v = units_of(units)?;
    let x = matrix("features", &features)?;
    let y = vector("labels", &labels)?;
    if y.len() != x.nrows() {
        return Err(argument(
            "labels",
            format!(
                "{} labels for {} feature rows (rows are samples)",
                y.len(),
                x.nrows()
            ),
        ));
    }
    let split = RowSplit {
        test_fraction,
        covariance_fraction,
        seed,
    };
    let plan = EmpiricalPlan {
        ns,
        penalties: vector("lambdas", &lambdas)?
            .into_iter()
            .map(|l| Penalty::new(l, units_v))
            .collect(),
        repeats: seeds,
        seed: seed.wrapping_add(1),
        centring: centring_of(centring)?,
    };
    let (points, sizes) = crate::interrupt::run(py, move || {
        compare_on_data(
            x.as_ref().transpose(),
            &y,
            &split,
            &plan,
            &Budget::default(),
        )
    })?
    .map_err(to_py)?;
    let d = crate::arrays::comparison_columns(py, &points, units)?;
    d.set_item("replicates", seeds)?;
    d.set_item("test_size", sizes.test)?;
    d.set_item("pool_size", sizes.pool)?;
    d.set_item("covariance_samples", sizes.covariance)?;
    d.set_item("seed", seed)?;
    Ok(d)
}

/// The learned-features comparison for a network trained elsewhere: hidden weights
/// (out × in, `nn.Linear.weight`), one activation, the readout; data (N × d, rows =
/// samples) split the authors' way (test, train_reg, train_w, emp_cov).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn compare_network<'py>(
    py: Python<'py>,
    inputs: PyReadonlyArray2<'py, f64>,
    labels: PyReadonlyArray1<'py, f64>,
    weights: Vec<PyReadonlyArray2<'py, f64>>,
    activation_name: &str,
    readout: PyReadonlyArray1<'py, f64>,
    proportions: [f64; 4],
    split_seed: u64,
    lambdas: Option<PyReadonlyArray1<'py, f64>>,
    units: &str,
    theory_ns: PyReadonlyArray1<'py, f64>,
    empirical_ns: Vec<usize>,
    repeats: usize,
    subset_seed: u64,
    linearised: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    use dsrf::learned::{
        ComparisonPlan, LinearisedTheory, PenaltyChoice, Splits, compare_features,
        network_from_weights,
    };
    let units_v = units_of(units)?;
    let x = matrix("inputs", &inputs)?;
    let y = vector("labels", &labels)?;
    if y.len() != x.nrows() {
        return Err(argument(
            "labels",
            format!("{} labels for {} input rows", y.len(), x.nrows()),
        ));
    }
    let hidden = weights
        .iter()
        .enumerate()
        .map(|(k, w)| matrix(&format!("weights[{k}]"), w))
        .collect::<PyResult<Vec<_>>>()?;
    let activation =
        Activation::from_name(activation_name).map_err(|e| argument("activation", e))?;
    let network =
        network_from_weights(hidden, activation, vector("readout", &readout)?).map_err(to_py)?;
    let data = dsrf::sim::Dataset {
        inputs: x.transpose().to_owned(),
        labels: y,
    };
    let splits = Splits::of(&data, proportions, split_seed).map_err(to_py)?;
    let plan = ComparisonPlan {
        penalties: match lambdas {
            Some(l) => PenaltyChoice::Given(
                vector("lambdas", &l)?
                    .into_iter()
                    .map(|v| Penalty::new(v, units_v))
                    .collect(),
            ),
            None => PenaltyChoice::Optimal,
        },
        theory_ns: vector("theory_ns", &theory_ns)?,
        empirical_ns,
        repeats,
        subset_seed,
        linearised: match linearised {
            None => LinearisedTheory::Skip,
            Some(v) => LinearisedTheory::With(convention_of(v)?),
        },
    };
    let (comparison, loss) = crate::interrupt::run(py, move || {
        let loss = network.loss(
            splits.test.inputs.as_ref(),
            &splits.test.labels,
            faer::Par::Seq,
        );
        compare_features(&network.layers, &splits, &plan, &Budget::default()).map(|c| (c, loss))
    })?
    .map_err(to_py)?;
    let theory = |points: &[dsrf::learned::TheoryPoint]| -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("n", column(py, points.iter().map(|t| t.n).collect()))?;
        d.set_item(
            "lambda_code",
            column(py, points.iter().map(|t| t.lambda_code).collect()),
        )?;
        d.set_item(
            "test_error",
            column(py, points.iter().map(|t| t.test_error).collect()),
        )?;
        Ok(d)
    };
    let empirical = |points: &[dsrf::learned::EmpiricalPoint]| -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("n", column(py, points.iter().map(|t| t.n as f64).collect()))?;
        d.set_item(
            "lambda_code",
            column(py, points.iter().map(|t| t.lambda_code).collect()),
        )?;
        d.set_item(
            "test_error_mean",
            column(py, points.iter().map(|t| t.error.mean).collect()),
        )?;
        d.set_item(
            "test_error_std",
            column(py, points.iter().map(|t| t.error.std).collect()),
        )?;
        d.set_item(
            "repeats",
            column(py, points.iter().map(|t| t.repeats as f64).collect()),
        )?;
        Ok(d)
    };
    let out = PyDict::new(py);
    out.set_item("p", comparison.p)?;
    out.set_item("theory", theory(&comparison.theory)?)?;
    if let Some(lin) = &comparison.theory_linearised {
        out.set_item("theory_linearised", theory(lin)?)?;
    }
    out.set_item("empirical", empirical(&comparison.empirical)?)?;
    out.set_item(
        "empirical_on_emp_cov",
        empirical(&comparison.empirical_on_emp_cov)?,
    )?;
    out.set_item("network_test_loss", loss)?;
    Ok(out)
}
