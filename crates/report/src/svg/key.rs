//! The sidebar: the continuous colour bar and the discrete legend.

use super::marks::draw_sample;
use super::{Area, plotters_colour, render_error, text_style};
use crate::colour::{ColourScale, Rgb};
use crate::error::Result;
use crate::figure::{Figure, LegendEntry, SeriesKind};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::collections::HashSet;

/// Margin around the sidebar's content.
const MARGIN: i32 = 12;
/// Colour bar: width, height, number of gradient steps.
const BAR: (i32, i32, usize) = (16, 160, 64);
/// Height reserved for the colour bar's title above it.
const BAR_TITLE: i32 = 24;
/// Vertical gap between the colour bar and the legend.
const GAP: i32 = 28;
/// Legend: inner padding, row height, sample length, gap sample → text.
const LEGEND: (i32, i32, i32, i32) = (8, 20, 26, 8);
/// Font sizes in pixels of the colour bar's title and of labels.
const FONT_SIZES: (f64, f64) = (super::FONT_SIZES.axis, super::FONT_SIZES.tick);

/// The legend of `figure`: its explicit entries, or else one entry per distinct series
/// label (first occurrence wins).
pub(super) fn legend_entries(figure: &Figure) -> Vec<LegendEntry> {
    if !figure.legend.is_empty() {
        return figure.legend.clone();
    }
    let mut seen = HashSet::new();
    figure
        .panels
        .iter()
        .flat_map(|panel| &panel.series)
        .filter_map(|series| {
            let label = series.label.as_ref()?;
            seen.insert(label.clone())
                .then(|| LegendEntry::new(label.clone(), series.colour, series.kind))
        })
        .collect()
}

/// A crude width estimate for text without font metrics (≈ 0.6 em per character).
fn text_width(text: &str, size: f64) -> i32 {
    (text.chars().count() as f64 * 0.6 * size).ceil() as i32
}

struct ColourBar {
    label: String,
    low: String,
    high: String,
    colours: Vec<Rgb>,
}

/// What the sidebar shows, resolved and measured.
pub(super) struct Sidebar {
    bar: Option<ColourBar>,
    legend: Vec<(String, SeriesKind, Rgb)>,
}

impl Sidebar {
    /// Resolves the colours (errors for scale colours without a scale).
    pub fn new(scale: Option<&ColourScale>, legend: &[LegendEntry]) -> Result<Self> {
        let bar = scale.map(|scale| {
            let (low, high) = scale.end_labels();
            // Gradient from the top (max) down; each step at its midpoint.
            let colours = (0..BAR.2)
                .map(|k| scale.map.at(1.0 - (k as f64 + 0.5) / BAR.2 as f64))
                .collect();
            ColourBar {
                label: scale.label.clone(),
                low,
                high,
                colours,
            }
        });
        let legend = legend
            .iter()
            .map(|entry| {
                Ok((
                    entry.label.clone(),
                    entry.kind,
                    entry.colour.resolve(scale)?,
                ))
            })
            .collect::<Result<_>>()?;
        Ok(Sidebar { bar, legend })
    }

    fn legend_size(&self) -> (i32, i32) {
        if self.legend.is_empty() {
            return (0, 0);
        }
        let (pad, row, sample, gap) = LEGEND;
        let text = self
            .legend
            .iter()
            .map(|(label, _, _)| text_width(label, FONT_SIZES.1))
            .max()
            .unwrap_or(0);
        (
            2 * pad + sample + gap + text,
            2 * pad + row * self.legend.len() as i32,
        )
    }

    fn bar_size(&self) -> (i32, i32) {
        let Some(bar) = &self.bar else { return (0, 0) };
        let ticks = text_width(&bar.low, FONT_SIZES.1).max(text_width(&bar.high, FONT_SIZES.1));
        let width = (BAR.0 + 6 + ticks).max(text_width(&bar.label, FONT_SIZES.0));
        (width, BAR_TITLE + BAR.1 + FONT_SIZES.1 as i32 / 2)
    }

    /// The sidebar's width in pixels (0 if it is empty).
    pub fn width(&self) -> u32 {
        let content = self.bar_size().0.max(self.legend_size().0);
        if content == 0 {
            0
        } else {
            (content + 2 * MARGIN) as u32
        }
    }

