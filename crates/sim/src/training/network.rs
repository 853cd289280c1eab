//! A fully connected network without biases and with a scalar readout,
//! f(x) = aᵀ f_L(W_L ⋯ f_1(W_1 x)), with its mean-squared loss and the gradient of that
//! loss by manual backpropagation on faer products.
//!
//! The weights use the same [`Layer`] type as `dsrf-rainbow`, with no 1/√fan-in in the
//! forward pass (the weights carry it), so a trained network's hidden layers go straight
//! into `linearized_covariances` or a [`crate::NetworkTeacher`].

use dsrf_rainbow::{Activation, Layer};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::{SimError, error::input};

/// How the weights are initialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initialization {
    /// Entries i.i.d. 𝒩(0, 1/fan_in) (the paper's Z matrices).
    Gaussian,
    /// Entries i.i.d. uniform on ±√(6/(fan_in + fan_out)), Keras' default
    /// (`glorot_uniform`, variance 2/(fan_in + fan_out)), which the authors used.
    GlorotUniform,
}

impl Initialization {
    fn matrix(self, rng: &mut ChaCha8Rng, fan_out: usize, fan_in: usize) -> Mat<f64> {
        // Drawn row by row (neuron by neuron) so the layout of Mat does not matter.
        let mut values = vec![0.0; fan_out * fan_in];
        match self {
            Initialization::Gaussian => {
                let sd = (1.0 / fan_in as f64).sqrt();
                for v in values.iter_mut() {
                    let z: f64 = StandardNormal.sample(rng);
                    *v = sd * z;
                }
            }
            Initialization::GlorotUniform => {
                let limit = (6.0 / (fan_in + fan_out) as f64).sqrt();
                for v in values.iter_mut() {
                    *v = limit * (2.0 * rng.random::<f64>() - 1.0);
                }
            }
        }
        Mat::from_fn(fan_out, fan_in, |i, j| values[i * fan_in + j])
    }
}

/// A trainable network: hidden layers and a scalar readout a.
#[derive(Debug, Clone)]
pub struct TrainableNetwork {
    /// Hidden layers, first layer first (weights are out × in).
    pub layers: Vec<Layer>,
    /// The readout a (length = last width).
    pub readout: Vec<f64>,
}

/// ∂loss/∂(every parameter), shaped like the network.
#[derive(Debug, Clone)]
pub struct Gradient {
    /// One matrix per hidden layer.
    pub layers: Vec<Mat<f64>>,
    /// The readout part.
    pub readout: Vec<f64>,
}

/// The pre-activations and activations of one forward pass, kept for backpropagation.
struct Trace {
    /// z_ℓ = W_ℓ h_{ℓ−1}.
    pre: Vec<Mat<f64>>,
    /// h_ℓ = f_ℓ(z_ℓ); h_0 is the input and is not stored.
    post: Vec<Mat<f64>>,
}

impl TrainableNetwork {
    /// A freshly initialised network on `input_dim` inputs with the given hidden widths
    /// and activations; every draw comes from `rng`. Activations must be differentiable
    /// (a custom activation needs its derivative).
    pub fn new(
        input_dim: usize,
        hidden: &[(usize, Activation)],
        init: Initialization,
        rng: &mut ChaCha8Rng,
    ) -> Result<Self, SimError> {
        if input_dim == 0 {
            return Err(input("input_dim", "must be > 0"));
        }
        let mut fan_in = input_dim;
        let mut layers = Vec::with_capacity(hidden.len());
        for (l, (width, activation)) in hidden.iter().enumerate() {
            if *width == 0 {
                return Err(input(format!("layers[{l}].width"), "must be > 0"));
            }
            layers.push(Layer {
                weights: init.matrix(rng, *width, fan_in),
                activation: activation.clone(),
            });
            fan_in = *width;
        }
        let readout = init.matrix(rng, 1, fan_in);
        let network = Self {
            layers,
            readout: (0..fan_in).map(|j| readout[(0, j)]).collect(),
        };
        network.validate()?;
        Ok(network)
    }

    /// Checks that widths chain, the readout fits and every activation has a derivative.
    pub fn validate(&self) -> Result<(), SimError> {
        let mut width = None;
        for (l, layer) in self.layers.iter().enumerate() {
            if let Some(w) = width {
                if layer.weights.ncols() != w {
                    return Err(input(
                        format!("layers[{l}].weights"),
                        format!(
                            "is {}×{} but the previous width is {w} (weights are out × in)",
                            layer.weights.nrows(),
                            layer.weights.ncols()
                        ),
                    ));
                }
            }
            if layer.activation.derivative(0.5).is_none() {
                return Err(input(
                    format!("layers[{l}].activation"),
                    format!(
                        "`{}` has no derivative, so it cannot be trained",
                        layer.activation.name()
                    ),
                ));
            }
            width = Some(layer.weights.nrows());
        }
        let p = self.feature_dim();
        if self.readout.len() != p {
            return Err(input(
                "readout",
                format!(
                    "has length {} but the last width is {p}",
                    self.readout.len()
                ),
            ));
        }
        Ok(())
    }

