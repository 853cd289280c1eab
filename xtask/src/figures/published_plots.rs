//! The authors' code figures `real_*` and `art_*` (SPEC §6.3, §6.4) as data: their
//! published SVG files read back by `plot_svg` and kept in the project as CSV
//! (`xtask/published/<name>.csv`), so that our learned-feature figures are compared
//! with the published curves point by point, in every clone, without the paper
//! folder.
//!
//! Provenance: the files come from the authors' repository
//! `wirhabenzeit/feature-ridge-regression` (commit 8647374, `figures/`), as collected
//! in the paper folder (`$DSRF_PAPER/figures/published_svg/`, default
//! `../shared/paper`). `cargo xtask published` regenerates the CSVs from there, and a
//! test checks that the committed CSVs are exactly what the reader extracts today.
//!
//! What the marks mean (SPEC §6.3): lines are the authors' theory (Theorem 3.1 from
//! the empirical feature covariances), dots their empirical ridge errors, rules the
//! network's test MSE; in the `_emp` figures colour is λ_c (a log scale over
//! [0.1, 100] whose four values are viridis at 0, ⅓, ⅔, 1), in the `_det` figures each
//! facet is a λ_c and its curves are the training snapshots from the last to the
//! initial network (document order; a test checks it: the first curve is the `_emp`
//! figure's last facet, the last curve its epoch-0 facet).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail, ensure};

use super::plot_svg::{self, AxisSpec, MarkKind, Scale};

/// How one published figure is read.
#[derive(Debug, Clone, Copy)]
pub struct SvgFigure {
    /// The file stem (`real_emp` for `real_emp.svg`).
    pub name: &'static str,
    /// The x axis (number of samples n).
    pub x: AxisSpec,
    /// The y axis (test error).
    pub y: AxisSpec,
    /// How a stroke colour maps to λ_c, if it does.
    pub colours: Option<&'static [(&'static str, f64)]>,
}

/// The colour our figures draw the published curves in (beneath ours).
pub const PUBLISHED_GREY: dsrf_report::Colour = dsrf_report::Colour::Rgb(185, 185, 185);

/// A published curve as a light-grey line (drawn beneath ours).
pub fn grey_line(curve: Vec<(f64, f64)>) -> dsrf_report::Series {
    dsrf_report::Series::line(
        PUBLISHED_GREY,
        curve
            .into_iter()
            .map(|(n, e)| dsrf_report::Point::new(n, e))
            .collect(),
    )
}

/// The discrete λ_c legend of the `_emp` figures: viridis at 0, ⅓, ⅔, 1 of the log
/// range [0.1, 100].
const LAMBDA_COLOURS: [(&str, f64); 4] = [
    ("#440154", 0.1),
    ("#31688e", 1.0),
    ("#35b779", 10.0),
    ("#fde725", 100.0),
];

const fn log_over(low: f64, high: f64) -> AxisSpec {
    AxisSpec {
        scale: Scale::Log,
        domain: Some((low, high)),
    }
}

/// The figures we compare with, and how their axes are read: the domains are the
/// theory grids of SPEC §6.3/§6.4 (checked against the labelled ticks).
pub const SVG_FIGURES: [SvgFigure; 6] = [
    SvgFigure {
        name: "real_emp",
        x: log_over(10.0, 10_000.0),
        y: AxisSpec::LOG,
        colours: Some(&LAMBDA_COLOURS),
    },
    SvgFigure {
        name: "real_opt_emp",
        x: log_over(30.0, 5000.0),
        y: AxisSpec::LOG,
        colours: None,
    },
    SvgFigure {
        name: "real_det",
        x: log_over(10.0, 10_000.0),
        y: AxisSpec::LINEAR,
        colours: None,
    },
    SvgFigure {
        name: "art_emp",
        x: log_over(50.0, 10_000.0),
        y: AxisSpec::LOG,
        colours: Some(&LAMBDA_COLOURS),
    },
    SvgFigure {
        name: "art_opt_emp",
        x: log_over(30.0, 5000.0),
        y: AxisSpec::LOG,
        colours: None,
    },
    SvgFigure {
        name: "art_det",
        x: log_over(10.0, 10_000.0),
        y: AxisSpec::LOG,
        colours: None,
    },
];

