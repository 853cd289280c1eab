//! Input forms and their validation into the checked [`Problem`].
//!
//! Whatever the form, Theorem 3.1 needs only four eigen-quantities (SPEC §3.3):
//! the eigenvalues ωᵢ of Ω, the squared projections aᵢ² = (uᵢᵀψ)² of the
//! feature–label correlation ψ = E\[φ y\] = Φθ*/√k, the target power ρ, and the label
//! noise variance s². One spectral reduction of Ω produces them; everything after
//! that is O(p) per (n, λ).

use dsrf_linalg::{Mat, PsdPolicy, projected_spectrum};

use crate::TheoryError;

/// A population covariance Ω given either as a full matrix or by its eigenvalues.
#[derive(Debug, Clone)]
pub enum Covariance {
    /// The eigenvalues of Ω; companion vectors (ψ, rows of Φ) are then read in Ω's
    /// eigenbasis.
    Eigenvalues(Vec<f64>),
    /// The full p × p matrix.
    Matrix(Mat<f64>),
}

impl Covariance {
    /// A matrix Ω must be square before anything is sized from it.
    fn check_square(&self) -> Result<(), TheoryError> {
        match self {
            Covariance::Matrix(m) if m.nrows() != m.ncols() => Err(TheoryError::Matrix {
                quantity: "Ω",
                source: dsrf_linalg::LinalgError::NotSquare {
                    rows: m.nrows(),
                    cols: m.ncols(),
                },
            }),
            _ => Ok(()),
        }
    }

    /// The dimension p.
    pub fn dim(&self) -> usize {
        match self {
            Covariance::Eigenvalues(v) => v.len(),
            Covariance::Matrix(m) => m.nrows(),
        }
    }
}

/// The authors' code form (SPEC §3.6): the label is the target.
#[derive(Debug, Clone)]
pub struct CodeForm {
    /// Ω = E\[φφᵀ\], p × p.
    pub omega: Covariance,
    /// ψ = E\[φ y\], length p (in Ω's eigenbasis when Ω is given by eigenvalues).
    pub psi: Vec<f64>,
    /// E\[y²\], label noise included.
    pub label_second_moment: f64,
    /// The label-noise variance s², already contained in E\[y²\]. It does not change
    /// the test error; it only lets the result split off the excess risk.
    pub noise_variance: f64,
}

/// The paper's form (Assumption 2.1): y = θ*ᵀφ*(x)/√k + ε.
#[derive(Debug, Clone)]
pub struct PaperForm {
    /// Ω = E\[φφᵀ\], p × p.
    pub omega: Covariance,
    /// Φ = E\[φφ*ᵀ\], p × k (rows in Ω's eigenbasis when Ω is given by eigenvalues).
    pub phi: Mat<f64>,
    /// Ψ = E\[φ*φ*ᵀ\], k × k.
    pub psi_target: Mat<f64>,
    /// The target readout θ*, length k.
    pub theta_star: Vec<f64>,
    /// ⟨Σ⟩, the mean label-noise variance.
    pub noise_variance: f64,
}

/// A validated problem in eigen-quantities: the only input the solver accepts.
///
/// Invariants: `eigenvalues` are the strictly positive eigenvalues of Ω in ascending
/// order, divided by `scale` = ω_max (zeros — exact ones for eigenvalue input, those
/// below the resolution of the decomposition for matrix input — and clipped
/// estimation noise are dropped, counted in `p − rank`); `weights[i]` = aᵢ²/`scale`
/// belongs to `eigenvalues[i]`; ρ ≥ Σ aᵢ²/ωᵢ (the joint covariance of features and
/// target is PSD) up to the rounding of the reduction.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub(crate) p: usize,
    pub(crate) eigenvalues: Vec<f64>,
    pub(crate) weights: Vec<f64>,
    /// aᵢ²/ωᵢ, precomputed: the hot loop of the bias term is then division-free.
    pub(crate) leverage: Vec<f64>,
    pub(crate) rho: f64,
    pub(crate) noise: f64,
    /// ρ − Σ aᵢ²/ωᵢ ≥ 0: the part of the target no linear function of φ explains.
    pub(crate) misspecification: f64,
    pub(crate) trace: f64,
    /// ω_max: `eigenvalues`, `weights` and `trace` are stored divided by it, and so
    /// are κ and λ_c inside the solver.
    pub(crate) scale: f64,
    pub(crate) clipped: usize,
}

/// The projections of ψ as a reduction delivers them: squared (matrix input) or as
/// given (eigenvalue input, squared only after scaling so that they cannot overflow).
enum Weights {
    Squared(Vec<f64>),
    Signed(Vec<f64>),
}

