//! Definition 4.2 through independent routes: linear networks (exact), identical
//! learner and target (Φ = Ω = Ψ), the label-vector form, and field-named errors.

use dsrf_rainbow::{
    Activation, Layer, Mat, VarianceConvention, linearize_label_features, linearized_covariances,
};

/// A deterministic pseudo-random matrix with entries of variance 1/cols.
fn weights(rows: usize, cols: usize, seed: u64) -> Mat<f64> {
    let mut state = seed.wrapping_mul(0x9e3779b97f4a7c15) | 1;
    Mat::from_fn(rows, cols, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * (12.0 / cols as f64).sqrt()
    })
}

fn layer(rows: usize, cols: usize, seed: u64, activation: Activation) -> Layer {
    Layer {
        weights: weights(rows, cols, seed),
        activation,
    }
}

fn input_moment(d: usize) -> Mat<f64> {
    Mat::from_fn(d, d, |i, j| 0.5f64.powi((i as i32 - j as i32).abs()))
}

fn assert_close(what: &str, a: &Mat<f64>, b: &Mat<f64>, tol: f64) {
    assert_eq!(
        (a.nrows(), a.ncols()),
        (b.nrows(), b.ncols()),
        "{what}: shapes"
    );
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            assert!(
                (a[(i, j)] - b[(i, j)]).abs() <= tol,
                "{what}[{i},{j}]: {} vs {}",
                a[(i, j)],
                b[(i, j)]
            );
        }
    }
}

#[test]
fn linear_networks_are_exact_in_every_depth_order() {
    let d = 6;
    let omega0 = input_moment(d);
    let lin = |r, c, s| layer(r, c, s, Activation::Linear);
    for (learner, target) in [
        (vec![lin(5, d, 1), lin(4, 5, 2)], vec![lin(7, d, 3)]),
        (
            vec![lin(5, d, 1)],
            vec![lin(7, d, 3), lin(3, 7, 4), lin(2, 3, 5)],
        ),
        (
            vec![lin(5, d, 1), lin(5, 5, 2)],
            vec![lin(5, d, 3), lin(5, 5, 4)],
        ),
        (vec![], vec![lin(3, d, 6)]),
    ] {
        for convention in [VarianceConvention::Averaged, VarianceConvention::PerNeuron] {
            let out =
                linearized_covariances(omega0.as_ref(), &learner, &target, convention).unwrap();
            let product = |layers: &[Layer]| {
                layers
                    .iter()
                    .fold(Mat::<f64>::identity(d, d), |acc, l| &l.weights * acc)
            };
            let (w, v) = (product(&learner), product(&target));
            assert_close("Ω", &out.omega, &(&w * &omega0 * w.transpose()), 1e-13);
            assert_close("Ψ", &out.psi, &(&v * &omega0 * v.transpose()), 1e-13);
            assert_close("Φ", &out.phi, &(&w * &omega0 * v.transpose()), 1e-13);
        }
    }
}

#[test]
fn identical_learner_and_target_give_phi_equal_omega() {
    let d = 8;
    let omega0 = input_moment(d);
    let net = vec![
        layer(8, d, 11, Activation::Tanh),
        layer(6, 8, 12, Activation::Relu),
    ];
    for convention in [VarianceConvention::Averaged, VarianceConvention::PerNeuron] {
        let out = linearized_covariances(omega0.as_ref(), &net, &net, convention).unwrap();
        assert_close("Φ vs Ω", &out.phi, &out.omega, 1e-10);
        assert_close("Ψ vs Ω", &out.psi, &out.omega, 1e-14);
        // The cross coefficient is then κ*² itself.
        let ks = &out.learner[0].kappa_star_sq;
        for (a, b) in out.cross[0].iter().zip(ks) {
            assert!((a - b).abs() < 1e-10, "{a} vs {b}");
        }
    }
}

#[test]
fn a_depth_zero_target_reproduces_the_label_vector_form() {
    // φ* = x and y = θᵀx/√k: Φ_L θ/√k must equal ψ_L of the label form with ψ₀ = Ω₀θ/√k.
    let d = 7;
    let omega0 = input_moment(d);
    let theta: Vec<f64> = (0..d).map(|i| (i as f64 * 0.9).sin()).collect();
    let k = d as f64;
    let psi0: Vec<f64> = (0..d)
        .map(|i| (0..d).map(|j| omega0[(i, j)] * theta[j]).sum::<f64>() / k.sqrt())
        .collect();
    let learner = vec![
        layer(9, d, 21, Activation::Erf),
        layer(5, 9, 22, Activation::Tanh),
    ];
    for convention in [VarianceConvention::Averaged, VarianceConvention::PerNeuron] {
        let full = linearized_covariances(omega0.as_ref(), &learner, &[], convention).unwrap();
        let label = linearize_label_features(omega0.as_ref(), &psi0, &learner, convention).unwrap();
        assert_close("Ω", &full.omega, &label.omega, 1e-14);
        for i in 0..5 {
            let phi_theta: f64 =
                (0..d).map(|j| full.phi[(i, j)] * theta[j]).sum::<f64>() / k.sqrt();
            assert!((phi_theta - label.psi[i]).abs() < 1e-14);
        }
        assert_close("Ψ = Ω₀", &full.psi, &omega0, 0.0);
    }
}

