//! One panel: frame, grid, ticks and labels by plotters; series drawn on top.

use super::axis::{AxisPlan, to_space};
use super::clip::{Bounds, clip_polyline};
use super::marks::{DASH, draw_error_bar, draw_marker, line_style};
use super::{Area, FONT_SIZES, font, plotters_colour, render_error};
use crate::colour::ColourScale;
use crate::error::Result;
use crate::figure::{Panel, Point, Scale, SeriesKind};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// Space for tick labels and the axis label below the plotting area.
const X_LABEL_AREA: u32 = 46;
/// Space for tick labels and the axis label left of the plotting area.
const Y_LABEL_AREA: u32 = 62;

/// Draws `panel` into `area`; markers and error bars go to `root` in backend pixels.
pub(super) fn draw(
    root: &Area,
    area: &Area,
    panel: &Panel,
    scale: Option<&ColourScale>,
) -> Result<()> {
    let colours = panel
        .series
        .iter()
        .map(|series| series.colour.resolve(scale).map(plotters_colour))
        .collect::<Result<Vec<_>>>()?;
    let (xs, ys) = plan_axes(panel)?;

    let mut builder = ChartBuilder::on(area);
    builder
        .margin(8)
        .margin_right(18)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA);
    if !panel.title.is_empty() {
        builder.caption(&panel.title, font(FONT_SIZES.caption));
    }
    let mut chart = builder
        .build_cartesian_2d(xs.clone(), ys.clone())
        .map_err(render_error)?;
    let x_label = |s: &f64| xs.label(*s);
    let y_label = |s: &f64| ys.label(*s);
    chart
        .configure_mesh()
        .x_desc(panel.x.label.as_str())
        .y_desc(panel.y.label.as_str())
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .axis_desc_style(font(FONT_SIZES.axis))
        .label_style(font(FONT_SIZES.tick))
        .draw()
        .map_err(render_error)?;

    let bounds = Bounds {
        x: (xs.lo - xs.eps(), xs.hi + xs.eps()),
        y: (ys.lo - ys.eps(), ys.hi + ys.eps()),
    };
    let space = |p: &Point| Some((to_space(panel.x.scale, p.x)?, to_space(panel.y.scale, p.y)?));
    for (series, &colour) in panel.series.iter().zip(&colours) {
        match series.kind {
            SeriesKind::Line | SeriesKind::DashedLine => {
                let points: Vec<_> = series.points.iter().map(space).collect();
                for piece in clip_polyline(&points, bounds) {
                    let style = line_style(colour);
                    if series.kind == SeriesKind::Line {
                        chart.draw_series(std::iter::once(PathElement::new(piece, style)))
                    } else {
                        chart.draw_series(std::iter::once(DashedPathElement::new(
                            piece, DASH.0, DASH.1, style,
                        )))
                    }
                    .map_err(render_error)?;
                }
            }
            SeriesKind::Band => {
                for polygon in band_polygons(&series.points, (panel.x.scale, panel.y.scale), bounds)
                {
                    chart
                        .draw_series(std::iter::once(Polygon::new(
                            polygon,
                            colour.mix(BAND_OPACITY).filled(),
                        )))
                        .map_err(render_error)?;
                }
            }
            SeriesKind::Markers { shape, size } => {
                let visible: Vec<(&Point, (f64, f64))> = series
                    .points
                    .iter()
                    .filter_map(|p| space(p).map(|s| (p, s)))
                    .filter(|&(_, (sx, sy))| xs.contains(sx) && ys.contains(sy))
                    .collect();
                let cap = i32::try_from(size.max(3)).unwrap_or(3);
                for &(point, (sx, _)) in &visible {
                    if let Some((low, high)) = error_bar(point, panel.y.scale, &ys) {
                        let low = (chart.backend_coord(&(sx, low.0)), low.1);
                        let high = (chart.backend_coord(&(sx, high.0)), high.1);
                        draw_error_bar(root, low, high, cap, colour)?;
                    }
                }
                for &(_, centre) in &visible {
                    draw_marker(root, chart.backend_coord(&centre), shape, size, colour)?;
                }
            }
        }
    }
    Ok(())
}

