//! `dsrf simulate`: the empirical learning curve of a network file, next to the theory
//! from its closed-form covariances.
//!
//! The network's weights are realised once from the file's seed (the theory is
//! conditional on them, like `dsrf curve --network`); each replicate draws fresh
//! training and test data from its own stream of `--seed`. Test errors are measured on
//! a held-out sample and include label noise, like the theory's `test_error`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use dsrf_sim::{GaussianInputs, NetworkTeacher, TestError, simulate_learning_curve_with_progress};
use dsrf_theory::{Penalty, Units};
use indicatif::{ProgressBar, ProgressStyle};

use crate::covariance::Variance;
use crate::output::{Cell, Format, Table, emit, format_number};
use crate::problem_file::{self, units_name};

#[derive(Args)]
pub struct SimulateArgs {
    /// Network specification (JSON; see docs/network.md).
    #[arg(long, value_name = "FILE.json")]
    network: PathBuf,
    /// Sample sizes, comma-separated (default: the file's `ns`).
    #[arg(long, value_delimiter = ',', value_name = "N,..")]
    ns: Option<Vec<usize>>,
    /// Penalties, comma-separated, in the units of --units (default: the file's
    /// `lambdas`, in the file's units). All must be > 0.
    #[arg(long, value_delimiter = ',', value_name = "L,..")]
    lambdas: Option<Vec<f64>>,
    /// Units of --lambdas: `paper` (θᵀφ/√p, λ‖θ‖²) or `code` (wᵀφ, λ_c‖w‖², λ_c = pλ).
    /// Default: the file's `units`.
    #[arg(long, value_enum)]
    units: Option<UnitsArg>,
    /// Number of independent replicates (data sets) per point.
    #[arg(long, default_value_t = 10)]
    seeds: usize,
    /// Seed of the data streams (default: the network file's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Held-out samples per replicate for the test error.
    #[arg(long, default_value_t = 10_000)]
    test_size: usize,
    /// Variance convention of the linearisation used by the theory column.
    #[arg(long, value_enum, default_value_t = Variance::Averaged)]
    variance: Variance,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Write the output here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum UnitsArg {
    Paper,
    Code,
}

const COLUMNS: [&str; 16] = [
    "n",
    "lambda",
    "units",
    "lambda_code",
    "test_error_mean",
    "test_error_std",
    "test_error_stderr",
    "train_error_mean",
    "train_error_std",
    "theory_test_error",
    "theory_train_error",
    "relative_deviation",
    "replicates",
    "test_size",
    "seed",
    "network_seed",
];

pub fn run(args: &SimulateArgs) -> Result<()> {
    if args.seeds == 0 {
        bail!("--seeds: need at least one replicate");
    }
    if args.test_size == 0 {
        bail!("--test-size: need at least one held-out sample");
    }
    let net = crate::covariance::compute(&args.network, args.variance)?;
    let context = || format!("invalid network file {}", args.network.display());
    let document = &net.file.document;
    let file_grid = problem_file::grid(document, false);
    let units = match args.units {
        Some(UnitsArg::Paper) => Units::Paper,
        Some(UnitsArg::Code) => Units::Code,
        None => match &file_grid {
            Ok((units, _, _)) => *units,
            Err(_) => Units::Code,
        },
    };
    let ns: Vec<usize> = match &args.ns {
        Some(ns) => ns.clone(),
        None => {
            let (_, _, ns) = file_grid
                .as_ref()
                .map_err(|e| anyhow::anyhow!("{e:#}"))
                .with_context(context)?;
            ns.iter()
                .map(|&n| {
                    if n.fract() == 0.0 && n >= 1.0 {
                        Ok(n as usize)
                    } else {
                        bail!("field `ns`: a simulation needs whole sample sizes, got {n}")
                    }
                })
                .collect::<Result<_>>()
                .with_context(context)?
        }
    };
    if ns.is_empty() || ns.contains(&0) {
        bail!("--ns: give sample sizes ≥ 1");
    }
    let lambdas: Vec<f64> = match &args.lambdas {
        Some(l) => l.clone(),
        None => match &file_grid {
            Ok((file_units, l, _)) if args.units.is_none() || *file_units == units => l.clone(),
            Ok(_) => bail!("--units differs from the file's `units`: give --lambdas as well"),
            Err(e) => return Err(anyhow::anyhow!("{e:#}")).with_context(context),
        },
    };
    if lambdas.is_empty() {
        bail!("no penalties: give --lambdas or the file's `lambdas`");
    }
    if let Some(l) = lambdas.iter().find(|l| !(l.is_finite() && **l > 0.0)) {
        bail!("--lambdas: a simulation needs penalties > 0 (ridge is refitted), got {l}");
    }
    let p = net.covariances.omega.nrows();
    let penalties_code: Vec<f64> = lambdas
        .iter()
        .map(|&l| Penalty::new(l, units).to_code(p))
        .collect();

    let problem = net.problem()?;
    let penalties: Vec<Penalty> = lambdas.iter().map(|&l| Penalty::new(l, units)).collect();
    let ns_f64: Vec<f64> = ns.iter().map(|&n| n as f64).collect();
    let theory = problem
        .learning_curve(&ns_f64, &penalties)
        .context("cannot evaluate the theory for the given `ns` and `lambdas`")?;

    let sampled = &net.network;
    let inputs = if is_identity(&sampled.omega0) {
        GaussianInputs::isotropic(sampled.omega0.nrows())
    } else {
        GaussianInputs::from_covariance(sampled.omega0.as_ref())
            .map_err(|e| anyhow::anyhow!("field `input`: {e}"))?
    };
    let teacher = NetworkTeacher {
        inputs,
        learner: sampled.learner.clone(),
        target: sampled.target.clone(),
        theta_star: net.theta_star.clone(),
        noise_sd: net.file.noise_variance.sqrt(),
    };
    let seed = args.seed.unwrap_or(net.file.spec.seed);
    let bar = ProgressBar::new(args.seeds as u64).with_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} replicates, {elapsed} (eta {eta})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message("simulating");
    let simulated = simulate_learning_curve_with_progress(
        &teacher,
        &ns,
        &penalties_code,
        args.seeds,
        seed,
        &TestError::HeldOut(args.test_size),
        &|| bar.inc(1),
    )
    .map_err(|e| anyhow::anyhow!("simulation failed: {e}"))?;
    bar.finish_and_clear();

