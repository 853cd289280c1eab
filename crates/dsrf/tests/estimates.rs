//! Monte-Carlo covariances of a realised network (Ω̂, Φ̂, Ψ̂ of the real features)
//! converge to Definition 4.2's where the linearisation is exact, and stay close where
//! it is not.

use dsrf::budget::Budget;
use dsrf::presets::deep_random_features;
use dsrf::rainbow::{Activation, CovarianceSpec, VarianceConvention};
use dsrf::{NetworkModel, Readout};

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
    let network = NetworkModel {
        spec: deep_random_features(
            4,
            CovarianceSpec::ScaledIdentity { dim: d, scale: 1.0 },
            &[(80, 1.0, learner)],
            &[(50, 1.0, target)],
        ),
        // The covariances do not involve θ*.
        readout: Readout::Given(vec![0.0; 50]),
        noise_variance: 0.0,
    }
    .realise(&Budget::unlimited())
    .unwrap();
    let lin = network.covariances(VarianceConvention::Averaged).unwrap();
    let [omega, phi, psi] = network.monte_carlo_covariances(60_000, 9).unwrap();
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
