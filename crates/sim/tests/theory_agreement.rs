//! The simulator against the theory: ridge on Gaussian features with a known covariance
//! (p = 400), averaged over seeds, on an (n, λ) grid that crosses n = p; and
//! reproducibility across thread counts.

use dsrf_sim::{
    CurveConfig, GaussianInputs, LinearTeacher, Penalties, TestError, simulate_learning_curve,
};
use dsrf_theory::{CodeForm, Covariance, Penalty};
use faer::Mat;

const P: usize = 400;

fn setup() -> (LinearTeacher, Vec<f64>, Vec<f64>, f64) {
    let raw: Vec<f64> = (1..=P).map(|i| (i as f64).powf(-0.7)).collect();
    let scale = P as f64 / raw.iter().sum::<f64>();
    let omega: Vec<f64> = raw.iter().map(|w| w * scale).collect();
    let beta: Vec<f64> = (0..P).map(|i| 0.08 * ((i as f64) * 1.3).sin()).collect();
    let noise = 0.1f64;
    let psi: Vec<f64> = omega.iter().zip(&beta).map(|(w, b)| w * b).collect();
    let signal: f64 = omega.iter().zip(&beta).map(|(w, b)| w * b * b).sum();
    let teacher = LinearTeacher {
        inputs: GaussianInputs::from_spectrum(&omega).unwrap(),
        beta,
        noise_sd: noise.sqrt(),
    };
    (teacher, omega, psi, signal + noise)
}

#[test]
fn simulated_ridge_agrees_with_theorem_3_1_within_three_standard_errors() {
    let (teacher, omega, psi, y2) = setup();
    let ns = [200, 400, 800];
    let lambdas = [4.0, 40.0];
    let population = TestError::Population {
        omega: Mat::from_fn(P, P, |i, j| if i == j { omega[i] } else { 0.0 }),
        psi: psi.clone(),
        label_second_moment: y2,
    };
    let config = CurveConfig {
        ns: ns.to_vec(),
        penalties: Penalties::Code(lambdas.to_vec()),
        replicates: 96,
        seed: 77,
        test: population,
    }
    .check(P)
    .unwrap();
    let sim = simulate_learning_curve(&teacher, &config, None).unwrap();
    let problem = CodeForm {
        omega: Covariance::Eigenvalues(omega),
        psi,
        label_second_moment: y2,
        noise_variance: 0.1,
    }
    .check()
    .unwrap();
    let penalties: Vec<Penalty> = lambdas.iter().map(|&l| Penalty::code(l)).collect();
    let ns_f: Vec<f64> = ns.iter().map(|&n| n as f64).collect();
    let theory = problem.learning_curve(&ns_f, &penalties).unwrap();
    let mut report = String::new();
    for (s, t) in sim.iter().zip(&theory) {
        report += &format!(
            "n={} λ_c={}: test {:.5}±{:.5} vs {:.5}; train {:.5}±{:.5} vs {:.5}\n",
            s.n,
            s.lambda_code,
            s.test.mean,
            s.test.stderr,
            t.test_error,
            s.train.mean,
            s.train.stderr,
            t.train_error
        );
    }
    eprintln!("{report}");
    for (s, t) in sim.iter().zip(&theory) {
        assert!(
            (s.test.mean - t.test_error).abs() <= 3.0 * s.test.stderr,
            "{report}"
        );
        assert!(
            (s.train.mean - t.train_error).abs() <= 3.0 * s.train.stderr,
            "{report}"
        );
    }
}

#[test]
fn same_seed_same_numbers_with_one_or_two_threads() {
    let (teacher, ..) = setup();
    let run = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let config = CurveConfig {
                    ns: vec![50, 300],
                    penalties: Penalties::Code(vec![1.0, 10.0]),
                    replicates: 4,
                    seed,
                    test: TestError::HeldOut(500),
                }
                .check(P)
                .unwrap();
                simulate_learning_curve(&teacher, &config, None).unwrap()
            })
    };
    let one = run(1, 5);
    assert_eq!(one, run(2, 5));
    assert_ne!(one, run(2, 6));
}
