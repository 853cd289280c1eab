//! SPEC §7.2 reference values, the tanh identity, closed forms against quadrature, and
//! cross moments against their closed forms.

use dsrf_rainbow::{Activation, CustomActivation, cross_moment, gaussian_moments};

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.15}, want {want:.15} (diff {:.2e})",
        (got - want).abs()
    );
}

/// (activation, r, κ₁, E f², centred κ*²) from SPEC §7.2, |error| < 1e-10 there.
#[test]
fn spec_reference_values() {
    #[rustfmt::skip]
    let rows: &[(&str, f64, f64, f64, f64)] = &[
        ("tanh", 1.0, 0.605705509602, 0.394294490398, 0.027415326035),
        ("tanh", 0.394294490398, 0.763549589501, 0.236450410499, 0.006573577852),
        ("tanh", 0.5, 0.726323692063, 0.273676307937, 0.009903255111),
        ("tanh", 0.25, 0.826483856568, 0.173516143432, 0.002747252141),
        ("tanh(2x)", 1.0, 0.729477531486, 0.635261234257, 0.103123765314),
        ("erf", 1.0, 0.651470015871, 0.464559054398, 0.040145872819),
        ("erf", 0.5, 0.797884560803, 1.0 / 3.0, 0.015023447150),
        ("sign", 1.0, 0.797884560803, 1.0, 0.363380227632),
        ("relu", 1.0, 0.5, 0.5, 0.5 - 1.0 / (2.0 * std::f64::consts::PI) - 0.25),
        ("door", 1.0, 1.049949709714, 1.113849680020, 0.011455287091),
    ];
    for &(name, r, k1, f2, ks) in rows {
        let m = gaussian_moments(&Activation::from_name(name).unwrap(), r).unwrap();
        let tag = format!("{name} r={r}");
        close(&format!("κ₁ {tag}"), m.kappa1, k1, 1e-11);
        close(&format!("E f² {tag}"), m.second_moment, f2, 1e-11);
        close(&format!("κ*² {tag}"), m.kappa_star_sq(), ks, 1e-11);
    }
    // ReLU's uncentred κ*² as the authors' code computes it.
    let relu = gaussian_moments(&Activation::Relu, 1.0).unwrap();
    close(
        "relu uncentred κ*²",
        relu.uncentred_kappa_star_sq(),
        0.25,
        1e-15,
    );
}

#[test]
fn precursor_notebook_values() {
    let tanh1 = gaussian_moments(&Activation::Tanh, 1.0).unwrap();
    close(
        "tanh κ*",
        tanh1.kappa_star_sq().sqrt(),
        0.16557574108374126,
        1e-12,
    );
    let tanh2 = gaussian_moments(&Activation::Tanh, 0.3942944903978409).unwrap();
    close("tanh layer-2 κ₁", tanh2.kappa1, 0.7635495895007043, 1e-12);
    close(
        "tanh layer-2 κ*",
        tanh2.kappa_star_sq().sqrt(),
        0.08107760388474508,
        1e-12,
    );
    close(
        "tanh next-layer E f²",
        tanh2.second_moment,
        0.23645041049929583,
        1e-12,
    );
    let erf = gaussian_moments(&Activation::Erf, 1.0).unwrap();
    close(
        "erf κ*",
        erf.kappa_star_sq().sqrt(),
        0.20036435017026702,
        1e-12,
    );
    close("erf E f²", erf.second_moment, 0.46455905439753986, 1e-13);
    let erf2 = gaussian_moments(&Activation::Erf, erf.second_moment).unwrap();
    close(
        "erf next-layer E f²",
        erf2.second_moment,
        0.31990900968062896,
        1e-13,
    );
}

#[test]
fn tanh_identity_kappa1_plus_second_moment_is_one() {
    // tanh′ = 1 − tanh², so E tanh′ + E tanh² = 1 for every r.
    for e in -40..=20 {
        let r = 10f64.powf(e as f64 / 10.0);
        let m = gaussian_moments(&Activation::Tanh, r).unwrap();
        close(&format!("r={r}"), m.kappa1 + m.second_moment, 1.0, 1e-13);
    }
}

/// The same function as a custom activation forces the quadrature path.
fn as_custom(activation: &Activation) -> Activation {
    let a = activation.clone();
    let b = activation.clone();
    let kinks = match activation {
        Activation::Sign | Activation::Relu | Activation::LeakyRelu(_) => vec![0.0],
        Activation::Door => vec![-2.0, 0.0, 2.0],
        _ => vec![],
    };
    let custom =
        CustomActivation::new(format!("custom {}", activation.name()), move |x| a.apply(x))
            .with_kinks(&kinks);
    // Without derivative for kinked functions (Stein's identity), with it otherwise.
    Activation::Custom(if kinks.is_empty() {
        custom.with_derivative(move |x| b.derivative(x).unwrap())
    } else {
        custom
    })
}