/// Eigenvalues below this fraction of the largest count as zero (the sums work
/// relative to ω_max and would underflow).
const MIN_RELATIVE_EIGENVALUE: f64 = 1e-300;

/// Absolute accuracy of a spectral reduction (zero for exact eigenvalue input).
#[derive(Debug, Clone, Copy, Default)]
struct Resolution {
    eigenvalue: f64,
    projection: f64,
}

/// Clips negative eigenvalues that carry at most 1e-8 of the spectral mass (the same
/// policy as for matrices); larger ones are an error.
fn clip_negative_eigenvalues(values: &mut [f64]) -> Result<usize, TheoryError> {
    let total: f64 = values.iter().map(|v| v.abs()).sum();
    let negative: f64 = values.iter().filter(|v| **v < 0.0).map(|v| -v).sum();
    let budget = PsdPolicy::default().max_negative_mass * total;
    if negative > budget {
        let (index, &value) = values
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .expect("a negative entry exists");
        return Err(TheoryError::NegativeEigenvalue {
            index,
            value,
            tolerance: budget,
        });
    }
    let mut clipped = 0;
    for v in values.iter_mut().filter(|v| **v < 0.0) {
        *v = 0.0;
        clipped += 1;
    }
    Ok(clipped)
}

/// Accuracy of a spectral reduction in units of p·ε·‖Ω‖ (eigenvalues below this
/// count as zero for matrix input).
const ZERO_EIGENVALUE_FACTOR: f64 = 16.0;
/// Relative slack accepted in the consistency check ρ ≥ ψᵀΩ⁺ψ.
const CONSISTENCY_TOLERANCE: f64 = 1e-9;
/// Relative weight of ψ accepted on Ω's null space (rounding of the spectral reduction).
const NULL_SPACE_TOLERANCE: f64 = 1e-9;

impl CodeForm {
    /// Validates the input and reduces it to eigen-quantities (one spectral reduction).
    pub fn check(self) -> Result<Problem, TheoryError> {
        let CodeForm {
            omega,
            psi,
            label_second_moment,
            noise_variance,
        } = self;
        check_scalar("E[y²]", label_second_moment)?;
        check_scalar("noise variance s²", noise_variance)?;
        let rho = label_second_moment - noise_variance;
        Problem::from_omega_psi(omega, &psi, "ψ", rho, noise_variance)
    }
}

impl PaperForm {
    /// Validates the input and reduces it to eigen-quantities: ψ = Φθ*/√k,
    /// ρ = θ*ᵀΨθ*/k, then one spectral reduction of Ω.
    pub fn check(self) -> Result<Problem, TheoryError> {
        let PaperForm {
            omega,
            phi,
            psi_target,
            theta_star,
            noise_variance,
        } = self;
        omega.check_square()?;
        let p = omega.dim();
        let k = theta_star.len();
        if k == 0 {
            return Err(shape("θ*", "at least one entry", "0"));
        }
        finite_slice("θ*", &theta_star)?;
        if phi.nrows() != p || phi.ncols() != k {
            return Err(shape(
                "Φ",
                format!("{p}×{k} (p × k)"),
                format!("{}×{}", phi.nrows(), phi.ncols()),
            ));
        }
        if psi_target.nrows() != k || psi_target.ncols() != k {
            return Err(shape(
                "Ψ",
                format!("{k}×{k} (k × k)"),
                format!("{}×{}", psi_target.nrows(), psi_target.ncols()),
            ));
        }
        // Ψ is a covariance: symmetric and PSD (an eigenvalue pass, k × k, once).
        dsrf_linalg::psd_eigenvalues(psi_target.as_ref(), &PsdPolicy::default()).map_err(
            |source| TheoryError::Matrix {
                quantity: "Ψ",
                source,
            },
        )?;
        check_finite_matrix("Φ", &phi)?;
        check_scalar("noise variance ⟨Σ⟩", noise_variance)?;
        let scale = 1.0 / (k as f64).sqrt();
        let theta = Mat::from_fn(k, 1, |i, _| theta_star[i]);
        let psi_col = &phi * &theta;
        let psi: Vec<f64> = (0..p).map(|i| psi_col[(i, 0)] * scale).collect();
        let psi_theta = &psi_target * &theta;
        let rho = (0..k)
            .map(|i| theta_star[i] * psi_theta[(i, 0)])
            .sum::<f64>()
            / k as f64;
        if rho < 0.0 {
            return Err(TheoryError::Negative {
                quantity: "θ*ᵀΨθ*/k",
                value: rho,
            });
        }
        Problem::from_omega_psi(omega, &psi, "Φθ*/√k", rho, noise_variance)
    }
}

