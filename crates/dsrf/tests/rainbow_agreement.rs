//! The simulator against the closed-form theory on the paper's Figure 1 network at
//! d = 300 (γ = 0.5, λ = 1e-4 in paper units): Theorem 3.1 with Definition 4.2's
//! covariances predicts the test error of ridge on the real network's features within
//! 5 % away from the interpolation peak.

use dsrf::budget::Budget;
use dsrf::presets::figure1_model;
use dsrf::rainbow::VarianceConvention;
use dsrf::sim::{CurveConfig, Penalties, TestError, simulate_learning_curve};
use dsrf::theory::Penalty;

const D: usize = 300;
const LAMBDA_PAPER: f64 = 1e-4;

#[test]
fn figure1_network_simulation_matches_closed_form_theory() {
    // θ* ~ 𝒩(0, I) from the stream `theta`, no label noise.
    let network = figure1_model(2024, D, 0.5)
        .realise(&Budget::unlimited())
        .unwrap();
    let problem = network.problem(VarianceConvention::Averaged).unwrap();
    // α = n/d from 0.05 to 2; the theory's peak decides which points are "away" from it.
    let alphas = [0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.5, 2.0];
    let ns: Vec<usize> = alphas.iter().map(|a| (a * D as f64) as usize).collect();
    let ns_f: Vec<f64> = ns.iter().map(|&n| n as f64).collect();
    let theory = problem
        .learning_curve(&ns_f, &[Penalty::paper(LAMBDA_PAPER)])
        .unwrap();
    let teacher = network.teacher().unwrap();
    let config = CurveConfig {
        ns: ns.clone(),
        penalties: Penalties::Paper(vec![LAMBDA_PAPER]),
        replicates: 40,
        seed: 7,
        test: TestError::HeldOut(4000),
    }
    .check(D)
    .unwrap();
    let sim = simulate_learning_curve(&teacher, &config, None).unwrap();
    let peak = theory
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.test_error.total_cmp(&b.1.test_error))
        .unwrap()
        .0;
    let mut report = String::new();
    let mut worst: f64 = 0.0;
    for (k, (s, t)) in sim.iter().zip(&theory).enumerate() {
        let deviation = s.test.mean / t.test_error - 1.0;
        let away = k.abs_diff(peak) > 1;
        report += &format!(
            "α={:.2} n={}: simulation {:.5} ± {:.5} (std {:.5}), theory {:.5}, deviation {:+.2} %{}\n",
            alphas[k],
            s.n,
            s.test.mean,
            s.test.stderr,
            s.test.std,
            t.test_error,
            100.0 * deviation,
            if away { "" } else { " (near the peak)" }
        );
        if away {
            worst = worst.max(deviation.abs());
        }
    }
    eprintln!("{report}");
    assert!(
        worst < 0.05,
        "largest deviation away from the peak {worst}\n{report}"
    );
}
