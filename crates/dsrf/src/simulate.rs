//! A realised network's empirical learning curve next to its theory (`dsrf simulate`,
//! the Python `simulate`): ridge on freshly sampled data per replicate (dsrf-sim),
//! Theorem 3.1 from the closed-form covariances, and their relative deviation.
//!
//! Before any sample is drawn, the plan is checked — whole sample sizes ≥ 1, at least
//! one replicate and one held-out sample, penalties > 0 that stay finite in code units
//! — and its memory and arithmetic are estimated against the [`Budget`].

use dsrf_rainbow::VarianceConvention;
use dsrf_sim::{
    ClassificationConfig, Classifier, CurveConfig, Penalties, SimulatedPoint, Summary, TestError,
    simulate_classification, simulate_learning_curve,
};
use dsrf_theory::{GcmPoint, Labels, Loss, Penalty, Units};
use rayon::prelude::*;

use crate::budget::{Budget, f64_bytes};
use crate::compare::PointComparison;
use crate::network::RealisedNetwork;
use crate::{DsrfError, Result};

/// What to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationPlan {
    /// Sample sizes (≥ 1).
    pub ns: Vec<usize>,
    /// Penalties (> 0) with their units.
    pub penalties: Vec<Penalty>,
    /// Independent data sets per point.
    pub replicates: usize,
    /// Seed of the data streams (replicate r: streams 2r and 2r + 1).
    pub seed: u64,
    /// Held-out samples per replicate for the test error.
    pub test_size: usize,
}

fn units_name(units: Units) -> &'static str {
    match units {
        Units::Code => "code",
        Units::Paper => "paper",
    }
}

/// Simulates `plan` on `network` and evaluates the theory (Definition 4.2 in
/// `convention`) on the same grid; `progress` is called once per finished replicate.
pub fn simulate_against_theory(
    network: &RealisedNetwork,
    convention: VarianceConvention,
    plan: &SimulationPlan,
    budget: &Budget,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<Vec<PointComparison>> {
    let p = network.p();
    let penalties_code = codes(&plan.penalties, p)?;
    check_cost(network, plan, budget)?;
    let problem = network.problem(convention)?;
    let ns: Vec<f64> = plan.ns.iter().map(|&n| n as f64).collect();
    let theory = problem.learning_curve(&ns, &plan.penalties)?;
    let config = CurveConfig {
        ns: plan.ns.clone(),
        penalties: Penalties::Code(penalties_code),
        replicates: plan.replicates,
        seed: plan.seed,
        test: TestError::HeldOut(plan.test_size),
    }
    .check(p)?;
    let simulated: Vec<SimulatedPoint> =
        simulate_learning_curve(&network.teacher()?, &config, progress)?;
    Ok(simulated
        .into_iter()
        .zip(theory)
        .zip(
            plan.penalties
                .iter()
                .flat_map(|l| plan.ns.iter().map(move |_| *l)),
        )
        .map(|((sim, th), penalty)| {
            PointComparison::new(sim.n, penalty, sim.lambda_code, sim.test, sim.train, th)
        })
        .collect())
}

/// One point of a simulated classification curve beside the Gaussian-covariate-model
/// theory.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassificationComparison {
    /// Sample size.
    pub n: usize,
    /// The penalty as given.
    pub penalty: Penalty,
    /// λ_c (code units).
    pub lambda_code: f64,
    /// Held-out classification error over replicates.
    pub error: Summary,
    /// Mean training loss over replicates.
    pub train_loss: Summary,
    /// The GCM equations at (n, λ) with sign labels and the same flip probability.
    pub theory: GcmPoint,
    /// error mean / theory − 1 (`None` when the theory's error is 0).
    pub relative_deviation: Option<f64>,
}

