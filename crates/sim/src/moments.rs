//! Accumulated second moments of (features, label) pairs, and the ridge estimators and
//! quadratic risks they determine.
//!
//! Everything a ridge experiment measures is a quadratic form in these sums: with
//! G = Σ φφᵀ, b = Σ φ y, c = Σ y² over m samples, the weights are
//! w(λ) = (G + λ)⁻¹ b and the mean squared error of any w on the same samples is
//! (c − 2 wᵀb + wᵀGw)/m. One pass over the data therefore serves every λ, and nested
//! prefixes of one sample serve every n.

use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::{Accum, Mat, MatRef, Par};

use crate::SimError;
use crate::error::{check_finite_labels, check_finite_samples, input, not_finite};

/// Σ φφᵀ, Σ φy, Σ y² and the count, in code units (predictor wᵀφ).
#[derive(Debug, Clone)]
pub struct SecondMoments {
    gram: Mat<f64>,
    cross: Mat<f64>,
    label_sq: f64,
    count: usize,
}

impl SecondMoments {
    /// Empty sums for p features.
    pub fn new(p: usize) -> Self {
        Self {
            gram: Mat::zeros(p, p),
            cross: Mat::zeros(p, 1),
            label_sq: 0.0,
            count: 0,
        }
    }

    /// Adds the samples in the columns of `features` (p × m) with their `labels`.
    ///
    /// Features and labels must be finite ([`SimError::NotFinite`] naming the entry
    /// otherwise, before anything is added), and so must the sums afterwards: an
    /// overflow of Σφφᵀ, Σφy or Σy² is an error too — the sums then include the batch
    /// and must be discarded.
    pub fn add(&mut self, features: MatRef<'_, f64>, labels: &[f64]) -> Result<(), SimError> {
        if features.nrows() != self.gram.nrows() || features.ncols() != labels.len() {
            return Err(input(
                "features",
                format!(
                    "{}×{} features (p × samples) with {} labels do not fit sums over p = {}",
                    features.nrows(),
                    features.ncols(),
                    labels.len(),
                    self.gram.nrows()
                ),
            ));
        }
        check_finite_samples("features", features)?;
        check_finite_labels(labels)?;
        let y = MatRef::from_column_major_slice(labels, labels.len(), 1);
        // Sequential products (replicates run in parallel above this level); only the
        // lower triangle of the symmetric Gram matrix is accumulated.
        triangular::matmul(
            self.gram.as_mut(),
            BlockStructure::TriangularLower,
            Accum::Add,
            features,
            BlockStructure::Rectangular,
            features.transpose(),
            BlockStructure::Rectangular,
            1.0,
            Par::Seq,
        );
        matmul(self.cross.as_mut(), Accum::Add, features, y, 1.0, Par::Seq);
        self.label_sq += labels.iter().map(|y| y * y).sum::<f64>();
        self.count += labels.len();
        self.check_sums()
    }

    /// Every accumulated sum is finite (only the lower triangle of Σφφᵀ is stored).
    fn check_sums(&self) -> Result<(), SimError> {
        let p = self.gram.nrows();
        if !(0..p).all(|j| self.gram.col_as_slice(j)[j..].iter().all(|v| v.is_finite())) {
            return Err(not_finite("features", "the accumulated Σφφᵀ"));
        }
        if !(0..p).all(|i| self.cross[(i, 0)].is_finite()) {
            return Err(not_finite("features and labels", "the accumulated Σφy"));
        }
        if !self.label_sq.is_finite() {
            return Err(not_finite("labels", "the accumulated Σy²"));
        }
        Ok(())
    }

    /// Number of samples accumulated.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The mean squared error (c − 2wᵀb + wᵀGw)/m of the predictor wᵀφ on these samples.
    ///
    /// Clipped at 0 (rounding can make it slightly negative), but an error
    /// ([`SimError::NotFinite`]) when the quadratic form is not finite — never 0 for a
    /// NaN, never ∞ passed on as an error value.
    pub fn risk(&self, w: &[f64]) -> Result<f64, SimError> {
        let p = w.len();
        // wᵀGw from the lower triangle.
        let mut quadratic = 0.0;
        for j in 0..p {
            let column = self.gram.col_as_slice(j);
            let below: f64 = (j + 1..p).map(|i| column[i] * w[i]).sum();
            quadratic += w[j] * (column[j] * w[j] + 2.0 * below);
        }
        let linear: f64 = (0..p).map(|i| w[i] * self.cross[(i, 0)]).sum();
        let risk = (self.label_sq - 2.0 * linear + quadratic) / self.count as f64;
        if risk.is_finite() {
            Ok(risk.max(0.0))
        } else {
            Err(not_finite(
                "mean squared error",
                format!("(Σy² − 2wᵀΣφy + wᵀΣφφᵀw)/m = {risk}"),
            ))
        }
    }

    /// Ridge weights w(λ_c) = (G + λ_c I)⁻¹ b for every penalty (code units, > 0), from one
    /// tridiagonalisation of G (`dsrf_linalg::ridge_path_normal`).
    pub fn ridge_path(&self, penalties_code: &[f64]) -> Result<Vec<Vec<f64>>, SimError> {
        if let Some((i, l)) = penalties_code
            .iter()
            .enumerate()
            .find(|(_, l)| !(l.is_finite() && **l > 0.0))
        {
            return Err(input(
                format!("penalties[{i}]"),
                format!("ridge penalties must be finite and > 0, got {l}"),
            ));
        }
        let b: Vec<f64> = (0..self.cross.nrows())
            .map(|i| self.cross[(i, 0)])
            .collect();
        let path = dsrf_linalg::ridge_path_normal(self.gram.as_ref(), &b, penalties_code, Par::Seq)
            .map_err(|source| SimError::Linalg {
                context: "ridge on the training features".into(),
                source,
            })?;
        Ok((0..penalties_code.len())
            .map(|k| path.col(k).iter().copied().collect())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ridge_path_matches_a_direct_solve_and_risk_matches_residuals() {
        let (p, n) = (6, 15);
        let x = Mat::from_fn(p, n, |i, j| ((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.45);
        let y: Vec<f64> = (0..n).map(|j| ((j * 5) % 7) as f64 - 3.0).collect();
        let mut m = SecondMoments::new(p);
        m.add(x.as_ref().subcols(0, 8), &y[..8]).unwrap();
        m.add(x.as_ref().subcols(8, 7), &y[8..]).unwrap();
        let ym = Mat::from_fn(n, 1, |j, _| y[j]);
        for (k, w) in m.ridge_path(&[0.1, 2.0]).unwrap().iter().enumerate() {
            let lambda = [0.1, 2.0][k];
            let (direct, _) = dsrf_linalg::ridge_solve(x.as_ref(), ym.as_ref(), lambda).unwrap();
            for i in 0..p {
                assert!((w[i] - direct[(i, 0)]).abs() < 1e-12);
            }
            let fitted = x.transpose() * &direct;
            let mse: f64 = (0..n).map(|j| (y[j] - fitted[(j, 0)]).powi(2)).sum::<f64>() / n as f64;
            assert!((m.risk(w).unwrap() - mse).abs() < 1e-12);
        }
        assert!(m.ridge_path(&[0.0]).is_err());
        assert!(m.add(x.as_ref(), &y[..3]).is_err());
    }
}
