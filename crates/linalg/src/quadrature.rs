//! Adaptive Gauss–Kronrod (7/15) quadrature, used for Gaussian expectations that have
//! no closed form: the rainbow crate's activation moments (SPEC §4.4) and the theory
//! crate's loss-side integrals of the Gaussian-covariate-model equations (SPEC §5.5),
//! both of which have kinks (sign, ReLU; hinge) that the caller names.
//!
//! Gauss–Hermite rules are tempting for E f(N) but converge slowly for functions with
//! kinks or nearby complex poles, and an odd rule puts a node exactly on the kink of
//! `sign` (SPEC §8.10). Instead the standard-normal integral is taken over
//! z ∈ [−Z, Z] (the tail beyond Z = 38.5 is below 1e-300 of the mass), split at every
//! kink of the integrand, and each piece is integrated adaptively to an absolute
//! tolerance.

/// Kronrod nodes (positive half, descending; the last is 0) of the 15-point rule.
const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
/// Kronrod weights matching `XGK`.
const WGK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
/// Gauss weights of the embedded 7-point rule, for the nodes XGK[1], XGK[3], XGK[5], XGK[7].
const WG: [f64; 4] = [
    0.129_484_966_168_869_7,
    0.279_705_391_489_276_7,
    0.381_830_050_505_118_9,
    0.417_959_183_673_469_4,
];

/// One 15-point Kronrod estimate of ∫ₐᵇ f (component-wise) and the largest difference
/// to the embedded Gauss rule.
fn kronrod<const N: usize>(f: &impl Fn(f64) -> [f64; N], a: f64, b: f64) -> ([f64; N], f64) {
    let centre = 0.5 * (a + b);
    let half = 0.5 * (b - a);
    let fc = f(centre);
    let mut kronrod = fc.map(|v| WGK[7] * v);
    let mut gauss = fc.map(|v| WG[3] * v);
    for i in 0..7 {
        let dx = half * XGK[i];
        let (left, right) = (f(centre - dx), f(centre + dx));
        for k in 0..N {
            let pair = left[k] + right[k];
            kronrod[k] += WGK[i] * pair;
            if i % 2 == 1 {
                gauss[k] += WG[i / 2] * pair;
            }
        }
    }
    let error = (0..N)
        .map(|k| ((kronrod[k] - gauss[k]) * half).abs())
        .fold(0.0, f64::max);
    (kronrod.map(|v| v * half), error)
}

/// Largest number of 15-point rules spent on one integral. Integrands whose error
/// estimate is rounding noise (e.g. a derivative computed by cancellation) would
/// otherwise keep bisecting; past this budget the current estimates are accepted.
const RULE_BUDGET: usize = 20_000;

/// ∫ₐᵇ f to an absolute tolerance `tolerance`, by recursive bisection (depth ≤ 50, at
/// most `RULE_BUDGET` rules).
pub fn integrate(f: &impl Fn(f64) -> f64, a: f64, b: f64, tolerance: f64) -> f64 {
    integrate_many(&|x| [f(x)], a, b, tolerance)[0]
}

/// ∫ₐᵇ f for a vector-valued f, every component to the absolute tolerance
/// `tolerance`: one adaptive partition for all of them (the components share their
/// expensive part, e.g. a proximal map).
pub fn integrate_many<const N: usize>(
    f: &impl Fn(f64) -> [f64; N],
    a: f64,
    b: f64,
    tolerance: f64,
) -> [f64; N] {
    fn recurse<const N: usize>(
        f: &impl Fn(f64) -> [f64; N],
        a: f64,
        b: f64,
        tolerance: f64,
        depth: u32,
        spent: &std::cell::Cell<usize>,
    ) -> [f64; N] {
        let (estimate, error) = kronrod(f, a, b);
        spent.set(spent.get() + 1);
        // Below the rounding of the estimate itself, bisecting cannot help.
        let size = estimate.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let floor = 64.0 * f64::EPSILON * size;
        if error <= tolerance.max(floor)
            || depth >= 50
            || spent.get() >= RULE_BUDGET
            || (b - a).abs() < 1e-15 * (1.0 + a.abs())
        {
            return estimate;
        }
        let mid = 0.5 * (a + b);
        let left = recurse(f, a, mid, 0.5 * tolerance, depth + 1, spent);
        let right = recurse(f, mid, b, 0.5 * tolerance, depth + 1, spent);
        std::array::from_fn(|k| left[k] + right[k])
    }
    recurse(f, a, b, tolerance, 0, &std::cell::Cell::new(0))
}

/// Beyond this many standard deviations the Gaussian mass is below 1e-300.
pub const GAUSSIAN_CUTOFF: f64 = 38.5;