impl Problem {
    /// Builds a problem directly from eigen-quantities: eigenvalues ωᵢ of Ω,
    /// projections aᵢ = uᵢᵀψ (signs irrelevant), target power ρ and noise s².
    pub fn from_spectrum(
        eigenvalues: &[f64],
        projections: &[f64],
        rho: f64,
        noise_variance: f64,
    ) -> Result<Problem, TheoryError> {
        check_scalar("ρ", rho)?;
        check_scalar("noise variance s²", noise_variance)?;
        Problem::from_omega_psi(
            Covariance::Eigenvalues(eigenvalues.to_vec()),
            projections,
            "ψ",
            rho,
            noise_variance,
        )
    }

    fn from_omega_psi(
        omega: Covariance,
        psi: &[f64],
        psi_name: &'static str,
        rho: f64,
        noise: f64,
    ) -> Result<Problem, TheoryError> {
        omega.check_square()?;
        let p = omega.dim();
        if p == 0 {
            return Err(TheoryError::Empty);
        }
        if psi.len() != p {
            return Err(shape(
                psi_name,
                format!("length {p} (the dimension of Ω)"),
                format!("length {}", psi.len()),
            ));
        }
        finite_slice(psi_name, psi)?;
        // Eigenvalues computed from a matrix are accurate to about p·ε·‖Ω‖ in absolute
        // terms and the projections to about p·ε·‖ψ‖: below that resolution an
        // eigenvalue is indistinguishable from zero. Eigenvalues given as such are exact.
        let (values, weights, clipped, resolution) = match omega {
            Covariance::Matrix(m) => {
                let s = projected_spectrum(m.as_ref(), psi, &PsdPolicy::default()).map_err(
                    |source| TheoryError::Matrix {
                        quantity: "Ω",
                        source,
                    },
                )?;
                finite_slice("Ω eigenvalues", &s.values)?;
                let largest = s.values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let norm = psi.iter().fold(0.0f64, |m, v| m.max(v.abs())) * (p as f64).sqrt();
                let digits = ZERO_EIGENVALUE_FACTOR * p as f64 * f64::EPSILON;
                let resolution = Resolution {
                    eigenvalue: digits * largest,
                    projection: digits * norm,
                };
                (
                    s.values,
                    Weights::Squared(s.weights),
                    s.clipping.count,
                    resolution,
                )
            }
            Covariance::Eigenvalues(mut values) => {
                finite_slice("Ω eigenvalues", &values)?;
                let clipped = clip_negative_eigenvalues(&mut values)?;
                (
                    values,
                    Weights::Signed(psi.to_vec()),
                    clipped,
                    Resolution::default(),
                )
            }
        };
        // Work in units of the largest eigenvalue: the error is invariant under
        // Ω → cΩ, ψ → √c ψ, λ_c → cλ_c, κ → cκ, and this keeps every internal sum
        // away from overflow and underflow whatever the scale of the features.
        // Eigenvalues more than 300 decades below the largest count as zero.
        let scale = values.iter().fold(0.0f64, |m, v| m.max(*v));
        let scale = if scale > 0.0 { scale } else { 1.0 };
        let zero = resolution.eigenvalue.max(MIN_RELATIVE_EIGENVALUE * scale);
        // (ω/scale, aᵢ²/scale, aᵢ²/ωᵢ), computed without squaring aᵢ first.
        let mut total_weight = 0.0;
        let mut outside = 0.0;
        let mut kept: Vec<(f64, f64, f64)> = Vec::with_capacity(p);
        for (i, &w) in values.iter().enumerate() {
            let (weight, leverage) = match &weights {
                Weights::Squared(a2) => (a2[i] / scale, a2[i] / w),
                Weights::Signed(a) => ((a[i] / scale.sqrt()).powi(2), (a[i] / w.sqrt()).powi(2)),
            };
            total_weight += weight;
            if w > zero {
                kept.push((w / scale, weight, leverage));
            } else {
                outside += weight;
            }
        }
        if !total_weight.is_finite() {
            return Err(TheoryError::Overflow {
                quantity: "‖ψ‖²"
            });
        }
        if outside > NULL_SPACE_TOLERANCE * total_weight {
            return Err(TheoryError::OutsideRange {
                outside: outside * scale,
                total: total_weight * scale,
            });
        }
        kept.sort_by(|a, b| a.0.total_cmp(&b.0));
        let leverage: Vec<f64> = kept.iter().map(|k| k.2).collect();
        let explained = neumaier_sum(leverage.iter().copied());
        if !explained.is_finite() {
            return Err(TheoryError::Overflow {
                quantity: "ψᵀΩ⁺ψ"
            });
        }
        // What rounding of the spectral reduction can do to ψᵀΩ⁺ψ = Σ aᵢ²/ωᵢ
        // (|aᵢ| = √(aᵢ²/ωᵢ)·√ωᵢ, written to avoid overflow).
        let delta = resolution.projection;
        let uncertainty: f64 = if delta > 0.0 {
            kept.iter()
                .map(|(w, _, h)| {
                    let omega = w * scale;
                    2.0 * h.sqrt() * delta / omega.sqrt() + delta * delta / omega
                })
                .sum()
        } else {
            0.0
        };
        let misspecification = rho - explained;
        let slack = CONSISTENCY_TOLERANCE * rho.max(explained) + uncertainty;
        if misspecification.is_nan() || misspecification < -slack {
            return Err(TheoryError::InconsistentLabels {
                available: rho,
                explained,
            });
        }
        // A misspecification at the level of rounding is zero (this decides whether
        // the ridgeless peak at n = rank Ω is 0 or +∞ for a noiseless target).
        let floor = 64.0 * f64::EPSILON * (rho + explained) + uncertainty;
        let misspecification = if misspecification <= floor {
            0.0
        } else {
            misspecification
        };
        let eigenvalues: Vec<f64> = kept.iter().map(|k| k.0).collect();
        let weights: Vec<f64> = kept.iter().map(|k| k.1).collect();
        let trace = eigenvalues.iter().sum();
        Ok(Problem {
            p,
            eigenvalues,
            weights,
            leverage,
            rho,
            noise,
            misspecification,
            trace,
            scale,
            clipped,
        })
    }

