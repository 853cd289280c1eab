//! Precursor Figures 4–5 (SPEC §5.6–5.7): the spectral density of the linearised
//! feature covariance Ω^lin_ℓ of i.i.d. deep random features, from the Stieltjes
//! recursion (`dsrf_rainbow::spectral_density`), against the histogram of the
//! eigenvalues of the covariance estimated from sampled features.
//!
//! Panels: Fig. 4 left, two tanh(2x) layers of widths (6/5, 3/5)·d; Fig. 4 right, two
//! sign layers of widths (7/10, 6/5)·d (a rank-deficient second layer: an atom of mass
//! 1 − 7/12 at κ*²); Fig. 5, five tanh layers of width d, every layer's spectrum
//! (claim: the support widens and small eigenvalues become more frequent with depth).
//! Agreement is the Kolmogorov distance (largest gap between the cumulative
//! distributions) between the theory and the sampled eigenvalues smoothed by the same
//! Lorentzian width η; the L¹ distance of the densities is reported beside it.

use anyhow::{Result, anyhow};
use dsrf::budget::Budget;
use dsrf::presets::precursor_model;
use dsrf::rainbow::{Activation, iid_spectral_layers, spectral_density};
use dsrf::spectra::{layer_eigenvalues, smoothed_density};
use dsrf_report::{
    Axis, Cell, Colour, ColourScale, Figure, LegendEntry, Marker, Metadata, Panel, Point, Series,
    SeriesKind, Table,
};
use serde_json::json;

use super::columns::Rows;
use super::experiment::{Experiment, Mode};
use super::summary::{Check, Summary};

/// Figure id.
pub const ID: &str = "precursor_spectrum";
const NETWORK_SEED: u64 = 2023;
const SAMPLE_SEED: u64 = 11;
/// Largest distance between the cumulative spectral distributions (theory and sample,
/// both smoothed alike) accepted as agreement in the checks.
const KOLMOGOROV_BOUND: f64 = 0.05;

/// The published table's columns, read once for the summary and the picture.
struct SpectrumColumns {
    panel: Vec<String>,
    layer: Vec<f64>,
    source: Vec<String>,
    x: Vec<f64>,
    density: Vec<f64>,
    bin_width: Vec<f64>,
}

impl SpectrumColumns {
    fn read(table: &Table) -> Result<Self> {
        let rows = Rows::new(table);
        Ok(Self {
            panel: rows.texts("panel")?,
            layer: rows.numbers("layer")?,
            source: rows.texts("source")?,
            x: rows.numbers("x")?,
            density: rows.numbers("density")?,
            bin_width: rows.numbers("bin_width")?,
        })
    }

    /// Row indices of one panel, layer and source (`theory`, `histogram`, …).
    fn select(&self, panel: &str, layer: usize, source: &str) -> Vec<usize> {
        (0..self.panel.len())
            .filter(|&i| {
                self.panel[i] == panel
                    && self.layer[i] as usize == layer
                    && self.source[i] == source
            })
            .collect()
    }
}

/// Which layers of a panel's network are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// Only the last (Fig. 4).
    LastLayer,
    /// Every layer, coloured by depth (Fig. 5).
    EveryLayer,
}

/// One panel: a network and which layers to show.
struct PanelSpec {
    name: &'static str,
    title: &'static str,
    d: usize,
    /// (width, activation) per layer.
    layers: Vec<(usize, Activation)>,
    /// Which layers' spectra are shown.
    shown: Shown,
    samples: usize,
}

impl PanelSpec {
    fn shown(&self) -> Vec<usize> {
        match self.shown {
            Shown::EveryLayer => (1..=self.layers.len()).collect(),
            Shown::LastLayer => vec![self.layers.len()],
        }
    }
}

/// (layer, mean eigenvalue, upper edge / mean, mass below mean/4) of Fig. 5.
type Fig5Row = (usize, f64, f64, f64);

/// The figure.
pub struct PrecursorSpectrum {
    mode: Mode,
    panels: Vec<PanelSpec>,
    grid_points: usize,
    bins: usize,
}

