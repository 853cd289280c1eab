//! The optimal penalty against its closed form, its boundary reports, and property
//! tests of the solver (m > 0, m decreasing in λ, errors above the noise floor).

use dsrf_theory::{Optimum, Penalty, Problem, Units};
use proptest::prelude::*;

/// Isotropic Ω = I_p with a well-specified target of power ρ and noise s²: the Bayes
/// estimator is ridge with λ_c = p s²/ρ for every n.
#[test]
fn optimal_lambda_matches_the_isotropic_bayes_penalty() {
    let p = 200;
    let (rho, noise) = (1.0, 0.25);
    let problem =
        Problem::from_spectrum(&vec![1.0; p], &vec![(rho / p as f64).sqrt(); p], rho, noise)
            .unwrap();
    for &n in &[20.0, 150.0, 200.0, 260.0, 2000.0] {
        let best = problem.optimal_penalty(n).unwrap();
        assert_eq!(best.optimum, Optimum::Interior);
        let want = p as f64 * noise / rho;
        let got = best.point.lambda(Units::Code);
        assert!(
            ((got - want) / want).abs() < 1e-5,
            "n={n}: λ_c* = {got}, want {want}"
        );
        // And it is a minimum: nudging λ either way does not help.
        for factor in [0.9, 1.1] {
            let other = problem.risk(n, Penalty::code(got * factor)).unwrap();
            assert!(other.test_error >= best.point.test_error);
        }
    }
}

#[test]
fn optimal_lambda_reports_its_boundaries() {
    // Noiseless, well-specified: interpolation is best, λ* → 0.
    let clean =
        Problem::from_spectrum(&[1.0, 0.5, 0.25], &[0.3, 0.2, 0.1], 0.09 + 0.08 + 0.04, 0.0)
            .unwrap();
    let best = clean.optimal_penalty(10.0).unwrap();
    assert_eq!(best.optimum, Optimum::LambdaToZero);
    assert_eq!(best.point.lambda_code, 0.0);
    assert!(best.point.test_error < 1e-12);
    // Labels uncorrelated with the features: the null predictor is best, λ* → ∞.
    let noise_only = Problem::from_spectrum(&[1.0, 0.5, 0.25], &[0.0, 0.0, 0.0], 0.0, 1.0).unwrap();
    let best = noise_only.optimal_penalty(5.0).unwrap();
    assert_eq!(best.optimum, Optimum::LambdaToInfinity);
    assert_eq!(best.point.lambda_code, f64::INFINITY);
    assert_eq!(best.point.test_error, 1.0);
    assert_eq!(best.point.m(Units::Paper), 0.0);
}

#[test]
fn optimal_curve_is_below_every_fixed_lambda_curve() {
    let p = 300;
    let omega: Vec<f64> = (1..=p).map(|i| (i as f64).powf(-1.2)).collect();
    let a: Vec<f64> = omega.iter().map(|w| 0.5 * w.powf(0.8)).collect();
    let explained: f64 = omega.iter().zip(&a).map(|(w, a)| a * a / w).sum();
    let problem = Problem::from_spectrum(&omega, &a, explained + 0.05, 0.1).unwrap();
    let ns = [10.0, 100.0, 299.0, 300.0, 301.0, 1000.0];
    let best = problem.optimal_curve(&ns).unwrap();
    let lambdas: Vec<Penalty> = (-8..=3).map(|e| Penalty::code(10f64.powi(e))).collect();
    let grid = problem.learning_curve(&ns, &lambdas).unwrap();
    for (i, point) in grid.iter().enumerate() {
        let b = &best[i % ns.len()];
        assert!(
            b.point.test_error <= point.test_error * (1.0 + 1e-12),
            "n={} λ_c={}",
            point.n,
            point.lambda_code
        );
    }
}

fn problem_strategy() -> impl Strategy<Value = (Problem, f64)> {
    (1usize..40, 0.0f64..1.0, 0.0f64..2.0, any::<u64>()).prop_map(|(p, misspec, noise, seed)| {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let omega: Vec<f64> = (0..p)
            .map(|_| 10f64.powf(4.0 * next() - 3.0) * (next() > 0.1) as u8 as f64)
            .collect();
        let a: Vec<f64> = omega.iter().map(|w| (next() - 0.5) * w.sqrt()).collect();
        let explained: f64 = omega
            .iter()
            .zip(&a)
            .filter(|(w, _)| **w > 0.0)
            .map(|(w, a)| a * a / w)
            .sum();
        let problem = Problem::from_spectrum(&omega, &a, explained + misspec, noise).unwrap();
        (problem, noise)
    })
}

/// Deterministic by default (CI must not be flaky); set DSRF_PROPTEST_SEED to explore.
fn config() -> ProptestConfig {
    let seed = std::env::var("DSRF_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_128);
    ProptestConfig {
        cases: 500,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn m_is_positive_and_decreasing_in_lambda(
        (problem, _) in problem_strategy(),
        n in 0.5f64..1e5,
        e1 in -10.0f64..6.0,
        de in 0.01f64..3.0,
    ) {
        let (l1, l2) = (10f64.powf(e1), 10f64.powf(e1 + de));
        let a = problem.risk(n, Penalty::paper(l1)).unwrap();
        let b = problem.risk(n, Penalty::paper(l2)).unwrap();
        prop_assert!(a.m(Units::Paper) > 0.0 && a.m(Units::Paper).is_finite());
        prop_assert!(b.m(Units::Paper) < a.m(Units::Paper));
        // The a-priori bounds of eq. 10.
        let p = problem.dim() as f64;
        let m = a.m(Units::Paper);
        let lower = (1.0 / (l1 + problem.trace() / p)).max((1.0 - problem.rank() as f64 / n) / l1);
        prop_assert!(m <= (1.0 / l1) * (1.0 + 1e-12));
        prop_assert!(m >= lower * (1.0 - 1e-12));
    }

    #[test]
    fn errors_respect_the_noise_floor((problem, noise) in problem_strategy(), n in 0.5f64..1e5, e in -12.0f64..8.0) {
        let pt = problem.risk(n, Penalty::code(10f64.powf(e))).unwrap();
        prop_assert!(pt.test_error.is_finite());
        prop_assert!(pt.test_error >= noise);
        prop_assert!(pt.excess_risk >= 0.0 && pt.bias >= 0.0 && pt.variance >= 0.0);
        prop_assert!(pt.train_error <= pt.test_error * (1.0 + 1e-12));
        prop_assert!(pt.lambda_m > 0.0 && pt.lambda_m <= 1.0);
        prop_assert!(pt.denominator > 0.0 && pt.denominator <= 1.0 + 1e-12);
        prop_assert!(pt.iterations <= dsrf_theory::MAX_ITERATIONS);
        // λ → 0⁺ is never NaN.
        let limit = problem.ridgeless(n).unwrap();
        prop_assert!(!limit.test_error.is_nan() && !limit.train_error.is_nan());
    }
}
