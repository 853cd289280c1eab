//! Gaussian moments of activations: the coefficients of the linearisation.
//!
//! For N ~ 𝒩(0, r) (paper eqs. 26–27, SPEC §4.4):
//!
//! ```text
//!   mean  = E f(N)
//!   κ₁    = E f′(N) = E[N f(N)]/r          (Stein's identity when f′ does not exist)
//!   E f²  = E f(N)²
//!   κ*²   = E f² − (E f)² − r κ₁²          (centred features)
//! ```
//!
//! and for a jointly Gaussian pair (N, Ñ) with variances r, r̃ and covariance ř the cross
//! moment E[f(N) g(Ñ)], whose linear part ř κ₁ κ̃₁ the recursion subtracts (SPEC §4.2).
//! Closed forms are used wherever they exist; otherwise kink-aware adaptive
//! quadrature (see `dsrf_linalg::quadrature`).

use crate::RainbowError;
use crate::activation::Activation;
use dsrf_linalg::quadrature::{standard_normal_expectation, standard_normal_expectation_at_scale};
use std::f64::consts::{FRAC_2_SQRT_PI, PI};

/// Absolute tolerance of each quadrature piece, relative to the size of the moment.
const TOLERANCE: f64 = 1e-15;

/// The Gaussian moments of an activation at one variance r.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianMoments {
    /// The variance r of the pre-activation N ~ 𝒩(0, r).
    pub r: f64,
    /// E f(N).
    pub mean: f64,
    /// κ₁ = E f′(N).
    pub kappa1: f64,
    /// E f(N)².
    pub second_moment: f64,
}

impl GaussianMoments {
    /// Var f(N) = E f² − (E f)².
    pub fn variance(&self) -> f64 {
        self.second_moment - self.mean * self.mean
    }

    /// κ*² = Var f(N) − r κ₁² ≥ 0: the variance of f(N) not explained linearly by N
    /// (the "noise" of the equivalent linear layer, for centred features).
    ///
    /// The difference is clipped at 0 because rounding can make it slightly negative;
    /// a difference that is not finite stays NaN (never becomes 0). Moments from
    /// [`gaussian_moments`] always give a finite κ*².
    pub fn kappa_star_sq(&self) -> f64 {
        clip_rounding(self.variance() - self.r * self.kappa1 * self.kappa1)
    }

    /// κ*² without subtracting the mean, E f² − r κ₁² (what the authors' code uses;
    /// equal to [`GaussianMoments::kappa_star_sq`] for odd activations); clipped like it.
    pub fn uncentred_kappa_star_sq(&self) -> f64 {
        clip_rounding(self.second_moment - self.r * self.kappa1 * self.kappa1)
    }
}

/// max(x, 0) for finite x; NaN otherwise (`f64::max` would turn NaN and −∞ into 0).
fn clip_rounding(x: f64) -> f64 {
    if x.is_finite() { x.max(0.0) } else { f64::NAN }
}

fn check_variance(quantity: &'static str, r: f64) -> Result<(), RainbowError> {
    if r.is_finite() && r >= 0.0 {
        Ok(())
    } else {
        Err(RainbowError::InvalidVariance { quantity, value: r })
    }
}

/// The moments of `activation` under N ~ 𝒩(0, r).
pub fn gaussian_moments(activation: &Activation, r: f64) -> Result<GaussianMoments, RainbowError> {
    check_variance("r", r)?;
    activation.validate()?;
    let (mean, kappa1, second_moment) = if r == 0.0 {
        // N = 0 almost surely.
        let f0 = activation.apply(0.0);
        let k1 = activation
            .derivative(0.0)
            .unwrap_or_else(|| numerical_derivative(activation, 0.0));
        (f0, k1, f0 * f0)
    } else {
        positive_variance_moments(activation, r)?
    };
    let moments = GaussianMoments {
        r,
        mean,
        kappa1,
        second_moment,
    };
    // κ*² combines the moments with r: r κ₁² and (E f)² can overflow although each
    // moment is finite.
    if !(mean.is_finite()
        && kappa1.is_finite()
        && second_moment.is_finite()
        && moments.kappa_star_sq().is_finite()
        && moments.uncentred_kappa_star_sq().is_finite())
    {
        return Err(RainbowError::NotIntegrable {
            what: "f(N)² (the moments overflow)",
            activation: activation.name(),
            r,
        });
    }
    Ok(moments)
}

