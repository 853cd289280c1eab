//! Rendering tests: the SVG must contain every series that has drawable points.

use dsrf_report::{
    Axis, Colour, ColourScale, Figure, LegendEntry, Marker, Panel, Point, ReportError, Series,
    SeriesKind, render_svg,
};

fn count(svg: &str, needle: &str) -> usize {
    svg.matches(needle).count()
}

/// The same figure without any series: what the frame, grid and labels alone produce.
fn without_series(figure: &Figure) -> Figure {
    let mut empty = figure.clone();
    for panel in &mut empty.panels {
        panel.series.clear();
    }
    empty
}

fn curve(lambda: f64) -> Vec<Point> {
    (0..=40)
        .map(|i| {
            let alpha = 10f64.powf(-1.0 + 2.0 * f64::from(i) / 40.0);
            Point::new(alpha, lambda + 1.0 / (1.0 + alpha))
        })
        .collect()
}

fn two_panel_figure() -> Figure {
    let theory = Series::line(Colour::Scale(1e-2), curve(1e-2));
    let reference = Series::dashed(Colour::Rgb(0, 0, 0), curve(0.0));
    let simulation = Series::markers(
        Colour::Scale(1e-2),
        Marker::Circle,
        [0.2, 0.5, 1.0, 2.0, 5.0]
            .iter()
            .map(|&a| Point::with_err(a, 1e-2 + 1.0 / (1.0 + a), 0.02))
            .collect(),
    );
    let left = Panel::new("learning curve", Axis::log("α = n/d"), Axis::linear("ε_g"))
        .with_series(theory)
        .with_series(reference)
        .with_series(simulation);
    let right = Panel::new("γ = 0.5", Axis::linear("λ"), Axis::log("ε_g"))
        .with_series(Series::line(
            Colour::Palette(1),
            (1..=20)
                .map(|i| Point::new(f64::from(i) / 20.0, 1.0 / f64::from(i)))
                .collect(),
        ))
        .with_series(Series::markers(
            Colour::Palette(2),
            Marker::Triangle,
            (1..=4)
                .map(|i| Point::with_err(f64::from(i) / 5.0, 0.2, 0.1))
                .collect(),
        ));
    let mut figure = Figure::new("Ridge on deep random features", vec![left, right]);
    figure.colour =
        Some(ColourScale::viridis("λ", 1e-4, 1.0, true).with_tick_labels("λ = 1e-4", "λ = 1"));
    figure.legend = vec![
        LegendEntry::new("theory", Colour::Rgb(60, 60, 60), SeriesKind::Line),
        LegendEntry::new("λ → 0", Colour::Rgb(0, 0, 0), SeriesKind::DashedLine),
        LegendEntry::new(
            "simulation",
            Colour::Rgb(60, 60, 60),
            SeriesKind::Markers {
                shape: Marker::Square,
                size: 4,
            },
        ),
    ];
    figure
}

/// A minimal well-formedness check: tags balance and the document is one `<svg>`.
fn assert_well_formed(svg: &str) {
    assert!(svg.starts_with("<svg "), "{}", &svg[..40.min(svg.len())]);
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains(r#"xmlns="http://www.w3.org/2000/svg""#));
    let mut stack = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>').expect("unclosed tag");
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "`<` inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name.to_owned()), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap().to_owned());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert!(
        !svg.contains("NaN") && !svg.contains("inf\""),
        "non-finite coordinate"
    );
}

/// The value of attribute `name` in the element text `element`.
fn attribute<'a>(element: &'a str, name: &str) -> &'a str {
    let key = format!(" {name}=\"");
    let start = element
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {element}"))
        + key.len();
    &element[start..start + element[start..].find('"').unwrap()]
}

/// A `<polyline>`: its stroke colour (upper-case hex), stroke width and points.
type Polyline = (String, String, Vec<(f64, f64)>);

