//! The published curves of v1 Figure 1 and of the authors' `rf_emp`, as extracted from
//! the vector graphics (exact to plotting precision, SPEC §6.1), for point-by-point
//! comparison with our ensembles.
//!
//! They are reference material of the paper, not part of this project: they are read
//! at run time from the paper folder, `$DSRF_PAPER` or `../shared/paper` beside the
//! workspace (`data/v1_fig1_rainbow_extracted.csv`, `data/rf_emp_extracted.csv`). A
//! figure without them says so in its summary and is otherwise complete.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use super::curves::SeriesData;
use super::summary::ReadOff;

/// What a published point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishedKind {
    /// A point of the published theory line.
    Theory,
    /// A published simulation marker.
    Simulation,
}

/// One published point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PublishedPoint {
    /// The curve's γ.
    pub gamma: f64,
    /// Line or marker.
    pub kind: PublishedKind,
    /// The abscissa (α or n, as the figure plots it).
    pub x: f64,
    /// The test error.
    pub eps: f64,
    /// The ends of the error bar, where the figure draws one.
    pub bar: Option<(f64, f64)>,
}

/// A published figure's points.
#[derive(Debug, Clone)]
pub struct Published {
    /// Every point, in file order.
    pub points: Vec<PublishedPoint>,
}

/// The landmarks of one published curve (SPEC §6.1's tables of exact values): the
/// first point, the peak if the curve has one, and the last point.
#[derive(Debug, Clone, Copy)]
pub struct Landmarks {
    /// The curve's γ.
    pub gamma: f64,
    /// ε_g at the first abscissa.
    pub start: f64,
    /// (α, ε_g) of the peak, or none for a monotone curve.
    pub peak: Option<(f64, f64)>,
    /// ε_g at the last abscissa.
    pub end: f64,
}

impl Published {
    /// The points of curve γ of one kind, by increasing x.
    pub fn curve(&self, gamma: f64, kind: PublishedKind) -> Vec<PublishedPoint> {
        let mut out: Vec<PublishedPoint> = self
            .points
            .iter()
            .filter(|p| p.kind == kind && (p.gamma - gamma).abs() < 1e-9)
            .copied()
            .collect();
        out.sort_by(|a, b| a.x.total_cmp(&b.x));
        out
    }
}

