//! Seeded Gaussian samples: every draw comes from a ChaCha8 stream chosen by
//! (seed, stream), so replicate r of an experiment is the same whatever runs beside it.

use faer::Mat;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::{SimError, error::input};

/// The random stream `stream` of `seed`.
pub fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// A d × n matrix of i.i.d. standard normals, filled column by column (sample by
/// sample), so that the first n columns of a longer draw are the same samples.
pub fn standard_normal(rng: &mut ChaCha8Rng, d: usize, n: usize) -> Mat<f64> {
    let mut x = Mat::<f64>::zeros(d, n);
    for j in 0..n {
        for v in x.col_as_slice_mut(j) {
            *v = StandardNormal.sample(rng);
        }
    }
    x
}

/// Samples x ~ 𝒩(μ, Ω₀) as columns, through a square root of Ω₀ computed once.
#[derive(Debug, Clone)]
pub struct GaussianInputs {
    root: Root,
    mean: Option<Vec<f64>>,
}

/// x − μ = R z: identity and diagonal roots cost O(d) per sample, a full one a product.
#[derive(Debug, Clone)]
enum Root {
    Identity(usize),
    Diagonal(Vec<f64>),
    Full(Mat<f64>),
}

impl GaussianInputs {
    /// x ~ 𝒩(0, I_d).
    pub fn isotropic(d: usize) -> Self {
        Self {
            root: Root::Identity(d),
            mean: None,
        }
    }

    /// From a full covariance matrix (checked symmetric PSD; its PSD square root).
    pub fn from_covariance(omega0: faer::MatRef<'_, f64>) -> Result<Self, SimError> {
        let root = dsrf_linalg::psd_sqrt(omega0, &Default::default()).map_err(|source| {
            SimError::Linalg {
                context: "input covariance".into(),
                source,
            }
        })?;
        Ok(Self {
            root: Root::Full(root),
            mean: None,
        })
    }

    /// From a spectrum: x = diag(√ω) z (the eigenbasis of Ω₀ as coordinates).
    pub fn from_spectrum(eigenvalues: &[f64]) -> Result<Self, SimError> {
        if let Some((i, w)) = eigenvalues
            .iter()
            .enumerate()
            .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
        {
            return Err(input(
                format!("eigenvalues[{i}]"),
                format!("a variance must be finite and ≥ 0, got {w}"),
            ));
        }
        Ok(Self {
            root: Root::Diagonal(eigenvalues.iter().map(|w| w.sqrt()).collect()),
            mean: None,
        })
    }

    /// Shifts the samples by a mean μ (then E xxᵀ = Ω₀ + μμᵀ).
    pub fn with_mean(mut self, mean: Vec<f64>) -> Result<Self, SimError> {
        if mean.len() != self.dim() {
            return Err(input(
                "mean",
                format!("has length {} but d = {}", mean.len(), self.dim()),
            ));
        }
        if let Some((i, m)) = mean.iter().enumerate().find(|(_, m)| !m.is_finite()) {
            return Err(input(format!("mean[{i}]"), format!("is not finite ({m})")));
        }
        self.mean = Some(mean);
        Ok(self)
    }

    /// The input dimension.
    pub fn dim(&self) -> usize {
        match &self.root {
            Root::Identity(d) => *d,
            Root::Diagonal(v) => v.len(),
            Root::Full(m) => m.nrows(),
        }
    }

    /// n samples as the columns of a d × n matrix.
    pub fn sample(&self, rng: &mut ChaCha8Rng, n: usize) -> Mat<f64> {
        let d = self.dim();
        let mut x = standard_normal(rng, d, n);
        match &self.root {
            Root::Identity(_) => {}
            Root::Diagonal(scale) => {
                for j in 0..n {
                    for (v, s) in x.col_as_slice_mut(j).iter_mut().zip(scale) {
                        *v *= s;
                    }
                }
            }
            Root::Full(root) => {
                let z = x;
                x = Mat::<f64>::zeros(d, n);
                faer::linalg::matmul::matmul(
                    x.as_mut(),
                    faer::Accum::Replace,
                    root.as_ref(),
                    z.as_ref(),
                    1.0,
                    faer::Par::Seq,
                );
            }
        }
        if let Some(mean) = &self.mean {
            for j in 0..n {
                for (v, m) in x.col_as_slice_mut(j).iter_mut().zip(mean) {
                    *v += m;
                }
            }
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three roots and the mean give the stated first and second moments.
    #[test]
    fn moments_of_every_input_kind() {
        let n = 200_000;
        let spectrum = [4.0, 1.0, 0.25];
        let full = Mat::from_fn(3, 3, |i, j| if i == j { spectrum[i] } else { 0.0 });
        for (name, inputs) in [
            ("isotropic", GaussianInputs::isotropic(3)),
            (
                "diagonal",
                GaussianInputs::from_spectrum(&spectrum).unwrap(),
            ),
            (
                "full",
                GaussianInputs::from_covariance(full.as_ref()).unwrap(),
            ),
        ] {
            let inputs = inputs.with_mean(vec![1.0, -2.0, 0.5]).unwrap();
            let x = inputs.sample(&mut stream(5, 0), n);
            for i in 0..3 {
                let mean = (0..n).map(|j| x[(i, j)]).sum::<f64>() / n as f64;
                let var = (0..n).map(|j| (x[(i, j)] - mean).powi(2)).sum::<f64>() / n as f64;
                let expected = if name == "isotropic" {
                    1.0
                } else {
                    spectrum[i]
                };
                let m = [1.0, -2.0, 0.5][i];
                assert!(
                    (mean - m).abs() < 5.0 * (expected / n as f64).sqrt(),
                    "{name} {i}"
                );
                assert!((var / expected - 1.0).abs() < 0.02, "{name} {i}: {var}");
            }
        }
        assert!(
            GaussianInputs::isotropic(3)
                .with_mean(vec![0.0; 2])
                .is_err()
        );
        assert!(GaussianInputs::from_spectrum(&[1.0, -1.0]).is_err());
    }
}
