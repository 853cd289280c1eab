//! The authors' code version of Figure 1 (`rf_emp`, SPEC §6.1 last bullet): the same
//! rainbow construction at d = 500 with γ ∈ {0.01, 0.2, 0.5, 0.8} and λ_c = 10⁻³ (code
//! units), test error against the number of samples n on a log scale. Two theory routes
//! side by side: the authors' — Theorem 3.1 with Ω, ψ, E y² estimated from 10⁴
//! Monte-Carlo samples (solid) — and ours — the closed-form covariances of Definition
//! 4.2 (dashed); markers are simulations (10 repeats).

use anyhow::Result;
use dsrf::presets::figure1_model;
use dsrf::theory::Penalty;
use dsrf_report::{Axis, Colour, ColourScale, Figure, Marker, Metadata, Panel, SeriesKind, Table};

use super::curves::{
    CurveLoss, CurvePenalty, CurveSetup, Curves, DataSeeds, MonteCarlo, SeriesData, THEORY,
    THEORY_MC, curve_units, read_series, series_of,
};
use super::experiment::{Experiment, Mode};
use super::plot::{
    Bars, XVar, marker_kind, simulation_markers, style_legend, theory_dashed, theory_mc_line,
};
use super::published::{LandmarkReading, Landmarks, landmark_readoffs};
use super::summary::{Agreement, Check, ReadOff, Summary};

/// Figure id.
pub const ID: &str = "rf_emp";
const GAMMAS: [f64; 4] = [0.01, 0.2, 0.5, 0.8];
const LAMBDA_CODE: f64 = 1e-3;
const NETWORK_SEED: u64 = 2024;
const MC_SEED: u64 = 7;
const SIM_SEED: u64 = 3000;

/// The figure.
pub struct RfEmp {
    mode: Mode,
    curves: Curves,
}

impl RfEmp {
    /// Sizes: full d = 500, n ≤ 1000 (= 2d), 10⁴ Monte-Carlo samples, 10 repeats, 2000
    /// test samples (the authors' `rf_reg(d=500, n_emp=10_000, n_test=2000)`); quick
    /// d = 100, n ≤ 200, 2000 Monte-Carlo samples, 3 repeats, 400 test samples.
    pub fn new(mode: Mode) -> Self {
        let d: usize = mode.pick(500, 100);
        let (n_min, n_max) = (d / 10, 2 * d);
        // Theory every d/50 samples from n_min to n_max; simulations at the authors'
        // linspace(n_min, n_max, 10), rounded.
        let step = d / 50;
        let theory_ns = (n_min / step..=n_max / step)
            .map(|i| (i * step) as f64)
            .collect();
        let sim_ns = (0..10)
            .map(|i| (n_min as f64 + i as f64 * (n_max - n_min) as f64 / 9.0).round() as usize)
            .collect();
        let setup = CurveSetup {
            key_columns: vec!["gamma".into()],
            d,
            p: d,
            penalty: CurvePenalty::Fixed(Penalty::code(LAMBDA_CODE)),
            loss: CurveLoss::Ridge,
            theory_ns,
            sim_ns,
            replicates: mode.pick(10, 3),
            test_size: mode.pick(2000, 400),
            sim_seed: SIM_SEED,
            data_seeds: DataSeeds::Common,
            monte_carlo: Some(MonteCarlo {
                samples: mode.pick(10_000, 2_000),
                seed: MC_SEED,
            }),
            series: series_of(&GAMMAS, |g| figure1_model(NETWORK_SEED, d, g)),
        };
        RfEmp {
            mode,
            curves: Curves::new(setup),
        }
    }
}

impl Experiment for RfEmp {
    fn description(&self) -> String {
        "The authors' code version of Figure 1 (`rf_emp` in feature-ridge-regression): the same \
         rainbow network at d = 500, λ_c = 10⁻³ (code units, λ = λ_c/p), test error against n \
         on a log scale. Solid: Theorem 3.1 with Ω, ψ, E y² estimated from 10⁴ Monte-Carlo \
         samples (the authors' route); dashed: our closed-form covariances (Definition 4.2); \
         markers: simulations (mean ± 1 std over 10 repeats, network fixed)."
            .into()
    }

    fn metadata(&self) -> Metadata {
        let m = Metadata::new(ID, env!("CARGO_PKG_VERSION"))
            .parameter("mode", self.mode.name())
            .parameter("gammas", serde_json::json!(GAMMAS))
            .parameter(
                "network",
                "rainbow_fig1 (examples/fig1_rainbow.json with d, γ)",
            )
            .parameter("network_seed", NETWORK_SEED);
        self.curves.describe(m)
    }

    curve_units!(ID);

