//! Times the stages of the spectral reduction at p = 2000 (see the bench for the
//! criterion numbers): `cargo run --release -p dsrf-linalg --example spectral_timing`.
use std::time::Instant;

use dsrf_linalg::{Mat, PsdPolicy, check_symmetric, projected_spectrum};

fn main() {
    let p: usize = std::env::args().nth(1).map_or(2000, |s| s.parse().unwrap());
    let mut state = 42u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let b = Mat::<f64>::from_fn(p, 2 * p, |_, _| next());
    let a0 = &b * b.transpose();
    let a = Mat::from_fn(
        p,
        p,
        |i, j| if i >= j { a0[(i, j)] } else { a0[(j, i)] } / (2 * p) as f64,
    );
    let psi: Vec<f64> = (0..p).map(|i| (i as f64 * 0.37).sin()).collect();
    let t = Instant::now();
    check_symmetric(a.as_ref(), 1e-10).unwrap();
    println!("symmetry check: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let _ = a.self_adjoint_eigenvalues(faer::Side::Lower).unwrap();
    println!(
        "faer eigenvalues only: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    for par in ["rayon", "seq", "rayon"] {
        faer::set_global_parallelism(if par == "seq" {
            faer::Par::Seq
        } else {
            faer::Par::rayon(0)
        });
        print!("[{par}] ");
        let t = Instant::now();
        let s = projected_spectrum(a.as_ref(), &psi, &PsdPolicy::default()).unwrap();
        println!(
            "projected_spectrum: {:.1} ms (top {:.4})",
            t.elapsed().as_secs_f64() * 1e3,
            s.values[p - 1]
        );
    }
}
