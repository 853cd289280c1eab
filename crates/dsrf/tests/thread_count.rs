//! The Figure 1 network's realisation and covariances do not depend on the number of
//! threads: sampled inside rayon pools of 1, 2 and 3 threads, the weights (including
//! W₃ = Z₃ (W₁W₁ᵀ + ½I)^{−1/2}) and Definition 4.2's Ω, Φ, Ψ agree bit for bit, at sizes
//! on both sides of faer's blocking and threading thresholds.

use dsrf::presets::figure1_rainbow;
use dsrf::rainbow::{
    Mat, VarianceConvention, equivalent_linear_network, linearize_label_features,
    linearized_covariances,
};

const SIZES: [usize; 4] = [100, 120, 128, 256];
const POOLS: [usize; 3] = [1, 2, 3];

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn bits(m: &Mat<f64>) -> Vec<u64> {
    (0..m.ncols())
        .flat_map(|j| (0..m.nrows()).map(move |i| m[(i, j)].to_bits()))
        .collect()
}

/// Everything computed from the Figure 1 spec at input dimension d, as named bit vectors.
fn figure1(d: usize) -> Vec<(&'static str, Vec<u64>)> {
    let net = figure1_rainbow(7, d, 0.5).sample().unwrap();
    let cov = linearized_covariances(
        net.omega0.as_ref(),
        &net.learner,
        &net.target,
        VarianceConvention::Averaged,
    )
    .unwrap();
    let psi0: Vec<f64> = (0..d).map(|i| (i as f64 * 0.3).cos() / d as f64).collect();
    let label = linearize_label_features(
        net.omega0.as_ref(),
        &psi0,
        &net.learner,
        VarianceConvention::PerNeuron,
    )
    .unwrap();
    let averaged = linearize_label_features(
        net.omega0.as_ref(),
        &psi0,
        &net.learner,
        VarianceConvention::Averaged,
    )
    .unwrap();
    let equivalent = equivalent_linear_network(&net.learner, &averaged.layers).unwrap();
    vec![
        ("W3", bits(&net.learner[2].weights)),
        ("Ω", bits(&cov.omega)),
        ("Φ", bits(&cov.phi)),
        ("Ψ", bits(&cov.psi)),
        ("Ω_L (per neuron)", bits(&label.omega)),
        (
            "ψ_L (per neuron)",
            label.psi.iter().map(|x| x.to_bits()).collect(),
        ),
        ("W_eff", bits(&equivalent.w_eff)),
        ("C_eff", bits(&equivalent.c_eff)),
    ]
}

#[test]
fn figure1_covariances_are_bit_identical_for_any_thread_count() {
    let mut differing = Vec::new();
    for d in SIZES {
        let reference = in_pool(POOLS[0], || figure1(d));
        for &threads in &POOLS[1..] {
            let got = in_pool(threads, || figure1(d));
            for ((name, want), (_, have)) in reference.iter().zip(&got) {
                let count = want.iter().zip(have).filter(|(a, b)| a != b).count();
                if count > 0 {
                    differing.push(format!(
                        "d = {d}, {threads} threads: {count} entries of {name}"
                    ));
                }
            }
        }
    }
    assert!(
        differing.is_empty(),
        "results depend on the thread count: {}",
        differing.join("; ")
    );
}