/// One published point.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedMark {
    /// Facet index (left to right).
    pub facet: usize,
    /// Line point, dot or rule.
    pub mark: MarkKind,
    /// Drawn dashed.
    pub dashed: bool,
    /// Stroke colour (`#rrggbb` or a name).
    pub colour: String,
    /// The curve's index within its mark group and facet.
    pub curve: usize,
    /// λ_c decoded from the colour, where the figure's colour is λ_c.
    pub lambda_code: Option<f64>,
    /// n (NaN for a rule).
    pub n: f64,
    /// The test error.
    pub error: f64,
}

/// A published figure's facets and points.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedPlot {
    /// Facet labels by index (epochs, λ_c, "Linear Regression"; empty when unlabelled).
    pub facets: Vec<String>,
    /// Every point.
    pub marks: Vec<PublishedMark>,
}

impl PublishedPlot {
    /// The points of one curve (facet, kind, dashed, λ_c or curve index), by n.
    pub fn curve(&self, facet: usize, select: impl Fn(&PublishedMark) -> bool) -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = self
            .marks
            .iter()
            .filter(|m| m.facet == facet && select(m))
            .map(|m| (m.n, m.error))
            .collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }

    /// Solid line `curve` of facet `facet`, by n.
    pub fn solid_line(&self, facet: usize, curve: usize) -> Vec<(f64, f64)> {
        self.curve(facet, |m| {
            m.mark == MarkKind::Line && !m.dashed && m.curve == curve
        })
    }

    /// The facet labelled with the number `value` (the λ_c facets of the `_det`
    /// figures).
    pub fn facet_labelled(&self, value: f64) -> Option<usize> {
        self.facets
            .iter()
            .position(|f| f.parse::<f64>() == Ok(value))
    }

    /// The (initial, last) snapshot curves of a `_det` facet: its curves run from the
    /// last snapshot (curve 0) to the initial network.
    pub fn snapshot_ends(&self, facet: usize) -> [Vec<(f64, f64)>; 2] {
        let newest = self.curves(facet, MarkKind::Line, false);
        [
            self.solid_line(facet, newest.saturating_sub(1)),
            self.solid_line(facet, 0),
        ]
    }

    /// The number of curves of a kind in a facet.
    pub fn curves(&self, facet: usize, mark: MarkKind, dashed: bool) -> usize {
        self.marks
            .iter()
            .filter(|m| m.facet == facet && m.mark == mark && m.dashed == dashed)
            .map(|m| m.curve + 1)
            .max()
            .unwrap_or(0)
    }
}

/// The figure table entry of `name`.
pub fn figure(name: &str) -> Result<&'static SvgFigure> {
    SVG_FIGURES
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| anyhow!("no published figure `{name}`"))
}

/// Where the committed CSVs live.
pub fn csv_dir() -> PathBuf {
    crate::workspace_root().join("xtask").join("published")
}

/// The authors' SVG of `name` in the paper folder.
pub fn svg_path(name: &str) -> PathBuf {
    super::published::paper_dir()
        .join("figures")
        .join("published_svg")
        .join(format!("{name}.svg"))
}

const HEADER: &str = "facet,facet_label,mark,dashed,colour,curve,lambda_code,n,error";

/// Six significant digits (the paths carry three decimals of a pixel, ≈ 10⁻⁵ of the
/// axis), written in the shortest form that reads back the same.
fn short(v: f64) -> String {
    if v.is_nan() {
        return String::new();
    }
    let rounded: f64 = format!("{v:.5e}")
        .parse()
        .expect("a formatted float parses");
    format!("{rounded}")
}

