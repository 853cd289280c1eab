//! Hostile input to the linearisations: an overflow or a NaN anywhere in a layer is an
//! error naming the layer and the quantity (never clipped into a number), and Ω₀ must be
//! a non-empty PSD covariance.

use dsrf_rainbow::{
    Activation, GaussianMoments, Layer, Mat, RainbowError, VarianceConvention,
    linearize_label_features, linearized_covariances,
};

fn layer(rows: &[&[f64]], activation: Activation) -> Layer {
    Layer {
        weights: Mat::from_fn(rows.len(), rows[0].len(), |i, j| rows[i][j]),
        activation,
    }
}

fn both() -> [VarianceConvention; 2] {
    [VarianceConvention::Averaged, VarianceConvention::PerNeuron]
}

fn expect_not_finite(err: RainbowError, what: &str, quantity: &str) {
    let message = err.to_string();
    match err {
        RainbowError::NotFinite {
            what: w,
            quantity: q,
        } => assert!(w == what && q == quantity, "{message}"),
        other => panic!("expected NotFinite({what}, {quantity}), got {other:?}"),
    }
    assert!(
        message.contains("overflowed") && message.contains("smaller weights"),
        "{message}"
    );
}

/// w = (10³⁰⁸, −10³⁰⁸) and Ω₀ with entries ≈ 10: w Ω₀ overflows to ∞ − ∞ = NaN, so the
/// neuron's "variance" (W Ω₀ Wᵀ)₀₀ is NaN — which `max(0.0)` used to turn into r = 0, a
/// finite Ω = Var tanh(0) = 0 and ψ = 0, silently.
fn nan_variance() -> (Mat<f64>, Vec<Layer>) {
    let omega0 = Mat::from_fn(2, 2, |i, j| if i == j { 10.0 } else { 9.99 });
    (omega0, vec![layer(&[&[1e308, -1e308]], Activation::Tanh)])
}

#[test]
fn a_nan_pre_activation_variance_is_an_error_not_zero() {
    let (omega0, net) = nan_variance();
    for convention in both() {
        let err = linearized_covariances(omega0.as_ref(), &net, &[], convention).unwrap_err();
        expect_not_finite(err, "learner.layers[0]", "W Ω Wᵀ");
        let err = linearized_covariances(omega0.as_ref(), &[], &net, convention).unwrap_err();
        expect_not_finite(err, "target.layers[0]", "V Ψ Vᵀ");
        let err =
            linearize_label_features(omega0.as_ref(), &[1.0, 1.0], &net, convention).unwrap_err();
        expect_not_finite(err, "layers[0]", "W Ω Wᵀ");
    }
}

/// A finite first layer whose output variance 10³⁰⁰ overflows in the second layer.
#[test]
fn an_overflow_in_a_later_layer_names_that_layer() {
    let omega0 = Mat::<f64>::identity(1, 1);
    let net = vec![
        layer(&[&[1e150]], Activation::Linear),
        layer(&[&[1e150]], Activation::Linear),
    ];
    for convention in both() {
        let err = linearized_covariances(omega0.as_ref(), &net, &net, convention).unwrap_err();
        expect_not_finite(err, "learner.layers[1]", "W Ω Wᵀ");
        let err = linearize_label_features(omega0.as_ref(), &[1.0], &net, convention).unwrap_err();
        expect_not_finite(err, "layers[1]", "W Ω Wᵀ");
    }
}

/// Two neurons with variance 1.44·10³⁰⁸ each: every entry is finite, their mean is not
/// (the sum overflows), so the averaged variance r is an error.
#[test]
fn an_overflowing_average_variance_is_an_error() {
    let omega0 = Mat::<f64>::identity(1, 1);
    let net = vec![layer(&[&[1.2e154], &[1.2e154]], Activation::Linear)];
    let err = linearized_covariances(omega0.as_ref(), &net, &[], VarianceConvention::Averaged)
        .unwrap_err();
    expect_not_finite(err, "learner.layers[0]", "r");
    let err = linearize_label_features(omega0.as_ref(), &[1.0], &net, VarianceConvention::Averaged)
        .unwrap_err();
    expect_not_finite(err, "layers[0]", "r");
}

/// A ψ₀ that makes W ψ₀ overflow while Ω stays finite.
#[test]
fn an_overflowing_label_correlation_is_an_error() {
    let omega0 = Mat::<f64>::identity(2, 2);
    let net = vec![layer(&[&[1.0, 1.0]], Activation::Tanh)];
    let err = linearize_label_features(
        omega0.as_ref(),
        &[1e308, 1e308],
        &net,
        VarianceConvention::Averaged,
    )
    .unwrap_err();
    expect_not_finite(err, "layers[0]", "ψ");
}

#[test]
fn kappa_star_squared_clips_rounding_but_not_nan() {
    let rounding = GaussianMoments {
        r: 1.0,
        mean: 0.0,
        kappa1: 1.0,
        second_moment: 1.0 - 1e-17,
    };
    assert_eq!(rounding.kappa_star_sq(), 0.0);
    let nan = GaussianMoments {
        kappa1: f64::NAN,
        ..rounding
    };
    assert!(nan.kappa_star_sq().is_nan());
    assert!(nan.uncentred_kappa_star_sq().is_nan());
    let overflow = GaussianMoments {
        r: 1e308,
        kappa1: 10.0,
        ..rounding
    };
    assert!(overflow.kappa_star_sq().is_nan());
}

fn expect_omega0_error(err: RainbowError, contains: &str) {
    let message = err.to_string();
    assert!(
        message.starts_with("omega0") && message.contains(contains),
        "{message}"
    );
}

/// An indefinite Ω₀ (eigenvalues 1.5 and −0.5) is not a covariance; a PSD one with a
/// rounding-level negative eigenvalue is.
#[test]
fn the_input_covariance_must_be_psd() {
    let indefinite = Mat::from_fn(2, 2, |i, j| if i == j { 0.5 } else { 1.0 });
    let net = vec![layer(&[&[0.3, 0.4]], Activation::Tanh)];
    for convention in both() {
        let err = linearized_covariances(indefinite.as_ref(), &net, &net, convention).unwrap_err();
        expect_omega0_error(err, "not positive semi-definite");
        let err = linearize_label_features(indefinite.as_ref(), &[0.1, 0.2], &net, convention)
            .unwrap_err();
        expect_omega0_error(err, "not positive semi-definite");
    }
    // Rank one up to rounding: [[1, 1], [1, 1 − 1e−15]] has eigenvalue ≈ −5·10⁻¹⁶.
    let rounding = Mat::from_fn(
        2,
        2,
        |i, j| if i == 1 && j == 1 { 1.0 - 1e-15 } else { 1.0 },
    );
    assert!(
        linearized_covariances(rounding.as_ref(), &net, &[], VarianceConvention::Averaged).is_ok()
    );
}

#[test]
fn empty_input_covariance_and_empty_layer_lists_are_errors() {
    let empty = Mat::<f64>::zeros(0, 0);
    let err =
        linearized_covariances(empty.as_ref(), &[], &[], VarianceConvention::Averaged).unwrap_err();
    expect_omega0_error(err, "at least one input");
    let err = linearize_label_features(empty.as_ref(), &[], &[], VarianceConvention::Averaged)
        .unwrap_err();
    expect_omega0_error(err, "at least one input");
    let err = linearize_label_features(
        Mat::<f64>::identity(2, 2).as_ref(),
        &[0.1, 0.2],
        &[],
        VarianceConvention::Averaged,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(err, "layers: give at least one layer");
}
