//! Network specifications and their seeded realisation (paper Def. 2.6, §4.1).
//!
//! A Gaussian rainbow layer has weights W = Z C^{1/2}, Z with i.i.d. 𝒩(0, 1/fan-in)
//! entries, and a row covariance C that may be fixed or computed from earlier layers'
//! weights; weights may be shared between layers and learner and target rows may be
//! correlated by building both from a common matrix. A [`NetworkSpec`] describes all of
//! this as data; [`NetworkSpec::sample`] turns it into weights.
//!
//! Reproducibility: every named Gaussian matrix is drawn from its own ChaCha8 stream,
//! seeded by the spec's seed and selected by a hash of the name, so a spec plus a seed
//! determines every weight, independently of the order of evaluation or the thread
//! count.

use std::collections::HashMap;

use faer::Mat;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::linearize::Layer;
use crate::{Activation, RainbowError};

/// A weight matrix, as an expression over named random matrices.
#[derive(Debug, Clone)]
pub enum MatrixSpec {
    /// A fresh matrix with i.i.d. 𝒩(0, 1/cols) entries, drawn from the stream `name`
    /// (the same name always gives the same matrix for a given seed).
    Gaussian {
        /// Stream name.
        name: String,
        /// Rows (fan-out).
        rows: usize,
        /// Columns (fan-in).
        cols: usize,
    },
    /// Z C^{1/2}: a rainbow layer with row covariance C (C/fan-in per row).
    Rainbow {
        /// The i.i.d. part Z.
        z: Box<MatrixSpec>,
        /// The row covariance C (fan-in × fan-in).
        covariance: CovarianceSpec,
    },
    /// Σ aᵢ Mᵢ (all of the same shape).
    Combination(Vec<(f64, MatrixSpec)>),
    /// A matrix defined earlier in [`NetworkSpec::definitions`] (shared weights).
    Named(String),
    /// Given values (e.g. trained weights).
    Given(Mat<f64>),
}

/// A row covariance C of a rainbow layer.
#[derive(Debug, Clone)]
pub enum CovarianceSpec {
    /// s·I of the given dimension (the precursor's i.i.d. layers have s = Δ).
    ScaledIdentity {
        /// Dimension.
        dim: usize,
        /// Scale s ≥ 0.
        scale: f64,
    },
    /// diag(values).
    Diagonal(Vec<f64>),
    /// diag(k^{-exponent}), k = 1..dim (the paper's Figure 1).
    PowerLaw {
        /// Dimension.
        dim: usize,
        /// Decay exponent.
        exponent: f64,
    },
    /// A given symmetric PSD matrix (checked by the default PSD policy); as a row
    /// covariance it gives W = Z C^{1/2} with the full symmetric PSD root.
    Matrix(Mat<f64>),
    /// (W Wᵀ + shift·I)⁻¹ for a matrix W (the paper's C₃ = (W₁W₁ᵀ + ½I)⁻¹).
    InverseGramPlus {
        /// W.
        of: Box<MatrixSpec>,
        /// shift > 0.
        shift: f64,
    },
}

/// A learner and a target network on a common Gaussian input.
#[derive(Debug, Clone)]
pub struct NetworkSpec {
    /// Seed of every random draw.
    pub seed: u64,
    /// Input covariance Ω₀ = E[x xᵀ] (x ~ 𝒩(0, Ω₀)).
    pub input: CovarianceSpec,
    /// Named matrices, evaluated in order; later ones may refer to earlier ones.
    pub definitions: Vec<(String, MatrixSpec)>,
    /// Learner layers (weights, activation), first layer first.
    pub learner: Vec<(MatrixSpec, Activation)>,
    /// Target layers; may be empty (the target features are then the input).
    pub target: Vec<(MatrixSpec, Activation)>,
}

/// A realised network: weights and the input covariance.
#[derive(Debug, Clone)]
pub struct SampledNetwork {
    /// Ω₀.
    pub omega0: Mat<f64>,
    /// Learner layers.
    pub learner: Vec<Layer>,
    /// Target layers.
    pub target: Vec<Layer>,
}

