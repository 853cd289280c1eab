//! Tables and figures for dsrf. This crate depends on none of the other dsrf crates:
//! it draws and writes the data it is given, so that the numerical layers never depend
//! on presentation (and can be tested without it).
//!
//! # Design decisions
//!
//! * **A table carries its provenance.** Every [`Table`] has [`Metadata`]: the figure
//!   id, *every* parameter of the run (as JSON values), every seed, the program
//!   version, the git commit ([`git_commit`]) and the wall time. CSV files start with
//!   them as `# key: value` comment lines (parameters as one line of compact JSON);
//!   JSON files hold them under `"metadata"`. A result file alone is enough to
//!   reproduce it, and shards of a sweep can be merged after [`from_json`] /
//!   [`from_csv`] by checking that their metadata agree.
//! * **Exact numbers.** Floats are written in their shortest round-trip form and
//!   always read back bit for bit, as floats (`1.0`, never `1`); NaN and ±∞ are
//!   `nan`, `inf`, `-inf` (strings in JSON). Rounding is only for snapshot tests
//!   ([`round_significant`], [`Table::rounded`]).
//! * **A figure is data.** A [`Figure`] is a plain value — panels (facets) with
//!   linear or log [`Axis`], [`Series`] of lines, dashed lines and markers with error
//!   bars, a discrete legend and a continuous [`ColourScale`] — built by the code that
//!   computes the numbers, serialisable, and testable without drawing anything.
//! * **One renderer, so every figure looks alike.** [`render_svg`] is the only
//!   function that draws. Fonts, line widths, marker sizes, tick placement (decades
//!   10ᵏ on log axes, 1–2–5 steps on linear ones), the viridis map and the tab10
//!   [`PALETTE`] are decided once, there.
//! * **Forgiving with data, strict with configuration.** Points that cannot be drawn
//!   (NaN, ±∞, ≤ 0 on a log axis) are skipped — theory curves legitimately reach +∞
//!   at the interpolation peak — while an unusable axis range or colour scale is a
//!   [`ReportError::InvalidFigure`].
//! * **No fonts needed.** The figures are SVG, made with `plotters` with its default
//!   features off (only the SVG backend): text is written as `<text>` elements in the
//!   `sans-serif` family and shaped by whatever displays the file, so no font files,
//!   system font libraries or bitmap backends are involved, and Unicode notation
//!   (α = n/d, ε_g, λ, γ, 10⁻³) works as is. The price is that the layout estimates
//!   text widths (about 0.6 em per character) instead of measuring them.
//!
//! # Example
//!
//! ```
//! use dsrf_report::{Axis, Colour, ColourScale, Figure, Marker, Panel, Point, Series};
//!
//! let theory: Vec<Point> = (1..=50)
//!     .map(|i| {
//!         let alpha = 0.1 * f64::from(i);
//!         Point::new(alpha, 1.0 / (1.0 + alpha))
//!     })
//!     .collect();
//! let simulation = vec![Point::with_err(0.5, 0.68, 0.03), Point::with_err(2.0, 0.32, 0.02)];
//! let panel = Panel::new("γ = 1", Axis::log("α = n/d"), Axis::linear("ε_g"))
//!     .with_series(Series::line(Colour::Scale(1e-3), theory).with_label("theory"))
//!     .with_series(Series::markers(Colour::Scale(1e-3), Marker::Circle, simulation).with_label("simulation"));
//! let mut figure = Figure::new("Learning curve", vec![panel]);
//! figure.colour = Some(ColourScale::viridis("λ", 1e-4, 1.0, true).with_tick_labels("λ = 1e-4", "λ = 1"));
//!
//! let svg = dsrf_report::render_svg(&figure)?;
//! assert!(svg.starts_with("<svg") && svg.contains("α = n/d"));
//! assert_eq!(svg.matches("<circle").count(), 2 + 1); // two points and a legend sample
//! # Ok::<(), dsrf_report::ReportError>(())
//! ```
//!
//! Tables:
//!
//! ```
//! use dsrf_report::{Cell, Metadata, Table, from_csv, to_csv};
//!
//! let metadata = Metadata::new("fig1", env!("CARGO_PKG_VERSION")).parameter("d", 400);
//! let table = Table::new(
//!     metadata,
//!     vec!["alpha".into(), "test_error".into()],
//!     vec![vec![0.5.into(), Cell::Number(0.1 + 0.2)], vec![1.0.into(), f64::INFINITY.into()]],
//! )?;
//! let csv = to_csv(&table);
//! assert!(csv.starts_with("# figure: fig1\n"));
//! assert!(csv.contains("\n0.5,0.30000000000000004\n1.0,inf\n"));
//! assert_eq!(from_csv(&csv)?, table);
//! # Ok::<(), dsrf_report::ReportError>(())
//! ```
#![deny(missing_docs)]

mod colour;
mod error;
mod figure;
mod markdown;
mod numbers;
mod svg;
mod table;

pub use colour::{Colour, ColourMap, ColourScale, PALETTE, Rgb, viridis};
pub use error::{ReportError, Result};
pub use figure::{Axis, Figure, LegendEntry, Marker, Panel, Point, Scale, Series, SeriesKind};
pub use markdown::markdown_table;
pub use numbers::round_significant;
pub use svg::render_svg;
pub use table::{Cell, Metadata, Table, from_csv, from_json, git_commit, to_csv, to_json, write};
