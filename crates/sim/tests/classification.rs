//! The Gaussian-covariate-model equations of dsrf-theory against logistic regression
//! and the SVM fitted on sampled Gaussian features (Monte Carlo), and the fits'
//! certificates.
//!
//! Features v ~ 𝒩(0, diag ω) in p = 400 dimensions, teacher field ν = βᵀv + √δ·η
//! (E[vν] = ψ = ωβ, ρ = βᵀΩβ + δ), labels y = sign ν. Each fitted w has the exact
//! population classification error arccos(wᵀψ/√(wᵀΩw·ρ))/π (no test sample needed),
//! averaged over replicates.

use dsrf_sim::{GaussianInputs, fit_hinge, fit_logistic, standard_normal, stream};
use dsrf_theory::{Labels, Loss, Penalty, Problem};

const P: usize = 400;
const EXTRA: f64 = 0.1;

fn spectrum() -> (Vec<f64>, Vec<f64>, f64) {
    let omega: Vec<f64> = (1..=P).map(|i| (i as f64).powf(-0.8)).collect();
    let a: Vec<f64> = omega
        .iter()
        .enumerate()
        .map(|(i, w)| if i % 3 == 1 { -1.0 } else { 1.0 } * w.powf(0.6) * 2.0 / (P as f64).sqrt())
        .collect();
    let rho = omega.iter().zip(&a).map(|(w, a)| a * a / w).sum::<f64>() + EXTRA;
    (omega, a, rho)
}

/// Mean and standard error of the population classification error over `replicates`
/// fits at (n, λ_c).
fn simulate(loss: Loss, n: usize, lambda_code: f64, replicates: u64) -> (f64, f64) {
    let (omega, a, rho) = spectrum();
    let beta: Vec<f64> = omega.iter().zip(&a).map(|(w, a)| a / w).collect();
    let inputs = GaussianInputs::from_spectrum(&omega).unwrap();
    let errors: Vec<f64> = (0..replicates)
        .map(|r| {
            let mut rng = stream(7, r);
            let x = inputs.sample(&mut rng, n);
            let eta = standard_normal(&mut rng, 1, n);
            let labels: Vec<f64> = (0..n)
                .map(|j| {
                    let nu: f64 = (0..P).map(|i| beta[i] * x[(i, j)]).sum::<f64>()
                        + EXTRA.sqrt() * eta[(0, j)];
                    if nu >= 0.0 { 1.0 } else { -1.0 }
                })
                .collect();
            let fit = match loss {
                Loss::Logistic => fit_logistic(x.as_ref(), &labels, lambda_code).unwrap(),
                Loss::Hinge => fit_hinge(x.as_ref(), &labels, lambda_code).unwrap(),
                Loss::Square => unreachable!(),
            };
            let w = &fit.weights;
            let m: f64 = w.iter().zip(&a).map(|(w, a)| w * a).sum();
            let q: f64 = w.iter().zip(&omega).map(|(w, o)| w * w * o).sum();
            (m / (q * rho).sqrt()).clamp(-1.0, 1.0).acos() / std::f64::consts::PI
        })
        .collect();
    let k = errors.len() as f64;
    let mean = errors.iter().sum::<f64>() / k;
    let var = errors.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (k - 1.0);
    (mean, (var / k).sqrt())
}

fn theory(loss: Loss, n: usize, lambda_code: f64) -> f64 {
    let (omega, a, rho) = spectrum();
    let problem = Problem::from_spectrum(&omega, &a, rho, 0.0).unwrap();
    problem
        .gcm(
            n as f64,
            Penalty::code(lambda_code),
            loss,
            Labels::Sign { flip: 0.0 },
        )
        .unwrap()
        .classification_error
        .unwrap()
}

#[test]
fn logistic_and_hinge_classification_errors_match_the_gcm_equations() {
    for loss in [Loss::Logistic, Loss::Hinge] {
        for &(n, lambda) in &[(200, 0.1), (800, 0.1), (800, 3.0)] {
            let (mean, se) = simulate(loss, n, lambda, 8);
            let predicted = theory(loss, n, lambda);
            let gap = (mean - predicted).abs();
            eprintln!(
                "{loss:?} n={n} λ_c={lambda}: simulation {mean:.5} ± {se:.5}, theory {predicted:.5} ({:+.2} %)",
                100.0 * (mean / predicted - 1.0)
            );
            // Three standard errors of the replicate mean plus 2 % for the O(1/√p)
            // finite-size bias at p = 400.
            assert!(
                gap <= 3.0 * se + 0.02 * predicted,
                "{loss:?} n={n} λ_c={lambda}: simulation {mean} ± {se} vs theory {predicted}"
            );
        }
    }
}

#[test]
fn fits_carry_their_certificates_and_refuse_bad_input() {
    let inputs = GaussianInputs::from_spectrum(&[1.0, 0.5, 0.25]).unwrap();
    let mut rng = stream(3, 0);
    let x = inputs.sample(&mut rng, 50);
    let labels: Vec<f64> = (0..50)
        .map(|j| {
            if x[(0, j)] + 0.3 * x[(2, j)] > 0.0 {
                1.0
            } else {
                -1.0
            }
        })
        .collect();
    let logistic = fit_logistic(x.as_ref(), &labels, 0.5).unwrap();
    assert!(logistic.certificate <= 1e-10 * 50.0);
    // The Newton optimum is a minimum: nudging w raises the objective.
    let objective = |w: &[f64]| {
        (0..50)
            .map(|j| {
                let z: f64 = (0..3).map(|i| w[i] * x[(i, j)]).sum();
                (1.0 + (-labels[j] * z).exp()).ln()
            })
            .sum::<f64>()
            + 0.25 * w.iter().map(|v| v * v).sum::<f64>()
    };
    for k in 0..3 {
        let mut nudged = logistic.weights.clone();
        nudged[k] += 1e-4;
        assert!(objective(&nudged) > logistic.objective);
    }
    let svm = fit_hinge(x.as_ref(), &labels, 0.5).unwrap();
    assert!(svm.certificate <= 1e-9 * svm.objective.max(1.0));
    assert!(fit_logistic(x.as_ref(), &labels[..10], 0.5).is_err());
    assert!(fit_hinge(x.as_ref(), &labels, 0.0).is_err());
    let mut bad = labels.clone();
    bad[3] = 0.5;
    assert!(fit_logistic(x.as_ref(), &bad, 0.5).is_err());
}