impl PrecursorSpectrum {
    /// Sizes: full Fig. 4 with d = 1000 and 10⁵ samples (as the paper), Fig. 5 with
    /// d = 500 and 5·10⁴ samples; quick d = 100 and 4000 samples.
    pub fn new(mode: Mode) -> Self {
        let d4: usize = mode.pick(1000, 100);
        let d5: usize = mode.pick(500, 100);
        let panels = vec![
            PanelSpec {
                name: "fig4_tanh",
                title: "Ω₂, tanh(2x), widths (6/5, 3/5)·d",
                d: d4,
                layers: vec![
                    (6 * d4 / 5, Activation::ScaledTanh(2.0)),
                    (3 * d4 / 5, Activation::ScaledTanh(2.0)),
                ],
                shown: Shown::LastLayer,
                samples: mode.pick(100_000, 4_000),
            },
            PanelSpec {
                name: "fig4_sign",
                title: "Ω₂, sign, widths (7/10, 6/5)·d",
                d: d4,
                layers: vec![
                    (7 * d4 / 10, Activation::Sign),
                    (6 * d4 / 5, Activation::Sign),
                ],
                shown: Shown::LastLayer,
                samples: mode.pick(100_000, 4_000),
            },
            PanelSpec {
                name: "fig5_depth",
                title: "Ω_ℓ, ℓ = 1..5, tanh, widths d",
                d: d5,
                layers: (0..5).map(|_| (d5, Activation::Tanh)).collect(),
                shown: Shown::EveryLayer,
                samples: mode.pick(50_000, 4_000),
            },
        ];
        PrecursorSpectrum {
            mode,
            panels,
            grid_points: mode.pick(400, 120),
            bins: mode.pick(60, 25),
        }
    }

    /// The upper end of the spectrum: κ*² + κ₁²·(previous edge)·(1 + √(k_ℓ/k_{ℓ−1}))²
    /// per layer, with 5 % margin (an upper bound of the Marchenko–Pastur edges).
    fn upper_edge(&self, panel: &PanelSpec, layer: usize) -> Result<f64> {
        let coefficients = self.coefficients(panel)?;
        let mut edge: f64 = 1.0;
        let mut fan_in = panel.d;
        for (l, c) in coefficients.iter().enumerate().take(layer) {
            let width = panel.layers[l].0;
            let ratio = width as f64 / fan_in as f64;
            edge = c.kappa_star_sq + c.kappa1 * c.kappa1 * edge * (1.0 + ratio.sqrt()).powi(2);
            fan_in = width;
        }
        Ok(1.05 * edge)
    }

    fn coefficients(&self, panel: &PanelSpec) -> Result<Vec<dsrf::rainbow::SpectralLayer>> {
        let layers: Vec<(usize, f64, Activation)> = panel
            .layers
            .iter()
            .map(|(w, a)| (*w, 1.0, a.clone()))
            .collect();
        iid_spectral_layers(panel.d, 1.0, &layers).map_err(|e| anyhow!("{e}"))
    }

    /// The grid and η of a panel (shared by all its layers): coarse passes over
    /// [0, the multiplicative bound] find where every shown density has fallen below
    /// 1 % (first pass) and 0.1 % (second pass) of its maximum; the grid covers 1.2
    /// times that, η = two grid steps.
    fn grid(&self, panel: &PanelSpec) -> Result<(Vec<f64>, f64)> {
        let coefficients = self.coefficients(panel)?;
        let uniform = |top: f64, points: usize| -> (Vec<f64>, f64) {
            let step = top / points as f64;
            (
                (0..points).map(|i| (i as f64 + 0.5) * step).collect(),
                2.0 * step,
            )
        };
        let mut bound: f64 = 0.0;
        for l in panel.shown() {
            bound = bound.max(self.upper_edge(panel, l)?);
        }
        // Two passes: the Lorentzian tails of a coarse η overstate the edge.
        let mut top = bound;
        for threshold in [1e-2, 1e-3] {
            let (coarse, eta) = uniform(top, 400);
            let mut edge: f64 = coarse[1];
            for l in panel.shown() {
                let density =
                    spectral_density(&vec![1.0; panel.d], &coefficients[..l], &coarse, eta)
                        .map_err(|e| anyhow!("{}: layer {l}: {e}", panel.name))?;
                let max = density.iter().copied().fold(0.0, f64::max);
                if let Some(i) = density.iter().rposition(|&v| v > threshold * max) {
                    edge = edge.max(coarse[i]);
                }
            }
            top = (1.2 * edge).min(top);
        }
        Ok(uniform(top, self.grid_points))
    }
}