/// Simulates `plan` with a classifier (`loss` logistic or hinge) on y = sign of the
/// network's label, flipped with probability `flip`, and evaluates the GCM equations
/// (Definition 4.2 in `convention`) on the same grid. Replicates run in parallel,
/// replicate r on streams 2r and 2r + 1 of the plan's seed (same bits for any thread
/// count); `progress` is called once per finished replicate.
pub fn simulate_classification_against_theory(
    network: &RealisedNetwork,
    convention: VarianceConvention,
    plan: &SimulationPlan,
    loss: Loss,
    flip: f64,
    budget: &Budget,
    progress: Option<&(dyn Fn() + Sync)>,
) -> Result<Vec<ClassificationComparison>> {
    let p = network.p();
    let penalties_code = codes(&plan.penalties, p)?;
    // The same footprint as a ridge replicate: a p × p system and sample chunks.
    check_cost(network, plan, budget)?;
    let classifier = match loss {
        Loss::Logistic => Classifier::Logistic,
        Loss::Hinge => Classifier::Hinge,
        Loss::Square => {
            return Err(DsrfError::input(
                "loss",
                "the square loss is ridge: use the ridge simulation",
            ));
        }
    };
    let problem = network.problem(convention)?;
    let ns: Vec<f64> = plan.ns.iter().map(|&n| n as f64).collect();
    let teacher = network.teacher()?;
    let mut out = Vec::new();
    for (penalty, &lambda_code) in plan.penalties.iter().zip(&penalties_code) {
        let theory = problem.gcm_curve(&ns, *penalty, loss, Labels::Sign { flip })?;
        let replicates: Vec<Vec<dsrf_sim::ClassificationPoint>> = (0..plan.replicates as u64)
            .into_par_iter()
            .map(|replicate| {
                let config = ClassificationConfig {
                    ns: plan.ns.clone(),
                    lambda_code,
                    classifier,
                    flip,
                    seed: plan.seed,
                    replicate,
                    test_size: plan.test_size,
                };
                let points = simulate_classification(&teacher, &config);
                if let Some(tick) = progress {
                    tick();
                }
                points
            })
            .collect::<std::result::Result<_, _>>()?;
        for (k, th) in theory.into_iter().enumerate() {
            let errors: Vec<f64> = replicates
                .iter()
                .map(|r| r[k].classification_error)
                .collect();
            let losses: Vec<f64> = replicates.iter().map(|r| r[k].train_loss).collect();
            let error = Summary::of(&errors);
            let predicted = th.classification_error.unwrap_or(f64::NAN);
            out.push(ClassificationComparison {
                n: plan.ns[k],
                penalty: *penalty,
                lambda_code,
                error,
                train_loss: Summary::of(&losses),
                relative_deviation: (predicted != 0.0).then(|| error.mean / predicted - 1.0),
                theory: th,
            });
        }
    }
    Ok(out)
}

/// Code-unit penalties, each finite and > 0, with the user's value in the message.
pub(crate) fn codes(penalties: &[Penalty], p: usize) -> Result<Vec<f64>> {
    if penalties.is_empty() {
        return Err(DsrfError::input("penalties", "give at least one penalty"));
    }
    penalties
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let code = l.to_code(p);
            if !(l.value().is_finite() && l.value() > 0.0 && code.is_finite() && code > 0.0) {
                return Err(DsrfError::input(
                    format!("penalties[{i}]"),
                    format!(
                        "a simulation refits ridge and needs penalties > 0 that stay finite in code units (λ_c = pλ, p = {p}); got λ = {:?} in {} units (λ_c = {code:e})",
                        l.value(),
                        units_name(l.units())
                    ),
                ));
            }
            Ok(code)
        })
        .collect()
}

/// dsrf-sim draws at most this many samples at once.
const SAMPLE_CHUNK: u128 = 4096;

/// Memory and arithmetic of the plan, against the budget.
fn check_cost(network: &RealisedNetwork, plan: &SimulationPlan, budget: &Budget) -> Result<()> {
    if plan.ns.is_empty() || plan.ns.contains(&0) {
        return Err(DsrfError::input("ns", "give sample sizes ≥ 1"));
    }
    if plan.replicates == 0 {
        return Err(DsrfError::input(
            "replicates",
            "need at least one replicate",
        ));
    }
    if plan.test_size == 0 {
        return Err(DsrfError::input(
            "test_size",
            "need at least one held-out sample",
        ));
    }
    let p = network.p() as u128;
    let layers = network.learner.iter().chain(&network.target);
    let widest = layers
        .clone()
        .map(|l| l.weights.nrows().max(l.weights.ncols()))
        .max()
        .unwrap_or(network.d()) as u128;
    let products: f64 = layers
        .map(|l| 2.0 * l.weights.nrows() as f64 * l.weights.ncols() as f64)
        .sum();
    let threads = rayon::current_num_threads() as u128;
    let points = (plan.ns.len() * plan.penalties.len()) as u128;
    // Per running replicate: train and test sums (p² each), a sample chunk through the
    // widest layer, the ridge factorisation; results of every replicate.
    let chunk = SAMPLE_CHUNK;
    let per_thread = 4 * p * p + 3 * chunk * widest;
    let bytes = f64_bytes(threads * per_thread) + 16 * points * plan.replicates as u128;
    budget.check_memory(
        &format!(
            "the simulation ({} replicates × {} points, p = {p}, {threads} threads)",
            plan.replicates, points
        ),
        bytes,
    )?;
    let samples = *plan.ns.iter().max().expect("non-empty") as f64 + plan.test_size as f64;
    let pf = p as f64;
    let per_replicate = samples * (products + pf * pf)
        + plan.ns.len() as f64 * (pf * pf * pf + plan.penalties.len() as f64 * pf * pf);
    budget.check_work(
        &format!("the simulation ({} replicates)", plan.replicates),
        plan.replicates as f64 * per_replicate,
    )
}