/// Reads the SVG text of figure `fig` and renders the CSV (with its provenance header).
pub fn extract(fig: &SvgFigure, svg: &str) -> Result<String> {
    let plots = plot_svg::read(svg, fig.x, fig.y)?;
    ensure!(
        plots.len() == 1,
        "{} plots in {}.svg, expected one",
        plots.len(),
        fig.name
    );
    let plot = &plots[0];
    let mut out = format!(
        "# {name}.svg of the authors' repository wirhabenzeit/feature-ridge-regression \
         (commit 8647374, figures/), read back by `cargo xtask published` (xtask/src/figures/plot_svg.rs):\n\
         # Observable Plot marks mapped to data through the labelled ticks (x: {xs:?}{xd}, y: {ys:?}{yd}).\n\
         # mark: line = the authors' theory, dot = their empirical ridge, rule = the network's test MSE \
         (SPEC §6.3/§6.4); lambda_code decoded from the colour where colour is λ_c; \
         curve = order within its facet (in the _det figures the snapshots from the last to the initial network).\n{HEADER}\n",
        name = fig.name,
        xs = fig.x.scale,
        xd = fig.x.domain.map_or(String::new(), |d| format!(
            ", frame spans n = {}..{}",
            d.0, d.1
        )),
        ys = fig.y.scale,
        yd = fig
            .y
            .domain
            .map_or(String::new(), |d| format!(", frame spans {}..{}", d.0, d.1)),
    );
    for m in &plot.marks {
        // Rules (the network's loss) are grey; every line and dot carries a λ_c.
        let lambda = match fig.colours {
            Some(table) if m.kind != MarkKind::Rule => Some(
                table
                    .iter()
                    .find(|(c, _)| *c == m.colour)
                    .map(|(_, l)| *l)
                    .ok_or_else(|| {
                        anyhow!("{}: colour {} is not in the λ_c legend", fig.name, m.colour)
                    })?,
            ),
            _ => None,
        };
        let label = &plot.facets[m.facet];
        ensure!(
            !label.contains(','),
            "facet label {label:?} contains a comma"
        );
        for &(n, error) in &m.points {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{}",
                m.facet,
                label,
                m.kind.name(),
                u8::from(m.dashed),
                m.colour,
                m.curve,
                lambda.map_or(String::new(), short),
                short(n),
                short(error)
            )?;
        }
    }
    Ok(out)
}

/// Parses a CSV written by [`extract`].
pub fn parse(text: &str) -> Result<PublishedPlot> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    match lines.next() {
        Some((_, h)) if h == HEADER => {}
        other => bail!("expected the header `{HEADER}`, found {other:?}"),
    }
    let mut facets: Vec<String> = Vec::new();
    let mut marks = Vec::new();
    for (number, line) in lines {
        let at = || format!("line {}", number + 1);
        let cells: Vec<&str> = line.split(',').collect();
        ensure!(
            cells.len() == 9,
            "{}: {} fields, expected 9",
            at(),
            cells.len()
        );
        let num = |i: usize| -> Result<f64> {
            if cells[i].is_empty() {
                return Ok(f64::NAN);
            }
            cells[i]
                .parse()
                .with_context(|| format!("{}: `{}` is not a number", at(), cells[i]))
        };
        let facet: usize = cells[0].parse().with_context(at)?;
        if facets.len() <= facet {
            facets.resize(facet + 1, String::new());
        }
        facets[facet] = cells[1].to_string();
        let mark = match cells[2] {
            "line" => MarkKind::Line,
            "dot" => MarkKind::Dot,
            "rule" => MarkKind::Rule,
            other => bail!("{}: unknown mark {other:?}", at()),
        };
        let lambda = num(6)?;
        marks.push(PublishedMark {
            facet,
            mark,
            dashed: cells[3] == "1",
            colour: cells[4].to_string(),
            curve: cells[5].parse().with_context(at)?,
            lambda_code: (!lambda.is_nan()).then_some(lambda),
            n: num(7)?,
            error: num(8)?,
        });
    }
    Ok(PublishedPlot { facets, marks })
}

