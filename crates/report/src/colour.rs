//! Colours: fixed RGB, a qualitative palette, and a continuous viridis scale.

use crate::error::{ReportError, Result};
use crate::numbers::format_label;
use serde::{Deserialize, Serialize};

/// An 8-bit sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// The colour as `#rrggbb` (lower case).
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// The colour of a series or legend entry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Colour {
    /// A fixed colour.
    Rgb(u8, u8, u8),
    /// Entry `i` (modulo 10) of the qualitative [`PALETTE`].
    Palette(usize),
    /// A value on the figure's continuous [`ColourScale`] (e.g. the λ of a curve).
    /// Values outside the scale's range are clamped to its ends.
    Scale(f64),
}

impl Colour {
    /// The RGB colour, looking [`Colour::Scale`] values up in `scale`.
    ///
    /// Errors ([`ReportError::InvalidFigure`]): a scale value without a scale, a NaN
    /// value, or a value ≤ 0 on a logarithmic scale.
    pub fn resolve(self, scale: Option<&ColourScale>) -> Result<Rgb> {
        match self {
            Colour::Rgb(r, g, b) => Ok(Rgb(r, g, b)),
            Colour::Palette(i) => Ok(PALETTE[i % PALETTE.len()]),
            Colour::Scale(value) => {
                let scale = scale.ok_or_else(|| {
                    ReportError::InvalidFigure(format!(
                        "colour value {value} needs a colour scale but the figure has none"
                    ))
                })?;
                scale.colour(value)
            }
        }
    }
}

/// The qualitative palette of [`Colour::Palette`]: matplotlib's `tab10`.
pub const PALETTE: [Rgb; 10] = [
    Rgb(0x1f, 0x77, 0xb4),
    Rgb(0xff, 0x7f, 0x0e),
    Rgb(0x2c, 0xa0, 0x2c),
    Rgb(0xd6, 0x27, 0x28),
    Rgb(0x94, 0x67, 0xbd),
    Rgb(0x8c, 0x56, 0x4b),
    Rgb(0xe3, 0x77, 0xc2),
    Rgb(0x7f, 0x7f, 0x7f),
    Rgb(0xbc, 0xbd, 0x22),
    Rgb(0x17, 0xbe, 0xcf),
];

/// The colour map of a [`ColourScale`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ColourMap {
    /// matplotlib's perceptually uniform, colour-blind-safe default (see [`viridis`]).
    #[default]
    Viridis,
}

impl ColourMap {
    /// The colour at position `t` ∈ \[0, 1\] (clamped; NaN gives the low end).
    pub fn at(self, t: f64) -> Rgb {
        match self {
            ColourMap::Viridis => viridis(t),
        }
    }
}

/// matplotlib's 256-entry viridis table sampled at 17 equally spaced positions
/// (entries i·255/16, interpolated), from #440154 to #fde725.
const VIRIDIS: [[u8; 3]; 17] = [
    [0x44, 0x01, 0x54],
    [0x48, 0x18, 0x6a],
    [0x47, 0x2d, 0x7b],
    [0x42, 0x40, 0x86],
    [0x3b, 0x52, 0x8b],
    [0x33, 0x63, 0x8d],
    [0x2c, 0x72, 0x8e],
    [0x26, 0x81, 0x8e],
    [0x21, 0x90, 0x8c],
    [0x1f, 0x9f, 0x88],
    [0x28, 0xae, 0x80],
    [0x3e, 0xbc, 0x74],
    [0x5d, 0xc9, 0x63],
    [0x82, 0xd3, 0x4c],
    [0xab, 0xdc, 0x32],
    [0xd5, 0xe2, 0x1a],
    [0xfd, 0xe7, 0x25],
];

/// The viridis colour at `t` ∈ \[0, 1\] (clamped; NaN gives the low end), by linear
/// interpolation between 17 samples of matplotlib's table (within about 1/255 of it).
pub fn viridis(t: f64) -> Rgb {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let position = t * (VIRIDIS.len() - 1) as f64;
    let i = (position.floor() as usize).min(VIRIDIS.len() - 2);
    let f = position - i as f64;
    let mix = |k: usize| {
        let (a, b) = (f64::from(VIRIDIS[i][k]), f64::from(VIRIDIS[i + 1][k]));
        (a + (b - a) * f).round() as u8
    };
    Rgb(mix(0), mix(1), mix(2))
}

/// A continuous colour scale shared by a whole figure, drawn as a colour bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColourScale {
    /// The quantity, in the paper's notation (e.g. `"λ"`).
    pub label: String,
    /// The value at the low end of the map.
    pub min: f64,
    /// The value at the high end of the map.
    pub max: f64,
    /// Whether values are placed on the map by their logarithm.
    pub log: bool,
    /// The colour map.
    pub map: ColourMap,
    /// The text at the low end of the bar (default: `min` formatted briefly).
    pub min_label: Option<String>,
    /// The text at the high end of the bar (default: `max` formatted briefly).
    pub max_label: Option<String>,
}

