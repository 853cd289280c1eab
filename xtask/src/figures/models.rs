//! The networks of the figures, built in code as `dsrf_rainbow::NetworkSpec`s, and the
//! two routes from a realised network to Theorem 3.1: the closed-form covariances of
//! Definition 4.2 (`PaperForm`) and Monte-Carlo moments (`CodeForm`), plus the
//! simulator's sampler for the same network.
//!
//! The Figure 1 construction is `NetworkSpec::figure1_rainbow` (the network of
//! `examples/fig1_rainbow.json`), parameterised by d and γ; the precursor's i.i.d. model
//! comes from `NetworkSpec::deep_random_features`.

use anyhow::{Context, Result, anyhow};
use dsrf_rainbow::{
    Activation, CovarianceSpec, NetworkSpec, VarianceConvention, gaussian_vector,
    linearized_covariances,
};
use dsrf_sim::{GaussianInputs, NetworkTeacher, estimate_moments};
use dsrf_theory::{CodeForm, Covariance, PaperForm, Problem};
use faer::Mat;

/// Paper Figure 1 (App. C.1, SPEC §6.1) at input dimension d and decay γ
/// (`NetworkSpec::figure1_rainbow`, the network of `examples/fig1_rainbow.json`).
pub fn rainbow_fig1(d: usize, gamma: f64, seed: u64) -> NetworkSpec {
    NetworkSpec::figure1_rainbow(seed, d, gamma)
}

/// One Figure 1 network per γ (key column: γ), all from the same seed.
pub fn rainbow_fig1_series(d: usize, gammas: &[f64], seed: u64) -> Vec<super::curves::CurveSeries> {
    gammas
        .iter()
        .map(|&g| super::curves::CurveSeries {
            keys: vec![dsrf_report::Cell::Number(g)],
            network: rainbow_fig1(d, g, seed),
        })
        .collect()
}

/// The precursor's deep random features on x ~ 𝒩(0, I_d): layers (width, Δ = 1,
/// activation) for the learner and the target.
pub fn precursor(
    d: usize,
    learner: &[(usize, Activation)],
    target: &[(usize, Activation)],
    seed: u64,
) -> NetworkSpec {
    let with_delta = |layers: &[(usize, Activation)]| -> Vec<(usize, f64, Activation)> {
        layers.iter().map(|(w, a)| (*w, 1.0, a.clone())).collect()
    };
    NetworkSpec::deep_random_features(
        seed,
        CovarianceSpec::ScaledIdentity { dim: d, scale: 1.0 },
        &with_delta(learner),
        &with_delta(target),
    )
}

/// A realised network with its readout θ* = `gaussian_vector(seed, "theta", k, 1)`, as
/// the simulator's sampler (labels y = θ*ᵀφ*(x)/√k, no noise).
pub struct Realised {
    /// Ω₀ = I_d.
    pub omega0: Mat<f64>,
    /// Learner, target and θ*, ready to sample from.
    pub teacher: NetworkTeacher,
}

impl Realised {
    /// Samples the weights of `spec` and draws θ*. The input must be isotropic.
    pub fn new(spec: &NetworkSpec) -> Result<Self> {
        let net = spec
            .sample()
            .map_err(|e| anyhow!("cannot realise the network: {e}"))?;
        let d = net.omega0.nrows();
        let k = net.target.last().map_or(d, |l| l.weights.nrows());
        let theta_star = gaussian_vector(spec.seed, "theta", k, 1.0);
        Ok(Realised {
            teacher: NetworkTeacher {
                inputs: GaussianInputs::isotropic(d),
                learner: net.learner,
                target: net.target,
                theta_star,
                noise_sd: 0.0,
            },
            omega0: net.omega0,
        })
    }

    /// The feature dimension p.
    pub fn p(&self) -> usize {
        self.teacher
            .learner
            .last()
            .map_or(self.omega0.nrows(), |l| l.weights.nrows())
    }

    /// Theorem 3.1's input from the closed-form covariances of Definition 4.2
    /// (averaged variances, the paper's convention).
    pub fn closed_form_problem(&self) -> Result<Problem> {
        let c = linearized_covariances(
            self.omega0.as_ref(),
            &self.teacher.learner,
            &self.teacher.target,
            VarianceConvention::Averaged,
        )
        .map_err(|e| anyhow!("Definition 4.2 failed: {e}"))?;
        PaperForm {
            omega: Covariance::Matrix(c.omega),
            phi: c.phi,
            psi_target: c.psi,
            theta_star: self.teacher.theta_star.clone(),
            noise_variance: 0.0,
        }
        .check()
        .context("the linearised covariances do not form a valid problem")
    }

    /// Theorem 3.1's input from Monte-Carlo moments Ω̂, ψ̂, E y² of `samples` draws
    /// (stream 0 of `seed`), as in the authors' code.
    pub fn monte_carlo_problem(&self, samples: usize, seed: u64) -> Result<Problem> {
        let m = estimate_moments(&self.teacher, samples, seed)
            .map_err(|e| anyhow!("Monte-Carlo moments failed: {e}"))?;
        CodeForm {
            omega: Covariance::Matrix(m.omega),
            psi: m.psi,
            label_second_moment: m.label_second_moment,
            noise_variance: 0.0,
        }
        .check()
        .context("the Monte-Carlo moments do not form a valid problem")
    }
}
