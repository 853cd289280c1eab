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

/// Rows of a finite data set pushed through a fixed feature map: each call draws
/// samples uniformly *with replacement* from the pool (so that any number of calls and
/// replicates stay independent and reproducible), computes φ = layers(x) and, when a
/// centre is given, subtracts it (the authors centre learned features by their mean on
/// a separate split). For n close to the pool size, prefer explicit disjoint subsets.
#[derive(Debug, Clone)]
pub struct DatasetSampler {
    /// The pool: inputs (d × N) and labels.
    pub data: crate::Dataset,
    /// The feature map (empty: φ = x).
    pub layers: Vec<Layer>,
    /// Subtracted from every feature vector (length p), if given.
    pub centre: Option<Vec<f64>>,
}

impl DatasetSampler {
    /// Checks that the pool is not empty, that the layers chain from d and that the
    /// centre has the feature dimension.
    pub fn new(
        data: crate::Dataset,
        layers: Vec<Layer>,
        centre: Option<Vec<f64>>,
    ) -> Result<Self, crate::SimError> {
        use crate::error::input;
        if data.inputs.ncols() == 0 || data.labels.len() != data.inputs.ncols() {
            return Err(input(
                "data",
                format!(
                    "{} samples with {} labels: need a non-empty pool with one label per sample",
                    data.inputs.ncols(),
                    data.labels.len()
                ),
            ));
        }
        let mut width = data.inputs.nrows();
        for (l, layer) in layers.iter().enumerate() {
            if layer.weights.ncols() != width {
                return Err(input(
                    format!("layers[{l}].weights"),
                    format!(
                        "is {}×{} but the previous width is {width}",
                        layer.weights.nrows(),
                        layer.weights.ncols()
                    ),
                ));
            }
            width = layer.weights.nrows();
        }
        if let Some(c) = &centre {
            if c.len() != width {
                return Err(input(
                    "centre",
                    format!("has length {} but the features have {width}", c.len()),
                ));
            }
        }
        Ok(Self {
            data,
            layers,
            centre,
        })
    }
}

impl FeatureSampler for DatasetSampler {
    fn feature_dim(&self) -> usize {
        self.layers
            .last()
            .map_or(self.data.inputs.nrows(), |l| l.weights.nrows())
    }

    fn sample(&self, rng: &mut ChaCha8Rng, n: usize) -> (Mat<f64>, Vec<f64>) {
        use rand::RngExt;
        let pool = self.data.inputs.ncols();
        let picks: Vec<usize> = (0..n).map(|_| rng.random_range(0..pool)).collect();
        let d = self.data.inputs.nrows();
        let mut x = Mat::<f64>::zeros(d, n);
        for (k, &j) in picks.iter().enumerate() {
            x.col_mut(k).copy_from(self.data.inputs.col(j));
        }
        let mut features = forward(&self.layers, &x);
        if let Some(c) = &self.centre {
            for k in 0..n {
                for (v, m) in features.col_as_slice_mut(k).iter_mut().zip(c) {
                    *v -= m;
                }
            }
        }
        let labels = picks.iter().map(|&j| self.data.labels[j]).collect();
        (features, labels)
    }
}
