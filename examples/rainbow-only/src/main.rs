//! A downstream crate that depends on `dsrf-rainbow` alone: the closed-form covariances
//! (Definition 4.2) of a two-layer tanh learner with a structured first layer
//! W₁ = Z C^{1/2}, C = diag(k^{-1/2}), against a one-layer tanh target, on x ~ 𝒩(0, I).

use dsrf_rainbow::{
    Activation, CovarianceSpec, MatrixSpec, NetworkSpec, PopulationCovariances, RainbowError,
    VarianceConvention, linearized_covariances,
};

/// The network at input dimension d (all widths d).
pub fn network(d: usize, seed: u64) -> NetworkSpec {
    let gaussian = |name: &str| MatrixSpec::Gaussian {
        name: name.into(),
        rows: d,
        cols: d,
    };
    NetworkSpec {
        seed,
        input: CovarianceSpec::ScaledIdentity { dim: d, scale: 1.0 },
        definitions: vec![],
        learner: vec![
            (
                MatrixSpec::Rainbow {
                    z: Box::new(gaussian("Z1")),
                    covariance: CovarianceSpec::PowerLaw {
                        dim: d,
                        exponent: 0.5,
                    },
                },
                Activation::Tanh,
            ),
            (gaussian("Z2"), Activation::Tanh),
        ],
        target: vec![(gaussian("V"), Activation::Tanh)],
    }
}

/// Ω, Φ, Ψ of the realised network.
pub fn covariances(d: usize, seed: u64) -> Result<PopulationCovariances, RainbowError> {
    let net = network(d, seed).sample()?;
    linearized_covariances(
        net.omega0.as_ref(),
        &net.learner,
        &net.target,
        VarianceConvention::Averaged,
    )
}

fn main() -> Result<(), RainbowError> {
    let c = covariances(200, 1)?;
    let trace = |m: &dsrf_rainbow::Mat<f64>| (0..m.nrows()).map(|i| m[(i, i)]).sum::<f64>();
    println!(
        "p = {}, tr Ω / p = {:.6}, tr Ψ / k = {:.6}",
        c.omega.nrows(),
        trace(&c.omega) / 200.0,
        trace(&c.psi) / 200.0
    );
    for (l, layer) in c.learner.iter().enumerate() {
        println!(
            "learner layer {l}: r = {:.6}, κ₁ = {:.6}, κ*² = {:.6}",
            layer.r[0], layer.kappa1[0], layer.kappa_star_sq[0]
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diagonal_of_omega_is_the_variance_of_the_features() {
        // Averaged convention: diag Ω = κ₁² diag(W Ω₀ Wᵀ) + κ*², whose mean is exactly
        // E tanh(N)² at the layer's r (an identity of the linearisation).
        let c = covariances(60, 3).unwrap();
        let last = c.learner.last().unwrap();
        let p = c.omega.nrows() as f64;
        let mean_diag = (0..c.omega.nrows()).map(|i| c.omega[(i, i)]).sum::<f64>() / p;
        let m = dsrf_rainbow::gaussian_moments(&Activation::Tanh, last.r[0]).unwrap();
        assert!(
            (mean_diag - m.second_moment).abs() < 1e-12,
            "{mean_diag} vs {}",
            m.second_moment
        );
    }
}
