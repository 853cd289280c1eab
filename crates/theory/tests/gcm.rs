//! The Gaussian-covariate-model equations against independent routes: for the square
//! loss they must reproduce Theorem 3.1 exactly — with linear labels through the
//! closed-form channel, and with sign labels through the numerical channel integrals
//! (ridge on y = ±sign(ν + ε) is Theorem 3.1 with ψ' = (1 − 2f)√(2/π) ψ/√(ρ + s²) and
//! E y² = 1). Logistic and hinge are checked here for their structure; their Monte
//! Carlo check is in dsrf-sim's tests.

use dsrf_theory::{Labels, Loss, Penalty, Problem, TheoryError};

/// A power-law spectrum with a target spread over it: ωᵢ = i^{-1.3},
/// aᵢ = ±3ωᵢ^{0.7}/√p; returns (ω, a, ρ = ψᵀΩ⁻¹ψ + `extra_rho`, s²).
fn power_law(p: usize, extra_rho: f64, noise: f64) -> (Vec<f64>, Vec<f64>, f64, f64) {
    let omega: Vec<f64> = (1..=p).map(|i| (i as f64).powf(-1.3)).collect();
    let a: Vec<f64> = omega
        .iter()
        .enumerate()
        .map(|(i, w)| if i % 3 == 1 { -1.0 } else { 1.0 } * w.powf(0.7) * 3.0 / (p as f64).sqrt())
        .collect();
    let explained: f64 = omega.iter().zip(&a).map(|(w, a)| a * a / w).sum();
    (omega, a, explained + extra_rho, noise)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

#[test]
fn square_loss_with_linear_labels_is_theorem_3_1() {
    let (omega, a, rho, noise) = power_law(300, 0.3, 0.2);
    let problem = Problem::from_spectrum(&omega, &a, rho, noise).unwrap();
    for &n in &[30.0, 150.0, 299.0, 300.0, 301.0, 900.0, 5000.0] {
        for &lambda in &[1e-4, 1e-2, 1.0, 30.0] {
            let penalty = Penalty::code(lambda);
            let theorem = problem.risk(n, penalty).unwrap();
            let gcm = problem
                .gcm(n, penalty, Loss::Square, Labels::Linear)
                .unwrap();
            assert!(
                close(gcm.test_mse, theorem.test_error, 1e-10),
                "n={n} λ_c={lambda}: GCM {} vs Theorem 3.1 {} ({} iterations)",
                gcm.test_mse,
                theorem.test_error,
                gcm.iterations
            );
            assert!(
                close(2.0 * gcm.train_loss, theorem.train_error, 1e-10),
                "n={n} λ_c={lambda}: train {} vs {}",
                2.0 * gcm.train_loss,
                theorem.train_error
            );
            assert!(gcm.classification_error.is_none());
        }
    }
}

#[test]
fn square_loss_with_sign_labels_is_theorem_3_1_on_the_projected_target() {
    let (omega, a, rho, _) = power_law(200, 0.4, 0.0);
    for &(flip, s2) in &[(0.0, 0.0), (0.1, 0.0), (0.0, 0.3), (0.2, 0.5)] {
        let problem = Problem::from_spectrum(&omega, &a, rho, s2).unwrap();
        let c = (1.0 - 2.0 * flip) * (2.0 / std::f64::consts::PI).sqrt() / (rho + s2).sqrt();
        let projected: Vec<f64> = a.iter().map(|x| c * x).collect();
        let ridge = Problem::from_spectrum(&omega, &projected, 1.0, 0.0).unwrap();
        for &n in &[20.0, 199.0, 600.0] {
            for &lambda in &[1e-2, 1.0] {
                let penalty = Penalty::code(lambda);
                let theorem = ridge.risk(n, penalty).unwrap();
                let gcm = problem
                    .gcm(n, penalty, Loss::Square, Labels::Sign { flip })
                    .unwrap();
                assert!(
                    close(gcm.test_mse, theorem.test_error, 1e-10),
                    "flip={flip} s²={s2} n={n} λ_c={lambda}: {} vs {}",
                    gcm.test_mse,
                    theorem.test_error
                );
                assert!(
                    close(2.0 * gcm.train_loss, theorem.train_error, 1e-10),
                    "flip={flip} s²={s2} n={n} λ_c={lambda}: train {} vs {}",
                    2.0 * gcm.train_loss,
                    theorem.train_error
                );
                let e = gcm.classification_error.unwrap();
                assert!(e >= flip && e < 0.5, "{e}");
            }
        }
    }
}

#[test]
fn classification_errors_fall_with_n_and_the_curve_warm_starts_to_the_same_points() {
    let (omega, a, rho, _) = power_law(200, 0.2, 0.0);
    let problem = Problem::from_spectrum(&omega, &a, rho, 0.0).unwrap();
    let ns = [20.0, 60.0, 200.0, 600.0, 2000.0];
    for loss in [Loss::Logistic, Loss::Hinge] {
        let penalty = Penalty::code(0.1);
        let curve = problem
            .gcm_curve(&ns, penalty, loss, Labels::Sign { flip: 0.0 })
            .unwrap();
        let errors: Vec<f64> = curve
            .iter()
            .map(|p| p.classification_error.unwrap())
            .collect();
        assert!(
            errors.windows(2).all(|w| w[1] < w[0]),
            "{loss:?}: {errors:?}"
        );
        for point in &curve {
            let cold = problem
                .gcm(point.n, penalty, loss, Labels::Sign { flip: 0.0 })
                .unwrap();
            let e = point.classification_error.unwrap();
            assert!(
                close(cold.classification_error.unwrap(), e, 1e-9),
                "{loss:?} n={}: warm {e} vs cold {:?}",
                point.n,
                cold.classification_error
            );
            assert!(point.m * point.m <= point.q * rho * (1.0 + 1e-12));
            assert!(point.train_loss >= 0.0 && point.v > 0.0);
        }
    }
}

#[test]
fn combinations_the_equations_do_not_describe_are_refused() {
    let (omega, a, rho, _) = power_law(20, 0.2, 0.0);
    let problem = Problem::from_spectrum(&omega, &a, rho, 0.0).unwrap();
    let unsupported = |r: Result<_, TheoryError>| matches!(r, Err(TheoryError::Unsupported { .. }));
    assert!(unsupported(problem.gcm(
        10.0,
        Penalty::code(1.0),
        Loss::Logistic,
        Labels::Linear
    )));
    assert!(unsupported(problem.gcm(
        10.0,
        Penalty::code(0.0),
        Loss::Hinge,
        Labels::Sign { flip: 0.0 }
    )));
    assert!(unsupported(problem.gcm(
        10.0,
        Penalty::code(1.0),
        Loss::Hinge,
        Labels::Sign { flip: 0.5 }
    )));
    assert!(matches!(
        problem.gcm(-1.0, Penalty::code(1.0), Loss::Square, Labels::Linear),
        Err(TheoryError::InvalidSampleSize(_))
    ));
    assert!(matches!(
        problem.gcm(10.0, Penalty::code(f64::NAN), Loss::Square, Labels::Linear),
        Err(TheoryError::InvalidPenalty(_))
    ));
}

/// The hinge at n ≪ p with a large penalty: every training sample sits on the linear
/// part of the loss, V̂ → 0 and V → Σω/λ_c (the regime in which iterating on the
/// conjugates' logarithms broke down, on the Figure-1 network at n = 25, p = 500).
#[test]
fn hinge_in_its_linear_regime_converges_to_v_equal_trace_over_lambda() {
    let (omega, a, rho, _) = power_law(500, 0.2, 0.0);
    let problem = Problem::from_spectrum(&omega, &a, rho, 0.0).unwrap();
    let trace: f64 = omega.iter().sum();
    for &(n, lambda) in &[(25.0, 25.0), (10.0, 100.0), (50.0, 25.0)] {
        let point = problem
            .gcm(
                n,
                Penalty::code(lambda),
                Loss::Hinge,
                Labels::Sign { flip: 0.0 },
            )
            .unwrap();
        assert!(point.v <= trace / lambda * (1.0 + 1e-12));
        assert!(
            point.v > 0.9 * trace / lambda,
            "n={n} λ_c={lambda}: V = {} vs Σω/λ = {}",
            point.v,
            trace / lambda
        );
        let e = point.classification_error.unwrap();
        assert!(e > 0.0 && e < 0.5);
    }
}

/// The grid over several penalties (warm-started along n and λ) gives the cold-start
/// points.
#[test]
fn the_warm_started_grid_equals_cold_starts() {
    let (omega, a, rho, _) = power_law(200, 0.2, 0.0);
    let problem = Problem::from_spectrum(&omega, &a, rho, 0.0).unwrap();
    let ns = [50.0, 200.0, 800.0];
    let penalties = [Penalty::code(0.01), Penalty::code(0.1), Penalty::code(1.0)];
    for loss in [Loss::Logistic, Loss::Hinge] {
        let labels = Labels::Sign { flip: 0.1 };
        let grid = problem.gcm_grid(&ns, &penalties, loss, labels).unwrap();
        assert_eq!(grid.len(), 9);
        for (k, point) in grid.iter().enumerate() {
            let (penalty, n) = (penalties[k / 3], ns[k % 3]);
            assert_eq!((point.n, point.penalty), (n, penalty));
            let cold = problem.gcm(n, penalty, loss, labels).unwrap();
            let (w, c) = (
                point.classification_error.unwrap(),
                cold.classification_error.unwrap(),
            );
            assert!(close(w, c, 1e-9), "{loss:?} n={n}: {w} vs {c}");
        }
    }
}
