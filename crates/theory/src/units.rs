//! The two λ conventions (SPEC §1, §3.6).
//!
//! * **paper** — predictor θᵀφ(x)/√p, penalty λ‖θ‖²; the resolvent scalar is m.
//! * **code** — predictor wᵀφ(x), penalty λ_c‖w‖² (the authors' code and every figure
//!   legend); the resolvent scalar is m_c.
//!
//! They describe the same estimator: λ_c = pλ, m_c = m/p, w = θ/√p.

/// Which λ convention a number is expressed in (no default: every caller says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Units {
    /// Predictor θᵀφ/√p, penalty λ‖θ‖² (the paper).
    Paper,
    /// Predictor wᵀφ, penalty λ_c‖w‖² (the authors' code); λ_c = pλ.
    Code,
}

/// A ridge penalty together with its convention. Build it with [`Penalty::paper`] or
/// [`Penalty::code`]; the solver converts with the problem's feature dimension p.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Penalty {
    value: f64,
    units: Units,
}

impl Penalty {
    /// λ in paper units.
    pub const fn paper(lambda: f64) -> Self {
        Self {
            value: lambda,
            units: Units::Paper,
        }
    }

    /// λ_c in code units.
    pub const fn code(lambda_code: f64) -> Self {
        Self {
            value: lambda_code,
            units: Units::Code,
        }
    }

    /// λ in the given units.
    pub const fn new(value: f64, units: Units) -> Self {
        Self { value, units }
    }

    /// The number as given.
    pub fn value(self) -> f64 {
        self.value
    }

    /// The convention it was given in.
    pub fn units(self) -> Units {
        self.units
    }

    /// λ_c for features of dimension `p`.
    pub fn to_code(self, p: usize) -> f64 {
        match self.units {
            Units::Code => self.value,
            Units::Paper => self.value * p as f64,
        }
    }

    /// λ (paper) for features of dimension `p`.
    pub fn to_paper(self, p: usize) -> f64 {
        match self.units {
            Units::Paper => self.value,
            Units::Code => self.value / p as f64,
        }
    }

    /// The value in `units` for features of dimension `p`.
    pub fn in_units(self, units: Units, p: usize) -> f64 {
        match units {
            Units::Code => self.to_code(p),
            Units::Paper => self.to_paper(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip() {
        let p = 784;
        let l = Penalty::paper(1e-4);
        assert_eq!(l.to_code(p), 1e-4 * 784.0);
        let back = Penalty::code(l.to_code(p)).to_paper(p);
        approx::assert_relative_eq!(back, 1e-4, max_relative = 1e-15);
        assert_eq!(Penalty::code(3.0).in_units(Units::Code, 10), 3.0);
        assert_eq!(Penalty::code(3.0).in_units(Units::Paper, 10), 0.3);
    }
}
