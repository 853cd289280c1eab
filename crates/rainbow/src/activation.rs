//! Activation functions: the built-in ones of the papers and user-supplied closures.

use std::fmt;
use std::sync::Arc;

use crate::RainbowError;

/// A scalar function R → R applied entry-wise.
pub type ScalarFn = Arc<dyn Fn(f64) -> f64 + Send + Sync>;

/// A user-supplied activation: a function, optionally its derivative, and the points
/// where it is not smooth (so that quadrature can split there).
#[derive(Clone)]
pub struct CustomActivation {
    /// A name for messages and outputs.
    pub name: String,
    /// The function.
    pub function: ScalarFn,
    /// Its derivative, if it exists everywhere but at the kinks. Without it, κ₁ is
    /// computed by Stein's identity E f′(N) = E[N f(N)]/r.
    pub derivative: Option<ScalarFn>,
    /// Points (in the argument x) where the function or its derivative jumps.
    pub kinks: Vec<f64>,
}

impl CustomActivation {
    /// A custom activation without derivative and without kinks.
    pub fn new(
        name: impl Into<String>,
        function: impl Fn(f64) -> f64 + Send + Sync + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            function: Arc::new(function),
            derivative: None,
            kinks: Vec::new(),
        }
    }

    /// Adds the derivative.
    pub fn with_derivative(
        mut self,
        derivative: impl Fn(f64) -> f64 + Send + Sync + 'static,
    ) -> Self {
        self.derivative = Some(Arc::new(derivative));
        self
    }

    /// Adds points where the function is not smooth.
    pub fn with_kinks(mut self, kinks: &[f64]) -> Self {
        self.kinks = kinks.to_vec();
        self
    }
}

impl fmt::Debug for CustomActivation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomActivation")
            .field("name", &self.name)
            .field("derivative", &self.derivative.is_some())
            .field("kinks", &self.kinks)
            .finish()
    }
}

/// An activation function of a network layer.
#[derive(Clone, Debug)]
pub enum Activation {
    /// f(x) = x.
    Linear,
    /// f(x) = tanh x.
    Tanh,
    /// f(x) = tanh(a x) (the precursor's figures use a = 2).
    ScaledTanh(f64),
    /// f(x) = erf x.
    Erf,
    /// f(x) = sign x (sign 0 = 0).
    Sign,
    /// f(x) = max(x, 0). Not centred: its features need centring (SPEC §8.8).
    Relu,
    /// f(x) = max(x, αx) for the given slope α.
    LeakyRelu(f64),
    /// The clipped linear "door" activation 1.1·sign(x)·min(|x|, 2) of the precursor.
    Door,
    /// The logistic sigmoid 1/(1 + e^{−x}) (mean 1/2 under any centred Gaussian).
    Sigmoid,
    /// GELU, x Φ(x) with Φ the standard normal CDF.
    Gelu,
    /// A user-supplied function.
    Custom(CustomActivation),
}

impl Activation {
    /// Parses a built-in name: `linear`, `tanh`, `tanh(<a>x)` (e.g. `tanh(2x)`), `erf`,
    /// `sign`, `relu`, `leaky_relu` (slope 0.01) or `leaky_relu(<slope>)`, `door`
    /// (alias `clipped_linear`), `sigmoid`, `gelu`.
    pub fn from_name(name: &str) -> Result<Self, RainbowError> {
        let compact: String = name
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        let unknown = || RainbowError::UnknownActivation(name.to_string());
        let activation = match compact.as_str() {
            "linear" | "identity" | "id" => Activation::Linear,
            "tanh" => Activation::Tanh,
            "erf" => Activation::Erf,
            "sign" => Activation::Sign,
            "relu" => Activation::Relu,
            "leaky_relu" => Activation::LeakyRelu(0.01),
            "door" | "clipped_linear" => Activation::Door,
            "sigmoid" | "logistic" => Activation::Sigmoid,
            "gelu" => Activation::Gelu,
            other => {
                if let Some(inner) = other
                    .strip_prefix("tanh(")
                    .and_then(|s| s.strip_suffix("x)"))
                {
                    let a: f64 = inner.trim_end_matches('*').parse().map_err(|_| unknown())?;
                    Activation::ScaledTanh(a)
                } else if let Some(inner) = other
                    .strip_prefix("leaky_relu(")
                    .and_then(|s| s.strip_suffix(')'))
                {
                    Activation::LeakyRelu(inner.parse().map_err(|_| unknown())?)
                } else {
                    return Err(unknown());
                }
            }
        };
        activation.validate()?;
        Ok(activation)
    }

