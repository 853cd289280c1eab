//! The training step in a working precision, allocation-free: every buffer a step
//! needs (the gathered batch, pre-activations, activations, backpropagated errors,
//! gradients) is allocated once per run in a [`Workspace`] sized for the largest batch,
//! and a smaller batch uses the leading columns of each buffer.
//!
//! # Parallelism
//!
//! The matrix products get the run's [`Par`] (faer splits them). Everything between
//! them — gathering and converting the batch, the activations and their derivatives,
//! the errors δ, and the optimizer update — is elementwise, and runs on the current
//! rayon pool in pieces of a fixed number of whole columns whenever the run's `Par` is
//! `Par::Rayon` (serially for `Par::Seq`). Elementwise work gives the same bits however
//! it is split, so this adds no dependence on the thread count; the only reductions
//! outside faer's products, the losses, are serial sums in f64 (module `precision`).
//!
//! # Buffers
//!
//! A [`Buffer`] is a column-major `Vec` with leading dimension = rows, so that a piece
//! of whole columns is one contiguous slice for rayon, and any leading block of columns
//! is a faer view without copying.

use dsrf_rainbow::{Activation, Layer};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rayon::prelude::*;

use super::network::{Gradient, TrainableNetwork};
use super::precision::Float;

/// Entries per piece of elementwise work handed to rayon (≈ 64 kB of f32): large
/// enough that scheduling is noise, small enough that two cores share a 128-column
/// batch of a 2000-wide layer evenly.
const PIECE: usize = 1 << 14;

/// A column-major matrix with leading dimension = rows (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Buffer<T> {
    pub(crate) data: Vec<T>,
    pub(crate) rows: usize,
}

impl<T: Float> Buffer<T> {
    fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            data: vec![T::of(0.0); rows * cols],
            rows,
        }
    }

    fn cols(&self) -> usize {
        self.data.len().checked_div(self.rows).unwrap_or(0)
    }

    /// The leading `cols` columns.
    pub(crate) fn view(&self, cols: usize) -> MatRef<'_, T> {
        MatRef::from_column_major_slice(&self.data[..self.rows * cols], self.rows, cols)
    }

    fn view_mut(&mut self, cols: usize) -> MatMut<'_, T> {
        MatMut::from_column_major_slice_mut(&mut self.data[..self.rows * cols], self.rows, cols)
    }

    fn of_matrix(m: MatRef<'_, f64>) -> Self {
        let mut b = Self::zeros(m.nrows(), m.ncols());
        for j in 0..m.ncols() {
            for i in 0..m.nrows() {
                b.data[j * m.nrows() + i] = T::of(m[(i, j)]);
            }
        }
        b
    }

    fn to_matrix(&self) -> Mat<f64> {
        Mat::from_fn(self.rows, self.cols(), |i, j| {
            self.data[j * self.rows + i].wide()
        })
    }
}

/// Column vector view of a slice.
fn column<T: Float>(v: &[T]) -> MatRef<'_, T> {
    MatRef::from_column_major_slice(v, v.len(), 1)
}

fn column_mut<T: Float>(v: &mut [T]) -> MatMut<'_, T> {
    let n = v.len();
    MatMut::from_column_major_slice_mut(v, n, 1)
}

/// Runs `f(first column, piece)` over pieces of whole columns of `data` (`rows` rows),
/// in parallel when `par` is rayon's.
fn for_columns<T: Send>(par: Par, rows: usize, data: &mut [T], f: impl Fn(usize, &mut [T]) + Sync) {
    let cols = (PIECE / rows.max(1)).max(1);
    let size = cols * rows.max(1);
    match par {
        Par::Seq => data
            .chunks_mut(size)
            .enumerate()
            .for_each(|(p, piece)| f(p * cols, piece)),
        Par::Rayon(_) => data
            .par_chunks_mut(size)
            .enumerate()
            .for_each(|(p, piece)| f(p * cols, piece)),
    }
}

