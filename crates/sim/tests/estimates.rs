//! Monte-Carlo moments: unbiased for a known Gaussian model, and the theory fed with
//! estimated moments agrees with the theory fed with the exact ones.

use dsrf_rainbow::{
    Activation, CovarianceSpec, NetworkSpec, VarianceConvention, linearized_covariances,
};
use dsrf_sim::{
    GaussianInputs, LinearTeacher, NetworkTeacher, estimate_moments, estimate_network_covariances,
};
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

fn relative(a: &faer::Mat<f64>, b: &faer::Mat<f64>) -> f64 {
    let (mut diff, mut norm) = (0.0, 0.0);
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            diff += (a[(i, j)] - b[(i, j)]).powi(2);
            norm += b[(i, j)].powi(2);
        }
    }
    (diff / norm).sqrt()
}

/// Errors of Ω̂, Φ̂, Ψ̂ against Definition 4.2 for one learner and one target layer.
fn network_errors(learner: Activation, target: Activation) -> [f64; 3] {
    let d = 60;
    let spec = NetworkSpec::deep_random_features(
        4,
        CovarianceSpec::ScaledIdentity { dim: d, scale: 1.0 },
        &[(80, 1.0, learner)],
        &[(50, 1.0, target)],
    );
    let net = spec.sample().unwrap();
    let lin = linearized_covariances(
        net.omega0.as_ref(),
        &net.learner,
        &net.target,
        VarianceConvention::Averaged,
    )
    .unwrap();
    let teacher = NetworkTeacher {
        inputs: GaussianInputs::from_spectrum(&vec![1.0; d]).unwrap(),
        learner: net.learner,
        target: net.target,
        theta_star: vec![0.0; 50],
        noise_sd: 0.0,
    };
    let [omega, phi, psi] = estimate_network_covariances(&teacher, 60_000, 9).unwrap();
    [
        relative(&omega, &lin.omega),
        relative(&phi, &lin.phi),
        relative(&psi, &lin.psi),
    ]
}

#[test]
fn network_covariance_estimates_converge() {
    // Linear layers: Definition 4.2 is exact, only Monte-Carlo noise (≈ √(p/N) ≈ 4 %) remains.
    let linear = network_errors(Activation::Linear, Activation::Linear);
    // ReLU features are not centred; the estimates centre them, as the linearisation
    // assumes (κ*² with the mean subtracted). Linearisation error adds at d = 60.
    let relu = network_errors(Activation::Relu, Activation::Relu);
    eprintln!("relative Frobenius errors: linear {linear:.4?}, relu {relu:.4?}");
    assert!(linear.iter().all(|e| *e < 0.06), "{linear:?}");
    assert!(relu.iter().all(|e| *e < 0.15), "{relu:?}");
}
