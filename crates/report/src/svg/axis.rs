//! Axis ranges and ticks, computed in "axis space": the value itself on a linear axis,
//! its base-10 logarithm on a log axis. Plotters then draws a plain linear axis in that
//! space with exactly these ticks, so both scales share one code path.

use crate::error::{ReportError, Result};
use crate::figure::{Axis, Scale};
use crate::numbers::{format_label, power_of_ten};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use std::ops::Range;

/// Padding added on each side of an automatic range, as a fraction of its span.
const PADDING: f64 = 0.04;
/// At most this many labelled decades on a log axis (more are thinned out).
const MAX_DECADES: usize = 7;
/// The target number of labelled ticks on a linear axis.
const TARGET_TICKS: f64 = 5.0;

/// A value in axis space, or `None` if it cannot be drawn on this scale.
pub(super) fn to_space(scale: Scale, value: f64) -> Option<f64> {
    match scale {
        Scale::Linear => value.is_finite().then_some(value),
        Scale::Log => (value.is_finite() && value > 0.0).then(|| value.log10()),
    }
}

/// The drawn range of one axis and its ticks, all in axis space.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct AxisPlan {
    /// Low end of the drawn range.
    pub lo: f64,
    /// High end of the drawn range.
    pub hi: f64,
    /// Labelled ticks (with grid lines).
    pub major: Vec<f64>,
    /// Unlabelled minor ticks (faint grid lines).
    pub minor: Vec<f64>,
    /// One label per major tick.
    pub labels: Vec<String>,
}

impl AxisPlan {
    /// Plans `axis` for data values given in axis space (already filtered by
    /// [`to_space`]). Errors only for an unusable explicit range.
    pub fn new(axis: &Axis, data: &[f64]) -> Result<Self> {
        let (lo, hi) = match axis.range {
            Some((min, max)) => explicit_range(axis, min, max)?,
            None => auto_range(data),
        };
        let (major, minor, labels) = match axis.scale {
            Scale::Linear => linear_ticks(lo, hi),
            Scale::Log => log_ticks(lo, hi),
        };
        Ok(AxisPlan {
            lo,
            hi,
            major,
            minor,
            labels,
        })
    }

    /// A tolerance for "on the edge" tests.
    pub fn eps(&self) -> f64 {
        1e-9 * (self.hi - self.lo)
    }

    /// Whether `s` (in axis space) lies inside the drawn range.
    pub fn contains(&self, s: f64) -> bool {
        s >= self.lo - self.eps() && s <= self.hi + self.eps()
    }

    /// The label of the major tick at `s` (empty if there is none).
    pub fn label(&self, s: f64) -> String {
        self.major
            .iter()
            .zip(&self.labels)
            .min_by(|(a, _), (b, _)| (*a - s).abs().total_cmp(&(*b - s).abs()))
            .map(|(_, label)| label.clone())
            .unwrap_or_default()
    }
}

