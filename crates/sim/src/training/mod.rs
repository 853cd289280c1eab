//! Training finite-width networks by gradient descent, so that the theory can be applied
//! to learned features (SPEC §4.3, §6.2–§6.4).
//!
//! The loop follows the authors' Keras/PyTorch set-up: mean-squared loss, SGD or Adam,
//! full batch or shuffled mini-batches, early stopping on a validation loss with a
//! patience in epochs, and snapshots of the whole network at log-spaced optimizer steps
//! (the "epoch" of a snapshot is step / steps-per-epoch, as on the paper's colour bars).
//! A snapshot's hidden layers are the learned feature map; its weights feed the
//! linearised theory. [`cache`] stores runs on disk, keyed by everything that
//! determines them.

pub mod cache;
mod engine;
mod network;
mod optimizer;
mod precision;

use faer::{MatRef, Par};
use rand::seq::SliceRandom;

pub use network::{Gradient, Initialization, TrainableNetwork};
pub use optimizer::Optimizer;
pub use precision::Precision;

use crate::gaussian::stream;
use crate::{SimError, error::input};
use engine::{Passes, Weights, Workspace};
use optimizer::OptimizerState;
use precision::Float;

/// Everything that defines a training run except the data and the initial network.
#[derive(Debug, Clone)]
pub struct TrainingConfig {
    /// The update rule.
    pub optimizer: Optimizer,
    /// Coupled L2 weight decay (PyTorch's `weight_decay`); 0 for none.
    pub weight_decay: f64,
    /// Mini-batch size; `None` for full-batch gradient descent.
    pub batch_size: Option<usize>,
    /// Maximum number of epochs.
    pub epochs: usize,
    /// Stop when the validation loss has not improved for this many epochs (needs a
    /// validation set); `None` trains for every epoch.
    pub patience: Option<usize>,
    /// Number of log-spaced snapshot steps in \[1, epochs × steps per epoch\]; the
    /// initial network and the final one are always kept as well.
    pub snapshots: usize,
    /// Seed of the mini-batch shuffling (stream 0 of this seed).
    pub seed: u64,
    /// The floating-point type of the weights, activations, optimizer state and
    /// products during training (snapshots are f64 either way).
    pub precision: Precision,
    /// Parallelism of the matrix products; the elementwise work between them runs on
    /// the rayon pool when this is `Par::Rayon` (module `engine`).
    pub parallelism: Par,
}

impl TrainingConfig {
    /// Full-batch Adam for `epochs` epochs with a learning rate, no decay, no early
    /// stopping, ten snapshots, in f64.
    pub fn full_batch_adam(learning_rate: f64, epochs: usize, seed: u64) -> Self {
        Self {
            optimizer: Optimizer::adam(learning_rate),
            weight_decay: 0.0,
            batch_size: None,
            epochs,
            patience: None,
            snapshots: 10,
            seed,
            precision: Precision::F64,
            parallelism: Par::rayon(0),
        }
    }

    fn validate(&self, n: usize, has_validation: bool) -> Result<(), SimError> {
        self.optimizer.validate()?;
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return Err(input(
                "weight_decay",
                format!("must be finite and ≥ 0, got {}", self.weight_decay),
            ));
        }
        if self.batch_size == Some(0) {
            return Err(input("batch_size", "must be > 0"));
        }
        if self.patience.is_some() && !has_validation {
            return Err(input(
                "patience",
                "early stopping needs a validation set to monitor",
            ));
        }
        if n == 0 {
            return Err(input("training data", "has no samples"));
        }
        Ok(())
    }
}

/// A copy of the network at one moment of training.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Optimizer steps taken so far.
    pub step: usize,
    /// step / steps per epoch.
    pub epoch: f64,
    /// The network at that moment (its hidden layers are the feature map).
    pub network: TrainableNetwork,
}

/// Losses at the end of one epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean of the mini-batch losses seen during the epoch (what Keras reports).
    pub train_loss: f64,
    /// Loss on the validation set after the epoch, when one is given.
    pub validation_loss: Option<f64>,
}

/// The outcome of [`train`].
#[derive(Debug, Clone)]
pub struct TrainingRun {
    /// Snapshots in time order: the initial network, the log-spaced ones reached, and the
    /// final network.
    pub snapshots: Vec<Snapshot>,
    /// One record per epoch run.
    pub history: Vec<EpochRecord>,
    /// Steps per epoch (⌈n / batch⌉).
    pub steps_per_epoch: usize,
    /// Whether early stopping ended the run before `epochs`.
    pub stopped_early: bool,
}

impl TrainingRun {
    /// The network at the end of training.
    pub fn last(&self) -> &TrainableNetwork {
        &self
            .snapshots
            .last()
            .expect("a run keeps its final network")
            .network
    }
}

/// Up to `count` distinct optimizer steps spaced geometrically in \[1, total\] (like the
/// authors' `rational_log_space`).
pub fn log_spaced_steps(total: usize, count: usize) -> Vec<usize> {
    if total == 0 || count == 0 {
        return Vec::new();
    }
    let mut steps: Vec<usize> = (0..count)
        .map(|i| {
            let t = if count == 1 {
                1.0
            } else {
                i as f64 / (count - 1) as f64
            };
            ((total as f64).powf(t).round() as usize).clamp(1, total)
        })
        .collect();
    steps.dedup();
    steps
}

