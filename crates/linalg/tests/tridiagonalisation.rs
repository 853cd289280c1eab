//! `projected_spectrum` with the blocked tridiagonalisation (the default) against the
//! previous path (faer's unblocked reduction, `Tridiagonalisation::Faer`) and against
//! a dense eigendecomposition (faer's `self_adjoint_eigen`, projections from its
//! eigenvectors), on the kinds of covariance dsrf meets: Wishart, rank-deficient with
//! exactly zero rows (dead ReLU units), diagonal, and clustered spectra.
//!
//! Tolerances, all relative to ‖Ω‖ (the largest eigenvalue) or ‖ψ‖², with the largest
//! deviation seen over all cases when they were set (any pair of the three methods):
//! * eigenvalues: 1e-12 ‖Ω‖ absolute (seen: 1.2e-14);
//! * weights: the weights of single eigenvalues are only defined up to mixing within
//!   a cluster, so they are compared summed over groups of eigenvalues closer than
//!   1e-6 ‖Ω‖ to their neighbour: 1e-11 ‖ψ‖² (seen: 1.9e-13, for the diagonal matrix
//!   at p = 600, where the groups are single eigenvalues);
//! * resolvent forms ψᵀ(Ω + t)⁻¹ψ, the quantities the theory evaluates, for
//!   t ∈ {1e-3, 0.1, 1, 10}·‖Ω‖: 1e-11 relative (seen: 3.4e-13);
//! * Σ weights = ‖ψ‖²: 1e-13 relative.
//!
//! The blocked and the unblocked reduction were always at least as close to each
//! other as either was to the dense solver.

use dsrf_linalg::{
    Mat, ProjectedSpectrum, PsdPolicy, Tridiagonalisation, product, projected_spectrum,
    projected_spectrum_with,
};

const SIZES: [usize; 9] = [1, 2, 3, 31, 64, 65, 100, 257, 600];

/// Pseudo-random numbers in [−½, ½) from a seeded LCG.
fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }
}

/// Exactly symmetric copy of the lower triangle.
fn symmetrise(a: &Mat<f64>) -> Mat<f64> {
    Mat::from_fn(a.nrows(), a.nrows(), |i, j| {
        if i >= j { a[(i, j)] } else { a[(j, i)] }
    })
}

/// B Bᵀ/m with B of shape p × m.
fn wishart(p: usize, m: usize, seed: u64) -> Mat<f64> {
    let mut next = uniform(seed);
    let b = Mat::<f64>::from_fn(p, m, |_, _| next());
    let a = product(b.as_ref(), b.transpose());
    symmetrise(&Mat::from_fn(p, p, |i, j| a[(i, j)] / m as f64))
}

/// Dead units: a rank-(live/2) covariance on the live units, exactly zero rows and
/// columns for the others (about 40 % of them).
fn dead_rows(p: usize) -> (Mat<f64>, Vec<usize>) {
    let live: Vec<usize> = (0..p).filter(|i| i % 5 != 1 && i % 5 != 3).collect();
    let block = wishart(live.len(), live.len().div_ceil(2), 17 + p as u64);
    let mut a = Mat::<f64>::zeros(p, p);
    for (i, &li) in live.iter().enumerate() {
        for (j, &lj) in live.iter().enumerate() {
            a[(li, lj)] = block[(i, j)];
        }
    }
    (a, live)
}

/// A diagonal matrix with a graded spectrum (ψ is dense, so the reflection mixes it).
fn diagonal(p: usize) -> Mat<f64> {
    Mat::from_fn(p, p, |i, j| {
        if i == j {
            1.0 / (1.0 + (i * 7 % p.max(1)) as f64)
        } else {
            0.0
        }
    })
}

