//! The network specification file shared by `dsrf covariance` and `dsrf curve
//! --network` (documented in docs/network.md).

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use dsrf_rainbow::{Activation, CovarianceSpec, MatrixSpec, NetworkSpec};
use serde_json::{Map, Value};

use crate::json_input::{matrix_value, number_list, read_json, scalar, vector_value};

/// A parsed network file: the network, the target readout and the optional curve grid.
pub struct NetworkFile {
    /// The learner and target networks.
    pub spec: NetworkSpec,
    /// θ* (length = target width), or a request to draw it.
    pub readout: Readout,
    /// ⟨Σ⟩, the label-noise variance.
    pub noise_variance: f64,
    /// The rest of the document (units, lambdas, ns for `dsrf curve`).
    pub document: Map<String, Value>,
}

/// How θ* is obtained.
pub enum Readout {
    /// Given values.
    Given(Vec<f64>),
    /// i.i.d. 𝒩(0, variance) entries from the stream `name`.
    Gaussian { name: String, variance: f64 },
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

/// Reads and parses a network file.
pub fn load(path: &Path) -> Result<NetworkFile> {
    let (value, base) = read_json(path, "network file")?;
    parse(value, &base)
}

fn parse(value: Value, base: &Path) -> Result<NetworkFile> {
    let Value::Object(obj) = value else {
        bail!("the network file must be a JSON object");
    };
    if let Some(unknown) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        bail!(
            "unknown field `{unknown}` (known fields: {})",
            KNOWN.join(", ")
        );
    }
    let seed = match obj.get("seed") {
        None => 0,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| anyhow!("field `seed`: expected a non-negative integer, got {v}"))?,
    };
    let input = covariance(
        obj.get("input").ok_or_else(|| {
            anyhow!(
                "field `input` is missing: give the input covariance, e.g. {{\"identity\": 1000}}"
            )
        })?,
        "input",
        base,
    )?;
    let mut definitions = Vec::new();
    if let Some(matrices) = obj.get("matrices") {
        let items = matrices.as_array().ok_or_else(|| {
            anyhow!("field `matrices`: expected an array of {{\"name\": .., \"value\": ..}}")
        })?;
        for (i, item) in items.iter().enumerate() {
            let what = format!("matrices[{i}]");
            let entry = item.as_object().ok_or_else(|| {
                anyhow!("field `{what}`: expected {{\"name\": .., \"value\": ..}}")
            })?;
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| anyhow!("field `{what}.name`: expected a string"))?;
            let value = entry
                .get("value")
                .ok_or_else(|| anyhow!("field `{what}.value` is missing"))?;
            definitions.push((
                name.to_string(),
                matrix(value, &format!("{what}.value"), base)?,
            ));
        }
    }
    let learner = layers(
        obj.get("learner")
            .ok_or_else(|| anyhow!("field `learner` is missing"))?,
        "learner",
        base,
    )?;
    let target = match obj.get("target") {
        None => Vec::new(),
        Some(v) => layers(v, "target", base)?,
    };
    let readout = match obj.get("readout") {
        None => Readout::Gaussian {
            name: "readout".into(),
            variance: 1.0,
        },
        Some(v) => readout(v, base)?,
    };
    let noise_variance = scalar(&obj, "noise_variance")?.unwrap_or(0.0);
    // Validate the grid fields' types early; `dsrf curve` interprets them.
    number_list(&obj, "lambdas")?;
    number_list(&obj, "ns")?;
    Ok(NetworkFile {
        spec: NetworkSpec {
            seed,
            input,
            definitions,
            learner,
            target,
        },
        readout,
        noise_variance,
        document: obj,
    })
}

fn readout(value: &Value, base: &Path) -> Result<Readout> {
    let obj = value.as_object().filter(|o| o.len() == 1).ok_or_else(|| {
        anyhow!("field `readout`: expected {{\"theta_star\": [..]}} or {{\"gaussian\": {{\"name\": .., \"variance\": ..}}}}")
    })?;
    let (kind, inner) = obj.iter().next().expect("one entry");
    match kind.as_str() {
        "theta_star" => Ok(Readout::Given(vector_value(
            inner,
            "readout.theta_star",
            base,
        )?)),
        "gaussian" => {
            let g = inner
                .as_object()
                .ok_or_else(|| anyhow!("field `readout.gaussian`: expected an object"))?;
            let name = g
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("readout")
                .to_string();
            let variance = match g.get("variance") {
                None => 1.0,
                Some(v) => v.as_f64().filter(|x| *x >= 0.0).ok_or_else(|| {
                    anyhow!("field `readout.gaussian.variance`: expected a number ≥ 0, got {v}")
                })?,
            };
            Ok(Readout::Gaussian { name, variance })
        }
        other => bail!("field `readout`: unknown form `{other}` (use theta_star or gaussian)"),
    }
}

fn layers(value: &Value, network: &str, base: &Path) -> Result<Vec<(MatrixSpec, Activation)>> {
    let items = value.as_array().ok_or_else(|| {
        anyhow!("field `{network}`: expected an array of {{\"weights\": .., \"activation\": ..}}")
    })?;
    items
        .iter()
        .enumerate()
        .map(|(l, item)| {
            let what = format!("{network}[{l}]");
            let obj = item
                .as_object()
                .ok_or_else(|| anyhow!("field `{what}`: expected an object"))?;
            if let Some(unknown) = obj.keys().find(|k| *k != "weights" && *k != "activation") {
                bail!("field `{what}`: unknown field `{unknown}` (known: weights, activation)");
            }
            let weights = matrix(
                obj.get("weights")
                    .ok_or_else(|| anyhow!("field `{what}.weights` is missing"))?,
                &format!("{what}.weights"),
                base,
            )?;
            let name = obj
                .get("activation")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    anyhow!("field `{what}.activation`: expected a name such as \"tanh\"")
                })?;
            let activation = Activation::from_name(name)
                .map_err(|e| anyhow!("field `{what}.activation`: {e}"))?;
            Ok((weights, activation))
        })
        .collect()
}

