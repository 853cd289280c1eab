//! The simulator's benchmark at d = p = 1000, n = 2000 (issue targets in brackets):
//!
//! * feature generation — the feature map tanh(W X) alone, and with the Gaussian
//!   inputs and labels drawn as well — against the bare faer product W X of the same
//!   shape, all sequential as inside a replicate (≥ 60 % of the product's throughput);
//! * ridge for ten penalties (`dsrf_linalg::ridge_path`) against one Cholesky solve
//!   for a single penalty, both including the Gram product (≤ 1.5×).
//!
//! `cargo bench -p dsrf-sim --bench simulate`. The training epoch of the issue is too
//! long for criterion's repetitions: `cargo run --release -p dsrf-sim --example
//! training_epoch`.
use criterion::{Criterion, criterion_group, criterion_main};
use dsrf_rainbow::{Activation, Layer};
use dsrf_sim::{FeatureSampler, GaussianInputs, NetworkTeacher, standard_normal, stream};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};

const D: usize = 1000;
const N: usize = 2000;

fn bench(c: &mut Criterion) {
    let mut rng = stream(1, 0);
    let w = standard_normal(&mut rng, D, D) * faer::Scale(1.0 / (D as f64).sqrt());
    let teacher = NetworkTeacher {
        inputs: GaussianInputs::isotropic(D),
        learner: vec![Layer {
            weights: w.clone(),
            activation: Activation::Tanh,
        }],
        target: Vec::new(),
        theta_star: vec![1.0; D],
        noise_sd: 0.1,
    };
    let x = standard_normal(&mut rng, D, N);
    let mut group = c.benchmark_group("features_d1000_n2000");
    group.sample_size(10);
    group.bench_function("matmul_bound_seq", |b| {
        let mut out = Mat::<f64>::zeros(D, N);
        b.iter(|| {
            matmul(
                out.as_mut(),
                Accum::Replace,
                w.as_ref(),
                x.as_ref(),
                1.0,
                Par::Seq,
            )
        })
    });
    group.bench_function("feature_map_seq", |b| {
        b.iter(|| dsrf_rainbow::forward(&teacher.learner, &x, Par::Seq))
    });
    group.bench_function("sample_features_and_labels_seq", |b| {
        let mut rng = stream(2, 0);
        b.iter(|| teacher.sample(&mut rng, N))
    });
    group.finish();

    let (features, labels) = teacher.sample(&mut stream(3, 0), N);
    let penalties: Vec<f64> = (0..10).map(|k| 10f64.powf(-3.0 + 0.5 * k as f64)).collect();
    let y = Mat::from_fn(N, 1, |j, _| labels[j]);
    let mut group = c.benchmark_group("ridge_p1000_n2000");
    group.sample_size(10);
    group.bench_function("one_penalty_cholesky", |b| {
        b.iter(|| dsrf_linalg::ridge_solve(features.as_ref(), y.as_ref(), 1.0).unwrap())
    });
    group.bench_function("ten_penalties_path", |b| {
        b.iter(|| {
            dsrf_linalg::ridge_path(
                features.as_ref(),
                &labels,
                &penalties,
                faer::get_global_parallelism(),
            )
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
