//! Independent routes to the same numbers: the isotropic Marchenko–Pastur closed form,
//! the m-form of eq. 8 and eq. 12 against the κ-form, the ridgeless limit against small
//! λ, unit conversions, and the stated iteration budget.

use dsrf_theory::{MAX_ITERATIONS, Penalty, Problem, Units};

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

/// A power-law spectrum ωᵢ = i^{-α} with a misspecified target.
fn power_law(p: usize, alpha: f64, noise: f64) -> Problem {
    let omega: Vec<f64> = (1..=p).map(|i| (i as f64).powf(-alpha)).collect();
    let a: Vec<f64> = (1..=p)
        .map(|i| (i as f64).powf(-0.5 * alpha - 0.3))
        .collect();
    let explained: f64 = omega.iter().zip(&a).map(|(w, a)| a * a / w).sum();
    Problem::from_spectrum(&omega, &a, explained + 0.1, noise).unwrap()
}

#[test]
fn isotropic_m_matches_the_marchenko_pastur_closed_form() {
    for &p in &[50usize, 300] {
        let problem = Problem::from_spectrum(&vec![1.0; p], &vec![0.0; p], 1.0, 0.0).unwrap();
        for &c in &[0.1, 0.5, 0.99, 1.0, 1.01, 2.0, 10.0] {
            for &lambda in &[1e-10, 1e-6, 1e-3, 0.1, 1.0, 100.0] {
                let n = c * p as f64;
                // m = (−(λ + 1 − c) + √((λ + 1 − c)² + 4cλ)) / (2cλ), written without
                // cancellation: for b = λ + 1 − c ≥ 0 use 2/(b + √(b² + 4cλ)).
                let b = lambda + 1.0 - c;
                let disc = (b * b + 4.0 * c * lambda).sqrt();
                let want = if b >= 0.0 {
                    2.0 / (b + disc)
                } else {
                    (disc - b) / (2.0 * c * lambda)
                };
                let got = problem
                    .risk(n, Penalty::paper(lambda))
                    .unwrap()
                    .m(Units::Paper);
                assert!(
                    rel(got, want) < 1e-12,
                    "p={p} c={c} λ={lambda}: {got} vs {want}"
                );
            }
        }
    }
}

#[test]
fn m_form_of_eq_8_and_eq_12_agree_with_the_kappa_form() {
    let problem = power_law(400, 1.3, 0.2);
    let p = 400.0;
    for &n in &[37.0, 200.0, 399.0, 400.0, 401.0, 1000.0, 1e5] {
        for &lambda in &[1e-8, 1e-4, 1e-2, 1.0, 50.0] {
            let pt = problem.risk(n, Penalty::paper(lambda)).unwrap();
            let m = pt.m(Units::Paper);
            let c = n / p;
            // eq. 8: 1/m = λ + ⟨Ω(1 + c m Ω)⁻¹⟩
            let rhs = lambda
                + problem
                    .eigenvalues()
                    .iter()
                    .map(|w| w / (1.0 + c * m * w))
                    .sum::<f64>()
                    / p;
            assert!(
                rel(1.0 / m, rhs) < 1e-12,
                "eq. 8 residual at n={n} λ={lambda}"
            );
            // eq. 12 in the eigenbasis (the printed form), against the κ-form.
            let mu: Vec<f64> = problem
                .eigenvalues()
                .iter()
                .map(|w| 1.0 / (lambda * (1.0 + c * m * w)))
                .collect();
            let d = c
                * (lambda * m).powi(2)
                * problem
                    .eigenvalues()
                    .iter()
                    .zip(&mu)
                    .map(|(w, u)| w * w * u * u)
                    .sum::<f64>()
                / p;
            let signal: f64 = problem
                .weights()
                .iter()
                .zip(&mu)
                .map(|(a2, u)| a2 * (u + lambda * u * u))
                .sum();
            let rho = problem.target_power();
            let e = (rho - c * m * lambda * signal) / (1.0 - d) + 0.2 * d / (1.0 - d);
            // The printed form cancels catastrophically near n = p at small λ: compare
            // with a tolerance scaled by its own condition number.
            let cond = (rho + c * m * lambda * signal) / (1.0 - d) / e;
            assert!(
                rel(pt.excess_risk, e) < 1e-13 * cond.max(1.0) + 1e-12,
                "eq. 12 at n={n} λ={lambda}: {} vs {e}",
                pt.excess_risk
            );
            assert!(
                rel(pt.denominator, 1.0 - d) < 1e-12 / (1.0 - d),
                "1 − D at n={n} λ={lambda}"
            );
        }
    }
}