    let mut table = Table::new(COLUMNS.to_vec());
    for (sim, th) in simulated.iter().zip(&theory) {
        table.push(vec![
            Cell::Number(sim.n as f64),
            Cell::Number(th.lambda(units)),
            Cell::Text(units_name(units)),
            Cell::Number(sim.lambda_code),
            Cell::Number(sim.test.mean),
            Cell::Number(sim.test.std),
            Cell::Number(sim.test.stderr),
            Cell::Number(sim.train.mean),
            Cell::Number(sim.train.std),
            Cell::Number(th.test_error),
            Cell::Number(th.train_error),
            Cell::Number(sim.test.mean / th.test_error - 1.0),
            Cell::Number(args.seeds as f64),
            Cell::Number(args.test_size as f64),
            Cell::Number(seed as f64),
            Cell::Number(net.file.spec.seed as f64),
        ])?;
    }
    emit(&table.render(args.format), args.out.as_deref())?;
    eprintln!(
        "dsrf: simulated {} points with {} replicates (data seed {}, network seed {})",
        simulated.len(),
        args.seeds,
        format_number(seed as f64),
        net.file.spec.seed
    );
    Ok(())
}

fn is_identity(m: &faer::Mat<f64>) -> bool {
    (0..m.nrows()).all(|i| (0..m.ncols()).all(|j| m[(i, j)] == if i == j { 1.0 } else { 0.0 }))
}