/// The committed extraction of figure `name`.
pub fn load(name: &str) -> Result<PublishedPlot> {
    let path = csv_dir().join(format!("{name}.csv"));
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    parse(&text).with_context(|| format!("in {}", path.display()))
}

/// `cargo xtask published`: re-extracts every figure of [`SVG_FIGURES`] from the
/// paper folder into `xtask/published/`.
pub fn main(args: &[String]) -> Result<()> {
    ensure!(
        args.is_empty(),
        "`cargo xtask published` takes no arguments (set DSRF_PAPER for the paper folder)"
    );
    // Every file is read and extracted before anything is written.
    let mut outputs = Vec::new();
    for fig in &SVG_FIGURES {
        let source = svg_path(fig.name);
        let svg = std::fs::read_to_string(&source).with_context(|| {
            format!(
                "cannot read {} (set DSRF_PAPER to the paper folder)",
                source.display()
            )
        })?;
        let csv = extract(fig, &svg).with_context(|| format!("in {}", source.display()))?;
        outputs.push((source, fig.name, csv));
    }
    let dir = csv_dir();
    std::fs::create_dir_all(&dir)?;
    for (source, name, csv) in outputs {
        let target = dir.join(format!("{name}.csv"));
        std::fs::write(&target, &csv)
            .with_context(|| format!("cannot write {}", target.display()))?;
        eprintln!(
            "{} → {} ({} rows)",
            source.display(),
            target.display(),
            csv.lines().count()
        );
    }
    Ok(())
}