impl NetworkSpec {
    /// Realises every weight. Errors name the layer and field: widths that do not
    /// chain, a non-PSD or mis-sized covariance, unknown names, shape mismatches.
    pub fn sample(&self) -> Result<SampledNetwork, RainbowError> {
        let mut scope = Scope {
            seed: self.seed,
            named: HashMap::new(),
        };
        let omega0 = self.input.realise(&mut scope, "input")?;
        for (name, spec) in &self.definitions {
            if scope.named.contains_key(name) {
                return Err(RainbowError::Input {
                    what: format!("matrix `{name}`"),
                    message: "is defined twice".into(),
                });
            }
            let m = spec.realise(&mut scope, &format!("matrix `{name}`"))?;
            scope.named.insert(name.clone(), m);
        }
        let mut build = |network: &str,
                         layers: &[(MatrixSpec, Activation)]|
         -> Result<Vec<Layer>, RainbowError> {
            let mut fan_in = omega0.nrows();
            let mut out = Vec::with_capacity(layers.len());
            for (l, (spec, activation)) in layers.iter().enumerate() {
                let what = format!("{network}.layers[{l}]");
                let weights = spec.realise(&mut scope, &format!("{what}.weights"))?;
                if weights.ncols() != fan_in {
                    return Err(RainbowError::Input {
                        what: format!("{what}.weights"),
                        message: format!(
                            "is {}×{} but the previous width is {fan_in} (weights are out × in)",
                            weights.nrows(),
                            weights.ncols()
                        ),
                    });
                }
                activation.validate().map_err(|e| RainbowError::Input {
                    what: format!("{what}.activation"),
                    message: e.to_string(),
                })?;
                fan_in = weights.nrows();
                out.push(Layer {
                    weights,
                    activation: activation.clone(),
                });
            }
            Ok(out)
        };
        let learner = build("learner", &self.learner)?;
        let target = build("target", &self.target)?;
        Ok(SampledNetwork {
            omega0,
            learner,
            target,
        })
    }
}

/// `len` i.i.d. 𝒩(0, variance) numbers from the stream `name` of `seed` (e.g. the
/// target readout θ*), by the same rule as [`MatrixSpec::Gaussian`].
pub fn gaussian_vector(seed: u64, name: &str, len: usize, variance: f64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream_of(name));
    let scale = variance.sqrt();
    (0..len)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            z * scale
        })
        .collect()
}

struct Scope {
    seed: u64,
    named: HashMap<String, Mat<f64>>,
}

/// FNV-1a: a stable hash of a stream name (std's hasher is not stable across releases).
fn stream_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

