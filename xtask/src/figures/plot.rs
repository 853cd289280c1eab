//! Drawing helpers shared by the learning-curve figures: theory rows become lines,
//! simulation rows become markers with error bars, all read from a published table
//! (through `curves::SeriesData`), so a merged run draws exactly what a single run
//! draws.

use dsrf_report::{Axis, Colour, Figure, LegendEntry, Marker, Panel, Point, Series, SeriesKind};

use super::curves::SeriesData;

/// The abscissa of a learning curve.
#[derive(Debug, Clone, Copy)]
pub enum XVar {
    /// α = n/d.
    Alpha,
    /// The number of samples n.
    N,
}

fn x_of(x: XVar, alpha: f64, n: f64) -> f64 {
    match x {
        XVar::Alpha => alpha,
        XVar::N => n,
    }
}

/// The closed-form theory as a solid line.
pub fn theory_line(data: &SeriesData, x: XVar, colour: Colour) -> Series {
    Series::line(
        colour,
        data.theory
            .iter()
            .map(|&(a, n, e)| Point::new(x_of(x, a, n), e))
            .collect(),
    )
}

/// The Monte-Carlo theory as a solid line.
pub fn theory_mc_line(data: &SeriesData, x: XVar, colour: Colour) -> Series {
    Series::line(
        colour,
        data.theory_mc
            .iter()
            .map(|&(a, n, e)| Point::new(x_of(x, a, n), e))
            .collect(),
    )
}

/// The closed-form theory as a dashed line.
pub fn theory_dashed(data: &SeriesData, x: XVar, colour: Colour) -> Series {
    let mut s = theory_line(data, x, colour);
    s.kind = SeriesKind::DashedLine;
    s
}

/// Which spread the error bars show.
#[derive(Debug, Clone, Copy)]
pub enum Bars {
    /// One standard deviation over replicates.
    Std,
}

/// Simulation means as markers with error bars.
pub fn simulation_markers(
    data: &SeriesData,
    x: XVar,
    colour: Colour,
    marker: Marker,
    bars: Bars,
) -> Series {
    Series::markers(
        colour,
        marker,
        data.simulation
            .iter()
            .map(|&(a, n, mean, std, _stderr)| {
                let err = match bars {
                    Bars::Std => std,
                };
                Point::with_err(x_of(x, a, n), mean, err)
            })
            .collect(),
    )
}

/// Legend entries explaining the line and marker styles (in black).
pub fn style_legend(entries: &[(&str, SeriesKind)]) -> Vec<LegendEntry> {
    entries
        .iter()
        .map(|(label, kind)| LegendEntry::new(*label, Colour::Rgb(0, 0, 0), *kind))
        .collect()
}

/// A marker legend sample.
pub fn marker_kind(marker: Marker) -> SeriesKind {
    SeriesKind::Markers {
        shape: marker,
        size: SeriesKind::DEFAULT_MARKER_SIZE,
    }
}

/// The precursor-style picture: one panel per series (two columns), the theory as a
/// blue line over α, the simulation as red circles with ±1 std bars, and their legend.
pub fn theory_and_simulation_figure(
    title: String,
    series: &[SeriesData],
    panel_title: impl Fn(&SeriesData) -> String,
    axes: (Axis, Axis),
    theory_label: &str,
) -> Figure {
    let blue = Colour::Rgb(0, 0, 255);
    let red = Colour::Rgb(230, 0, 0);
    let panels = series
        .iter()
        .map(|s| {
            Panel::new(panel_title(s), axes.0.clone(), axes.1.clone())
                .with_series(theory_line(s, XVar::Alpha, blue))
                .with_series(simulation_markers(
                    s,
                    XVar::Alpha,
                    red,
                    Marker::Circle,
                    Bars::Std,
                ))
        })
        .collect();
    let mut figure = Figure::new(title, panels);
    figure.columns = 2;
    figure.legend = vec![
        LegendEntry::new(theory_label, blue, SeriesKind::Line),
        LegendEntry::new("simulation ± 1 std", red, marker_kind(Marker::Circle)),
    ];
    figure
}
