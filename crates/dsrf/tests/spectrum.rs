//! The Stieltjes recursion for the spectrum of Ω^lin against the eigenvalues of the
//! linearised covariance of a sampled i.i.d. network, both smoothed at the same η
//! (the empirical side as Im ⟨(Ω − λ − iη)⁻¹⟩/π, `dsrf::spectra::smoothed_density`), so
//! that atoms — rank-deficient layers put a point mass at κ*² — are compared fairly.

use dsrf::presets::deep_random_features;
use dsrf::rainbow::{
    Activation, CovarianceSpec, VarianceConvention, iid_spectral_layers, linearized_covariances,
    spectral_density,
};
use dsrf::spectra::smoothed_density;

/// ∫ |ρ_theory − ρ_sample| dλ over a grid covering the spectrum.
fn l1_distance(d: usize, layers: &[(usize, f64, Activation)], eta: f64) -> f64 {
    let net = deep_random_features(
        9,
        CovarianceSpec::ScaledIdentity { dim: d, scale: 1.0 },
        layers,
        &[],
    )
    .sample()
    .unwrap();
    let lin = linearized_covariances(
        net.omega0.as_ref(),
        &net.learner,
        &[],
        VarianceConvention::Averaged,
    )
    .unwrap();
    let eig = dsrf::linalg::psd_eigen(lin.omega.as_ref(), &Default::default()).unwrap();
    let spec = iid_spectral_layers(d, 1.0, layers).unwrap();
    let top = eig.values.last().unwrap() * 1.3;
    let points = 400;
    let step = (top + 0.5) / points as f64;
    let grid: Vec<f64> = (0..points)
        .map(|i| -0.25 + (i as f64 + 0.5) * step)
        .collect();
    let theory = spectral_density(&vec![1.0; d], &spec, &grid, eta).unwrap();
    grid.iter()
        .zip(&theory)
        .map(|(&x, t)| (t - smoothed_density(&eig.values, x, eta)).abs() * step)
        .sum()
}

#[test]
fn stieltjes_density_matches_sampled_eigenvalues() {
    // Precursor Fig. 4 shapes: (γ₁, γ₂) = (6/5, 3/5) with tanh(2x), and (7/10) with sign.
    let d = 600;
    let tanh = l1_distance(
        d,
        &[
            (500, 1.0, Activation::ScaledTanh(2.0)),
            (1000, 1.0, Activation::ScaledTanh(2.0)),
        ],
        0.02,
    );
    let sign = l1_distance(d, &[(860, 1.0, Activation::Sign)], 0.02);
    eprintln!("L1 distance between densities: tanh(2x) {tanh:.4}, sign {sign:.4}");
    assert!(tanh < 0.05 && sign < 0.05, "tanh {tanh}, sign {sign}");
}