impl Experiment for PrecursorSpectrum {
    fn id(&self) -> &'static str {
        ID
    }

    fn mode(&self) -> Mode {
        self.mode
    }

    fn description(&self) -> String {
        "Precursor Figures 4–5: the spectral density of the linearised covariance Ω^lin of \
         i.i.d. deep random features (x ~ 𝒩(0, I_d), weights 𝒩(0, 1)/√fan-in) from the \
         Stieltjes recursion (lines, smoothed at width η), against the histogram of the \
         eigenvalues of the covariance estimated from sampled features (grey steps / \
         markers). Left: two tanh(2x) layers, widths (6/5, 3/5)·d; middle: two sign layers, \
         widths (7/10, 6/5)·d (atom at κ*², clipped); right: five tanh layers of width d."
            .into()
    }

    fn metadata(&self) -> Metadata {
        let panels: Vec<serde_json::Value> = self
            .panels
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "d": p.d,
                    "widths": p.layers.iter().map(|l| l.0).collect::<Vec<_>>(),
                    "activation": format!("{:?}", p.layers[0].1),
                    "samples": p.samples,
                })
            })
            .collect();
        let mut m = Metadata::new(ID, env!("CARGO_PKG_VERSION"))
            .parameter("mode", self.mode.name())
            .parameter("panels", json!(panels))
            .parameter("grid_points", self.grid_points)
            .parameter("bins", self.bins)
            .parameter("eta", "2 grid steps")
            .parameter("network_seed", NETWORK_SEED)
            .parameter("sample_seed", SAMPLE_SEED);
        m.seeds = vec![NETWORK_SEED, SAMPLE_SEED];
        m
    }

    fn raw_columns(&self) -> Vec<String> {
        ["panel", "layer", "source", "x", "value"]
            .map(String::from)
            .to_vec()
    }

    fn units(&self) -> Vec<String> {
        self.panels
            .iter()
            .flat_map(|p| [format!("theory {}", p.name), format!("sample {}", p.name)])
            .collect()
    }

    fn run_unit(&self, unit: usize) -> Result<Vec<Vec<Cell>>> {
        let panel = self
            .panels
            .get(unit / 2)
            .ok_or_else(|| anyhow!("no unit {unit}"))?;
        let mut rows = Vec::new();
        let row = |layer: usize, source: &str, x: f64, value: f64| {
            vec![
                Cell::from(panel.name),
                Cell::from(layer),
                Cell::from(source),
                Cell::Number(x),
                Cell::Number(value),
            ]
        };
        if unit.is_multiple_of(2) {
            let coefficients = self.coefficients(panel)?;
            let (grid, eta) = self.grid(panel)?;
            for l in panel.shown() {
                let density = spectral_density(&vec![1.0; panel.d], &coefficients[..l], &grid, eta)
                    .map_err(|e| anyhow!("{}: layer {l}: {e}", panel.name))?;
                rows.extend(
                    grid.iter()
                        .zip(&density)
                        .map(|(&x, &v)| row(l, "theory", x, v)),
                );
            }
        } else {
            let net = precursor_model(NETWORK_SEED, panel.d, &panel.layers, &[])
                .realise(&Budget::unlimited())?;
            let eigenvalues = layer_eigenvalues(&net.learner, panel.d, panel.samples, SAMPLE_SEED)?;
            for l in panel.shown() {
                rows.extend(
                    eigenvalues[l - 1]
                        .iter()
                        .enumerate()
                        .map(|(i, &v)| row(l, "eigenvalue", i as f64, v)),
                );
            }
        }
        Ok(rows)
    }

    fn finish(&self, raw: &Table) -> Result<Table> {
        let rows = Rows::new(raw);
        let panel = rows.texts("panel")?;
        let layer = rows.numbers("layer")?;
        let source = rows.texts("source")?;
        let x = rows.numbers("x")?;
        let value = rows.numbers("value")?;
        let mut out = Vec::new();
        for spec in &self.panels {
            // The panel's grid is the abscissa of its theory rows (η = two steps).
            let first_layer = spec.shown()[0];
            let grid: Vec<f64> = (0..panel.len())
                .filter(|&i| {
                    panel[i] == spec.name
                        && layer[i] as usize == first_layer
                        && source[i] == "theory"
                })
                .map(|i| x[i])
                .collect();
            if grid.len() < 2 {
                return Err(anyhow!("{}: the theory rows are missing", spec.name));
            }
            let step = grid[1] - grid[0];
            let eta = 2.0 * step;
            let top = grid[grid.len() - 1] + 0.5 * step;
            for l in spec.shown() {
                let pick = |src: &str| -> Vec<usize> {
                    (0..panel.len())
                        .filter(|&i| {
                            panel[i] == spec.name && layer[i] as usize == l && source[i] == src
                        })
                        .collect()
                };
                let eig: Vec<f64> = pick("eigenvalue").iter().map(|&i| value[i]).collect();
                let push = |out: &mut Vec<Vec<Cell>>, src: &str, xv: f64, dv: f64, width: f64| {
                    out.push(vec![
                        Cell::from(spec.name),
                        Cell::from(l),
                        Cell::from(src),
                        Cell::Number(xv),
                        Cell::Number(dv),
                        Cell::Number(width),
                    ]);
                };
                for i in pick("theory") {
                    push(&mut out, "theory", x[i], value[i], f64::NAN);
                }
                for &g in &grid {
                    push(
                        &mut out,
                        "sample_smoothed",
                        g,
                        smoothed_density(&eig, g, eta),
                        f64::NAN,
                    );
                }
                let width = top / self.bins as f64;
                // Eigenvalues beyond the grid are left out (the densities are still
                // normalised by all of them); `summarize` reports how many.
                let mut counts = vec![0usize; self.bins];
                for &v in &eig {
                    let b = (v / width).floor().max(0.0) as usize;
                    if b < self.bins {
                        counts[b] += 1;
                    }
                }
                for (b, &c) in counts.iter().enumerate() {
                    let density = c as f64 / (eig.len() as f64 * width);
                    push(
                        &mut out,
                        "histogram",
                        (b as f64 + 0.5) * width,
                        density,
                        width,
                    );
                }
            }
        }
        let columns = ["panel", "layer", "source", "x", "density", "bin_width"]
            .map(String::from)
            .to_vec();
        Ok(Table::new(self.metadata(), columns, out)?)
    }

    fn summarize(&self, table: &Table) -> Result<Summary> {
        let columns = SpectrumColumns::read(table)?;
        let mut checks = Vec::new();
        let mut notes = Vec::new();
        let mut fig5 = Vec::new();
        for spec in &self.panels {
            for l in spec.shown() {
                checks.push(layer_check(&columns, spec, l));
                if spec.shown == Shown::EveryLayer {
                    fig5.push(fig5_row(&columns, spec, l));
                }
            }
        }
        if !fig5.is_empty() {
            checks.extend(fig5_checks(&fig5));
            notes.push(
                "Fig. 5 checks use the theory densities (Lorentzian smoothing of two grid steps)."
                    .into(),
            );
        }
        notes.push(
            "No numbers were read off the precursor's Figs. 4–5 (no render of them is available \
             here); agreement is measured against the sampled spectra instead."
                .into(),
        );
        Ok(Summary {
            figure: ID.into(),
            mode: self.mode.name().into(),
            agreement: Vec::new(),
            checks,
            readoffs: Vec::new(),
            notes,
        })
    }

    fn render(&self, table: &Table) -> Result<Figure> {
        let columns = SpectrumColumns::read(table)?;
        let (x, density, bin_width) = (&columns.x, &columns.density, &columns.bin_width);
        let grey = Colour::Rgb(150, 150, 150);
        let blue = Colour::Rgb(0, 0, 200);
        let panels = self
            .panels
            .iter()
            .map(|spec| {
                let mut p = Panel::new(
                    spec.title,
                    Axis::linear("λ (eigenvalue)"),
                    Axis::linear("ρ(λ)"),
                );
                let mut hist_max: f64 = 0.0;
                for l in spec.shown() {
                    let sel = |src: &str| columns.select(spec.name, l, src);
                    let hist = sel("histogram");
                    hist_max = hist.iter().map(|&i| density[i]).fold(hist_max, f64::max);
                    let (colour, hist_series) = if spec.shown == Shown::EveryLayer {
                        let c = Colour::Scale(l as f64);
                        let points = hist.iter().map(|&i| Point::new(x[i], density[i])).collect();
                        let mut s = Series::markers(c, Marker::Circle, points);
                        s.kind = SeriesKind::Markers {
                            shape: Marker::Circle,
                            size: 2,
                        };
                        (c, s)
                    } else {
                        let mut steps = Vec::new();
                        for &i in &hist {
                            let half = 0.5 * bin_width[i];
                            steps.push(Point::new(x[i] - half, density[i]));
                            steps.push(Point::new(x[i] + half, density[i]));
                        }
                        (blue, Series::line(grey, steps))
                    };
                    let theory = sel("theory")
                        .iter()
                        .map(|&i| Point::new(x[i], density[i]))
                        .collect();
                    p = p
                        .with_series(hist_series)
                        .with_series(Series::line(colour, theory));
                }
                p.y = p.y.with_range(0.0, 1.2 * hist_max);
                p
            })
            .collect();
        let mut figure = Figure::new(
            "Spectra of Ω^lin: Stieltjes recursion vs sampled covariance",
            panels,
        );
        figure.colour = Some(ColourScale::viridis("ℓ (right panel)", 1.0, 5.0, false));
        figure.legend = vec![
            LegendEntry::new("theory (recursion)", blue, SeriesKind::Line),
            LegendEntry::new("histogram of sampled Ω̂", grey, SeriesKind::Line),
        ];
        Ok(figure)
    }
}