fn single<'a>(value: &'a Value, what: &str, forms: &str) -> Result<(&'a str, &'a Value)> {
    let obj = value
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| anyhow!("field `{what}`: expected exactly one of {forms}"))?;
    let (k, v) = obj.iter().next().expect("one entry");
    Ok((k.as_str(), v))
}

fn usize_field(obj: &Map<String, Value>, key: &str, what: &str) -> Result<usize> {
    obj.get(key)
        .and_then(Value::as_u64)
        .map(|v| v as usize)
        .ok_or_else(|| anyhow!("field `{what}.{key}`: expected a positive integer"))
}

fn f64_field(obj: &Map<String, Value>, key: &str, what: &str) -> Result<f64> {
    obj.get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| anyhow!("field `{what}.{key}`: expected a number"))
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| anyhow!("field `{what}`: expected an object"))
}

const MATRIX_FORMS: &str = "gaussian, rainbow, sum, ref, values, npy";

fn matrix(value: &Value, what: &str, base: &Path) -> Result<MatrixSpec> {
    let (kind, inner) = single(value, what, MATRIX_FORMS)?;
    let at = format!("{what}.{kind}");
    Ok(match kind {
        "gaussian" => {
            let o = object(inner, &at)?;
            let name = o
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| anyhow!("field `{at}.name`: expected a string"))?;
            MatrixSpec::Gaussian {
                name: name.to_string(),
                rows: usize_field(o, "rows", &at)?,
                cols: usize_field(o, "cols", &at)?,
            }
        }
        "rainbow" => {
            let o = object(inner, &at)?;
            MatrixSpec::Rainbow {
                z: Box::new(matrix(
                    o.get("z")
                        .ok_or_else(|| anyhow!("field `{at}.z` is missing"))?,
                    &format!("{at}.z"),
                    base,
                )?),
                covariance: covariance(
                    o.get("covariance")
                        .ok_or_else(|| anyhow!("field `{at}.covariance` is missing"))?,
                    &format!("{at}.covariance"),
                    base,
                )?,
            }
        }
        "sum" => {
            let items = inner.as_array().ok_or_else(|| {
                anyhow!("field `{at}`: expected an array of {{\"scale\": .., \"matrix\": ..}}")
            })?;
            let terms = items
                .iter()
                .enumerate()
                .map(|(k, t)| {
                    let here = format!("{at}[{k}]");
                    let o = object(t, &here)?;
                    let scale = match o.get("scale") {
                        None => 1.0,
                        Some(_) => f64_field(o, "scale", &here)?,
                    };
                    let m = matrix(
                        o.get("matrix")
                            .ok_or_else(|| anyhow!("field `{here}.matrix` is missing"))?,
                        &format!("{here}.matrix"),
                        base,
                    )?;
                    Ok((scale, m))
                })
                .collect::<Result<Vec<_>>>()?;
            MatrixSpec::Combination(terms)
        }
        "ref" => MatrixSpec::Named(
            inner
                .as_str()
                .ok_or_else(|| anyhow!("field `{at}`: expected the name of a matrix"))?
                .to_string(),
        ),
        "values" => MatrixSpec::Given(matrix_value(inner, &at, base)?),
        "npy" => MatrixSpec::Given(matrix_value(value, what, base)?),
        other => bail!("field `{what}`: unknown matrix form `{other}` (use {MATRIX_FORMS})"),
    })
}

const COVARIANCE_FORMS: &str =
    "identity, scaled_identity, diagonal, power_law, matrix, npy, inverse_gram_plus";

fn covariance(value: &Value, what: &str, base: &Path) -> Result<CovarianceSpec> {
    let (kind, inner) = single(value, what, COVARIANCE_FORMS)?;
    let at = format!("{what}.{kind}");
    Ok(match kind {
        "identity" => CovarianceSpec::ScaledIdentity {
            dim: inner
                .as_u64()
                .ok_or_else(|| anyhow!("field `{at}`: expected the dimension"))?
                as usize,
            scale: 1.0,
        },
        "scaled_identity" => {
            let o = object(inner, &at)?;
            CovarianceSpec::ScaledIdentity {
                dim: usize_field(o, "dim", &at)?,
                scale: f64_field(o, "scale", &at)?,
            }
        }
        "diagonal" => CovarianceSpec::Diagonal(vector_value(inner, &at, base)?),
        "matrix" => CovarianceSpec::Matrix(matrix_value(inner, &at, base)?),
        "npy" => CovarianceSpec::Matrix(matrix_value(value, what, base)?),
        "power_law" => {
            let o = object(inner, &at)?;
            CovarianceSpec::PowerLaw {
                dim: usize_field(o, "dim", &at)?,
                exponent: f64_field(o, "exponent", &at)?,
            }
        }
        "inverse_gram_plus" => {
            let o = object(inner, &at)?;
            CovarianceSpec::InverseGramPlus {
                of: Box::new(matrix(
                    o.get("of")
                        .ok_or_else(|| anyhow!("field `{at}.of` is missing"))?,
                    &format!("{at}.of"),
                    base,
                )?),
                shift: f64_field(o, "shift", &at)?,
            }
        }
        other => {
            bail!("field `{what}`: unknown covariance form `{other}` (use {COVARIANCE_FORMS})")
        }
    })
}