/// (E f, κ₁, E f²) at r > 0: closed forms where they exist, quadrature otherwise.
fn positive_variance_moments(
    activation: &Activation,
    r: f64,
) -> Result<(f64, f64, f64), RainbowError> {
    let sqrt_r = r.sqrt();
    Ok(match activation {
        Activation::Linear => (0.0, 1.0, r),
        Activation::Erf => (
            0.0,
            FRAC_2_SQRT_PI / (1.0 + 2.0 * r).sqrt(),
            2.0 / PI * (2.0 * r / (1.0 + 2.0 * r)).asin(),
        ),
        Activation::Sign => (0.0, (2.0 / (PI * r)).sqrt(), 1.0),
        Activation::Relu => (sqrt_r / (2.0 * PI).sqrt(), 0.5, 0.5 * r),
        Activation::LeakyRelu(s) => (
            (1.0 - s) * sqrt_r / (2.0 * PI).sqrt(),
            0.5 * (1.0 + s),
            0.5 * r * (1.0 + s * s),
        ),
        Activation::Door => {
            // f = 1.1 sign(x) min(|x|, c) with c = 2: P(|N| < c) = erf(c/√(2r)) and
            // E[N²; |N| < c] = r (erf(c/√(2r)) − 2c φ(c/√r)/√r).
            let c = 2.0;
            let inside = libm::erf(c / (2.0 * r).sqrt());
            let density = (-0.5 * c * c / r).exp() / (2.0 * PI).sqrt();
            let truncated = r * inside - 2.0 * c * sqrt_r * density;
            (
                0.0,
                1.1 * inside,
                1.21 * (truncated + c * c * (1.0 - inside)),
            )
        }
        Activation::ScaledTanh(a) => {
            let scaled = a * a * r;
            if !scaled.is_finite() {
                return Err(RainbowError::NotIntegrable {
                    what: "tanh(aN) (a²r overflows)",
                    activation: activation.name(),
                    r,
                });
            }
            let inner = gaussian_moments(&Activation::Tanh, scaled)?;
            (0.0, a * inner.kappa1, inner.second_moment)
        }
        Activation::Gelu => {
            // E[N Φ(N)] = r/√(2π(1 + r)); E f′ = 1/2 + E[N φ(N)] = 1/2 (odd part).
            let mean = r / (2.0 * PI * (1.0 + r)).sqrt();
            let second = quadrature_moment(activation, r, |x| activation.apply(x).powi(2))?;
            (mean, 0.5, second)
        }
        Activation::Sigmoid => {
            let kappa1 =
                quadrature_moment(activation, r, |x| activation.derivative(x).expect("smooth"))?;
            let second = quadrature_moment(activation, r, |x| activation.apply(x).powi(2))?;
            (0.5, kappa1, second)
        }
        Activation::Tanh | Activation::Custom(_) => {
            let mean = if activation.is_odd() {
                0.0
            } else {
                quadrature_moment(activation, r, |x| activation.apply(x))?
            };
            let kappa1 = match activation.derivative(1.0) {
                Some(_) => quadrature_moment(activation, r, |x| {
                    activation.derivative(x).expect("has derivative")
                })?,
                None => quadrature_moment(activation, r, |x| x * activation.apply(x))? / r,
            };
            let second = quadrature_moment(activation, r, |x| activation.apply(x).powi(2))?;
            (mean, kappa1, second)
        }
    })
}

/// E h(N) for N ~ 𝒩(0, r), splitting at the activation's kinks.
fn quadrature_moment(
    activation: &Activation,
    r: f64,
    h: impl Fn(f64) -> f64,
) -> Result<f64, RainbowError> {
    let sqrt_r = r.sqrt();
    let breaks: Vec<f64> = activation.kinks().iter().map(|k| k / sqrt_r).collect();
    // The activation changes on the scale `width` in x, i.e. width/√r in z.
    let width = activation.width() / sqrt_r;
    // A coarse pass sets the scale of the tolerance.
    let scale = standard_normal_expectation_at_scale(|z| h(sqrt_r * z).abs(), &breaks, 1e-6, width);
    let value = standard_normal_expectation_at_scale(
        |z| h(sqrt_r * z),
        &breaks,
        TOLERANCE * scale.max(f64::MIN_POSITIVE),
        width,
    );
    if value.is_finite() {
        Ok(value)
    } else {
        Err(RainbowError::NotIntegrable {
            what: "h(N)",
            activation: activation.name(),
            r,
        })
    }
}

