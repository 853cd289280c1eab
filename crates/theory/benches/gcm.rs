//! The speed target for the Gaussian-covariate-model equations: from a
//! p = 1000 spectrum, a 50-point classification learning curve (logistic and hinge,
//! sign labels, λ_c = 0.1, n from 0.1p to 3p, warm-started along n) in under 1 s.
//! `benches/gcm_reference.py` times GCMProject's algorithm (scipy `quad` with a
//! `minimize_scalar` proximal map at every node, damped plain iteration) on the same
//! input, so that the two can be run side by side.
//!
//! `cargo bench -p dsrf-theory --bench gcm`
use criterion::{Criterion, criterion_group, criterion_main};
use dsrf_theory::{Labels, Loss, Penalty, Problem};

const P: usize = 1000;

/// ωᵢ = i^{-0.8}, aᵢ = ±2ωᵢ^{0.6}/√p, ρ = ψᵀΩ⁻¹ψ + 0.1 (the reference script builds
/// the same numbers).
fn problem() -> Problem {
    let omega: Vec<f64> = (1..=P).map(|i| (i as f64).powf(-0.8)).collect();
    let a: Vec<f64> = omega
        .iter()
        .enumerate()
        .map(|(i, w)| if i % 3 == 1 { -1.0 } else { 1.0 } * w.powf(0.6) * 2.0 / (P as f64).sqrt())
        .collect();
    let rho = omega.iter().zip(&a).map(|(w, a)| a * a / w).sum::<f64>() + 0.1;
    Problem::from_spectrum(&omega, &a, rho, 0.0).expect("a valid problem")
}

fn ns() -> Vec<f64> {
    (0..50)
        .map(|k| 0.1 * P as f64 * 30f64.powf(k as f64 / 49.0))
        .collect()
}

fn bench(c: &mut Criterion) {
    let problem = problem();
    let ns = ns();
    let mut group = c.benchmark_group("gcm_p1000");
    group.sample_size(10);
    for loss in [Loss::Logistic, Loss::Hinge] {
        group.bench_function(format!("{}_curve_50n", loss.name()), |b| {
            b.iter(|| {
                problem
                    .gcm_curve(&ns, Penalty::code(0.1), loss, Labels::Sign { flip: 0.0 })
                    .expect("converges")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
