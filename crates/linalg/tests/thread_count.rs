//! Results must not depend on the number of threads of the rayon pool they run in
//! (ARCHITECTURE.md, "Parallelism"): the same input gives the same bits inside pools of
//! 1, 2, 3 and 4 threads. Sizes straddle faer's blocking and threading thresholds
//! (100, 120, 128, 256, 300), where splits by thread count used to change the last bits.

use dsrf_linalg::{
    FIXED_DEGREE, Mat, PsdPolicy, Tridiagonalisation, fixed_parallelism, projected_spectrum,
    projected_spectrum_with, psd_eigen, psd_eigenvalues, psd_inverse_sqrt, psd_sqrt, ridge_path,
    ridge_solve,
};

const SIZES: [usize; 5] = [100, 120, 128, 256, 300];
/// The blocked tridiagonalisation cuts its symmetric products into pieces from
/// m = 314 on (m²/2 ≥ 192·256) and its panels are 32 wide: sizes on both sides of the
/// cut and several panels beyond it.
const LARGE_SIZES: [usize; 4] = [313, 314, 600, 1000];
const POOLS: [usize; 4] = [1, 2, 3, 4];

/// A deterministic PSD matrix B Bᵀ/m with pseudo-random B (exactly symmetric).
fn test_matrix(p: usize, m: usize, seed: u64) -> Mat<f64> {
    let b = pseudo_random(p, m, seed);
    let a = &b * b.transpose();
    Mat::from_fn(
        p,
        p,
        |i, j| if i >= j { a[(i, j)] } else { a[(j, i)] } / m as f64,
    )
}

fn pseudo_random(rows: usize, cols: usize, seed: u64) -> Mat<f64> {
    let mut state = seed;
    Mat::<f64>::from_fn(rows, cols, |_, _| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    })
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn bits(values: impl IntoIterator<Item = f64>) -> Vec<u64> {
    values.into_iter().map(f64::to_bits).collect()
}

fn mat_bits(m: &Mat<f64>) -> Vec<u64> {
    bits((0..m.ncols()).flat_map(|j| (0..m.nrows()).map(move |i| m[(i, j)])))
}

/// Builds the input of size p once (outside any pool), runs `f` on it in every pool and
/// asserts that the bits agree with the 1-thread pool; collects every size and pool
/// that differs (for the message) instead of stopping at the first.
fn check_all<I: Sync>(what: &str, setup: impl Fn(usize) -> I, f: impl Fn(&I) -> Vec<u64> + Sync) {
    check_sizes(what, &SIZES, setup, f);
}

/// [`check_all`] on the given sizes.
fn check_sizes<I: Sync>(
    what: &str,
    sizes: &[usize],
    setup: impl Fn(usize) -> I,
    f: impl Fn(&I) -> Vec<u64> + Sync,
) {
    let mut differing = Vec::new();
    for &p in sizes {
        let input = setup(p);
        let reference = in_pool(1, || f(&input));
        for &threads in &POOLS[1..] {
            let got = in_pool(threads, || f(&input));
            if got != reference {
                let count = got.iter().zip(&reference).filter(|(a, b)| a != b).count();
                differing.push(format!("p = {p}, {threads} threads: {count} values differ"));
            }
        }
    }
    assert!(
        differing.is_empty(),
        "{what} depends on the thread count: {}",
        differing.join("; ")
    );
}

fn with_vector(p: usize, seed: u64) -> (Mat<f64>, Vec<f64>) {
    let v = (0..p).map(|i| (i as f64 * 0.37).sin()).collect();
    (test_matrix(p, 2 * p, seed + p as u64), v)
}

#[test]
fn psd_eigen_is_thread_count_independent() {
    check_all(
        "psd_eigen",
        |p| test_matrix(p, 2 * p, 7 + p as u64),
        |a| {
            let e = psd_eigen(a.as_ref(), &PsdPolicy::default()).unwrap();
            let mut out = bits(e.values.iter().copied());
            out.extend(mat_bits(&e.vectors));
            out
        },
    );
}

#[test]
fn psd_eigenvalues_is_thread_count_independent() {
    check_all(
        "psd_eigenvalues",
        |p| test_matrix(p, 2 * p, 11 + p as u64),
        |a| {
            bits(
                psd_eigenvalues(a.as_ref(), &PsdPolicy::default())
                    .unwrap()
                    .0,
            )
        },
    );
}

#[test]
fn projected_spectrum_is_thread_count_independent() {
    check_all(
        "projected_spectrum",
        |p| with_vector(p, 13),
        |(a, v)| {
            let s = projected_spectrum(a.as_ref(), v, &PsdPolicy::default()).unwrap();
            let mut out = bits(s.values);
            out.extend(bits(s.weights));
            out
        },
    );
}

#[test]
fn projected_spectrum_is_thread_count_independent_at_large_sizes() {
    for method in [Tridiagonalisation::Blocked, Tridiagonalisation::Faer] {
        check_sizes(
            &format!("projected_spectrum ({method:?})"),
            &LARGE_SIZES,
            |p| with_vector(p, 31),
            |(a, v)| {
                let s =
                    projected_spectrum_with(a.as_ref(), v, &PsdPolicy::default(), method).unwrap();
                let mut out = bits(s.values);
                out.extend(bits(s.weights));
                out
            },
        );
    }
}

#[test]
fn matrix_roots_are_thread_count_independent() {
    check_all(
        "psd_sqrt / psd_inverse_sqrt",
        |p| test_matrix(p, 2 * p, 17 + p as u64),
        |a| {
            let mut out = mat_bits(&psd_sqrt(a.as_ref(), &PsdPolicy::default()).unwrap());
            out.extend(mat_bits(
                &psd_inverse_sqrt(a.as_ref(), &PsdPolicy::default(), 1e-12).unwrap(),
            ));
            out
        },
    );
}

#[test]
fn ridge_solves_are_thread_count_independent() {
    // Primal (p ≤ n) and dual (n < p) systems, and a ridge path with fixed parallelism.
    check_all(
        "ridge_solve / ridge_path",
        |p| {
            [2 * p, p / 2].map(|n| {
                let x = pseudo_random(p, n, 19 + p as u64);
                let y = pseudo_random(n, 1, 23 + n as u64);
                (x, y)
            })
        },
        |systems| {
            let mut out = Vec::new();
            for (x, y) in systems {
                let (w, _) = ridge_solve(x.as_ref(), y.as_ref(), 0.3).unwrap();
                out.extend(mat_bits(&w));
                let labels: Vec<f64> = y.col(0).iter().copied().collect();
                let (path, _) =
                    ridge_path(x.as_ref(), &labels, &[1e-3, 0.3, 30.0], fixed_parallelism())
                        .unwrap();
                out.extend(mat_bits(&path));
            }
            out
        },
    );
}

/// The policy itself: a fixed degree, not "as many as the pool has".
#[test]
fn fixed_parallelism_has_the_documented_degree_in_any_pool() {
    for threads in POOLS {
        let degree = in_pool(threads, || fixed_parallelism().degree());
        assert_eq!(degree, FIXED_DEGREE);
    }
}
