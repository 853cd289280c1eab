//! The linearised covariance recursion at width 2000 against faer's own matrix product
//! on the same shapes, and the cost of one layer's Gaussian moments.
//!
//! `cargo bench -p dsrf --bench recursion`
use criterion::{Criterion, criterion_group, criterion_main};
use dsrf::presets::deep_random_features;
use dsrf::rainbow::{
    Activation, CovarianceSpec, Mat, VarianceConvention, gaussian_moments, linearized_covariances,
};

use faer::linalg::matmul::matmul;
use faer::{Accum, Par};

const WIDTH: usize = 2000;

fn bench(c: &mut Criterion) {
    let net = deep_random_features(
        1,
        CovarianceSpec::ScaledIdentity {
            dim: WIDTH,
            scale: 1.0,
        },
        &[
            (WIDTH, 1.0, Activation::Tanh),
            (WIDTH, 1.0, Activation::Tanh),
            (WIDTH, 1.0, Activation::Tanh),
        ],
        &[],
    )
    .sample()
    .unwrap();
    let mut group = c.benchmark_group("recursion_width2000");
    group.sample_size(10);
    group.bench_function("three_layers_averaged", |b| {
        b.iter(|| {
            linearized_covariances(
                net.omega0.as_ref(),
                &net.learner,
                &[],
                VarianceConvention::Averaged,
            )
            .unwrap()
        })
    });
    // The label-vector form (trained networks): two products per layer plus W ψ.
    let psi0: Vec<f64> = (0..WIDTH).map(|i| (i as f64).sin()).collect();
    group.bench_function("three_layers_label_form", |b| {
        b.iter(|| {
            dsrf::rainbow::linearize_label_features(
                net.omega0.as_ref(),
                &psi0,
                &net.learner,
                VarianceConvention::Averaged,
            )
            .unwrap()
        })
    });
    // The bound: the two products per layer, W Ω and (W Ω) Wᵀ, three layers.
    let w = &net.learner[0].weights;
    group.bench_function("six_faer_products", |b| {
        b.iter(|| {
            let mut a = Mat::<f64>::zeros(WIDTH, WIDTH);
            let mut out = Mat::<f64>::zeros(WIDTH, WIDTH);
            for _ in 0..3 {
                matmul(
                    a.as_mut(),
                    Accum::Replace,
                    w.as_ref(),
                    net.omega0.as_ref(),
                    1.0,
                    Par::rayon(0),
                );
                matmul(
                    out.as_mut(),
                    Accum::Replace,
                    a.as_ref(),
                    w.transpose(),
                    1.0,
                    Par::rayon(0),
                );
            }
            out
        })
    });
    group.finish();
    let mut moments = c.benchmark_group("gaussian_moments_one_layer");
    for name in ["tanh", "erf", "relu", "door", "sigmoid"] {
        let activation = Activation::from_name(name).unwrap();
        moments.bench_function(name, |b| {
            b.iter(|| gaussian_moments(&activation, 0.7).unwrap())
        });
    }
    moments.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
