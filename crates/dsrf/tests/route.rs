//! The empirical route and the learned-features pipeline against independent routes:
//! the population theory of a known Gaussian model, direct ridge solves, and the same
//! network given as weights.

use dsrf::budget::Budget;
use dsrf::learned::{
    ComparisonPlan, EmpiricalTheory, LinearisedTheory, PenaltyChoice, Splits, compare_features,
    compare_features_with, compare_snapshot, network_from_weights, train_on_splits,
};
use dsrf::rainbow::{Activation, VarianceConvention};
use dsrf::route::{EmpiricalPlan, FeatureCentring, RowSplit, compare_on_data};
use dsrf::sim::{
    Dataset, Initialization, TrainableNetwork, TrainingConfig, standard_normal, stream,
};
use dsrf::theory::{Penalty, Problem};
use faer::Mat;

/// x ~ 𝒩(0, I_d) as columns, y = βᵀx + s ε with β of norm 1.
fn linear_data(d: usize, n: usize, s: f64, seed: u64) -> (Mat<f64>, Vec<f64>, Vec<f64>) {
    let x = standard_normal(&mut stream(seed, 0), d, n);
    let noise = standard_normal(&mut stream(seed, 1), 1, n);
    let beta: Vec<f64> = (0..d)
        .map(|i| ((i % 5) as f64 - 2.0) / (2.0 * (d as f64).sqrt()))
        .collect();
    let norm = beta.iter().map(|b| b * b).sum::<f64>().sqrt();
    let beta: Vec<f64> = beta.iter().map(|b| b / norm).collect();
    let y = (0..n)
        .map(|j| (0..d).map(|i| beta[i] * x[(i, j)]).sum::<f64>() + s * noise[(0, j)])
        .collect();
    (x, y, beta)
}

#[test]
fn empirical_route_matches_the_population_theory() {
    let (d, s) = (30, 0.3);
    let (x, y, beta) = linear_data(d, 6000, s, 11);
    let split = RowSplit {
        test_fraction: 0.2,
        covariance_fraction: 0.4,
        seed: 3,
    };
    let plan = EmpiricalPlan {
        ns: vec![20, 60, 600],
        penalties: vec![Penalty::code(0.5), Penalty::code(5.0)],
        repeats: 30,
        seed: 9,
        centring: FeatureCentring::None,
    };
    let (points, sizes) =
        compare_on_data(x.as_ref(), &y, &split, &plan, &Budget::default()).unwrap();
    assert_eq!(
        (sizes.test, sizes.covariance, sizes.pool),
        (1200, 2400, 2400)
    );
    // The exact theory of the model: Ω = I, ψ = β (in Ω's eigenbasis), E y² = 1 + s².
    let exact = Problem::from_spectrum(&vec![1.0; d], &beta, 1.0, s * s).unwrap();
    for point in &points {
        let truth = exact
            .risk(point.n as f64, point.penalty)
            .unwrap()
            .test_error;
        // Theory from 2400 samples of a 30-dimensional Gaussian: a few per cent.
        assert!(
            (point.theory.test_error / truth - 1.0).abs() < 0.05,
            "{point:?} vs {truth}"
        );
        // Ridge over 30 subsets against the theory, within 4 standard errors + the
        // finite-size and test-sample error (1200 test rows: ~4 %).
        let gap = (point.test.mean - point.theory.test_error).abs();
        assert!(
            gap < 4.0 * point.test.stderr + 0.06 * point.theory.test_error,
            "{point:?}"
        );
    }
}

#[test]
fn empirical_route_refuses_what_it_cannot_do() {
    let (x, y, _) = linear_data(5, 100, 0.1, 1);
    let plan = EmpiricalPlan {
        ns: vec![10],
        penalties: vec![Penalty::code(1.0)],
        repeats: 2,
        seed: 0,
        centring: FeatureCentring::CovarianceMean,
    };
    let check = |split: RowSplit, plan: &EmpiricalPlan, needle: &str| {
        let e = compare_on_data(x.as_ref(), &y, &split, plan, &Budget::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains(needle), "{e}");
    };
    let ok = RowSplit {
        test_fraction: 0.2,
        covariance_fraction: 0.0,
        seed: 0,
    };
    check(
        RowSplit {
            test_fraction: 0.0,
            ..ok
        },
        &plan,
        "test_fraction",
    );
    check(
        RowSplit {
            covariance_fraction: 0.9,
            ..ok
        },
        &plan,
        "no training pool",
    );
    check(
        ok,
        &EmpiricalPlan {
            ns: vec![81],
            ..plan.clone()
        },
        "1..=80",
    );
    check(
        ok,
        &EmpiricalPlan {
            penalties: vec![Penalty::code(0.0)],
            ..plan.clone()
        },
        "penalties[0]",
    );
    check(
        ok,
        &EmpiricalPlan {
            repeats: 0,
            ..plan.clone()
        },
        "repeats",
    );
}