#[test]
fn the_ridgeless_limit_is_continuous() {
    let problem = power_law(300, 1.0, 0.05);
    for &n in &[30.0, 150.0, 299.0, 301.0, 600.0, 3000.0] {
        let limit = problem.ridgeless(n).unwrap();
        assert!(limit.test_error.is_finite());
        let near = problem
            .risk(n, Penalty::code(1e-12 * limit.kappa.max(1e-8)))
            .unwrap();
        assert!(
            rel(near.test_error, limit.test_error) < 1e-6,
            "n={n}: {} vs {}",
            near.test_error,
            limit.test_error
        );
        assert!(
            rel(near.train_error + 1e-300, limit.train_error + 1e-300) < 1e-6
                || limit.train_error == 0.0
        );
    }
    // At n = rank the limit is +∞, and small λ approach it.
    let peak = problem.ridgeless(300.0).unwrap();
    assert_eq!(peak.test_error, f64::INFINITY);
    assert_eq!(peak.train_error, 0.0);
    assert_eq!(peak.m(Units::Paper), f64::INFINITY);
    let near = problem.risk(300.0, Penalty::code(1e-12)).unwrap();
    assert!(near.test_error > 1e3, "{}", near.test_error);
}

#[test]
fn ridgeless_limit_with_a_rank_deficient_omega() {
    // rank 3 in dimension 5: the interpolation peak moves to n = 3.
    let problem = Problem::from_spectrum(
        &[0.0, 2.0, 0.0, 1.0, 0.5],
        &[0.0, 0.7, 0.0, 0.2, 0.1],
        1.0,
        0.1,
    )
    .unwrap();
    assert_eq!(problem.rank(), 3);
    assert_eq!(problem.dim(), 5);
    assert_eq!(problem.ridgeless(3.0).unwrap().test_error, f64::INFINITY);
    // n > rank: least squares closed form (ρ − aᵀΩ⁺a)/(1 − r/n) + s²(r/n)/(1 − r/n) + s².
    let n = 7.0;
    let floor = 1.0 - (0.49 / 2.0 + 0.04 / 1.0 + 0.01 / 0.5);
    let want = floor / (1.0 - 3.0 / n) + 0.1 * (3.0 / n) / (1.0 - 3.0 / n) + 0.1;
    let got = problem.ridgeless(n).unwrap();
    assert!(
        rel(got.test_error, want) < 1e-14,
        "{} vs {want}",
        got.test_error
    );
    assert!(rel(got.lambda_m, 1.0 - 3.0 / n) < 1e-15);
    // n < rank: finite, and λ → 0⁺ approaches it.
    let below = problem.ridgeless(2.0).unwrap();
    let near = problem.risk(2.0, Penalty::code(1e-13)).unwrap();
    assert!(rel(near.test_error, below.test_error) < 1e-9);
    // Noiseless and well-specified: the peak itself is 0, not ∞.
    let clean = Problem::from_spectrum(&[1.0, 0.5], &[0.5, 0.5], 0.25 + 0.5, 0.0).unwrap();
    assert_eq!(clean.misspecification(), 0.0);
    assert_eq!(clean.ridgeless(2.0).unwrap().test_error, 0.0);
}

#[test]
fn paper_and_code_units_give_the_same_estimator() {
    let problem = power_law(250, 1.5, 0.1);
    for &n in &[10.0, 250.0, 2500.0] {
        for &lambda in &[1e-6, 1e-2, 3.0] {
            let a = problem.risk(n, Penalty::paper(lambda)).unwrap();
            let b = problem.risk(n, Penalty::code(lambda * 250.0)).unwrap();
            assert!(rel(a.test_error, b.test_error) < 1e-13);
            assert!(rel(a.m(Units::Paper), 250.0 * b.m(Units::Code)) < 1e-13);
            assert!(rel(a.lambda(Units::Code), lambda * 250.0) < 1e-15);
        }
    }
}

