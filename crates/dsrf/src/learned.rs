//! The learned-features pipeline (paper §5, SPEC §6.3–§6.4): a data pool split the
//! authors' way, a network trained on one part, and for each training snapshot — or
//! for weights trained elsewhere — the theory from the *empirical* feature covariances,
//! the theory from the linearisation of the current weights, the empirical ridge curve
//! and the network's own test loss, as one typed [`FeatureComparison`].
//!
//! Splits (the authors' `feature_ridge_regression.py`): **test** (every test error and
//! the early-stopping monitor), **train_reg** (the pool ridge subsets are drawn from),
//! **train_w** (network training), **emp_cov** (Ω̂, ψ̂, E y² and the centring mean).
//! Features of every split are centred by the emp_cov mean; labels are not centred.

use dsrf_rainbow::{Activation, Layer, VarianceConvention, forward};
use dsrf_sim::{Dataset, Snapshot, Summary, TrainableNetwork, TrainingConfig, TrainingRun, train};
use dsrf_theory::{Penalty, Problem};
use faer::{Mat, Par};

use crate::budget::Budget;
use crate::empirical::{
    Centring, EmpiricalMoments, centred_in_place, column_mean, empirical_moments,
    linearised_problem,
};
use crate::subsets::{HeldOut, Samples, Subsets, ridge_on_subsets};
use crate::{DsrfError, Result};

/// The authors' four parts of a data pool.
#[derive(Debug, Clone)]
pub struct Splits {
    /// Held out: test errors and early stopping.
    pub test: Dataset,
    /// Ridge training pool.
    pub train_reg: Dataset,
    /// Network training.
    pub train_w: Dataset,
    /// Covariance estimation.
    pub emp_cov: Dataset,
}

impl Splits {
    /// A seeded random partition of `data` by the proportions (test, train_reg,
    /// train_w, emp_cov), which sum to at most 1 (`dsrf_sim::split`).
    pub fn of(data: &Dataset, proportions: [f64; 4], seed: u64) -> Result<Self> {
        let parts = dsrf_sim::split(data.labels.len(), &proportions, seed)?;
        let mut parts = parts.iter().map(|idx| data.subset(idx));
        let mut next = || parts.next().expect("four parts");
        let (test, train_reg, train_w, emp_cov) = (next(), next(), next(), next());
        for (name, part) in [
            ("test", &test),
            ("train_reg", &train_reg),
            ("train_w", &train_w),
            ("emp_cov", &emp_cov),
        ] {
            if part.labels.is_empty() {
                return Err(DsrfError::input(
                    "proportions",
                    format!("the {name} split of {} samples is empty", data.labels.len()),
                ));
            }
        }
        Ok(Splits {
            test,
            train_reg,
            train_w,
            emp_cov,
        })
    }
}

/// Trains `network` on train_w with `config`, monitoring the test split (early
/// stopping, as the authors do).
pub fn train_on_splits(
    network: TrainableNetwork,
    splits: &Splits,
    config: &TrainingConfig,
) -> Result<TrainingRun> {
    Ok(train(
        network,
        splits.train_w.inputs.as_ref(),
        &splits.train_w.labels,
        Some((splits.test.inputs.as_ref(), &splits.test.labels)),
        config,
    )?)
}

/// A network trained elsewhere: hidden weights out × in (PyTorch's `nn.Linear.weight`,
/// the transpose of Keras' kernels), one activation for all hidden layers, and the
/// readout (the last `nn.Linear` with one output, as a vector).
pub fn network_from_weights(
    hidden: Vec<Mat<f64>>,
    activation: Activation,
    readout: Vec<f64>,
) -> Result<TrainableNetwork> {
    let network = TrainableNetwork {
        layers: hidden
            .into_iter()
            .map(|weights| Layer {
                weights,
                activation: activation.clone(),
            })
            .collect(),
        readout,
    };
    network.validate()?;
    Ok(network)
}

/// The penalties of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum PenaltyChoice {
    /// Fixed penalties (each > 0).
    Given(Vec<Penalty>),
    /// The theory's optimal penalty at every n (ridge is fitted at it).
    Optimal,
}