/// A tanh teacher on 𝒩(0, I_d) inputs.
fn teacher_pool(d: usize, n: usize) -> Dataset {
    let x = standard_normal(&mut stream(5, 0), d, n);
    let w = standard_normal(&mut stream(5, 1), d, d);
    let labels = (0..n)
        .map(|j| {
            (0..d)
                .map(|i| {
                    let h: f64 =
                        (0..d).map(|k| w[(i, k)] * x[(k, j)]).sum::<f64>() / (d as f64).sqrt();
                    h.tanh() / (d as f64).sqrt()
                })
                .sum()
        })
        .collect();
    Dataset { inputs: x, labels }
}

#[test]
fn learned_pipeline_and_weights_trained_elsewhere_agree() {
    let data = teacher_pool(12, 10_000);
    let splits = Splits::of(&data, [0.2, 0.2, 0.2, 0.4], 2).unwrap();
    let network = TrainableNetwork::new(
        12,
        &[(20, Activation::Tanh), (16, Activation::Tanh)],
        Initialization::GlorotUniform,
        &mut stream(1, 0),
    )
    .unwrap();
    let config = TrainingConfig {
        batch_size: Some(64),
        epochs: 3,
        snapshots: 3,
        parallelism: faer::Par::Seq,
        ..TrainingConfig::full_batch_adam(1e-3, 3, 4)
    };
    let run = train_on_splits(network, &splits, &config).unwrap();
    let plan = ComparisonPlan {
        penalties: PenaltyChoice::Given(vec![Penalty::code(0.1), Penalty::code(1.0)]),
        theory_ns: vec![10.0, 100.0, 1000.0],
        empirical_ns: vec![50, 800],
        repeats: 4,
        subset_seed: 7,
        linearised: LinearisedTheory::With(VarianceConvention::Averaged),
    };
    let budget = Budget::default();
    let last = run.snapshots.last().unwrap();
    let ours = compare_snapshot(last, &splits, &plan, &budget).unwrap();
    let c = &ours.comparison;
    assert_eq!(c.p, 16);
    assert_eq!(
        c.theory.len(),
        2 * 5,
        "two penalties × the union of five sizes"
    );
    assert_eq!(c.empirical.len(), 4);
    assert!(c.theory_linearised.as_ref().is_some_and(|t| t.len() == 10));
    // At n = 800 ≫ p the empirical ridge error sits near the theory (measured: 1 %).
    for e in c.empirical.iter().filter(|e| e.n == 800) {
        let t = c
            .theory
            .iter()
            .find(|t| t.n == 800.0 && t.lambda_code == e.lambda_code)
            .unwrap();
        assert!(
            (e.error.mean / t.test_error - 1.0).abs() < 0.05,
            "{e:?} vs {t:?}"
        );
    }
    // The same network handed over as weights (PyTorch orientation, out × in).
    let weights = last
        .network
        .layers
        .iter()
        .map(|l| l.weights.clone())
        .collect();
    let given =
        network_from_weights(weights, Activation::Tanh, last.network.readout.clone()).unwrap();
    let again = compare_features(&given.layers, &splits, &plan, &budget).unwrap();
    assert_eq!(&again, c);
    // Reusing the plan-independent part gives the same bits, under this plan and under
    // another one (optimal penalties, other sizes) ...
    let reused = compare_features_with(&c.empirical_theory, &given.layers, &splits, &plan, &budget);
    assert_eq!(&reused.unwrap(), c);
    let other = ComparisonPlan {
        penalties: PenaltyChoice::Optimal,
        empirical_ns: vec![30, 400],
        repeats: 2,
        ..plan.clone()
    };
    let fresh = compare_features(&given.layers, &splits, &other, &budget).unwrap();
    let shared =
        compare_features_with(&c.empirical_theory, &given.layers, &splits, &other, &budget);
    assert_eq!(shared.unwrap(), fresh);
    // A theory-only part (no held-out moments yet) forms them as a fresh comparison does.
    let theory_only = EmpiricalTheory::of(&given.layers, &splits, &budget).unwrap();
    assert!(theory_only.held_out.is_none() && fresh.empirical_theory.held_out.is_some());
    let completed = compare_features_with(&theory_only, &given.layers, &splits, &other, &budget);
    assert_eq!(completed.unwrap(), fresh);
    // ... and a theory of another feature map is refused.
    let raw = compare_features(&[], &splits, &other, &budget).unwrap();
    let wrong = compare_features_with(
        &raw.empirical_theory,
        &given.layers,
        &splits,
        &plan,
        &budget,
    );
    assert!(wrong.unwrap_err().to_string().contains("theory"));
    let loss = given.loss(
        splits.test.inputs.as_ref(),
        &splits.test.labels,
        faer::Par::Seq,
    );
    assert_eq!(loss, ours.network_test_loss);
    // Weights that do not chain are refused with the layer named.
    let bad = network_from_weights(
        vec![Mat::zeros(3, 12), Mat::zeros(2, 4)],
        Activation::Tanh,
        vec![0.0; 2],
    );
    assert!(bad.unwrap_err().to_string().contains("layers[1]"));
}
