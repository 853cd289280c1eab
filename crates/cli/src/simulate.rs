//! `dsrf simulate`: the empirical learning curve of a network file, next to the theory
//! from its closed-form covariances.
//!
//! The network's weights are realised once from the file's seed (the theory is
//! conditional on them, like `dsrf curve --network`); each replicate draws fresh
//! training and test data from its own stream of `--seed`. Test errors are measured on
//! a held-out sample and include label noise, like the theory's `test_error`.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use dsrf::files::{GridFields, NetworkFile, ReadContext, units_name};
use dsrf::simulate::{
    ClassificationComparison, SimulationPlan, simulate_against_theory,
    simulate_classification_against_theory,
};
use dsrf::theory::{Penalty, Units};
use indicatif::{ProgressBar, ProgressStyle};

use crate::limits::Limits;
use crate::loss::LossFlag;
use crate::output::{COMPARISON_COLUMNS, Cell, Format, Table, comparison_cells, emit};
use crate::variance::Variance;

#[derive(Args)]
pub struct SimulateArgs {
    /// Network specification (JSON; see docs/network.md).
    #[arg(long, value_name = "FILE.json")]
    network: PathBuf,
    /// Sample sizes, comma-separated whole numbers ≥ 1 (default: the file's `ns`).
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
    /// The estimator: square (ridge, against Theorem 3.1), or logistic / hinge on the
    /// labels' signs (against the Gaussian-covariate-model equations; code units
    /// Σℓ(y, wᵀφ) + (λ_c/2)‖w‖²).
    #[arg(long, value_enum, default_value_t = LossFlag::Square)]
    loss: LossFlag,
    /// With --loss logistic|hinge: the probability that a label is flipped, in [0, 0.5).
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    flip: f64,
    /// Variance convention of the linearisation used by the theory column.
    #[arg(long, value_enum, default_value_t = Variance::Averaged)]
    variance: Variance,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Write the output here instead of standard output (replaced in one step).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    limits: Limits,
}

#[derive(Clone, Copy, ValueEnum)]
enum UnitsArg {
    Paper,
    Code,
}

/// After the shared comparison columns.
const EXTRA_COLUMNS: [&str; 4] = ["replicates", "test_size", "seed", "network_seed"];

/// Whole sample sizes ≥ 1 from the file's `ns`.
fn whole_ns(ns: &[f64]) -> Result<Vec<usize>> {
    ns.iter()
        .enumerate()
        .map(|(i, &n)| {
            if n.fract() == 0.0 && n >= 1.0 && n <= (1u64 << 40) as f64 {
                Ok(n as usize)
            } else {
                bail!(
                    "field `ns[{i}]`: a simulation needs whole sample sizes in 1..=2^40, got {n:?}"
                )
            }
        })
        .collect()
}

/// The grid: flags first, then the file.
fn plan_grid(args: &SimulateArgs, grid: &GridFields) -> Result<(Units, Vec<f64>, Vec<usize>)> {
    let units = match args.units {
        Some(UnitsArg::Paper) => Units::Paper,
        Some(UnitsArg::Code) => Units::Code,
        None => grid.units.unwrap_or(Units::Code),
    };
    let ns = match &args.ns {
        Some(ns) => ns.clone(),
        None => match &grid.ns {
            Some(ns) => whole_ns(ns)?,
            None => bail!("no sample sizes: give --ns or the file's `ns`"),
        },
    };
    let lambdas = match (&args.lambdas, &grid.lambdas) {
        (Some(l), _) => l.clone(),
        (None, Some(l)) if args.units.is_none() || grid.units.unwrap_or(Units::Code) == units => {
            l.clone()
        }
        (None, Some(_)) => bail!("--units differs from the file's `units`: give --lambdas as well"),
        (None, None) => bail!("no penalties: give --lambdas or the file's `lambdas`"),
    };
    Ok((units, lambdas, ns))
}

/// The flags a simulation cannot run without, named as the user wrote them.
fn check_flags(args: &SimulateArgs) -> Result<()> {
    if args.seeds == 0 {
        bail!("--seeds: need at least one replicate");
    }
    if args.test_size == 0 {
        bail!("--test-size: need at least one held-out sample");
    }
    if args
        .ns
        .as_ref()
        .is_some_and(|ns| ns.is_empty() || ns.contains(&0))
    {
        bail!("--ns: give sample sizes ≥ 1");
    }
    if let Some(l) = args
        .lambdas
        .iter()
        .flatten()
        .find(|l| !(l.is_finite() && **l > 0.0))
    {
        bail!("--lambdas: a simulation refits ridge and needs penalties > 0, got {l:?}");
    }
    Ok(())
}