impl ColourScale {
    /// A viridis scale from `min` to `max`, logarithmic if `log`.
    pub fn viridis(label: impl Into<String>, min: f64, max: f64, log: bool) -> Self {
        ColourScale {
            label: label.into(),
            min,
            max,
            log,
            map: ColourMap::Viridis,
            min_label: None,
            max_label: None,
        }
    }

    /// Sets the texts at both ends of the bar, e.g. `"λ = 1e-4"` and `"λ = 10"`.
    pub fn with_tick_labels(mut self, min: impl Into<String>, max: impl Into<String>) -> Self {
        self.min_label = Some(min.into());
        self.max_label = Some(max.into());
        self
    }

    /// Checks that the scale can map values: finite ends, `min < max`, and positive
    /// ends on a log scale ([`ReportError::InvalidFigure`] otherwise).
    pub fn check(&self) -> Result<()> {
        let ok = self.min.is_finite()
            && self.max.is_finite()
            && self.min < self.max
            && (!self.log || self.min > 0.0);
        if ok {
            Ok(())
        } else {
            Err(ReportError::InvalidFigure(format!(
                "colour scale {:?} needs finite min < max{} (got {} and {})",
                self.label,
                if self.log { ", both positive" } else { "" },
                self.min,
                self.max
            )))
        }
    }

    /// Where `value` falls on the map, in \[0, 1\] (clamped).
    pub fn position(&self, value: f64) -> Result<f64> {
        self.check()?;
        if value.is_nan() || (self.log && value <= 0.0) {
            return Err(ReportError::InvalidFigure(format!(
                "colour value {value} cannot be placed on the {}colour scale {:?}",
                if self.log { "logarithmic " } else { "" },
                self.label
            )));
        }
        let t = if self.log {
            (value.ln() - self.min.ln()) / (self.max.ln() - self.min.ln())
        } else {
            (value - self.min) / (self.max - self.min)
        };
        Ok(t.clamp(0.0, 1.0))
    }

    /// The colour of `value` (see [`ColourScale::position`]).
    pub fn colour(&self, value: f64) -> Result<Rgb> {
        Ok(self.map.at(self.position(value)?))
    }

    /// The texts at the low and high ends of the bar.
    pub(crate) fn end_labels(&self) -> (String, String) {
        let default = |x: f64| format_label(x);
        (
            self.min_label.clone().unwrap_or_else(|| default(self.min)),
            self.max_label.clone().unwrap_or_else(|| default(self.max)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_end_points_are_matplotlibs() {
        assert_eq!(viridis(0.0).hex(), "#440154");
        assert_eq!(viridis(1.0).hex(), "#fde725");
        assert_eq!(viridis(0.5).hex(), "#21908c");
        assert_eq!(viridis(-3.0), viridis(0.0));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
        assert_eq!(viridis(7.0), viridis(1.0));
    }

    #[test]
    fn viridis_is_continuous_and_brightens() {
        let luminance =
            |c: Rgb| 0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2);
        let mut previous = viridis(0.0);
        for i in 1..=1000 {
            let c = viridis(f64::from(i) / 1000.0);
            for (a, b) in [(c.0, previous.0), (c.1, previous.1), (c.2, previous.2)] {
                assert!(a.abs_diff(b) <= 2, "jump at {i}");
            }
            assert!(luminance(c) + 1.5 >= luminance(previous), "darker at {i}");
            previous = c;
        }
    }

    #[test]
    fn log_scale_positions() {
        let scale = ColourScale::viridis("λ", 1e-4, 1.0, true);
        approx::assert_abs_diff_eq!(scale.position(1e-2).unwrap(), 0.5, epsilon = 1e-12);
        assert_eq!(scale.position(1e3).unwrap(), 1.0);
        assert!(scale.position(0.0).is_err());
        assert!(scale.position(f64::NAN).is_err());
        assert_eq!(scale.colour(1e-4).unwrap().hex(), "#440154");
    }

    #[test]
    fn invalid_scales_and_missing_scales_are_errors() {
        assert!(ColourScale::viridis("λ", 0.0, 1.0, true).check().is_err());
        assert!(ColourScale::viridis("λ", 1.0, 1.0, false).check().is_err());
        assert!(Colour::Scale(0.5).resolve(None).is_err());
        assert_eq!(Colour::Palette(10).resolve(None).unwrap(), PALETTE[0]);
        assert_eq!(Colour::Rgb(1, 2, 3).resolve(None).unwrap(), Rgb(1, 2, 3));
    }

    #[test]
    fn end_labels_default_to_the_values() {
        let scale = ColourScale::viridis("λ", 1e-4, 10.0, true);
        assert_eq!(scale.end_labels(), ("1e-4".into(), "10".into()));
        let scale = scale.with_tick_labels("λ = 1e-4", "λ = 10");
        assert_eq!(scale.end_labels(), ("λ = 1e-4".into(), "λ = 10".into()));
    }
}
