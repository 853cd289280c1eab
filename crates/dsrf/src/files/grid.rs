//! The curve grid shared by problem and network files: `units`, `lambdas`, `ns`.

use dsrf_theory::Units;
use serde_json::Value;

use super::json::{Node, Object};
use crate::{DsrfError, Result};

/// The grid fields as written (each optional; validated where present).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GridFields {
    /// `units` (absent: code units, the documented default of the file format).
    pub units: Option<Units>,
    /// `lambdas`, each ≥ 0 (0: the ridgeless limit), in `units`.
    pub lambdas: Option<Vec<f64>>,
    /// `ns`, each > 0.
    pub ns: Option<Vec<f64>>,
}

/// What the grid is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridUse {
    /// Evaluating given penalties: `lambdas` must be present and non-empty.
    GivenPenalties,
    /// Searching the optimal penalty per n: `lambdas` may be absent.
    OptimalPenalty,
}

/// A complete grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Units of `lambdas` and of the output's λ and m.
    pub units: Units,
    /// Penalties in `units` (empty with [`GridUse::OptimalPenalty`]).
    pub lambdas: Vec<f64>,
    /// Sample sizes.
    pub ns: Vec<f64>,
}

/// The name of a units convention as written in files and outputs.
pub fn units_name(units: Units) -> &'static str {
    match units {
        Units::Code => "code",
        Units::Paper => "paper",
    }
}

impl GridFields {
    /// The grid fields of `object` (the keys `units`, `lambdas`, `ns`).
    pub(crate) fn parse(object: &Object<'_>) -> Result<Self> {
        let units = object.get("units").map(|n| units_of(&n)).transpose()?;
        let ns = object
            .get("ns")
            .map(|n| {
                let values = n.numbers()?;
                for (i, v) in values.iter().enumerate() {
                    if *v <= 0.0 {
                        return Err(DsrfError::field(
                            format!("{}[{i}]", n.path()),
                            format!("sample sizes must be > 0, got {v:?}"),
                        ));
                    }
                }
                Ok(values)
            })
            .transpose()?;
        let lambdas = object
            .get("lambdas")
            .map(|n| {
                let values = n.numbers()?;
                for (i, v) in values.iter().enumerate() {
                    if *v < 0.0 {
                        return Err(DsrfError::field(
                            format!("{}[{i}]", n.path()),
                            format!("penalties must be ≥ 0 (0 is the ridgeless limit), got {v:?}"),
                        ));
                    }
                }
                Ok(values)
            })
            .transpose()?;
        Ok(GridFields { units, lambdas, ns })
    }

    /// The grid, with what `usage` needs present.
    pub fn resolve(&self, usage: GridUse) -> Result<Grid> {
        let units = self.units.unwrap_or(Units::Code);
        let ns =
            self.ns.clone().filter(|ns| !ns.is_empty()).ok_or_else(|| {
                DsrfError::field("ns", "is missing or empty: give the sample sizes")
            })?;
        let lambdas = self.lambdas.clone().unwrap_or_default();
        if usage == GridUse::GivenPenalties && lambdas.is_empty() {
            return Err(DsrfError::field(
                "lambdas",
                format!(
                    "is missing or empty: give the penalties (in {} units), or ask for the optimal penalty",
                    units_name(units)
                ),
            ));
        }
        Ok(Grid { units, lambdas, ns })
    }

    /// The fields as JSON entries (for a problem file derived from a network file).
    pub fn to_json(&self) -> Vec<(&'static str, Value)> {
        let mut out = Vec::new();
        if let Some(u) = self.units {
            out.push(("units", Value::from(units_name(u))));
        }
        if let Some(l) = &self.lambdas {
            out.push(("lambdas", Value::from(l.clone())));
        }
        if let Some(n) = &self.ns {
            out.push(("ns", Value::from(n.clone())));
        }
        out
    }
}

fn units_of(node: &Node<'_>) -> Result<Units> {
    match node.value().as_str() {
        Some("code") => Ok(Units::Code),
        Some("paper") => Ok(Units::Paper),
        _ => Err(node.error(format!(
            "expected \"code\" or \"paper\", got {}",
            super::json::show(node.value())
        ))),
    }
}
