//! Learning curves: Theorem 3.1 on a grid of sample sizes and penalties.

use rayon::prelude::*;

use crate::fixed_point::Hint;
use crate::units::Penalty;
use crate::{Problem, RiskPoint, TheoryError};

impl Problem {
    /// The risk at every (λ, n) pair, λ-major: the result holds `ns.len()` points for
    /// `penalties[0]`, then for `penalties[1]`, …, each in the order of `ns`.
    ///
    /// Curves for different λ run in parallel (rayon); along one curve the solver is
    /// warm-started from the neighbouring n in sorted order. The result does not depend
    /// on the number of threads.
    pub fn learning_curve(
        &self,
        ns: &[f64],
        penalties: &[Penalty],
    ) -> Result<Vec<RiskPoint>, TheoryError> {
        if let Some(&n) = ns.iter().find(|n| !(n.is_finite() && **n > 0.0)) {
            return Err(TheoryError::InvalidSampleSize(n));
        }
        let mut order: Vec<usize> = (0..ns.len()).collect();
        order.sort_by(|&i, &j| ns[i].total_cmp(&ns[j]));
        // The ridgeless root κ₀(n) (n < rank) is shared by every λ: solve it once. A
        // failure here is not an error yet: a point that needs κ₀ solves it again and
        // reports the failure with its own n and λ (an extreme λ may not need it).
        let rank = self.rank() as f64;
        let kappa0: Vec<Option<f64>> = ns
            .par_iter()
            .map(|&n| {
                (n < rank)
                    .then(|| self.solve_kappa_ridgeless(n).ok().map(|(k, _)| k))
                    .flatten()
            })
            .collect();
        let curves: Vec<Vec<RiskPoint>> = penalties
            .par_iter()
            .map(|&penalty| {
                let mut out = vec![None; ns.len()];
                let mut warm = None;
                for &i in &order {
                    let hint = Hint {
                        warm_start: warm,
                        kappa0: kappa0[i],
                    };
                    let point = self.risk_warm(ns[i], penalty, hint)?;
                    if point.kappa.is_finite() && point.kappa > 0.0 {
                        warm = Some(point.kappa / self.scale);
                    }
                    out[i] = Some(point);
                }
                Ok(out
                    .into_iter()
                    .map(|p| p.expect("every n visited"))
                    .collect())
            })
            .collect::<Result<_, TheoryError>>()?;
        Ok(curves.into_iter().flatten().collect())
    }
}