#[test]
fn closed_forms_agree_with_quadrature_over_four_decades_of_r() {
    for name in [
        "linear",
        "erf",
        "sign",
        "relu",
        "leaky_relu(0.1)",
        "door",
        "tanh(2x)",
        "gelu",
    ] {
        let exact = Activation::from_name(name).unwrap();
        let numeric = as_custom(&exact);
        for e in -8..=4 {
            let r = 10f64.powf(e as f64 / 2.0);
            let a = gaussian_moments(&exact, r).unwrap();
            let b = gaussian_moments(&numeric, r).unwrap();
            let scale = a.second_moment.abs().max(1e-300);
            let tag = format!("{name} r={r:e}");
            close(&format!("mean {tag}"), b.mean, a.mean, 1e-12 * scale.sqrt());
            close(
                &format!("κ₁ {tag}"),
                b.kappa1,
                a.kappa1,
                1e-11 * a.kappa1.abs().max(1.0),
            );
            close(
                &format!("E f² {tag}"),
                b.second_moment,
                a.second_moment,
                1e-12 * scale,
            );
        }
    }
}

#[test]
fn cross_moments_match_closed_forms_and_limits() {
    let pairs = ["sign", "erf", "relu", "tanh"];
    for name in pairs {
        let f = Activation::from_name(name).unwrap();
        let custom = as_custom(&f);
        for &(r, rt, rc) in &[(1.0, 1.0, 0.3), (0.5, 2.0, -0.6), (2.0, 0.7, 1.0)] {
            let closed = cross_moment(&f, &f, r, rt, rc).unwrap();
            let numeric = cross_moment(&custom, &custom, r, rt, rc).unwrap();
            close(&format!("{name} ({r}, {rt}, {rc})"), numeric, closed, 1e-10);
            // Linear against anything is ř κ̃₁ (Stein).
            let lin = cross_moment(&Activation::Linear, &custom, r, rt, rc).unwrap();
            close(
                &format!("linear × {name}"),
                lin,
                rc * gaussian_moments(&f, rt).unwrap().kappa1,
                1e-12,
            );
        }
        // Independent pair: E f E g; identical pair: E f².
        let m = gaussian_moments(&f, 0.8).unwrap();
        close(
            &format!("{name} independent"),
            cross_moment(&custom, &custom, 0.8, 0.8, 0.0).unwrap(),
            m.mean * m.mean,
            1e-12,
        );
        close(
            &format!("{name} identical"),
            cross_moment(&custom, &custom, 0.8, 0.8, 0.8).unwrap(),
            m.second_moment,
            1e-10,
        );
    }
}

#[test]
fn bad_arguments_are_errors() {
    assert!(gaussian_moments(&Activation::Tanh, -1.0).is_err());
    assert!(gaussian_moments(&Activation::Tanh, f64::NAN).is_err());
    let err = cross_moment(&Activation::Tanh, &Activation::Erf, 1.0, 1.0, 1.5).unwrap_err();
    assert!(err.to_string().contains("exceeds"));
    assert!(gaussian_moments(&Activation::ScaledTanh(f64::INFINITY), 1.0).is_err());
    // r = 0: N = 0 exactly.
    let m = gaussian_moments(&Activation::Tanh, 0.0).unwrap();
    assert_eq!((m.mean, m.kappa1, m.second_moment), (0.0, 1.0, 0.0));
}

/// Large variances and sharp activations: the moments stay fast and right (r → ∞:
/// tanh → sign, so κ₁ → √(2/(πr)) and E f² → 1; sigmoid′ integrates to 1, so κ₁ → 1/√(2πr)).
#[test]
fn large_variances_and_sharp_activations() {
    for &r in &[1e3, 1e5, 1e7] {
        let t = gaussian_moments(&Activation::Tanh, r).unwrap();
        let sign_k1 = (2.0 / (std::f64::consts::PI * r)).sqrt();
        assert!(
            (t.kappa1 / sign_k1 - 1.0).abs() < 0.05,
            "tanh r={r}: {}",
            t.kappa1
        );
        assert!(t.second_moment > 0.95 && t.second_moment < 1.0);
        let s = gaussian_moments(&Activation::Sigmoid, r).unwrap();
        let want = 1.0 / (2.0 * std::f64::consts::PI * r).sqrt();
        assert!(
            (s.kappa1 / want - 1.0).abs() < 0.05,
            "sigmoid r={r}: {} vs {want}",
            s.kappa1
        );
    }
    // tanh(1000x) at r = 1 is nearly sign: κ₁ ≈ 0.798, κ*² ≈ 0.363.
    let sharp = gaussian_moments(&Activation::ScaledTanh(1000.0), 1.0).unwrap();
    assert!(
        (sharp.kappa1 - 0.7978845608).abs() < 0.01,
        "{}",
        sharp.kappa1
    );
    assert!((sharp.kappa_star_sq() - 0.3633802276).abs() < 0.01);
    // Overflowing moments are errors, not NaN.
    assert!(gaussian_moments(&Activation::LeakyRelu(1e300), 1.0).is_err());
    assert!(gaussian_moments(&Activation::ScaledTanh(1e300), 1.0).is_err());
}
