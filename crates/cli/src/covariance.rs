//! `dsrf covariance`: the closed-form Ω, Φ, Ψ of a network specification, written as
//! NumPy files plus a problem file that `dsrf curve` reads directly.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use dsrf_rainbow::{
    PopulationCovariances, RainbowError, VarianceConvention, gaussian_vector,
    linearized_covariances,
};
use dsrf_theory::{Covariance, PaperForm, Problem};

use crate::network_file::{self, NetworkFile, Readout};
use crate::npy::write_npy;
use crate::output::format_number;
use crate::problem_file::{Form, field_of};

/// The variance convention flag shared by the network commands.
#[derive(Clone, Copy, ValueEnum, Default)]
pub enum Variance {
    /// One averaged variance per layer (the paper).
    #[default]
    Averaged,
    /// One variance per neuron.
    PerNeuron,
}

impl Variance {
    pub fn convention(self) -> VarianceConvention {
        match self {
            Variance::Averaged => VarianceConvention::Averaged,
            Variance::PerNeuron => VarianceConvention::PerNeuron,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Variance::Averaged => "averaged",
            Variance::PerNeuron => "per-neuron",
        }
    }
}

#[derive(Args)]
pub struct CovarianceArgs {
    /// Network specification (JSON; see docs/network.md).
    #[arg(long, value_name = "FILE.json")]
    network: PathBuf,
    /// Output folder: omega.npy, phi.npy, psi.npy, problem.json, linearization.json.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Variance convention of the linearisation.
    #[arg(long, value_enum, default_value_t = Variance::Averaged)]
    variance: Variance,
}

/// The realised network's covariances and readout.
pub struct NetworkCovariances {
    pub file: NetworkFile,
    /// The realised weights and Ω₀ (what `dsrf simulate` samples from).
    pub network: dsrf_rainbow::SampledNetwork,
    pub covariances: PopulationCovariances,
    pub theta_star: Vec<f64>,
}

/// Samples the network and runs Definition 4.2 on it.
pub fn compute(path: &Path, variance: Variance) -> Result<NetworkCovariances> {
    let context = || format!("invalid network file {}", path.display());
    let file = network_file::load(path).with_context(context)?;
    let named = |e: RainbowError| match e {
        RainbowError::Input { what, message } => anyhow!("field `{what}`: {message}"),
        other => anyhow!(other),
    };
    let sampled = file.spec.sample().map_err(named).with_context(context)?;
    let covariances = linearized_covariances(
        sampled.omega0.as_ref(),
        &sampled.learner,
        &sampled.target,
        variance.convention(),
    )
    .map_err(named)
    .with_context(context)?;
    let k = covariances.psi.nrows();
    let theta_star = match &file.readout {
        Readout::Given(theta) => {
            if theta.len() != k {
                return Err(anyhow!(
                    "field `readout.theta_star`: length {} does not match the target width {k}",
                    theta.len()
                ))
                .with_context(context);
            }
            theta.clone()
        }
        Readout::Gaussian { name, variance } => gaussian_vector(file.spec.seed, name, k, *variance),
    };
    Ok(NetworkCovariances {
        file,
        network: sampled,
        covariances,
        theta_star,
    })
}

impl NetworkCovariances {
    /// The paper-form problem of Theorem 3.1.
    pub fn problem(&self) -> Result<Problem> {
        PaperForm {
            omega: Covariance::Matrix(self.covariances.omega.clone()),
            phi: self.covariances.phi.clone(),
            psi_target: self.covariances.psi.clone(),
            theta_star: self.theta_star.clone(),
            noise_variance: self.file.noise_variance,
        }
        .check()
        .map_err(|e| {
            anyhow!(
                "the linearised covariances do not form a valid problem ({}): {e}",
                field_of(&e, Form::Paper)
            )
        })
    }
}

pub fn run(args: &CovarianceArgs) -> Result<()> {
    let result = compute(&args.network, args.variance)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    if !args.out.is_dir() {
        bail!("{} is not a folder", args.out.display());
    }
    let c = &result.covariances;
    write_npy(&args.out.join("omega.npy"), &c.omega)?;
    write_npy(&args.out.join("phi.npy"), &c.phi)?;
    write_npy(&args.out.join("psi.npy"), &c.psi)?;
    let list = |v: &[f64]| {
        format!(
            "[{}]",
            v.iter()
                .map(|x| format_number(*x))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    // A problem file in the paper form; the grid is copied from the network file.
    let mut problem = format!(
        "{{\n  \"omega\": {{\"npy\": \"omega.npy\"}},\n  \"phi\": {{\"npy\": \"phi.npy\"}},\n  \"psi_target\": {{\"npy\": \"psi.npy\"}},\n  \"theta_star\": {},\n  \"noise_variance\": {}",
        list(&result.theta_star),
        format_number(result.file.noise_variance)
    );
    for key in ["units", "lambdas", "ns"] {
        if let Some(v) = result.file.document.get(key) {
            problem += &format!(",\n  \"{key}\": {v}");
        }
    }
    problem += "\n}\n";
    std::fs::write(args.out.join("problem.json"), problem)?;
    let coefficients = |layers: &[dsrf_rainbow::LayerCoefficients]| {
        let rows: Vec<String> = layers
            .iter()
            .map(|l| {
                format!(
                    "    {{\"r\": {}, \"kappa1\": {}, \"kappa_star_sq\": {}}}",
                    list(&l.r),
                    list(&l.kappa1),
                    list(&l.kappa_star_sq)
                )
            })
            .collect();
        format!("[\n{}\n  ]", rows.join(",\n"))
    };
    let cross: Vec<String> = c.cross.iter().map(|v| list(v)).collect();
    let summary = format!(
        "{{\n  \"seed\": {},\n  \"variance\": \"{}\",\n  \"p\": {},\n  \"k\": {},\n  \"learner\": {},\n  \"target\": {},\n  \"cross\": [{}]\n}}\n",
        result.file.spec.seed,
        args.variance.name(),
        c.omega.nrows(),
        c.psi.nrows(),
        coefficients(&c.learner),
        coefficients(&c.target),
        cross.join(", ")
    );
    std::fs::write(args.out.join("linearization.json"), summary)?;
    Ok(())
}
