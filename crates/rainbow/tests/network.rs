//! Network specifications: reproducible sampling, rainbow row covariances, shared
//! weights and errors that name the layer (the precursor's i.i.d. model, a preset of
//! the facade, is tested there).

use dsrf_rainbow::{Activation, CovarianceSpec, MatrixSpec, NetworkSpec};

fn gaussian(name: &str, rows: usize, cols: usize) -> MatrixSpec {
    MatrixSpec::Gaussian {
        name: name.into(),
        rows,
        cols,
    }
}

fn spec(seed: u64) -> NetworkSpec {
    NetworkSpec {
        seed,
        input: CovarianceSpec::ScaledIdentity {
            dim: 40,
            scale: 1.0,
        },
        definitions: vec![("W".into(), gaussian("Z", 40, 40))],
        learner: vec![
            (MatrixSpec::Named("W".into()), Activation::Tanh),
            (MatrixSpec::Named("W".into()), Activation::Erf),
        ],
        target: vec![(
            MatrixSpec::Rainbow {
                z: Box::new(gaussian("V", 30, 40)),
                covariance: CovarianceSpec::PowerLaw {
                    dim: 40,
                    exponent: 1.0,
                },
            },
            Activation::Sign,
        )],
    }
}

#[test]
fn a_seed_determines_every_weight() {
    let (a, b, c) = (
        spec(1).sample().unwrap(),
        spec(1).sample().unwrap(),
        spec(2).sample().unwrap(),
    );
    assert_eq!(a.learner[0].weights, b.learner[0].weights);
    assert_eq!(a.target[0].weights, b.target[0].weights);
    assert_ne!(a.learner[0].weights, c.learner[0].weights);
    // Shared weights are the same matrix.
    assert_eq!(a.learner[0].weights, a.learner[1].weights);
}

#[test]
fn gaussian_entries_have_variance_one_over_fan_in_and_rainbow_rows_have_covariance_c() {
    let (rows, cols) = (2000, 50);
    let net = NetworkSpec {
        seed: 3,
        input: CovarianceSpec::ScaledIdentity {
            dim: cols,
            scale: 1.0,
        },
        definitions: vec![],
        learner: vec![(
            MatrixSpec::Rainbow {
                z: Box::new(gaussian("Z", rows, cols)),
                covariance: CovarianceSpec::PowerLaw {
                    dim: cols,
                    exponent: 1.0,
                },
            },
            Activation::Linear,
        )],
        target: vec![],
    }
    .sample()
    .unwrap();
    let w = &net.learner[0].weights;
    // E[w wᵀ] = C / fan-in with C = diag(k⁻¹): check the column second moments.
    for k in [0, 9, 49] {
        let second: f64 = (0..rows).map(|i| w[(i, k)].powi(2)).sum::<f64>() / rows as f64;
        let want = 1.0 / (k as f64 + 1.0) / cols as f64;
        assert!(
            (second / want - 1.0).abs() < 0.1,
            "column {k}: {second} vs {want}"
        );
    }
}

#[test]
fn errors_name_the_layer_and_field() {
    let mut bad = spec(1);
    bad.learner.push((gaussian("Y", 10, 7), Activation::Tanh));
    let err = bad.sample().unwrap_err().to_string();
    assert!(err.starts_with("learner.layers[2].weights"), "{err}");
    let mut bad = spec(1);
    bad.target[0].0 = MatrixSpec::Named("nope".into());
    let err = bad.sample().unwrap_err().to_string();
    assert!(
        err.starts_with("target.layers[0].weights") && err.contains("nope"),
        "{err}"
    );
    let mut bad = spec(1);
    bad.input = CovarianceSpec::Diagonal(vec![1.0, -1.0]);
    assert!(bad.sample().unwrap_err().to_string().starts_with("input"));
    let mut bad = spec(1);
    bad.target[0].0 = MatrixSpec::Rainbow {
        z: Box::new(gaussian("V", 30, 40)),
        covariance: CovarianceSpec::PowerLaw {
            dim: 39,
            exponent: 1.0,
        },
    };
    let err = bad.sample().unwrap_err().to_string();
    assert!(err.contains("fan-in"), "{err}");
}

#[test]
fn a_full_row_covariance_must_be_psd() {
    let d = 3;
    let c = |off: f64| dsrf_rainbow::Mat::from_fn(d, d, |i, j| if i == j { 1.0 } else { off });
    let net = |off: f64| NetworkSpec {
        seed: 1,
        input: CovarianceSpec::ScaledIdentity { dim: d, scale: 1.0 },
        definitions: vec![],
        learner: vec![(
            MatrixSpec::Rainbow {
                z: Box::new(gaussian("Z", 4, d)),
                covariance: CovarianceSpec::Matrix(c(off)),
            },
            Activation::Tanh,
        )],
        target: vec![],
    };
    // Off-diagonal 0.3: eigenvalues 1.6 and 0.7 (twice) — a covariance.
    let ok = net(0.3).sample().unwrap();
    assert_eq!(
        (ok.learner[0].weights.nrows(), ok.learner[0].weights.ncols()),
        (4, d)
    );
    // Off-diagonal −0.9: eigenvalue 1 − 1.8 < 0 — rejected, naming the layer.
    let err = net(-0.9).sample().unwrap_err().to_string();
    assert!(
        err.starts_with("learner.layers[0].weights.covariance")
            && err.contains("not positive semi-definite"),
        "{err}"
    );
}
