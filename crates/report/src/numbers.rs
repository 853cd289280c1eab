//! Number formatting shared by tables and figures.

/// `x` rounded to `digits` significant decimal digits (`digits` is clamped to 1..=17).
/// Zero, NaN and ±∞ are returned unchanged.
///
/// The rounding is decimal and exact: the binary value is rounded as the exact
/// decimal it is (exact ties to even, so 2.5 → 2 at one digit), and the result is the
/// `f64` nearest to the rounded decimal, so `round_significant(0.1 + 0.2, 15) == 0.3`.
pub fn round_significant(x: f64, digits: u32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = digits.clamp(1, 17) as usize;
    format!("{:.*e}", digits - 1, x)
        .parse()
        .expect("Rust's exponent format always parses back")
}

/// A compact human label for an axis tick or a colour-bar end: plain decimals for
/// moderate magnitudes, `1.5e-4` style otherwise; at most 4 significant digits.
pub(crate) fn format_label(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    let x = round_significant(x, 4);
    let magnitude = x.abs().log10().floor();
    if (-3.0..5.0).contains(&magnitude) {
        let decimals = (3.0 - magnitude).max(0.0) as usize;
        let text = format!("{x:.decimals$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            text
        }
    } else {
        format!("{x:e}")
    }
}

/// `10` with a Unicode superscript exponent, as in `10⁻³`.
pub(crate) fn power_of_ten(exponent: i32) -> String {
    const SUPERSCRIPTS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut out = String::from("10");
    if exponent < 0 {
        out.push('⁻');
    }
    for digit in exponent.unsigned_abs().to_string().bytes() {
        out.push(SUPERSCRIPTS[usize::from(digit - b'0')]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_significant_rounds_decimally() {
        assert_eq!(round_significant(1.234_567, 3), 1.23);
        assert_eq!(round_significant(-123_456.0, 2), -120_000.0);
        assert_eq!(round_significant(0.000_123_456, 3), 0.000_123);
        assert_eq!(round_significant(0.1 + 0.2, 15), 0.3);
        // Exact decimal rounding of the binary value; exact ties go to even.
        assert_eq!(round_significant(2.5, 0), 2.0);
        assert_eq!(round_significant(3.5, 1), 4.0);
        assert_eq!(round_significant(0.15, 1), 0.1); // 0.15 is 0.1499999…
        assert!(round_significant(f64::NAN, 3).is_nan());
        assert_eq!(round_significant(f64::INFINITY, 3), f64::INFINITY);
        assert_eq!(round_significant(0.0, 3), 0.0);
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(format_label(0.0), "0");
        assert_eq!(format_label(0.5), "0.5");
        assert_eq!(format_label(2.0), "2");
        assert_eq!(format_label(0.30000000000000004), "0.3");
        assert_eq!(format_label(12_500.0), "12500");
        assert_eq!(format_label(1e-4), "1e-4");
        assert_eq!(format_label(2.5e6), "2.5e6");
        assert_eq!(format_label(-0.001), "-0.001");
    }

    #[test]
    fn powers_of_ten_use_superscripts() {
        assert_eq!(power_of_ten(-3), "10⁻³");
        assert_eq!(power_of_ten(0), "10⁰");
        assert_eq!(power_of_ten(12), "10¹²");
    }
}
