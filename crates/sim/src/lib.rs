//! The finite-sample simulator: what actually happens at finite size, and therefore
//! the ground truth for every formula of dsrf.
//!
//! Depends on `dsrf-linalg` and `dsrf-rainbow` only; `dsrf-theory` is used solely as a
//! dev-dependency by the tests that tie the layers together.
//!
//! # Design decisions
//!
//! * **Seeded streams.** Every draw comes from a ChaCha8 stream selected by
//!   (seed, stream id); replicate r uses streams 2r (training) and 2r + 1 (test), so
//!   results are bit-identical whatever the number of threads.
//! * **One pass, every λ, every n.** A ridge experiment only needs the accumulated
//!   second moments Σφφᵀ, Σφy, Σy² ([`SecondMoments`]): nested prefixes of one sample
//!   give every n, one tridiagonalisation of the Gram matrix gives every λ, and train and
//!   held-out errors are quadratic forms in the same sums.
//! * **Parallel across replicates**, sequential faer products inside (never nested);
//!   the few library products outside replicates (e.g. in [`estimate_moments`]) use
//!   `dsrf_linalg::fixed_parallelism()`, so their bits do not depend on the thread count
//!   either.
//! * **Checked once, with units.** A learning curve is described by a [`CurveConfig`]
//!   whose penalties carry their units ([`Penalties::Code`] λ_c or [`Penalties::Paper`]
//!   λ = λ_c/p); [`CurveConfig::check`] validates it against the feature dimension and
//!   [`simulate_learning_curve`] takes only the resulting [`CheckedCurveConfig`].
//! * **NaN never becomes a number.** Samples that are not finite (a feature map that
//!   overflowed, NaN labels), sums that overflow and errors whose quadratic form is not
//!   finite are [`SimError::NotFinite`], never clipped to 0; [`Summary`] scales huge
//!   and tiny replicate values so that finite inputs give finite summaries.
//!
//! * **Training** ([`train`]) follows the authors' Keras/PyTorch set-up (MSE, SGD or
//!   Adam, mini-batches, early stopping, log-spaced snapshots) with manual
//!   backpropagation on faer products, so that the theory can be applied to learned
//!   features; a snapshot's hidden layers are ordinary `dsrf_rainbow::Layer`s.
//! * **A training cache** ([`TrainingCache`]) keyed by the whole configuration, the
//!   initial network, fingerprints of the data and [`TRAINING_VERSION`], verified on load.
//!
//! * **Beyond ridge** ([`fit_logistic`], [`fit_hinge`]): logistic regression by Newton
//!   with a Cholesky solve (gradient-norm certificate) and the soft-margin SVM by dual
//!   coordinate descent (duality-gap certificate), the ground truth of the theory's
//!   Gaussian-covariate-model equations.
//!
//! Contents: Gaussian inputs ([`GaussianInputs`]), linear and network teachers
//! ([`LinearTeacher`], [`NetworkTeacher`]), ridge paths and simulated learning curves
//! with held-out or exact population test errors ([`simulate_learning_curve`] with a
//! [`CurveConfig`]),
//! Monte-Carlo estimates of the population moments from one sample set
//! ([`estimate_moments`], [`estimate_network_covariances`]), real data (IDX files, plain
//! or gzip; the parity and Fashion class maps; normalisation and seeded splits) and
//! network training ([`TrainableNetwork`], [`train`]). See `docs/simulate.md`.
#![deny(missing_docs)]

mod classify;
mod curve;
mod data;
mod error;
mod estimate;
mod gaussian;
mod moments;
mod sampler;
mod training;

pub use classify::{
    ClassificationConfig, ClassificationPoint, Classifier, ClassifierFit, DUALITY_GAP_TOLERANCE,
    GRADIENT_TOLERANCE, fit_hinge, fit_logistic, simulate_classification,
};
pub use curve::{
    CheckedCurveConfig, CurveConfig, Penalties, PenaltyUnits, SimulatedPoint, Summary, TestError,
    simulate_learning_curve,
};
pub use data::{
    Dataset, IdxArray, fashion_tops, load_idx_dataset, parity, parse_idx, read_idx, split,
};
pub use error::CacheProblem;
pub use error::SimError;
pub use estimate::{EstimatedMoments, estimate_moments, estimate_network_covariances};
pub use gaussian::{GaussianInputs, standard_normal, stream};
pub use moments::SecondMoments;
pub use sampler::{DatasetSampler, FeatureSampler, LinearTeacher, NetworkTeacher};
pub use training::cache::{CachedRun, Lookup, Store, TRAINING_VERSION, TrainingCache};
pub use training::{
    EpochRecord, Gradient, Initialization, Optimizer, Precision, Snapshot, TrainableNetwork,
    TrainingConfig, TrainingRun, log_spaced_steps, train,
};