/// [`for_columns`] over two buffers of the same shape at once.
fn for_columns_2<T: Send>(
    par: Par,
    rows: usize,
    a: &mut [T],
    b: &mut [T],
    f: impl Fn(usize, &mut [T], &mut [T]) + Sync,
) {
    let cols = (PIECE / rows.max(1)).max(1);
    let size = cols * rows.max(1);
    match par {
        Par::Seq => a
            .chunks_mut(size)
            .zip(b.chunks_mut(size))
            .enumerate()
            .for_each(|(p, (a, b))| f(p * cols, a, b)),
        Par::Rayon(_) => a
            .par_chunks_mut(size)
            .zip(b.par_chunks_mut(size))
            .enumerate()
            .for_each(|(p, (a, b))| f(p * cols, a, b)),
    }
}

/// The network's parameters in the working type.
#[derive(Debug, Clone)]
pub(crate) struct Weights<T> {
    /// Hidden weights, out × in, first layer first.
    pub(crate) layers: Vec<Buffer<T>>,
    pub(crate) activations: Vec<Activation>,
    pub(crate) readout: Vec<T>,
}

impl<T: Float> Weights<T> {
    /// The network rounded to the working type.
    pub(crate) fn of_network(network: &TrainableNetwork) -> Self {
        Self {
            layers: network
                .layers
                .iter()
                .map(|l| Buffer::of_matrix(l.weights.as_ref()))
                .collect(),
            activations: network
                .layers
                .iter()
                .map(|l| l.activation.clone())
                .collect(),
            readout: network.readout.iter().map(|&a| T::of(a)).collect(),
        }
    }

    /// The network in f64 (a snapshot).
    pub(crate) fn to_network(&self) -> TrainableNetwork {
        TrainableNetwork {
            layers: self
                .layers
                .iter()
                .zip(&self.activations)
                .map(|(w, a)| Layer {
                    weights: w.to_matrix(),
                    activation: a.clone(),
                })
                .collect(),
            readout: self.readout.iter().map(|a| a.wide()).collect(),
        }
    }

    fn input_dim(&self) -> usize {
        self.layers.first().map_or(self.readout.len(), |w| w.cols())
    }

    /// Every parameter block (layer weights, then the readout) as a flat slice.
    /// The lengths of the blocks of [`Weights::blocks_mut`], in its order.
    pub(crate) fn block_sizes(&self) -> Vec<usize> {
        self.layers
            .iter()
            .map(|w| w.data.len())
            .chain(std::iter::once(self.readout.len()))
            .collect()
    }

    pub(crate) fn blocks_mut(&mut self) -> impl Iterator<Item = &mut [T]> {
        self.layers
            .iter_mut()
            .map(|w| w.data.as_mut_slice())
            .chain(std::iter::once(self.readout.as_mut_slice()))
    }
}

/// ∂loss/∂parameters in the working type, laid out like [`Weights`].
#[derive(Debug, Clone)]
pub(crate) struct Gradients<T> {
    layers: Vec<Buffer<T>>,
    readout: Vec<T>,
}

impl<T: Float> Gradients<T> {
    /// Every block, in the order of [`Weights::blocks_mut`].
    pub(crate) fn blocks(&self) -> impl Iterator<Item = &[T]> {
        self.layers
            .iter()
            .map(|g| g.data.as_slice())
            .chain(std::iter::once(self.readout.as_slice()))
    }

    pub(crate) fn to_gradient(&self) -> Gradient {
        Gradient {
            layers: self.layers.iter().map(Buffer::to_matrix).collect(),
            readout: self.readout.iter().map(|g| g.wide()).collect(),
        }
    }
}

/// Every buffer of a forward and backward pass on up to `capacity` samples.
pub(crate) struct Workspace<T> {
    capacity: usize,
    /// The samples, d × k.
    input: Buffer<T>,
    labels: Vec<f64>,
    /// z_ℓ = W_ℓ h_{ℓ−1} (replaced by f′(z_ℓ) during the backward pass).
    pre: Vec<Buffer<T>>,
    /// h_ℓ = f_ℓ(z_ℓ).
    post: Vec<Buffer<T>>,
    /// δ_ℓ = ∂loss/∂z_ℓ.
    delta: Vec<Buffer<T>>,
    /// Network outputs, then the residuals 2(ŷ − y)/k.
    out: Vec<T>,
    pub(crate) gradient: Gradients<T>,
}