/// Our curve at the published abscissae: (published, ours) pairs for every published
/// point inside our n range, ours interpolated linearly in (log n, log ε).
pub fn against(ours: &[(f64, f64)], published: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let logs: Vec<(f64, f64)> = ours
        .iter()
        .filter(|p| p.0 > 0.0 && p.1 > 0.0)
        .map(|p| (p.0.ln(), p.1.ln()))
        .collect();
    let (Some(first), Some(last)) = (logs.first(), logs.last()) else {
        return Vec::new();
    };
    published
        .iter()
        .filter(|p| p.0 > 0.0 && (first.0..=last.0).contains(&p.0.ln()))
        .filter_map(|p| dsrf::compare::interpolate(&logs, p.0.ln()).map(|l| (p.1, l.exp())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn median_deviation(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
        let d = dsrf::compare::Deviations::of(&against(b, a)).expect("overlapping curves");
        d.median
    }

    #[test]
    fn committed_csvs_are_what_the_reader_extracts() {
        let mut compared = 0;
        for fig in &SVG_FIGURES {
            let Ok(svg) = std::fs::read_to_string(svg_path(fig.name)) else {
                eprintln!(
                    "{} not found: set DSRF_PAPER to compare",
                    svg_path(fig.name).display()
                );
                continue;
            };
            let fresh = extract(fig, &svg).unwrap();
            let committed =
                std::fs::read_to_string(csv_dir().join(format!("{}.csv", fig.name))).unwrap();
            assert!(
                fresh == committed,
                "{}: rerun `cargo xtask published`",
                fig.name
            );
            compared += 1;
        }
        eprintln!(
            "{compared} of {} published figures re-extracted",
            SVG_FIGURES.len()
        );
    }

    /// The reader against an independent extraction of the authors' `rf_emp.svg`
    /// (the paper folder's `rf_emp_extracted.csv`, n rounded to integers, ε to 6
    /// digits), where the paper folder is present.
    #[test]
    fn agrees_with_the_independent_rf_emp_extraction() {
        let dir = super::super::published::paper_dir();
        let (Ok(svg), Some(extracted)) = (
            std::fs::read_to_string(svg_path("rf_emp")),
            super::super::published::load("rf_emp_extracted.csv", "n").unwrap(),
        ) else {
            eprintln!("{}: no rf_emp files, not compared", dir.display());
            return;
        };
        let plots = plot_svg::read(&svg, AxisSpec::LINEAR, AxisSpec::LOG).unwrap();
        let lines: Vec<&plot_svg::Mark> = plots[0]
            .marks
            .iter()
            .filter(|m| m.kind == MarkKind::Line)
            .collect();
        let gammas = [0.01, 0.2, 0.5, 0.8];
        assert_eq!(lines.len(), gammas.len());
        let mut matched = 0;
        for (line, gamma) in lines.iter().zip(gammas) {
            let theirs = extracted.curve(gamma, super::super::published::PublishedKind::Theory);
            assert_eq!(theirs.len(), line.points.len(), "γ = {gamma}");
            for (p, q) in theirs.iter().zip(&line.points) {
                assert!((p.x - q.0).abs() < 0.5, "γ = {gamma}: n {} vs {}", p.x, q.0);
                // ε is written there with 6 decimals.
                assert!(
                    (p.eps - q.1).abs() < 1e-6 + 1e-5 * q.1,
                    "γ = {gamma}: ε {} vs {}",
                    p.eps,
                    q.1
                );
                matched += 1;
            }
        }
        assert!(matched > 100);
    }

    #[test]
    fn committed_extractions_hold_together() {
        let emp = load("real_emp").unwrap();
        assert_eq!(emp.facets, ["0", "0.086", "0.712", "7.187", "51.784", ""]);
        for facet in 0..6 {
            assert_eq!(emp.curves(facet, MarkKind::Line, false), 4, "facet {facet}");
        }
        let solid = |p: &PublishedPlot, facet, lambda: f64| {
            p.curve(facet, |m| {
                m.mark == MarkKind::Line && !m.dashed && m.lambda_code == Some(lambda)
            })
        };
        // Raw pixels, λ_c = 0.1: the authors' CSV of another run (SPEC §7.4) has the
        // peak 2.8282 at n = 560 and 0.405 at n = 10⁴.
        let raw = solid(&emp, 5, 0.1);
        let peak = dsrf::compare::highest_peak_in(&raw, 0.0, f64::INFINITY).unwrap();
        assert!((peak.0 / 560.0 - 1.0).abs() < 0.02 && (peak.1 / 2.8282 - 1.0).abs() < 0.01);
        assert!((raw.last().unwrap().1 / 0.405 - 1.0).abs() < 0.01);
        // The _det figures' curves run from the last snapshot to the initial network.
        for (name, det_name) in [("real_emp", "real_det"), ("art_emp", "art_det")] {
            let emp = load(name).unwrap();
            let det = load(det_name).unwrap();
            let last = det.curves(0, MarkKind::Line, false) - 1;
            let det_curve = |c: usize| det.curve(0, |m| m.mark == MarkKind::Line && m.curve == c);
            assert!(median_deviation(&det_curve(last), &solid(&emp, 0, 0.1)) < 1e-4);
            assert!(median_deviation(&det_curve(0), &solid(&emp, 4, 0.1)) < 1e-4);
            assert!(median_deviation(&det_curve(0), &solid(&emp, 0, 0.1)) > 0.1);
        }
    }

    #[test]
    fn parse_refuses_garbage() {
        assert!(parse("a,b\n").is_err());
        let row = |r: &str| format!("{HEADER}\n{r}\n");
        assert!(parse(&row("0,0,line,0,#440154,0,0.1,10,0.8")).is_ok());
        assert!(parse(&row("0,0,curve,0,#440154,0,0.1,10,0.8")).is_err());
        assert!(parse(&row("0,0,line,0,#440154,0,0.1,ten,0.8")).is_err());
        assert!(parse(&row("0,0,line,0,#440154,0,0.1,10")).is_err());
        assert!(figure("real_emp").is_ok() && figure("nope").is_err());
    }
}
