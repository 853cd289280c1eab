//! The networks of the two papers, built in code.
//!
//! `examples/fig1_rainbow.json` and `examples/fig1_rainbow_d200.json` are the same
//! networks as files; a test (`tests/presets.rs`) parses them and checks that they
//! describe exactly [`figure1_model`] at their sizes.

use dsrf_rainbow::{Activation, CovarianceSpec, MatrixSpec, NetworkSpec, gaussian_vector};
use faer::Mat;

use crate::network::{NetworkModel, Readout};

/// The paper's Figure 1 network (v1, App. C.1, SPEC §6.1) at input dimension d, all
/// widths d: target tanh(W* x) with W* = Z* diag(k^{−0.3})^{1/2}; learner
/// tanh(W₃ tanh(W₁ tanh(W₁ x))) with W₁ = ½ Z₁ diag(k^{−γ})^{1/2} + ½ W* (shared by
/// the first two layers) and W₃ = Z₃ (W₁W₁ᵀ + ½I)^{−1/2}; x ~ 𝒩(0, I_d). Streams are
/// named `Zstar`, `Z1`, `Z3`.
pub fn figure1_rainbow(seed: u64, d: usize, gamma: f64) -> NetworkSpec {
    let gaussian = |name: &str| MatrixSpec::Gaussian {
        name: name.into(),
        rows: d,
        cols: d,
    };
    let rainbow = |name: &str, exponent: f64| MatrixSpec::Rainbow {
        z: Box::new(gaussian(name)),
        covariance: CovarianceSpec::PowerLaw { dim: d, exponent },
    };
    let w1 = MatrixSpec::Combination(vec![
        (0.5, rainbow("Z1", gamma)),
        (0.5, MatrixSpec::Named("Wstar".into())),
    ]);
    let w3 = MatrixSpec::Rainbow {
        z: Box::new(gaussian("Z3")),
        covariance: CovarianceSpec::InverseGramPlus {
            of: Box::new(MatrixSpec::Named("W1".into())),
            shift: 0.5,
        },
    };
    NetworkSpec {
        seed,
        input: CovarianceSpec::ScaledIdentity { dim: d, scale: 1.0 },
        definitions: vec![("Wstar".into(), rainbow("Zstar", 0.3)), ("W1".into(), w1)],
        learner: vec![
            (MatrixSpec::Named("W1".into()), Activation::Tanh),
            (MatrixSpec::Named("W1".into()), Activation::Tanh),
            (w3, Activation::Tanh),
        ],
        target: vec![(MatrixSpec::Named("Wstar".into()), Activation::Tanh)],
    }
}

/// [`figure1_rainbow`] with θ* ~ 𝒩(0, I_k) from the stream `theta` and no label noise
/// (the model of `examples/fig1_rainbow.json`).
pub fn figure1_model(seed: u64, d: usize, gamma: f64) -> NetworkModel {
    NetworkModel {
        spec: figure1_rainbow(seed, d, gamma),
        readout: theta(),
        noise_variance: 0.0,
    }
}

/// The paper's Figure 2 target (v1, App. C.2, SPEC §6.2) at input dimension d with the
/// given learner layers: x ~ 𝒩(0, I_d), target tanh(W₂* sign(W₁* x)) whose rainbow
/// rows have covariance C = I + 8vvᵀ (v a unit vector from the stream `v`; Z streams
/// `target1`, `target2`), all widths d.
pub fn figure2_rainbow(seed: u64, d: usize, learner: Vec<(MatrixSpec, Activation)>) -> NetworkSpec {
    let v = gaussian_vector(seed, "v", d, 1.0);
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let c = Mat::from_fn(d, d, |i, j| {
        f64::from(u8::from(i == j)) + 8.0 * v[i] * v[j] / (norm * norm)
    });
    let rainbow = |name: &str| MatrixSpec::Rainbow {
        z: Box::new(MatrixSpec::Gaussian {
            name: name.into(),
            rows: d,
            cols: d,
        }),
        covariance: CovarianceSpec::Matrix(c.clone()),
    };
    NetworkSpec {
        seed,
        input: CovarianceSpec::ScaledIdentity { dim: d, scale: 1.0 },
        definitions: vec![],
        learner,
        target: vec![
            (rainbow("target1"), Activation::Sign),
            (rainbow("target2"), Activation::Tanh),
        ],
    }
}