    /// The input dimension d.
    pub fn input_dim(&self) -> usize {
        self.layers
            .first()
            .map_or(self.readout.len(), |l| l.weights.ncols())
    }

    /// The feature dimension p (last hidden width; d without hidden layers).
    pub fn feature_dim(&self) -> usize {
        self.layers
            .last()
            .map_or(self.readout.len(), |l| l.weights.nrows())
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.weights.nrows() * l.weights.ncols())
            .sum::<usize>()
            + self.readout.len()
    }

    /// The feature map φ(x) = h_L (p × n) of the columns of `x`.
    pub fn features(&self, x: MatRef<'_, f64>, par: Par) -> Mat<f64> {
        self.trace(x, par)
            .post
            .pop()
            .unwrap_or_else(|| x.to_owned())
    }

    /// Network outputs aᵀφ(x) for the columns of `x`.
    pub fn predict(&self, x: MatRef<'_, f64>, par: Par) -> Vec<f64> {
        let h = self.features(x, par);
        readout_times(&self.readout, h.as_ref(), par)
    }

    /// Mean squared error (1/n) Σ (aᵀφ(xⱼ) − yⱼ)² (the Keras/PyTorch "mse", no ½).
    pub fn loss(&self, x: MatRef<'_, f64>, y: &[f64], par: Par) -> f64 {
        let out = self.predict(x, par);
        mean_squared(&out, y)
    }

    /// The loss and its gradient on the samples in the columns of `x`.
    pub fn gradient(&self, x: MatRef<'_, f64>, y: &[f64], par: Par) -> (f64, Gradient) {
        let n = x.ncols();
        let mut trace = self.trace(x, par);
        let last = trace.post.last().map_or(x, |h| h.as_ref());
        let out = readout_times(&self.readout, last, par);
        let loss = mean_squared(&out, y);
        // e = ∂loss/∂output = 2 (ŷ − y)/n.
        let e: Vec<f64> = out
            .iter()
            .zip(y)
            .map(|(o, t)| 2.0 * (o - t) / n as f64)
            .collect();
        let readout = (0..last.nrows())
            .map(|i| (0..n).map(|j| last[(i, j)] * e[j]).sum())
            .collect();
        let mut layers = vec![Mat::<f64>::zeros(0, 0); self.layers.len()];
        if !self.layers.is_empty() {
            // δ_L = (a eᵀ) ∘ f_L′(z_L), then δ_{ℓ−1} = (W_ℓᵀ δ_ℓ) ∘ f′_{ℓ−1}(z_{ℓ−1}).
            let top = self.layers.len() - 1;
            let mut delta = Mat::from_fn(self.readout.len(), n, |i, j| self.readout[i] * e[j]);
            for l in (0..=top).rev() {
                let mut slope = trace.pre.pop().expect("one pre-activation per layer");
                // `validate` guarantees a derivative exists.
                let _ = self.layers[l].activation.derivative_in_place(&mut slope);
                for j in 0..n {
                    let d = delta.col_as_slice_mut(j);
                    for (v, s) in d.iter_mut().zip(slope.col_as_slice(j)) {
                        *v *= s;
                    }
                }
                trace.post.pop();
                let below = trace.post.last().map_or(x, |h| h.as_ref());
                let mut g = Mat::<f64>::zeros(delta.nrows(), below.nrows());
                matmul(
                    g.as_mut(),
                    Accum::Replace,
                    delta.as_ref(),
                    below.transpose(),
                    1.0,
                    par,
                );
                layers[l] = g;
                if l > 0 {
                    let w = &self.layers[l].weights;
                    let mut next = Mat::<f64>::zeros(w.ncols(), n);
                    matmul(
                        next.as_mut(),
                        Accum::Replace,
                        w.transpose(),
                        delta.as_ref(),
                        1.0,
                        par,
                    );
                    delta = next;
                }
            }
        }
        (loss, Gradient { layers, readout })
    }

    fn trace(&self, x: MatRef<'_, f64>, par: Par) -> Trace {
        let mut pre = Vec::with_capacity(self.layers.len());
        let mut post: Vec<Mat<f64>> = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let h = post.last().map_or(x, |h| h.as_ref());
            let mut z = Mat::<f64>::zeros(layer.weights.nrows(), h.ncols());
            matmul(
                z.as_mut(),
                Accum::Replace,
                layer.weights.as_ref(),
                h,
                1.0,
                par,
            );
            let mut a = z.clone();
            layer.activation.apply_in_place(&mut a);
            pre.push(z);
            post.push(a);
        }
        Trace { pre, post }
    }
}

fn readout_times(a: &[f64], h: MatRef<'_, f64>, par: Par) -> Vec<f64> {
    let mut out = Mat::<f64>::zeros(h.ncols(), 1);
    matmul(
        out.as_mut(),
        Accum::Replace,
        h.transpose(),
        MatRef::from_column_major_slice(a, a.len(), 1),
        1.0,
        par,
    );
    (0..h.ncols()).map(|j| out[(j, 0)]).collect()
}

pub(crate) fn mean_squared(out: &[f64], y: &[f64]) -> f64 {
    out.iter().zip(y).map(|(o, t)| (o - t).powi(2)).sum::<f64>() / y.len().max(1) as f64
}
