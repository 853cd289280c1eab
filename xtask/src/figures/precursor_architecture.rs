//! Precursor Figures 6 and 7 (arXiv:2302.00401, SPEC §5.7 rows 6–7): which
//! architecture of i.i.d. deep random features a ridge readout prefers, at equal
//! parameter count — theory only (Definition 4.2 with Theorem 3.1).
//!
//! * Figure 6, deep vs wide: a deep learner of m layers of width γd against a wide one
//!   of three layers of widths (γ, (m − 2)γ, γ)·d (the same number of weights up to the
//!   first layer), for γ = 4 and γ = 1, at α ∈ {0.5, 1, 2, 3}.
//! * Figure 7, bottleneck: four layers of widths (γ, γ, ½, γ)·d against (γ, γ, γ, γ)·d,
//!   γ ∈ [1, 4].
//!
//! Target: one hidden sign layer of width 4d (L* = 1, γ* = 4). SPEC does not state the
//! learner's activation or λ for these figures; we use the precursor's ridge setting of
//! Figures 1 and 3: tanh and λ = 10⁻³ (paper units), and the optimal λ per point for
//! the claim about tuning. The claims (wide beats deep in general, deep can win near
//! interpolation peaks, tuning λ removes that, a bottleneck regularises near the peaks)
//! are checked on these numbers.

use anyhow::{Result, anyhow};
use dsrf::budget::Budget;
use dsrf::presets::precursor_model;
use dsrf::rainbow::{Activation, VarianceConvention};
use dsrf::theory::Penalty;
use dsrf_report::{
    Axis, Cell, Colour, ColourScale, Figure, LegendEntry, Metadata, Panel, Point, Series,
    SeriesKind, Table,
};
use serde_json::json;

use super::columns::Rows;
use super::experiment::{Experiment, Mode};
use super::summary::{Check, Summary};

/// Figure id.
pub const ID: &str = "precursor_architecture";
const NETWORK_SEED: u64 = 2023;
const LAMBDA: f64 = 1e-3;
const ALPHAS: [f64; 4] = [0.5, 1.0, 2.0, 3.0];

/// A panel: which comparison and its abscissa values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Study {
    /// Deep (m layers of width γd) vs wide (3 layers) at width ratio γ; x = m.
    DeepWide(f64),
    /// Widths (γ, γ, ½, γ) vs (γ, γ, γ, γ); x = γ.
    Bottleneck,
}

impl Study {
    fn name(self) -> String {
        match self {
            Study::DeepWide(g) => format!("deep vs wide, γ = {g}"),
            Study::Bottleneck => "bottleneck".into(),
        }
    }

    /// The two architectures compared (the first is the one the claims are about).
    fn architectures(self) -> [&'static str; 2] {
        match self {
            Study::DeepWide(_) => ["deep", "wide"],
            Study::Bottleneck => ["bottleneck", "no bottleneck"],
        }
    }

    /// Layer widths (in units of d) of `architecture` at abscissa x.
    fn widths(self, architecture: &str, x: f64) -> Vec<f64> {
        match (self, architecture) {
            (Study::DeepWide(g), "deep") => vec![g; x as usize],
            (Study::DeepWide(g), _) => vec![g, (x - 2.0) * g, g],
            (Study::Bottleneck, "bottleneck") => vec![x, x, 0.5, x],
            (Study::Bottleneck, _) => vec![x; 4],
        }
    }
}

/// One work unit: a study, an architecture and an abscissa.
#[derive(Debug, Clone, Copy)]
struct Point3 {
    study: Study,
    architecture: &'static str,
    x: f64,
}

/// The figure.
pub struct PrecursorArchitecture {
    mode: Mode,
    d: usize,
    points: Vec<Point3>,
}

impl PrecursorArchitecture {
    /// Sizes: full d = 100 (m up to 14; the widest layer is 48d), quick d = 20.
    pub fn new(mode: Mode) -> Self {
        let d = mode.pick(100, 20);
        let ms: Vec<f64> = mode.pick(
            vec![3.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0],
            vec![3.0, 4.0, 6.0],
        );
        let gammas: Vec<f64> =
            mode.pick(vec![1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0], vec![1.0, 2.0, 3.0]);
        let mut points = Vec::new();
        for study in [
            Study::DeepWide(4.0),
            Study::DeepWide(1.0),
            Study::Bottleneck,
        ] {
            let xs = match study {
                Study::DeepWide(_) => &ms,
                Study::Bottleneck => &gammas,
            };
            for architecture in study.architectures() {
                for &x in xs {
                    points.push(Point3 {
                        study,
                        architecture,
                        x,
                    });
                }
            }
        }
        PrecursorArchitecture { mode, d, points }
    }
}

/// (study, architecture, x, α, penalty, ε_g) of every published row.
type Row = (String, String, f64, f64, String, f64);