impl MatrixSpec {
    fn realise(&self, scope: &mut Scope, what: &str) -> Result<Mat<f64>, RainbowError> {
        let input = |message: String| RainbowError::Input {
            what: what.to_string(),
            message,
        };
        match self {
            MatrixSpec::Gaussian { name, rows, cols } => {
                if *rows == 0 || *cols == 0 {
                    return Err(input(format!(
                        "gaussian `{name}` needs positive rows and cols, got {rows}×{cols}"
                    )));
                }
                let mut rng = ChaCha8Rng::seed_from_u64(scope.seed);
                rng.set_stream(stream_of(name));
                let scale = 1.0 / (*cols as f64).sqrt();
                // Row-major draw order, so the matrix does not depend on faer's layout.
                let mut values = vec![0.0; rows * cols];
                for v in values.iter_mut() {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    *v = z * scale;
                }
                Ok(Mat::from_fn(*rows, *cols, |i, j| values[i * cols + j]))
            }
            MatrixSpec::Rainbow { z, covariance } => {
                let z = z.realise(scope, what)?;
                let root = covariance.root(scope, &format!("{what}.covariance"))?;
                if root.dim() != z.ncols() {
                    return Err(input(format!(
                        "the row covariance is {0}×{0} but Z has {1} columns (fan-in)",
                        root.dim(),
                        z.ncols()
                    )));
                }
                Ok(match root {
                    // Diagonal C: scale the columns, no product needed.
                    Root::Diagonal(d) => {
                        Mat::from_fn(z.nrows(), z.ncols(), |i, j| z[(i, j)] * d[j])
                    }
                    Root::Full(r) => dsrf_linalg::product(z.as_ref(), r.as_ref()),
                })
            }
            MatrixSpec::Combination(terms) => {
                let mut total: Option<Mat<f64>> = None;
                for (k, (a, spec)) in terms.iter().enumerate() {
                    if !a.is_finite() {
                        return Err(input(format!("coefficient {k} is not finite ({a})")));
                    }
                    let m = spec.realise(scope, &format!("{what}.terms[{k}]"))?;
                    total = Some(match total {
                        None => Mat::from_fn(m.nrows(), m.ncols(), |i, j| a * m[(i, j)]),
                        Some(t) => {
                            if (t.nrows(), t.ncols()) != (m.nrows(), m.ncols()) {
                                return Err(input(format!(
                                    "term {k} is {}×{} but the first term is {}×{}",
                                    m.nrows(),
                                    m.ncols(),
                                    t.nrows(),
                                    t.ncols()
                                )));
                            }
                            Mat::from_fn(t.nrows(), t.ncols(), |i, j| t[(i, j)] + a * m[(i, j)])
                        }
                    });
                }
                total.ok_or_else(|| input("a combination needs at least one term".into()))
            }
            MatrixSpec::Given(m) => {
                if m.nrows() == 0 || m.ncols() == 0 {
                    return Err(input(format!(
                        "given weights must not be empty, got {}×{}",
                        m.nrows(),
                        m.ncols()
                    )));
                }
                if let Some((i, j)) = (0..m.ncols())
                    .flat_map(|j| (0..m.nrows()).map(move |i| (i, j)))
                    .find(|&(i, j)| !m[(i, j)].is_finite())
                {
                    return Err(input(format!("entry ({i}, {j}) is not a finite number")));
                }
                Ok(m.clone())
            }
            MatrixSpec::Named(name) => scope.named.get(name).cloned().ok_or_else(|| {
                input(format!(
                    "no matrix named `{name}` is defined before this point"
                ))
            }),
        }
    }
}

/// A square root C^{1/2}.
enum Root {
    Diagonal(Vec<f64>),
    Full(Mat<f64>),
}

impl Root {
    fn dim(&self) -> usize {
        match self {
            Root::Diagonal(d) => d.len(),
            Root::Full(m) => m.nrows(),
        }
    }
}

impl CovarianceSpec {
    /// C^{1/2}: diagonal (O(d), no decomposition) for the diagonal forms, the full
    /// symmetric PSD root otherwise — a given matrix with off-diagonal entries must give
    /// W = Z C^{1/2}, not Z diag(C)^{1/2}, or the rows' covariance is not C.
    fn root(&self, scope: &mut Scope, what: &str) -> Result<Root, RainbowError> {
        let input = |message: String| RainbowError::Input {
            what: what.to_string(),
            message,
        };
        match self {
            CovarianceSpec::InverseGramPlus { .. } => {
                // C = U diag(1/λ) Uᵀ from the eigendecomposition of W Wᵀ + sI, so
                // C^{1/2} = U diag(λ^{-1/2}) Uᵀ without a second decomposition.
                let (vectors, values) = self.inverse_gram_eigen(scope, what)?;
                let p = values.len();
                let scaled = Mat::from_fn(p, p, |i, j| vectors[(i, j)] / values[j].sqrt());
                let root = dsrf_linalg::product(scaled.as_ref(), vectors.transpose());
                Ok(Root::Full(Mat::from_fn(p, p, |i, j| {
                    0.5 * (root[(i, j)] + root[(j, i)])
                })))
            }
            CovarianceSpec::Matrix(c) => {
                // Rejects non-square, non-finite, asymmetric and indefinite C (beyond
                // the default PSD policy's rounding budget).
                let root = dsrf_linalg::psd_sqrt(c.as_ref(), &Default::default())
                    .map_err(|e| input(format!("the row covariance C: {e}")))?;
                Ok(Root::Full(root))
            }
            CovarianceSpec::ScaledIdentity { .. }
            | CovarianceSpec::Diagonal(_)
            | CovarianceSpec::PowerLaw { .. } => {
                let d = self.diagonal(what)?.expect("a diagonal form");
                Ok(Root::Diagonal(d.into_iter().map(f64::sqrt).collect()))
            }
        }
    }

