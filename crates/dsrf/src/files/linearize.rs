//! The input of `dsrf linearize` (docs/linearize.md): input moments Ω₀, ψ₀ and layers
//! with given weights.

use std::path::Path;

use dsrf_rainbow::Layer;
use faer::Mat;
use serde_json::Value;

use super::json::{Node, parse_text};
use super::network::activation;
use super::read_document;
use super::values::{ReadContext, base_of};
use crate::Result;

/// A parsed linearisation input (shapes are checked by the linearisation itself,
/// which names the layer).
#[derive(Debug, Clone)]
pub struct LinearizeFile {
    /// Ω₀ = E[x xᵀ], d × d.
    pub omega0: Mat<f64>,
    /// ψ₀ = E[x y], length d.
    pub psi0: Vec<f64>,
    /// The layers, first first; weights out × in.
    pub layers: Vec<Layer>,
}

impl LinearizeFile {
    /// Reads the file at `path` ("-": standard input).
    pub fn load(path: &Path, context: &ReadContext) -> Result<Self> {
        let text = read_document(path)?;
        let context = ReadContext {
            base: base_of(path),
            ..context.clone()
        };
        Self::parse_str(&text, &context).map_err(|e| e.in_file("linearisation input", path))
    }

    /// Parses a document.
    pub fn parse_str(text: &str, context: &ReadContext) -> Result<Self> {
        Self::parse(&parse_text(text)?, context)
    }

    /// Parses a JSON value.
    pub fn parse(value: &Value, context: &ReadContext) -> Result<Self> {
        let root = Node::root(value).object(&["omega0", "psi0", "layers"])?;
        let omega0 =
            context.matrix(&root.required("omega0", "the input second moment E[x xᵀ]")?)?;
        let psi0 = context.vector(&root.required("psi0", "E[x y]")?)?;
        let list = root.required("layers", "give at least one layer")?;
        let items = list.array()?;
        if items.is_empty() {
            return Err(list.error("give at least one layer"));
        }
        let layers = items
            .iter()
            .map(|item| {
                let layer = item.object(&["weights", "activation"])?;
                let weights_node = layer.required("weights", "out × in")?;
                let weights = context.matrix(&weights_node)?;
                if weights.nrows() == 0 || weights.ncols() == 0 {
                    return Err(weights_node.error(format!(
                        "weights must not be empty, got {}×{}",
                        weights.nrows(),
                        weights.ncols()
                    )));
                }
                Ok(Layer {
                    weights,
                    activation: activation(
                        &layer.required("activation", "a name such as \"tanh\"")?,
                    )?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(LinearizeFile {
            omega0,
            psi0,
            layers,
        })
    }
}
