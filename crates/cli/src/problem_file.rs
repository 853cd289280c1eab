//! The `--problem FILE.json` contract of `dsrf curve` (documented in `docs/curve.md`).
//!
//! Parsing goes through `serde_json::Value` by hand rather than derived structs so that
//! every error names the field it is about (`omega.matrix: row 2 has 3 entries, …`).

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use dsrf_theory::{CodeForm, Covariance, PaperForm, Problem, TheoryError, Units};
use serde_json::{Map, Value};

use crate::json_input::{
    matrix, matrix_value, number_list, read_json, scalar, vector, vector_value,
};

/// A parsed, validated problem file.
pub struct ProblemFile {
    /// The λ / m convention of `lambdas` and of the output.
    pub units: Units,
    /// The validated eigen-quantities.
    pub problem: Problem,
    /// Penalties, in `units` (may be empty with `--optimal-lambda`).
    pub lambdas: Vec<f64>,
    /// Sample sizes.
    pub ns: Vec<f64>,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Form {
    /// Ω, ψ and E(y²).
    Code,
    /// Ω, Φ, Ψ, θ*.
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

/// Reads `path` ("-" for standard input) and validates it; `.npy` references are
/// resolved relative to the file's directory.
pub fn load(path: &Path, lambdas_required: bool) -> Result<ProblemFile> {
    let (value, base) = read_json(path, "problem file")?;
    parse(&value, &base, lambdas_required)
}

/// Validates a parsed problem document.
pub fn parse(value: &Value, base: &Path, lambdas_required: bool) -> Result<ProblemFile> {
    let obj = value
        .as_object()
        .ok_or_else(|| anyhow!("the problem file must be a JSON object"))?;
    if let Some(unknown) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        bail!(
            "unknown field `{unknown}` (known fields: {})",
            KNOWN.join(", ")
        );
    }
    let (units, lambdas, ns) = grid(obj, lambdas_required)?;
    let omega = covariance(obj, base)?;
    let paper_fields = ["phi", "psi_target", "theta_star"];
    let form = if paper_fields.iter().any(|f| obj.contains_key(*f)) {
        Form::Paper
    } else {
        Form::Code
    };
    let problem = match form {
        Form::Code => {
            let psi = vector(obj, "psi", base)?.ok_or_else(|| anyhow!("field `psi` is missing: give ψ = E[φ y] (or the paper form: phi, psi_target, theta_star)"))?;
            let label_second_moment = scalar(obj, "label_second_moment")?
                .ok_or_else(|| anyhow!("field `label_second_moment` is missing: give E[y²] (label noise included)"))?;
            let noise_variance = scalar(obj, "noise_variance")?.unwrap_or(0.0);
            CodeForm {
                omega,
                psi,
                label_second_moment,
                noise_variance,
            }
            .check()
        }
        Form::Paper => {
            for f in ["psi", "label_second_moment"] {
                if obj.contains_key(f) {
                    bail!("field `{f}` belongs to the code form but the file also has paper-form fields (phi, psi_target, theta_star): use one form");
                }
            }
            let missing = |f: &str| anyhow!("field `{f}` is missing: the paper form needs phi, psi_target and theta_star");
            let phi = matrix(obj, "phi", base)?.ok_or_else(|| missing("phi"))?;
            let psi_target = matrix(obj, "psi_target", base)?.ok_or_else(|| missing("psi_target"))?;
            let theta_star = vector(obj, "theta_star", base)?.ok_or_else(|| missing("theta_star"))?;
            let noise_variance = scalar(obj, "noise_variance")?.unwrap_or(0.0);
            PaperForm {
                omega,
                phi,
                psi_target,
                theta_star,
                noise_variance,
            }
            .check()
        }
    }
    .map_err(|e| anyhow!("field `{}`: {e}", field_of(&e, form)))?;
    Ok(ProblemFile {
        units,
        problem,
        lambdas,
        ns,
    })
}

/// The curve grid shared by problem and network files: `units`, `lambdas`, `ns`.
pub fn grid(
    obj: &Map<String, Value>,
    lambdas_required: bool,
) -> Result<(Units, Vec<f64>, Vec<f64>)> {
    let units = match obj.get("units") {
        None => Units::Code,
        Some(Value::String(s)) if s == "code" => Units::Code,
        Some(Value::String(s)) if s == "paper" => Units::Paper,
        Some(other) => bail!("field `units`: expected \"code\" or \"paper\", got {other}"),
    };
    let ns = number_list(obj, "ns")?
        .ok_or_else(|| anyhow!("field `ns` is missing: give the sample sizes"))?;
    if ns.is_empty() {
        bail!("field `ns`: give at least one sample size");
    }
    for (i, n) in ns.iter().enumerate() {
        if n.is_nan() || *n <= 0.0 {
            bail!("field `ns[{i}]`: sample sizes must be > 0, got {n}");
        }
    }
    let lambdas = number_list(obj, "lambdas")?.unwrap_or_default();
    if lambdas_required && lambdas.is_empty() {
        bail!(
            "field `lambdas` is missing or empty: give the penalties (in {} units), or use --optimal-lambda",
            units_name(units)
        );
    }
    for (i, l) in lambdas.iter().enumerate() {
        if l.is_nan() || *l < 0.0 {
            bail!(
                "field `lambdas[{i}]`: penalties must be ≥ 0 (0 is the ridgeless limit), got {l}"
            );
        }
    }
    Ok((units, lambdas, ns))
}

/// The JSON field a validation error is about.
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
    }
}

pub fn units_name(units: Units) -> &'static str {
    match units {
        Units::Code => "code",
        Units::Paper => "paper",
    }
}

fn covariance(obj: &Map<String, Value>, base: &Path) -> Result<Covariance> {
    let omega = obj.get("omega").ok_or_else(|| anyhow!("field `omega` is missing: give {{\"eigenvalues\": [..]}}, {{\"matrix\": [[..]]}} or {{\"npy\": \"file.npy\"}}"))?;
    let inner = omega.as_object().filter(|o| o.len() == 1).ok_or_else(|| {
        anyhow!("field `omega`: expected exactly one of {{\"eigenvalues\": ..}}, {{\"matrix\": ..}}, {{\"npy\": ..}}")
    })?;
    let (kind, value) = inner.iter().next().expect("one entry");
    match kind.as_str() {
        "eigenvalues" => Ok(Covariance::Eigenvalues(vector_value(
            value,
            "omega.eigenvalues",
            base,
        )?)),
        "matrix" => Ok(Covariance::Matrix(matrix_value(
            value,
            "omega.matrix",
            base,
        )?)),
        "npy" => Ok(Covariance::Matrix(matrix_value(omega, "omega", base)?)),
        other => bail!("field `omega`: unknown form `{other}` (use eigenvalues, matrix or npy)"),
    }
}
