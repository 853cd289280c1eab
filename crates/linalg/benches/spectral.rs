//! Spectral reduction of a p = 2000 covariance: the fast eigenvalues-plus-projections
//! route against faer's full eigendecomposition.
use criterion::{Criterion, criterion_group, criterion_main};
use dsrf_linalg::{Mat, PsdPolicy, projected_spectrum, psd_eigen};

fn covariance(p: usize) -> Mat<f64> {
    let mut state = 42u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let b = Mat::<f64>::from_fn(p, 2 * p, |_, _| next());
    let a = &b * b.transpose();
    Mat::from_fn(
        p,
        p,
        |i, j| if i >= j { a[(i, j)] } else { a[(j, i)] } / (2 * p) as f64,
    )
}

fn bench(c: &mut Criterion) {
    let p = 2000;
    let a = covariance(p);
    let psi: Vec<f64> = (0..p).map(|i| (i as f64 * 0.37).sin()).collect();
    let policy = PsdPolicy::default();
    let mut group = c.benchmark_group("spectral_p2000");
    group.sample_size(10);
    group.bench_function("projected_spectrum", |b| {
        b.iter(|| projected_spectrum(a.as_ref(), &psi, &policy).unwrap())
    });
    group.bench_function("full_psd_eigen", |b| {
        b.iter(|| psd_eigen(a.as_ref(), &policy).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
