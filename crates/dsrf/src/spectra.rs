//! Sampled spectra of layer covariances: the features of every layer of a network
//! from one pass over x ~ 𝒩(0, I_d), their centred covariance Ω̂_ℓ, and its eigenvalues
//! — the sample side of the precursor's spectral figures (the theory side is
//! `dsrf_rainbow::spectral_density`) — and their density smoothed like the theory's.
//!
//! Chunks of samples are independent streams of one seed and are summed in a fixed
//! order (groups of chunks in parallel, then sequentially), so the estimate does not
//! depend on the number of threads.

use dsrf_rainbow::{Layer, forward};
use dsrf_sim::{standard_normal, stream};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use rayon::prelude::*;

use crate::{DsrfError, Result};

/// Samples per chunk (chunk c is stream c of the seed).
const CHUNK: usize = 2048;
/// Chunks computed in parallel before they are added in order.
const GROUP: usize = 8;

/// Per-layer sums Σ hhᵀ and Σ h.
struct Sums {
    gram: Vec<Mat<f64>>,
    total: Vec<Vec<f64>>,
}

fn chunk_sums(layers: &[Layer], d: usize, take: usize, seed: u64, c: u64) -> Sums {
    let mut rng = stream(seed, c);
    let mut h = standard_normal(&mut rng, d, take);
    let mut sums = Sums {
        gram: Vec::new(),
        total: Vec::new(),
    };
    for layer in layers {
        h = forward(std::slice::from_ref(layer), &h, Par::Seq);
        let p = h.nrows();
        let mut g = Mat::<f64>::zeros(p, p);
        matmul(
            g.as_mut(),
            Accum::Replace,
            h.as_ref(),
            h.transpose(),
            1.0,
            Par::Seq,
        );
        sums.gram.push(g);
        sums.total
            .push((0..p).map(|i| (0..take).map(|j| h[(i, j)]).sum()).collect());
    }
    sums
}

fn add(mut a: Sums, part: Sums) -> Sums {
    for (g, pg) in a.gram.iter_mut().zip(&part.gram) {
        *g += pg;
    }
    for (t, pt) in a.total.iter_mut().zip(&part.total) {
        for (x, y) in t.iter_mut().zip(pt) {
            *x += y;
        }
    }
    a
}

/// The eigenvalues (ascending) of the centred sample covariance of every layer's
/// features, from `samples` inputs x ~ 𝒩(0, I_d) (streams 0, 1, … of `seed`).
pub fn layer_eigenvalues(
    layers: &[Layer],
    d: usize,
    samples: usize,
    seed: u64,
) -> Result<Vec<Vec<f64>>> {
    if samples == 0 {
        return Err(DsrfError::input("samples", "need at least one sample"));
    }
    let chunks = samples.div_ceil(CHUNK);
    let mut acc: Option<Sums> = None;
    for group in (0..chunks).collect::<Vec<_>>().chunks(GROUP) {
        let parts: Vec<Sums> = group
            .par_iter()
            .map(|&c| chunk_sums(layers, d, CHUNK.min(samples - c * CHUNK), seed, c as u64))
            .collect();
        for part in parts {
            acc = Some(match acc {
                None => part,
                Some(a) => add(a, part),
            });
        }
    }
    let acc = acc.expect("at least one chunk");
    let n = samples as f64;
    acc.gram
        .iter()
        .zip(&acc.total)
        .map(|(g, t)| {
            let p = g.nrows();
            let omega = Mat::from_fn(p, p, |i, j| {
                0.5 * (g[(i, j)] + g[(j, i)]) / n - t[i] * t[j] / (n * n)
            });
            let (values, _) = dsrf_linalg::psd_eigenvalues(omega.as_ref(), &Default::default())?;
            Ok(values)
        })
        .collect()
}

/// The density of `values` smoothed by a Lorentzian of width η at x,
/// Im ⟨(v − x − iη)⁻¹⟩/π: what `dsrf_rainbow::spectral_density` gives at the same η, so
/// that sampled and theoretical spectra (atoms included) are compared alike.
pub fn smoothed_density(values: &[f64], x: f64, eta: f64) -> f64 {
    values
        .iter()
        .map(|v| eta / ((v - x).powi(2) + eta * eta))
        .sum::<f64>()
        / (std::f64::consts::PI * values.len() as f64)
}
