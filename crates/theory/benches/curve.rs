//! The benchmark at p = 2000 with a full-matrix Ω: the spectral reduction,
//! a 200 n × 4 λ learning-curve grid, and the optimal λ for 50 values of n.
//! Target: grid + optimal λ together cost < 10 % of the spectral reduction.
//!
//! `cargo bench -p dsrf-theory --bench curve`
use criterion::{Criterion, criterion_group, criterion_main};
use dsrf_theory::{CodeForm, Covariance, Mat, Penalty, Problem};

const P: usize = 2000;

/// A structured covariance: Ω = B Bᵀ/m with B pseudo-random and a decaying column
/// scale, so that the spectrum spreads over several decades like real features.
fn covariance() -> (Mat<f64>, Vec<f64>) {
    let m = 2 * P;
    let mut state = 7u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let b = Mat::<f64>::from_fn(P, m, |_, j| next() * (1.0 + j as f64).powf(-0.6));
    let a = &b * b.transpose();
    let omega = Mat::from_fn(
        P,
        P,
        |i, j| if i >= j { a[(i, j)] } else { a[(j, i)] } / m as f64,
    );
    // ψ = Ωt lies in the range of Ω; scale it so that ψᵀΩ⁺ψ = tᵀΩt = 0.5 < E[y²] = 1.
    let t = Mat::<f64>::from_fn(P, 1, |i, _| (i as f64 * 0.7).sin());
    let omega_t = &omega * &t;
    let explained: f64 = (0..P).map(|i| t[(i, 0)] * omega_t[(i, 0)]).sum();
    let scale = (0.5 / explained).sqrt();
    let psi = (0..P).map(|i| omega_t[(i, 0)] * scale).collect();
    (omega, psi)
}

fn problem(omega: &Mat<f64>, psi: &[f64]) -> Problem {
    CodeForm {
        omega: Covariance::Matrix(omega.clone()),
        psi: psi.to_vec(),
        label_second_moment: 1.0,
        noise_variance: 0.0,
    }
    .check()
    .expect("valid problem")
}

fn geomspace(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    (0..count)
        .map(|i| lo * (hi / lo).powf(i as f64 / (count - 1) as f64))
        .collect()
}

fn bench(c: &mut Criterion) {
    let (omega, psi) = covariance();
    let solved = problem(&omega, &psi);
    let ns = geomspace(10.0, 10_000.0, 200);
    let lambdas: Vec<Penalty> = [0.1, 1.0, 10.0, 100.0]
        .iter()
        .map(|&l| Penalty::code(l))
        .collect();
    let ns_opt = geomspace(30.0, 5000.0, 50);
    let mut group = c.benchmark_group("curve_p2000");
    group.sample_size(10);
    group.bench_function("spectral_reduction", |b| b.iter(|| problem(&omega, &psi)));
    group.bench_function("grid_200n_x_4lambda", |b| {
        b.iter(|| solved.learning_curve(&ns, &lambdas).unwrap())
    });
    group.bench_function("optimal_lambda_50n", |b| {
        b.iter(|| solved.optimal_curve(&ns_opt).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
