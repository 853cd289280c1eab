//! First-order optimisers with their state, applied to a network's weights in place in
//! the working precision.

use dsrf_linalg::SimdLevel;
use faer::Par;
use rayon::prelude::*;

use super::engine::{Gradients, Weights};
use super::precision::Float;
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

/// Per-parameter state (momentum / first and second moments) in the working type, one
/// flat block per parameter block of [`Weights`].
pub(crate) struct OptimizerState<T> {
    rule: Optimizer,
    weight_decay: f64,
    first: Vec<Vec<T>>,
    second: Vec<Vec<T>>,
    steps: u64,
}

/// One piece of an Adam update: ((θ, g), (m, v)).
type AdamPiece<'a, T> = ((&'a mut [T], &'a [T]), (&'a mut [T], &'a mut [T]));

/// Parameters per piece of the update handed to rayon.
const PIECE: usize = 1 << 14;

impl<T: Float> OptimizerState<T> {
    pub(crate) fn new(rule: Optimizer, weight_decay: f64, weights: &Weights<T>) -> Self {
        let sizes = weights.block_sizes();
        let zeros = || {
            sizes
                .iter()
                .map(|&s| vec![T::of(0.0); s])
                .collect::<Vec<_>>()
        };
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
    /// (g ← g + wd·θ before the update). Elementwise, so it runs in pieces on the rayon
    /// pool when `par` is rayon's, with the same bits as serially.
    pub(crate) fn step(&mut self, weights: &mut Weights<T>, gradient: &Gradients<T>, par: Par) {
        self.steps += 1;
        let wd = T::of(self.weight_decay);
        let update = Update::<T>::new(self.rule, self.steps);
        let mut second = self.second.iter_mut();
        for ((theta, g), m) in weights
            .blocks_mut()
            .zip(gradient.blocks())
            .zip(&mut self.first)
        {
            match second.next() {
                Some(v) => {
                    let piece =
                        |((theta, g), (m, v)): AdamPiece<'_, T>| update.adam(theta, g, m, v, wd);
                    match par {
                        Par::Seq => theta
                            .chunks_mut(PIECE)
                            .zip(g.chunks(PIECE))
                            .zip(m.chunks_mut(PIECE).zip(v.chunks_mut(PIECE)))
                            .for_each(piece),
                        Par::Rayon(_) => theta
                            .par_chunks_mut(PIECE)
                            .zip(g.par_chunks(PIECE))
                            .zip(m.par_chunks_mut(PIECE).zip(v.par_chunks_mut(PIECE)))
                            .for_each(piece),
                    }
                }
                None => {
                    let piece =
                        |((theta, g), m): ((&mut [T], &[T]), &mut [T])| update.sgd(theta, g, m, wd);
                    match par {
                        Par::Seq => theta
                            .chunks_mut(PIECE)
                            .zip(g.chunks(PIECE))
                            .zip(m.chunks_mut(PIECE))
                            .for_each(piece),
                        Par::Rayon(_) => theta
                            .par_chunks_mut(PIECE)
                            .zip(g.par_chunks(PIECE))
                            .zip(m.par_chunks_mut(PIECE))
                            .for_each(piece),
                    }
                }
            }
        }
    }
}

/// The coefficients of one step, in the working type.
#[derive(Clone, Copy)]
struct Update<T> {
    learning_rate: T,
    /// β₁, β₂ (Adam) or μ, 0 (SGD).
    beta1: T,
    beta2: T,
    /// Adam's ε after folding in the bias correction.
    epsilon: T,
}

impl<T: Float> Update<T> {
    fn new(rule: Optimizer, steps: u64) -> Self {
        match rule {
            Optimizer::Adam {
                learning_rate,
                beta1,
                beta2,
                epsilon,
            } => {
                // Bias corrections (in f64, see module `precision`) folded into the step
                // size and ε: the same arithmetic as m̂/(√v̂ + ε), without per-entry
                // divisions by c₁, c₂.
                let t = steps.min(i32::MAX as u64) as i32;
                let c1 = 1.0 - beta1.powi(t);
                let c2 = 1.0 - beta2.powi(t);
                Self {
                    learning_rate: T::of(learning_rate * c2.sqrt() / c1),
                    beta1: T::of(beta1),
                    beta2: T::of(beta2),
                    epsilon: T::of(epsilon * c2.sqrt()),
                }
            }
            Optimizer::Sgd {
                learning_rate,
                momentum,
            } => Self {
                learning_rate: T::of(learning_rate),
                beta1: T::of(momentum),
                beta2: T::of(0.0),
                epsilon: T::of(0.0),
            },
        }
    }