    /// Checks the parameters of parametrised activations.
    pub fn validate(&self) -> Result<(), RainbowError> {
        match *self {
            Activation::ScaledTanh(a) if !a.is_finite() => Err(RainbowError::InvalidParameter {
                activation: "tanh(ax)",
                value: a,
            }),
            Activation::LeakyRelu(s) if !s.is_finite() => Err(RainbowError::InvalidParameter {
                activation: "leaky_relu",
                value: s,
            }),
            _ => Ok(()),
        }
    }

    /// A name that [`Activation::from_name`] reads back (custom: its own name).
    pub fn name(&self) -> String {
        match self {
            Activation::Linear => "linear".into(),
            Activation::Tanh => "tanh".into(),
            Activation::ScaledTanh(a) => format!("tanh({a}x)"),
            Activation::Erf => "erf".into(),
            Activation::Sign => "sign".into(),
            Activation::Relu => "relu".into(),
            Activation::LeakyRelu(s) => format!("leaky_relu({s})"),
            Activation::Door => "door".into(),
            Activation::Sigmoid => "sigmoid".into(),
            Activation::Gelu => "gelu".into(),
            Activation::Custom(c) => c.name.clone(),
        }
    }

    /// f(x).
    pub fn apply(&self, x: f64) -> f64 {
        match self {
            Activation::Linear => x,
            Activation::Tanh => libm::tanh(x),
            Activation::ScaledTanh(a) => libm::tanh(a * x),
            Activation::Erf => libm::erf(x),
            Activation::Sign => sign(x),
            Activation::Relu => x.max(0.0),
            Activation::LeakyRelu(s) => {
                if x >= 0.0 {
                    x
                } else {
                    s * x
                }
            }
            Activation::Door => 1.1 * sign(x) * x.abs().min(2.0),
            Activation::Sigmoid => logistic(x),
            Activation::Gelu => x * normal_cdf(x),
            Activation::Custom(c) => (c.function)(x),
        }
    }

    /// Applies f to every entry of `m`, column by column (see [`Self::apply_to_slice`]).
    pub fn apply_in_place(&self, m: &mut faer::Mat<f64>) {
        columns(m, |c| self.apply_to_slice(c));
    }

    /// Applies f to every entry of `values`, with the activation chosen once rather than
    /// per entry (this loop is a large share of a forward pass). tanh uses a
    /// vectorisable version accurate to a few ulp (module `elementary`).
    ///
    /// Elementary functions in this file come from the `libm` crate rather than the
    /// system library: measured on our CI machine, glibc's `tanh`/`exp` ran ~8× slower
    /// right after faer's vectorised kernels (≈ 300 ns vs 35 ns per call).
    pub fn apply_to_slice(&self, values: &mut [f64]) {
        match self {
            Activation::Linear => {}
            Activation::Tanh => crate::elementary::map_tanh(values, 1.0, |_, t| t),
            Activation::ScaledTanh(a) => crate::elementary::map_tanh(values, *a, |_, t| t),
            Activation::Erf => each(values, libm::erf),
            Activation::Relu => each(values, |x| x.max(0.0)),
            _ => each(values, |x| self.apply(x)),
        }
    }

    /// Replaces every entry x of `m` by f′(x), column by column (see
    /// [`Self::derivative_to_slice`]).
    pub fn derivative_in_place(&self, m: &mut faer::Mat<f64>) -> Option<()> {
        self.derivative(0.5)?;
        columns(m, |c| {
            self.derivative_to_slice(c);
        });
        Some(())
    }

    /// Replaces every entry x of `values` by f′(x) (0 where f′ does not exist; `None`
    /// for a custom activation without derivative, leaving `values` untouched). tanh
    /// uses 1 − tanh² from the vectorised tanh: absolute error ≈ ε, which is what
    /// backpropagation needs (the tails, where [`Activation::derivative`] is exact
    /// relatively, contribute nothing at that level).
    pub fn derivative_to_slice(&self, values: &mut [f64]) -> Option<()> {
        match self {
            Activation::Tanh => crate::elementary::map_tanh(values, 1.0, |_, t| 1.0 - t * t),
            Activation::ScaledTanh(a) => {
                let a = *a;
                crate::elementary::map_tanh(values, a, move |_, t| a * (1.0 - t * t))
            }
            Activation::Custom(c) => {
                let d = c.derivative.as_ref()?;
                each(values, |x| d(x))
            }
            _ => each(values, |x| self.derivative(x).unwrap_or(0.0)),
        }
        Some(())
    }

