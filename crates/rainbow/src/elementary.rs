//! A branch-free tanh for the forward pass of large networks.
//!
//! The forward pass applies the activation to every entry of a p × n matrix, and after
//! a fast matrix product that loop dominates unless it vectorises. `libm::tanh` is a
//! scalar routine with branches; this one is straight-line arithmetic that the
//! compiler turns into SIMD code, accurate to a few ulp (tested against `libm` on a
//! dense grid). Gaussian moments and quadrature keep using the library function.

use dsrf_linalg::SimdLevel;

/// Replaces every entry x of `values` by f(x, tanh(scale·x)),
/// in the widest SIMD the CPU offers ([`SimdLevel`]: the wider builds compile the same
/// arithmetic, so every level gives identical bits).
#[inline]
pub(crate) fn map_tanh(values: &mut [f64], scale: f64, f: impl Fn(f64, f64) -> f64 + Copy) {
    map_at(SimdLevel::detected(), values, move |x| {
        f(x, tanh(scale * x))
    });
}

/// Replaces every entry x of `values` by g(x) in the build of `level` (capped at what
/// the CPU supports). `g` is inlined into each build, so its arithmetic is compiled
/// for that build's registers.
#[inline]
fn map_at<T: Copy>(level: SimdLevel, values: &mut [T], g: impl Fn(T) -> T + Copy) {
    match level.supported() {
        // SAFETY (both arms): `supported` caps the level at what the CPU has.
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx512 => unsafe { map_avx512(values, g) },
        #[cfg(target_arch = "x86_64")]
        SimdLevel::Avx2 => unsafe { map_avx2(values, g) },
        _ => map_portable(values, g),
    }
}

