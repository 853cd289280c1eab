//! `cargo xtask bench-curve`: the whole `dsrf curve` process (start-up, parsing, solve,
//! output) on a p = 1000 eigenvalue problem with a 200 n × 4 λ grid, against the
//! authors' algorithm (plain fixed-point iteration, `xtask/assets/authors_fixed_point.py`)
//! on the same input. Prints both times, their ratio and the largest relative difference
//! between the two sets of test errors.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{cargo, workspace_root};

const P: usize = 1000;
const RUNS: usize = 20;

/// The benchmark problem as a `dsrf curve` file: a power-law spectrum ωᵢ = i^{-1.2}
/// (scaled to Tr Ω = p), ψ in the range of Ω with ψᵀΩ⁻¹ψ = 0.6, E\[y²\] = 1.
fn problem_json() -> String {
    let raw: Vec<f64> = (1..=P).map(|i| (i as f64).powf(-1.2)).collect();
    let scale = P as f64 / raw.iter().sum::<f64>();
    let omega: Vec<f64> = raw.iter().map(|w| w * scale).collect();
    let shape: Vec<f64> = (1..=P)
        .map(|i| (i as f64 * 0.37).sin() * (i as f64).powf(-0.3))
        .collect();
    let explained: f64 = shape.iter().zip(&omega).map(|(a, w)| a * a / w).sum();
    let psi: Vec<f64> = shape.iter().map(|a| a * (0.6 / explained).sqrt()).collect();
    let ns: Vec<f64> = (0..200)
        .map(|i| 50.0 * (10_000.0f64 / 50.0).powf(i as f64 / 199.0))
        .collect();
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "{{\"units\": \"code\", \"omega\": {{\"eigenvalues\": [{}]}}, \"psi\": [{}], \"label_second_moment\": 1.0, \"lambdas\": [0.1, 1.0, 10.0, 100.0], \"ns\": [{}]}}",
        list(&omega),
        list(&psi),
        list(&ns)
    );
    s
}

pub fn run(_args: &[String]) -> Result<()> {
    cargo(&["build", "--release", "-p", "dsrf-cli"])?;
    let root = workspace_root();
    let dir = root.join("target").join("bench-curve");
    std::fs::create_dir_all(&dir)?;
    let problem = dir.join("problem_p1000.json");
    std::fs::write(&problem, problem_json())?;
    let binary = root.join("target").join("release").join("dsrf");

    let mut times = Vec::with_capacity(RUNS);
    let mut output = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = Command::new(&binary)
            .args(["curve", "--problem"])
            .arg(&problem)
            .args(["--format", "csv"])
            .output()
            .context("cannot run dsrf")?;
        times.push(start.elapsed().as_secs_f64());
        if !out.status.success() {
            bail!(
                "dsrf curve failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        output = out.stdout;
    }
    times.sort_by(f64::total_cmp);
    let median = times[RUNS / 2];
    println!(
        "dsrf curve (whole process, p = {P}, 200 n × 4 λ): median {:.2} ms, min {:.2} ms over {RUNS} runs",
        median * 1e3,
        times[0] * 1e3
    );

    let ours: Vec<f64> = String::from_utf8(output)?
        .lines()
        .skip(1)
        .map(|line| {
            line.split(',')
                .nth(3)
                .expect("test_error column")
                .parse::<f64>()
        })
        .collect::<Result<_, _>>()?;

    let script = root
        .join("xtask")
        .join("assets")
        .join("authors_fixed_point.py");
    let python = Command::new("python3").arg(&script).arg(&problem).output();
    let python = match python {
        Ok(out) if out.status.success() => out.stdout,
        Ok(out) => {
            println!(
                "authors' algorithm: skipped ({})",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("python3 failed")
            );
            println!("  (install numpy with `pip install numpy` for the comparison)");
            return Ok(());
        }
        Err(_) => {
            println!("authors' algorithm: skipped (python3 not found)");
            return Ok(());
        }
    };
    let text = String::from_utf8(python)?;
    let seconds =
        json_number(&text, "\"seconds\":").context("no timing in the reference output")?;
    let iterations = json_number(&text, "\"iterations\":")
        .context("no iteration count in the reference output")?;
    let theirs = json_numbers_after(&text, "\"test_error\":");
    let worst = ours
        .iter()
        .zip(&theirs)
        .map(|(a, b)| ((a - b) / b).abs())
        .fold(0.0f64, f64::max);
    println!(
        "authors' fixed-point algorithm (numpy, compute only): {:.1} ms, {} iterations for {} points",
        seconds * 1e3,
        iterations,
        theirs.len()
    );
    println!(
        "speed-up of the whole dsrf process over the authors' computation: {:.1}×",
        seconds / median
    );
    println!(
        "largest relative difference of the test errors: {worst:.2e} (the reference stops at |Δm_c| < 1e-8)"
    );
    Ok(())
}

fn json_number(text: &str, key: &str) -> Option<f64> {
    let rest = &text[text.find(key)? + key.len()..];
    let end = rest.find([',', '}'])?;
    rest[..end].trim().parse().ok()
}

fn json_numbers_after(text: &str, key: &str) -> Vec<f64> {
    let Some(at) = text.find(key) else {
        return Vec::new();
    };
    text[at + key.len()..]
        .split(|c: char| c == ',' || c == '[' || c == ']' || c == '}' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}