    /// The height the sidebar needs in pixels.
    pub fn height(&self) -> u32 {
        let (bar, legend) = (self.bar_size().1, self.legend_size().1);
        let gap = if bar > 0 && legend > 0 { GAP } else { 0 };
        (bar + gap + legend + 2 * MARGIN) as u32
    }

    /// Draws the sidebar with its top-left corner at `origin` (backend pixels).
    pub fn draw(&self, root: &Area, origin: (i32, i32)) -> Result<()> {
        let (x, mut y) = (origin.0 + MARGIN, origin.1 + MARGIN);
        if let Some(bar) = &self.bar {
            self.draw_bar(root, bar, (x, y))?;
            y += self.bar_size().1 + GAP;
        }
        if !self.legend.is_empty() {
            self.draw_legend(root, (x, y))?;
        }
        Ok(())
    }

    fn draw_bar(&self, root: &Area, bar: &ColourBar, (x, y): (i32, i32)) -> Result<()> {
        let title = text_style(FONT_SIZES.0, HPos::Left, VPos::Top);
        root.draw(&Text::new(bar.label.as_str(), (x, y), title))
            .map_err(render_error)?;
        let top = y + BAR_TITLE;
        let (width, height, steps) = BAR;
        for (k, colour) in bar.colours.iter().enumerate() {
            let y0 = top + (k as i32 * height) / steps as i32;
            let y1 = top + ((k as i32 + 1) * height) / steps as i32;
            let fill = plotters_colour(*colour).filled();
            root.draw(&Rectangle::new([(x, y0), (x + width, y1)], fill))
                .map_err(render_error)?;
        }
        let frame = BLACK.mix(0.6).stroke_width(1);
        root.draw(&Rectangle::new(
            [(x, top), (x + width, top + height)],
            frame,
        ))
        .map_err(render_error)?;
        let tick = text_style(FONT_SIZES.1, HPos::Left, VPos::Center);
        for (label, ty) in [(&bar.high, top), (&bar.low, top + height)] {
            root.draw(&PathElement::new(
                vec![(x + width, ty), (x + width + 4, ty)],
                frame,
            ))
            .map_err(render_error)?;
            root.draw(&Text::new(
                label.as_str(),
                (x + width + 6, ty),
                tick.clone(),
            ))
            .map_err(render_error)?;
        }
        Ok(())
    }

    fn draw_legend(&self, root: &Area, (x, y): (i32, i32)) -> Result<()> {
        let (pad, row, sample, gap) = LEGEND;
        let (width, height) = self.legend_size();
        root.draw(&Rectangle::new(
            [(x, y), (x + width, y + height)],
            BLACK.mix(0.3).stroke_width(1),
        ))
        .map_err(render_error)?;
        let style = text_style(FONT_SIZES.1, HPos::Left, VPos::Center);
        for (i, (label, kind, colour)) in self.legend.iter().enumerate() {
            let centre_y = y + pad + row * i as i32 + row / 2;
            draw_sample(
                root,
                (x + pad, centre_y),
                sample,
                *kind,
                plotters_colour(*colour),
            )?;
            root.draw(&Text::new(
                label.as_str(),
                (x + pad + sample + gap, centre_y),
                style.clone(),
            ))
            .map_err(render_error)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::Colour;
    use crate::figure::{Axis, Marker, Panel, Point, Series};

    #[test]
    fn the_automatic_legend_has_one_entry_per_label() {
        let panel = Panel::new("", Axis::linear("x"), Axis::linear("y"))
            .with_series(
                Series::line(Colour::Palette(0), vec![Point::new(0.0, 0.0)]).with_label("theory"),
            )
            .with_series(Series::line(Colour::Palette(1), vec![]))
            .with_series(
                Series::markers(Colour::Palette(2), Marker::Circle, vec![])
                    .with_label("simulation"),
            );
        let figure = Figure::new("", vec![panel.clone(), panel]);
        let labels: Vec<String> = legend_entries(&figure)
            .into_iter()
            .map(|e| e.label)
            .collect();
        assert_eq!(labels, ["theory", "simulation"]);
    }
}