#[inline(always)]
fn map_portable<T: Copy>(values: &mut [T], g: impl Fn(T) -> T) {
    for v in values {
        *v = g(*v);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn map_avx2<T: Copy>(values: &mut [T], g: impl Fn(T) -> T) {
    map_portable(values, g);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn map_avx512<T: Copy>(values: &mut [T], g: impl Fn(T) -> T) {
    map_portable(values, g);
}

/// tanh(x) = t/(t + 2) with t = expm1(2|x|) ≥ 0 (no cancellation), sign restored.
/// Both branches of expm1 are computed and one is selected, so the loop that calls
/// this has no branches and vectorises.
#[inline(always)]
pub(crate) fn tanh(x: f64) -> f64 {
    // tanh(|x|) rounds to 1 beyond 19.06; clamping keeps exp finite.
    let z = 2.0 * x.abs().min(20.0);
    let t = if z < std::f64::consts::LN_2 {
        expm1_small(z)
    } else {
        exp_positive(z) - 1.0
    };
    let r = (t / (t + 2.0)).copysign(x);
    // `min` above turned NaN into 20; pass NaN on.
    if x.is_nan() { x } else { r }
}

/// 1/k! for k = 0..=17 (Horner coefficients; no divisions in the loops).
const INVERSE_FACTORIAL: [f64; 18] = {
    let mut table = [1.0; 18];
    let mut k = 1;
    while k < 18 {
        table[k] = table[k - 1] / k as f64;
        k += 1;
    }
    table
};

/// expm1(z) for 0 ≤ z < ln 2 by its Taylor series (all terms positive; the 17th
/// term is below 2⁻⁵³ of the sum).
#[inline(always)]
fn expm1_small(z: f64) -> f64 {
    let mut s = INVERSE_FACTORIAL[17];
    for k in (1..17).rev() {
        s = s * z + INVERSE_FACTORIAL[k];
    }
    z * s
}

/// exp(z) for 0 ≤ z ≤ 40: z = k ln 2 + r with |r| ≤ ln 2 / 2, exp(r) by a degree-13
/// Taylor polynomial, 2ᵏ through the exponent bits. k is rounded by adding 1.5·2⁵²
/// (whose last mantissa bits then hold k), avoiding the scalar round and float→int
/// conversions that would stop vectorisation.
#[inline(always)]
fn exp_positive(z: f64) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let shifted = z * std::f64::consts::LOG2_E + SHIFT;
    let k = shifted - SHIFT;
    let r = (z - k * LN2_HI) - k * LN2_LO;
    let mut p = INVERSE_FACTORIAL[13];
    for i in (0..13).rev() {
        p = p * r + INVERSE_FACTORIAL[i];
    }
    // The low 12 bits of `shifted` are k mod 4096; 0 ≤ k ≤ 58, so k + 1023 is the
    // biased exponent of 2ᵏ.
    p * f64::from_bits(shifted.to_bits().wrapping_add(1023) << 52)
}

/// The single-precision twin of [`map_tanh`], for training in f32: twice the lanes per
/// register, and shorter polynomials (f32 needs 24 bits, not 53).
#[inline]
pub(crate) fn map_tanh_f32(values: &mut [f32], scale: f32, f: impl Fn(f32, f32) -> f32 + Copy) {
    map_at(SimdLevel::detected(), values, move |x| {
        f(x, tanh_f32(scale * x))
    });
}

/// tanh in f32 by the same route as [`tanh`]: t/(t + 2) with t = expm1(2|x|).
#[inline(always)]
pub(crate) fn tanh_f32(x: f32) -> f32 {
    // tanh(|x|) rounds to 1 in f32 beyond 9.011; clamping keeps exp small.
    let z = 2.0 * x.abs().min(10.0);
    let t = if z < std::f32::consts::LN_2 {
        // Taylor series to degree 9: the first omitted term is below 2⁻²⁶ of the sum.
        let mut s = INVERSE_FACTORIAL[9] as f32;
        for k in (1..9).rev() {
            s = s * z + INVERSE_FACTORIAL[k] as f32;
        }
        z * s
    } else {
        exp_positive_f32(z) - 1.0
    };
    let r = (t / (t + 2.0)).copysign(x);
    if x.is_nan() { x } else { r }
}

/// exp(z) for 0 ≤ z ≤ 20 in f32, as [`exp_positive`]: z = k ln 2 + r, exp(r) by a
/// degree-7 Taylor polynomial (|r| ≤ ln 2 / 2, remainder below 2⁻²⁷), 2ᵏ through the
/// exponent bits, k rounded by adding 1.5·2²³.
#[inline(always)]
fn exp_positive_f32(z: f32) -> f32 {
    // ln 2 split so that k·LN2_HI is exact for k < 2⁸.
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    const SHIFT: f32 = 12_582_912.0;
    let shifted = z * std::f32::consts::LOG2_E + SHIFT;
    let k = shifted - SHIFT;
    let r = (z - k * LN2_HI) - k * LN2_LO;
    let mut p = INVERSE_FACTORIAL[7] as f32;
    for i in (0..7).rev() {
        p = p * r + INVERSE_FACTORIAL[i] as f32;
    }
    // The low 9 bits of `shifted` are k (0 ≤ k ≤ 29), so k + 127 is the biased
    // exponent of 2ᵏ and everything above it shifts out.
    p * f32::from_bits(shifted.to_bits().wrapping_add(127) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_agrees_with_libm_to_a_few_ulp() {
        let mut worst: f64 = 0.0;
        let mut check = |x: f64| {
            let (ours, reference) = (tanh(x), libm::tanh(x));
            let ulp = reference.abs().max(f64::MIN_POSITIVE) * f64::EPSILON;
            worst = worst.max((ours - reference).abs() / ulp);
        };
        for i in -400_000..=400_000 {
            check(i as f64 * 1e-4); // [-40, 40] densely
        }
        for e in -320..1 {
            let x = 10f64.powi(e);
            check(x);
            check(-x);
        }
        for x in [0.34657359027997264, 0.3465735902799727, 19.06, 20.0, 1e300] {
            check(x);
            check(-x);
        }
        assert!(worst <= 4.0, "worst error {worst} ulp");
        assert_eq!(tanh(0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(tanh(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(tanh(f64::INFINITY), 1.0);
        assert_eq!(tanh(f64::NEG_INFINITY), -1.0);
        assert!(tanh(f64::NAN).is_nan());
    }

    /// Every SIMD build of the slice path the CPU can run gives the scalar function's
    /// bits, on lengths with every remainder modulo the vector widths (the tail loops)
    /// and inputs spread over [−14, 14] at every length (every third one shrunk a
    /// hundredfold), so that both branches of expm1 (|1.5x| below and above ln 2 / 2)
    /// and the clamp of large |x| occur in short slices too.
    #[test]
    fn slice_path_is_bit_identical_at_every_simd_level() {
        for level in SimdLevel::available() {
            for len in [1usize, 7, 8, 9, 15, 16, 17, 33, 8000] {
                let inputs: Vec<f64> = (0..len)
                    .map(|i| {
                        let x = 14.0 * (i as f64 * 0.7391).sin();
                        if i % 3 == 1 { 0.01 * x } else { x }
                    })
                    .collect();
                let mut mapped = inputs.clone();
                map_at(level, &mut mapped, |x| x + tanh(1.5 * x));
                for (x, m) in inputs.iter().zip(&mapped) {
                    let expected = x + tanh(1.5 * x);
                    assert_eq!(
                        m.to_bits(),
                        expected.to_bits(),
                        "{level:?}, length {len}, x = {x}"
                    );
                }
                let mut mapped32: Vec<f32> = inputs.iter().map(|&x| x as f32).collect();
                map_at(level, &mut mapped32, |x| x + tanh_f32(1.5 * x));
                for (x, m) in inputs.iter().zip(&mapped32) {
                    let x = *x as f32;
                    let expected = x + tanh_f32(1.5 * x);
                    assert_eq!(
                        m.to_bits(),
                        expected.to_bits(),
                        "{level:?}, length {len}, x = {x}"
                    );
                }
            }
        }
    }
    /// The f32 tanh against libm's f64 tanh rounded to f32, in f32 ulp.
    #[test]
    fn tanh_f32_agrees_with_libm_to_a_few_ulp() {
        let mut worst: f64 = 0.0;
        let mut check = |x: f32| {
            let (ours, reference) = (tanh_f32(x), libm::tanh(x as f64) as f32);
            let ulp = (reference.abs().max(f32::MIN_POSITIVE) * f32::EPSILON) as f64;
            worst = worst.max((ours as f64 - reference as f64).abs() / ulp);
        };
        for i in -200_000..=200_000 {
            check(i as f32 * 1e-4); // [-20, 20] densely
        }
        for e in -40..1 {
            let x = 10f32.powi(e);
            check(x);
            check(-x);
        }
        for x in [0.346_573_6, 0.346_573_62, 9.01, 9.02, 10.0, 1e30] {
            check(x);
            check(-x);
        }
        assert!(worst <= 4.0, "worst error {worst} ulp");
        assert_eq!(tanh_f32(-0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert!(tanh_f32(f32::NAN).is_nan());
    }
}
