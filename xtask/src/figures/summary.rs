//! What a figure run concludes, next to its data: agreement between theory and
//! simulation, whether the paper's qualitative claims hold, and our numbers against the
//! values read off the paper. Written as `<id>.summary.json` and shown in the gallery,
//! so that the numbers quoted in `docs/figures.md` are computed, never typed in.

use dsrf::compare::Deviations;
use serde::{Deserialize, Serialize};

/// The conclusions of one figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Figure id.
    pub figure: String,
    /// `full` or `quick`.
    pub mode: String,
    /// Theory against simulation (or two theories against each other).
    pub agreement: Vec<Agreement>,
    /// The paper's qualitative claims, tested on our data.
    pub checks: Vec<Check>,
    /// Our numbers against values read off the paper's figure.
    pub readoffs: Vec<ReadOff>,
    /// Free-form remarks (choices that affect the comparison).
    pub notes: Vec<String>,
}

/// Relative deviations |a − b|/|b| over matched points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// What is compared, e.g. `simulation vs theory`.
    pub comparison: String,
    /// The median relative deviation.
    pub median_relative_deviation: f64,
    /// The 90th percentile.
    pub p90_relative_deviation: f64,
    /// The largest.
    pub max_relative_deviation: f64,
    /// Number of matched points.
    pub points: usize,
    /// The required bound on the median, if any.
    pub required_below: Option<f64>,
}

impl Agreement {
    /// Summarises the relative deviations of `pairs` = (measured, reference); pairs
    /// whose deviation is undefined (a zero or non-finite reference) are left out, and
    /// with none left the statistics are NaN.
    pub fn of(comparison: &str, pairs: &[(f64, f64)], required_below: Option<f64>) -> Self {
        let d = Deviations::of(pairs);
        Agreement {
            comparison: comparison.into(),
            median_relative_deviation: d.map_or(f64::NAN, |d| d.median),
            p90_relative_deviation: d.map_or(f64::NAN, |d| d.p90),
            max_relative_deviation: d.map_or(f64::NAN, |d| d.max),
            points: d.map_or(0, |d| d.points),
            required_below,
        }
    }

    /// Whether the median meets the requirement (true when there is none).
    pub fn passes(&self) -> bool {
        self.required_below
            .is_none_or(|bound| self.median_relative_deviation < bound)
    }
}

/// A qualitative claim of the paper and whether our data show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// The claim, in words.
    pub claim: String,
    /// Whether it holds in our data.
    pub holds: bool,
    /// The numbers behind the verdict.
    pub detail: String,
}

/// One value read off the paper's figure against ours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadOff {
    /// What, e.g. `γ = 0, ε_g at α = 2`.
    pub quantity: String,
    /// The paper's value as read (a range when the read-off is a range).
    pub paper_low: f64,
    /// Upper end of the read-off (= `paper_low` for a single value).
    pub paper_high: f64,
    /// Our value (theory unless `source` says otherwise).
    pub ours: f64,
    /// Where our value comes from (`theory`, `simulation`, ...).
    pub source: String,
    /// Where the paper's value comes from (e.g. `SPEC §6.1`).
    pub reference: String,
}

impl ReadOff {
    /// A single-value read-off.
    pub fn value(quantity: &str, paper: f64, ours: f64, source: &str, reference: &str) -> Self {
        Self::range(quantity, paper, paper, ours, source, reference)
    }

    /// A read-off given as a range.
    pub fn range(
        quantity: &str,
        low: f64,
        high: f64,
        ours: f64,
        source: &str,
        reference: &str,
    ) -> Self {
        ReadOff {
            quantity: quantity.into(),
            paper_low: low,
            paper_high: high,
            ours,
            source: source.into(),
            reference: reference.into(),
        }
    }

    /// Relative difference of ours to the paper's value (0 inside a range).
    pub fn relative_difference(&self) -> f64 {
        if self.ours < self.paper_low {
            (self.ours - self.paper_low) / self.paper_low
        } else if self.ours > self.paper_high {
            (self.ours - self.paper_high) / self.paper_high
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_and_readoffs() {
        let a = Agreement::of("x", &[(1.1, 1.0), (0.98, 1.0), (2.0, 1.0)], Some(0.2));
        assert!((a.median_relative_deviation - 0.1).abs() < 1e-12);
        assert_eq!(a.points, 3);
        assert!(a.passes());
        let none = Agreement::of("x", &[(1.0, 0.0)], None);
        assert!(none.median_relative_deviation.is_nan() && none.points == 0);
        let r = ReadOff::range("q", 0.12, 0.135, 0.14, "theory", "SPEC");
        assert!((r.relative_difference() - (0.14 - 0.135) / 0.135).abs() < 1e-15);
    }
}