    /// [`Self::apply_to_slice`] in single precision, for training in f32. tanh and the
    /// piecewise-linear activations are computed in f32 (tanh by an f32 version of the
    /// vectorised routine, a few f32 ulp); the others are evaluated in f64 and rounded,
    /// which is exact to f32 and slower, and none of the figures trains them.
    pub fn apply_to_slice_f32(&self, values: &mut [f32]) {
        match self {
            Activation::Linear => {}
            Activation::Tanh => crate::elementary::map_tanh_f32(values, 1.0, |_, t| t),
            Activation::ScaledTanh(a) => {
                crate::elementary::map_tanh_f32(values, *a as f32, |_, t| t)
            }
            Activation::Relu => values.iter_mut().for_each(|v| *v = v.max(0.0)),
            _ => values
                .iter_mut()
                .for_each(|v| *v = self.apply(*v as f64) as f32),
        }
    }

    /// [`Self::derivative_to_slice`] in single precision (computed as
    /// [`Self::apply_to_slice_f32`] is).
    pub fn derivative_to_slice_f32(&self, values: &mut [f32]) -> Option<()> {
        match self {
            Activation::Tanh => crate::elementary::map_tanh_f32(values, 1.0, |_, t| 1.0 - t * t),
            Activation::ScaledTanh(a) => {
                let a = *a as f32;
                crate::elementary::map_tanh_f32(values, a, move |_, t| a * (1.0 - t * t))
            }
            Activation::Relu => values.iter_mut().for_each(|v| *v = (*v > 0.0) as u8 as f32),
            Activation::Custom(c) => {
                let d = c.derivative.as_ref()?;
                values.iter_mut().for_each(|v| *v = d(*v as f64) as f32)
            }
            _ => values
                .iter_mut()
                .for_each(|v| *v = self.derivative(*v as f64).unwrap_or(0.0) as f32),
        }
        Some(())
    }

    /// f′(x) where it exists (away from kinks); `None` for a custom activation given
    /// without derivative.
    pub fn derivative(&self, x: f64) -> Option<f64> {
        Some(match self {
            Activation::Linear => 1.0,
            // 1/cosh² rather than 1 − tanh², which is pure rounding in the tails.
            Activation::Tanh => libm::cosh(x).powi(-2),
            Activation::ScaledTanh(a) => a * libm::cosh(a * x).powi(-2),
            Activation::Erf => std::f64::consts::FRAC_2_SQRT_PI * libm::exp(-x * x),
            Activation::Sign => 0.0,
            Activation::Relu => (x > 0.0) as u8 as f64,
            Activation::LeakyRelu(s) => {
                if x > 0.0 {
                    1.0
                } else {
                    *s
                }
            }
            Activation::Door => 1.1 * (x.abs() < 2.0) as u8 as f64,
            Activation::Sigmoid => {
                // e^{−|x|}/(1 + e^{−|x|})², exact in the tails (s(1 − s) is not).
                let e = libm::exp(-x.abs());
                e / ((1.0 + e) * (1.0 + e))
            }
            Activation::Gelu => normal_cdf(x) + x * normal_density(x),
            Activation::Custom(c) => return c.derivative.as_ref().map(|d| d(x)),
        })
    }

    /// Where f or f′ is not smooth (quadrature splits there).
    pub(crate) fn kinks(&self) -> Vec<f64> {
        match self {
            Activation::Sign | Activation::Relu | Activation::LeakyRelu(_) => vec![0.0],
            Activation::Door => vec![-2.0, 0.0, 2.0],
            Activation::Custom(c) => c.kinks.clone(),
            _ => Vec::new(),
        }
    }

    /// The scale in x on which f changes (quadrature resolves features of this width).
    pub(crate) fn width(&self) -> f64 {
        match self {
            Activation::ScaledTanh(a) if *a != 0.0 => 1.0 / a.abs(),
            _ => 1.0,
        }
    }

