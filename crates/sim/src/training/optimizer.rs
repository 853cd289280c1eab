//! First-order optimisers with their state, applied to a [`TrainableNetwork`] in place.

use super::network::{Gradient, TrainableNetwork};
use crate::{SimError, error::input};

/// The update rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Optimizer {
    /// Stochastic gradient descent with heavy-ball momentum (0 for plain SGD):
    /// v ← μ v + g, θ ← θ − η v.
    Sgd {
        /// η.
        learning_rate: f64,
        /// μ ∈ \[0, 1).
        momentum: f64,
    },
    /// Adam (Kingma & Ba) with bias correction, as in PyTorch and Keras.
    Adam {
        /// η (Keras and PyTorch default 1e-3).
        learning_rate: f64,
        /// β₁ (default 0.9).
        beta1: f64,
        /// β₂ (default 0.999).
        beta2: f64,
        /// ε (PyTorch 1e-8; Keras 1e-7).
        epsilon: f64,
    },
}

impl Optimizer {
    /// Adam with the usual defaults and the given learning rate.
    pub fn adam(learning_rate: f64) -> Self {
        Optimizer::Adam {
            learning_rate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), SimError> {
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(input(
                    format!("optimizer.{name}"),
                    format!("must be finite and > 0, got {v}"),
                ))
            }
        };
        let unit = |name: &str, v: f64| {
            if (0.0..1.0).contains(&v) {
                Ok(())
            } else {
                Err(input(
                    format!("optimizer.{name}"),
                    format!("must lie in [0, 1), got {v}"),
                ))
            }
        };
        match *self {
            Optimizer::Sgd {
                learning_rate,
                momentum,
            } => {
                positive("learning_rate", learning_rate)?;
                unit("momentum", momentum)
            }
            Optimizer::Adam {
                learning_rate,
                beta1,
                beta2,
                epsilon,
            } => {
                positive("learning_rate", learning_rate)?;
                unit("beta1", beta1)?;
                unit("beta2", beta2)?;
                positive("epsilon", epsilon)
            }
        }
    }
}

/// Per-parameter state (momentum / first and second moments), shaped like the network.
pub(crate) struct OptimizerState {
    rule: Optimizer,
    weight_decay: f64,
    first: Vec<Vec<f64>>,
    second: Vec<Vec<f64>>,
    steps: u64,
}

impl OptimizerState {
    pub(crate) fn new(rule: Optimizer, weight_decay: f64, network: &TrainableNetwork) -> Self {
        let sizes: Vec<usize> = network
            .layers
            .iter()
            .map(|l| l.weights.nrows() * l.weights.ncols())
            .chain(std::iter::once(network.readout.len()))
            .collect();
        let zeros = || sizes.iter().map(|&s| vec![0.0; s]).collect::<Vec<_>>();
        let second = match rule {
            Optimizer::Adam { .. } => zeros(),
            Optimizer::Sgd { .. } => Vec::new(),
        };
        Self {
            rule,
            weight_decay,
            first: zeros(),
            second,
            steps: 0,
        }
    }

    /// One step. Weight decay is the coupled L2 form of PyTorch's `weight_decay`
    /// (g ← g + wd·θ before the update).
    pub(crate) fn step(&mut self, network: &mut TrainableNetwork, gradient: &Gradient) {
        self.steps += 1;
        let t = self.steps as i32;
        let wd = self.weight_decay;
        let rule = self.rule;
        let update =
            |theta: &mut [f64], g: &[f64], m: &mut [f64], v: Option<&mut [f64]>| match (rule, v) {
                (
                    Optimizer::Adam {
                        learning_rate,
                        beta1,
                        beta2,
                        epsilon,
                    },
                    Some(v),
                ) => {
                    // Bias corrections folded into the step size and ε (the same
                    // arithmetic as m̂/(√v̂ + ε), without per-entry divisions by c₁, c₂).
                    let c1 = 1.0 - beta1.powi(t);
                    let c2 = 1.0 - beta2.powi(t);
                    let step = learning_rate * c2.sqrt() / c1;
                    let eps = epsilon * c2.sqrt();
                    for (((theta, g), m), v) in
                        theta.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut())
                    {
                        let gi = g + wd * *theta;
                        *m = beta1 * *m + (1.0 - beta1) * gi;
                        *v = beta2 * *v + (1.0 - beta2) * gi * gi;
                        *theta -= step * *m / (v.sqrt() + eps);
                    }
                }
                (
                    Optimizer::Sgd {
                        learning_rate,
                        momentum,
                    },
                    _,
                ) => {
                    for ((theta, g), m) in theta.iter_mut().zip(g).zip(m.iter_mut()) {
                        let gi = g + wd * *theta;
                        *m = momentum * *m + gi;
                        *theta -= learning_rate * *m;
                    }
                }
                (Optimizer::Adam { .. }, None) => unreachable!("Adam state has second moments"),
            };
        let mut second = self.second.iter_mut();
        for ((layer, g), m) in network
            .layers
            .iter_mut()
            .zip(&gradient.layers)
            .zip(&mut self.first)
        {
            // The state is stored column by column, like faer's matrices.
            let rows = layer.weights.nrows();
            let mut v = second.next();
            for j in 0..layer.weights.ncols() {
                let range = j * rows..(j + 1) * rows;
                update(
                    layer.weights.col_as_slice_mut(j),
                    g.col_as_slice(j),
                    &mut m[range.clone()],
                    v.as_mut().map(|v| &mut v[range]),
                );
            }
        }
        let m = self.first.last_mut().expect("readout state");
        update(
            &mut network.readout,
            &gradient.readout,
            m,
            second.next().map(|v| v.as_mut_slice()),
        );
    }
}