/// Whether the linearised theory of the current weights is computed too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinearisedTheory {
    /// Only the theory from empirical covariances.
    Skip,
    /// Also `linearize_label_features` from Ω₀ = E x xᵀ, ψ₀ = E x y of emp_cov.
    With(VarianceConvention),
}

/// What a comparison computes.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonPlan {
    /// Penalties.
    pub penalties: PenaltyChoice,
    /// Sample sizes of the theory curves (the empirical sizes are added).
    pub theory_ns: Vec<f64>,
    /// Subset sizes of the empirical ridge points (capped at train_reg's size).
    pub empirical_ns: Vec<usize>,
    /// Random train_reg subsets per empirical point.
    pub repeats: usize,
    /// Repeat r permutes train_reg with seed `subset_seed + r`.
    pub subset_seed: u64,
    /// The linearised theory.
    pub linearised: LinearisedTheory,
}

/// One theory point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TheoryPoint {
    /// Sample size.
    pub n: f64,
    /// λ_c (code units).
    pub lambda_code: f64,
    /// Test error (label noise included).
    pub test_error: f64,
}

/// One empirical point: ridge on `repeats` subsets of size n.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmpiricalPoint {
    /// Subset size.
    pub n: usize,
    /// λ_c.
    pub lambda_code: f64,
    /// Mean squared error over the subsets.
    pub error: Summary,
    /// Number of subsets.
    pub repeats: usize,
}

/// The part of a comparison that depends on the feature map only, not on the plan: the
/// emp_cov mean of the features (which centres every split), Theorem 3.1's problem
/// from Ω̂, ψ̂, E y² of the centred emp_cov features and, once a comparison with
/// empirical points has computed them, the held-out sets' moments. Comparisons of one
/// network under other plans (penalties, sample sizes, repeats) can share it through
/// [`compare_features_with`] instead of mapping emp_cov and reducing Ω̂ again.
#[derive(Debug, Clone, PartialEq)]
pub struct EmpiricalTheory {
    /// Feature dimension.
    pub p: usize,
    /// The emp_cov mean of the features.
    pub centre: Vec<f64>,
    /// Theorem 3.1's input (code form, no label-noise split).
    pub problem: Problem,
    /// What scores the empirical fits (`None` until a plan with empirical sizes needed
    /// it: a theory-only comparison does not keep the 2 p² numbers).
    pub held_out: Option<HeldOutMoments>,
}

/// The test split and emp_cov reduced to their moments under one feature map (centred
/// by the emp_cov mean, labels not centred): every empirical fit is scored on both
/// from these ([`EmpiricalMoments::mean_squared_errors`], 2p² flops per fit) instead
/// of predicting every sample of both. emp_cov's moments come with the theory; the test
/// split's cost about as much as scoring one plan's fits row by row (p²m against 800 ×
/// 2pm at p = 2000, m = 7000) and then serve every later plan, whose comparisons map
/// only train_reg, where the fits are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOutMoments {
    /// Of the test split.
    pub test: EmpiricalMoments,
    /// Of emp_cov: the Ω̂, ψ̂, E y² the theory is given.
    pub emp_cov: EmpiricalMoments,
}

impl EmpiricalTheory {
    /// Of the features `layers` (empty: the raw inputs) on `splits.emp_cov`.
    pub fn of(layers: &[Layer], splits: &Splits, budget: &Budget) -> Result<Self> {
        Ok(Self::with_moments(layers, splits, budget)?.0)
    }

    /// With the moments of the centred emp_cov features it was computed from.
    fn with_moments(
        layers: &[Layer],
        splits: &Splits,
        budget: &Budget,
    ) -> Result<(Self, EmpiricalMoments)> {
        let emp = forward(layers, &splits.emp_cov.inputs, Par::Seq);
        let centre = column_mean(emp.as_ref());
        let emp = centred_in_place(emp, &centre);
        let moments = empirical_moments(
            emp.as_ref(),
            &splits.emp_cov.labels,
            &Centring::Uncentred,
            budget,
        )?;
        let theory = EmpiricalTheory {
            p: emp.nrows(),
            centre,
            problem: moments.problem(0.0)?,
            held_out: None,
        };
        Ok((theory, moments))
    }
}

