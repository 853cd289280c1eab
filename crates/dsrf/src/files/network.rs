//! The network-specification file (docs/network.md): JSON ↔ [`NetworkFile`].
//!
//! One parser for the CLI (`covariance`, `curve --network`, `simulate`), the xtask and
//! the Python package. Every object is opened with its known keys, so a misspelt key
//! anywhere is an error naming its path; every size is a whole number in range.

use std::path::Path;

use dsrf_rainbow::{Activation, CovarianceSpec, MatrixSpec, NetworkSpec};
use faer::Mat;
use serde_json::{Map, Value, json};

use super::grid::GridFields;
use super::json::{MAX_SIZE, Node, parse_text};
use super::read_document;
use super::values::{ReadContext, base_of};
use crate::network::{NetworkModel, Readout};
use crate::{DsrfError, Result};

/// A parsed network file: the model (networks, readout, noise) and the optional grid.
#[derive(Debug, Clone)]
pub struct NetworkFile {
    /// Learner, target, θ* and the noise.
    pub model: NetworkModel,
    /// `units`, `lambdas`, `ns` (for `dsrf curve --network` and `simulate`).
    pub grid: GridFields,
}

const KNOWN: [&str; 10] = [
    "seed",
    "input",
    "matrices",
    "learner",
    "target",
    "readout",
    "noise_variance",
    "units",
    "lambdas",
    "ns",
];
const MATRIX_FORMS: [&str; 6] = ["gaussian", "rainbow", "sum", "ref", "values", "npy"];
const COVARIANCE_FORMS: [&str; 7] = [
    "identity",
    "scaled_identity",
    "diagonal",
    "power_law",
    "matrix",
    "npy",
    "inverse_gram_plus",
];
const SIZE: std::ops::RangeInclusive<u64> = 1..=MAX_SIZE;

impl NetworkFile {
    /// Reads and parses the file at `path` ("-": standard input); errors name the file
    /// and the field.
    pub fn load(path: &Path, context: &ReadContext) -> Result<Self> {
        let text = read_document(path)?;
        let context = ReadContext {
            base: base_of(path),
            ..context.clone()
        };
        Self::parse_str(&text, &context).map_err(|e| e.in_file("network file", path))
    }

    /// Parses a document.
    pub fn parse_str(text: &str, context: &ReadContext) -> Result<Self> {
        Self::parse(&parse_text(text)?, context)
    }

    /// Parses a JSON value.
    pub fn parse(value: &Value, context: &ReadContext) -> Result<Self> {
        let root = Node::root(value).object(&KNOWN)?;
        let seed = root.get("seed").map(|n| n.seed()).transpose()?.unwrap_or(0);
        let input = covariance(
            &root.required(
                "input",
                "give the input covariance, e.g. {\"identity\": 1000}",
            )?,
            context,
        )?;
        let mut definitions = Vec::new();
        if let Some(matrices) = root.get("matrices") {
            for item in matrices.array()? {
                let entry = item.object(&["name", "value"])?;
                let name = entry.required("name", "")?.string()?.to_string();
                let value = matrix(&entry.required("value", "")?, context)?;
                definitions.push((name, value));
            }
        }
        let learner = layers(
            &root.required("learner", "give the learner's layers")?,
            context,
        )?;
        let target = match root.get("target") {
            None => Vec::new(),
            Some(n) => layers(&n, context)?,
        };
        let readout = match root.get("readout") {
            None => Readout::default(),
            Some(n) => readout(&n, context)?,
        };
        let noise_variance = root
            .get("noise_variance")
            .map(|n| n.non_negative())
            .transpose()?
            .unwrap_or(0.0);
        let grid = GridFields::parse(&root)?;
        Ok(NetworkFile {
            model: NetworkModel {
                spec: NetworkSpec {
                    seed,
                    input,
                    definitions,
                    learner,
                    target,
                },
                readout,
                noise_variance,
            },
            grid,
        })
    }

