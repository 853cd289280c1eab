//! SPEC §7.3: the tiny two-layer tanh linearisation, in both variance conventions.

use dsrf_rainbow::{Activation, Layer, Mat, VarianceConvention, linearize_label_features};

fn mat(rows: &[[f64; 3]; 3]) -> Mat<f64> {
    Mat::from_fn(3, 3, |i, j| rows[i][j])
}

fn layers(n: usize) -> Vec<Layer> {
    let w1 = mat(&[[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]]);
    let w2 = mat(&[[0.6, 0.2, -0.1], [-0.4, 0.5, 0.3], [0.2, -0.2, 0.8]]);
    [w1, w2]
        .into_iter()
        .take(n)
        .map(|weights| Layer {
            weights,
            activation: Activation::Tanh,
        })
        .collect()
}

fn check(convention: VarianceConvention, depth: usize, omega: [[f64; 3]; 3], psi: [f64; 3]) {
    let omega0 = Mat::<f64>::identity(3, 3);
    let psi0 = [0.3, -0.1, 0.2];
    let out = linearize_label_features(omega0.as_ref(), &psi0, &layers(depth), convention).unwrap();
    for (i, row) in omega.iter().enumerate() {
        for (j, &want) in row.iter().enumerate() {
            let got = out.omega[(i, j)];
            assert!(
                (got - want).abs() < 1e-9,
                "{convention:?} depth {depth} Ω[{i},{j}]: {got} vs {want}"
            );
        }
        assert!(
            (out.psi[i] - psi[i]).abs() < 1e-9,
            "{convention:?} depth {depth} ψ[{i}]: {} vs {}",
            out.psi[i],
            psi[i]
        );
    }
}

#[test]
fn spec_7_3_averaged() {
    #[rustfmt::skip]
    check(VarianceConvention::Averaged, 1,
        [[0.2089254384, -0.0993462154, -0.0261437409], [-0.0993462154, 0.2873566611, -0.1673199417], [-0.0261437409, -0.1673199417, 0.3344153947]],
        [0.1590821838, -0.0940031086, 0.0361550418]);
    #[rustfmt::skip]
    check(VarianceConvention::Averaged, 2,
        [[0.0591090657, -0.0463028886, -0.0361245984], [-0.0463028886, 0.1011592783, -0.0252895156], [-0.0361245984, -0.0252895156, 0.2199819127]],
        [0.063776222, -0.0871397885, 0.0694592517]);
    let out = linearize_label_features(
        Mat::<f64>::identity(3, 3).as_ref(),
        &[0.3, -0.1, 0.2],
        &layers(2),
        VarianceConvention::Averaged,
    )
    .unwrap();
    let (l1, l2) = (&out.layers[0], &out.layers[1]);
    assert!((l1.r[0] - 0.51).abs() < 1e-12);
    assert!((l1.kappa1[0] - 0.723100835236).abs() < 1e-11);
    assert!((l1.kappa_star_sq[0] - 0.010233007626).abs() < 1e-11);
    assert!((l2.r[0] - 0.164740457878).abs() < 1e-11);
    assert!((l2.kappa1[0] - 0.873249914437).abs() < 1e-11);
    assert!((l2.kappa_star_sq[0] - 0.001124710252).abs() < 1e-11);
}

#[test]
fn spec_7_3_per_neuron() {
    #[rustfmt::skip]
    check(VarianceConvention::PerNeuron, 1,
        [[0.2309165277, -0.1047418822, -0.0265509188], [-0.1047418822, 0.2832077608, -0.158372344], [-0.0265509188, -0.158372344, 0.3095438986]],
        [0.1691983639, -0.0931829911, 0.0345228051]);
    #[rustfmt::skip]
    check(VarianceConvention::PerNeuron, 2,
        [[0.0709359286, -0.0553418115, -0.0309131325], [-0.0553418115, 0.1089899544, -0.0278833458], [-0.0309131325, -0.0278833458, 0.1829318156]],
        [0.0737956889, -0.0925884175, 0.06544268]);
    let out = linearize_label_features(
        Mat::<f64>::identity(3, 3).as_ref(),
        &[0.3, -0.1, 0.2],
        &layers(1),
        VarianceConvention::PerNeuron,
    )
    .unwrap();
    let want_r = [0.38, 0.53, 0.62];
    let want_k1 = [0.7690834723, 0.7167922392, 0.6904561014];
    for i in 0..3 {
        assert!((out.layers[0].r[i] - want_r[i]).abs() < 1e-12);
        assert!((out.layers[0].kappa1[i] - want_k1[i]).abs() < 1e-9);
    }
}

#[test]
fn widths_that_do_not_chain_name_the_layer() {
    let mut bad = layers(2);
    bad[1].weights = Mat::zeros(3, 4);
    let err = linearize_label_features(
        Mat::<f64>::identity(3, 3).as_ref(),
        &[0.3, -0.1, 0.2],
        &bad,
        VarianceConvention::Averaged,
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("layers[1].weights"), "{err}");
    let err = linearize_label_features(
        Mat::<f64>::identity(3, 3).as_ref(),
        &[0.3, -0.1],
        &layers(1),
        VarianceConvention::Averaged,
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("psi0"), "{err}");
    let asym = Mat::from_fn(3, 3, |i, j| {
        if i == 0 && j == 1 {
            0.5
        } else if i == j {
            1.0
        } else {
            0.0
        }
    });
    let err = linearize_label_features(
        asym.as_ref(),
        &[0.3, -0.1, 0.2],
        &layers(1),
        VarianceConvention::Averaged,
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("omega0"), "{err}");
}

/// A linear network is exact: Ω_L = W Ω₀ Wᵀ and ψ_L = W ψ₀ with no noise term.
#[test]
fn linear_layers_are_exact() {
    let mut net = layers(2);
    for l in &mut net {
        l.activation = Activation::Linear;
    }
    let out = linearize_label_features(
        Mat::<f64>::identity(3, 3).as_ref(),
        &[0.3, -0.1, 0.2],
        &net,
        VarianceConvention::PerNeuron,
    )
    .unwrap();
    let w = &net[1].weights * &net[0].weights;
    let want = &w * w.transpose();
    for i in 0..3 {
        for j in 0..3 {
            assert!((out.omega[(i, j)] - want[(i, j)]).abs() < 1e-15);
        }
    }
}
