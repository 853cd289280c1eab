//! `dsrf empirical`: the empirical route — features and labels of a data set in, the
//! theory from their covariances next to the empirical ridge curve on held-out rows
//! out (docs/empirical.md).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use dsrf::files::npy::read_npy;
use dsrf::files::units_name;
use dsrf::route::{EmpiricalPlan, FeatureCentring, RowSplit, compare_on_data};
use dsrf::theory::{Penalty, Units};

use crate::limits::Limits;
use crate::output::{COMPARISON_COLUMNS, Cell, Format, Table, comparison_cells, emit};

#[derive(Args)]
pub struct EmpiricalArgs {
    /// Features as a .npy matrix, one row per sample (N × p, float64 or float32).
    #[arg(long, value_name = "X.npy")]
    features: PathBuf,
    /// Labels as a .npy vector of length N.
    #[arg(long, value_name = "y.npy")]
    labels: PathBuf,
    /// Subset sizes of the ridge fits, comma-separated (each ≤ the training pool).
    #[arg(long, value_delimiter = ',', value_name = "N,..", required = true)]
    ns: Vec<usize>,
    /// Penalties, comma-separated, in --units; all > 0.
    #[arg(long, value_delimiter = ',', value_name = "L,..", required = true)]
    lambdas: Vec<f64>,
    /// Units of --lambdas: `code` (wᵀφ, λ_c‖w‖², scikit-learn's Ridge(alpha)) or
    /// `paper` (θᵀφ/√p, λ‖θ‖²; λ_c = pλ). Required: there is no silent default.
    #[arg(long, value_enum)]
    units: UnitsArg,
    /// Fraction of the rows held out for the test error.
    #[arg(long, default_value_t = 0.2)]
    test_fraction: f64,
    /// Fraction of the rows used only for the covariances Ω̂, ψ̂, E y² (0: they come
    /// from the training pool).
    #[arg(long, default_value_t = 0.0)]
    covariance_fraction: f64,
    /// Centre the features by the mean of the covariance rows (the authors' choice).
    #[arg(long, value_enum, default_value_t = CentringArg::Mean)]
    centring: CentringArg,
    /// Random training subsets per size.
    #[arg(long, default_value_t = 10)]
    seeds: usize,
    /// Seed of the split (stream 0) and of the subsets (repeat r: seed + 1 + r).
    #[arg(long, default_value_t = 0)]
    seed: u64,
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

#[derive(Clone, Copy, ValueEnum)]
enum CentringArg {
    /// By the mean of the covariance rows.
    Mean,
    /// Not at all.
    None,
}

/// After the shared comparison columns.
const EXTRA_COLUMNS: [&str; 5] = [
    "replicates",
    "test_size",
    "seed",
    "pool_size",
    "covariance_samples",
];

pub fn run(args: &EmpiricalArgs) -> Result<()> {
    let budget = args.limits.budget();
    let features = read_npy(&args.features, &budget)?
        .into_matrix()
        .map_err(|m| anyhow::anyhow!("--features {}: {m}", args.features.display()))?;
    let labels = read_npy(&args.labels, &budget)?
        .into_vector()
        .map_err(|m| anyhow::anyhow!("--labels {}: {m}", args.labels.display()))?;
    if labels.len() != features.nrows() {
        bail!(
            "--labels {} has {} entries but --features {} has {} rows (one row per sample)",
            args.labels.display(),
            labels.len(),
            args.features.display(),
            features.nrows()
        );
    }
    let units = match args.units {
        UnitsArg::Paper => Units::Paper,
        UnitsArg::Code => Units::Code,
    };
    let split = RowSplit {
        test_fraction: args.test_fraction,
        covariance_fraction: args.covariance_fraction,
        seed: args.seed,
    };
    let plan = EmpiricalPlan {
        ns: args.ns.clone(),
        penalties: args
            .lambdas
            .iter()
            .map(|&l| Penalty::new(l, units))
            .collect(),
        repeats: args.seeds,
        seed: args.seed.wrapping_add(1),
        centring: match args.centring {
            CentringArg::Mean => FeatureCentring::CovarianceMean,
            CentringArg::None => FeatureCentring::None,
        },
    };
    // Rows are samples in the file; the library takes samples as columns.
    let (points, sizes) = compare_on_data(
        features.as_ref().transpose(),
        &labels,
        &split,
        &plan,
        &budget,
    )?;
    let mut table = Table::new([&COMPARISON_COLUMNS[..], &EXTRA_COLUMNS[..]].concat());
    for point in &points {
        let mut row = comparison_cells(point, units_name(units));
        row.extend([
            Cell::Integer(args.seeds as u64),
            Cell::Integer(sizes.test as u64),
            Cell::Integer(args.seed),
            Cell::Integer(sizes.pool as u64),
            Cell::Integer(sizes.covariance as u64),
        ]);
        table.push(row)?;
    }
    emit(&table.render(args.format), args.out.as_deref())
}
