//! The two scalar functions of the logistic loss, written once for the theory's
//! proximal maps (dsrf-theory) and the simulator's Newton fits (dsrf-sim), so that
//! both evaluate the same loss to the same bits.

/// σ(x) = 1/(1 + e^{−x}), without overflow for any x.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// log(1 + e^{x}), without overflow for any x (the logistic loss is softplus(−yz)).
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_functions_are_exact_at_the_extremes() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!((sigmoid(2.0) + sigmoid(-2.0) - 1.0).abs() <= 2.0 * f64::EPSILON);
        assert_eq!(sigmoid(-800.0), 0.0);
        assert_eq!(sigmoid(800.0), 1.0);
        assert!((softplus(0.0) - std::f64::consts::LN_2).abs() < 1e-16);
        assert_eq!(softplus(800.0), 800.0);
        assert!((softplus(-40.0) - (-40f64).exp()).abs() < 1e-30);
        // softplus(x) − softplus(−x) = x.
        for x in [-30.0, -1.5, 0.3, 7.0] {
            assert!((softplus(x) - softplus(-x) - x).abs() < 1e-14);
        }
    }
}