#[test]
fn unequal_widths_have_no_cross_identity_term() {
    let d = 5;
    let omega0 = input_moment(d);
    let learner = vec![layer(4, d, 31, Activation::Tanh)];
    let target = vec![layer(6, d, 32, Activation::Sign)];
    let out = linearized_covariances(
        omega0.as_ref(),
        &learner,
        &target,
        VarianceConvention::Averaged,
    )
    .unwrap();
    assert!(out.cross[0].is_empty());
    let m = &learner[0].weights * &omega0 * target[0].weights.transpose();
    let (k1, kt) = (out.learner[0].kappa1[0], out.target[0].kappa1[0]);
    for i in 0..4 {
        for j in 0..6 {
            assert!((out.phi[(i, j)] - k1 * kt * m[(i, j)]).abs() < 1e-15);
        }
    }
}

#[test]
fn errors_name_the_network_and_layer() {
    let omega0 = input_moment(4);
    let good = vec![layer(3, 4, 1, Activation::Tanh)];
    let bad = vec![
        layer(3, 4, 1, Activation::Tanh),
        layer(2, 5, 2, Activation::Tanh),
    ];
    let err = linearized_covariances(omega0.as_ref(), &good, &bad, VarianceConvention::Averaged)
        .unwrap_err();
    assert!(
        err.to_string().starts_with("target.layers[1].weights"),
        "{err}"
    );
    let err = linearized_covariances(omega0.as_ref(), &bad, &good, VarianceConvention::Averaged)
        .unwrap_err();
    assert!(
        err.to_string().starts_with("learner.layers[1].weights"),
        "{err}"
    );
    let nan = vec![Layer {
        weights: Mat::from_fn(3, 4, |_, _| 1.0),
        activation: Activation::ScaledTanh(f64::NAN),
    }];
    let err = linearized_covariances(omega0.as_ref(), &nan, &good, VarianceConvention::Averaged)
        .unwrap_err();
    assert!(
        err.to_string().starts_with("learner.layers[0].activation"),
        "{err}"
    );
}

/// Ω^lin = W_eff Ω₀ W_effᵀ + C_eff (SPEC §4.3), an algebraic identity of the averaged
/// recursion.
#[test]
fn equivalent_linear_network_reproduces_the_recursion() {
    use dsrf_rainbow::equivalent_linear_network;
    let d = 9;
    let omega0 = input_moment(d);
    let net = vec![
        layer(12, d, 41, Activation::Tanh),
        layer(7, 12, 42, Activation::Erf),
        layer(5, 7, 43, Activation::ScaledTanh(2.0)),
    ];
    let out =
        linearized_covariances(omega0.as_ref(), &net, &[], VarianceConvention::Averaged).unwrap();
    let eq = equivalent_linear_network(&net, &out.learner).unwrap();
    let rebuilt = &eq.w_eff * &omega0 * eq.w_eff.transpose() + &eq.c_eff;
    assert_close("Ω^lin", &rebuilt, &out.omega, 1e-14);
    let per =
        linearized_covariances(omega0.as_ref(), &net, &[], VarianceConvention::PerNeuron).unwrap();
    assert!(equivalent_linear_network(&net, &per.learner).is_err());
}

#[test]
fn hidden_layers_must_be_centred() {
    let omega0 = input_moment(6);
    let relu_hidden = vec![
        layer(6, 6, 51, Activation::Relu),
        layer(4, 6, 52, Activation::Tanh),
    ];
    let err = linearized_covariances(
        omega0.as_ref(),
        &relu_hidden,
        &[],
        VarianceConvention::Averaged,
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("learner.layers[0].activation")
            && err.to_string().contains("not centred"),
        "{err}"
    );
    let err = linearize_label_features(
        omega0.as_ref(),
        &[0.1; 6],
        &relu_hidden,
        VarianceConvention::PerNeuron,
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("layers[0].activation"), "{err}");
    // A ReLU last layer is fine.
    let relu_last = vec![
        layer(6, 6, 51, Activation::Tanh),
        layer(4, 6, 52, Activation::Relu),
    ];
    assert!(
        linearized_covariances(
            omega0.as_ref(),
            &relu_last,
            &[],
            VarianceConvention::Averaged
        )
        .is_ok()
    );
}
