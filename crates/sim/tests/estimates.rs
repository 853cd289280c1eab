//! Monte-Carlo moments: unbiased for a known Gaussian model, and the theory fed with
//! estimated moments agrees with the theory fed with the exact ones. (The network
//! covariance estimates are tested in the facade, whose presets build the networks.)

use dsrf_sim::{GaussianInputs, LinearTeacher, estimate_moments};
use dsrf_theory::{CodeForm, Covariance, Penalty};

#[test]
fn estimated_moments_of_a_linear_teacher() {
    let omega = vec![2.0, 1.0, 0.5, 0.25];
    let beta = vec![0.5, -0.4, 0.3, 0.2];
    let teacher = LinearTeacher {
        inputs: GaussianInputs::from_spectrum(&omega).unwrap(),
        beta: beta.clone(),
        noise_sd: 0.3,
    };
    let est = estimate_moments(&teacher, 200_000, 3).unwrap();
    for i in 0..4 {
        assert!((est.omega[(i, i)] - omega[i]).abs() < 0.02 * omega[i] + 0.01);
        assert!((est.psi[i] - omega[i] * beta[i]).abs() < 0.01);
    }
    let y2: f64 = omega.iter().zip(&beta).map(|(w, b)| w * b * b).sum::<f64>() + 0.09;
    assert!((est.label_second_moment - y2).abs() < 0.01);
    // The theory from the estimates is close to the theory from the truth.
    let truth = CodeForm {
        omega: Covariance::Eigenvalues(omega.clone()),
        psi: omega.iter().zip(&beta).map(|(w, b)| w * b).collect(),
        label_second_moment: y2,
        noise_variance: 0.0,
    }
    .check()
    .unwrap();
    let from_samples = CodeForm {
        omega: Covariance::Matrix(est.omega.clone()),
        psi: est.psi.clone(),
        label_second_moment: est.label_second_moment,
        noise_variance: 0.0,
    }
    .check()
    .unwrap();
    for n in [2.0, 8.0, 40.0] {
        let a = truth.risk(n, Penalty::code(0.5)).unwrap().test_error;
        let b = from_samples.risk(n, Penalty::code(0.5)).unwrap().test_error;
        assert!((a - b).abs() < 0.02 * a, "n={n}: {a} vs {b}");
    }
}