/// Layer l of a panel: the sampled spectrum against the recursion (Kolmogorov and L¹
/// distances of the equally smoothed densities).
fn layer_check(columns: &SpectrumColumns, spec: &PanelSpec, l: usize) -> Check {
    let (x, density, bin_width) = (&columns.x, &columns.density, &columns.bin_width);
    let sel = |src: &str| columns.select(spec.name, l, src);
    let theory = sel("theory");
    let sample = sel("sample_smoothed");
    let step = if theory.len() > 1 {
        x[theory[1]] - x[theory[0]]
    } else {
        0.0
    };
    let l1: f64 = theory
        .iter()
        .zip(&sample)
        .map(|(&t, &s)| (density[t] - density[s]).abs() * step)
        .sum();
    // Kolmogorov distance between the two smoothed distributions: unlike L¹ it does not
    // punish a point mass (e.g. the κ*² atom of a layer wider than the rank of its
    // linear part) for being broadened at finite d.
    let kolmogorov = theory
        .iter()
        .zip(&sample)
        .scan((0.0, 0.0), |(ct, cs), (&t, &s)| {
            *ct += density[t] * step;
            *cs += density[s] * step;
            Some((*ct - *cs).abs())
        })
        .fold(0.0f64, f64::max);
    let captured: f64 = sel("histogram")
        .iter()
        .map(|&i| density[i] * bin_width[i])
        .sum();
    let label = format!("{} layer {l}", spec.name);
    Check {
        claim: format!(
            "{label}: sampled spectrum matches the recursion (Kolmogorov \
             distance < {KOLMOGOROV_BOUND})"
        ),
        holds: kolmogorov < KOLMOGOROV_BOUND,
        detail: format!(
            "Kolmogorov distance {kolmogorov:.4}, L¹ distance {l1:.4} at equal \
             smoothing; {:.2} % of the sampled eigenvalues lie beyond the plotted \
             range",
            100.0 * (1.0 - captured).max(0.0)
        ),
    }
}