/// Trains `network` on the columns of `x` (d × n) with labels `y`, monitoring the
/// optional validation set. Deterministic for a given configuration and thread count of
/// `parallelism` (and for any thread count with `Par::Seq`).
pub fn train(
    network: TrainableNetwork,
    x: MatRef<'_, f64>,
    y: &[f64],
    validation: Option<(MatRef<'_, f64>, &[f64])>,
    config: &TrainingConfig,
) -> Result<TrainingRun, SimError> {
    network.validate()?;
    let n = x.ncols();
    config.validate(n, validation.is_some())?;
    if x.nrows() != network.input_dim() || y.len() != n {
        return Err(input(
            "training data",
            format!(
                "{}×{} inputs (d × n) with {} labels do not fit a network on d = {}",
                x.nrows(),
                n,
                y.len(),
                network.input_dim()
            ),
        ));
    }
    if let Some((vx, vy)) = validation {
        if vx.nrows() != x.nrows() || vy.len() != vx.ncols() || vy.is_empty() {
            return Err(input(
                "validation data",
                format!(
                    "{}×{} inputs with {} labels do not fit d = {}",
                    vx.nrows(),
                    vx.ncols(),
                    vy.len(),
                    x.nrows()
                ),
            ));
        }
    }
    let run_in = move || match config.precision {
        Precision::F32 => run::<f32>(network, x, y, validation, config),
        Precision::F64 => run::<f64>(network, x, y, validation, config),
    };
    // Every step hands faer and the elementwise passes a dozen parallel regions; from a
    // thread outside the pool each would be a sleeping round trip (`on_pool`).
    match config.parallelism {
        Par::Rayon(_) => dsrf_linalg::on_pool(run_in),
        _ => run_in(),
    }
}

/// [`train`] in the working type `T`, on checked inputs.
fn run<T: Float>(
    network: TrainableNetwork,
    x: MatRef<'_, f64>,
    y: &[f64],
    validation: Option<(MatRef<'_, f64>, &[f64])>,
    config: &TrainingConfig,
) -> Result<TrainingRun, SimError> {
    let par = config.parallelism;
    let n = x.ncols();
    let batch = config.batch_size.unwrap_or(n).min(n);
    let steps_per_epoch = n.div_ceil(batch);
    let planned = log_spaced_steps(config.epochs * steps_per_epoch, config.snapshots);
    let mut next_snapshot = planned.iter().copied().peekable();
    let mut weights = Weights::<T>::of_network(&network);
    drop(network);
    let snapshot = |step: usize, weights: &Weights<T>| Snapshot {
        step,
        epoch: step as f64 / steps_per_epoch as f64,
        network: weights.to_network(),
    };
    let mut snapshots = vec![snapshot(0, &weights)];
    let mut workspace = Workspace::new(&weights, batch, Passes::ForwardBackward);
    let mut state = OptimizerState::new(config.optimizer, config.weight_decay, &weights);
    let mut rng = stream(config.seed, 0);
    let mut order: Vec<usize> = (0..n).collect();
    let mut history = Vec::with_capacity(config.epochs);
    let (mut best, mut waited, mut stopped_early) = (f64::INFINITY, 0usize, false);
    let mut step = 0usize;
    // Full batch: the samples are loaded once and stay (until a validation pass
    // overwrites them).
    let mut resident = false;
    for epoch in 1..=config.epochs {
        if batch < n {
            order.shuffle(&mut rng);
        }
        let mut loss_sum = 0.0;
        for chunk in order.chunks(batch) {
            let k = chunk.len();
            if !(resident && batch == n) {
                workspace.load(x, Some(y), k, |j| chunk[j], par);
                resident = true;
            }
            workspace.forward(&weights, k, par);
            let loss = workspace.squared_error(k) / k as f64;
            if !loss.is_finite() {
                return Err(input(
                    "training",
                    format!(
                        "the loss diverged ({loss}) at epoch {epoch}, step {}; lower the learning rate",
                        step + 1
                    ),
                ));
            }
            loss_sum += loss;
            workspace.backward(&weights, k, par);
            state.step(&mut weights, &workspace.gradient, par);
            step += 1;
            if next_snapshot.peek() == Some(&step) {
                next_snapshot.next();
                snapshots.push(snapshot(step, &weights));
            }
        }
        let validation_loss = validation.map(|(vx, vy)| {
            resident = false;
            workspace.mean_squared_error(&weights, vx, vy, par)
        });
        history.push(EpochRecord {
            epoch,
            train_loss: loss_sum / steps_per_epoch as f64,
            validation_loss,
        });
        if let (Some(patience), Some(v)) = (config.patience, validation_loss) {
            if v < best {
                best = v;
                waited = 0;
            } else {
                waited += 1;
                if waited >= patience {
                    stopped_early = epoch < config.epochs;
                    break;
                }
            }
        }
    }
    if snapshots.last().map(|s| s.step) != Some(step) {
        snapshots.push(snapshot(step, &weights));
    }
    Ok(TrainingRun {
        snapshots,
        history,
        steps_per_epoch,
        stopped_early,
    })
}