/// Figure 2's learner at initialisation: tanh(W₂ tanh(W₁ x)) with W₁, W₂ i.i.d.
/// 𝒩(0, 1/d) (streams `w1`, `w2`).
pub fn figure2_initial_learner(d: usize) -> Vec<(MatrixSpec, Activation)> {
    ["w1", "w2"]
        .iter()
        .map(|name| {
            (
                MatrixSpec::Gaussian {
                    name: (*name).into(),
                    rows: d,
                    cols: d,
                },
                Activation::Tanh,
            )
        })
        .collect()
}

/// [`figure2_rainbow`] with θ* ~ 𝒩(0, I_d) from the stream `theta` and no label noise.
pub fn figure2_model(seed: u64, d: usize, learner: Vec<(MatrixSpec, Activation)>) -> NetworkModel {
    NetworkModel {
        spec: figure2_rainbow(seed, d, learner),
        readout: theta(),
        noise_variance: 0.0,
    }
}

/// θ* ~ 𝒩(0, I) from the stream `theta`, the papers' readout.
fn theta() -> Readout {
    Readout::Gaussian {
        name: "theta".into(),
        variance: 1.0,
    }
}

/// The precursor's deep random features (arXiv:2302.00401, SPEC §5.1): widths
/// k₀ = d, k₁, …, weights with i.i.d. 𝒩(0, Δ_ℓ) entries and the 1/√k_{ℓ−1} inside
/// the activation — i.e. rainbow layers with C_ℓ = Δ_ℓ I. Layers are (width, Δ,
/// activation); streams are named `learner{ℓ}` and `target{ℓ}` (ℓ from 1).
pub fn deep_random_features(
    seed: u64,
    input: CovarianceSpec,
    learner: &[(usize, f64, Activation)],
    target: &[(usize, f64, Activation)],
) -> NetworkSpec {
    let d = input.dim();
    let chain = |prefix: &str, layers: &[(usize, f64, Activation)]| {
        let mut fan_in = d;
        layers
            .iter()
            .enumerate()
            .map(|(l, (width, delta, activation))| {
                let spec = MatrixSpec::Rainbow {
                    z: Box::new(MatrixSpec::Gaussian {
                        name: format!("{prefix}{}", l + 1),
                        rows: *width,
                        cols: fan_in,
                    }),
                    covariance: CovarianceSpec::ScaledIdentity {
                        dim: fan_in,
                        scale: *delta,
                    },
                };
                fan_in = *width;
                (spec, activation.clone())
            })
            .collect()
    };
    NetworkSpec {
        seed,
        learner: chain("learner", learner),
        target: chain("target", target),
        input,
        definitions: Vec::new(),
    }
}

/// [`deep_random_features`] on x ~ 𝒩(0, I_d) with Δ = 1 in every layer, θ* ~ 𝒩(0, I)
/// from the stream `theta`, no noise: the precursor's figures.
pub fn precursor_model(
    seed: u64,
    d: usize,
    learner: &[(usize, Activation)],
    target: &[(usize, Activation)],
) -> NetworkModel {
    let unit = |layers: &[(usize, Activation)]| -> Vec<(usize, f64, Activation)> {
        layers.iter().map(|(w, a)| (*w, 1.0, a.clone())).collect()
    };
    NetworkModel {
        spec: deep_random_features(
            seed,
            CovarianceSpec::ScaledIdentity { dim: d, scale: 1.0 },
            &unit(learner),
            &unit(target),
        ),
        readout: theta(),
        noise_variance: 0.0,
    }
}
