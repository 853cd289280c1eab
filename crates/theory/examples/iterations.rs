//! Prints the worst root-finder iteration counts over a stress grid
//! (`cargo run --release -p dsrf-theory --example iterations`).
use dsrf_theory::{Penalty, Problem};

fn main() {
    let p = 500;
    let spectra: Vec<(&str, Vec<f64>)> = vec![
        ("isotropic", vec![1.0; p]),
        (
            "power law",
            (1..=p).map(|i| (i as f64).powf(-1.5)).collect(),
        ),
        (
            "ill conditioned",
            (0..p)
                .map(|i| 10f64.powf(-8.0 + 11.0 * i as f64 / p as f64))
                .collect(),
        ),
        (
            "rank deficient",
            (0..p)
                .map(|i| {
                    if i % 3 == 0 {
                        0.0
                    } else {
                        1.0 + (i % 7) as f64
                    }
                })
                .collect(),
        ),
        (
            "two clusters",
            (0..p)
                .map(|i| if i < p / 2 { 1e-3 } else { 10.0 })
                .collect(),
        ),
    ];
    let mut all = vec![];
    for (name, omega) in &spectra {
        let a: Vec<f64> = omega.iter().map(|w| 0.01 * w.sqrt()).collect();
        let problem = Problem::from_spectrum(omega, &a, 1.0, 0.1).unwrap();
        let rank = problem.rank() as f64;
        let ns = [
            1.0,
            2.0,
            10.0,
            100.0,
            rank - 1.0,
            rank,
            rank + 1.0,
            p as f64,
            1e3,
            1e4,
            1e5,
            1e6,
            1e7,
        ];
        for &n in &ns {
            for e in -12..=8 {
                let lambda = 10f64.powi(e);
                let pt = problem.risk(n, Penalty::paper(lambda)).unwrap();
                all.push((pt.iterations, name.to_string(), n, lambda));
            }
        }
    }
    all.sort_by_key(|x| std::cmp::Reverse(x.0));
    for x in all.iter().take(25) {
        println!("{:3} {:16} n={:<8} λ={:e}", x.0, x.1, x.2, x.3);
    }
    let mean = all.iter().map(|x| x.0 as f64).sum::<f64>() / all.len() as f64;
    println!("mean {mean:.1} over {}", all.len());

    // A warm-started learning curve: p = 1000 power law, 200 n × 4 λ_c.
    let p = 1000;
    let omega: Vec<f64> = (1..=p).map(|i| (i as f64).powf(-1.2)).collect();
    let a: Vec<f64> = omega.iter().map(|w| 0.02 * w.sqrt()).collect();
    let problem = Problem::from_spectrum(&omega, &a, 1.0, 0.0).unwrap();
    let ns: Vec<f64> = (0..200)
        .map(|i| 50.0 * 200f64.powf(i as f64 / 199.0))
        .collect();
    let lambdas: Vec<Penalty> = [0.1, 1.0, 10.0, 100.0]
        .iter()
        .map(|&l| Penalty::code(l))
        .collect();
    let curve = problem.learning_curve(&ns, &lambdas).unwrap();
    let total: usize = curve.iter().map(|p| p.iterations).sum();
    println!(
        "learning curve: {:.2} evaluations per point (κ₀ solves excluded)",
        total as f64 / curve.len() as f64
    );
}