fn numerical_derivative(activation: &Activation, x: f64) -> f64 {
    let h = 1e-6;
    (activation.apply(x + h) - activation.apply(x - h)) / (2.0 * h)
}

/// √(r r̃), the largest |ř| of a bivariate Gaussian; √r √r̃ when the product r r̃
/// overflows although r and r̃ are finite (the product's rounding is kept otherwise).
pub(crate) fn cauchy_schwarz_bound(r: f64, r_tilde: f64) -> f64 {
    let bound = (r * r_tilde).sqrt();
    if bound.is_finite() {
        bound
    } else {
        r.sqrt() * r_tilde.sqrt()
    }
}

/// E[f(N) g(Ñ)] for jointly Gaussian (N, Ñ) with Var N = r, Var Ñ = r̃, Cov = ř.
pub fn cross_moment(
    f: &Activation,
    g: &Activation,
    r: f64,
    r_tilde: f64,
    r_check: f64,
) -> Result<f64, RainbowError> {
    check_variance("r", r)?;
    check_variance("r̃", r_tilde)?;
    if !r_check.is_finite() {
        return Err(RainbowError::InvalidVariance {
            quantity: "ř",
            value: r_check,
        });
    }
    let bound = cauchy_schwarz_bound(r, r_tilde);
    if r_check.abs() > bound * (1.0 + 1e-12) {
        return Err(RainbowError::InvalidCovariance {
            covariance: r_check,
            bound,
        });
    }
    let r_check = r_check.clamp(-bound, bound);
    if r == 0.0 || r_tilde == 0.0 {
        let mf = gaussian_moments(f, r)?.mean;
        let mg = gaussian_moments(g, r_tilde)?.mean;
        return Ok(mf * mg);
    }
    let cos = r_check / bound;
    match (f, g) {
        (Activation::Linear, other) => {
            return Ok(r_check * gaussian_moments(other, r_tilde)?.kappa1);
        }
        (other, Activation::Linear) => return Ok(r_check * gaussian_moments(other, r)?.kappa1),
        (Activation::Sign, Activation::Sign) => return Ok(2.0 / PI * cos.asin()),
        (Activation::Erf, Activation::Erf) => {
            return Ok(2.0 / PI
                * (2.0 * r_check / ((1.0 + 2.0 * r) * (1.0 + 2.0 * r_tilde)).sqrt()).asin());
        }
        (Activation::Relu, Activation::Relu) => {
            // The arc-cosine kernel of degree 1.
            let theta = cos.acos();
            return Ok(bound / (2.0 * PI) * (theta.sin() + (PI - theta) * cos));
        }
        _ => {}
    }
    // N = √r z₁, Ñ = a z₁ + s z₂ with a = ř/√r, s = √(r̃ − ř²/r).
    let sqrt_r = r.sqrt();
    let a = r_check / sqrt_r;
    let s = (r_tilde - a * a).max(0.0).sqrt();
    let mut outer_breaks: Vec<f64> = f.kinks().iter().map(|k| k / sqrt_r).collect();
    let inner = |z1: f64| -> f64 {
        if s <= 1e-12 * r_tilde.sqrt() {
            return g.apply(a * z1);
        }
        let breaks: Vec<f64> = g.kinks().iter().map(|k| (k - a * z1) / s).collect();
        standard_normal_expectation(|z2| g.apply(a * z1 + s * z2), &breaks, 1e-15)
    };
    if s <= 1e-12 * r_tilde.sqrt() && a != 0.0 {
        outer_breaks.extend(g.kinks().iter().map(|k| k / a));
    }
    let value =
        standard_normal_expectation(|z1| f.apply(sqrt_r * z1) * inner(z1), &outer_breaks, 1e-14);
    if value.is_finite() {
        Ok(value)
    } else {
        Err(RainbowError::NotIntegrable {
            what: "f(N) g(Ñ)",
            activation: format!("{} × {}", f.name(), g.name()),
            r,
        })
    }
}
