//! The one parallelism policy of dsrf's library computations: a *fixed* degree.
//!
//! faer splits its work — matrix products, the panels of the tridiagonalisation inside
//! every symmetric eigensolver, and the partial sums those panels reduce — into as many
//! pieces as the degree of the [`faer::Par`] it is given. Its defaults,
//! `faer::get_global_parallelism()` (what the `*` operator and the high-level methods
//! such as `llt` or `self_adjoint_eigenvalues` use) and `Par::rayon(0)`, both mean
//! "`rayon::current_num_threads()`", so the *rounding* of a result changed with
//! `RAYON_NUM_THREADS` (observed in the last bits of `psd_eigen` and the matrix roots at
//! p = 100, 120, 128, of `projected_spectrum` and the Cholesky-based ridge solves at
//! p = 256, 300, and of the Figure 1 network's weights and covariances at d = 100–256,
//! between pools of 1 and 2 threads). faer's splitting depends only on the degree,
//! never on how many threads actually execute the pieces, so a fixed degree gives the
//! same bits inside a rayon pool of any size (tested with 1, 2, 3 and 4 threads in
//! `tests/thread_count.rs`); the pieces simply run one after another on fewer threads.

use faer::{Accum, Mat, MatRef, Par};

/// The degree every thread-count-independent library computation hands to faer.
///
/// 4 because it is what a laptop or a small CI runner has, so those machines get
/// faer's speed-up, while on fewer threads the four pieces run one after another at a
/// small cost: `psd_eigen` at p = 1000 took 186–222 ms with degree 4 against
/// 229–234 ms with the old `Par::rayon(0)` in a 2-thread pool, and 302–305 ms against
/// 270 ms (sequential: 274–282 ms) in a 1-thread pool. Machines with more cores use
/// them in the *outer* parallel loops (λ grids, replicates, figure units).
/// Changing this constant may change the last bits of results (not their accuracy).
pub const FIXED_DEGREE: usize = 4;

/// `Par::rayon(FIXED_DEGREE)`: the parallelism of every library computation whose result
/// is promised to be independent of the thread count (see the module docs). Runs on the
/// current rayon pool, whatever its size.
pub fn fixed_parallelism() -> Par {
    Par::rayon(FIXED_DEGREE)
}

/// Runs `f` on a worker thread of the current rayon pool — directly when the caller
/// already is one, else once handed over to the global pool — and returns its result.
///
/// Why: faer's parallel pieces are `rayon::join`s, and a join called from a thread
/// outside the pool cannot run one half itself; it queues the work on the pool and
/// puts the caller to sleep until a worker has finished it. That round trip costs tens
/// of microseconds in a VM (a futex wake-up each way): nothing for one big product,
/// but paid again by every step of a loop of small parallel ones. Measured on 2 cores
/// (AMD EPYC VM): the matrix products of 300 full-batch epochs at the fig2_trained
/// shapes (500-500-500, batch 700) took 3.5–4.3 s from the main thread against
/// 2.8–3.4 s on a worker, and the training itself, seven runs alternated, a median of
/// 3.90 s against 3.75 s. The bits do not change: faer splits the work by the degree
/// alone, never by where it runs.
pub fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| f())
}

/// The product A B with [`fixed_parallelism`]: the replacement for faer's `&a * &b`,
/// whose parallelism follows the thread count.
///
/// # Panics
///
/// When `a.ncols() != b.nrows()`, like the operator it replaces (a programming error,
/// not bad input: callers check shapes where they come from a user).
pub fn product(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(a.nrows(), b.ncols());
    faer::linalg::matmul::matmul(out.as_mut(), Accum::Replace, a, b, 1.0, fixed_parallelism());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From outside any pool the closure runs on a worker of the global pool; from a
    /// worker it runs right there, on the calling thread.
    #[test]
    fn on_pool_runs_on_a_worker_and_inline_on_one() {
        assert!(rayon::current_thread_index().is_none());
        assert!(on_pool(rayon::current_thread_index).is_some());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let (caller, inside) = pool.install(|| {
            let caller = std::thread::current().id();
            (caller, on_pool(|| std::thread::current().id()))
        });
        assert_eq!(caller, inside);
        assert_eq!(on_pool(|| 6 * 7), 42);
    }
}
