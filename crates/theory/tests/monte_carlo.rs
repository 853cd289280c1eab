//! Brute force against Theorem 3.1: Gaussian features with a known covariance, ridge
//! fitted on sampled data, the exact conditional test error of each fit, averaged over
//! seeds. This checks the test-error formula, the train-error formula (SPEC §3.7, which
//! the paper does not state) and the units, through a route that shares no code with
//! the solver.

use dsrf_linalg::{Mat, ridge_solve};
use dsrf_theory::{CodeForm, Covariance, Penalty};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const P: usize = 150;
const REPLICATES: u64 = 40;

struct Truth {
    omega: Vec<f64>,
    beta: Vec<f64>,
    misspecification: f64,
    noise: f64,
}

fn truth() -> Truth {
    let raw: Vec<f64> = (1..=P).map(|i| (i as f64).powf(-0.8)).collect();
    let scale = P as f64 / raw.iter().sum::<f64>();
    let omega: Vec<f64> = raw.iter().map(|w| w * scale).collect();
    let beta: Vec<f64> = (0..P).map(|i| 0.12 * ((i as f64) * 0.9).cos()).collect();
    Truth {
        omega,
        beta,
        misspecification: 0.15,
        noise: 0.1,
    }
}

/// Mean and standard error of the exact test error and of the train error of ridge
/// with penalty λ_c at sample size n. Features φ = Ω^{1/2} z (Ω diagonal), labels
/// y = βᵀφ + ξ + ε with ξ ~ 𝒩(0, misspecification) independent of φ.
fn simulate(t: &Truth, n: usize, lambda_code: f64) -> ((f64, f64), (f64, f64)) {
    let mut tests = Vec::new();
    let mut trains = Vec::new();
    for seed in 0..REPLICATES {
        let mut rng = ChaCha8Rng::seed_from_u64(1000 * n as u64 + seed);
        let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
        let x = Mat::<f64>::from_fn(P, n, |i, _| t.omega[i].sqrt() * normal());
        let extra = (t.misspecification + t.noise).sqrt();
        let y = Mat::<f64>::from_fn(n, 1, |j, _| {
            (0..P).map(|i| t.beta[i] * x[(i, j)]).sum::<f64>() + extra * normal()
        });
        let (w, _) = ridge_solve(x.as_ref(), y.as_ref(), lambda_code).unwrap();
        let test = (0..P)
            .map(|i| t.omega[i] * (t.beta[i] - w[(i, 0)]).powi(2))
            .sum::<f64>()
            + t.misspecification
            + t.noise;
        let fitted = x.transpose() * &w;
        let train = (0..n)
            .map(|j| (y[(j, 0)] - fitted[(j, 0)]).powi(2))
            .sum::<f64>()
            / n as f64;
        tests.push(test);
        trains.push(train);
    }
    let stats = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
        (mean, (var / v.len() as f64).sqrt())
    };
    (stats(&tests), stats(&trains))
}

#[test]
fn theorem_3_1_agrees_with_simulated_ridge() {
    let t = truth();
    let psi: Vec<f64> = t.omega.iter().zip(&t.beta).map(|(w, b)| w * b).collect();
    let signal: f64 = t.omega.iter().zip(&t.beta).map(|(w, b)| w * b * b).sum();
    let problem = CodeForm {
        omega: Covariance::Eigenvalues(t.omega.clone()),
        psi,
        label_second_moment: signal + t.misspecification + t.noise,
        noise_variance: t.noise,
    }
    .check()
    .unwrap();
    let mut report = String::new();
    for &(n, lambda_code) in &[(60, 0.3), (150, 0.3), (150, 3.0), (400, 0.3), (400, 30.0)] {
        let theory = problem.risk(n as f64, Penalty::code(lambda_code)).unwrap();
        let ((test, test_se), (train, train_se)) = simulate(&t, n, lambda_code);
        report += &format!(
            "n={n} λ_c={lambda_code}: test {test:.4}±{test_se:.4} vs {:.4}; train {train:.4}±{train_se:.4} vs {:.4}\n",
            theory.test_error, theory.train_error
        );
        // Three standard errors: at these sizes the finite-size bias of the theory is
        // well below the Monte-Carlo noise.
        let slack = |se: f64| 3.0 * se;
        assert!(
            (test - theory.test_error).abs() <= slack(test_se),
            "{report}"
        );
        assert!(
            (train - theory.train_error).abs() <= slack(train_se),
            "{report}"
        );
    }
    eprintln!("{report}");
}
