//! A fully connected network without biases and with a scalar readout,
//! f(x) = aᵀ f_L(W_L ⋯ f_1(W_1 x)), with its mean-squared loss and the gradient of that
//! loss by manual backpropagation on faer products (module `engine`, in f32 or f64).
//!
//! The weights use the same [`Layer`] type as `dsrf-rainbow`, with no 1/√fan-in in the
//! forward pass (the weights carry it), so a trained network's hidden layers go straight
//! into `linearized_covariances` or a [`crate::NetworkTeacher`].

use dsrf_rainbow::{Activation, Layer};
use faer::{Mat, MatRef, Par};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::Precision;
use super::engine::{Passes, Weights, Workspace};
use super::precision::Float;
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

    /// The feature map φ(x) = h_L (p × n) of the columns of `x`, in f64.
    pub fn features(&self, x: MatRef<'_, f64>, par: Par) -> Mat<f64> {
        let mut out = Mat::<f64>::zeros(self.feature_dim(), x.ncols());
        self.forward_in_chunks(x, par, |start, ws, k| {
            let h = ws.features(k);
            out.as_mut().subcols_mut(start, k).copy_from(h);
        });
        out
    }

    /// Network outputs aᵀφ(x) for the columns of `x`, in f64.
    pub fn predict(&self, x: MatRef<'_, f64>, par: Par) -> Vec<f64> {
        let mut out = Vec::with_capacity(x.ncols());
        self.forward_in_chunks(x, par, |_, ws, k| out.extend_from_slice(ws.outputs(k)));
        out
    }

    /// Mean squared error (1/n) Σ (aᵀφ(xⱼ) − yⱼ)² (the Keras/PyTorch "mse", no ½), in f64.
    pub fn loss(&self, x: MatRef<'_, f64>, y: &[f64], par: Par) -> f64 {
        let weights = Weights::<f64>::of_network(self);
        let mut ws = Workspace::new(&weights, x.ncols().clamp(1, CHUNK), Passes::Forward);
        ws.mean_squared_error(&weights, x, y, par)
    }

    /// The loss and its gradient on the samples in the columns of `x`, computed in
    /// `precision` (the network is rounded to it first; the result is returned in f64).
    /// This is the step [`crate::train`] takes.
    pub fn gradient(
        &self,
        x: MatRef<'_, f64>,
        y: &[f64],
        precision: Precision,
        par: Par,
    ) -> (f64, Gradient) {
        fn step<T: Float>(
            network: &TrainableNetwork,
            x: MatRef<'_, f64>,
            y: &[f64],
            par: Par,
        ) -> (f64, Gradient) {
            let weights = Weights::<T>::of_network(network);
            let n = x.ncols();
            let mut ws = Workspace::new(&weights, n, Passes::ForwardBackward);
            ws.load(x, Some(y), n, |j| j, par);
            ws.forward(&weights, n, par);
            let loss = ws.squared_error(n) / n.max(1) as f64;
            ws.backward(&weights, n, par);
            (loss, ws.gradient.to_gradient())
        }
        match precision {
            Precision::F32 => step::<f32>(self, x, y, par),
            Precision::F64 => step::<f64>(self, x, y, par),
        }
    }

    /// Runs the f64 forward pass over `x` in chunks of at most [`CHUNK`] columns,
    /// handing each chunk's workspace to `visit(first column, workspace, columns)`.
    fn forward_in_chunks(
        &self,
        x: MatRef<'_, f64>,
        par: Par,
        mut visit: impl FnMut(usize, &Workspace<f64>, usize),
    ) {
        let weights = Weights::<f64>::of_network(self);
        let mut ws = Workspace::new(&weights, x.ncols().clamp(1, CHUNK), Passes::Forward);
        let mut start = 0;
        while start < x.ncols() {
            let k = ws.capacity().min(x.ncols() - start);
            ws.load(x, None, k, |j| start + j, par);
            ws.forward(&weights, k, par);
            visit(start, &ws, k);
            start += k;
        }
    }
}

/// Columns per forward pass when evaluating a network on many samples: bounds the
/// memory of the activations (two p × CHUNK buffers per layer) whatever n is.
const CHUNK: usize = 4096;