/// E g(Z) for Z ~ 𝒩(0, 1): ∫ g(z) φ(z) dz over [−38.5, 38.5], split at `breaks`
/// (points in z where g is not smooth), each piece adaptive to `tolerance`.
pub fn standard_normal_expectation(g: impl Fn(f64) -> f64, breaks: &[f64], tolerance: f64) -> f64 {
    standard_normal_expectation_at_scale(g, breaks, tolerance, 1.0)
}

/// [`standard_normal_expectation`] for an integrand that varies on the scale `width`
/// in z (e.g. tanh(√r z) on 1/√r): extra break points at ±width·{¼, 1, 4, 16} make a
/// feature narrower than the rule's node spacing visible to the adaptive rule.
pub fn standard_normal_expectation_at_scale(
    g: impl Fn(f64) -> f64,
    breaks: &[f64],
    tolerance: f64,
    width: f64,
) -> f64 {
    standard_normal_expectations(|z| [g(z)], breaks, tolerance, width)[0]
}

/// E g(Z) for a vector-valued g, Z ~ 𝒩(0, 1), split at `breaks` and resolved on the
/// scale `width` as in [`standard_normal_expectation_at_scale`], every component to
/// the absolute tolerance `tolerance`.
pub fn standard_normal_expectations<const N: usize>(
    g: impl Fn(f64) -> [f64; N],
    breaks: &[f64],
    tolerance: f64,
    width: f64,
) -> [f64; N] {
    let density = |z: f64| {
        (-0.5 * z * z).exp()
            * std::f64::consts::FRAC_1_SQRT_2
            * 0.5
            * std::f64::consts::FRAC_2_SQRT_PI
    };
    let integrand = |z: f64| {
        let w = density(z);
        g(z).map(|v| v * w)
    };
    let mut points: Vec<f64> = breaks
        .iter()
        .copied()
        .filter(|z| z.is_finite() && z.abs() < GAUSSIAN_CUTOFF)
        .collect();
    // The bulk of the mass sits in [−8, 8]; splitting there keeps every piece well
    // resolved even for smooth integrands.
    points.extend_from_slice(&[-GAUSSIAN_CUTOFF, -8.0, 0.0, 8.0, GAUSSIAN_CUTOFF]);
    if width.is_finite() && width > 0.0 && width < 8.0 {
        for k in [0.25, 1.0, 4.0, 16.0] {
            if k * width < 8.0 {
                points.push(k * width);
                points.push(-k * width);
            }
        }
    }
    points.sort_by(f64::total_cmp);
    points.dedup();
    let mut total = [0.0; N];
    for w in points.windows(2) {
        let piece = integrate_many(&integrand, w[0], w[1], tolerance);
        for k in 0..N {
            total[k] += piece[k];
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kronrod_rule_is_exact_for_polynomials_up_to_degree_22() {
        for k in 0..=22 {
            let (got, _) = kronrod(&|x: f64| [x.powi(k)], -1.0, 1.0);
            let got = got[0];
            let want = if k % 2 == 0 {
                2.0 / (k as f64 + 1.0)
            } else {
                0.0
            };
            assert!((got - want).abs() < 1e-15, "degree {k}: {got} vs {want}");
        }
        // The embedded Gauss rule is exact to degree 13, so the error estimate
        // vanishes there and not at degree 14.
        assert!(kronrod(&|x: f64| [x.powi(12)], -1.0, 1.0).1 < 1e-15);
        assert!(kronrod(&|x: f64| [x.powi(14)], -1.0, 1.0).1 > 1e-6);
    }

    #[test]
    fn gaussian_moments_of_polynomials_and_kinks() {
        let tol = 1e-15;
        assert!((standard_normal_expectation(|_| 1.0, &[], tol) - 1.0).abs() < 1e-14);
        assert!((standard_normal_expectation(|z| z * z, &[], tol) - 1.0).abs() < 1e-14);
        assert!((standard_normal_expectation(|z| z.powi(4), &[], tol) - 3.0).abs() < 1e-13);
        // E|Z| = √(2/π), E 1{Z > 1} = 0.158655253931457…
        let abs = standard_normal_expectation(f64::abs, &[0.0], tol);
        assert!((abs - (2.0 / std::f64::consts::PI).sqrt()).abs() < 1e-14);
        let tail = standard_normal_expectation(|z| if z > 1.0 { 1.0 } else { 0.0 }, &[1.0], tol);
        assert!((tail - 0.158_655_253_931_457_05).abs() < 1e-14, "{tail}");
        // Several components on one partition: E[1, Z², |Z|] at once.
        let [one, second, abs] =
            standard_normal_expectations(|z| [1.0, z * z, z.abs()], &[0.0], tol, 1.0);
        assert!((one - 1.0).abs() < 1e-14 && (second - 1.0).abs() < 1e-14);
        assert!((abs - (2.0 / std::f64::consts::PI).sqrt()).abs() < 1e-14);
    }
}
