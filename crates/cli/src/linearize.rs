//! `dsrf linearize`: the linearised feature covariance of a network with given weights.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use dsrf::files::npy::encode_matrix;
use dsrf::files::output::write_atomic;
use dsrf::files::{LinearizeFile, ReadContext};
use dsrf::rainbow::{Activation, LayerCoefficients, VarianceConvention, linearize_label_features};
use serde_json::Value;

use crate::limits::Limits;
use crate::output::{format_number, list};
use crate::variance::Variance;

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
    #[command(flatten)]
    limits: Limits,
}

pub fn run(args: &LinearizeArgs) -> Result<()> {
    let budget = args.limits.budget();
    let input = LinearizeFile::load(&args.input, &ReadContext::new(".").with_budget(budget))?;
    let convention = args.variance.convention();
    let layers = &input.layers;
    let out = linearize_label_features(input.omega0.as_ref(), &input.psi0, layers, convention)
        .map_err(|e| dsrf::network::field_error(e).in_file("linearisation input", &args.input))?;
    let p = out.omega.nrows();
    let omega_text = match &args.omega_npy {
        Some(path) => {
            write_atomic(path, &encode_matrix(&out.omega))?;
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
    let layer_text: Vec<String> = out
        .layers
        .iter()
        .zip(layers.iter())
        .map(|(c, l)| layer_json(c, &l.activation, l.weights.nrows(), convention))
        .collect();
    let text = format!(
        "{{\n  \"variance\": \"{}\",\n  \"layers\": [\n{}\n  ],\n  \"psi\": {},\n  \"omega\": {}\n}}\n",
        args.variance.name(),
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