    /// Whether f is odd, so that E f(N) = 0 for centred N and hidden features stay
    /// centred from layer to layer.
    pub fn is_odd(&self) -> bool {
        matches!(
            self,
            Activation::Linear
                | Activation::Tanh
                | Activation::ScaledTanh(_)
                | Activation::Erf
                | Activation::Sign
                | Activation::Door
        )
    }
}

fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::exp(-x))
    } else {
        let e = libm::exp(x);
        e / (1.0 + e)
    }
}

/// Φ(x), the standard normal CDF.
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// φ(x), the standard normal density.
pub(crate) fn normal_density(x: f64) -> f64 {
    libm::exp(-0.5 * x * x)
        * 0.5
        * std::f64::consts::FRAC_2_SQRT_PI
        * std::f64::consts::FRAC_1_SQRT_2
}

/// Runs `f` on every column of `m` as a contiguous slice.
fn columns(m: &mut faer::Mat<f64>, f: impl Fn(&mut [f64])) {
    for j in 0..m.ncols() {
        f(m.col_as_slice_mut(j));
    }
}

/// Replaces every entry x of `values` by f(x).
fn each(values: &mut [f64], f: impl Fn(f64) -> f64) {
    values.iter_mut().for_each(|v| *v = f(*v));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in [
            "linear",
            "tanh",
            "tanh(2x)",
            "erf",
            "sign",
            "relu",
            "leaky_relu(0.1)",
            "door",
            "sigmoid",
            "gelu",
        ] {
            let a = Activation::from_name(name).unwrap();
            assert_eq!(
                Activation::from_name(&a.name()).unwrap().name(),
                a.name(),
                "{name}"
            );
        }
        assert!(
            matches!(Activation::from_name("TanH (2 x)"), Ok(Activation::ScaledTanh(a)) if a == 2.0)
        );
        let err = Activation::from_name("swish").unwrap_err();
        assert!(err.to_string().contains("unknown activation `swish`"));
        assert!(Activation::from_name("tanh(infx)").is_err());
    }

    /// The f32 paths agree with the f64 functions to f32 accuracy: |Δ| ≤ 4 ε₃₂ (1 + |f|).
    #[test]
    fn single_precision_paths_agree_with_double() {
        let xs: Vec<f64> = (-2000..=2000).map(|i| i as f64 * 0.005).collect();
        for activation in [
            Activation::Linear,
            Activation::Tanh,
            Activation::ScaledTanh(2.0),
            Activation::Erf,
            Activation::Relu,
            Activation::LeakyRelu(0.1),
            Activation::Sigmoid,
            Activation::Gelu,
        ] {
            let rounded: Vec<f64> = xs.iter().map(|&x| x as f32 as f64).collect();
            let mut f: Vec<f32> = rounded.iter().map(|&x| x as f32).collect();
            let mut d = f.clone();
            activation.apply_to_slice_f32(&mut f);
            activation.derivative_to_slice_f32(&mut d).unwrap();
            for (k, &x) in rounded.iter().enumerate() {
                let want = activation.apply(x);
                let slope = activation.derivative(x).unwrap();
                let tolerance = |v: f64| 4.0 * f32::EPSILON as f64 * (1.0 + v.abs());
                assert!(
                    (f[k] as f64 - want).abs() <= tolerance(want),
                    "{} at {x}: {} vs {want}",
                    activation.name(),
                    f[k]
                );
                if x != 0.0 {
                    assert!(
                        (d[k] as f64 - slope).abs() <= tolerance(slope),
                        "{}′ at {x}: {} vs {slope}",
                        activation.name(),
                        d[k]
                    );
                }
            }
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let h = 1e-6;
        for name in [
            "linear",
            "tanh",
            "tanh(2x)",
            "erf",
            "relu",
            "leaky_relu(0.2)",
            "door",
            "sigmoid",
            "gelu",
        ] {
            let a = Activation::from_name(name).unwrap();
            for &x in &[-3.1, -1.3, -0.4, 0.7, 1.9, 2.6] {
                let fd = (a.apply(x + h) - a.apply(x - h)) / (2.0 * h);
                let d = a.derivative(x).unwrap();
                assert!((fd - d).abs() < 1e-8, "{name} at {x}: {fd} vs {d}");
            }
        }
    }
}
