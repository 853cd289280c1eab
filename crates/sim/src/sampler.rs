//! Sources of (features, label) samples.

use dsrf_rainbow::Layer;
use faer::{Mat, Par};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::gaussian::GaussianInputs;

/// Draws fresh (features, labels) pairs: features as the columns of a p × n matrix.
pub trait FeatureSampler: Sync {
    /// The feature dimension p.
    fn feature_dim(&self) -> usize;
    /// n fresh samples from `rng`.
    fn sample(&self, rng: &mut ChaCha8Rng, n: usize) -> (Mat<f64>, Vec<f64>);
}

/// Gaussian features with a linear teacher: φ = x ~ 𝒩(0, Ω₀), y = βᵀx + ε with
/// ε ~ 𝒩(0, s²) (so ψ = Ω₀β and E y² = βᵀΩ₀β + s² in code units).
#[derive(Debug, Clone)]
pub struct LinearTeacher {
    /// Input sampler.
    pub inputs: GaussianInputs,
    /// β.
    pub beta: Vec<f64>,
    /// s, the label-noise standard deviation.
    pub noise_sd: f64,
}

impl FeatureSampler for LinearTeacher {
    fn feature_dim(&self) -> usize {
        self.inputs.dim()
    }

    fn sample(&self, rng: &mut ChaCha8Rng, n: usize) -> (Mat<f64>, Vec<f64>) {
        let x = self.inputs.sample(rng, n);
        let labels = (0..n)
            .map(|j| {
                let noise: f64 = StandardNormal.sample(rng);
                (0..x.nrows())
                    .map(|i| self.beta[i] * x[(i, j)])
                    .sum::<f64>()
                    + self.noise_sd * noise
            })
            .collect();
        (x, labels)
    }
}

/// A learner network's features and a target network's labels on Gaussian inputs:
/// φ = learner(x), y = θ*ᵀ target(x)/√k + ε (paper Assumption 2.1).
#[derive(Debug, Clone)]
pub struct NetworkTeacher {
    /// Input sampler.
    pub inputs: GaussianInputs,
    /// Learner layers.
    pub learner: Vec<Layer>,
    /// Target layers (empty: φ* = x).
    pub target: Vec<Layer>,
    /// θ*.
    pub theta_star: Vec<f64>,
    /// Label-noise standard deviation.
    pub noise_sd: f64,
}

/// The actual network's features, sequential inside (replicates run in parallel).
pub(crate) fn forward(layers: &[Layer], x: &Mat<f64>) -> Mat<f64> {
    dsrf_rainbow::forward(layers, x, Par::Seq)
}

impl FeatureSampler for NetworkTeacher {
    fn feature_dim(&self) -> usize {
        self.learner
            .last()
            .map_or(self.inputs.dim(), |l| l.weights.nrows())
    }

    fn sample(&self, rng: &mut ChaCha8Rng, n: usize) -> (Mat<f64>, Vec<f64>) {
        let x = self.inputs.sample(rng, n);
        let features = forward(&self.learner, &x);
        let target = forward(&self.target, &x);
        let k = target.nrows() as f64;
        let labels = (0..n)
            .map(|j| {
                let noise: f64 = StandardNormal.sample(rng);
                (0..target.nrows())
                    .map(|i| self.theta_star[i] * target[(i, j)])
                    .sum::<f64>()
                    / k.sqrt()
                    + self.noise_sd * noise
            })
            .collect();
        (features, labels)
    }
}
