//! A rainbow layer with a given, non-diagonal row covariance C has weights
//! W = Z C^{1/2} with the full symmetric PSD root — not Z diag(C)^{1/2} — so that its rows
//! have covariance C/fan-in, and the covariances the recursion derives from W see C.

use dsrf_linalg::{PsdPolicy, product, psd_sqrt};
use dsrf_rainbow::{
    Activation, CovarianceSpec, Mat, MatrixSpec, NetworkSpec, VarianceConvention,
    linearized_covariances,
};

const COLS: usize = 30;

/// Kac–Murdock–Szegő: C_ab = 0.6^|a−b|, SPD with condition number ≈ 16 at d = 30.
fn kms(d: usize) -> Mat<f64> {
    Mat::from_fn(d, d, |a, b| 0.6f64.powi((a as i32 - b as i32).abs()))
}

fn gaussian(name: &str, rows: usize) -> MatrixSpec {
    MatrixSpec::Gaussian {
        name: name.into(),
        rows,
        cols: COLS,
    }
}

/// Input covariance `input`; learner layer W = Z C^{1/2} (stream "Z"); target layer Z
/// itself (the same stream), both linear.
fn network(rows: usize, c: Mat<f64>, input: CovarianceSpec) -> NetworkSpec {
    NetworkSpec {
        seed: 11,
        input,
        definitions: vec![],
        learner: vec![(
            MatrixSpec::Rainbow {
                z: Box::new(gaussian("Z", rows)),
                covariance: CovarianceSpec::Matrix(c),
            },
            Activation::Linear,
        )],
        target: vec![(gaussian("Z", rows), Activation::Linear)],
    }
}

fn identity_input() -> CovarianceSpec {
    CovarianceSpec::ScaledIdentity {
        dim: COLS,
        scale: 1.0,
    }
}

#[test]
fn the_weights_are_z_times_the_full_root() {
    let c = kms(COLS);
    let net = network(200, c.clone(), identity_input()).sample().unwrap();
    let (w, z) = (&net.learner[0].weights, &net.target[0].weights);
    let want = product(
        z.as_ref(),
        psd_sqrt(c.as_ref(), &PsdPolicy::default())
            .unwrap()
            .as_ref(),
    );
    let scale = (0..COLS)
        .map(|j| want.col(j).norm_max())
        .fold(0.0, f64::max);
    for j in 0..COLS {
        for i in 0..w.nrows() {
            assert!(
                (w[(i, j)] - want[(i, j)]).abs() <= 1e-12 * scale,
                "W[{i},{j}] = {} but (Z C^(1/2))[{i},{j}] = {}",
                w[(i, j)],
                want[(i, j)]
            );
        }
    }
}

/// The rows wᵢ = zᵢ C^{1/2} with zᵢ ~ 𝒩(0, I/cols) make uᵢ = √cols · wᵢ i.i.d. 𝒩(0, C), so
/// Ĉ = cols·WᵀW/rows is their sample second moment. Each entry is a mean of `rows`
/// i.i.d. terms u_a u_b with variance C_aa C_bb + C_ab² (Isserlis), so
/// |Ĉ_ab − C_ab| ≤ 5 √((C_aa C_bb + C_ab²)/rows) fails by chance with probability
/// ≈ 6·10⁻⁷ per entry (≈ 3·10⁻⁴ for all 465 distinct entries; the seed is fixed
/// anyway). With the diagonal root, Ĉ → I and the off-diagonal entries next to the
/// diagonal miss 0.6 by ~70 standard deviations.
#[test]
fn the_rows_have_covariance_c_over_fan_in() {
    let rows = 20_000;
    let c = kms(COLS);
    let net = network(rows, c.clone(), identity_input()).sample().unwrap();
    let w = &net.learner[0].weights;
    let gram = product(w.transpose(), w.as_ref());
    let mut worst = (0.0f64, 0, 0);
    for a in 0..COLS {
        for b in 0..=a {
            let estimate = COLS as f64 * gram[(a, b)] / rows as f64;
            let sd = ((c[(a, a)] * c[(b, b)] + c[(a, b)].powi(2)) / rows as f64).sqrt();
            let z = (estimate - c[(a, b)]).abs() / sd;
            if z > worst.0 {
                worst = (z, a, b);
            }
        }
    }
    assert!(
        worst.0 <= 5.0,
        "Ĉ[{},{}] is {:.1} standard deviations from C",
        worst.1,
        worst.2,
        worst.0
    );
}

/// One linear layer: Ω = W Ω₀ Wᵀ exactly (κ₁ = 1, κ*² = 0), and with Ω₀ = C its mean
/// diagonal is (1/rows) Σᵢ zᵢ C² zᵢᵀ, whose expectation is tr(C²)/cols and whose
/// standard deviation is √(2 tr(C⁴)/rows)/cols (a mean of i.i.d. Gaussian quadratic
/// forms). The diagonal root would give tr(C)/cols = 1 instead of tr(C²)/cols ≈ 2.1.
#[test]
fn the_recursion_sees_the_full_row_covariance() {
    let rows = 2000;
    let c = kms(COLS);
    let net = network(rows, c.clone(), CovarianceSpec::Matrix(c.clone()))
        .sample()
        .unwrap();
    let cov = linearized_covariances(
        net.omega0.as_ref(),
        &net.learner,
        &net.target,
        VarianceConvention::Averaged,
    )
    .unwrap();
    let w = &net.learner[0].weights;
    let direct = product(product(w.as_ref(), c.as_ref()).as_ref(), w.transpose());
    let scale = (0..rows).map(|i| direct[(i, i)]).fold(0.0, f64::max);
    for j in 0..rows {
        for i in 0..rows {
            assert!(
                (cov.omega[(i, j)] - direct[(i, j)]).abs() <= 1e-12 * scale,
                "Ω[{i},{j}]: {} vs W Ω₀ Wᵀ = {}",
                cov.omega[(i, j)],
                direct[(i, j)]
            );
        }
    }
    let c2 = product(c.as_ref(), c.as_ref());
    let c4 = product(c2.as_ref(), c2.as_ref());
    let trace = |m: &Mat<f64>| (0..COLS).map(|a| m[(a, a)]).sum::<f64>();
    let want = trace(&c2) / COLS as f64;
    let sd = (2.0 * trace(&c4) / rows as f64).sqrt() / COLS as f64;
    let mean_diagonal = (0..rows).map(|i| cov.omega[(i, i)]).sum::<f64>() / rows as f64;
    assert!(
        (mean_diagonal - want).abs() <= 5.0 * sd,
        "mean diagonal of Ω {mean_diagonal} vs tr(C²)/cols = {want} (sd {sd})"
    );
}

#[test]
fn an_indefinite_row_covariance_is_an_error_naming_the_field() {
    let mut c = kms(COLS);
    c[(0, 1)] = 1.5;
    c[(1, 0)] = 1.5;
    let err = network(10, c, identity_input())
        .sample()
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("learner.layers[0].weights.covariance")
            && err.contains("not positive semi-definite"),
        "{err}"
    );
}
