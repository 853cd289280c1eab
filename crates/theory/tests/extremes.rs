//! Valid but extreme inputs: every call returns either finite numbers (or an explicit
//! ±∞) or an error — never a panic, never NaN — and the results stay right.

use dsrf_theory::{CodeForm, Covariance, Penalty, Problem, RiskPoint, Units};

fn no_nan(point: &RiskPoint) {
    for (name, x) in [
        ("test_error", point.test_error),
        ("train_error", point.train_error),
        ("bias", point.bias),
        ("variance", point.variance),
        ("kappa", point.kappa),
        ("m", point.m(Units::Paper)),
        ("denominator", point.denominator),
        ("lambda", point.lambda(Units::Code)),
    ] {
        assert!(!x.is_nan(), "{name} is NaN in {point:?}");
    }
    assert!(point.denominator <= 1.0 + 1e-12, "{point:?}");
}

#[test]
fn extreme_scales_and_sizes_never_panic_or_produce_nan() {
    let spectra: Vec<Vec<f64>> = vec![
        vec![1e155, 1e155],
        vec![1e-155, 1e-150, 1e-160],
        vec![1.0, 1.0],
        (0..40)
            .map(|i| 10f64.powf(-300.0 + 15.0 * i as f64))
            .collect(),
        vec![1e300; 3],
    ];
    for omega in &spectra {
        let a: Vec<f64> = omega.iter().map(|w| 0.1 * w.sqrt()).collect();
        let explained: f64 = omega.iter().zip(&a).map(|(w, a)| a * a / w).sum();
        let problem = Problem::from_spectrum(omega, &a, explained + 0.5, 0.2).unwrap();
        for &n in &[1e-160, 1e-15, 0.3, 1.0, 2.0, 39.0, 1e6, 1e300] {
            for &lambda in &[0.0, 1e-300, 1e-12, 1.0, 1e12, 1e300, f64::INFINITY] {
                if let Ok(point) = problem.risk(n, Penalty::paper(lambda)) {
                    no_nan(&point);
                }
            }
            if let Ok(best) = problem.optimal_penalty(n) {
                no_nan(&best.point);
            }
        }
    }
}

#[test]
fn scale_invariance() {
    // Ω → cΩ, ψ → √c ψ, λ → cλ leaves the error unchanged, for c far from 1.
    let base = Problem::from_spectrum(&[2.0, 1.0, 0.5], &[0.4, 0.3, 0.2], 0.5, 0.1).unwrap();
    for &c in &[1e-200, 1e-20, 1e20, 1e200] {
        let scaled = Problem::from_spectrum(
            &[2.0 * c, c, 0.5 * c],
            &[0.4 * c.sqrt(), 0.3 * c.sqrt(), 0.2 * c.sqrt()],
            0.5,
            0.1,
        )
        .unwrap();
        for &n in &[1.0, 3.0, 10.0] {
            let a = base.risk(n, Penalty::code(0.3)).unwrap();
            let b = scaled.risk(n, Penalty::code(0.3 * c)).unwrap();
            assert!(
                (a.test_error - b.test_error).abs() <= 1e-13 * a.test_error,
                "c={c} n={n}"
            );
            assert!((a.kappa * c - b.kappa).abs() <= 1e-13 * b.kappa);
        }
    }
}