/// Theory and ridge for one feature map.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureComparison {
    /// Feature dimension.
    pub p: usize,
    /// Theorem 3.1 from the empirical covariances of emp_cov.
    pub theory: Vec<TheoryPoint>,
    /// Theorem 3.1 from the linearisation of the weights (if asked for).
    pub theory_linearised: Option<Vec<TheoryPoint>>,
    /// Ridge on train_reg subsets, tested on the test split.
    pub empirical: Vec<EmpiricalPoint>,
    /// The same fits tested on emp_cov (the distribution the theory is given).
    pub empirical_on_emp_cov: Vec<EmpiricalPoint>,
    /// The plan-independent part, for [`compare_features_with`] under another plan.
    pub empirical_theory: EmpiricalTheory,
}

/// Compares theory and ridge for the features `layers` (empty: the raw inputs). With no
/// empirical sizes only the theory is computed (train_reg and test are not mapped).
pub fn compare_features(
    layers: &[Layer],
    splits: &Splits,
    plan: &ComparisonPlan,
    budget: &Budget,
) -> Result<FeatureComparison> {
    let (theory, emp_cov) = EmpiricalTheory::with_moments(layers, splits, budget)?;
    compare(theory, Some(emp_cov), layers, splits, plan, budget)
}

/// [`compare_features`] from the feature map's [`EmpiricalTheory`] (from an earlier
/// comparison, or [`EmpiricalTheory::of`], of the same `layers` and `splits`): Ω̂ is
/// not formed and reduced again, and the test split and emp_cov are mapped only when
/// the plan has empirical sizes and the theory does not carry their moments yet.
pub fn compare_features_with(
    theory: &EmpiricalTheory,
    layers: &[Layer],
    splits: &Splits,
    plan: &ComparisonPlan,
    budget: &Budget,
) -> Result<FeatureComparison> {
    let width = layers
        .last()
        .map_or(splits.emp_cov.inputs.nrows(), |l| l.weights.nrows());
    if width != theory.p {
        return Err(DsrfError::input(
            "theory",
            format!("is of {} features but the layers map to {width}", theory.p),
        ));
    }
    compare(theory.clone(), None, layers, splits, plan, budget)
}

/// The comparison from the plan-independent part and, when at hand, the moments of the
/// centred emp_cov features it came from.
fn compare(
    mut empirical_theory: EmpiricalTheory,
    emp_cov: Option<EmpiricalMoments>,
    layers: &[Layer],
    splits: &Splits,
    plan: &ComparisonPlan,
    budget: &Budget,
) -> Result<FeatureComparison> {
    let p = empirical_theory.p;
    let mut ns = plan.theory_ns.clone();
    ns.extend(plan.empirical_ns.iter().map(|&n| n as f64));
    ns.sort_by(f64::total_cmp);
    ns.dedup();
    let theory_linearised = match (plan.linearised, layers.is_empty()) {
        (LinearisedTheory::With(convention), false) => {
            let lin = linearised_problem(
                layers,
                splits.emp_cov.inputs.as_ref(),
                &splits.emp_cov.labels,
                convention,
                budget,
            )?;
            Some(theory_curve(&lin, &ns, &plan.penalties)?)
        }
        _ => None,
    };
    let theory = theory_curve(&empirical_theory.problem, &ns, &plan.penalties)?;
    let [empirical, empirical_on_emp_cov] = if plan.empirical_ns.is_empty() {
        [Vec::new(), Vec::new()]
    } else {
        let centre = &empirical_theory.centre;
        let features =
            |data: &Dataset| centred_in_place(forward(layers, &data.inputs, Par::Seq), centre);
        let moments = |data: &Dataset| {
            empirical_moments(
                features(data).as_ref(),
                &data.labels,
                &Centring::Uncentred,
                budget,
            )
        };
        let held_out = match empirical_theory.held_out.take() {
            Some(known) => known,
            None => HeldOutMoments {
                test: moments(&splits.test)?,
                emp_cov: match emp_cov {
                    Some(m) => m,
                    None => moments(&splits.emp_cov)?,
                },
            },
        };
        let reg = features(&splits.train_reg);
        let points = empirical_points(
            Samples {
                features: reg.as_ref(),
                labels: &splits.train_reg.labels,
            },
            [
                HeldOut::Moments(&held_out.test),
                HeldOut::Moments(&held_out.emp_cov),
            ],
            plan,
            &theory,
            p,
        )?;
        empirical_theory.held_out = Some(held_out);
        points
    };
    Ok(FeatureComparison {
        p,
        theory,
        theory_linearised,
        empirical,
        empirical_on_emp_cov,
        empirical_theory,
    })
}

