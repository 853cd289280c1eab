//! `dsrf covariance`: the closed-form Ω, Φ, Ψ of a network specification, written as
//! NumPy files plus a problem file that `dsrf curve` reads directly.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use dsrf::files::npy::encode_matrix;
use dsrf::files::output::replace_folder;
use dsrf::files::{NetworkFile, ReadContext};
use dsrf::rainbow::LayerCoefficients;
use serde_json::{Map, Value, json};

use crate::limits::Limits;
use crate::output::{format_number, list};
use crate::variance::Variance;

#[derive(Args)]
pub struct CovarianceArgs {
    /// Network specification (JSON; see docs/network.md).
    #[arg(long, value_name = "FILE.json")]
    network: PathBuf,
    /// Output folder: omega.npy, phi.npy, psi.npy, problem.json, linearization.json.
    /// The folder is replaced as a whole (all five files or none); a folder holding
    /// other files is refused.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Variance convention of the linearisation.
    #[arg(long, value_enum, default_value_t = Variance::Averaged)]
    variance: Variance,
    #[command(flatten)]
    limits: Limits,
}

pub fn run(args: &CovarianceArgs) -> Result<()> {
    let budget = args.limits.budget();
    let path = &args.network;
    let file = NetworkFile::load(path, &ReadContext::new(".").with_budget(budget.clone()))?;
    let in_file = |e: dsrf::DsrfError| e.in_file("network file", path);
    let net = file.model.realise(&budget).map_err(in_file)?;
    let c = net
        .covariances(args.variance.convention())
        .map_err(in_file)?;
    // The problem must be valid before anything is written.
    net.problem_from(&c).map_err(in_file)?;
    // A problem file in the paper form; the grid is copied from the network file.
    let mut problem = Map::new();
    problem.insert("omega".into(), json!({"npy": "omega.npy"}));
    problem.insert("phi".into(), json!({"npy": "phi.npy"}));
    problem.insert("psi_target".into(), json!({"npy": "psi.npy"}));
    problem.insert("theta_star".into(), json!(net.theta_star));
    problem.insert("noise_variance".into(), json!(net.noise_variance));
    for (key, value) in file.grid.to_json() {
        problem.insert(key.into(), value);
    }
    let problem = serde_json::to_string_pretty(&Value::Object(problem))? + "\n";
    let coefficients = |layers: &[LayerCoefficients]| {
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
        "{{\n  \"seed\": {},\n  \"variance\": \"{}\",\n  \"p\": {},\n  \"k\": {},\n  \"noise_variance\": {},\n  \"learner\": {},\n  \"target\": {},\n  \"cross\": [{}]\n}}\n",
        net.seed,
        args.variance.name(),
        c.omega.nrows(),
        c.psi.nrows(),
        format_number(net.noise_variance),
        coefficients(&c.learner),
        coefficients(&c.target),
        cross.join(", ")
    );
    replace_folder(
        &args.out,
        &[
            ("omega.npy", encode_matrix(&c.omega)),
            ("phi.npy", encode_matrix(&c.phi)),
            ("psi.npy", encode_matrix(&c.psi)),
            ("problem.json", problem.into_bytes()),
            ("linearization.json", summary.into_bytes()),
        ],
    )?;
    Ok(())
}
