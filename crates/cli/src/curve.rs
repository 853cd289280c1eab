//! `dsrf curve`: learning curves from a problem file.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use dsrf::files::{GridUse, NetworkFile, ProblemFile, ReadContext, units_name};
use dsrf::theory::{GcmPoint, Optimum, Penalty, Problem, RiskPoint, Units};

use crate::limits::Limits;
use crate::loss::{LabelsFlag, LossFlag};
use crate::output::{Cell, Format, Table, emit};
use crate::variance::Variance;

#[derive(Args)]
pub struct CurveArgs {
    /// Problem file (JSON; see docs/curve.md), or "-" for standard input.
    #[arg(
        long,
        value_name = "FILE.json",
        required_unless_present = "network",
        conflicts_with = "network"
    )]
    problem: Option<PathBuf>,
    /// Network specification instead of a problem file (docs/network.md): its closed-form
    /// covariances (Definition 4.2) go straight into the solver; the grid (units,
    /// lambdas, ns) is read from the same file.
    #[arg(long, value_name = "FILE.json")]
    network: Option<PathBuf>,
    /// Variance convention of the linearisation (with --network).
    #[arg(long, value_enum, default_value_t = Variance::Averaged, requires = "network")]
    variance: Variance,
    /// Report, for every n, the penalty that minimises the test error instead of
    /// evaluating the file's `lambdas` (which may then be omitted).
    #[arg(long)]
    optimal_lambda: bool,
    /// The estimator's loss: square (ridge), logistic or hinge (code units: the
    /// estimator minimises Σℓ(y, wᵀφ) + (λ_c/2)‖w‖²; the file's `units` still decide
    /// how `lambdas` are read). Anything but square loss with linear labels is solved
    /// by the Gaussian-covariate-model equations (docs/curve.md).
    #[arg(long, value_enum, default_value_t = LossFlag::Square)]
    loss: LossFlag,
    /// The labels as a function of the teacher field ν of the problem (E[φν] = ψ,
    /// E ν² = ρ, noise s²): linear y = ν + ε, or sign y = sign(ν + ε).
    #[arg(long, value_enum, default_value_t = LabelsFlag::Linear)]
    labels: LabelsFlag,
    /// With --labels sign: the probability that a label is flipped, in [0, 0.5).
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    flip: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Write the output here instead of standard output (replaced in one step: a
    /// failed run leaves the previous file intact).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    limits: Limits,
}

/// Columns shared by both modes; `lambda` and `m` are in the file's units.
const COLUMNS: [&str; 13] = [
    "n",
    "lambda",
    "units",
    "test_error",
    "excess_risk",
    "bias",
    "variance",
    "noise_variance",
    "train_error",
    "m",
    "kappa",
    "degrees_of_freedom",
    "denominator",
];

fn cells(point: &RiskPoint, units: Units) -> Vec<Cell> {
    vec![
        Cell::Number(point.n),
        Cell::Number(point.lambda(units)),
        Cell::Text(units_name(units)),
        Cell::Number(point.test_error),
        Cell::Number(point.excess_risk),
        Cell::Number(point.bias),
        Cell::Number(point.variance),
        Cell::Number(point.noise_variance),
        Cell::Number(point.train_error),
        Cell::Number(point.m(units)),
        Cell::Number(point.kappa),
        Cell::Number(point.degrees_of_freedom),
        Cell::Number(point.denominator),
    ]
}

