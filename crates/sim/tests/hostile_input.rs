//! Hostile input to the simulator: NaN and ∞ in samples, overflowing sums and errors
//! are named errors (never a test error of 0), summaries of huge or tiny replicate
//! values stay finite and accurate, and curve configurations are checked once with
//! explicit penalty units.

use dsrf_rainbow::{Activation, Layer};
use dsrf_sim::{
    CurveConfig, FeatureSampler, GaussianInputs, LinearTeacher, NetworkTeacher, Penalties,
    PenaltyUnits, SecondMoments, SimError, Summary, TestError, estimate_moments,
    estimate_network_covariances, simulate_learning_curve,
};
use faer::Mat;

fn teacher(noise_sd: f64) -> LinearTeacher {
    LinearTeacher {
        inputs: GaussianInputs::isotropic(5),
        beta: vec![0.1, -0.2, 0.3, 0.0, 0.5],
        noise_sd,
    }
}

fn config(test: TestError) -> CurveConfig {
    CurveConfig {
        ns: vec![10, 20],
        penalties: Penalties::Code(vec![1.0]),
        replicates: 2,
        seed: 1,
        test,
    }
}

fn not_finite(err: SimError) -> (String, String) {
    match err {
        SimError::NotFinite { what, quantity } => (what, quantity),
        other => panic!("expected NotFinite, got {other:?}"),
    }
}

/// Labels with variance 10³⁰⁸: each y² is finite but Σy² overflows; the old code
/// reported a training error of exactly 0 (∞ − ∞ = NaN, clipped by `max(0.0)`).
#[test]
fn labels_with_huge_variance_are_an_error_not_a_zero_error() {
    let err = simulate_learning_curve(
        &teacher(1e154),
        &config(TestError::HeldOut(50)).check(5).unwrap(),
        None,
    )
    .unwrap_err();
    let message = err.to_string();
    let (what, quantity) = not_finite(err);
    assert!(
        what.ends_with("labels") && quantity.contains("Σy²"),
        "{message}"
    );
    assert!(message.contains("rescale"), "{message}");
}

/// A learner whose first layer overflows (1e308·Σx) so that the second layer computes
/// ∞ − ∞ = NaN: the NaN features are an error naming the features before they enter a
/// sum — in curves, moment estimates and network covariance estimates alike.
#[test]
fn nan_features_from_a_forward_pass_are_an_error() {
    let net = NetworkTeacher {
        inputs: GaussianInputs::isotropic(3),
        learner: vec![
            Layer {
                weights: Mat::from_fn(4, 3, |_, _| 1e308),
                activation: Activation::Linear,
            },
            Layer {
                weights: Mat::from_fn(2, 4, |_, j| if j % 2 == 0 { 1.0 } else { -1.0 }),
                activation: Activation::Tanh,
            },
        ],
        target: vec![],
        theta_star: vec![1.0; 3],
        noise_sd: 0.1,
    };
    let err = simulate_learning_curve(
        &net,
        &config(TestError::HeldOut(20)).check(2).unwrap(),
        None,
    )
    .unwrap_err();
    let message = err.to_string();
    let (what, quantity) = not_finite(err);
    assert!(
        what.ends_with("features") && quantity.contains("NaN"),
        "{message}"
    );
    let (what, _) = not_finite(estimate_moments(&net, 100, 1).unwrap_err());
    assert_eq!(what, "features");
    let (what, _) = not_finite(estimate_network_covariances(&net, 100, 1).unwrap_err());
    assert_eq!(what, "learner features");
}

#[test]
fn second_moments_reject_non_finite_samples_and_overflowing_sums() {
    let x = Mat::from_fn(2, 3, |i, j| (i + j) as f64);
    let mut m = SecondMoments::new(2);
    let mut nan = x.clone();
    nan[(1, 2)] = f64::NAN;
    let (what, quantity) = not_finite(m.add(nan.as_ref(), &[1.0, 2.0, 3.0]).unwrap_err());
    assert!(
        what == "features" && quantity.contains("(1, 2)"),
        "{quantity}"
    );
    let (what, _) = not_finite(m.add(x.as_ref(), &[1.0, f64::INFINITY, 3.0]).unwrap_err());
    assert_eq!(what, "labels");
    assert_eq!(m.count(), 0, "rejected samples are not added");
    let big = Mat::from_fn(2, 3, |_, _| 1e200);
    let (what, quantity) = not_finite(m.add(big.as_ref(), &[1.0; 3]).unwrap_err());
    assert!(
        what == "features" && quantity.contains("Σφφᵀ"),
        "{quantity}"
    );
    // Finite sums, but a predictor whose quadratic form overflows.
    let mut m = SecondMoments::new(2);
    m.add(x.as_ref(), &[1.0, 2.0, 3.0]).unwrap();
    assert!(m.risk(&[0.1, 0.2]).unwrap().is_finite());
    let (what, _) = not_finite(m.risk(&[1e300, 1e300]).unwrap_err());
    assert_eq!(what, "mean squared error");
}

/// A population test error whose quadratic form overflows is an error.
#[test]
fn an_overflowing_population_error_is_an_error() {
    let omega = Mat::from_fn(5, 5, |i, j| if i == j { f64::MAX } else { 0.0 });
    let test = TestError::Population {
        omega,
        psi: vec![0.0; 5],
        label_second_moment: f64::MAX,
    };
    let err =
        simulate_learning_curve(&teacher(0.1), &config(test).check(5).unwrap(), None).unwrap_err();
    let message = err.to_string();
    let (what, quantity) = not_finite(err);
    assert!(
        what == "test error" && quantity.contains("E y² − 2wᵀψ + wᵀΩw"),
        "{message}"
    );
}

