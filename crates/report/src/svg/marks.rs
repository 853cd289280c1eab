//! How series look: line widths, dashes and markers, shared by panels and the legend
//! so that a legend sample is exactly what the panel shows.

use super::{Area, render_error};
use crate::error::Result;
use crate::figure::{Marker, SeriesKind};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// Stroke width of lines, in pixels.
pub(super) const LINE_WIDTH: u32 = 2;
/// Length of a dash and of the gap after it, in pixels.
pub(super) const DASH: (u32, u32) = (7, 4);
/// Stroke width of error bars and of cross markers.
const THIN: u32 = 1;

/// The stroke style of a line of colour `colour`.
pub(super) fn line_style(colour: RGBColor) -> ShapeStyle {
    ShapeStyle {
        color: colour.to_rgba(),
        filled: false,
        stroke_width: LINE_WIDTH,
    }
}

/// Draws a solid or dashed polyline given in backend pixels on `root`.
pub(super) fn draw_pixel_line(
    root: &Area,
    points: Vec<(i32, i32)>,
    dashed: bool,
    colour: RGBColor,
) -> Result<()> {
    let style = line_style(colour);
    if dashed {
        root.draw(&DashedPathElement::new(points, DASH.0, DASH.1, style))
    } else {
        root.draw(&PathElement::new(points, style))
    }
    .map_err(render_error)
}

/// Draws one marker centred at `centre` (backend pixels), `size` pixels in half-width.
pub(super) fn draw_marker(
    root: &Area,
    centre: (i32, i32),
    shape: Marker,
    size: u32,
    colour: RGBColor,
) -> Result<()> {
    let fill = colour.filled();
    let s = i32::try_from(size).unwrap_or(i32::MAX / 4);
    let (x, y) = centre;
    match shape {
        Marker::Circle => root.draw(&Circle::new(centre, size, fill)),
        Marker::Cross => root.draw(&Cross::new(
            centre,
            size,
            ShapeStyle {
                stroke_width: LINE_WIDTH,
                ..fill
            },
        )),
        Marker::Square => root.draw(&Rectangle::new([(x - s, y - s), (x + s, y + s)], fill)),
        // A triangle of circumradius `size` looks smaller than a disc of radius `size`.
        Marker::Triangle => root.draw(&TriangleMarker::new(centre, size + size / 3, fill)),
    }
    .map_err(render_error)
}

/// Draws a vertical error bar (as one polyline) from `low` to `high` (backend pixels,
/// same x), with horizontal caps at the ends that are real (not clipped).
pub(super) fn draw_error_bar(
    root: &Area,
    low: ((i32, i32), bool),
    high: ((i32, i32), bool),
    cap: i32,
    colour: RGBColor,
) -> Result<()> {
    let ((x, y_low), cap_low) = low;
    let ((_, y_high), cap_high) = high;
    let mut path = Vec::with_capacity(6);
    if cap_low {
        path.extend([(x - cap, y_low), (x + cap, y_low)]);
    }
    path.push((x, y_low));
    path.push((x, y_high));
    if cap_high {
        path.extend([(x - cap, y_high), (x + cap, y_high)]);
    }
    let style = ShapeStyle {
        color: colour.to_rgba(),
        filled: false,
        stroke_width: THIN,
    };
    root.draw(&PathElement::new(path, style))
        .map_err(render_error)
}

/// Draws the legend sample of `kind`, `length` pixels wide, starting at `left`.
pub(super) fn draw_sample(
    root: &Area,
    left: (i32, i32),
    length: i32,
    kind: SeriesKind,
    colour: RGBColor,
) -> Result<()> {
    let (x, y) = left;
    match kind {
        SeriesKind::Line => draw_pixel_line(root, vec![(x, y), (x + length, y)], false, colour),
        SeriesKind::DashedLine => {
            draw_pixel_line(root, vec![(x, y), (x + length, y)], true, colour)
        }
        SeriesKind::Band => root
            .draw(&Rectangle::new(
                [(x, y - 4), (x + length, y + 4)],
                colour.mix(0.2).filled(),
            ))
            .map_err(render_error),
        SeriesKind::Markers { shape, size } => {
            draw_marker(root, (x + length / 2, y), shape, size, colour)
        }
    }
}
