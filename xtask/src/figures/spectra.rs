//! Sampled spectra of layer covariances: features of every layer from one pass over
//! Gaussian inputs, their centred covariance Ω̂_ℓ, and its eigenvalues.
//!
//! Chunks of samples are independent streams of one seed and are summed in a fixed
//! order (groups of chunks in parallel, then sequentially), so the estimate does not
//! depend on the number of threads.

use anyhow::{Result, anyhow};
use dsrf_rainbow::Layer;
use dsrf_sim::{standard_normal, stream};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use rayon::prelude::*;

const CHUNK: usize = 2048;
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
        h = dsrf_rainbow::forward(std::slice::from_ref(layer), &h, Par::Seq);
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

/// The eigenvalues (ascending) of the centred sample covariance of every layer's
/// features, from `samples` inputs x ~ 𝒩(0, I_d) (streams 0, 1, … of `seed`).
pub fn layer_eigenvalues(
    layers: &[Layer],
    d: usize,
    samples: usize,
    seed: u64,
) -> Result<Vec<Vec<f64>>> {
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
                Some(mut a) => {
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
            });
        }
    }
    let acc = acc.ok_or_else(|| anyhow!("no samples"))?;
    let n = samples as f64;
    acc.gram
        .iter()
        .zip(&acc.total)
        .map(|(g, t)| {
            let p = g.nrows();
            let omega = Mat::from_fn(p, p, |i, j| {
                0.5 * (g[(i, j)] + g[(j, i)]) / n - t[i] * t[j] / (n * n)
            });
            let (values, _) = dsrf_linalg::psd_eigenvalues(omega.as_ref(), &Default::default())
                .map_err(|e| anyhow!("eigenvalues of the sampled covariance: {e}"))?;
            Ok(values)
        })
        .collect()
}
