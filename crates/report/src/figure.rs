//! The figure model: what to draw, as plain data.
//!
//! A [`Figure`] is a grid of [`Panel`]s (facets) sharing an optional continuous
//! [`ColourScale`] and an optional discrete legend. Each panel has two [`Axis`] and a
//! list of [`Series`]: theory lines (solid or dashed) and simulation markers with
//! optional error bars. Nothing here knows how it will be drawn; see
//! [`render_svg`](crate::render_svg).
//!
//! The model derives serde's traits so that a figure can be stored next to its data.
//! JSON has no NaN or ±∞: serde_json writes such coordinates as `null`, which does not
//! read back, so filter them out before serialising a figure that has them.

use crate::colour::{Colour, ColourScale};
use serde::{Deserialize, Serialize};

/// A figure: panels in a grid, a shared colour scale and a shared legend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The title over the whole figure (empty for none).
    pub title: String,
    /// The panels, filled into the grid row by row.
    pub panels: Vec<Panel>,
    /// Panels per row (must be at least 1).
    pub columns: usize,
    /// The continuous colour scale used by [`Colour::Scale`] colours, drawn as a
    /// colour bar at the right.
    pub colour: Option<ColourScale>,
    /// The discrete legend, drawn at the right. When empty, the legend is made of the
    /// labelled series instead (one entry per distinct label, first occurrence wins).
    pub legend: Vec<LegendEntry>,
    /// The width of one panel in pixels.
    pub panel_width: u32,
    /// The height of one panel in pixels.
    pub panel_height: u32,
}

impl Figure {
    /// The default width of a panel, in pixels.
    pub const DEFAULT_PANEL_WIDTH: u32 = 420;
    /// The default height of a panel, in pixels.
    pub const DEFAULT_PANEL_HEIGHT: u32 = 320;

    /// A figure with all panels in one row, no colour scale, an automatic legend and
    /// default panel sizes.
    pub fn new(title: impl Into<String>, panels: Vec<Panel>) -> Self {
        Figure {
            title: title.into(),
            columns: panels.len().max(1),
            panels,
            colour: None,
            legend: Vec::new(),
            panel_width: Self::DEFAULT_PANEL_WIDTH,
            panel_height: Self::DEFAULT_PANEL_HEIGHT,
        }
    }
}

/// One facet: a title, two axes and the series drawn on them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    /// The panel's caption (empty for none), e.g. `"γ = 0.5"`.
    pub title: String,
    /// The horizontal axis.
    pub x: Axis,
    /// The vertical axis.
    pub y: Axis,
    /// The series, drawn in order (later ones on top).
    pub series: Vec<Series>,
}

impl Panel {
    /// A panel without series.
    pub fn new(title: impl Into<String>, x: Axis, y: Axis) -> Self {
        Panel {
            title: title.into(),
            x,
            y,
            series: Vec::new(),
        }
    }

    /// Adds a series.
    pub fn with_series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }
}

/// Linear or logarithmic (base 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Scale {
    /// Linear.
    #[default]
    Linear,
    /// Logarithmic: only positive values are drawn; ticks at powers of ten.
    Log,
}

/// An axis: its label, scale and (optionally) fixed range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// The label in the paper's notation, e.g. `"α = n/d"` or `"ε_g"`.
    pub label: String,
    /// Linear or logarithmic.
    pub scale: Scale,
    /// The range shown. `None`: the range of the drawable data (error bars included)
    /// plus 4% padding on each side (in log space on a log axis). With a fixed range,
    /// lines are clipped at its edges and markers outside it are not drawn.
    pub range: Option<(f64, f64)>,
}

impl Axis {
    /// A linear axis with an automatic range.
    pub fn linear(label: impl Into<String>) -> Self {
        Axis {
            label: label.into(),
            scale: Scale::Linear,
            range: None,
        }
    }

    /// A logarithmic axis with an automatic range.
    pub fn log(label: impl Into<String>) -> Self {
        Axis {
            label: label.into(),
            scale: Scale::Log,
            range: None,
        }
    }

