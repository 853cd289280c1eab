//! Monte-Carlo estimates of the population moments, all from one sample set (SPEC §8.7:
//! estimating Ω, ψ and E y² from different samples can make their joint covariance
//! non-PSD and the predicted errors meaningless).

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use rayon::prelude::*;

use crate::SimError;
use crate::error::{check_finite_labels, check_finite_samples, input, not_finite};
use crate::gaussian::stream;
use crate::sampler::{FeatureSampler, NetworkTeacher, forward};

/// Code-form moments estimated from samples, features centred by their sample mean.
#[derive(Debug, Clone)]
pub struct EstimatedMoments {
    /// Ω̂ = mean of (φ − φ̄)(φ − φ̄)ᵀ.
    pub omega: Mat<f64>,
    /// ψ̂ = mean of (φ − φ̄) y.
    pub psi: Vec<f64>,
    /// mean of y² (labels are not centred, as in the authors' code).
    pub label_second_moment: f64,
    /// φ̄.
    pub feature_mean: Vec<f64>,
    /// Number of samples.
    pub samples: usize,
    /// The seed they were drawn with (stream 0).
    pub seed: u64,
}

const CHUNK: usize = 4096;

/// Estimates Ω, ψ, E y² from `samples` draws of `sampler` (stream 0 of `seed`).
/// Samples that are not finite (a feature map that overflowed, NaN labels) and sums
/// that overflow are errors ([`SimError::NotFinite`]), never part of an estimate.
pub fn estimate_moments(
    sampler: &impl FeatureSampler,
    samples: usize,
    seed: u64,
) -> Result<EstimatedMoments, SimError> {
    if samples < 2 {
        return Err(input("samples", "need at least two samples"));
    }
    let p = sampler.feature_dim();
    let mut rng = stream(seed, 0);
    let (mut gram, mut cross, mut sum, mut y_sum, mut y2) = (
        Mat::<f64>::zeros(p, p),
        vec![0.0; p],
        vec![0.0; p],
        0.0,
        0.0,
    );
    let mut left = samples;
    while left > 0 {
        let take = left.min(CHUNK);
        let (x, y) = sampler.sample(&mut rng, take);
        check_finite_samples("features", x.as_ref())?;
        check_finite_labels(&y)?;
        // Fixed degree: the same bits for any thread count.
        matmul(
            gram.as_mut(),
            Accum::Add,
            x.as_ref(),
            x.transpose(),
            1.0,
            dsrf_linalg::fixed_parallelism(),
        );
        for j in 0..take {
            for i in 0..p {
                sum[i] += x[(i, j)];
                cross[i] += x[(i, j)] * y[j];
            }
            y_sum += y[j];
            y2 += y[j] * y[j];
        }
        left -= take;
    }
    check_sums(&gram, &[&sum, &cross], &[y_sum, y2])?;
    let n = samples as f64;
    let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let y_mean = y_sum / n;
    let omega = Mat::from_fn(p, p, |i, j| {
        let g = 0.5 * (gram[(i, j)] + gram[(j, i)]);
        g / n - mean[i] * mean[j]
    });
    // Σ(φ − φ̄) y = Σφy − n φ̄ ȳ.
    let psi = (0..p).map(|i| cross[i] / n - mean[i] * y_mean).collect();
    Ok(EstimatedMoments {
        omega,
        psi,
        label_second_moment: y2 / n,
        feature_mean: mean,
        samples,
        seed,
    })
}

/// Ω̂, Φ̂, Ψ̂ of a network pair from `samples` inputs (centred features), chunks in
/// parallel; stream c of `seed` feeds chunk c, so the result is thread-count independent
/// up to the order of the final sum, which is fixed. Features that are not finite and
/// sums that overflow are errors ([`SimError::NotFinite`]).
pub fn estimate_network_covariances(
    teacher: &NetworkTeacher,
    samples: usize,
    seed: u64,
) -> Result<[Mat<f64>; 3], SimError> {
    if samples < 2 {
        return Err(input("samples", "need at least two samples"));
    }
    let chunks = samples.div_ceil(CHUNK);
    let parts: Vec<[Mat<f64>; 5]> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let take = CHUNK.min(samples - c * CHUNK);
            let mut rng = stream(seed, c as u64);
            let x = teacher.inputs.sample(&mut rng, take);
            let f = forward(&teacher.learner, &x);
            let t = forward(&teacher.target, &x);
            check_finite_samples("learner features", f.as_ref())?;
            check_finite_samples("target features", t.as_ref())?;
            let product = |a: &Mat<f64>, b: &Mat<f64>| {
                let mut out = Mat::<f64>::zeros(a.nrows(), b.nrows());
                matmul(
                    out.as_mut(),
                    Accum::Replace,
                    a.as_ref(),
                    b.transpose(),
                    1.0,
                    Par::Seq,
                );
                out
            };
            let column_sum = |a: &Mat<f64>| {
                Mat::from_fn(a.nrows(), 1, |i, _| {
                    (0..a.ncols()).map(|j| a[(i, j)]).sum::<f64>()
                })
            };
            Ok([
                product(&f, &f),
                product(&f, &t),
                product(&t, &t),
                column_sum(&f),
                column_sum(&t),
            ])
        })
        .collect::<Result<_, SimError>>()?;
    let mut total = parts[0].clone();
    for part in &parts[1..] {
        for (acc, add) in total.iter_mut().zip(part) {
            *acc = &*acc + add;
        }
    }
    for (m, name) in total.iter().zip(["Σφφᵀ", "Σφφ*ᵀ", "Σφ*φ*ᵀ", "Σφ", "Σφ*"]) {
        if !(0..m.ncols()).all(|j| m.col(j).iter().all(|v| v.is_finite())) {
            return Err(not_finite("features", format!("the accumulated {name}")));
        }
    }
    let n = samples as f64;
    let [ff, ft, tt, fs, ts] = total;
    let centred = |m: &Mat<f64>, a: &Mat<f64>, b: &Mat<f64>| {
        Mat::from_fn(m.nrows(), m.ncols(), |i, j| {
            m[(i, j)] / n - a[(i, 0)] * b[(j, 0)] / (n * n)
        })
    };
    Ok([
        centred(&ff, &fs, &fs),
        centred(&ft, &fs, &ts),
        centred(&tt, &ts, &ts),
    ])
}

/// Every accumulated sum of [`estimate_moments`] is finite.
fn check_sums(gram: &Mat<f64>, vectors: &[&[f64]], scalars: &[f64]) -> Result<(), SimError> {
    let p = gram.nrows();
    if !(0..p).all(|j| gram.col(j).iter().all(|v| v.is_finite())) {
        return Err(not_finite("features", "the accumulated Σφφᵀ"));
    }
    if !vectors.iter().all(|v| v.iter().all(|x| x.is_finite())) {
        return Err(not_finite(
            "features and labels",
            "the accumulated Σφ or Σφy",
        ));
    }
    if !scalars.iter().all(|x| x.is_finite()) {
        return Err(not_finite("labels", "the accumulated Σy or Σy²"));
    }
    Ok(())
}