    /// The file as JSON (given matrices inline); [`NetworkFile::parse`] reads it back
    /// to the same model.
    pub fn to_json(&self) -> Value {
        let spec = &self.model.spec;
        let mut doc = Map::new();
        doc.insert("seed".into(), json!(spec.seed));
        doc.insert("input".into(), covariance_json(&spec.input));
        if !spec.definitions.is_empty() {
            let defs: Vec<Value> = spec
                .definitions
                .iter()
                .map(|(name, m)| json!({"name": name, "value": matrix_json(m)}))
                .collect();
            doc.insert("matrices".into(), Value::from(defs));
        }
        doc.insert("learner".into(), layers_json(&spec.learner));
        doc.insert("target".into(), layers_json(&spec.target));
        doc.insert(
            "readout".into(),
            match &self.model.readout {
                Readout::Given(theta) => json!({"theta_star": theta}),
                Readout::Gaussian { name, variance } => {
                    json!({"gaussian": {"name": name, "variance": variance}})
                }
            },
        );
        doc.insert("noise_variance".into(), json!(self.model.noise_variance));
        for (key, value) in self.grid.to_json() {
            doc.insert(key.into(), value);
        }
        Value::Object(doc)
    }
}

fn readout(node: &Node<'_>, context: &ReadContext) -> Result<Readout> {
    let (form, inner) = node.one_of(&["theta_star", "gaussian"])?;
    match form {
        "theta_star" => Ok(Readout::Given(context.vector(&inner)?)),
        _ => {
            let g = inner.object(&["name", "variance"])?;
            let default = Readout::default();
            let Readout::Gaussian {
                name: default_name,
                variance: default_variance,
            } = default
            else {
                unreachable!("the default readout is Gaussian")
            };
            Ok(Readout::Gaussian {
                name: g
                    .get("name")
                    .map(|n| n.string().map(str::to_string))
                    .transpose()?
                    .unwrap_or(default_name),
                variance: g
                    .get("variance")
                    .map(|n| n.non_negative())
                    .transpose()?
                    .unwrap_or(default_variance),
            })
        }
    }
}

fn layers(node: &Node<'_>, context: &ReadContext) -> Result<Vec<(MatrixSpec, Activation)>> {
    node.array()?
        .iter()
        .map(|item| {
            let layer = item.object(&["weights", "activation"])?;
            let weights = matrix(&layer.required("weights", "")?, context)?;
            let activation = activation(&layer.required("activation", "a name such as \"tanh\"")?)?;
            Ok((weights, activation))
        })
        .collect()
}

/// An activation by name.
pub(crate) fn activation(node: &Node<'_>) -> Result<Activation> {
    Activation::from_name(node.string()?).map_err(|e| node.error(e.to_string()))
}

fn matrix(node: &Node<'_>, context: &ReadContext) -> Result<MatrixSpec> {
    let (form, inner) = node.one_of(&MATRIX_FORMS)?;
    Ok(match form {
        "gaussian" => {
            let o = inner.object(&["name", "rows", "cols"])?;
            MatrixSpec::Gaussian {
                name: o.required("name", "the stream name")?.string()?.to_string(),
                rows: o.required("rows", "")?.count(SIZE)?,
                cols: o.required("cols", "")?.count(SIZE)?,
            }
        }
        "rainbow" => {
            let o = inner.object(&["z", "covariance"])?;
            MatrixSpec::Rainbow {
                z: Box::new(matrix(&o.required("z", "")?, context)?),
                covariance: covariance(&o.required("covariance", "")?, context)?,
            }
        }
        "sum" => {
            let terms = inner
                .array()?
                .iter()
                .map(|t| {
                    let o = t.object(&["scale", "matrix"])?;
                    let scale = o
                        .get("scale")
                        .map(|n| n.number())
                        .transpose()?
                        .unwrap_or(1.0);
                    Ok((scale, matrix(&o.required("matrix", "")?, context)?))
                })
                .collect::<Result<Vec<_>>>()?;
            if terms.is_empty() {
                return Err(inner.error("a sum needs at least one term"));
            }
            MatrixSpec::Combination(terms)
        }
        "ref" => MatrixSpec::Named(inner.string()?.to_string()),
        "values" => MatrixSpec::Given(nonempty(context.matrix(&inner)?, &inner)?),
        _ => MatrixSpec::Given(nonempty(context.matrix(node)?, node)?),
    })
}

fn nonempty(m: Mat<f64>, node: &Node<'_>) -> Result<Mat<f64>> {
    if m.nrows() == 0 || m.ncols() == 0 {
        return Err(node.error(format!(
            "given weights must not be empty, got {}×{}",
            m.nrows(),
            m.ncols()
        )));
    }
    Ok(m)
}