/// The exact summary of `unit · scale`, from the textbook formulas at magnitude 1.
fn check_scaled(unit: &[f64], scale: f64) {
    let values: Vec<f64> = unit.iter().map(|v| v * scale).collect();
    let got = Summary::of(&values);
    let reference = Summary::of(unit);
    for (name, g, r) in [
        ("mean", got.mean, reference.mean * scale),
        ("std", got.std, reference.std * scale),
        ("stderr", got.stderr, reference.stderr * scale),
    ] {
        assert!(
            g.is_finite() && (g - r).abs() <= 1e-14 * r.abs(),
            "{name} at scale {scale:e}: {g:e} vs {r:e}"
        );
    }
}

/// Replicate values near 10³⁰⁰ used to give std = ∞ ((v − mean)² overflows), near
/// 10⁻³⁰⁰ std = 0 (it underflows); both now agree with the reference computed at
/// magnitude 1 and scaled back.
#[test]
fn summaries_of_huge_and_tiny_values_are_finite_and_accurate() {
    let unit = [1.0, 2.0, 3.5, -0.25, 1.75, 0.5];
    for scale in [1e300, 1.5e305, 1e-300, 3e-310, 1e-120, 1e120] {
        check_scaled(&unit, scale);
    }
    let one = Summary::of(&[7e300]);
    assert_eq!((one.mean, one.std, one.stderr), (7e300, 0.0, 0.0));
}

/// Ordinary values: exactly the textbook formulas (the published tables keep their bits).
#[test]
fn summaries_of_ordinary_values_are_the_textbook_formulas() {
    let values = [0.013, 0.0127, 0.0141, 0.0119];
    let r = values.len() as f64;
    let mean = values.iter().sum::<f64>() / r;
    let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (r - 1.0)).sqrt();
    let s = Summary::of(&values);
    assert_eq!(
        (s.mean.to_bits(), s.std.to_bits(), s.stderr.to_bits()),
        (mean.to_bits(), std.to_bits(), (std / r.sqrt()).to_bits())
    );
}

fn check_error(config: CurveConfig, p: usize, what: &str, contains: &str) {
    let err = config.check(p).unwrap_err().to_string();
    assert!(
        err.starts_with(what) && err.contains(contains),
        "expected `{what}: …{contains}…`, got {err}"
    );
}

#[test]
fn curve_configurations_are_checked_with_their_units() {
    let ok = || config(TestError::HeldOut(30));
    check_error(CurveConfig { ns: vec![], ..ok() }, 5, "ns", "at least one");
    check_error(
        CurveConfig {
            ns: vec![3, 0],
            ..ok()
        },
        5,
        "ns",
        "> 0",
    );
    check_error(
        CurveConfig {
            replicates: 0,
            ..ok()
        },
        5,
        "replicates",
        "at least one",
    );
    check_error(
        CurveConfig {
            penalties: Penalties::Code(vec![1.0, -2.0]),
            ..ok()
        },
        5,
        "penalties[1]",
        "-2.0 (code units",
    );
    check_error(
        CurveConfig {
            penalties: Penalties::Paper(vec![f64::NAN]),
            ..ok()
        },
        5,
        "penalties[0]",
        "NaN (paper units",
    );
    // Finite as given, infinite in code units (λ_c = p λ).
    check_error(
        CurveConfig {
            penalties: Penalties::Paper(vec![1e307]),
            ..ok()
        },
        100,
        "penalties[0]",
        "1e307 (paper units",
    );
    check_error(
        CurveConfig {
            penalties: Penalties::Code(vec![]),
            ..ok()
        },
        5,
        "penalties",
        "at least one",
    );
    check_error(
        config(TestError::HeldOut(0)),
        5,
        "test",
        "at least one sample",
    );
    let wrong_size = TestError::Population {
        omega: Mat::identity(4, 4),
        psi: vec![0.0; 4],
        label_second_moment: 1.0,
    };
    check_error(config(wrong_size), 5, "test", "5×5");
    let nan = TestError::Population {
        omega: Mat::identity(5, 5),
        psi: vec![0.0; 5],
        label_second_moment: f64::NAN,
    };
    check_error(config(nan), 5, "test", "finite");
    // Checked for the wrong sampler.
    let checked = ok().check(6).unwrap();
    let err = simulate_learning_curve(&teacher(0.1), &checked, None).unwrap_err();
    assert!(err.to_string().starts_with("sampler"), "{err}");
}

/// Paper units are λ_c = p λ: the same numbers as the code units, the given penalty and
/// its units kept in every point; progress is reported once per replicate.
#[test]
fn paper_and_code_units_give_the_same_curve() {
    let t = teacher(0.1);
    let p = t.feature_dim();
    let paper = CurveConfig {
        penalties: Penalties::Paper(vec![0.25, 2.0]),
        ..config(TestError::HeldOut(40))
    }
    .check(p)
    .unwrap();
    let code = CurveConfig {
        penalties: Penalties::Code(vec![0.25 * p as f64, 2.0 * p as f64]),
        ..config(TestError::HeldOut(40))
    }
    .check(p)
    .unwrap();
    assert_eq!(paper.penalties_code(), code.penalties_code());
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let progress = || {
        calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    let a = simulate_learning_curve(&t, &paper, Some(&progress)).unwrap();
    let b = simulate_learning_curve(&t, &code, None).unwrap();
    assert_eq!(calls.into_inner(), 2);
    assert_eq!(a.len(), 4);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (x.n, x.lambda_code, x.test, x.train),
            (y.n, y.lambda_code, y.test, y.train)
        );
        assert_eq!(x.units, PenaltyUnits::Paper);
        assert_eq!(y.units, PenaltyUnits::Code);
        assert_eq!(x.penalty * p as f64, y.penalty);
    }
}
