//! The one renderer: [`render_svg`] turns any [`Figure`] into an SVG document.
//!
//! Layout: the figure title on top, panels in a grid of `columns` columns below it, and
//! at the right a sidebar with the colour bar (if the figure has a colour scale) above
//! the discrete legend (if it has entries). Plotters draws each panel's frame, grid,
//! ticks and labels on a linear axis in "axis space" (log₁₀ of the value on log axes,
//! with ticks computed here); series, markers, error bars, colour bar and legend are
//! drawn by this module, clipped to the panel.

mod axis;
mod clip;
mod key;
mod marks;
mod panel;

use crate::error::{ReportError, Result};
use crate::figure::Figure;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The drawing area of the whole document (backend pixel coordinates).
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// The font family written into every `<text>` element.
const FONT: &str = "sans-serif";
/// Plotters' SVG backend writes `font-size` = size / 1.24; sizes below are scaled by
/// this so that they are the pixel sizes actually written.
const FONT_SCALE: f64 = 1.24;
/// Font sizes in pixels: figure title, panel caption, axis label, tick label.
const FONT_SIZES: FontSizes = FontSizes {
    title: 19.0,
    caption: 15.0,
    axis: 14.0,
    tick: 12.0,
};

/// Font sizes in pixels, by role.
struct FontSizes {
    title: f64,
    caption: f64,
    axis: f64,
    tick: f64,
}

/// The height of the band holding the figure title.
const TITLE_HEIGHT: u32 = 36;
/// The smallest panel that still leaves room for the plotting area.
const MIN_PANEL: (u32, u32) = (160, 120);

/// Renders `figure` as a standalone SVG document.
///
/// Errors ([`ReportError::InvalidFigure`]): no panels, `columns == 0`, panels smaller
/// than 160×120 px, an invalid colour scale or explicit axis range, or a
/// [`Colour::Scale`](crate::Colour::Scale) colour that cannot be resolved. Points that
/// cannot be drawn are skipped, never an error (see [`ReportError`]).
pub fn render_svg(figure: &Figure) -> Result<String> {
    check(figure)?;
    let legend = key::legend_entries(figure);
    let sidebar = key::Sidebar::new(figure.colour.as_ref(), &legend)?;
    let columns = figure.columns.min(figure.panels.len());
    let rows = figure.panels.len().div_ceil(columns);
    let (pw, ph) = (figure.panel_width, figure.panel_height);
    let title_height = if figure.title.is_empty() {
        0
    } else {
        TITLE_HEIGHT
    };
    let grid = (columns as u32 * pw, rows as u32 * ph);
    let width = grid.0 + sidebar.width();
    let height = title_height + grid.1.max(sidebar.height());

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(render_error)?;
        if !figure.title.is_empty() {
            let style = text_style(FONT_SIZES.title, HPos::Center, VPos::Center);
            let centre = ((grid.0 / 2) as i32, (TITLE_HEIGHT / 2) as i32);
            root.draw(&Text::new(figure.title.as_str(), centre, style))
                .map_err(render_error)?;
        }
        for (i, panel) in figure.panels.iter().enumerate() {
            let origin = (
                (i % columns) as u32 * pw,
                title_height + (i / columns) as u32 * ph,
            );
            let area = root.clone().shrink(origin, (pw, ph));
            panel::draw(&root, &area, panel, figure.colour.as_ref())?;
        }
        sidebar.draw(&root, (grid.0 as i32, title_height as i32))?;
        root.present().map_err(render_error)?;
    }
    Ok(svg)
}

fn check(figure: &Figure) -> Result<()> {
    let invalid = |message: String| Err(ReportError::InvalidFigure(message));
    if figure.panels.is_empty() {
        return invalid("a figure needs at least one panel".into());
    }
    if figure.columns == 0 {
        return invalid("a figure needs at least one column of panels".into());
    }
    if figure.panel_width < MIN_PANEL.0 || figure.panel_height < MIN_PANEL.1 {
        return invalid(format!(
            "panels of {}×{} px are too small (at least {}×{})",
            figure.panel_width, figure.panel_height, MIN_PANEL.0, MIN_PANEL.1
        ));
    }
    if let Some(scale) = &figure.colour {
        scale.check()?;
    }
    Ok(())
}

/// A text style of the given size (pixels) and anchor, in black.
fn text_style(size: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    font(size).pos(Pos::new(h, v))
}

/// The font of the given size in pixels.
fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, size * FONT_SCALE).into_font())
}

/// A plotters colour from ours.
fn plotters_colour(colour: crate::colour::Rgb) -> RGBColor {
    RGBColor(colour.0, colour.1, colour.2)
}

fn render_error(error: impl std::fmt::Display) -> ReportError {
    ReportError::Render(error.to_string())
}
