//! Times the spectral reduction at p = 2000 (or the size given), blocked against
//! faer's unblocked tridiagonalisation, interleaved so that both see the same machine
//! load: `cargo run --release -p dsrf-linalg --example spectral_timing [p] [repeats]`.
//! The criterion numbers are in `benches/spectral.rs`, which also has the numpy
//! `eigvalsh` script to run beside it.
use std::time::Instant;

use dsrf_linalg::{
    Mat, PsdPolicy, Tridiagonalisation, check_symmetric, product, projected_spectrum_with,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let p: usize = args.next().map_or(2000, |s| s.parse().expect("p"));
    let repeats: usize = args.next().map_or(7, |s| s.parse().expect("repeats"));
    let mut state = 42u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let b = Mat::<f64>::from_fn(p, 2 * p, |_, _| next());
    let a0 = product(b.as_ref(), b.transpose());
    let a = Mat::from_fn(
        p,
        p,
        |i, j| if i >= j { a0[(i, j)] } else { a0[(j, i)] } / (2 * p) as f64,
    );
    let psi: Vec<f64> = (0..p).map(|i| (i as f64 * 0.37).sin()).collect();
    let t = Instant::now();
    check_symmetric(a.as_ref(), 1e-10).unwrap();
    println!("symmetry check: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let methods = [Tridiagonalisation::Blocked, Tridiagonalisation::Faer];
    let mut times = [Vec::new(), Vec::new()];
    for _ in 0..repeats {
        for (k, &method) in methods.iter().enumerate() {
            let t = Instant::now();
            let s =
                projected_spectrum_with(a.as_ref(), &psi, &PsdPolicy::default(), method).unwrap();
            times[k].push(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(s);
        }
    }
    for (k, method) in methods.iter().enumerate() {
        let t = &mut times[k];
        t.sort_by(f64::total_cmp);
        println!(
            "projected_spectrum p = {p}, {method:?}: median {:.1} ms, min {:.1} ms ({repeats} runs)",
            t[t.len() / 2],
            t[0]
        );
    }
    let median = |t: &[f64]| t[t.len() / 2];
    println!(
        "blocked / unblocked (medians): {:.2}",
        median(&times[0]) / median(&times[1])
    );
}