pub fn run(args: &SimulateArgs) -> Result<()> {
    check_flags(args)?;
    let budget = args.limits.budget();
    let path = &args.network;
    let file = NetworkFile::load(path, &ReadContext::new(".").with_budget(budget.clone()))?;
    let in_file = |e: dsrf::DsrfError| e.in_file("network file", path);
    let (units, lambdas, ns) = plan_grid(args, &file.grid)
        .map_err(|e| anyhow::anyhow!("invalid network file {}: {e}", path.display()))?;
    let net = file.model.realise(&budget).map_err(in_file)?;
    let seed = args.seed.unwrap_or(net.seed);
    let plan = SimulationPlan {
        ns,
        penalties: lambdas.iter().map(|&l| Penalty::new(l, units)).collect(),
        replicates: args.seeds,
        seed,
        test_size: args.test_size,
    };
    let bar = ProgressBar::new(args.seeds as u64).with_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} replicates, {elapsed} (eta {eta})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message("simulating");
    if args.loss != LossFlag::Square {
        bar.set_length((args.seeds * plan.penalties.len()) as u64);
        let points = simulate_classification_against_theory(
            &net,
            args.variance.convention(),
            &plan,
            args.loss.loss(),
            args.flip,
            &budget,
            Some(&|| bar.inc(1)),
        );
        bar.finish_and_clear();
        let table = classification_table(&points?, units, args, seed, net.seed)?;
        emit(&table.render(args.format), args.out.as_deref())?;
        return Ok(());
    }
    if args.flip != 0.0 {
        bail!("--flip needs --loss logistic or hinge (ridge keeps the real labels)");
    }
    let points = simulate_against_theory(
        &net,
        args.variance.convention(),
        &plan,
        &budget,
        Some(&|| bar.inc(1)),
    );
    bar.finish_and_clear();
    let points = points?;
    let mut table = Table::new([&COMPARISON_COLUMNS[..], &EXTRA_COLUMNS[..]].concat());
    for point in &points {
        let mut row = comparison_cells(point, units_name(units));
        row.extend([
            Cell::Integer(args.seeds as u64),
            Cell::Integer(args.test_size as u64),
            Cell::Integer(seed),
            Cell::Integer(net.seed),
        ]);
        table.push(row)?;
    }
    emit(&table.render(args.format), args.out.as_deref())?;
    eprintln!(
        "dsrf: simulated {} points with {} replicates (data seed {seed}, network seed {})",
        points.len(),
        args.seeds,
        net.seed
    );
    Ok(())
}

/// The columns of a classification simulation.
const CLASSIFICATION_COLUMNS: [&str; 17] = [
    "n",
    "lambda",
    "units",
    "lambda_code",
    "loss",
    "flip",
    "classification_error",
    "std",
    "stderr",
    "train_loss",
    "theory_classification_error",
    "theory_train_loss",
    "relative_deviation",
    "replicates",
    "test_size",
    "seed",
    "network_seed",
];

fn classification_table(
    points: &[ClassificationComparison],
    units: Units,
    args: &SimulateArgs,
    seed: u64,
    network_seed: u64,
) -> Result<Table> {
    let mut table = Table::new(CLASSIFICATION_COLUMNS.to_vec());
    for point in points {
        table.push(vec![
            Cell::Integer(point.n as u64),
            Cell::Number(point.penalty.in_units(units, point.theory.p)),
            Cell::Text(units_name(units)),
            Cell::Number(point.lambda_code),
            Cell::Text(point.theory.loss.name()),
            Cell::Number(args.flip),
            Cell::Number(point.error.mean),
            Cell::Number(point.error.std),
            Cell::Number(point.error.stderr),
            Cell::Number(point.train_loss.mean),
            Cell::maybe(point.theory.classification_error),
            Cell::Number(point.theory.train_loss),
            Cell::maybe(point.relative_deviation),
            Cell::Integer(args.seeds as u64),
            Cell::Integer(args.test_size as u64),
            Cell::Integer(seed),
            Cell::Integer(network_seed),
        ])?;
    }
    Ok(table)
}
