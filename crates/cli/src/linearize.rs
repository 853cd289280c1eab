//! `dsrf linearize`: the linearised feature covariance of a network with given weights.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use dsrf_rainbow::{
    Activation, Layer, LayerCoefficients, VarianceConvention, linearize_label_features,
};
use serde_json::Value;

use crate::json_input::{matrix_value, read_json, vector_value};
use crate::npy::write_npy;
use crate::output::format_number;

#[derive(Args)]
pub struct LinearizeArgs {
    /// Network file (JSON: omega0, psi0, layers; see docs/linearize.md), or "-".
    #[arg(long, value_name = "FILE.json")]
    input: PathBuf,
    /// Variance at which each layer's Gaussian moments are taken: one averaged
    /// variance per layer (the paper) or one per neuron.
    #[arg(long, value_enum, default_value_t = Variance::Averaged)]
    variance: Variance,
    /// Write the output here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Write Ω to this .npy file and reference it from the output instead of inlining
    /// it (recommended for wide layers).
    #[arg(long, value_name = "FILE.npy")]
    omega_npy: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Variance {
    Averaged,
    PerNeuron,
}

const KNOWN: [&str; 3] = ["omega0", "psi0", "layers"];

pub fn run(args: &LinearizeArgs) -> Result<()> {
    let (value, base) = read_json(&args.input, "network file")?;
    let context = || format!("invalid network file {}", args.input.display());
    let obj = value
        .as_object()
        .ok_or_else(|| anyhow!("the network file must be a JSON object"))
        .with_context(context)?;
    if let Some(unknown) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(anyhow!(
            "unknown field `{unknown}` (known fields: {})",
            KNOWN.join(", ")
        ))
        .with_context(context);
    }
    let field = |name: &str| {
        obj.get(name)
            .ok_or_else(|| anyhow!("field `{name}` is missing"))
    };
    let omega0 = matrix_value(field("omega0").with_context(context)?, "omega0", &base)
        .with_context(context)?;
    let psi0 =
        vector_value(field("psi0").with_context(context)?, "psi0", &base).with_context(context)?;
    let layers =
        parse_layers(field("layers").with_context(context)?, &base).with_context(context)?;
    let convention = match args.variance {
        Variance::Averaged => VarianceConvention::Averaged,
        Variance::PerNeuron => VarianceConvention::PerNeuron,
    };
    let out = linearize_label_features(omega0.as_ref(), &psi0, &layers, convention)
        .map_err(|e| match e {
            dsrf_rainbow::RainbowError::Input { what, message } => {
                anyhow!("field `{what}`: {message}")
            }
            other => anyhow!(other),
        })
        .with_context(context)?;
    let p = out.omega.nrows();
    let omega_text = match &args.omega_npy {
        Some(path) => {
            write_npy(path, &out.omega)?;
            // An absolute path, so that the reference works from wherever it is read.
            let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            format!(
                "{{\"npy\": {}}}",
                Value::String(absolute.display().to_string())
            )
        }
        None => {
            let rows: Vec<String> = (0..p)
                .map(|i| {
                    format!(
                        "    [{}]",
                        (0..p)
                            .map(|j| format_number(out.omega[(i, j)]))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect();
            format!("[\n{}\n  ]", rows.join(",\n"))
        }
    };
    let list = |v: &[f64]| {
        format!(
            "[{}]",
            v.iter()
                .map(|x| format_number(*x))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let layer_text: Vec<String> = out
        .layers
        .iter()
        .zip(&layers)
        .map(|(c, l)| layer_json(c, &l.activation, l.weights.nrows(), convention, &list))
        .collect();
    let text = format!(
        "{{\n  \"variance\": \"{}\",\n  \"layers\": [\n{}\n  ],\n  \"psi\": {},\n  \"omega\": {}\n}}\n",
        match convention {
            VarianceConvention::Averaged => "averaged",
            VarianceConvention::PerNeuron => "per-neuron",
        },
        layer_text.join(",\n"),
        list(&out.psi),
        omega_text
    );
    crate::output::emit(&text, args.out.as_deref())
}

fn layer_json(
    c: &LayerCoefficients,
    activation: &Activation,
    width: usize,
    convention: VarianceConvention,
    list: &dyn Fn(&[f64]) -> String,
) -> String {
    let value = |v: &[f64]| match convention {
        VarianceConvention::Averaged => format_number(v[0]),
        VarianceConvention::PerNeuron => list(v),
    };
    format!(
        "    {{\"activation\": {}, \"width\": {width}, \"r\": {}, \"kappa1\": {}, \"kappa_star_sq\": {}}}",
        Value::String(activation.name()),
        value(&c.r),
        value(&c.kappa1),
        value(&c.kappa_star_sq)
    )
}

fn parse_layers(value: &Value, base: &std::path::Path) -> Result<Vec<Layer>> {
    let items = value.as_array().ok_or_else(|| {
        anyhow!("field `layers`: expected an array of {{\"weights\": .., \"activation\": ..}}")
    })?;
    if items.is_empty() {
        bail!("field `layers`: give at least one layer");
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let obj = item
                .as_object()
                .ok_or_else(|| anyhow!("field `layers[{i}]`: expected an object"))?;
            if let Some(unknown) = obj.keys().find(|k| *k != "weights" && *k != "activation") {
                bail!(
                    "field `layers[{i}]`: unknown field `{unknown}` (known: weights, activation)"
                );
            }
            let weights_field = format!("layers[{i}].weights");
            let weights = matrix_value(
                obj.get("weights")
                    .ok_or_else(|| anyhow!("field `{weights_field}` is missing"))?,
                &weights_field,
                base,
            )?;
            let name = obj
                .get("activation")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    anyhow!("field `layers[{i}].activation`: expected a name such as \"tanh\"")
                })?;
            let activation = Activation::from_name(name)
                .map_err(|e| anyhow!("field `layers[{i}].activation`: {e}"))?;
            Ok(Layer {
                weights,
                activation,
            })
        })
        .collect()
}