/// Q Λ Qᵀ with three tight clusters (around 10, 1 and 1e-3, spreads 1e-10 relative)
/// and Q a product of three Householder reflections.
fn clustered(p: usize) -> Mat<f64> {
    let centres = [10.0, 1.0, 1e-3];
    let mut a = Mat::from_fn(p, p, |i, j| {
        if i == j {
            centres[i % 3] * (1.0 + 1e-10 * i as f64)
        } else {
            0.0
        }
    });
    let mut next = uniform(29 + p as u64);
    for _ in 0..3 {
        let h: Vec<f64> = (0..p).map(|_| next()).collect();
        let hh: f64 = h.iter().map(|x| x * x).sum();
        let r = Mat::from_fn(p, p, |i, j| {
            let delta = if i == j { 1.0 } else { 0.0 };
            delta - 2.0 * h[i] * h[j] / hh
        });
        a = product(product(r.as_ref(), a.as_ref()).as_ref(), r.as_ref());
    }
    symmetrise(&a)
}

fn vector(p: usize) -> Vec<f64> {
    (0..p)
        .map(|i| (i as f64 * 0.37).sin() + 0.1 * ((i * 13 % 7) as f64 - 3.0))
        .collect()
}

/// (eigenvalues, weights) of a dense eigendecomposition, ascending.
fn dense_reference(a: &Mat<f64>, v: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let p = a.nrows();
    let evd = a.self_adjoint_eigen(faer::Side::Lower).unwrap();
    let mut pairs: Vec<(f64, f64)> = (0..p)
        .map(|j| {
            let proj: f64 = (0..p).map(|i| evd.U()[(i, j)] * v[i]).sum();
            (evd.S()[j], proj * proj)
        })
        .collect();
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
    pairs.into_iter().unzip()
}

/// Reference for the dead-row matrix: the live block densely, plus eigenvalue 0 with
/// weight vᵢ² for every dead unit (faer's dense solver is not asked to converge on the
/// padded matrix).
fn dead_rows_reference(a: &Mat<f64>, live: &[usize], v: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let block = Mat::from_fn(live.len(), live.len(), |i, j| a[(live[i], live[j])]);
    let block_v: Vec<f64> = live.iter().map(|&i| v[i]).collect();
    let (values, weights) = dense_reference(&block, &block_v);
    let mut pairs: Vec<(f64, f64)> = values.into_iter().zip(weights).collect();
    pairs.extend(
        (0..a.nrows())
            .filter(|i| !live.contains(i))
            .map(|i| (0.0, v[i] * v[i])),
    );
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
    pairs.into_iter().unzip()
}

/// Sums of weights over groups of eigenvalues closer than `gap` to their neighbour,
/// grouped by the eigenvalues of `values` (ascending).
fn group_sums(values: &[f64], weights: &[f64], gap: f64) -> Vec<f64> {
    let mut sums = Vec::new();
    for (i, w) in weights.iter().enumerate() {
        if i == 0 || values[i] - values[i - 1] > gap {
            sums.push(0.0);
        }
        *sums.last_mut().unwrap() += w;
    }
    sums
}

/// Asserts that `got` matches the reference (values, weights) within the module's
/// tolerances; `what` names the case in messages.
fn assert_matches(what: &str, got: &ProjectedSpectrum, want: (&[f64], &[f64]), v: &[f64]) {
    let (values, weights) = want;
    let p = values.len();
    assert_eq!(got.values.len(), p, "{what}");
    let norm = values
        .iter()
        .fold(0.0f64, |m, x| m.max(x.abs()))
        .max(f64::MIN_POSITIVE);
    let psi2: f64 = v.iter().map(|x| x * x).sum();
    for (i, (x, y)) in got.values.iter().zip(values).enumerate() {
        let d = (x - y).abs();
        assert!(
            d <= 1e-12 * norm,
            "{what}: eigenvalue {i} differs by {d:e} (‖Ω‖ = {norm:e})"
        );
    }
    // Group by the reference's eigenvalues, the better-resolved clusters.
    let gap = 1e-6 * norm;
    let ours = group_sums(values, &got.weights, gap);
    let theirs = group_sums(values, weights, gap);
    for (k, (x, y)) in ours.iter().zip(&theirs).enumerate() {
        let d = (x - y).abs();
        assert!(
            d <= 1e-11 * psi2,
            "{what}: weight of group {k} differs by {d:e} (‖ψ‖² = {psi2:e})"
        );
    }
    for t in [1e-3, 0.1, 1.0, 10.0].map(|t| t * norm) {
        let form = |vals: &[f64], ws: &[f64]| -> f64 {
            vals.iter().zip(ws).map(|(w, a)| a / (w + t)).sum()
        };
        let (x, y) = (form(&got.values, &got.weights), form(values, weights));
        assert!(
            (x - y).abs() <= 1e-11 * y.abs(),
            "{what}: ψᵀ(Ω + {t:e})⁻¹ψ = {x:e} against {y:e}"
        );
    }
    let total: f64 = got.weights.iter().sum();
    assert!(
        (total - psi2).abs() <= 1e-13 * psi2.max(f64::MIN_POSITIVE),
        "{what}: Σ weights"
    );
    assert!(
        got.weights.iter().all(|w| *w >= 0.0),
        "{what}: negative weight"
    );
}