fn rows(table: &Table) -> Result<Vec<Row>> {
    let r = Rows::new(table);
    let (study, arch, x) = (r.texts("study")?, r.texts("architecture")?, r.numbers("x")?);
    let (alpha, penalty, err) = (
        r.numbers("alpha")?,
        r.texts("penalty")?,
        r.numbers("test_error")?,
    );
    Ok((0..study.len())
        .map(|i| {
            (
                study[i].clone(),
                arch[i].clone(),
                x[i],
                alpha[i],
                penalty[i].clone(),
                err[i],
            )
        })
        .collect())
}

const COLUMNS: [&str; 6] = [
    "study",
    "architecture",
    "x",
    "alpha",
    "penalty",
    "test_error",
];

impl Experiment for PrecursorArchitecture {
    fn id(&self) -> &'static str {
        ID
    }

    fn mode(&self) -> Mode {
        self.mode
    }

    fn description(&self) -> String {
        format!(
            "Precursor (arXiv:2302.00401) Figures 6 and 7, theory only (Definition 4.2 with \
             Theorem 3.1): ridge on i.i.d. deep random features (tanh, Δ = 1) for a target with \
             one hidden sign layer of width 4d, at α ∈ {{0.5, 1, 2, 3}} (one colour each). \
             Deep vs wide at equal parameter count: m layers of width γd (solid) against three \
             layers of widths (γ, (m − 2)γ, γ)·d (dashed), γ = 4 and γ = 1. Bottleneck: \
             widths (γ, γ, ½, γ)·d (solid) against (γ, γ, γ, γ)·d (dashed). λ = 10⁻³ (paper \
             units; SPEC gives neither λ nor the activation for these figures, we use the \
             precursor's Figures 1 and 3 setting), the optimal λ for the tuning claim. d = {}.",
            self.d
        )
    }

    fn metadata(&self) -> Metadata {
        Metadata::new(ID, env!("CARGO_PKG_VERSION"))
            .parameter("mode", self.mode.name())
            .parameter("d", self.d)
            .parameter("alphas", json!(ALPHAS))
            .parameter("lambda_paper", LAMBDA)
            .parameter("activation", "tanh")
            .parameter("target", "1 sign layer of width 4d")
            .parameter("network_seed", NETWORK_SEED)
    }

    fn raw_columns(&self) -> Vec<String> {
        COLUMNS.map(String::from).to_vec()
    }

    fn units(&self) -> Vec<String> {
        self.points
            .iter()
            .map(|p| format!("{} {} x={}", p.study.name(), p.architecture, p.x))
            .collect()
    }

    fn run_unit(&self, unit: usize) -> Result<Vec<Vec<Cell>>> {
        let p = self
            .points
            .get(unit)
            .ok_or_else(|| anyhow!("no unit {unit}"))?;
        let d = self.d;
        let learner: Vec<(usize, Activation)> = p
            .study
            .widths(p.architecture, p.x)
            .iter()
            .map(|w| (((w * d as f64).round() as usize).max(1), Activation::Tanh))
            .collect();
        let model = precursor_model(NETWORK_SEED, d, &learner, &[(4 * d, Activation::Sign)]);
        let problem = model
            .realise(&Budget::unlimited())?
            .problem(VarianceConvention::Averaged)?;
        let mut out = Vec::new();
        for alpha in ALPHAS {
            let n = alpha * d as f64;
            let fixed = problem.risk(n, Penalty::paper(LAMBDA))?.test_error;
            let best = problem.optimal_penalty(n)?.point.test_error;
            for (penalty, err) in [("fixed", fixed), ("optimal", best)] {
                out.push(vec![
                    Cell::from(p.study.name().as_str()),
                    Cell::from(p.architecture),
                    Cell::Number(p.x),
                    Cell::Number(alpha),
                    Cell::from(penalty),
                    Cell::Number(err),
                ]);
            }
        }
        Ok(out)
    }

    fn finish(&self, raw: &Table) -> Result<Table> {
        let rows: Vec<Vec<Cell>> = rows(raw)?
            .into_iter()
            .map(|(s, a, x, alpha, p, e)| {
                vec![
                    Cell::from(s.as_str()),
                    Cell::from(a.as_str()),
                    Cell::Number(x),
                    Cell::Number(alpha),
                    Cell::from(p.as_str()),
                    Cell::Number(e),
                ]
            })
            .collect();
        Ok(Table::new(
            self.metadata(),
            COLUMNS.map(String::from).to_vec(),
            rows,
        )?)
    }

    fn summarize(&self, table: &Table) -> Result<Summary> {
        let all = rows(table)?;
        let at = |study: &str, arch: &str, x: f64, alpha: f64, penalty: &str| {
            all.iter()
                .find(|r| r.0 == study && r.1 == arch && r.2 == x && r.3 == alpha && r.4 == penalty)
                .map_or(f64::NAN, |r| r.5)
        };
        let mut checks = Vec::new();
        for g in [4.0, 1.0] {
            let study = Study::DeepWide(g).name();
            let pairs: Vec<(f64, f64, f64, f64)> = all
                .iter()
                .filter(|r| r.0 == study && r.1 == "deep" && r.4 == "fixed" && r.2 > 3.0)
                .map(|r| (r.2, r.3, r.5, at(&study, "wide", r.2, r.3, "fixed")))
                .collect();
            let wide_wins = pairs.iter().filter(|p| p.3 <= p.2).count();
            checks.push(Check {
                claim: format!("{study}: wide beats deep in general (λ = 10⁻³)"),
                holds: 2 * wide_wins >= pairs.len() && !pairs.is_empty(),
                detail: format!(
                    "wide ≤ deep at {wide_wins} of {} (m > 3, α) points",
                    pairs.len()
                ),
            });
            let deep_wins: Vec<String> = pairs
                .iter()
                .filter(|p| p.2 < p.3)
                .map(|p| format!("m = {}, α = {}: {:.4} < {:.4}", p.0, p.1, p.2, p.3))
                .collect();
            checks.push(Check {
                claim: format!("{study}: deep can win (near an interpolation peak)"),
                holds: !deep_wins.is_empty(),
                detail: if deep_wins.is_empty() {
                    "deep never wins".into()
                } else {
                    deep_wins.join("; ")
                },
            });
            let tuned_deep_wins = all
                .iter()
                .filter(|r| r.0 == study && r.1 == "deep" && r.4 == "optimal" && r.2 > 3.0)
                .filter(|r| r.5 < at(&study, "wide", r.2, r.3, "optimal") * (1.0 - 1e-9))
                .count();
            checks.push(Check {
                claim: format!("{study}: with λ tuned, deep no longer wins"),
                holds: tuned_deep_wins == 0,
                detail: format!("deep below wide at {tuned_deep_wins} points with the optimal λ"),
            });
        }
        let bottleneck = Study::Bottleneck.name();
        let near_peak: Vec<(f64, f64, f64)> = ALPHAS
            .iter()
            .filter(|&&a| all.iter().any(|r| r.0 == bottleneck && r.2 == a))
            .map(|&a| {
                (
                    a,
                    at(&bottleneck, "bottleneck", a, a, "fixed"),
                    at(&bottleneck, "no bottleneck", a, a, "fixed"),
                )
            })
            .collect();
        checks.push(Check {
            claim: "a bottleneck regularises near the interpolation peak (α = γ, λ = 10⁻³)".into(),
            holds: !near_peak.is_empty() && near_peak.iter().all(|p| p.1 < p.2),
            detail: near_peak
                .iter()
                .map(|p| format!("γ = α = {}: {:.4} vs {:.4}", p.0, p.1, p.2))
                .collect::<Vec<_>>()
                .join("; "),
        });
        Ok(Summary {
            figure: ID.into(),
            mode: self.mode.name().into(),
            agreement: vec![],
            checks,
            readoffs: vec![],
            notes: vec![format!(
                "Theory only, d = {} (Definition 4.2 is conditional on the drawn weights); SPEC \
                 gives neither λ nor the activation of these figures (tanh, λ = 10⁻³ as in the \
                 precursor's Figures 1 and 3).",
                self.d
            )],
        })
    }

    fn render(&self, table: &Table) -> Result<Figure> {
        let all = rows(table)?;
        let studies = [
            Study::DeepWide(4.0),
            Study::DeepWide(1.0),
            Study::Bottleneck,
        ];
        let panels = studies
            .iter()
            .map(|study| {
                let name = study.name();
                let x_label = match study {
                    Study::DeepWide(_) => "m (layers of the deep learner)",
                    Study::Bottleneck => "γ",
                };
                let mut panel = Panel::new(name.clone(), Axis::linear(x_label), Axis::log("ε_g"));
                for (k, arch) in study.architectures().iter().enumerate() {
                    for alpha in ALPHAS {
                        let points: Vec<Point> = all
                            .iter()
                            .filter(|r| {
                                r.0 == name && r.1 == *arch && r.3 == alpha && r.4 == "fixed"
                            })
                            .map(|r| Point::new(r.2, r.5))
                            .collect();
                        let mut line = Series::line(Colour::Scale(alpha), points);
                        if k == 1 {
                            line.kind = SeriesKind::DashedLine;
                        }
                        panel = panel.with_series(line);
                    }
                }
                panel
            })
            .collect();
        let mut figure = Figure::new(
            format!(
                "Deep vs wide and bottlenecks (precursor Figs. 6–7), λ = 10⁻³, d = {}",
                self.d
            ),
            panels,
        );
        figure.columns = 3;
        figure.colour = Some(ColourScale::viridis("α", 0.5, 3.0, false));
        let black = Colour::Rgb(0, 0, 0);
        figure.legend = vec![
            LegendEntry::new("deep / bottleneck", black, SeriesKind::Line),
            LegendEntry::new("wide / no bottleneck", black, SeriesKind::DashedLine),
        ];
        Ok(figure)
    }
}
