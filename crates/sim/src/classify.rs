//! Ground truth for the losses beyond ridge: L2-regularised logistic regression and
//! the soft-margin SVM on sampled features, each solved to a certificate.
//!
//! Code units, as the theory's (`dsrf_theory::Loss`): minimise
//! Σᵢ ℓ(yᵢ, wᵀxᵢ) + (λ_c/2)‖w‖² over w for labels yᵢ = ±1 (scikit-learn's
//! `LogisticRegression(C=1/λ_c, fit_intercept=False)` and
//! `LinearSVC(loss="hinge", C=1/λ_c, fit_intercept=False)` solve the same problems).
//!
//! * **Logistic**: Newton's method with a Cholesky solve of the Hessian
//!   X diag(σσ) Xᵀ + λ_c I and a backtracking (Armijo) line search, until the gradient
//!   norm is at most [`GRADIENT_TOLERANCE`] (relative to the scale of the data term).
//! * **Hinge**: dual coordinate descent (Hsieh et al. 2008) on
//!   max_α Σα − ‖Σαᵢyᵢxᵢ‖²/(2λ_c), 0 ≤ α ≤ 1, in a fixed cyclic order (deterministic),
//!   until the duality gap — primal minus dual objective, a bound on the distance to
//!   the optimum — is at most [`DUALITY_GAP_TOLERANCE`] of the primal.
//!
//! Both are sequential and deterministic: the same bits on any thread count.

use faer::{Mat, MatRef};

use dsrf_linalg::{sigmoid, softplus};

use crate::SimError;

/// Newton stops at ‖∇‖ ≤ this × max(1, ‖∇ at w = 0‖) (= ‖Σ yᵢxᵢ‖/2): relative to
/// the data term's natural scale.
pub const GRADIENT_TOLERANCE: f64 = 1e-10;
/// The SVM stops at a duality gap ≤ this × max(1, primal objective).
pub const DUALITY_GAP_TOLERANCE: f64 = 1e-9;
const MAX_NEWTON_STEPS: usize = 200;
const MAX_EPOCHS: usize = 200_000;

/// A fitted classifier and its certificate.
#[derive(Debug, Clone)]
pub struct ClassifierFit {
    /// The weights w (length p).
    pub weights: Vec<f64>,
    /// The objective Σℓ + (λ_c/2)‖w‖² at w.
    pub objective: f64,
    /// The mean training loss (1/n)Σℓ(yᵢ, wᵀxᵢ), penalty excluded.
    pub train_loss: f64,
    /// Newton steps or coordinate-descent epochs.
    pub iterations: usize,
    /// ‖∇‖ (logistic) or the duality gap (hinge) at w.
    pub certificate: f64,
}

/// Checks the shapes (features p × n, samples as columns), labels ±1 and λ_c > 0.
fn check(features: MatRef<'_, f64>, labels: &[f64], lambda_code: f64) -> Result<(), SimError> {
    let input = |what: &str, message: String| SimError::Input {
        what: what.into(),
        message,
    };
    if labels.len() != features.ncols() {
        return Err(input(
            "labels",
            format!("{} labels for {} samples", labels.len(), features.ncols()),
        ));
    }
    if let Some(i) = labels.iter().position(|&y| y != 1.0 && y != -1.0) {
        return Err(input(
            "labels",
            format!("label {i} is {}, not ±1", labels[i]),
        ));
    }
    if !(lambda_code.is_finite() && lambda_code > 0.0) {
        return Err(input(
            "λ_c",
            format!(
                "must be > 0 and finite, got {lambda_code} (at λ = 0 the minimiser need not exist)"
            ),
        ));
    }
    for j in 0..features.ncols() {
        for i in 0..features.nrows() {
            if !features[(i, j)].is_finite() {
                return Err(SimError::NotFinite {
                    what: "features".into(),
                    quantity: format!("entry ({i}, {j})"),
                });
            }
        }
    }
    Ok(())
}

/// The margins yᵢ wᵀxᵢ.
fn margins(features: MatRef<'_, f64>, labels: &[f64], w: &[f64]) -> Vec<f64> {
    let wm = Mat::from_fn(1, w.len(), |_, k| w[k]);
    let z = dsrf_linalg::product(wm.as_ref(), features);
    (0..labels.len()).map(|i| labels[i] * z[(0, i)]).collect()
}

