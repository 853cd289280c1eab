use thiserror::Error;

/// Everything that can go wrong in `dsrf-rainbow`.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RainbowError {
    /// An activation name that is not built in.
    #[error(
        "unknown activation `{0}` (built in: linear, tanh, tanh(<a>x), erf, sign, relu, leaky_relu(<slope>), door, sigmoid, gelu)"
    )]
    UnknownActivation(String),
    /// A variance that is negative or not finite.
    #[error("{quantity} must be a finite number ≥ 0, got {value}")]
    InvalidVariance {
        /// Which variance (r, r̃, ř).
        quantity: &'static str,
        /// The value found.
        value: f64,
    },
    /// A covariance ř of two Gaussians with |ř| > √(r r̃).
    #[error(
        "the covariance ř = {covariance} exceeds √(r r̃) = {bound}: no bivariate Gaussian has these moments"
    )]
    InvalidCovariance {
        /// ř.
        covariance: f64,
        /// √(r r̃).
        bound: f64,
    },
    /// An activation parameter (scale, slope) that is not finite.
    #[error("activation parameter of `{activation}` must be finite, got {value}")]
    InvalidParameter {
        /// The activation.
        activation: &'static str,
        /// The value found.
        value: f64,
    },
    /// A network or input that is malformed; `what` names the field (e.g.
    /// `layers[2].weights`).
    #[error("{what}: {message}")]
    Input {
        /// The offending field.
        what: String,
        /// What is wrong with it.
        message: String,
    },
    /// A covariance, a cross-covariance or a variance that overflowed (or became NaN)
    /// while propagating through the network; `what` names the layer (e.g.
    /// `learner.layers[1]`), `quantity` the quantity (`Ω`, `Φ`, `Ψ`, `ψ`, `r`, `ř`, or a
    /// pre-activation product such as `W Ω Wᵀ`). Never silently replaced by a number.
    #[error(
        "{what}: {quantity} is not finite (it overflowed); use smaller weights or inputs (a smaller input covariance)"
    )]
    NotFinite {
        /// The layer.
        what: String,
        /// The quantity.
        quantity: &'static str,
    },
    /// A Gaussian expectation that is not finite (the activation grows too fast).
    #[error("E[{what}] is not finite for `{activation}` at r = {r}")]
    NotIntegrable {
        /// Which expectation.
        what: &'static str,
        /// The activation.
        activation: String,
        /// The variance.
        r: f64,
    },
}
