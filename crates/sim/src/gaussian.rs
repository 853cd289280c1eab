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
    let mut values = vec![0.0; d * n];
    for v in values.iter_mut() {
        *v = StandardNormal.sample(rng);
    }
    Mat::from_fn(d, n, |i, j| values[j * d + i])
}

/// Samples x ~ 𝒩(0, Ω₀) as columns, through a PSD square root of Ω₀ computed once.
#[derive(Debug, Clone)]
pub struct GaussianInputs {
    root: Mat<f64>,
}

impl GaussianInputs {
    /// From a full covariance matrix (checked symmetric PSD).
    pub fn from_covariance(omega0: faer::MatRef<'_, f64>) -> Result<Self, SimError> {
        let root = dsrf_linalg::psd_sqrt(omega0, &Default::default()).map_err(|source| {
            SimError::Linalg {
                context: "input covariance".into(),
                source,
            }
        })?;
        Ok(Self { root })
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
        let d = eigenvalues.len();
        Ok(Self {
            root: Mat::from_fn(
                d,
                d,
                |i, j| if i == j { eigenvalues[i].sqrt() } else { 0.0 },
            ),
        })
    }

    /// The input dimension.
    pub fn dim(&self) -> usize {
        self.root.nrows()
    }

    /// n samples as the columns of a d × n matrix.
    pub fn sample(&self, rng: &mut ChaCha8Rng, n: usize) -> Mat<f64> {
        let z = standard_normal(rng, self.dim(), n);
        let mut x = Mat::<f64>::zeros(self.dim(), n);
        faer::linalg::matmul::matmul(
            x.as_mut(),
            faer::Accum::Replace,
            self.root.as_ref(),
            z.as_ref(),
            1.0,
            faer::Par::Seq,
        );
        x
    }
}