fn covariance(node: &Node<'_>, context: &ReadContext) -> Result<CovarianceSpec> {
    let (form, inner) = node.one_of(&COVARIANCE_FORMS)?;
    Ok(match form {
        "identity" => CovarianceSpec::ScaledIdentity {
            dim: inner.count(SIZE)?,
            scale: 1.0,
        },
        "scaled_identity" => {
            let o = inner.object(&["dim", "scale"])?;
            CovarianceSpec::ScaledIdentity {
                dim: o.required("dim", "")?.count(SIZE)?,
                scale: o.required("scale", "")?.non_negative()?,
            }
        }
        "diagonal" => {
            let values = context.vector(&inner)?;
            if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| **v < 0.0) {
                return Err(DsrfError::field(
                    format!("{}[{i}]", inner.path()),
                    format!("variances must be ≥ 0, got {v:?}"),
                ));
            }
            if values.is_empty() {
                return Err(inner.error("give at least one variance"));
            }
            CovarianceSpec::Diagonal(values)
        }
        "power_law" => {
            let o = inner.object(&["dim", "exponent"])?;
            CovarianceSpec::PowerLaw {
                dim: o.required("dim", "")?.count(SIZE)?,
                exponent: o.required("exponent", "")?.number()?,
            }
        }
        "matrix" => CovarianceSpec::Matrix(square(context.matrix(&inner)?, &inner)?),
        "npy" => CovarianceSpec::Matrix(square(context.matrix(node)?, node)?),
        _ => {
            let o = inner.object(&["of", "shift"])?;
            let shift = o.required("shift", "s > 0 in (W Wᵀ + s I)⁻¹")?;
            let value = shift.number()?;
            if value <= 0.0 {
                return Err(shift.error(format!("the shift must be > 0, got {value:?}")));
            }
            CovarianceSpec::InverseGramPlus {
                of: Box::new(matrix(&o.required("of", "")?, context)?),
                shift: value,
            }
        }
    })
}

fn square(m: Mat<f64>, node: &Node<'_>) -> Result<Mat<f64>> {
    if m.nrows() != m.ncols() || m.nrows() == 0 {
        return Err(node.error(format!(
            "a covariance must be a non-empty square matrix, got {}×{}",
            m.nrows(),
            m.ncols()
        )));
    }
    Ok(m)
}

fn rows_json(m: &Mat<f64>) -> Value {
    Value::from(
        (0..m.nrows())
            .map(|i| Value::from((0..m.ncols()).map(|j| m[(i, j)]).collect::<Vec<f64>>()))
            .collect::<Vec<_>>(),
    )
}

fn matrix_json(m: &MatrixSpec) -> Value {
    match m {
        MatrixSpec::Gaussian { name, rows, cols } => {
            json!({"gaussian": {"name": name, "rows": rows, "cols": cols}})
        }
        MatrixSpec::Rainbow { z, covariance } => {
            json!({"rainbow": {"z": matrix_json(z), "covariance": covariance_json(covariance)}})
        }
        MatrixSpec::Combination(terms) => {
            let terms: Vec<Value> = terms
                .iter()
                .map(|(a, m)| json!({"scale": a, "matrix": matrix_json(m)}))
                .collect();
            json!({ "sum": terms })
        }
        MatrixSpec::Named(name) => json!({"ref": name}),
        MatrixSpec::Given(w) => json!({"values": rows_json(w)}),
    }
}

fn covariance_json(c: &CovarianceSpec) -> Value {
    match c {
        CovarianceSpec::ScaledIdentity { dim, scale } if *scale == 1.0 => json!({"identity": dim}),
        CovarianceSpec::ScaledIdentity { dim, scale } => {
            json!({"scaled_identity": {"dim": dim, "scale": scale}})
        }
        CovarianceSpec::Diagonal(v) => json!({"diagonal": v}),
        CovarianceSpec::PowerLaw { dim, exponent } => {
            json!({"power_law": {"dim": dim, "exponent": exponent}})
        }
        CovarianceSpec::Matrix(m) => json!({"matrix": rows_json(m)}),
        CovarianceSpec::InverseGramPlus { of, shift } => {
            json!({"inverse_gram_plus": {"of": matrix_json(of), "shift": shift}})
        }
    }
}

fn layers_json(layers: &[(MatrixSpec, Activation)]) -> Value {
    Value::from(
        layers
            .iter()
            .map(|(w, a)| json!({"weights": matrix_json(w), "activation": a.name()}))
            .collect::<Vec<_>>(),
    )
}
