//! The O(p) sums over the spectrum that every evaluation needs, written with
//! independent per-lane accumulators so that the compiler can keep several divisions
//! and additions in flight (and vectorise them) — a plain `for` loop with one
//! accumulator is bound by the latency of a single chain of additions.

/// Lanes of independent accumulators.
const LANES: usize = 8;

/// Sums at a given κ (see [`crate::fixed_point`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpectralSums {
    /// Σ κ/(ω + κ) = r − df₁.
    pub complement: f64,
    /// Σ ωκ/(ω + κ)² = df₁ − df₂ (a sum of positive terms).
    pub cross: f64,
    /// df₁ = Σ ω/(ω + κ).
    pub df1: f64,
    /// df₂ = Σ ω²/(ω + κ)².
    pub df2: f64,
}

#[inline(always)]
fn reduce(lanes: [f64; LANES]) -> f64 {
    lanes.iter().sum()
}

/// [`SpectralSums`] over the eigenvalues `values` at κ.
pub(crate) fn spectral_sums(values: &[f64], kappa: f64) -> SpectralSums {
    let (mut c, mut x, mut d1, mut d2) = ([0.0; LANES], [0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let chunks = values.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for l in 0..LANES {
            let w = chunk[l];
            let t = 1.0 / (w + kappa);
            let a = w * t;
            let b = kappa * t;
            c[l] += b;
            d1[l] += a;
            d2[l] += a * a;
            x[l] += a * b;
        }
    }
    for (l, &w) in tail.iter().enumerate() {
        let t = 1.0 / (w + kappa);
        let a = w * t;
        let b = kappa * t;
        c[l] += b;
        d1[l] += a;
        d2[l] += a * a;
        x[l] += a * b;
    }
    SpectralSums {
        complement: reduce(c),
        cross: reduce(x),
        df1: reduce(d1),
        df2: reduce(d2),
    }
}

/// [`SpectralSums`] and the shrinkage part of the bias, Σ (a²/ω)(κ/(ω+κ))² with
/// `leverage` = a²/ω, in one pass (one division per eigenvalue).
pub(crate) fn risk_sums(values: &[f64], leverage: &[f64], kappa: f64) -> (SpectralSums, f64) {
    let (mut c, mut x, mut d1, mut d2, mut sb) = (
        [0.0; LANES],
        [0.0; LANES],
        [0.0; LANES],
        [0.0; LANES],
        [0.0; LANES],
    );
    let chunks = values.chunks_exact(LANES).zip(leverage.chunks_exact(LANES));
    for (w, h) in chunks {
        for l in 0..LANES {
            let t = 1.0 / (w[l] + kappa);
            let a = w[l] * t;
            let b = kappa * t;
            c[l] += b;
            d1[l] += a;
            d2[l] += a * a;
            x[l] += a * b;
            sb[l] += h[l] * b * b;
        }
    }
    let done = values.len() - values.len() % LANES;
    for (l, (&w, &h)) in values[done..].iter().zip(&leverage[done..]).enumerate() {
        let t = 1.0 / (w + kappa);
        let a = w * t;
        let b = kappa * t;
        c[l] += b;
        d1[l] += a;
        d2[l] += a * a;
        x[l] += a * b;
        sb[l] += h * b * b;
    }
    let sums = SpectralSums {
        complement: reduce(c),
        cross: reduce(x),
        df1: reduce(d1),
        df2: reduce(d2),
    };
    (sums, reduce(sb))
}

/// Error-free sum of two floats (Knuth's TwoSum, branch-free).
#[inline(always)]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// `n − Σ ω/(ω+κ)` with compensated summation (error of a few ulps of n instead of
/// growing with the length), and Σ ωκ/(ω+κ)².
pub(crate) fn compensated_shortfall(values: &[f64], kappa: f64, n: f64) -> (f64, f64) {
    let (mut s, mut e, mut x) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
    let chunks = values.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for l in 0..LANES {
            let w = chunk[l];
            let t = 1.0 / (w + kappa);
            let a = w * t;
            let (sum, err) = two_sum(s[l], a);
            s[l] = sum;
            e[l] += err;
            x[l] += a * kappa * t;
        }
    }
    for (l, &w) in tail.iter().enumerate() {
        let t = 1.0 / (w + kappa);
        let a = w * t;
        let (sum, err) = two_sum(s[l], a);
        s[l] = sum;
        e[l] += err;
        x[l] += a * kappa * t;
    }
    // Combine n and the lanes, still error-free, then subtract the corrections.
    let (mut total, mut correction) = (n, -reduce(e));
    for &lane in &s {
        let (sum, err) = two_sum(total, -lane);
        total = sum;
        correction += err;
    }
    (total + correction, reduce(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_sums_match_plain_sums() {
        let values: Vec<f64> = (1..=37).map(|i| 1.0 / i as f64).collect();
        let weights: Vec<f64> = (1..=37).map(|i| (i as f64).sin().powi(2)).collect();
        let kappa = 0.3;
        let s = spectral_sums(&values, kappa);
        let plain = |f: &dyn Fn(f64) -> f64| values.iter().map(|&w| f(w)).sum::<f64>();
        let close = |a: f64, b: f64| assert!((a - b).abs() <= 1e-14 * b.abs(), "{a} vs {b}");
        close(s.complement, plain(&|w| kappa / (w + kappa)));
        close(s.df1, plain(&|w| w / (w + kappa)));
        close(s.df2, plain(&|w| (w / (w + kappa)).powi(2)));
        close(s.cross, plain(&|w| w * kappa / (w + kappa).powi(2)));
        let bias: f64 = values
            .iter()
            .zip(&weights)
            .map(|(w, a2)| a2 * (kappa / (w + kappa)).powi(2) / w)
            .sum();
        let leverage: Vec<f64> = values.iter().zip(&weights).map(|(w, a2)| a2 / w).collect();
        let (fused, fused_bias) = risk_sums(&values, &leverage, kappa);
        close(fused.df2, s.df2);
        close(fused.cross, s.cross);
        close(fused_bias, bias);
    }

    #[test]
    fn compensated_shortfall_survives_cancellation() {
        // n minus 10⁴ terms near 2/3 with n ≈ their sum: a plain running sum is off by
        // ~1e-12 here; the compensated one agrees with a sequential Neumaier sum.
        let values: Vec<f64> = (0..10_000).map(|i| 2.0 + (i % 17) as f64 * 1e-3).collect();
        let kappa = 1.0;
        let terms: Vec<f64> = values.iter().map(|w| w * (1.0 / (w + kappa))).collect();
        let naive: f64 = terms.iter().sum();
        let n = (naive * 1e6).round() / 1e6;
        let (mut sum, mut c) = (n, 0.0f64);
        for &t in &terms {
            let next = sum - t;
            c += if sum.abs() >= t.abs() {
                (sum - next) - t
            } else {
                (-t - next) + sum
            };
            sum = next;
        }
        let reference = sum + c;
        let (q, _) = compensated_shortfall(&values, kappa, n);
        assert!((q - reference).abs() < 1e-14, "{q} vs {reference}");
        let mut plain = n;
        for &t in &terms {
            plain -= t;
        }
        assert!(
            (plain - reference).abs() > 1e-13,
            "the test lost its teeth: {plain} vs {reference}"
        );
    }
}
