//! Comparison metrics used by every figure and by `dsrf simulate`/`dsrf empirical`:
//! relative deviations (undefined, not infinite, against a zero reference),
//! their quantiles, the peaks of a curve, and one (n, λ) point of ridge on samples
//! held against Theorem 3.1 ([`PointComparison`]).

use dsrf_sim::Summary;
use dsrf_theory::{Penalty, RiskPoint};

/// One (n, λ) point: ridge on samples (over replicates or subsets) and the theory.
#[derive(Debug, Clone, PartialEq)]
pub struct PointComparison {
    /// Sample size.
    pub n: usize,
    /// The penalty as given.
    pub penalty: Penalty,
    /// λ_c (code units).
    pub lambda_code: f64,
    /// Test error over replicates (label noise included, like the theory's).
    pub test: Summary,
    /// Train error over replicates.
    pub train: Summary,
    /// Theorem 3.1 at (n, λ).
    pub theory: RiskPoint,
    /// test mean / theory − 1, or `None` when the theory's test error is 0 (a zero
    /// target without noise: the deviation is undefined).
    pub relative_deviation: Option<f64>,
}

impl PointComparison {
    /// The comparison of `test`/`train` summaries with the theory point `theory`.
    pub fn new(
        n: usize,
        penalty: Penalty,
        lambda_code: f64,
        test: Summary,
        train: Summary,
        theory: RiskPoint,
    ) -> Self {
        PointComparison {
            n,
            penalty,
            lambda_code,
            relative_deviation: signed_relative_deviation(test.mean, theory.test_error),
            test,
            train,
            theory,
        }
    }
}

/// |measured − reference| / |reference|, or `None` when it is undefined (a zero or
/// non-finite reference, a non-finite measurement).
pub fn relative_deviation(measured: f64, reference: f64) -> Option<f64> {
    let d = ((measured - reference) / reference).abs();
    (reference != 0.0 && reference.is_finite() && d.is_finite()).then_some(d)
}

/// The signed relative deviation measured/reference − 1, or `None` when undefined.
pub fn signed_relative_deviation(measured: f64, reference: f64) -> Option<f64> {
    let d = measured / reference - 1.0;
    (reference != 0.0 && reference.is_finite() && d.is_finite()).then_some(d)
}

/// The `q`-quantile of sorted values (linear interpolation; `None` when empty).
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = position.floor() as usize;
    let hi = position.ceil() as usize;
    let f = position - lo as f64;
    Some(sorted[lo] * (1.0 - f) + sorted[hi] * f)
}

/// Median, 90th percentile and maximum of the relative deviations of matched points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deviations {
    /// Median relative deviation.
    pub median: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Largest.
    pub max: f64,
    /// Points with a defined deviation.
    pub points: usize,
}

impl Deviations {
    /// Over (measured, reference) pairs; pairs with an undefined deviation are left
    /// out (and not counted). `None` when no pair has one.
    pub fn of(pairs: &[(f64, f64)]) -> Option<Self> {
        let mut devs: Vec<f64> = pairs
            .iter()
            .filter_map(|&(a, b)| relative_deviation(a, b))
            .collect();
        devs.sort_by(f64::total_cmp);
        Some(Deviations {
            median: quantile(&devs, 0.5)?,
            p90: quantile(&devs, 0.9)?,
            max: *devs.last()?,
            points: devs.len(),
        })
    }
}

/// Interior local maxima (x, y) of a curve sampled at increasing x.
pub fn peaks(curve: &[(f64, f64)]) -> Vec<(f64, f64)> {
    (1..curve.len().saturating_sub(1))
        .filter(|&i| curve[i].1 > curve[i - 1].1 && curve[i].1 >= curve[i + 1].1)
        .map(|i| curve[i])
        .collect()
}

/// The highest interior local maximum with x in [lo, hi].
pub fn highest_peak_in(curve: &[(f64, f64)], lo: f64, hi: f64) -> Option<(f64, f64)> {
    peaks(curve)
        .into_iter()
        .filter(|p| (lo..=hi).contains(&p.0))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Linear interpolation of a curve sampled at increasing x (constant beyond the ends;
/// `None` when empty).
pub fn interpolate(curve: &[(f64, f64)], x: f64) -> Option<f64> {
    let first = curve.first()?;
    if x <= first.0 {
        return Some(first.1);
    }
    for w in curve.windows(2) {
        if x <= w[1].0 {
            let f = (x - w[0].0) / (w[1].0 - w[0].0);
            return Some(w[0].1 * (1.0 - f) + w[1].1 * f);
        }
    }
    curve.last().map(|p| p.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deviations_are_undefined_against_zero() {
        assert_eq!(
            relative_deviation(1.1, 1.0).map(|d| (d * 1e12).round()),
            Some(1e11)
        );
        assert_eq!(relative_deviation(0.0, 0.0), None);
        assert_eq!(relative_deviation(1.0, 0.0), None);
        assert_eq!(
            signed_relative_deviation(0.9, 1.0).map(|d| (d * 1e12).round()),
            Some(-1e11)
        );
        let d = Deviations::of(&[(1.1, 1.0), (0.98, 1.0), (2.0, 1.0), (1.0, 0.0)]).unwrap();
        assert_eq!(d.points, 3);
        assert!((d.median - 0.1).abs() < 1e-12 && (d.max - 1.0).abs() < 1e-12);
        assert_eq!(Deviations::of(&[(1.0, 0.0)]), None);
    }

    #[test]
    fn quantiles_peaks_interpolation() {
        assert_eq!(quantile(&[1.0, 2.0, 3.0], 0.5), Some(2.0));
        assert_eq!(quantile(&[1.0, 2.0], 0.5), Some(1.5));
        assert_eq!(quantile(&[], 0.5), None);
        let curve = [(0.0, 1.0), (1.0, 3.0), (2.0, 2.0), (3.0, 5.0), (4.0, 4.0)];
        assert_eq!(peaks(&curve), vec![(1.0, 3.0), (3.0, 5.0)]);
        assert_eq!(highest_peak_in(&curve, 0.0, 2.0), Some((1.0, 3.0)));
        assert_eq!(interpolate(&curve, 0.5), Some(2.0));
        assert_eq!(interpolate(&curve, 9.0), Some(4.0));
        assert_eq!(interpolate(&[], 1.0), None);
    }
}
