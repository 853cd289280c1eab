//! The memory a network specification needs, estimated from its shapes alone (nothing
//! is allocated), so that a width of 10⁹ is refused with a message instead of aborting
//! the process.
//!
//! The estimate counts every dense matrix the realisation and Definition 4.2 hold at
//! once — named matrices, layer weights, the dense d × d covariances and the
//! eigendecompositions of rainbow row covariances, and per layer the products
//! W Ω (out × in) and W Ω Wᵀ (out × out) with the next Ω, Φ, Ψ — as f64 entries in
//! `u128`, which cannot overflow for sizes below 2⁴⁰. It is an upper bound of the
//! dominant terms, not an exact peak.

use std::collections::HashMap;

use dsrf_rainbow::{CovarianceSpec, MatrixSpec, NetworkSpec};

use crate::budget::{f64_bytes, human_bytes};

/// Estimated memory of a network's realisation and covariances.
#[derive(Debug, Clone, PartialEq)]
pub struct Footprint {
    /// Bytes.
    pub bytes: u128,
    /// The single largest contribution: (where, rows, cols).
    pub largest: Option<(String, u128, u128)>,
}

impl Footprint {
    /// `the network (largest matrix: learner[0].weights, …)`.
    pub fn describe(&self) -> String {
        match &self.largest {
            Some((what, r, c)) => format!(
                "the network (largest matrix: {what}, {r} × {c} = {})",
                human_bytes(f64_bytes(r * c))
            ),
            None => "the network".into(),
        }
    }
}

struct Walker<'a> {
    named: HashMap<&'a str, (u128, u128)>,
    entries: u128,
    largest: Option<(String, u128, u128)>,
}

impl<'a> Walker<'a> {
    /// Counts `copies` matrices of `rows × cols` at `what`.
    fn hold(&mut self, what: &str, rows: u128, cols: u128, copies: u128) {
        let size = rows.saturating_mul(cols);
        self.entries = self.entries.saturating_add(size.saturating_mul(copies));
        if self.largest.as_ref().is_none_or(|(_, r, c)| r * c < size) {
            self.largest = Some((what.to_string(), rows, cols));
        }
    }

    /// The shape of a matrix expression, counting what building it holds.
    fn matrix(&mut self, m: &'a MatrixSpec, what: &str) -> Option<(u128, u128)> {
        match m {
            MatrixSpec::Gaussian { rows, cols, .. } => {
                let (r, c) = (*rows as u128, *cols as u128);
                // The draw buffer and the matrix.
                self.hold(what, r, c, 2);
                Some((r, c))
            }
            MatrixSpec::Rainbow { z, covariance } => {
                let shape = self.matrix(z, what)?;
                self.covariance(covariance, what);
                self.hold(what, shape.0, shape.1, 2);
                Some(shape)
            }
            MatrixSpec::Combination(terms) => {
                let mut shape = None;
                for (k, (_, term)) in terms.iter().enumerate() {
                    let s = self.matrix(term, &format!("{what}.sum[{k}]"));
                    shape = shape.or(s);
                }
                let (r, c) = shape?;
                self.hold(what, r, c, 2);
                Some((r, c))
            }
            MatrixSpec::Named(name) => {
                let (r, c) = *self.named.get(name.as_str())?;
                self.hold(what, r, c, 1);
                Some((r, c))
            }
            MatrixSpec::Given(w) => {
                let (r, c) = (w.nrows() as u128, w.ncols() as u128);
                self.hold(what, r, c, 1);
                Some((r, c))
            }
        }
    }

    /// The dimension of a covariance, counting its dense form and roots.
    fn covariance(&mut self, c: &'a CovarianceSpec, what: &str) -> u128 {
        let at = format!("{what}.covariance");
        let d = match c {
            CovarianceSpec::ScaledIdentity { dim, .. } | CovarianceSpec::PowerLaw { dim, .. } => {
                *dim as u128
            }
            CovarianceSpec::Diagonal(v) => v.len() as u128,
            CovarianceSpec::Matrix(m) => {
                let d = m.nrows() as u128;
                // Eigenvectors, scaled copy and the root.
                self.hold(&at, d, d, 3);
                d
            }
            CovarianceSpec::InverseGramPlus { of, .. } => {
                let Some((r, _)) = self.matrix(of, &format!("{at}.of")) else {
                    return 0;
                };
                // Gram matrix, its symmetrised copy, eigenvectors, scaled copy, result.
                self.hold(&at, r, r, 5);
                r
            }
        };
        self.hold(&at, d, d, 1);
        d
    }
}

/// Estimates the bytes `spec.sample()` and `linearized_covariances` hold at once.
pub fn network_footprint(spec: &NetworkSpec) -> Footprint {
    let mut w = Walker {
        named: HashMap::new(),
        entries: 0,
        largest: None,
    };
    let d = w.covariance(&spec.input, "input");
    for (name, m) in &spec.definitions {
        if let Some(shape) = w.matrix(m, &format!("matrix `{name}`")) {
            w.named.insert(name.as_str(), shape);
        }
    }
    for (network, layers) in [("learner", &spec.learner), ("target", &spec.target)] {
        // Ω (or Ψ) and Φ of the running layer: Ω₀ and a copy for Φ to start.
        w.hold(&format!("{network} covariance"), d, d, 2);
        for (l, (m, _)) in layers.iter().enumerate() {
            let what = format!("{network}[{l}].weights");
            if let Some((out, inp)) = w.matrix(m, &what) {
                // W Ω, W Ω Wᵀ, the next Ω and the next Φ (at most out × out).
                let covariance = format!("the output covariance of {what}");
                w.hold(&covariance, out, inp, 1);
                w.hold(&covariance, out, out, 3);
            }
        }
    }
    Footprint {
        bytes: f64_bytes(w.entries),
        largest: w.largest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsrf_rainbow::Activation;

    #[test]
    fn a_wide_layer_is_named_with_its_size() {
        let spec = NetworkSpec {
            seed: 0,
            input: CovarianceSpec::ScaledIdentity {
                dim: 1000,
                scale: 1.0,
            },
            definitions: vec![],
            learner: vec![(
                MatrixSpec::Gaussian {
                    name: "W".into(),
                    rows: 1_000_000_000,
                    cols: 1000,
                },
                Activation::Tanh,
            )],
            target: vec![],
        };
        let f = network_footprint(&spec);
        // At least the weights (8 TB) and the 10⁹ × 10⁹ covariance of that layer.
        assert!(f.bytes >= 8 * 1_000_000_000u128 * 1_000_000_000);
        assert!(
            f.describe().contains("learner[0].weights"),
            "{}",
            f.describe()
        );
    }

    #[test]
    fn the_figure_one_network_is_small() {
        let spec = crate::presets::figure1_rainbow(1, 200, 0.5);
        let f = network_footprint(&spec);
        // Tens of 200 × 200 matrices: well under 100 MB, well over one matrix.
        assert!(
            f.bytes > 8 * 200 * 200 * 10 && f.bytes < 100 << 20,
            "{}",
            f.bytes
        );
    }
}