    /// Fixes the range to `[min, max]`.
    pub fn with_range(mut self, min: f64, max: f64) -> Self {
        self.range = Some((min, max));
        self
    }
}

/// One set of points drawn in one style.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The legend text, used when the figure has no explicit legend.
    pub label: Option<String>,
    /// The colour of the line or markers.
    pub colour: Colour,
    /// Line, dashed line or markers.
    pub kind: SeriesKind,
    /// The points, in drawing order. Points that cannot be drawn (non-finite, or ≤ 0
    /// on a log axis) are skipped; a line is interrupted at them.
    pub points: Vec<Point>,
}

impl Series {
    /// A solid line (a theory curve).
    pub fn line(colour: Colour, points: Vec<Point>) -> Self {
        Series {
            label: None,
            colour,
            kind: SeriesKind::Line,
            points,
        }
    }

    /// A dashed line (a reference curve, an asymptote).
    pub fn dashed(colour: Colour, points: Vec<Point>) -> Self {
        Series {
            label: None,
            colour,
            kind: SeriesKind::DashedLine,
            points,
        }
    }

    /// Markers of the default size (simulations; error bars from [`Point::err`]).
    pub fn markers(colour: Colour, shape: Marker, points: Vec<Point>) -> Self {
        Series {
            label: None,
            colour,
            kind: SeriesKind::Markers {
                shape,
                size: SeriesKind::DEFAULT_MARKER_SIZE,
            },
            points,
        }
    }

    /// A shaded band from `y − err` to `y + err` at every point (a spread around a
    /// mean, e.g. the draw-to-draw standard deviation of an ensemble); points without
    /// a usable `err` interrupt it.
    pub fn band(colour: Colour, points: Vec<Point>) -> Self {
        Series {
            label: None,
            colour,
            kind: SeriesKind::Band,
            points,
        }
    }

    /// Sets the legend text.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeriesKind {
    /// A solid polyline.
    Line,
    /// A dashed polyline.
    DashedLine,
    /// A translucent filled band between `y − err` and `y + err` (no outline).
    Band,
    /// One marker per point, with a vertical error bar where the point has one.
    Markers {
        /// The marker's shape.
        shape: Marker,
        /// The marker's half-width in pixels.
        size: u32,
    },
}

impl SeriesKind {
    /// The default marker half-width in pixels.
    pub const DEFAULT_MARKER_SIZE: u32 = 4;
}

/// A marker shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Marker {
    /// A filled disc.
    Circle,
    /// A diagonal cross.
    Cross,
    /// A filled square.
    Square,
    /// A filled upward triangle.
    Triangle,
}

/// A data point with an optional symmetric vertical error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Abscissa.
    pub x: f64,
    /// Ordinate.
    pub y: f64,
    /// Half-length of the vertical error bar (y ± err) of a marker, or half-width of a
    /// band. A negative or non-finite error is ignored (no bar; a gap in a band). On a log axis, a lower end ≤ 0 is drawn
    /// down to the bottom of the panel.
    pub err: Option<f64>,
}

impl Point {
    /// A point without error bar.
    pub fn new(x: f64, y: f64) -> Self {
        Point { x, y, err: None }
    }

    /// A point with error bar y ± `err`.
    pub fn with_err(x: f64, y: f64, err: f64) -> Self {
        Point {
            x,
            y,
            err: Some(err),
        }
    }
}

impl From<(f64, f64)> for Point {
    fn from((x, y): (f64, f64)) -> Self {
        Point::new(x, y)
    }
}

/// One entry of a discrete legend: a sample of the style and its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegendEntry {
    /// The text, e.g. `"theory"` or `"simulation, d = 400"`.
    pub label: String,
    /// The colour of the sample.
    pub colour: Colour,
    /// The style of the sample.
    pub kind: SeriesKind,
}

impl LegendEntry {
    /// An entry.
    pub fn new(label: impl Into<String>, colour: Colour, kind: SeriesKind) -> Self {
        LegendEntry {
            label: label.into(),
            colour,
            kind,
        }
    }
}