/// Ridge on train_reg subsets at the plan's penalties (fixed, or the theory's optimum
/// at each n), evaluated on each of `evaluations`.
fn empirical_points(
    pool: Samples<'_>,
    evaluations: [HeldOut<'_>; 2],
    plan: &ComparisonPlan,
    theory: &[TheoryPoint],
    p: usize,
) -> Result<[Vec<EmpiricalPoint>; 2]> {
    let size = pool.features.ncols();
    let penalties_code: Vec<Vec<f64>> = plan
        .empirical_ns
        .iter()
        .map(|&n| match &plan.penalties {
            PenaltyChoice::Given(ls) => ls.iter().map(|l| l.to_code(p)).collect(),
            PenaltyChoice::Optimal => theory
                .iter()
                .filter(|t| t.n == n as f64)
                .map(|t| t.lambda_code)
                .collect(),
        })
        .collect();
    let subsets = Subsets {
        ns: plan.empirical_ns.iter().map(|&n| n.min(size)).collect(),
        penalties_code: penalties_code.clone(),
        repeats: plan.repeats,
        seed: plan.subset_seed,
    };
    let errors = ridge_on_subsets(pool, &evaluations, &subsets)?;
    let points = |set: usize| -> Vec<EmpiricalPoint> {
        let mut out = Vec::new();
        for (k, &n) in plan.empirical_ns.iter().enumerate() {
            for (l, &lambda_code) in penalties_code[k].iter().enumerate() {
                let e = &errors.held_out[set][k][l];
                if !e.is_empty() {
                    out.push(EmpiricalPoint {
                        n,
                        lambda_code,
                        error: Summary::of(e),
                        repeats: e.len(),
                    });
                }
            }
        }
        out
    };
    Ok([points(0), points(1)])
}

/// The theory on `ns`: λ-major fixed penalties, or the optimal penalty per n.
fn theory_curve(
    problem: &Problem,
    ns: &[f64],
    penalties: &PenaltyChoice,
) -> Result<Vec<TheoryPoint>> {
    let point = |pt: &dsrf_theory::RiskPoint| TheoryPoint {
        n: pt.n,
        lambda_code: pt.lambda_code,
        test_error: pt.test_error,
    };
    Ok(match penalties {
        PenaltyChoice::Given(ls) => problem.learning_curve(ns, ls)?.iter().map(point).collect(),
        PenaltyChoice::Optimal => problem
            .optimal_curve(ns)?
            .iter()
            .map(|o| point(&o.point))
            .collect(),
    })
}

/// A snapshot's comparison with the network's own test loss.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotComparison {
    /// Training time in epochs (step / steps per epoch).
    pub epoch: f64,
    /// The network's own mean squared error on the test split.
    pub network_test_loss: f64,
    /// Theory and ridge on its hidden features.
    pub comparison: FeatureComparison,
}

/// [`compare_features`] for a training snapshot (or any network, `epoch` as given).
pub fn compare_snapshot(
    snapshot: &Snapshot,
    splits: &Splits,
    plan: &ComparisonPlan,
    budget: &Budget,
) -> Result<SnapshotComparison> {
    Ok(SnapshotComparison {
        epoch: snapshot.epoch,
        network_test_loss: snapshot.network.loss(
            splits.test.inputs.as_ref(),
            &splits.test.labels,
            Par::Seq,
        ),
        comparison: compare_features(&snapshot.network.layers, splits, plan, budget)?,
    })
}
