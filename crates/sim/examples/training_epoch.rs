//! One training epoch of a two-hidden-layer network with scalar readout, Adam, timed
//! against the matrix-product bound: the time faer needs for the same products
//! (forward, weight gradients, and the one backpropagated product) on the same shapes
//! with the same parallelism. Defaults: the reference network — 784-1500-1400
//! tanh, batch 256, 40 000 samples, both cores; the options give the configurations
//! of the learned-feature figures (e.g. `--widths 2000,2000 --activation relu --batch
//! 128 --samples 17500 --seq` for `real_emp`).
//!
//! `cargo run --release -p dsrf-sim --example training_epoch -- [--samples N]
//! [--widths A,B] [--batch B] [--activation tanh|relu] [--d D] [--seq]`
use std::time::Instant;

use dsrf_rainbow::Activation;
use dsrf_sim::{
    Initialization, Optimizer, Precision, TrainableNetwork, TrainingConfig, standard_normal,
    stream, train,
};
use faer::linalg::matmul::matmul;
use faer::traits::RealField;
use faer::{Accum, Mat, Par};

fn main() {
    let mut samples = 40_000usize;
    let mut widths = [1500usize, 1400];
    let mut batch = 256usize;
    let mut activation = Activation::Tanh;
    let mut d = 784usize;
    let mut par = Par::rayon(0);
    let mut precision = Precision::F32;
    let mut epochs = 1usize;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().expect("a value after the flag").clone();
        match flag.as_str() {
            "--samples" => samples = value().parse().expect("--samples N"),
            "--batch" => batch = value().parse().expect("--batch B"),
            "--d" => d = value().parse().expect("--d D"),
            "--widths" => {
                let v: Vec<usize> = value()
                    .split(',')
                    .map(|w| w.parse().expect("--widths A,B"))
                    .collect();
                widths = [v[0], v[1]];
            }
            "--activation" => {
                activation = match value().as_str() {
                    "tanh" => Activation::Tanh,
                    "relu" => Activation::Relu,
                    other => panic!("unknown activation {other} (tanh or relu)"),
                }
            }
            "--seq" => par = Par::Seq,
            "--epochs" => epochs = value().parse().expect("--epochs E"),
            "--precision" => {
                precision = match value().as_str() {
                    "f32" => Precision::F32,
                    "f64" => Precision::F64,
                    other => panic!("unknown precision {other} (f32 or f64)"),
                }
            }
            other => panic!("unknown option {other}"),
        }
    }
    let mut rng = stream(1, 0);
    let x = standard_normal(&mut rng, d, samples);
    let y: Vec<f64> = (0..samples).map(|j| x[(0, j)].tanh()).collect();
    let network = TrainableNetwork::new(
        d,
        &[(widths[0], activation.clone()), (widths[1], activation)],
        Initialization::GlorotUniform,
        &mut rng,
    )
    .unwrap();
    let config = TrainingConfig {
        optimizer: Optimizer::adam(1e-3),
        weight_decay: 0.0,
        batch_size: Some(batch),
        epochs,
        patience: None,
        snapshots: 0,
        seed: 2,
        precision,
        parallelism: par,
    };
    let start = Instant::now();
    let run = train(network, x.as_ref(), &y, None, &config).unwrap();
    let epoch = start.elapsed().as_secs_f64();

    // On a pool worker, as `train` runs: from the main thread every product would also
    // pay a sleeping hand-over to the pool (15–30 % of the bound at the fig2_trained
    // shapes), which would flatter the epoch's fraction of it.
    let bound = dsrf_linalg::on_pool(|| match precision {
        Precision::F32 => product_bound::<f32>(d, widths, batch, samples, par),
        Precision::F64 => product_bound::<f64>(d, widths, batch, samples, par),
    }) * epochs as f64;
    let batches = samples.div_ceil(batch) * epochs;
    let flops = batches as f64
        * 2.0
        * batch as f64
        * (2.0 * (d * widths[0]) as f64 + 3.0 * (widths[0] * widths[1]) as f64);
    println!(
        "{epochs} epoch(s) of {samples} samples in {}, batch {batch}, {} steps each: {epoch:.2} s \
         ({:.3} s per epoch; last train loss {:.4})",
        precision.name(),
        run.steps_per_epoch,
        epoch / epochs as f64,
        run.history.last().map_or(f64::NAN, |h| h.train_loss)
    );
    println!(
        "matrix-product bound on the same shapes: {bound:.2} s ({:.1} GFLOP/s); the epoch runs at {:.0} % of it",
        flops / bound / 1e9,
        100.0 * bound / epoch
    );
}

/// The seconds faer needs for one epoch's matrix products in `T`: per batch,
/// z₁ = W₁x, z₂ = W₂h₁ (forward), ∇W₂ = δ₂h₁ᵀ, δ₁ = W₂ᵀδ₂, ∇W₁ = δ₁xᵀ (backward).
fn product_bound<T: RealField + Copy>(
    d: usize,
    widths: [usize; 2],
    batch: usize,
    samples: usize,
    par: Par,
) -> f64 {
    let filled = |rows, cols| {
        Mat::<T>::from_fn(rows, cols, |i, j| {
            T::from_f64_impl(((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.5)
        })
    };
    let w1 = filled(widths[0], d);
    let w2 = filled(widths[1], widths[0]);
    let xb = filled(d, batch);
    let h1 = filled(widths[0], batch);
    let d2 = filled(widths[1], batch);
    let d1 = filled(widths[0], batch);
    let mut z1 = Mat::<T>::zeros(widths[0], batch);
    let mut z2 = Mat::<T>::zeros(widths[1], batch);
    let mut g2 = Mat::<T>::zeros(widths[1], widths[0]);
    let mut g1 = Mat::<T>::zeros(widths[0], d);
    let mut back = Mat::<T>::zeros(widths[0], batch);
    let one = T::from_f64_impl(1.0);
    let start = Instant::now();
    for _ in 0..samples.div_ceil(batch) {
        matmul(
            z1.as_mut(),
            Accum::Replace,
            w1.as_ref(),
            xb.as_ref(),
            one,
            par,
        );
        matmul(
            z2.as_mut(),
            Accum::Replace,
            w2.as_ref(),
            h1.as_ref(),
            one,
            par,
        );
        matmul(
            g2.as_mut(),
            Accum::Replace,
            d2.as_ref(),
            h1.transpose(),
            one,
            par,
        );
        matmul(
            back.as_mut(),
            Accum::Replace,
            w2.transpose(),
            d2.as_ref(),
            one,
            par,
        );
        matmul(
            g1.as_mut(),
            Accum::Replace,
            d1.as_ref(),
            xb.transpose(),
            one,
            par,
        );
    }
    start.elapsed().as_secs_f64()
}