/// Runs both tridiagonalisations on (a, v) and checks each against `reference` and
/// the blocked one against faer's.
fn check_case(what: &str, a: &Mat<f64>, v: &[f64], reference: (Vec<f64>, Vec<f64>)) {
    let policy = PsdPolicy::default();
    let blocked = projected_spectrum(a.as_ref(), v, &policy).unwrap();
    let unblocked =
        projected_spectrum_with(a.as_ref(), v, &policy, Tridiagonalisation::Faer).unwrap();
    let (values, weights) = (&reference.0[..], &reference.1[..]);
    assert_matches(
        &format!("{what}, blocked vs dense"),
        &blocked,
        (values, weights),
        v,
    );
    assert_matches(
        &format!("{what}, faer vs dense"),
        &unblocked,
        (values, weights),
        v,
    );
    assert_matches(
        &format!("{what}, blocked vs faer"),
        &blocked,
        (&unblocked.values, &unblocked.weights),
        v,
    );
    // The default is the blocked path.
    let explicit =
        projected_spectrum_with(a.as_ref(), v, &policy, Tridiagonalisation::Blocked).unwrap();
    assert_eq!(explicit, blocked, "{what}");
}

#[test]
fn wishart_matrices() {
    for p in SIZES {
        let a = wishart(p, 2 * p, 7 + p as u64);
        let v = vector(p);
        check_case(&format!("Wishart p = {p}"), &a, &v, dense_reference(&a, &v));
    }
}

#[test]
fn rank_deficient_with_exactly_zero_rows() {
    for p in SIZES {
        let (a, live) = dead_rows(p);
        let v = vector(p);
        let reference = dead_rows_reference(&a, &live, &v);
        check_case(&format!("dead rows p = {p}"), &a, &v, reference);
    }
}

#[test]
fn rank_deficient_without_zero_rows() {
    // Rank p/4 with every row live: a numerically null block the QL sweep must not chase.
    for p in SIZES {
        let a = wishart(p, p.div_ceil(4), 11 + p as u64);
        let v = vector(p);
        check_case(
            &format!("rank p/4, p = {p}"),
            &a,
            &v,
            dense_reference(&a, &v),
        );
    }
}

#[test]
fn diagonal_matrices() {
    for p in SIZES {
        let a = diagonal(p);
        let v = vector(p);
        // Exact reference: eigenvalue aᵢᵢ with weight vᵢ².
        let mut pairs: Vec<(f64, f64)> = (0..p).map(|i| (a[(i, i)], v[i] * v[i])).collect();
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
        let reference = pairs.into_iter().unzip();
        check_case(&format!("diagonal p = {p}"), &a, &v, reference);
    }
}

#[test]
fn clustered_eigenvalues() {
    for p in SIZES {
        let a = clustered(p);
        let v = vector(p);
        check_case(
            &format!("clustered p = {p}"),
            &a,
            &v,
            dense_reference(&a, &v),
        );
    }
}

/// ψ = 0 and ψ = e₁ (no reflection needed) go through the same reduction.
#[test]
fn special_vectors() {
    let p = 65;
    let a = wishart(p, 2 * p, 3);
    let zero = vec![0.0; p];
    let s = projected_spectrum(a.as_ref(), &zero, &PsdPolicy::default()).unwrap();
    assert!(s.weights.iter().all(|w| *w == 0.0));
    let mut e1 = vec![0.0; p];
    e1[0] = 1.0;
    check_case("ψ = e₁", &a, &e1, dense_reference(&a, &e1));
}