/// Plans both axes from the drawable points of every series (error bars included).
fn plan_axes(panel: &Panel) -> Result<(AxisPlan, AxisPlan)> {
    let mut x_data = Vec::new();
    let mut y_data = Vec::new();
    for series in &panel.series {
        let spread = matches!(series.kind, SeriesKind::Markers { .. } | SeriesKind::Band);
        for point in &series.points {
            let (Some(sx), Some(sy)) = (
                to_space(panel.x.scale, point.x),
                to_space(panel.y.scale, point.y),
            ) else {
                continue;
            };
            x_data.push(sx);
            y_data.push(sy);
            if let (true, Some(err)) = (spread, usable_error(point)) {
                y_data.extend(to_space(panel.y.scale, point.y - err));
                y_data.extend(to_space(panel.y.scale, point.y + err));
            }
        }
    }
    Ok((
        AxisPlan::new(&panel.x, &x_data)?,
        AxisPlan::new(&panel.y, &y_data)?,
    ))
}

/// Opacity of a band's fill (lines drawn over it stay readable).
const BAND_OPACITY: f64 = 0.2;

/// The polygons of a band in axis space: one per run of consecutive points with a
/// usable half-width and a drawable x, upper edge forward and lower edge back, each
/// end clamped into the panel (a lower end ≤ 0 on a log axis sits at the bottom).
fn band_polygons(
    points: &[Point],
    (x_scale, y_scale): (Scale, Scale),
    bounds: Bounds,
) -> Vec<Vec<(f64, f64)>> {
    let clamp_y = |y: Option<f64>| y.map_or(bounds.y.0, |y| y.clamp(bounds.y.0, bounds.y.1));
    let mut polygons = Vec::new();
    let mut run: Vec<(f64, f64, f64)> = Vec::new();
    let mut close = |run: &mut Vec<(f64, f64, f64)>| {
        if run.len() >= 2 {
            let upper = run.iter().map(|&(x, _, hi)| (x, hi));
            let lower = run.iter().rev().map(|&(x, lo, _)| (x, lo));
            polygons.push(upper.chain(lower).collect());
        }
        run.clear();
    };
    for point in points {
        let x = to_space(x_scale, point.x).filter(|x| (bounds.x.0..=bounds.x.1).contains(x));
        match (x, usable_error(point), to_space(y_scale, point.y)) {
            (Some(x), Some(err), Some(_)) => run.push((
                x,
                clamp_y(to_space(y_scale, point.y - err)),
                clamp_y(to_space(y_scale, point.y + err)),
            )),
            _ => close(&mut run),
        }
    }
    close(&mut run);
    polygons
}

fn usable_error(point: &Point) -> Option<f64> {
    point.err.filter(|e| e.is_finite() && *e > 0.0)
}

/// One end of an error bar in axis space, and whether it is a real end (drawn with a
/// cap) rather than one clipped at the edge of the panel.
type BarEnd = (f64, bool);

/// The low and high ends of the error bar of `point`, clipped to the panel.
fn error_bar(point: &Point, scale: Scale, ys: &AxisPlan) -> Option<(BarEnd, BarEnd)> {
    let err = usable_error(point)?;
    // On a log axis a lower end ≤ 0 is -∞: the bar runs to the bottom of the panel.
    let low = to_space(scale, point.y - err).unwrap_or(f64::NEG_INFINITY);
    let high = to_space(scale, point.y + err).unwrap_or(f64::INFINITY);
    let low_end = (low.max(ys.lo), low >= ys.lo - ys.eps());
    let high_end = (high.min(ys.hi), high <= ys.hi + ys.eps());
    (low_end.0 < high_end.0).then_some((low_end, high_end))
}
