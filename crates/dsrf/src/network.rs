//! From a network specification to Theorem 3.1: the one place the CLI, the xtask, the
//! Python package and the tests get a problem from a network.
//!
//! A [`NetworkModel`] is Assumption 2.1 as data — learner and target networks on a
//! Gaussian input, the readout θ* and the label noise: y = θ*ᵀφ*(x)/√k + ε. Realising
//! it ([`NetworkModel::realise`]) draws every weight from the spec's seed; the
//! [`RealisedNetwork`] then gives the closed-form covariances of Definition 4.2 in
//! either variance convention, Monte-Carlo covariances, the simulator's sampler, and
//! the validated [`Problem`] of each route.

use dsrf_rainbow::{
    Layer, NetworkSpec, PopulationCovariances, RainbowError, VarianceConvention, gaussian_vector,
    linearized_covariances,
};
use dsrf_sim::{GaussianInputs, NetworkTeacher, estimate_moments, estimate_network_covariances};
use dsrf_theory::{CodeForm, Covariance, PaperForm, Problem};
use faer::Mat;

use crate::budget::Budget;
use crate::footprint::network_footprint;
use crate::{DsrfError, Result};

/// How θ* is obtained.
#[derive(Debug, Clone, PartialEq)]
pub enum Readout {
    /// Given values (length = target width k).
    Given(Vec<f64>),
    /// i.i.d. 𝒩(0, variance) entries from the stream `name` of the spec's seed
    /// (`dsrf_rainbow::gaussian_vector`).
    Gaussian {
        /// Stream name.
        name: String,
        /// Variance of each entry.
        variance: f64,
    },
}

impl Default for Readout {
    /// i.i.d. 𝒩(0, 1) from the stream `readout` (the network file's default).
    fn default() -> Self {
        Readout::Gaussian {
            name: "readout".into(),
            variance: 1.0,
        }
    }
}

/// Learner, target, readout and label noise (Assumption 2.1).
#[derive(Debug, Clone)]
pub struct NetworkModel {
    /// The networks and the seed of every weight.
    pub spec: NetworkSpec,
    /// θ*.
    pub readout: Readout,
    /// ⟨Σ⟩ = s², the label-noise variance.
    pub noise_variance: f64,
}

/// A model with realised weights.
#[derive(Debug, Clone)]
pub struct RealisedNetwork {
    /// Ω₀ = E[x xᵀ] (x ~ 𝒩(0, Ω₀)).
    pub omega0: Mat<f64>,
    /// Learner layers (features φ after the last).
    pub learner: Vec<Layer>,
    /// Target layers (φ* after the last; empty: φ* = x).
    pub target: Vec<Layer>,
    /// θ*, length k.
    pub theta_star: Vec<f64>,
    /// s².
    pub noise_variance: f64,
    /// The seed the weights were drawn from (0 for given weights).
    pub seed: u64,
}

/// "learner.layers[2].weights" → "learner[2].weights" (the file's own paths).
fn file_path(what: &str) -> String {
    what.replace(".layers[", "[")
}

/// A rainbow input error as a field error with the file's paths (`learner[2].weights`).
pub fn field_error(e: RainbowError) -> DsrfError {
    match e {
        RainbowError::Input { what, message } => DsrfError::field(file_path(&what), message),
        other => other.into(),
    }
}

impl NetworkModel {
    /// Draws every weight (after checking the memory it needs against `budget`) and θ*.
    pub fn realise(&self, budget: &Budget) -> Result<RealisedNetwork> {
        if !(self.noise_variance.is_finite() && self.noise_variance >= 0.0) {
            return Err(DsrfError::field(
                "noise_variance",
                format!("must be finite and ≥ 0, got {:?}", self.noise_variance),
            ));
        }
        let footprint = network_footprint(&self.spec);
        budget.check_memory(&footprint.describe(), footprint.bytes)?;
        let sampled = self.spec.sample().map_err(field_error)?;
        let d = sampled.omega0.nrows();
        let k = sampled.target.last().map_or(d, |l| l.weights.nrows());
        let theta_star = match &self.readout {
            Readout::Given(theta) => {
                if theta.len() != k {
                    return Err(DsrfError::field(
                        "readout.theta_star",
                        format!("length {} does not match the target width {k}", theta.len()),
                    ));
                }
                if let Some(i) = theta.iter().position(|t| !t.is_finite()) {
                    return Err(DsrfError::field(
                        format!("readout.theta_star[{i}]"),
                        "is not a finite number",
                    ));
                }
                theta.clone()
            }
            Readout::Gaussian { name, variance } => {
                if !(variance.is_finite() && *variance >= 0.0) {
                    return Err(DsrfError::field(
                        "readout.gaussian.variance",
                        format!("must be finite and ≥ 0, got {variance:?}"),
                    ));
                }
                gaussian_vector(self.spec.seed, name, k, *variance)
            }
        };
        Ok(RealisedNetwork {
            omega0: sampled.omega0,
            learner: sampled.learner,
            target: sampled.target,
            theta_star,
            noise_variance: self.noise_variance,
            seed: self.spec.seed,
        })
    }
}