/// Which passes a [`Workspace`] holds buffers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Passes {
    /// Forward only (outputs, features, losses).
    Forward,
    /// Forward and backward (training).
    ForwardBackward,
}

impl<T: Float> Workspace<T> {
    pub(crate) fn new(weights: &Weights<T>, capacity: usize, passes: Passes) -> Self {
        let widths: Vec<usize> = weights.layers.iter().map(|w| w.rows).collect();
        let per_layer = |cols: usize| -> Vec<Buffer<T>> {
            widths.iter().map(|&w| Buffer::zeros(w, cols)).collect()
        };
        let backward = match passes {
            Passes::Forward => 0,
            Passes::ForwardBackward => 1,
        };
        Self {
            capacity,
            input: Buffer::zeros(weights.input_dim(), capacity),
            labels: vec![0.0; capacity],
            pre: per_layer(capacity),
            post: per_layer(capacity),
            delta: per_layer(backward * capacity),
            out: vec![T::of(0.0); capacity],
            gradient: Gradients {
                layers: weights
                    .layers
                    .iter()
                    .map(|w| Buffer::zeros(w.rows, backward * w.cols()))
                    .collect(),
                readout: vec![T::of(0.0); backward * weights.readout.len()],
            },
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Copies samples `source(0), …, source(k − 1)` of `x` (and of the labels `y`, when
    /// given) into the workspace, converted to the working type.
    pub(crate) fn load(
        &mut self,
        x: MatRef<'_, f64>,
        y: Option<&[f64]>,
        k: usize,
        source: impl Fn(usize) -> usize + Sync,
        par: Par,
    ) {
        let d = self.input.rows;
        for_columns(par, d, &mut self.input.data[..d * k], |first, piece| {
            for (c, col) in piece.chunks_mut(d).enumerate() {
                let from = x.col(source(first + c));
                match from.try_as_col_major() {
                    Some(from) => {
                        for (v, &s) in col.iter_mut().zip(from.as_slice()) {
                            *v = T::of(s);
                        }
                    }
                    None => {
                        for (i, v) in col.iter_mut().enumerate() {
                            *v = T::of(from[i]);
                        }
                    }
                }
            }
        });
        if let Some(y) = y {
            for (j, label) in self.labels[..k].iter_mut().enumerate() {
                *label = y[source(j)];
            }
        }
    }

    /// The forward pass on the first `k` loaded samples; the outputs go to `out`.
    pub(crate) fn forward(&mut self, w: &Weights<T>, k: usize, par: Par) {
        for l in 0..w.layers.len() {
            let rows = w.layers[l].rows;
            let below = if l == 0 {
                self.input.view(k)
            } else {
                self.post[l - 1].view(k)
            };
            let fan_in = w.layers[l].cols();
            matmul(
                self.pre[l].view_mut(k),
                Accum::Replace,
                w.layers[l].view(fan_in),
                below,
                T::of(1.0),
                par,
            );
            let pre = &self.pre[l].data;
            let activation = &w.activations[l];
            for_columns(
                par,
                rows,
                &mut self.post[l].data[..rows * k],
                |first, piece| {
                    piece.copy_from_slice(&pre[first * rows..first * rows + piece.len()]);
                    T::activate(activation, piece);
                },
            );
        }
        let last = self.post.last().unwrap_or(&self.input).view(k);
        matmul(
            column_mut(&mut self.out[..k]),
            Accum::Replace,
            last.transpose(),
            column(&w.readout),
            T::of(1.0),
            par,
        );
    }

    /// h_L of the first `k` samples after [`Self::forward`] (the inputs without hidden
    /// layers).
    pub(crate) fn features(&self, k: usize) -> MatRef<'_, T> {
        self.post.last().unwrap_or(&self.input).view(k)
    }

    /// The outputs of the last forward pass.
    pub(crate) fn outputs(&self, k: usize) -> &[T] {
        &self.out[..k]
    }

    /// Σⱼ (ŷⱼ − yⱼ)² over the first `k` samples, accumulated in f64.
    pub(crate) fn squared_error(&self, k: usize) -> f64 {
        self.out[..k]
            .iter()
            .zip(&self.labels[..k])
            .map(|(o, y)| (o.wide() - y).powi(2))
            .sum()
    }

    /// The backward pass after [`Self::forward`] on the same `k` samples: the gradient of
    /// the mean squared error (1/k) Σ (ŷⱼ − yⱼ)².
    pub(crate) fn backward(&mut self, w: &Weights<T>, k: usize, par: Par) {
        // e = ∂loss/∂output = 2 (ŷ − y)/k, formed in f64 and rounded once.
        for (o, y) in self.out[..k].iter_mut().zip(&self.labels[..k]) {
            *o = T::of(2.0 * (o.wide() - y) / k as f64);
        }
        let e = &self.out[..k];
        let last = self.post.last().unwrap_or(&self.input).view(k);
        matmul(
            column_mut(&mut self.gradient.readout),
            Accum::Replace,
            last,
            column(e),
            T::of(1.0),
            par,
        );
        let Some(top) = w.layers.len().checked_sub(1) else {
            return;
        };
        // δ_L = (a eᵀ) ∘ f_L′(z_L), then δ_{ℓ−1} = (W_ℓᵀ δ_ℓ) ∘ f′_{ℓ−1}(z_{ℓ−1}).
        let rows = w.layers[top].rows;
        let (a, activation) = (&w.readout, &w.activations[top]);
        for_columns_2(
            par,
            rows,
            &mut self.delta[top].data[..rows * k],
            &mut self.pre[top].data[..rows * k],
            |first, delta, slope| {
                T::activate_derivative(activation, slope);
                for (c, (d, s)) in delta.chunks_mut(rows).zip(slope.chunks(rows)).enumerate() {
                    let ej = e[first + c];
                    for ((d, s), ai) in d.iter_mut().zip(s).zip(a) {
                        *d = *ai * ej * *s;
                    }
                }
            },
        );
        for l in (0..=top).rev() {
            if l < top {
                let rows = w.layers[l].rows;
                let (lower, upper) = self.delta.split_at_mut(l + 1);
                let above = &w.layers[l + 1];
                matmul(
                    lower[l].view_mut(k),
                    Accum::Replace,
                    above.view(above.cols()).transpose(),
                    upper[0].view(k),
                    T::of(1.0),
                    par,
                );
                let activation = &w.activations[l];
                for_columns_2(
                    par,
                    rows,
                    &mut lower[l].data[..rows * k],
                    &mut self.pre[l].data[..rows * k],
                    |_, delta, slope| {
                        T::activate_derivative(activation, slope);
                        for (d, s) in delta.iter_mut().zip(slope.iter()) {
                            *d *= *s;
                        }
                    },
                );
            }
            let below = if l == 0 {
                self.input.view(k)
            } else {
                self.post[l - 1].view(k)
            };
            let g = &mut self.gradient.layers[l];
            let fan_in = g.cols();
            matmul(
                g.view_mut(fan_in),
                Accum::Replace,
                self.delta[l].view(k),
                below.transpose(),
                T::of(1.0),
                par,
            );
        }
    }

    /// The mean squared error of the network on all of `x`, `y`, in chunks of the
    /// workspace's capacity (overwrites the loaded samples).
    pub(crate) fn mean_squared_error(
        &mut self,
        w: &Weights<T>,
        x: MatRef<'_, f64>,
        y: &[f64],
        par: Par,
    ) -> f64 {
        let mut sum = 0.0;
        let mut start = 0;
        while start < y.len() {
            let k = self.capacity.min(y.len() - start);
            self.load(x, Some(y), k, |j| start + j, par);
            self.forward(w, k, par);
            sum += self.squared_error(k);
            start += k;
        }
        sum / y.len().max(1) as f64
    }
}
