//! `dsrf` — the command line of dsrf.
//!
//! A thin layer: it parses flags, calls the `dsrf` facade (which reads the files and
//! owns every computation), and formats the results.

mod covariance;
mod curve;
mod empirical;
mod limits;
mod linearize;
mod loss;
mod output;
mod simulate;
mod variance;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Asymptotics of ridge regression on deep structured (random) features.
#[derive(Parser)]
#[command(name = "dsrf", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Test and train error of ridge regression from the population covariances
    /// (Theorem 3.1), on a grid of sample sizes and penalties.
    Curve(curve::CurveArgs),
    /// Closed-form Ω, Φ, Ψ of a learner and a target network (Definition 4.2), from a
    /// network specification; writes NumPy files and a problem file for `curve`.
    Covariance(covariance::CovarianceArgs),
    /// Linearised feature covariance Ω and label correlation ψ of a network with given
    /// (e.g. trained) weights, from the input moments Ω₀ = E(x xᵀ) and ψ₀ = E(x y).
    Linearize(linearize::LinearizeArgs),
    /// Empirical learning curve of a network file (ridge on sampled data, mean, std and
    /// standard error over replicates) next to the theory from its closed-form
    /// covariances.
    Simulate(simulate::SimulateArgs),
    /// The empirical route: features and labels of a data set (.npy) in, Theorem 3.1
    /// from their covariances next to ridge fitted on random subsets and tested on
    /// held-out rows.
    Empirical(empirical::EmpiricalArgs),
}

/// Freed large matrices are kept for the next of the same size instead of being
/// mapped and first-touched again (see `dsrf::retain`).
#[global_allocator]
static ALLOCATOR: dsrf::retain::Retaining = dsrf::retain::Retaining::standard();

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Curve(args) => curve::run(&args),
        Command::Linearize(args) => linearize::run(&args),
        Command::Covariance(args) => covariance::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Empirical(args) => empirical::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("dsrf: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