/// From the theory density of layer l on the fine grid: mean, upper edge (last point
/// above 10⁻³ of the maximum) / mean, mass below a quarter of the mean.
fn fig5_row(columns: &SpectrumColumns, spec: &PanelSpec, l: usize) -> Fig5Row {
    let points: Vec<(f64, f64)> = columns
        .select(spec.name, l, "theory")
        .iter()
        .map(|&i| (columns.x[i], columns.density[i]))
        .collect();
    let total: f64 = points.iter().map(|p| p.1).sum();
    let mean = points.iter().map(|p| p.0 * p.1).sum::<f64>() / total;
    let max = points.iter().map(|p| p.1).fold(0.0, f64::max);
    let upper = points
        .iter()
        .filter(|p| p.1 > 1e-3 * max)
        .map(|p| p.0)
        .fold(0.0, f64::max);
    let small = points
        .iter()
        .filter(|p| p.0 < 0.25 * mean)
        .map(|p| p.1)
        .sum::<f64>()
        / total;
    (l, mean, upper / mean, small)
}

/// Fig. 5's claims: the support widens and small eigenvalues become more frequent with
/// depth.
fn fig5_checks(fig5: &[Fig5Row]) -> [Check; 2] {
    let up = |f: &dyn Fn(&Fig5Row) -> f64| fig5.windows(2).all(|w| f(&w[1]) >= f(&w[0]));
    [
        Check {
            claim: "fig5: the support widens with depth (upper edge / mean eigenvalue grows)"
                .into(),
            holds: up(&|t| t.2),
            detail: fig5
                .iter()
                .map(|t| format!("ℓ={}: {:.2}", t.0, t.2))
                .collect::<Vec<_>>()
                .join(", "),
        },
        Check {
            claim: "fig5: more small eigenvalues with depth (mass below mean/4 grows)".into(),
            holds: up(&|t| t.3),
            detail: fig5
                .iter()
                .map(|t| format!("ℓ={}: {:.3}", t.0, t.3))
                .collect::<Vec<_>>()
                .join(", "),
        },
    ]
}