/// L2-regularised logistic regression by Newton's method with a Cholesky solve.
pub fn fit_logistic(
    features: MatRef<'_, f64>,
    labels: &[f64],
    lambda_code: f64,
) -> Result<ClassifierFit, SimError> {
    check(features, labels, lambda_code)?;
    let (p, n) = (features.nrows(), features.ncols());
    let objective = |w: &[f64]| -> f64 {
        let data: f64 = margins(features, labels, w)
            .iter()
            .map(|&t| softplus(-t))
            .sum();
        data + 0.5 * lambda_code * w.iter().map(|v| v * v).sum::<f64>()
    };
    let mut w = vec![0.0; p];
    let mut value = objective(&w);
    // The gradient's scale: ‖Σ yᵢxᵢ‖/2 is its norm at w = 0.
    let scale = {
        let g0 = gradient(features, labels, &w, lambda_code).0;
        g0.iter().map(|v| v * v).sum::<f64>().sqrt().max(1.0)
    };
    for step in 0..MAX_NEWTON_STEPS {
        let (g, curvature) = gradient(features, labels, &w, lambda_code);
        let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm <= GRADIENT_TOLERANCE * scale {
            return Ok(fit(labels, w, value, step, norm, lambda_code));
        }
        // Hessian X diag(c) Xᵀ + λ I, with the columns scaled by √c.
        let xs = Mat::from_fn(p, n, |i, j| features[(i, j)] * curvature[j].sqrt());
        let mut hessian = dsrf_linalg::product(xs.as_ref(), xs.transpose());
        for i in 0..p {
            hessian[(i, i)] += lambda_code;
        }
        let rhs = Mat::from_fn(p, 1, |i, _| -g[i]);
        let direction =
            dsrf_linalg::spd_solve(hessian.as_ref(), rhs.as_ref()).map_err(|source| {
                SimError::Linalg {
                    context: "logistic regression: Newton step".into(),
                    source,
                }
            })?;
        let slope: f64 = (0..p).map(|i| g[i] * direction[(i, 0)]).sum();
        // Below the rounding of the objective a line search cannot see progress; the
        // Newton decrement is then tiny and the full step converges quadratically.
        if -slope <= 1e-12 * value.abs().max(1.0) {
            for (i, wi) in w.iter_mut().enumerate() {
                *wi += direction[(i, 0)];
            }
            value = objective(&w);
            continue;
        }
        let mut t = 1.0;
        loop {
            let trial: Vec<f64> = (0..p).map(|i| w[i] + t * direction[(i, 0)]).collect();
            let v = objective(&trial);
            if v <= value + 1e-4 * t * slope || t < 1e-12 {
                w = trial;
                value = v;
                break;
            }
            t *= 0.5;
        }
        if !value.is_finite() {
            return Err(SimError::NotFinite {
                what: "logistic regression".into(),
                quantity: "the objective".into(),
            });
        }
    }
    Err(SimError::Input {
        what: "logistic regression".into(),
        message: format!(
            "Newton did not reach ‖∇‖ ≤ {GRADIENT_TOLERANCE:e} in {MAX_NEWTON_STEPS} steps"
        ),
    })
}

/// The gradient −Σ yᵢσ(−tᵢ)xᵢ + λw and the curvatures σ(tᵢ)σ(−tᵢ).
fn gradient(
    features: MatRef<'_, f64>,
    labels: &[f64],
    w: &[f64],
    lambda_code: f64,
) -> (Vec<f64>, Vec<f64>) {
    let t = margins(features, labels, w);
    let r = Mat::from_fn(labels.len(), 1, |i, _| labels[i] * sigmoid(-t[i]));
    let xr = dsrf_linalg::product(features, r.as_ref());
    let g = (0..w.len())
        .map(|k| -xr[(k, 0)] + lambda_code * w[k])
        .collect();
    let curvature = t.iter().map(|&ti| sigmoid(ti) * sigmoid(-ti)).collect();
    (g, curvature)
}

fn fit(
    labels: &[f64],
    weights: Vec<f64>,
    objective: f64,
    iterations: usize,
    certificate: f64,
    lambda_code: f64,
) -> ClassifierFit {
    let n = labels.len() as f64;
    let penalty = 0.5 * lambda_code * weights.iter().map(|v| v * v).sum::<f64>();
    ClassifierFit {
        train_loss: (objective - penalty) / n,
        weights,
        objective,
        iterations,
        certificate,
    }
}

/// The soft-margin SVM by dual coordinate descent, to a duality-gap certificate.
pub fn fit_hinge(
    features: MatRef<'_, f64>,
    labels: &[f64],
    lambda_code: f64,
) -> Result<ClassifierFit, SimError> {
    check(features, labels, lambda_code)?;
    let (p, n) = (features.nrows(), features.ncols());
    // In the scaled dual: w = (1/λ) Σ αᵢ yᵢ xᵢ, 0 ≤ αᵢ ≤ 1.
    let norms: Vec<f64> = (0..n)
        .map(|j| (0..p).map(|i| features[(i, j)].powi(2)).sum::<f64>())
        .collect();
    let mut alpha = vec![0.0; n];
    let mut w = vec![0.0; p];
    for epoch in 1..=MAX_EPOCHS {
        for j in 0..n {
            if norms[j] == 0.0 {
                continue;
            }
            let y = labels[j];
            let margin: f64 = y * (0..p).map(|i| w[i] * features[(i, j)]).sum::<f64>();
            // ∂(dual)/∂αⱼ = 1 − margin; Newton step on the coordinate, clipped to [0, 1].
            let q = norms[j] / lambda_code;
            let next = (alpha[j] + (1.0 - margin) / q).clamp(0.0, 1.0);
            let delta = next - alpha[j];
            if delta != 0.0 {
                alpha[j] = next;
                let f = delta * y / lambda_code;
                for (i, wi) in w.iter_mut().enumerate() {
                    *wi += f * features[(i, j)];
                }
            }
        }
        if epoch % 10 == 0 || epoch == 1 {
            let t = margins(features, labels, &w);
            let norm2: f64 = w.iter().map(|v| v * v).sum();
            let primal =
                t.iter().map(|&m| (1.0 - m).max(0.0)).sum::<f64>() + 0.5 * lambda_code * norm2;
            let dual = alpha.iter().sum::<f64>() - 0.5 * lambda_code * norm2;
            let gap = primal - dual;
            if !primal.is_finite() {
                return Err(SimError::NotFinite {
                    what: "SVM".into(),
                    quantity: "the primal objective".into(),
                });
            }
            if gap <= DUALITY_GAP_TOLERANCE * primal.max(1.0) {
                return Ok(fit(labels, w, primal, epoch, gap, lambda_code));
            }
        }
    }
    Err(SimError::Input {
        what: "SVM".into(),
        message: format!(
            "the duality gap did not close to {DUALITY_GAP_TOLERANCE:e} in {MAX_EPOCHS} epochs"
        ),
    })
}