#[test]
fn overflowing_projections_are_checked_not_hidden() {
    // ψᵀΩ⁻¹ψ = 1e10 > E[y²] = 1: impossible, must be rejected even at this scale.
    let impossible = CodeForm {
        omega: Covariance::Eigenvalues(vec![1e300, 1e300]),
        psi: vec![1e155, 0.0],
        label_second_moment: 1.0,
        noise_variance: 0.0,
    };
    assert!(impossible.check().is_err());
    // The same with E[y²] = 1e11 is fine, and its least-squares limit is exact:
    // misspecification 9e10, n = 10 ≫ p = 2: 9e10/(1 − 2/10).
    let fine = CodeForm {
        omega: Covariance::Eigenvalues(vec![1e300, 1e300]),
        psi: vec![1e155, 0.0],
        label_second_moment: 1e11,
        noise_variance: 0.0,
    }
    .check()
    .unwrap();
    let point = fine.ridgeless(10.0).unwrap();
    assert!(
        (point.test_error / (9e10 / 0.8) - 1.0).abs() < 1e-12,
        "{}",
        point.test_error
    );
    // Matrix input: (uᵢᵀψ)² = 1e310 does not fit in an f64, which is reported.
    let overflowing = CodeForm {
        omega: Covariance::Matrix(dsrf_theory::Mat::from_fn(2, 2, |i, j| {
            if i == j { 1e300 } else { 0.0 }
        })),
        psi: vec![1e155, 0.0],
        label_second_moment: 1e11,
        noise_variance: 0.0,
    };
    assert!(matches!(
        overflowing.check(),
        Err(dsrf_theory::TheoryError::Overflow { .. })
    ));
    // At 1e200 it fits, and matches the eigenvalue form.
    let by_matrix = CodeForm {
        omega: Covariance::Matrix(dsrf_theory::Mat::from_fn(2, 2, |i, j| {
            if i == j { 1e200 } else { 0.0 }
        })),
        psi: vec![1e105, 0.0],
        label_second_moment: 1e11,
        noise_variance: 0.0,
    }
    .check()
    .unwrap();
    assert_eq!(by_matrix.rank(), 2);
    let t = by_matrix.ridgeless(10.0).unwrap().test_error;
    assert!((t / point.test_error - 1.0).abs() < 1e-12, "{t}");
}

#[test]
fn tiny_exact_eigenvalues_are_kept() {
    // ω = (1, 1e-15) given exactly: the second direction explains 0.9 of E[y²] = 1.
    let problem = CodeForm {
        omega: Covariance::Eigenvalues(vec![1.0, 1e-15]),
        psi: vec![0.1, 3e-8],
        label_second_moment: 1.0,
        noise_variance: 0.0,
    }
    .check()
    .unwrap();
    assert_eq!(problem.rank(), 2);
    let point = problem.risk(1e6, Penalty::code(1e-20)).unwrap();
    assert!(
        (point.test_error - 0.09 / (1.0 - 2e-6)).abs() < 1e-6,
        "{}",
        point.test_error
    );
    // A steep power law keeps its full rank: the ridgeless peak is at n = p.
    let p = 2000;
    let omega: Vec<f64> = (1..=p).map(|i| (i as f64).powi(-4)).collect();
    let psi: Vec<f64> = omega.iter().map(|w| 0.02 * w.sqrt()).collect();
    let steep = Problem::from_spectrum(&omega, &psi, 1.0, 0.1).unwrap();
    assert_eq!(steep.rank(), p);
    assert_eq!(steep.ridgeless(p as f64).unwrap().test_error, f64::INFINITY);
    assert!(steep.ridgeless(p as f64 - 1.0).unwrap().test_error > 10.0);
}

#[test]
fn tiny_negative_eigenvalues_in_a_list_are_clipped() {
    let problem = Problem::from_spectrum(&[1.0, -1e-12, 0.5], &[0.1, 0.0, 0.1], 1.0, 0.0).unwrap();
    assert_eq!(problem.rank(), 2);
    assert_eq!(problem.clipped_eigenvalues(), 1);
    assert!(Problem::from_spectrum(&[1.0, -1e-3, 0.5], &[0.1, 0.0, 0.1], 1.0, 0.0).is_err());
}

#[test]
fn huge_penalties_keep_their_units() {
    let problem = Problem::from_spectrum(&[1.0, 0.5], &[0.1, 0.1], 1.0, 0.0).unwrap();
    let point = problem.risk(3.0, Penalty::paper(1e308)).unwrap();
    assert_eq!(point.lambda(Units::Paper), 1e308);
    assert_eq!(point.test_error, 1.0);
}