/// Every `<polyline>` of the document.
fn polylines(svg: &str) -> Vec<Polyline> {
    svg.split("<polyline")
        .skip(1)
        .map(|rest| {
            let element = &rest[..rest.find("/>").unwrap()];
            let points = attribute(element, "points")
                .split_whitespace()
                .map(|pair| {
                    let (x, y) = pair.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect();
            (
                attribute(element, "stroke").to_owned(),
                attribute(element, "stroke-width").to_owned(),
                points,
            )
        })
        .collect()
}

fn polyline_points(svg: &str) -> Vec<(f64, f64)> {
    polylines(svg)
        .into_iter()
        .flat_map(|(_, _, points)| points)
        .collect()
}

/// The number of line-width polylines (series lines, not error bars) in `colour`.
fn lines_in(svg: &str, colour: &str) -> usize {
    polylines(svg)
        .iter()
        .filter(|(stroke, width, _)| stroke.eq_ignore_ascii_case(colour) && width == "2")
        .count()
}

#[test]
fn two_panel_figure_is_complete() {
    let figure = two_panel_figure();
    let svg = render_svg(&figure).unwrap();
    let base = render_svg(&without_series(&figure)).unwrap();
    assert_well_formed(&svg);
    assert_well_formed(&base);
    for text in [
        "Ridge on deep random features",
        "learning curve",
        "γ = 0.5",
        "α = n/d",
        "ε_g",
        "λ = 1e-4",
        "λ = 1",
        "theory",
        "λ → 0",
        "simulation",
        "10⁻¹",
        "10¹",
        "0.4",
    ] {
        assert!(
            svg.contains(&format!("\n{text}\n")),
            "missing text {text:?}"
        );
    }
    // Markers: 5 circles (left) and 4 triangles (right), nothing else of those shapes.
    assert_eq!(count(&svg, "<circle") - count(&base, "<circle"), 5);
    assert_eq!(count(&svg, "<polygon") - count(&base, "<polygon"), 4);
    // Polylines: each solid line is one, the dashed line several, error bars one each.
    let teal = dsrf_report::ColourScale::viridis("λ", 1e-4, 1.0, true)
        .colour(1e-2)
        .unwrap();
    assert_eq!(
        lines_in(&svg, &teal.hex()) - lines_in(&base, &teal.hex()),
        1
    );
    assert_eq!(lines_in(&svg, "#FF7F0E") - lines_in(&base, "#FF7F0E"), 1);
    assert!(
        lines_in(&svg, "#000000") - lines_in(&base, "#000000") >= 5,
        "dashes"
    );
    let bars = |colour: &str| {
        polylines(&svg)
            .iter()
            .filter(|(stroke, width, _)| stroke.eq_ignore_ascii_case(colour) && width == "1")
            .count()
    };
    assert_eq!((bars(&teal.hex()), bars("#2CA02C")), (5, 4));
    // The colour bar is a gradient of many rectangles, the legend has its own samples.
    assert!(count(&base, "<rect") > 60);
    assert_eq!(count(&base, "\ntheory\n"), 1);
}

/// Every series adds its own elements and the figure is the sum of its series: a
/// series that was silently dropped (or drawn twice) breaks the sum. The axes have
/// fixed ranges so that the frame and grid do not depend on the data.
#[test]
fn every_series_leaves_a_trace() {
    let mut figure = two_panel_figure();
    figure.panels[0].x.range = Some((0.1, 10.0));
    figure.panels[0].y.range = Some((0.0, 1.0));
    figure.panels[1].x.range = Some((0.0, 1.0));
    figure.panels[1].y.range = Some((0.01, 1.0));
    figure.panels[1].series.push(Series::markers(
        Colour::Palette(3),
        Marker::Cross,
        vec![Point::new(0.5, 0.5), Point::new(0.7, 0.3)],
    ));
    figure.panels[1].series.push(Series::markers(
        Colour::Palette(4),
        Marker::Square,
        vec![Point::new(0.5, 0.7)],
    ));
    figure.panels[1].series.push(Series::band(
        Colour::Palette(5),
        vec![
            Point::with_err(0.2, 0.5, 0.1),
            Point::with_err(0.8, 0.4, 0.1),
        ],
    ));
    let tags = ["<polyline", "<circle", "<polygon", "<rect", "<line"];
    let counts = |figure: &Figure| {
        let svg = render_svg(figure).unwrap();
        tags.map(|tag| count(&svg, tag))
    };
    let base = counts(&without_series(&figure));
    let mut expected = base;
    for p in 0..figure.panels.len() {
        for series in &figure.panels[p].series {
            let mut alone = without_series(&figure);
            alone.panels[p].series.push(series.clone());
            let added: Vec<usize> = counts(&alone)
                .iter()
                .zip(&base)
                .map(|(a, b)| a - b)
                .collect();
            let (index, per_point) = match series.kind {
                SeriesKind::Line | SeriesKind::DashedLine => (0, 0),
                SeriesKind::Band => (2, 0),
                SeriesKind::Markers { shape, .. } => match shape {
                    Marker::Circle => (1, 1),
                    Marker::Triangle => (2, 1),
                    Marker::Square => (3, 1),
                    Marker::Cross => (4, 2),
                },
            };
            if per_point > 0 {
                assert_eq!(added[index], per_point * series.points.len(), "{series:?}");
            } else {
                assert!(added[index] >= 1, "{series:?}");
            }
            for (e, a) in expected.iter_mut().zip(added) {
                *e += a;
            }
        }
    }
    assert_eq!(counts(&figure), expected);
}

/// The vertices of every `<polygon>` of `svg`.
fn polygons(svg: &str) -> Vec<Vec<(f64, f64)>> {
    svg.split("<polygon")
        .skip(1)
        .map(|element| {
            attribute(element, "points")
                .split_whitespace()
                .map(|pair| {
                    let (x, y) = pair.split_once(',').expect("x,y");
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_band_is_one_polygon_per_run_inside_the_panel() {
    // A gap (no usable half-width) splits the band; a lower end ≤ 0 on the log axis
    // and an upper end above the explicit range are clamped to the panel's edges.
    let points = vec![
        Point::with_err(1.0, 0.5, 0.1),
        Point::with_err(2.0, 0.4, 0.6),
        Point::new(3.0, 0.3),
        Point::with_err(4.0, 0.2, 0.05),
        Point::with_err(5.0, 0.9, 0.5),
    ];
    let mut panel = Panel::new("", Axis::linear("n"), Axis::log("ε_g"))
        .with_series(Series::band(Colour::Palette(0), points));
    panel.y.range = Some((0.05, 1.0));
    let figure = Figure::new("", vec![panel]);
    let svg = render_svg(&figure).unwrap();
    assert_well_formed(&svg);
    let base = count(&render_svg(&without_series(&figure)).unwrap(), "<polygon");
    let all = polygons(&svg);
    let bands = &all[all.len() - 2..];
    assert_eq!(count(&svg, "<polygon") - base, 2);
    assert_eq!(bands[0].len(), 4);
    assert_eq!(bands[1].len(), 4);
    let (width, height) = (
        f64::from(Figure::DEFAULT_PANEL_WIDTH),
        f64::from(Figure::DEFAULT_PANEL_HEIGHT),
    );
    for &(x, y) in bands.iter().flatten() {
        assert!(
            (0.0..=width).contains(&x) && (0.0..=height).contains(&y),
            "({x}, {y})"
        );
    }
    // The second point's lower end (0.4 − 0.6 < 0) sits on the same pixel row as
    // the bottom of the first run's other clamped ends: the lowest row of the band.
    let lowest = bands[0].iter().map(|p| p.1).fold(f64::MIN, f64::max);
    assert_eq!(bands[0][2].1, lowest);
}

#[test]
fn one_solid_line_is_one_polyline() {
    let panel = Panel::new("", Axis::linear("x"), Axis::linear("y")).with_series(Series::line(
        Colour::Palette(0),
        vec![Point::new(0.0, 0.0), Point::new(1.0, 1.0)],
    ));
    let figure = Figure::new("", vec![panel]);
    let svg = render_svg(&figure).unwrap();
    assert_eq!(lines_in(&svg, "#1F77B4"), 1);
    assert_well_formed(&svg);
}

#[test]
fn undrawable_points_are_skipped_without_panic() {
    let bad = [
        Point::new(1.0, 1.0),
        Point::new(f64::NAN, 1.0),
        Point::new(1.0, f64::INFINITY),
        Point::new(f64::NEG_INFINITY, 2.0),
        Point::new(-1.0, 1.0),
        Point::new(2.0, 0.0),
        Point::new(2.0, -3.0),
        Point {
            x: 3.0,
            y: 0.5,
            err: Some(f64::NAN),
        },
        Point::with_err(4.0, 0.5, -1.0),
        Point::with_err(5.0, 0.5, 2.0), // lower end < 0: clipped at the bottom
        Point::new(6.0, 2.0),
    ];
    let all_bad = vec![Point::new(f64::NAN, f64::NAN), Point::new(-1.0, 0.0)];
    let panel = Panel::new("log–log", Axis::log("α"), Axis::log("ε_g"))
        .with_series(Series::line(Colour::Palette(0), bad.to_vec()))
        .with_series(Series::dashed(Colour::Palette(1), bad.to_vec()))
        .with_series(Series::markers(
            Colour::Palette(2),
            Marker::Circle,
            bad.to_vec(),
        ))
        .with_series(Series::line(Colour::Palette(3), all_bad.clone()))
        .with_series(Series::markers(
            Colour::Palette(4),
            Marker::Triangle,
            all_bad,
        ));
    let figure = Figure::new("", vec![panel]);
    let svg = render_svg(&figure).unwrap();
    let base = render_svg(&without_series(&figure)).unwrap();
    assert_well_formed(&svg);
    // Drawable: (1, 1), (3, 0.5), (4, 0.5), (5, 0.5) with a bar, (6, 2).
    assert_eq!(count(&svg, "<circle") - count(&base, "<circle"), 5);
    assert_eq!(count(&svg, "<polygon"), count(&base, "<polygon"));
    let height = f64::from(Figure::DEFAULT_PANEL_HEIGHT);
    assert!(
        polyline_points(&svg)
            .iter()
            .all(|&(_, y)| (0.0..=height).contains(&y))
    );

    // Nothing drawable at all is still a valid (empty) panel.
    let empty = Panel::new("", Axis::log("x"), Axis::linear("y")).with_series(Series::line(
        Colour::Palette(0),
        vec![Point::new(0.0, f64::NAN), Point::new(-1.0, 1.0)],
    ));
    assert_well_formed(&render_svg(&Figure::new("empty", vec![empty])).unwrap());
}

#[test]
fn explicit_ranges_clip_lines_and_drop_markers() {
    let steep: Vec<Point> = (0..=10)
        .map(|i| Point::new(f64::from(i) / 10.0, f64::from(i * i)))
        .collect();
    let panel = Panel::new(
        "",
        Axis::linear("x").with_range(0.0, 1.0),
        Axis::linear("y").with_range(0.0, 10.0),
    )
    .with_series(Series::line(Colour::Palette(0), steep.clone()))
    .with_series(Series::markers(Colour::Palette(1), Marker::Circle, steep));
    let figure = Figure::new("", vec![panel]);
    let svg = render_svg(&figure).unwrap();
    let base = render_svg(&without_series(&figure)).unwrap();
    // y = 100 x² ≤ 10 for x ∈ {0, 0.1, 0.2, 0.3}.
    assert_eq!(count(&svg, "<circle") - count(&base, "<circle"), 4);
    let height = f64::from(Figure::DEFAULT_PANEL_HEIGHT);
    let width = f64::from(Figure::DEFAULT_PANEL_WIDTH);
    for (x, y) in polyline_points(&svg) {
        assert!(
            (0.0..=width).contains(&x) && (0.0..=height).contains(&y),
            "({x}, {y})"
        );
    }
}

#[test]
fn facets_wrap_into_rows() {
    let panel = Panel::new("", Axis::linear("x"), Axis::linear("y")).with_series(Series::line(
        Colour::Palette(0),
        vec![Point::new(0.0, 0.0), Point::new(1.0, 1.0)],
    ));
    let mut figure = Figure::new("", vec![panel; 5]);
    figure.columns = 2;
    figure.panel_width = 300;
    figure.panel_height = 200;
    let svg = render_svg(&figure).unwrap();
    assert!(
        svg.starts_with(r#"<svg width="600" height="600""#),
        "{}",
        &svg[..60]
    );
    assert_eq!(lines_in(&svg, "#1F77B4"), 5);
}

#[test]
fn automatic_legend_from_series_labels() {
    let panel = Panel::new("", Axis::linear("x"), Axis::linear("y"))
        .with_series(
            Series::line(
                Colour::Palette(0),
                vec![Point::new(0.0, 0.0), Point::new(1.0, 1.0)],
            )
            .with_label("deterministic equivalent"),
        )
        .with_series(Series::markers(
            Colour::Palette(1),
            Marker::Square,
            vec![Point::new(0.5, 0.5)],
        ));
    let svg = render_svg(&Figure::new("", vec![panel])).unwrap();
    assert!(svg.contains("\ndeterministic equivalent\n"));
}

#[test]
fn configuration_errors_are_reported() {
    let panel = Panel::new("", Axis::linear("x"), Axis::linear("y")).with_series(Series::line(
        Colour::Scale(0.5),
        vec![Point::new(0.0, 0.0), Point::new(1.0, 1.0)],
    ));
    let invalid =
        |figure: &Figure| matches!(render_svg(figure), Err(ReportError::InvalidFigure(_)));

    assert!(
        invalid(&Figure::new("", vec![panel.clone()])),
        "scale colour without a scale"
    );
    let mut figure = Figure::new("", vec![panel.clone()]);
    figure.colour = Some(ColourScale::viridis("λ", 0.0, 1.0, true));
    assert!(invalid(&figure), "log scale starting at 0");
    figure.colour = Some(ColourScale::viridis("λ", 0.0, 1.0, false));
    assert!(render_svg(&figure).is_ok());
    figure.columns = 0;
    assert!(invalid(&figure), "no columns");
    assert!(invalid(&Figure::new("", vec![])), "no panels");
    let mut small = Figure::new(
        "",
        vec![Panel::new("", Axis::linear("x"), Axis::linear("y"))],
    );
    small.panel_width = 10;
    assert!(invalid(&small), "tiny panel");
    let bad_range = Panel::new("", Axis::log("x").with_range(-1.0, 1.0), Axis::linear("y"));
    assert!(
        invalid(&Figure::new("", vec![bad_range])),
        "negative log range"
    );
}