/// The classifier of a simulated classification curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classifier {
    /// [`fit_logistic`].
    Logistic,
    /// [`fit_hinge`].
    Hinge,
}

/// One replicate of a classification learning curve: labels y = ±sign of the
/// sampler's label (its noise included), flipped with probability `flip`.
#[derive(Debug, Clone)]
pub struct ClassificationConfig {
    /// Training-set sizes (nested prefixes of one sample), ascending.
    pub ns: Vec<usize>,
    /// λ_c of Σℓ + (λ_c/2)‖w‖², > 0.
    pub lambda_code: f64,
    /// Logistic or hinge.
    pub classifier: Classifier,
    /// Probability that a label is flipped, in [0, ½).
    pub flip: f64,
    /// The data seed: replicate r draws its training sample from stream 2r and its
    /// test sample from stream 2r + 1 (the ridge simulator's convention).
    pub seed: u64,
    /// The replicate r.
    pub replicate: u64,
    /// Held-out test samples.
    pub test_size: usize,
}

/// The measured errors at one n.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassificationPoint {
    /// Training-set size.
    pub n: usize,
    /// Fraction of held-out samples with sign(wᵀφ) ≠ y.
    pub classification_error: f64,
    /// Mean training loss at the fit, penalty excluded.
    pub train_loss: f64,
}

/// ±1 labels from the sampler's real labels, each flipped with probability `flip`
/// (a uniform draw per label from `rng`, even when `flip` = 0, so that the stream's
/// use does not depend on it).
fn sign_labels(labels: &[f64], flip: f64, rng: &mut rand_chacha::ChaCha8Rng) -> Vec<f64> {
    use rand_distr::{Distribution, StandardUniform};
    labels
        .iter()
        .map(|&y| {
            let sign = if y >= 0.0 { 1.0 } else { -1.0 };
            let u: f64 = StandardUniform.sample(rng);
            if u < flip { -sign } else { sign }
        })
        .collect()
}

/// One replicate of a classification learning curve on `sampler`'s features: every n
/// fitted on the first n training samples, scored on `test_size` held-out samples.
pub fn simulate_classification(
    sampler: &impl crate::FeatureSampler,
    config: &ClassificationConfig,
) -> Result<Vec<ClassificationPoint>, SimError> {
    let input = |what: &str, message: String| SimError::Input {
        what: what.into(),
        message,
    };
    if !(0.0..0.5).contains(&config.flip) {
        return Err(input(
            "flip",
            format!("must be in [0, 0.5), got {}", config.flip),
        ));
    }
    if config.ns.is_empty() || config.ns.windows(2).any(|w| w[1] <= w[0]) || config.ns[0] == 0 {
        return Err(input(
            "ns",
            "must be positive and strictly increasing".into(),
        ));
    }
    if config.test_size == 0 {
        return Err(input("test_size", "must be at least 1".into()));
    }
    let n_max = *config.ns.last().expect("checked non-empty");
    let mut train_rng = crate::stream(config.seed, 2 * config.replicate);
    let mut test_rng = crate::stream(config.seed, 2 * config.replicate + 1);
    let (x, raw) = sampler.sample(&mut train_rng, n_max);
    let y = sign_labels(&raw, config.flip, &mut train_rng);
    let (x_test, raw_test) = sampler.sample(&mut test_rng, config.test_size);
    let y_test = sign_labels(&raw_test, config.flip, &mut test_rng);
    config
        .ns
        .iter()
        .map(|&n| {
            let features = x.as_ref().subcols(0, n);
            let fit = match config.classifier {
                Classifier::Logistic => fit_logistic(features, &y[..n], config.lambda_code)?,
                Classifier::Hinge => fit_hinge(features, &y[..n], config.lambda_code)?,
            };
            let wrong = margins(x_test.as_ref(), &y_test, &fit.weights)
                .iter()
                .filter(|&&t| t <= 0.0)
                .count();
            Ok(ClassificationPoint {
                n,
                classification_error: wrong as f64 / config.test_size as f64,
                train_loss: fit.train_loss,
            })
        })
        .collect()
}
