//! The problem file of `dsrf curve` (docs/curve.md): the code form (Ω, ψ, E y²) or the
//! paper form (Ω, Φ, Ψ, θ*), validated into a [`Problem`].

use std::path::Path;

use dsrf_theory::{CodeForm, Covariance, PaperForm, Problem, TheoryError};
use serde_json::Value;

use super::grid::GridFields;
use super::json::{Node, Object, parse_text};
use super::read_document;
use super::values::{ReadContext, base_of};
use crate::{DsrfError, Result};

/// A parsed, validated problem file.
#[derive(Debug, Clone)]
pub struct ProblemFile {
    /// The validated eigen-quantities.
    pub problem: Problem,
    /// Which form the file used.
    pub form: Form,
    /// `units`, `lambdas`, `ns`.
    pub grid: GridFields,
}

/// The two input forms of Theorem 3.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Ω, ψ and E(y²) (the authors' code).
    Code,
    /// Ω, Φ, Ψ, θ* (the paper).
    Paper,
}

const KNOWN: [&str; 10] = [
    "units",
    "omega",
    "psi",
    "label_second_moment",
    "noise_variance",
    "phi",
    "psi_target",
    "theta_star",
    "lambdas",
    "ns",
];
const PAPER_FIELDS: [&str; 3] = ["phi", "psi_target", "theta_star"];

impl ProblemFile {
    /// Reads and validates the file at `path` ("-": standard input; `.npy` paths are
    /// then relative to the working directory).
    pub fn load(path: &Path, context: &ReadContext) -> Result<Self> {
        let text = read_document(path)?;
        let context = ReadContext {
            base: base_of(path),
            ..context.clone()
        };
        Self::parse_str(&text, &context).map_err(|e| e.in_file("problem file", path))
    }

    /// Parses and validates a document.
    pub fn parse_str(text: &str, context: &ReadContext) -> Result<Self> {
        Self::parse(&parse_text(text)?, context)
    }

    /// Validates a JSON value.
    pub fn parse(value: &Value, context: &ReadContext) -> Result<Self> {
        let root = Node::root(value).object(&KNOWN)?;
        let grid = GridFields::parse(&root)?;
        let omega = omega(&root, context)?;
        let form = if PAPER_FIELDS.iter().any(|f| root.has(f)) {
            Form::Paper
        } else {
            Form::Code
        };
        let noise_variance = root
            .get("noise_variance")
            .map(|n| n.non_negative())
            .transpose()?
            .unwrap_or(0.0);
        let checked = match form {
            Form::Code => {
                let psi = context.vector(&root.required(
                    "psi",
                    "give ψ = E[φ y] (or the paper form: phi, psi_target, theta_star)",
                )?)?;
                let label_second_moment = root
                    .required("label_second_moment", "give E[y²] (label noise included)")?
                    .number()?;
                CodeForm {
                    omega,
                    psi,
                    label_second_moment,
                    noise_variance,
                }
                .check()
            }
            Form::Paper => {
                if let Some(f) = ["psi", "label_second_moment"].iter().find(|f| root.has(f)) {
                    return Err(DsrfError::field(
                        *f,
                        "belongs to the code form but the file also has paper-form fields (phi, psi_target, theta_star): use one form",
                    ));
                }
                let hint = "the paper form needs phi, psi_target and theta_star";
                PaperForm {
                    omega,
                    phi: context.matrix(&root.required("phi", hint)?)?,
                    psi_target: context.matrix(&root.required("psi_target", hint)?)?,
                    theta_star: context.vector(&root.required("theta_star", hint)?)?,
                    noise_variance,
                }
                .check()
            }
        };
        let problem = checked.map_err(|e| DsrfError::field(field_of(&e, form), e.to_string()))?;
        Ok(ProblemFile {
            problem,
            form,
            grid,
        })
    }
}

fn omega(root: &Object<'_>, context: &ReadContext) -> Result<Covariance> {
    let node = root.required(
        "omega",
        "give {\"eigenvalues\": [..]}, {\"matrix\": [[..]]} or {\"npy\": \"file.npy\"}",
    )?;
    let (form, inner) = node.one_of(&["eigenvalues", "matrix", "npy"])?;
    Ok(match form {
        "eigenvalues" => Covariance::Eigenvalues(context.vector(&inner)?),
        "matrix" => Covariance::Matrix(context.matrix(&inner)?),
        _ => Covariance::Matrix(context.matrix(&node)?),
    })
}

/// The file field a validation error of Theorem 3.1's input is about.
pub fn field_of(error: &TheoryError, form: Form) -> &'static str {
    let by_quantity = |q: &str| match q {
        "Ω" => "omega",
        "Ω eigenvalues" => "omega.eigenvalues",
        "Ψ" => "psi_target",
        "Φ" => "phi",
        "θ*" => "theta_star",
        "θ*ᵀΨθ*/k" => "psi_target",
        "Φθ*/√k" => "phi",
        "ψ" => "psi",
        "E[y²]" => "label_second_moment",
        _ if q.starts_with("noise") => "noise_variance",
        _ => "omega",
    };
    match error {
        TheoryError::Matrix { quantity, .. }
        | TheoryError::NotFinite { quantity, .. }
        | TheoryError::Shape { quantity, .. }
        | TheoryError::Negative { quantity, .. } => by_quantity(quantity),
        TheoryError::NegativeEigenvalue { .. } => "omega.eigenvalues",
        TheoryError::Empty => "omega",
        TheoryError::InconsistentLabels { .. } => match form {
            Form::Code => "label_second_moment",
            Form::Paper => "phi/psi_target/theta_star",
        },
        TheoryError::Overflow { .. } | TheoryError::OutsideRange { .. } => match form {
            Form::Code => "psi",
            Form::Paper => "phi",
        },
        TheoryError::InvalidPenalty(_) => "lambdas",
        TheoryError::InvalidSampleSize(_) => "ns",
        TheoryError::NoConvergence { .. } => "ns",
        // A loss/label combination comes from the command line, not the file; the
        // penalties are what the file contributes to it.
        TheoryError::Unsupported { .. } => "lambdas",
    }
}