/// Plotters sees an [`AxisPlan`] as a linear coordinate over `lo..hi` whose bold key
/// points are the major ticks and whose light key points are the minor ticks. (Its
/// own `WithKeyPoints<RangedCoordf64>` cannot be used: it lacks the value formatter
/// that drawing a mesh requires.)
impl Ranged for AxisPlan {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        // As plotters' own `RangedCoordf64`, with saturation for points far outside.
        let fraction = (value - self.lo) / (self.hi - self.lo);
        let pixels = f64::from(limit.1 - limit.0) * fraction;
        let offset = if limit.1 >= limit.0 {
            (pixels + 1e-3).floor()
        } else {
            (pixels - 1e-3).ceil()
        };
        limit.0.saturating_add(offset.clamp(-1e6, 1e6) as i32)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.major.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

fn explicit_range(axis: &Axis, min: f64, max: f64) -> Result<(f64, f64)> {
    let lo = to_space(axis.scale, min);
    let hi = to_space(axis.scale, max);
    match (lo, hi) {
        (Some(lo), Some(hi)) if lo < hi => Ok((lo, hi)),
        _ => Err(ReportError::InvalidFigure(format!(
            "axis {:?} has range [{min}, {max}]; it must be finite with min < max{}",
            axis.label,
            if axis.scale == Scale::Log {
                " and positive on a log axis"
            } else {
                ""
            }
        ))),
    }
}

fn auto_range(data: &[f64]) -> (f64, f64) {
    let lo = data.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = data.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !(lo.is_finite() && hi.is_finite()) {
        // Nothing drawable: an empty unit frame.
        return (0.0, 1.0);
    }
    let (lo, hi) = if hi - lo > 1e-12 * lo.abs().max(hi.abs()) {
        (lo, hi)
    } else {
        let half = if lo == 0.0 { 0.5 } else { 0.1 * lo.abs() };
        (lo - half, hi + half)
    };
    let pad = PADDING * (hi - lo);
    (lo - pad, hi + pad)
}

type Ticks = (Vec<f64>, Vec<f64>, Vec<String>);

/// "Nice" ticks 1, 2 or 5 × 10^k apart, with their labels.
fn linear_ticks(lo: f64, hi: f64) -> Ticks {
    let raw = (hi - lo) / TARGET_TICKS;
    let magnitude = 10f64.powf(raw.log10().floor());
    let mantissa = match raw / magnitude {
        m if m < 1.5 => 1.0,
        m if m < 3.5 => 2.0,
        m if m < 7.5 => 5.0,
        _ => 10.0,
    };
    let step = mantissa * magnitude;
    let minor_step = step / if mantissa == 2.0 { 4.0 } else { 5.0 };
    let eps = 1e-9 * (hi - lo);
    let multiples = |step: f64| {
        let first = ((lo - eps) / step).ceil() as i64;
        let last = ((hi + eps) / step).floor() as i64;
        (first..=last).map(move |k| k as f64 * step)
    };
    let major: Vec<f64> = multiples(step).collect();
    let minor = multiples(minor_step)
        .filter(|m| major.iter().all(|t| (t - m).abs() > 0.5 * minor_step))
        .collect();
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let plain = step >= 1e-4 && lo.abs().max(hi.abs()) < 1e6;
    let labels = major
        .iter()
        .map(|&t| {
            if t.abs() < 0.5 * step {
                "0".to_owned()
            } else if plain {
                format!("{t:.decimals$}")
            } else {
                format_label(t)
            }
        })
        .collect();
    (major, minor, labels)
}

/// Decades labelled 10ᵏ (thinned to at most [`MAX_DECADES`]), with 2…9 × 10ᵏ as minor
/// ticks; narrower ranges fall back to 1, 2, 5 × 10ᵏ and then to linear ticks.
fn log_ticks(lo: f64, hi: f64) -> Ticks {
    let eps = 1e-9 * (hi - lo);
    let first = (lo - eps).ceil() as i32;
    let last = (hi + eps).floor() as i32;
    let decades: Vec<i32> = (first..=last).collect();
    if decades.len() >= 2 {
        let stride = decades.len().div_ceil(MAX_DECADES) as i32;
        let (major, skipped): (Vec<i32>, Vec<i32>) =
            decades.iter().partition(|e| e.rem_euclid(stride) == 0);
        let minor: Vec<f64> = if stride == 1 {
            (first - 1..=last)
                .flat_map(|e| (2..=9).map(move |m| f64::from(e) + f64::from(m).log10()))
                .filter(|s| *s >= lo - eps && *s <= hi + eps)
                .collect()
        } else {
            skipped.iter().map(|&e| f64::from(e)).collect()
        };
        let labels = major.iter().map(|&e| power_of_ten(e)).collect();
        return (major.iter().map(|&e| f64::from(e)).collect(), minor, labels);
    }
    let in_range = |mantissas: &'static [u32]| {
        let lo_decade = (lo - eps).floor() as i32;
        let hi_decade = (hi + eps).floor() as i32;
        (lo_decade..=hi_decade)
            .flat_map(move |e| mantissas.iter().map(move |&m| (e, m)))
            .map(|(e, m)| {
                (
                    f64::from(e) + f64::from(m).log10(),
                    f64::from(m) * 10f64.powi(e),
                )
            })
            .filter(|(s, _)| *s >= lo - eps && *s <= hi + eps)
            .collect::<Vec<_>>()
    };
    let major = in_range(&[1, 2, 5]);
    if major.len() >= 2 {
        let minor = in_range(&[3, 4, 6, 7, 8, 9])
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let labels = major.iter().map(|&(_, v)| format_label(v)).collect();
        return (major.into_iter().map(|(s, _)| s).collect(), minor, labels);
    }
    // Less than a factor of ~2.5: linear ticks on the values, placed logarithmically.
    let (values, _, labels) = linear_ticks(10f64.powf(lo), 10f64.powf(hi));
    let keep: Vec<(f64, String)> = values
        .into_iter()
        .zip(labels)
        .filter(|(v, _)| *v > 0.0)
        .map(|(v, label)| (v.log10(), label))
        .collect();
    let (major, labels) = keep.into_iter().unzip();
    (major, Vec::new(), labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(axis: Axis, data: &[f64]) -> AxisPlan {
        let space: Vec<f64> = data
            .iter()
            .filter_map(|&v| to_space(axis.scale, v))
            .collect();
        AxisPlan::new(&axis, &space).unwrap()
    }

    #[test]
    fn linear_ticks_are_nice() {
        let p = plan(Axis::linear("x"), &[0.0, 1.0]);
        assert_eq!(
            p.labels,
            ["0", "0.2", "0.4", "0.6", "0.8", "1.0"].map(String::from)
        );
        assert!(p.lo < 0.0 && p.hi > 1.0);
        assert_eq!(p.label(0.6000000000000001), "0.6");
        let p = plan(Axis::linear("x").with_range(-30.0, 70.0), &[]);
        assert_eq!(p.labels, ["-20", "0", "20", "40", "60"].map(String::from));
        assert_eq!((p.lo, p.hi), (-30.0, 70.0));
    }

    #[test]
    fn log_ticks_are_decades() {
        let p = plan(Axis::log("λ"), &[1e-4, 3e-3, 10.0, -1.0, 0.0, f64::NAN]);
        assert_eq!(
            p.labels,
            ["10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹"].map(String::from)
        );
        assert!(p.lo < -4.0 && p.hi > 1.0);
        assert!(p.minor.iter().any(|&s| (s - 2e-3f64.log10()).abs() < 1e-12));
        let wide = plan(Axis::log("λ"), &[1e-12, 1e6]);
        assert!(wide.major.len() <= MAX_DECADES);
        let narrow = plan(Axis::log("α"), &[0.3, 4.0]);
        assert_eq!(narrow.labels, ["0.5", "1", "2"].map(String::from));
        let tiny = plan(Axis::log("α").with_range(1.1, 1.9), &[]);
        assert!(tiny.major.len() >= 2, "{tiny:?}");
    }

    #[test]
    fn degenerate_data_still_gives_a_range() {
        let p = plan(Axis::linear("x"), &[]);
        assert!(p.lo < p.hi);
        let p = plan(Axis::linear("x"), &[3.0, 3.0]);
        assert!(p.lo < 3.0 && p.hi > 3.0);
        let p = plan(Axis::log("x"), &[-1.0]);
        assert!(p.lo < p.hi);
    }

    #[test]
    fn bad_explicit_ranges_are_errors() {
        for axis in [
            Axis::linear("x").with_range(1.0, 1.0),
            Axis::linear("x").with_range(0.0, f64::INFINITY),
            Axis::log("x").with_range(0.0, 1.0),
            Axis::log("x").with_range(2.0, 1.0),
        ] {
            assert!(AxisPlan::new(&axis, &[]).is_err(), "{axis:?}");
        }
    }
}
