//! The floating-point type training runs in.
//!
//! Training in f32 is what practitioners (and the authors, in Keras) do; it halves the
//! memory traffic and doubles the SIMD width of every product. Only training uses it:
//! the initial network is rounded to the working type once, snapshots are converted
//! back to f64 once, and everything downstream (features, covariances, Theorem 3.1,
//! ridge fits) stays f64.
//!
//! # How f32 training stays stable
//!
//! - The matrix products run in the working type with faer's f32 kernels, accumulating
//!   in f32 as cuBLAS, XLA and OpenBLAS' `sgemm` do; their inner dimension is a batch or
//!   a width (≤ a few thousand), where f32 accumulation loses ≈ √k·ε₃₂ ≲ 10⁻⁵ relatively.
//! - Every loss is accumulated in f64: the squared residuals of a batch, the mean over
//!   an epoch's batches, and the validation loss over its chunks. The loss is what
//!   early stopping compares, and a mean of 10⁴–10⁵ f32 terms would otherwise lose
//!   digits.
//! - The residuals 2(ŷ − y)/n are formed in f64 from the f32 outputs and rounded once.
//! - Adam's bias corrections (1 − βᵗ, which tend to 1 from below) are computed in f64
//!   and enter the f32 update as one step size and one ε, as in PyTorch.
//!
//! # Subnormal optimizer state
//!
//! The moments of Adam (and SGD's momentum) of a weight whose gradient is zero or tiny
//! — a dead ReLU unit — decay geometrically (m by β₁ = 0.9 per step) into the
//! subnormal range, and they never leave it: 0.9 × the smallest subnormal rounds back
//! to itself. Arithmetic on subnormal numbers takes a microcode assist of ~100 cycles
//! on x86, and in f32 (smallest normal 1.2·10⁻³⁸) a moment gets there within ≈ 800
//! steps: training the MNIST network, the Adam pass (10 % of a step in one epoch from
//! a fresh start) took 60 % of the time. Every stored moment below the smallest normal number
//! is therefore set to zero ([`Float::flush_subnormal`]) — what TensorFlow and XLA do
//! for all f32 arithmetic on CPUs (flush-to-zero). It does not change the weights: such
//! an m moves a weight by less than η·10⁻³⁸/ε ≈ 10⁻³³, and such a v changes √v̂ + ε by
//! less than 10⁻¹⁹ next to ε = 10⁻⁸, both far below half an ulp (the same holds in f64
//! with 2.2·10⁻³⁰⁸).

use dsrf_rainbow::Activation;

/// The floating-point type of a training run (weights, activations, optimizer state and
/// the matrix products).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precision {
    /// Single precision (what Keras, PyTorch and JAX train in by default).
    F32,
    /// Double precision (exact checks, e.g. gradient descent converging to ridge).
    F64,
}

impl Precision {
    /// "f32" or "f64".
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }
}

/// A working type of training: faer's real scalars plus the conversions and the
/// activation kernels training needs.
pub(crate) trait Float: faer::traits::RealField + Copy + Send + Sync + 'static {
    fn of(x: f64) -> Self;
    fn wide(self) -> f64;
    fn square_root(self) -> Self;
    /// Zero for a subnormal number (|x| below the smallest normal), x otherwise.
    fn flush_subnormal(self) -> Self;
    /// Replaces every entry x by f(x).
    fn activate(activation: &Activation, values: &mut [Self]);
    /// Replaces every entry x by f′(x) (activations are checked to have one before
    /// training starts).
    fn activate_derivative(activation: &Activation, values: &mut [Self]);
}

impl Float for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
    fn wide(self) -> f64 {
        self as f64
    }
    fn square_root(self) -> Self {
        self.sqrt()
    }
    fn flush_subnormal(self) -> Self {
        if self.abs() < Self::MIN_POSITIVE {
            0.0
        } else {
            self
        }
    }
    fn activate(activation: &Activation, values: &mut [Self]) {
        activation.apply_to_slice_f32(values);
    }
    fn activate_derivative(activation: &Activation, values: &mut [Self]) {
        let _ = activation.derivative_to_slice_f32(values);
    }
}

impl Float for f64 {
    fn of(x: f64) -> Self {
        x
    }
    fn wide(self) -> f64 {
        self
    }
    fn square_root(self) -> Self {
        self.sqrt()
    }
    fn flush_subnormal(self) -> Self {
        if self.abs() < Self::MIN_POSITIVE {
            0.0
        } else {
            self
        }
    }
    fn activate(activation: &Activation, values: &mut [Self]) {
        activation.apply_to_slice(values);
    }
    fn activate_derivative(activation: &Activation, values: &mut [Self]) {
        let _ = activation.derivative_to_slice(values);
    }
}