impl RealisedNetwork {
    /// Given (e.g. trained) weights: layers out × in, chained from Ω₀'s dimension.
    pub fn from_layers(
        omega0: Mat<f64>,
        learner: Vec<Layer>,
        target: Vec<Layer>,
        theta_star: Vec<f64>,
        noise_variance: f64,
    ) -> Result<Self> {
        let realised = RealisedNetwork {
            omega0,
            learner,
            target,
            theta_star,
            noise_variance,
            seed: 0,
        };
        if realised.theta_star.len() != realised.k() {
            return Err(DsrfError::input(
                "theta_star",
                format!(
                    "length {} does not match the target width {}",
                    realised.theta_star.len(),
                    realised.k()
                ),
            ));
        }
        Ok(realised)
    }

    /// Input dimension d.
    pub fn d(&self) -> usize {
        self.omega0.nrows()
    }

    /// Feature dimension p (width of the learner's last layer).
    pub fn p(&self) -> usize {
        self.learner.last().map_or(self.d(), |l| l.weights.nrows())
    }

    /// Target width k.
    pub fn k(&self) -> usize {
        self.target.last().map_or(self.d(), |l| l.weights.nrows())
    }

    /// Ω, Φ, Ψ of Definition 4.2 in the given variance convention.
    pub fn covariances(&self, convention: VarianceConvention) -> Result<PopulationCovariances> {
        linearized_covariances(
            self.omega0.as_ref(),
            &self.learner,
            &self.target,
            convention,
        )
        .map_err(field_error)
    }

    /// Theorem 3.1's input from Definition 4.2 (the paper form with θ* and s²).
    pub fn problem(&self, convention: VarianceConvention) -> Result<Problem> {
        self.problem_from(&self.covariances(convention)?)
    }

    /// Theorem 3.1's input from covariances computed earlier.
    pub fn problem_from(&self, covariances: &PopulationCovariances) -> Result<Problem> {
        PaperForm {
            omega: Covariance::Matrix(covariances.omega.clone()),
            phi: covariances.phi.clone(),
            psi_target: covariances.psi.clone(),
            theta_star: self.theta_star.clone(),
            noise_variance: self.noise_variance,
        }
        .check()
        .map_err(|e| {
            DsrfError::input(
                "the linearised covariances",
                format!("do not form a valid problem: {e}"),
            )
        })
    }

    /// The simulator's sampler: x ~ 𝒩(0, Ω₀), φ = learner(x), y = θ*ᵀtarget(x)/√k + ε.
    pub fn teacher(&self) -> Result<NetworkTeacher> {
        let inputs = if is_identity(&self.omega0) {
            GaussianInputs::isotropic(self.d())
        } else {
            GaussianInputs::from_covariance(self.omega0.as_ref()).map_err(|e| {
                DsrfError::field("input", format!("cannot sample from this covariance: {e}"))
            })?
        };
        Ok(NetworkTeacher {
            inputs,
            learner: self.learner.clone(),
            target: self.target.clone(),
            theta_star: self.theta_star.clone(),
            noise_sd: self.noise_variance.sqrt(),
        })
    }

    /// Ω̂, Φ̂, Ψ̂ of the real network from `samples` inputs (centred features).
    pub fn monte_carlo_covariances(&self, samples: usize, seed: u64) -> Result<[Mat<f64>; 3]> {
        Ok(estimate_network_covariances(
            &self.teacher()?,
            samples,
            seed,
        )?)
    }

    /// Theorem 3.1's input from Monte-Carlo moments Ω̂, ψ̂, E y² of `samples` draws
    /// (stream 0 of `seed`; features centred, labels not — the authors' code). The
    /// label noise is inside E y², so the problem's own noise is 0.
    pub fn monte_carlo_problem(&self, samples: usize, seed: u64) -> Result<Problem> {
        let m = estimate_moments(&self.teacher()?, samples, seed)?;
        CodeForm {
            omega: Covariance::Matrix(m.omega),
            psi: m.psi,
            label_second_moment: m.label_second_moment,
            noise_variance: 0.0,
        }
        .check()
        .map_err(|e| {
            DsrfError::input(
                "the Monte-Carlo moments",
                format!("do not form a valid problem: {e}"),
            )
        })
    }
}

fn is_identity(m: &Mat<f64>) -> bool {
    (0..m.nrows()).all(|i| (0..m.ncols()).all(|j| m[(i, j)] == if i == j { 1.0 } else { 0.0 }))
}