    /// One Adam update of a piece, in the widest SIMD build the CPU has
    /// ([`SimdLevel`]).
    ///
    /// Why the dispatch: the crate is compiled for baseline x86-64, where this loop
    /// (a square root and a division per entry) vectorises four lanes wide and is
    /// compute-bound — 1.3 s of a 5.8 s epoch of the 784-1500-1400 network in f32, at
    /// 11 GB/s. AVX2 doubles the lanes, AVX-512 doubles them again; the arithmetic is
    /// the same IEEE operations in the same order (no fused multiply-adds), so the bits
    /// do not change.
    fn adam(&self, theta: &mut [T], g: &[T], m: &mut [T], v: &mut [T], wd: T) {
        self.adam_at(SimdLevel::detected(), theta, g, m, v, wd);
    }

    /// [`Self::adam`] in the build of `level` (capped at what the CPU supports).
    fn adam_at(&self, level: SimdLevel, theta: &mut [T], g: &[T], m: &mut [T], v: &mut [T], wd: T) {
        match level.supported() {
            // SAFETY (both arms): `supported` caps the level at what the CPU has.
            #[cfg(target_arch = "x86_64")]
            SimdLevel::Avx512 => unsafe { self.adam_avx512(theta, g, m, v, wd) },
            #[cfg(target_arch = "x86_64")]
            SimdLevel::Avx2 => unsafe { self.adam_avx2(theta, g, m, v, wd) },
            _ => self.adam_portable(theta, g, m, v, wd),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn adam_avx2(&self, theta: &mut [T], g: &[T], m: &mut [T], v: &mut [T], wd: T) {
        self.adam_portable(theta, g, m, v, wd);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn adam_avx512(&self, theta: &mut [T], g: &[T], m: &mut [T], v: &mut [T], wd: T) {
        self.adam_portable(theta, g, m, v, wd);
    }

    #[inline(always)]
    fn adam_portable(&self, theta: &mut [T], g: &[T], m: &mut [T], v: &mut [T], wd: T) {
        let (b1, b2) = (self.beta1, self.beta2);
        let (one_b1, one_b2) = (T::of(1.0) - b1, T::of(1.0) - b2);
        for (((theta, &g), m), v) in theta.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
            let gi = g + wd * *theta;
            *m = (b1 * *m + one_b1 * gi).flush_subnormal();
            *v = (b2 * *v + one_b2 * gi * gi).flush_subnormal();
            *theta -= self.learning_rate * *m / (v.square_root() + self.epsilon);
        }
    }

    /// v ← μ v + g, θ ← θ − η v.
    fn sgd(&self, theta: &mut [T], g: &[T], m: &mut [T], wd: T) {
        for ((theta, &g), m) in theta.iter_mut().zip(g).zip(m.iter_mut()) {
            let gi = g + wd * *theta;
            *m = (self.beta1 * *m + gi).flush_subnormal();
            *theta -= self.learning_rate * *m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A weight whose gradient vanishes (a dead ReLU unit): its moments decay through
    /// the subnormal range, where they are stored as zero instead — and the weight
    /// takes the same bits as without the flush.
    #[test]
    fn decaying_moments_skip_the_subnormal_range_without_moving_the_weight() {
        let rule = Optimizer::adam(1e-3);
        let (mut theta, mut m, mut v) = ([0.25f32, -0.5], [3e-4f32, -2e-6], [1e-9f32, 4e-14]);
        let mut plain = (theta, m, v);
        let mut zero_at = None;
        for step in 1..=3000u64 {
            let update = Update::<f32>::new(rule, step);
            update.adam(&mut theta, &[0.0, 0.0], &mut m, &mut v, 0.0);
            assert!(
                m.iter().chain(&v).all(|x| !x.is_subnormal()),
                "step {step}: {m:?} {v:?}"
            );
            // The same update without the flush.
            for i in 0..2 {
                let (t, mi, vi) = (&mut plain.0[i], &mut plain.1[i], &mut plain.2[i]);
                *mi *= update.beta1;
                *vi *= update.beta2;
                *t -= update.learning_rate * *mi / (vi.sqrt() + update.epsilon);
            }
            assert_eq!(theta, plain.0, "step {step}");
            if zero_at.is_none() && m == [0.0, 0.0] {
                zero_at = Some(step);
            }
        }
        // 0.9ᵗ·3·10⁻⁴ falls below 1.2·10⁻³⁸ after ≈ 770 steps. Unflushed it never
        // reaches zero: 0.9 × the smallest subnormal rounds back to itself.
        assert!(plain.1.iter().all(|x| x.is_subnormal()), "{:?}", plain.1);
        let zero_at = zero_at.expect("the first moments reach zero");
        assert!((700..850).contains(&zero_at), "zero at step {zero_at}");
    }

    /// Every SIMD build of the update the CPU can run gives the portable build's bits,
    /// in both precisions, on pieces with every remainder modulo the vector widths:
    /// with weight decay and gradients, and without them on moments that start just
    /// above the smallest normal number, so that the flush to zero is taken (checked).
    #[test]
    fn simd_and_portable_updates_agree_bitwise() {
        for level in SimdLevel::available() {
            check_simd_update::<f32>(level, f32::MIN_POSITIVE as f64);
            check_simd_update::<f64>(level, f64::MIN_POSITIVE);
        }
    }

    /// `tiny`: the smallest normal number of `T`.
    fn check_simd_update<T: Float + std::fmt::Debug>(level: SimdLevel, tiny: f64) {
        let rule = Optimizer::adam(1e-3);
        for len in [1usize, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1027] {
            let start: Vec<T> = (0..len).map(|i| T::of((i as f64 * 0.61).sin())).collect();
            for (wd, gradient_scale, moment) in [(1e-5, 1.0, 0.0), (0.0, 0.0, tiny)] {
                // First moments decay by β₁ = 0.9 a step, second ones by β₂ = 0.999:
                // from 3 and 1.02 times the smallest normal both go subnormal in 40 steps.
                let m0: Vec<T> = (0..len).map(|_| T::of(3.0 * moment)).collect();
                let v0: Vec<T> = (0..len).map(|_| T::of(1.02 * moment)).collect();
                let mut fast = (start.clone(), m0.clone(), v0.clone());
                let mut portable = (start.clone(), m0, v0);
                for step in 1..=40u64 {
                    let update = Update::<T>::new(rule, step);
                    let g: Vec<T> = (0..len)
                        .map(|i| T::of(gradient_scale * (i as f64 * 1.3 + step as f64).cos()))
                        .collect();
                    let wd = T::of(wd);
                    update.adam_at(level, &mut fast.0, &g, &mut fast.1, &mut fast.2, wd);
                    update.adam_portable(&mut portable.0, &g, &mut portable.1, &mut portable.2, wd);
                    assert_eq!(fast, portable, "{level:?}, length {len}, step {step}");
                }
                if moment > 0.0 {
                    let zero = T::of(0.0);
                    assert!(
                        fast.1.iter().chain(&fast.2).all(|x| *x == zero),
                        "length {len}: the moments were flushed to zero"
                    );
                }
            }
        }
    }
}