    /// Eigenvectors and eigenvalues of W Wᵀ + sI.
    fn inverse_gram_eigen(
        &self,
        scope: &mut Scope,
        what: &str,
    ) -> Result<(Mat<f64>, Vec<f64>), RainbowError> {
        let CovarianceSpec::InverseGramPlus { of, shift } = self else {
            unreachable!("only called for InverseGramPlus")
        };
        let input = |message: String| RainbowError::Input {
            what: what.to_string(),
            message,
        };
        if !(shift.is_finite() && *shift > 0.0) {
            return Err(input(format!(
                "the shift of (W Wᵀ + s I)⁻¹ must be > 0, got {shift}"
            )));
        }
        let w = of.realise(scope, &format!("{what}.of"))?;
        let mut gram = dsrf_linalg::product(w.as_ref(), w.transpose());
        for i in 0..gram.nrows() {
            gram[(i, i)] += shift;
        }
        let gram = Mat::from_fn(gram.nrows(), gram.ncols(), |i, j| {
            0.5 * (gram[(i, j)] + gram[(j, i)])
        });
        let eig = dsrf_linalg::psd_eigen(gram.as_ref(), &Default::default())
            .map_err(|e| input(e.to_string()))?;
        Ok((eig.vectors, eig.values))
    }

    /// The dimension, when it is known without realising anything (0 otherwise).
    pub fn dim(&self) -> usize {
        match self {
            CovarianceSpec::ScaledIdentity { dim, .. } | CovarianceSpec::PowerLaw { dim, .. } => {
                *dim
            }
            CovarianceSpec::Diagonal(v) => v.len(),
            CovarianceSpec::Matrix(m) => m.nrows(),
            CovarianceSpec::InverseGramPlus { .. } => 0,
        }
    }

    /// The diagonal of C for the diagonal forms (validated), `None` for the others.
    fn diagonal(&self, what: &str) -> Result<Option<Vec<f64>>, RainbowError> {
        let input = |message: String| RainbowError::Input {
            what: what.to_string(),
            message,
        };
        match self {
            CovarianceSpec::ScaledIdentity { dim, scale } => {
                if !(scale.is_finite() && *scale >= 0.0) {
                    return Err(input(format!(
                        "a variance scale must be finite and ≥ 0, got {scale}"
                    )));
                }
                Ok(Some(vec![*scale; *dim]))
            }
            CovarianceSpec::Diagonal(values) => {
                if let Some((i, v)) = values
                    .iter()
                    .enumerate()
                    .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
                {
                    return Err(input(format!(
                        "diagonal entry {i} is {v}: variances must be finite and ≥ 0"
                    )));
                }
                Ok(Some(values.clone()))
            }
            CovarianceSpec::PowerLaw { dim, exponent } => {
                if !exponent.is_finite() {
                    return Err(input(format!(
                        "the power-law exponent must be finite, got {exponent}"
                    )));
                }
                Ok(Some(
                    (1..=*dim).map(|k| (k as f64).powf(-exponent)).collect(),
                ))
            }
            CovarianceSpec::Matrix(_) | CovarianceSpec::InverseGramPlus { .. } => Ok(None),
        }
    }

    fn realise(&self, scope: &mut Scope, what: &str) -> Result<Mat<f64>, RainbowError> {
        let input = |message: String| RainbowError::Input {
            what: what.to_string(),
            message,
        };
        if let Some(d) = self.diagonal(what)? {
            return Ok(Mat::from_fn(d.len(), d.len(), |i, j| {
                if i == j { d[i] } else { 0.0 }
            }));
        }
        match self {
            CovarianceSpec::Matrix(c) => {
                dsrf_linalg::psd_eigenvalues(c.as_ref(), &Default::default())
                    .map_err(|e| input(e.to_string()))?;
                Ok(c.clone())
            }
            CovarianceSpec::InverseGramPlus { .. } => {
                let (vectors, values) = self.inverse_gram_eigen(scope, what)?;
                let p = values.len();
                let scaled = Mat::from_fn(p, p, |i, j| vectors[(i, j)] / values[j]);
                let inv = dsrf_linalg::product(scaled.as_ref(), vectors.transpose());
                Ok(Mat::from_fn(p, p, |i, j| 0.5 * (inv[(i, j)] + inv[(j, i)])))
            }
            _ => unreachable!("the diagonal forms returned above"),
        }
    }
}
