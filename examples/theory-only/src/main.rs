//! A downstream crate that depends on `dsrf-theory` alone: the learning curve of ridge
//! regression on features with a power-law spectrum ωᵢ = i^{-1.5} and a target aligned
//! with the spectrum (projections aᵢ ∝ ωᵢ, explaining 80 % of the target power), at a
//! fixed penalty and at the optimal one.

use dsrf_theory::{Penalty, Problem, TheoryError, Units};

/// The problem: p features, target power 1, label noise 0.1.
pub fn power_law_problem(p: usize) -> Result<Problem, TheoryError> {
    let omega: Vec<f64> = (1..=p).map(|i| (i as f64).powf(-1.5)).collect();
    let total: f64 = omega.iter().sum();
    // ψᵀΩ⁻¹ψ = Σ aᵢ²/ωᵢ = 0.8 ≤ ρ = 1: a realisable, slightly misspecified target.
    let projections: Vec<f64> = omega.iter().map(|w| w * (0.8 / total).sqrt()).collect();
    Problem::from_spectrum(&omega, &projections, 1.0, 0.1)
}

fn main() -> Result<(), TheoryError> {
    let problem = power_law_problem(500)?;
    let ns: Vec<f64> = (0..12).map(|k| 10.0 * 2f64.powi(k)).collect();
    println!("n,test_error(lambda=1e-3 paper),optimal_lambda_paper,optimal_test_error");
    let fixed = problem.learning_curve(&ns, &[Penalty::paper(1e-3)])?;
    let best = problem.optimal_curve(&ns)?;
    for (f, b) in fixed.iter().zip(&best) {
        println!(
            "{},{},{},{}",
            f.n,
            f.test_error,
            b.point.lambda(Units::Paper),
            b.point.test_error
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_optimal_penalty_is_never_worse_and_huge_penalties_give_the_null_predictor() {
        let problem = power_law_problem(200).unwrap();
        for n in [20.0, 200.0, 2000.0] {
            let best = problem.optimal_penalty(n).unwrap().point.test_error;
            let fixed = problem.risk(n, Penalty::paper(1e-3)).unwrap().test_error;
            assert!(best <= fixed * (1.0 + 1e-12), "n = {n}: {best} > {fixed}");
            // λ → ∞: the predictor is 0 and the error is E y² = ρ + s² = 1.1.
            let null = problem.risk(n, Penalty::paper(1e12)).unwrap().test_error;
            assert!((null - 1.1).abs() < 1e-9, "{null}");
        }
    }
}