/// How a figure's landmarks are read on our curves.
pub struct LandmarkReading<'a> {
    /// Which of our curves (`theory` or `theory_mc`).
    pub source: &'a str,
    /// Where the published values come from.
    pub reference: &'a str,
    /// The α of the first and last landmark, and how each is named.
    pub ends: [(f64, &'a str); 2],
    /// Where our peak is looked for (α).
    pub peak_range: (f64, f64),
    /// The peak position is shown as `scale`·α, named `name` (α, or n = αd).
    pub position: (&'a str, f64),
}

/// Our curves against the published landmarks (a curve without a peak, or whose
/// peak we do not find, has only its ends compared).
pub fn landmark_readoffs(
    series: &[SeriesData],
    landmarks: &[Landmarks],
    reading: &LandmarkReading,
) -> Vec<ReadOff> {
    let mut readoffs = Vec::new();
    for l in landmarks {
        let Some(s) = series.iter().find(|s| SeriesData::first_key(s) == l.gamma) else {
            continue;
        };
        let gamma = l.gamma;
        let value = |quantity: String, paper: f64, ours: f64| {
            ReadOff::value(&quantity, paper, ours, reading.source, reading.reference)
        };
        let [(first, first_name), (last, last_name)] = reading.ends;
        let ours_at = |alpha: f64| s.at_alpha(reading.source, alpha);
        readoffs.push(value(
            format!("γ = {gamma}: ε_g at {first_name}"),
            l.start,
            ours_at(first),
        ));
        let (lo, hi) = reading.peak_range;
        if let (Some((at, height)), Some((a, e))) =
            (l.peak, s.peak_in_source(reading.source, lo, hi))
        {
            let (name, scale) = reading.position;
            readoffs.push(value(format!("γ = {gamma}: peak height"), height, e));
            readoffs.push(value(
                format!("γ = {gamma}: peak position {name}"),
                at * scale,
                a * scale,
            ));
        }
        readoffs.push(value(
            format!("γ = {gamma}: ε_g at {last_name}"),
            l.end,
            ours_at(last),
        ));
    }
    readoffs
}

/// The paper folder: `$DSRF_PAPER`, else `../shared/paper` beside the workspace.
pub fn paper_dir() -> PathBuf {
    std::env::var_os("DSRF_PAPER").map_or_else(
        || {
            crate::workspace_root()
                .join("..")
                .join("shared")
                .join("paper")
        },
        PathBuf::from,
    )
}

/// Reads `data/<file>` of the paper folder; `Ok(None)` when it is not there.
pub fn load(file: &str, x_column: &str) -> Result<Option<Published>> {
    let source = paper_dir().join("data").join(file);
    if !source.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&source)
        .with_context(|| format!("cannot read {}", source.display()))?;
    let points = parse(&text, x_column).with_context(|| format!("in {}", source.display()))?;
    Ok(Some(Published { points }))
}

/// Parses an extraction CSV: `#` comment lines, then a header with `gamma`, `kind`
/// (`theory` | `simulation`), the abscissa column, `eps_g` and optionally `err_lo`,
/// `err_hi` (empty for theory points).
pub fn parse(text: &str, x_column: &str) -> Result<Vec<PublishedPoint>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let Some((_, header)) = lines.next() else {
        bail!("no header line");
    };
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let column = |name: &str| names.iter().position(|n| *n == name);
    let need = |name: &str| column(name).with_context(|| format!("no column `{name}`"));
    let (g, k, x, e) = (
        need("gamma")?,
        need("kind")?,
        need(x_column)?,
        need("eps_g")?,
    );
    let bar = column("err_lo").zip(column("err_hi"));
    let mut points = Vec::new();
    for (number, line) in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let at = |i: usize| cells.get(i).copied().unwrap_or("");
        let num = |i: usize| -> Result<f64> {
            at(i)
                .parse()
                .with_context(|| format!("line {}: `{}` is not a number", number + 1, at(i)))
        };
        let kind = match at(k) {
            "theory" => PublishedKind::Theory,
            "simulation" => PublishedKind::Simulation,
            other => bail!("line {}: unknown kind {other:?}", number + 1),
        };
        let bar = match bar {
            Some((lo, hi)) if !at(lo).is_empty() => Some((num(lo)?, num(hi)?)),
            _ => None,
        };
        points.push(PublishedPoint {
            gamma: num(g)?,
            kind,
            x: num(x)?,
            eps: num(e)?,
            bar,
        });
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_layouts_and_refuses_garbage() {
        let fig1 = "# note\ngamma,kind,alpha,eps_g,err_lo,err_hi\n0.0,theory,0.1,0.13,,\n\
                    0.0,simulation,0.1,0.132,0.126,0.137\n";
        let p = parse(fig1, "alpha").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].bar, None);
        assert_eq!(p[1].bar, Some((0.126, 0.137)));
        assert_eq!(p[1].kind, PublishedKind::Simulation);
        let rf = "gamma,kind,n,eps_g\n0.2,theory,50.0,0.16\n0.2,theory,40.0,0.15\n";
        let published = Published {
            points: parse(rf, "n").unwrap(),
        };
        let curve = published.curve(0.2, PublishedKind::Theory);
        assert_eq!(
            curve.iter().map(|p| p.x).collect::<Vec<_>>(),
            vec![40.0, 50.0]
        );
        assert!(parse(rf, "alpha").is_err());
        assert!(parse("gamma,kind,n,eps_g\n0.2,line,1,2\n", "n").is_err());
        assert!(parse("gamma,kind,n,eps_g\n0.2,theory,x,2\n", "n").is_err());
        assert!(parse("# only a comment\n", "n").is_err());
    }
}
