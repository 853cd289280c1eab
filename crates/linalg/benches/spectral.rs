//! Spectral reduction of a p = 2000 covariance: `projected_spectrum` with the blocked
//! tridiagonalisation (the default), with faer's unblocked one (the previous path), and
//! faer's full eigendecomposition.
//!
//! `cargo bench -p dsrf-linalg --bench spectral`
//!
//! The yardstick is LAPACK through numpy, `np.linalg.eigvalsh` (OpenBLAS `dsytrd` +
//! `dsterf`: eigenvalues only, so slightly less work than ours, which also tracks the
//! projections). Time it in the same session, since the machine's load moves all of
//! these numbers together (any venv with numpy; `OPENBLAS_NUM_THREADS` unset uses all
//! cores, as faer's fixed degree 4 does on up to 4):
//!
//! ```text
//! python - <<'EOF'
//! import time, numpy as np
//! p = 2000
//! rng = np.random.default_rng(42)
//! b = rng.standard_normal((p, 2 * p))
//! a = b @ b.T / (2 * p)
//! a = np.tril(a) + np.tril(a, -1).T
//! best = min(
//!     (lambda t: (np.linalg.eigvalsh(a), time.perf_counter() - t)[1])(time.perf_counter())
//!     for _ in range(10)
//! )
//! print(f"numpy eigvalsh p={p}: {best * 1e3:.1f} ms (best of 10)")
//! EOF
//! ```
//!
//! Measured on the development machine (2-core AMD EPYC VM under varying load from
//! other builds; numpy and `examples/spectral_timing.rs` alternated, best of 5–10
//! runs each, five rounds): blocked 0.55–0.75 s, unblocked 0.64–0.98 s, eigvalsh
//! 0.44–0.53 s — blocked/eigvalsh 1.06–1.30, unblocked/eigvalsh 1.35–1.54, blocked/
//! unblocked 0.79–0.87. In a quieter hour: blocked ≈ 0.44 s, eigvalsh ≈ 0.38–0.42 s,
//! and the tridiagonalisation alone 0.38–0.40 s against 0.32–0.35 s for OpenBLAS's
//! `dsytrd` (scipy.linalg.lapack.dsytrd with lwork = 64p). The rest of ours is the
//! symmetry check (15 ms), scaling and reflection (≈ 20 ms) and the QL sweep
//! (15–45 ms, depending on the spectrum).
//!
//! On a 2-core AMD EPYC Zen 4 VM (AVX-512; 2026-12-03, quiet hour, six rounds
//! alternated, best of 5 each): blocked 362–466 ms against eigvalsh 250–315 ms and
//! `dsytrd` 191–263 ms — 1.3–1.6 × eigvalsh. Of ours: the symmetric products 60–65 %
//! (≈ 40–45 GB/s from the 16 MB triangle; OpenBLAS's `dsymv` measured 40–43 GB/s at
//! m = 2000 too, and both reach 50–75 GB/s once the triangle fits the cache), the
//! trailing updates ≈ 20 % (50–70 GFLOP/s), the QL sweep ≈ 85 ms (LAPACK's `dsterf`
//! is root-free and tracks no vector). Tried there without a measurable change:
//! sequential panel corrections, running the reduction on a pool worker, one division
//! per rotation in the QL sweep, panels of 16–64. The remaining gap is the memory
//! traffic of one symmetric product per column, which only a two-stage (band)
//! reduction removes.
//!
//! Later the same day, same machine type: the symmetric product now keeps each thread
//! on its own half of the triangle in both sweep directions, works in groups of eight
//! columns, and the reduction runs on a pool worker. Six rounds alternating the
//! previous build, the groups-of-four variant, the new build and `eigvalsh`
//! (`examples/spectral_timing.rs`, medians of 5): previous 457–550 ms, fours 363–491
//! ms, new 360–500 ms, `eigvalsh` 280–336 ms — new/previous 0.68–0.96, new/`eigvalsh`
//! 1.21–1.52. Where the new build's time goes (one quiet run): symmetric products
//! 150–210 ms, trailing updates 65–80 ms, the rest of the panels ≈ 40 ms, QL sweep
//! 60–65 ms (LAPACK's `dsterf`, eigenvalues only, 46 ms), the first touch of the fresh
//! 32 MB work matrix 6–25 ms (page faults; numpy's allocator asks for huge pages), the
//! symmetry check 9–15 ms (a tile-by-tile version of its transposed reads measured no
//! faster, so it was not kept). OpenBLAS's `dsymv` over the same 1999 shrinking blocks
//! takes 107–158 ms on two threads, ours 132–176 ms: the products are ≈ 1.2× behind,
//! the rest is the QL sweep's vector and the allocation.
//!
//! A two-stage reduction was prototyped on the same machine type on 2026-12-03 (a
//! scratch program, not kept): stage 1 reduces to a band of half-width b by blocked
//! Householder QR of each panel, its two-sided update W = A V T − ½ V (Tᵀ Vᵀ A V T),
//! A ← A − V Wᵀ − W Vᵀ done as faer triangular products; stage 2 chases the band to
//! tridiagonal form with Householder bulges (LAPACK's `sb2st` kernels) in compact band
//! storage. Its eigenvalues matched faer's to 2e-15 at p = 300. At p = 2000, best of 5:
//! stage 1 alone 165–200 ms for b = 16–64 (≈ 60 GFLOP/s: the symmetric products A V
//! ran at ≈ 60, the rank-2b updates at ≈ 85), stage 2 67 ms (b = 16) to 250 ms (b = 64)
//! on one core — in all more than the whole blocked one-stage reduction (≈ 220 ms
//! inside a 315–325 ms `projected_spectrum`, against `eigvalsh` at 236–245 ms and
//! `dsytrd` at 182–194 ms in the same hour). The bulge chase is latency-bound on
//! vectors of b entries (neither AVX-512 nor compact storage moved it), so the scheme
//! pays only where stage 2 runs as a pipeline on many cores.
use criterion::{Criterion, criterion_group, criterion_main};
use dsrf_linalg::{
    Mat, PsdPolicy, Tridiagonalisation, projected_spectrum, projected_spectrum_with, psd_eigen,
};

fn covariance(p: usize) -> Mat<f64> {
    let mut state = 42u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let b = Mat::<f64>::from_fn(p, 2 * p, |_, _| next());
    let a = dsrf_linalg::product(b.as_ref(), b.transpose());
    Mat::from_fn(
        p,
        p,
        |i, j| if i >= j { a[(i, j)] } else { a[(j, i)] } / (2 * p) as f64,
    )
}

fn bench(c: &mut Criterion) {
    let p = 2000;
    let a = covariance(p);
    let psi: Vec<f64> = (0..p).map(|i| (i as f64 * 0.37).sin()).collect();
    let policy = PsdPolicy::default();
    let mut group = c.benchmark_group("spectral_p2000");
    group.sample_size(10);
    group.bench_function("projected_spectrum_blocked", |b| {
        b.iter(|| projected_spectrum(a.as_ref(), &psi, &policy).unwrap())
    });
    group.bench_function("projected_spectrum_faer_unblocked", |b| {
        b.iter(|| {
            projected_spectrum_with(a.as_ref(), &psi, &policy, Tridiagonalisation::Faer).unwrap()
        })
    });
    group.bench_function("full_psd_eigen", |b| {
        b.iter(|| psd_eigen(a.as_ref(), &policy).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
