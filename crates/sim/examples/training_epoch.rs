//! One training epoch of the reference network — 784-1500-1400 tanh, scalar
//! readout, Adam, batch 256, 40 000 samples — timed against the matrix-product bound:
//! the time faer needs for the same products (forward, weight gradients, and the one
//! backpropagated product) on the same shapes with the same parallelism.
//!
//! `cargo run --release -p dsrf-sim --example training_epoch [-- samples]`
use std::time::Instant;

use dsrf_rainbow::Activation;
use dsrf_sim::{
    Initialization, Optimizer, TrainableNetwork, TrainingConfig, standard_normal, stream, train,
};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};

const D: usize = 784;
const WIDTHS: [usize; 2] = [1500, 1400];
const BATCH: usize = 256;

fn main() {
    let samples: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("samples"))
        .unwrap_or(40_000);
    let par = Par::rayon(0);
    let mut rng = stream(1, 0);
    let x = standard_normal(&mut rng, D, samples);
    let y: Vec<f64> = (0..samples).map(|j| x[(0, j)].tanh()).collect();
    let network = TrainableNetwork::new(
        D,
        &[(WIDTHS[0], Activation::Tanh), (WIDTHS[1], Activation::Tanh)],
        Initialization::GlorotUniform,
        &mut rng,
    )
    .unwrap();
    let config = TrainingConfig {
        optimizer: Optimizer::adam(1e-3),
        weight_decay: 0.0,
        batch_size: Some(BATCH),
        epochs: 1,
        patience: None,
        snapshots: 0,
        seed: 2,
        parallelism: par,
    };
    let start = Instant::now();
    let run = train(network, x.as_ref(), &y, None, &config).unwrap();
    let epoch = start.elapsed().as_secs_f64();

    // The bound: per batch, z₁ = W₁x, z₂ = W₂h₁ (forward), ∇W₂ = δ₂h₁ᵀ, δ₁ = W₂ᵀδ₂,
    // ∇W₁ = δ₁xᵀ (backward).
    let w1 = Mat::<f64>::zeros(WIDTHS[0], D);
    let w2 = Mat::<f64>::zeros(WIDTHS[1], WIDTHS[0]);
    let xb = standard_normal(&mut rng, D, BATCH);
    let h1 = standard_normal(&mut rng, WIDTHS[0], BATCH);
    let d2 = standard_normal(&mut rng, WIDTHS[1], BATCH);
    let d1 = standard_normal(&mut rng, WIDTHS[0], BATCH);
    let mut z1 = Mat::<f64>::zeros(WIDTHS[0], BATCH);
    let mut z2 = Mat::<f64>::zeros(WIDTHS[1], BATCH);
    let mut g2 = Mat::<f64>::zeros(WIDTHS[1], WIDTHS[0]);
    let mut g1 = Mat::<f64>::zeros(WIDTHS[0], D);
    let mut back = Mat::<f64>::zeros(WIDTHS[0], BATCH);
    let batches = samples.div_ceil(BATCH);
    let start = Instant::now();
    for _ in 0..batches {
        matmul(
            z1.as_mut(),
            Accum::Replace,
            w1.as_ref(),
            xb.as_ref(),
            1.0,
            par,
        );
        matmul(
            z2.as_mut(),
            Accum::Replace,
            w2.as_ref(),
            h1.as_ref(),
            1.0,
            par,
        );
        matmul(
            g2.as_mut(),
            Accum::Replace,
            d2.as_ref(),
            h1.transpose(),
            1.0,
            par,
        );
        matmul(
            back.as_mut(),
            Accum::Replace,
            w2.transpose(),
            d2.as_ref(),
            1.0,
            par,
        );
        matmul(
            g1.as_mut(),
            Accum::Replace,
            d1.as_ref(),
            xb.transpose(),
            1.0,
            par,
        );
    }
    let bound = start.elapsed().as_secs_f64();
    let flops = batches as f64
        * 2.0
        * BATCH as f64
        * (2.0 * (D * WIDTHS[0]) as f64 + 3.0 * (WIDTHS[0] * WIDTHS[1]) as f64);
    println!(
        "epoch of {samples} samples, batch {BATCH}, {} steps: {epoch:.2} s (train loss {:.4})",
        run.steps_per_epoch, run.history[0].train_loss
    );
    println!(
        "matrix-product bound on the same shapes: {bound:.2} s ({:.1} GFLOP/s); the epoch runs at {:.0} % of it",
        flops / bound / 1e9,
        100.0 * bound / epoch
    );
}