/// The budget: ≤ 60 evaluations and 1e-13 relative accuracy for every λ in
/// \[1e-12, 1e8\] and n in \[1, 1e7\], including n = p, on spectra that stress the solver.
#[test]
fn solver_stays_within_its_iteration_budget() {
    let p = 500;
    let spectra: Vec<(&str, Vec<f64>)> = vec![
        ("isotropic", vec![1.0; p]),
        (
            "power law",
            (1..=p).map(|i| (i as f64).powf(-1.5)).collect(),
        ),
        (
            "ill conditioned",
            (0..p)
                .map(|i| 10f64.powf(-8.0 + 11.0 * i as f64 / p as f64))
                .collect(),
        ),
        (
            "rank deficient",
            (0..p)
                .map(|i| {
                    if i % 3 == 0 {
                        0.0
                    } else {
                        1.0 + (i % 7) as f64
                    }
                })
                .collect(),
        ),
        (
            "two clusters",
            (0..p)
                .map(|i| if i < p / 2 { 1e-3 } else { 10.0 })
                .collect(),
        ),
    ];
    let mut worst = 0;
    for (name, omega) in &spectra {
        let a: Vec<f64> = omega.iter().map(|w| 0.01 * w.sqrt()).collect();
        let problem = Problem::from_spectrum(omega, &a, 1.0, 0.1).unwrap();
        let rank = problem.rank() as f64;
        let mut ns: Vec<f64> = vec![
            1.0,
            2.0,
            10.0,
            100.0,
            rank - 1.0,
            rank,
            rank + 1.0,
            p as f64,
            1e3,
            1e4,
            1e5,
            1e6,
            1e7,
        ];
        ns.retain(|n| *n >= 1.0);
        for &n in &ns {
            for e in -12..=8 {
                let lambda = 10f64.powi(e);
                let pt = problem
                    .risk(n, Penalty::paper(lambda))
                    .unwrap_or_else(|err| panic!("{name} n={n} λ={lambda}: {err}"));
                worst = worst.max(pt.iterations);
                assert!(pt.iterations <= MAX_ITERATIONS);
                // Residual of the κ-form at the returned κ, summed with compensation
                // (n − df₁ cancels when n < rank), against the conditioning κ·|∂/∂κ|.
                let k = pt.kappa;
                let rank = problem.rank() as f64;
                let complement = compensated(problem.eigenvalues().iter().map(|w| k / (w + k)));
                let lhs = k * ((n - rank) + complement);
                let lc = lambda * p as f64;
                let slope = (n - rank)
                    + complement
                    + problem
                        .eigenvalues()
                        .iter()
                        .map(|w| w * k / (w + k).powi(2))
                        .sum::<f64>();
                let tol =
                    1e-13 * k * slope.abs() + 1e-13 * lc + 8.0 * f64::EPSILON * k * rank.sqrt();
                assert!(
                    (lhs - lc).abs() <= tol,
                    "{name} n={n} λ={lambda}: residual {:e} (tol {tol:e})",
                    lhs - lc
                );
                assert!(
                    pt.test_error.is_finite() && pt.test_error >= 0.0,
                    "{name} n={n} λ={lambda}"
                );
            }
        }
    }
    eprintln!("worst iteration count: {worst}");
}

/// Neumaier's compensated sum.
fn compensated(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut c) = (0.0f64, 0.0f64);
    for v in values {
        let t = sum + v;
        c += if sum.abs() >= v.abs() {
            (sum - t) + v
        } else {
            (v - t) + sum
        };
        sum = t;
    }
    sum + c
}

#[test]
fn learning_curve_matches_pointwise_solves() {
    let problem = power_law(200, 1.2, 0.3);
    let ns = [500.0, 10.0, 199.0, 200.0, 201.0, 1e4];
    let lambdas = [Penalty::code(1e-3), Penalty::paper(0.5)];
    let curve = problem.learning_curve(&ns, &lambdas).unwrap();
    assert_eq!(curve.len(), 12);
    for (i, point) in curve.iter().enumerate() {
        let (l, n) = (lambdas[i / ns.len()], ns[i % ns.len()]);
        let cold = problem.risk(n, l).unwrap();
        assert_eq!(point.n, n);
        assert!(rel(point.test_error, cold.test_error) < 1e-12);
        assert!(rel(point.kappa, cold.kappa) < 1e-13);
    }
}

#[test]
fn bad_arguments_are_errors() {
    let problem = power_law(20, 1.0, 0.1);
    assert!(problem.risk(0.0, Penalty::code(1.0)).is_err());
    assert!(problem.risk(-3.0, Penalty::code(1.0)).is_err());
    assert!(problem.risk(f64::NAN, Penalty::code(1.0)).is_err());
    assert!(problem.risk(10.0, Penalty::code(-1.0)).is_err());
    assert!(problem.risk(10.0, Penalty::paper(f64::NAN)).is_err());
    assert!(
        problem
            .learning_curve(&[1.0, 0.0], &[Penalty::code(1.0)])
            .is_err()
    );
    assert!(problem.optimal_penalty(-1.0).is_err());
    assert_eq!(
        problem
            .risk(10.0, Penalty::code(f64::INFINITY))
            .unwrap()
            .test_error,
        problem.target_power() + 0.1
    );
}