pub fn run(args: &CurveArgs) -> Result<()> {
    let budget = args.limits.budget();
    let context = ReadContext::new(".").with_budget(budget.clone());
    let usage = if args.optimal_lambda {
        GridUse::OptimalPenalty
    } else {
        GridUse::GivenPenalties
    };
    let (problem, grid) = match (&args.problem, &args.network) {
        (Some(path), _) => {
            let file = ProblemFile::load(path, &context)?;
            let grid = file
                .grid
                .resolve(usage)
                .map_err(|e| e.in_file("problem file", path))?;
            (file.problem, grid)
        }
        (None, Some(path)) => {
            let file = NetworkFile::load(path, &context)?;
            let grid = file
                .grid
                .resolve(usage)
                .map_err(|e| e.in_file("network file", path))?;
            let problem = file
                .model
                .realise(&budget)
                .and_then(|net| net.problem(args.variance.convention()))
                .map_err(|e| e.in_file("network file", path))?;
            (problem, grid)
        }
        (None, None) => unreachable!("clap requires --problem or --network"),
    };
    if problem.clipped_eigenvalues() > 0 {
        eprintln!(
            "dsrf: note: {} slightly negative eigenvalue(s) of omega (estimation noise) were set to zero",
            problem.clipped_eigenvalues()
        );
    }
    let units = grid.units;
    if args.loss != LossFlag::Square || args.labels != LabelsFlag::Linear {
        anyhow::ensure!(
            !args.optimal_lambda,
            "--optimal-lambda is available for the square loss with linear labels only"
        );
        let table = gcm_table(&problem, &grid.ns, &grid.lambdas, units, args)?;
        emit(&table.render(args.format), args.out.as_deref())?;
        return Ok(());
    }
    anyhow::ensure!(args.flip == 0.0, "--flip needs --labels sign");
    let table = if args.optimal_lambda {
        let mut columns = COLUMNS.to_vec();
        columns.push("optimum");
        let mut table = Table::new(columns);
        let curve = problem
            .optimal_curve(&grid.ns)
            .context("cannot evaluate the optimal-λ curve for the given `ns`")?;
        for best in curve {
            let mut row = cells(&best.point, units);
            row.push(Cell::Text(match best.optimum {
                Optimum::Interior => "interior",
                Optimum::LambdaToZero => "lambda_to_zero",
                Optimum::LambdaToInfinity => "lambda_to_infinity",
            }));
            table.push(row)?;
        }
        table
    } else {
        let penalties: Vec<Penalty> = grid
            .lambdas
            .iter()
            .map(|&l| Penalty::new(l, units))
            .collect();
        let mut table = Table::new(COLUMNS.to_vec());
        let curve = problem
            .learning_curve(&grid.ns, &penalties)
            .context("cannot evaluate the curve for the given `ns` and `lambdas`")?;
        for point in curve {
            table.push(cells(&point, units))?;
        }
        table
    };
    emit(&table.render(args.format), args.out.as_deref())?;
    Ok(())
}

/// The columns of the Gaussian-covariate-model output (`lambda` in the file's units).
const GCM_COLUMNS: [&str; 13] = [
    "n",
    "lambda",
    "units",
    "loss",
    "labels",
    "flip",
    "test_mse",
    "classification_error",
    "train_loss",
    "q",
    "m",
    "v",
    "iterations",
];

fn gcm_cells(point: &GcmPoint, units: Units, args: &CurveArgs) -> Vec<Cell> {
    vec![
        Cell::Number(point.n),
        Cell::Number(point.lambda(units)),
        Cell::Text(units_name(units)),
        Cell::Text(point.loss.name()),
        Cell::Text(args.labels.name()),
        Cell::Number(args.flip),
        Cell::Number(point.test_mse),
        Cell::maybe(point.classification_error),
        Cell::Number(point.train_loss),
        Cell::Number(point.q),
        Cell::Number(point.m),
        Cell::Number(point.v),
        Cell::Integer(point.iterations as u64),
    ]
}

/// One learning curve per penalty, warm-started along `ns` and along `lambdas`.
fn gcm_table(
    problem: &Problem,
    ns: &[f64],
    lambdas: &[f64],
    units: Units,
    args: &CurveArgs,
) -> Result<Table> {
    let mut table = Table::new(GCM_COLUMNS.to_vec());
    let (loss, labels) = (args.loss.loss(), args.labels.labels(args.flip));
    let penalties: Vec<Penalty> = lambdas.iter().map(|&l| Penalty::new(l, units)).collect();
    let grid = problem
        .gcm_grid(ns, &penalties, loss, labels)
        .context("cannot solve the GCM equations for the given `ns` and `lambdas`")?;
    for point in &grid {
        table.push(gcm_cells(point, units, args))?;
    }
    Ok(table)
}