    /// Feature dimension p (zero eigenvalues included).
    pub fn dim(&self) -> usize {
        self.p
    }

    /// rank Ω: the number of eigenvalues above p·ε·ω_max (up to a small factor).
    pub fn rank(&self) -> usize {
        self.eigenvalues.len()
    }

    /// Tr Ω.
    pub fn trace(&self) -> f64 {
        self.trace * self.scale
    }

    /// ρ, the power of the noiseless target (θ*ᵀΨθ*/k, or E\[y²\] − s²).
    pub fn target_power(&self) -> f64 {
        self.rho
    }

    /// The label-noise variance s² (⟨Σ⟩).
    pub fn noise_variance(&self) -> f64 {
        self.noise
    }

    /// ρ − ψᵀΩ⁺ψ: the part of the target that no linear function of the features
    /// explains (zero in the well-specified case).
    pub fn misspecification(&self) -> f64 {
        self.misspecification
    }

    /// How many negative eigenvalues (estimation noise) were clipped to zero.
    pub fn clipped_eigenvalues(&self) -> usize {
        self.clipped
    }

    /// The positive eigenvalues of Ω, ascending.
    pub fn eigenvalues(&self) -> Vec<f64> {
        self.eigenvalues.iter().map(|w| w * self.scale).collect()
    }

    /// aᵢ² = (uᵢᵀψ)², matching [`Problem::eigenvalues`].
    pub fn weights(&self) -> Vec<f64> {
        self.weights.iter().map(|a| a * self.scale).collect()
    }
}

/// Compensated summation: ψᵀΩ⁺ψ is subtracted from ρ, so its rounding matters.
fn neumaier_sum(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    for v in values {
        let t = sum + v;
        if sum.abs() >= v.abs() {
            compensation += (sum - t) + v;
        } else {
            compensation += (v - t) + sum;
        }
        sum = t;
    }
    sum + compensation
}

fn shape(
    quantity: &'static str,
    expected: impl Into<String>,
    found: impl Into<String>,
) -> TheoryError {
    TheoryError::Shape {
        quantity,
        expected: expected.into(),
        found: found.into(),
    }
}

fn check_scalar(quantity: &'static str, value: f64) -> Result<(), TheoryError> {
    if !value.is_finite() {
        return Err(TheoryError::NotFinite {
            quantity,
            index: 0,
            value,
        });
    }
    if value < 0.0 {
        return Err(TheoryError::Negative { quantity, value });
    }
    Ok(())
}

fn finite_slice(quantity: &'static str, values: &[f64]) -> Result<(), TheoryError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(TheoryError::NotFinite {
            quantity,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

fn check_finite_matrix(quantity: &'static str, m: &Mat<f64>) -> Result<(), TheoryError> {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            if !m[(i, j)].is_finite() {
                return Err(TheoryError::NotFinite {
                    quantity,
                    index: i * m.ncols() + j,
                    value: m[(i, j)],
                });
            }
        }
    }
    Ok(())
}
