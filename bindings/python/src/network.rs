//! `Network`: a network specification realised from its seed — covariances, problem,
//! simulation and samples.

use std::path::PathBuf;

use dsrf::RealisedNetwork;
use dsrf::budget::Budget;
use dsrf::files::{NetworkFile, ReadContext};
use dsrf::rainbow::VarianceConvention;
use dsrf::sim::{FeatureSampler, stream};
use dsrf::simulate::{SimulationPlan, simulate_against_theory};
use dsrf::theory::Penalty;
use numpy::{PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::{Matrix, Vector, column, to_numpy, vector};
use crate::errors::{argument, to_py};
use crate::problem::{Problem, units_of};

/// A realised network (weights drawn, θ* fixed) and the file it came from.
#[pyclass(frozen, module = "dsrf._dsrf")]
pub struct Network {
    file: NetworkFile,
    realised: RealisedNetwork,
}

/// `"averaged"` (the paper) or `"per-neuron"`.
pub fn convention_of(variance: &str) -> PyResult<VarianceConvention> {
    match variance {
        "averaged" => Ok(VarianceConvention::Averaged),
        "per-neuron" | "per_neuron" => Ok(VarianceConvention::PerNeuron),
        other => Err(argument(
            "variance",
            format!("expected \"averaged\" or \"per-neuron\", got {other:?}"),
        )),
    }
}

/// Parses a network specification (the JSON of docs/network.md) and realises it;
/// relative `.npy` paths resolve from `base`.
#[pyfunction]
#[pyo3(signature = (text, base, max_memory=None))]
pub fn network_from_json(
    py: Python<'_>,
    text: &str,
    base: PathBuf,
    max_memory: Option<u64>,
) -> PyResult<Network> {
    let mut budget = Budget::default();
    if let Some(bytes) = max_memory {
        budget.memory_bytes = bytes;
    }
    budget.memory_hint = "; raise the limit with max_memory=".into();
    let context = ReadContext::new(base).with_budget(budget.clone());
    let file = NetworkFile::parse_str(text, &context).map_err(to_py)?;
    let model = file.model.clone();
    let realised = py.detach(|| model.realise(&budget)).map_err(to_py)?;
    Ok(Network { file, realised })
}

#[pymethods]
impl Network {
    /// Feature dimension p, target width k, input dimension d.
    #[getter]
    fn p(&self) -> usize {
        self.realised.p()
    }
    #[getter]
    fn k(&self) -> usize {
        self.realised.k()
    }
    #[getter]
    fn d(&self) -> usize {
        self.realised.d()
    }
    /// The seed of the weights.
    #[getter]
    fn seed(&self) -> u64 {
        self.realised.seed
    }
    /// θ*.
    #[getter]
    fn theta_star<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArray1<f64>> {
        column(py, self.realised.theta_star.clone())
    }
    /// The specification as JSON text (round-trips through `network_from_json`).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string_pretty(&self.file.to_json()).map_err(to_py)
    }
    /// The learner's weights, out × in, first layer first.
    fn weights<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyArray2<f64>>>> {
        self.realised
            .learner
            .iter()
            .map(|l| to_numpy(py, &l.weights))
            .collect()
    }

    /// (Ω, Φ, Ψ) of Definition 4.2.
    fn covariances<'py>(
        &self,
        py: Python<'py>,
        variance: &str,
    ) -> PyResult<(Matrix<'py>, Matrix<'py>, Matrix<'py>)> {
        let convention = convention_of(variance)?;
        let net = &self.realised;
        let c = py.detach(|| net.covariances(convention)).map_err(to_py)?;
        Ok((
            to_numpy(py, &c.omega)?,
            to_numpy(py, &c.phi)?,
            to_numpy(py, &c.psi)?,
        ))
    }

    /// Theorem 3.1's input from the closed-form covariances.
    fn problem(&self, py: Python<'_>, variance: &str) -> PyResult<Problem> {
        let convention = convention_of(variance)?;
        let net = &self.realised;
        let inner = py.detach(|| net.problem(convention)).map_err(to_py)?;
        Ok(Problem { inner })
    }

    /// n samples (features n × p, labels n) from stream `stream` of `seed` — replicate r
    /// of `simulate` trains on stream 2r and tests on stream 2r + 1.
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n: usize,
        seed: u64,
        stream_id: u64,
    ) -> PyResult<(Matrix<'py>, Vector<'py>)> {
        let teacher = self.realised.teacher().map_err(to_py)?;
        let (x, y) = py.detach(|| teacher.sample(&mut stream(seed, stream_id), n));
        let rows = faer::Mat::from_fn(x.ncols(), x.nrows(), |i, j| x[(j, i)]);
        Ok((to_numpy(py, &rows)?, column(py, y)))
    }

    /// The empirical learning curve next to the theory (columns as in `dsrf simulate`).
    #[allow(clippy::too_many_arguments)]
    fn simulate<'py>(
        &self,
        py: Python<'py>,
        ns: Vec<usize>,
        lambdas: PyReadonlyArray1<'py, f64>,
        units: &str,
        seeds: usize,
        seed: u64,
        test_size: usize,
        variance: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let units = units_of(units)?;
        let convention = convention_of(variance)?;
        let plan = SimulationPlan {
            ns,
            penalties: vector("lambdas", &lambdas)?
                .into_iter()
                .map(|l| Penalty::new(l, units))
                .collect(),
            replicates: seeds,
            seed,
            test_size,
        };
        let net = self.realised.clone();
        let points = crate::interrupt::run(py, move || {
            simulate_against_theory(&net, convention, &plan, &Budget::default(), None)
        })?
        .map_err(to_py)?;
        let units_name = if units == dsrf::theory::Units::Code {
            "code"
        } else {
            "paper"
        };
        let d = crate::arrays::comparison_columns(py, &points, units_name)?;
        d.set_item("replicates", seeds)?;
        d.set_item("test_size", test_size)?;
        d.set_item("seed", seed)?;
        d.set_item("network_seed", self.realised.seed)?;
        Ok(d)
    }
}