    fn summarize(&self, table: &Table) -> Result<Summary> {
        let series = read_series(table, &["gamma"])?;
        let d = self.curves.setup().d as f64;
        let sim_mc: Vec<(f64, f64)> = series.iter().flat_map(|s| s.pairs(THEORY_MC)).collect();
        let sim_cf: Vec<(f64, f64)> = series.iter().flat_map(|s| s.pairs(THEORY)).collect();
        let mc_cf: Vec<(f64, f64)> = series
            .iter()
            .flat_map(|s| {
                s.theory_mc
                    .iter()
                    .filter_map(|m| s.theory_at_n(THEORY, m.1).map(|c| (m.2, c)))
                    .collect::<Vec<_>>()
            })
            .collect();
        let agreement = vec![
            Agreement::of(
                "simulation vs theory (Monte-Carlo covariances)",
                &sim_mc,
                None,
            ),
            Agreement::of(
                "simulation vs theory (closed form, Def. 4.2)",
                &sim_cf,
                None,
            ),
            Agreement::of("Monte-Carlo theory vs closed-form theory", &mc_cf, None),
        ];
        let (checks, readoffs) = (checks(&series, d), readoffs(&series, d));
        Ok(Summary {
            figure: ID.into(),
            mode: self.mode.name().into(),
            agreement,
            checks,
            readoffs,
            notes: vec![format!(
                "d = {}; λ_c = {LAMBDA_CODE} (λ = {:e} in paper units). The simulation uses fresh \
                 samples for every n (nested prefixes) rather than subsets of a fixed pool of 2000.",
                self.curves.setup().d,
                LAMBDA_CODE / d
            )],
        })
    }

    fn render(&self, table: &Table) -> Result<Figure> {
        let series = read_series(table, &["gamma"])?;
        let mut panel = Panel::new(
            format!("rainbow network, d = {}, λ_c = 10⁻³", self.curves.setup().d),
            Axis::linear("n (number of samples)"),
            Axis::log("ε_g"),
        );
        for s in &series {
            let colour = Colour::Scale(SeriesData::first_key(s));
            panel = panel
                .with_series(theory_mc_line(s, XVar::N, colour))
                .with_series(theory_dashed(s, XVar::N, colour))
                .with_series(simulation_markers(
                    s,
                    XVar::N,
                    colour,
                    Marker::Circle,
                    Bars::Std,
                ));
        }
        let mut figure = Figure::new("Authors' rf_emp figure", vec![panel]);
        figure.panel_width = 520;
        figure.colour = Some(ColourScale::viridis("γ", 0.0, 0.8, false));
        figure.legend = style_legend(&[
            ("theory, Monte-Carlo Ω, ψ", SeriesKind::Line),
            ("theory, closed form", SeriesKind::DashedLine),
            ("simulation ± 1 std", marker_kind(Marker::Circle)),
        ]);
        Ok(figure)
    }
}

/// The largest n of the figure, as α = n/d.
const LAST_ALPHA: f64 = 2.0;

/// The γ = 0.01 series and its Monte-Carlo theory peak for d/2 ≤ n ≤ 1.5d (α, ε).
fn first_and_peak(series: &[SeriesData]) -> (Option<&SeriesData>, Option<(f64, f64)>) {
    let first = series.iter().find(|s| SeriesData::first_key(s) == 0.01);
    (
        first,
        first.and_then(|s| s.peak_in_source(THEORY_MC, 0.5, 1.5)),
    )
}

/// Larger γ lower at n = 2d; the γ = 0.01 peak below n = p.
fn checks(series: &[SeriesData], d: f64) -> Vec<Check> {
    let end: Vec<(f64, f64)> = series
        .iter()
        .map(|s| (SeriesData::first_key(s), s.at_alpha(THEORY_MC, LAST_ALPHA)))
        .collect();
    let decreasing = end.windows(2).all(|w| w[1].1 < w[0].1);
    let (_, peak) = first_and_peak(series);
    vec![
        Check {
            claim: format!(
                "larger γ ⇒ lower error (Monte-Carlo theory, n = {})",
                2.0 * d
            ),
            holds: decreasing,
            detail: end
                .iter()
                .map(|(g, e)| format!("γ={g}: {e:.4}"))
                .collect::<Vec<_>>()
                .join(", "),
        },
        Check {
            claim: "γ = 0.01 has an interior peak below n = p (published: n = 457 of p = 500)"
                .into(),
            holds: peak.is_some_and(|(a, _)| a < 1.0),
            detail: match peak {
                Some((a, e)) => format!("Monte-Carlo theory peak {e:.4} at n = {:.0}", a * d),
                None => "no interior maximum for d/2 ≤ n ≤ 1.5d".into(),
            },
        },
    ]
}

/// The published landmarks of `rf_emp` (SPEC §6.1, exact from the SVG paths), per γ:
/// ε_g at n = 50, the peak (α = n/500, ε_g) if the curve has one, ε_g at n = 1000
/// (d = 500).
const PUBLISHED: [Landmarks; 4] = [
    Landmarks {
        gamma: 0.01,
        start: 0.186,
        peak: Some((457.0 / 500.0, 0.3463)),
        end: 0.0616,
    },
    Landmarks {
        gamma: 0.2,
        start: 0.167,
        peak: Some((340.0 / 500.0, 0.2353)),
        end: 0.0287,
    },
    Landmarks {
        gamma: 0.5,
        start: 0.169,
        peak: None,
        end: 0.0114,
    },
    Landmarks {
        gamma: 0.8,
        start: 0.165,
        peak: None,
        end: 0.0065,
    },
];

/// The Monte-Carlo theory (the authors' route) against the published landmarks; peak
/// positions shown as n = αd (the published n scaled by d/500 in quick mode).
fn readoffs(series: &[SeriesData], d: f64) -> Vec<ReadOff> {
    let reading = LandmarkReading {
        source: THEORY_MC,
        reference: "SPEC §6.1 (exact, from the published SVG)",
        ends: [(0.1, "n = d/10"), (LAST_ALPHA, "n = 2d")],
        peak_range: (0.5, 1.5),
        position: ("n", d),
    };
    landmark_readoffs(series, &PUBLISHED, &reading)
}
