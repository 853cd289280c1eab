//! Precursor Figure 3 (SPEC §5.7 row 3): the effect of depth. Learners with
//! L = 1..6 hidden layers of width 4d (tanh, or the clipped-linear "door"
//! 1.1·sign(x)·min(2, |x|)) on a sign target with one hidden layer of width 2d,
//! λ = 10⁻³ (paper units, as in Figure 1). The linear peak sits at α = 1, the
//! non-linear one at α = p/d = 4. Claims: with tanh, deeper ⇒ larger linear peak and
//! smaller non-linear peak; with the door activation the opposite. Theory for every L
//! and simulations (fewer replicates than the paper's 50, and d = 300, for the time
//! budget).

use anyhow::Result;
use dsrf::presets::precursor_model;
use dsrf::rainbow::Activation;
use dsrf::theory::Penalty;
use dsrf_report::{
    Axis, Cell, Colour, ColourScale, Figure, Marker, Metadata, Panel, SeriesKind, Table,
};

use super::curves::{
    CurveLoss, CurvePenalty, CurveSeries, CurveSetup, Curves, DataSeeds, SeriesData, THEORY,
    curve_units, read_series,
};
use super::experiment::{Experiment, Mode};
use super::plot::{Bars, XVar, marker_kind, simulation_markers, style_legend, theory_line};
use super::summary::{Agreement, Check, ReadOff, Summary};

/// Figure id.
pub const ID: &str = "precursor_depth";
const LAMBDA: f64 = 1e-3;
const NETWORK_SEED: u64 = 2023;
const SIM_SEED: u64 = 7000;
const DEPTHS: [usize; 6] = [1, 2, 3, 4, 5, 6];
const TANH: &str = "tanh";
const DOOR: &str = "door";

/// The figure.
pub struct PrecursorDepth {
    mode: Mode,
    curves: Curves,
}

impl PrecursorDepth {
    /// Sizes: full d = 300 (p = 1200, k* = 600), 10 replicates (the notebook's 10 seeds),
    /// 1500 held-out samples, simulations at the paper's α = linspace(0.1, 8, 15); quick
    /// d = 40, 2 replicates, 200 held-out samples, 5 simulated α.
    pub fn new(mode: Mode) -> Self {
        let d: usize = mode.pick(300, 40);
        let p = 4 * d;
        let mut series = Vec::new();
        for (name, activation) in [(TANH, Activation::Tanh), (DOOR, Activation::Door)] {
            for depth in DEPTHS {
                let learner: Vec<(usize, Activation)> =
                    (0..depth).map(|_| (p, activation.clone())).collect();
                series.push(CurveSeries {
                    keys: vec![Cell::from(name), Cell::from(depth)],
                    model: precursor_model(NETWORK_SEED, d, &learner, &[(2 * d, Activation::Sign)]),
                });
            }
        }
        let sim_points: usize = mode.pick(15, 5);
        let sim_ns = (0..sim_points)
            .map(|i| {
                let alpha = 0.1 + i as f64 * 7.9 / (sim_points - 1) as f64;
                (alpha * d as f64).round() as usize
            })
            .collect();
        let setup = CurveSetup {
            key_columns: vec!["activation".into(), "depth".into()],
            d,
            p,
            penalty: CurvePenalty::Fixed(Penalty::paper(LAMBDA)),
            loss: CurveLoss::Ridge,
            theory_ns: (1..=160).map(|i| (i * d) as f64 / 20.0).collect(),
            sim_ns,
            replicates: mode.pick(10, 2),
            test_size: mode.pick(1500, 200),
            sim_seed: SIM_SEED,
            data_seeds: DataSeeds::Common,
            monte_carlo: None,
            series,
        };
        PrecursorDepth {
            mode,
            curves: Curves::new(setup),
        }
    }
}

fn depth_of(s: &SeriesData) -> f64 {
    s.keys[1].parse().unwrap_or(f64::NAN)
}

/// The largest theory value with α in [lo, hi] and its α.
fn max_in(s: &SeriesData, lo: f64, hi: f64) -> (f64, f64) {
    s.theory
        .iter()
        .filter(|t| (lo..=hi).contains(&t.0))
        .map(|t| (t.0, t.2))
        .fold(
            (f64::NAN, f64::NEG_INFINITY),
            |m, t| if t.1 > m.1 { t } else { m },
        )
}

impl Experiment for PrecursorDepth {
    fn description(&self) -> String {
        "Precursor Figure 3: ridge (λ = 10⁻³) on L = 1..6 hidden layers of width 4d with tanh \
         (left) or the clipped-linear activation 1.1·sign(x)·min(2, |x|) (right), sign target \
         with one hidden layer of width 2d. Lines: theory (Definition 4.2 + Theorem 3.1); \
         markers: simulations (mean ± 1 std, network fixed). d = 300 and 10 replicates in \
         full mode (paper: d = 1000, 50 runs; notebook: d = 600, 10 seeds)."
            .into()
    }

    fn metadata(&self) -> Metadata {
        let m = Metadata::new(ID, env!("CARGO_PKG_VERSION"))
            .parameter("mode", self.mode.name())
            .parameter("depths", serde_json::json!(DEPTHS))
            .parameter("learner", "L layers tanh | door, widths 4d, Δ = 1")
            .parameter("target", "sign, 1 layer of width 2d, Δ = 1")
            .parameter("network_seed", NETWORK_SEED);
        self.curves.describe(m)
    }

    curve_units!(ID);

    fn summarize(&self, table: &Table) -> Result<Summary> {
        let series = read_series(table, &["activation", "depth"])?;
        let all: Vec<(f64, f64)> = series.iter().flat_map(|s| s.pairs(THEORY)).collect();
        let mut agreement = vec![Agreement::of("simulation vs theory", &all, None)];
        let mut checks = Vec::new();
        let mut readoffs = Vec::new();
        for (act, linear_trend) in TRENDS {
            let mine: Vec<&SeriesData> = series.iter().filter(|s| s.keys[0] == act).collect();
            let pairs: Vec<(f64, f64)> = mine.iter().flat_map(|s| s.pairs(THEORY)).collect();
            agreement.push(Agreement::of(
                &format!("simulation vs theory ({act})"),
                &pairs,
                None,
            ));
            checks.extend(depth_checks(act, linear_trend, &mine));
            readoffs.extend(depth_readoffs(act, &mine));
        }
        Ok(Summary {
            figure: ID.into(),
            mode: self.mode.name().into(),
            agreement,
            checks,
            readoffs,
            notes: vec![format!(
                "d = {} (p = {}), {} replicates; read-offs are ours, from the published PNG.",
                self.curves.setup().d,
                self.curves.setup().p,
                self.curves.setup().replicates
            )],
        })
    }

    fn render(&self, table: &Table) -> Result<Figure> {
        let series = read_series(table, &["activation", "depth"])?;
        let panels = [(TANH, "tanh"), (DOOR, "1.1·sign(x)·min(2, |x|)")]
            .iter()
            .map(|(act, title)| {
                let mut panel = Panel::new(
                    format!("σ = {title}"),
                    Axis::linear("α = n/d").with_range(0.0, 8.2),
                    Axis::linear("ε_g"),
                );
                for s in series.iter().filter(|s| s.keys[0] == *act) {
                    let colour = Colour::Scale(depth_of(s));
                    panel = panel
                        .with_series(theory_line(s, XVar::Alpha, colour))
                        .with_series(simulation_markers(
                            s,
                            XVar::Alpha,
                            colour,
                            Marker::Circle,
                            Bars::Std,
                        ));
                }
                panel
            })
            .collect();
        let mut figure = Figure::new(
            format!(
                "Depth L = 1..6, widths 4d, λ = 10⁻³, d = {}",
                self.curves.setup().d
            ),
            panels,
        );
        figure.colour = Some(ColourScale::viridis("L", 1.0, 6.0, false));
        figure.legend = style_legend(&[
            ("theory", SeriesKind::Line),
            ("simulation ± 1 std", marker_kind(Marker::Circle)),
        ]);
        Ok(figure)
    }
}

/// How a peak changes with depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trend {
    /// Larger for deeper learners.
    Grows,
    /// Smaller for deeper learners.
    Shrinks,
}

impl Trend {
    fn opposite(self) -> Self {
        match self {
            Trend::Grows => Trend::Shrinks,
            Trend::Shrinks => Trend::Grows,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Trend::Grows => "larger",
            Trend::Shrinks => "smaller",
        }
    }

    /// Whether the (depth, value) pairs follow the trend strictly.
    fn holds(self, v: &[(f64, f64)]) -> bool {
        v.windows(2).all(|w| match self {
            Trend::Grows => w[1].1 > w[0].1,
            Trend::Shrinks => w[1].1 < w[0].1,
        })
    }
}

/// The paper's claim per activation: the linear peak's trend with depth (the non-linear
/// peak goes the other way).
const TRENDS: [(&str, Trend); 2] = [(TANH, Trend::Grows), (DOOR, Trend::Shrinks)];

/// The α windows of the linear (α ≈ 1) and non-linear (α = p/d = 4) peaks.
const LINEAR_PEAK: (f64, f64) = (0.3, 1.6);
const NONLINEAR_PEAK: (f64, f64) = (3.0, 5.0);

/// What is read off a depth's curve.
#[derive(Debug, Clone, Copy)]
enum Read {
    /// The maximum of ε_g over an α window.
    Max((f64, f64)),
    /// ε_g at α.
    At(f64),
}

/// (activation, depth L, quantity, the figure's value, what), read off the PNG.
const READOFFS: [(&str, f64, &str, f64, Read); 11] = [
    (
        TANH,
        1.0,
        "L = 1: max for 3 ≤ α ≤ 5",
        1.38,
        Read::Max(NONLINEAR_PEAK),
    ),
    (
        TANH,
        1.0,
        "L = 1: max for 0.3 ≤ α ≤ 1.6",
        1.09,
        Read::Max(LINEAR_PEAK),
    ),
    (
        TANH,
        6.0,
        "L = 6: max for 0.3 ≤ α ≤ 1.6",
        1.44,
        Read::Max(LINEAR_PEAK),
    ),
    (TANH, 1.0, "L = 1: ε_g at α = 8", 0.71, Read::At(8.0)),
    (TANH, 6.0, "L = 6: ε_g at α = 8", 0.63, Read::At(8.0)),
    (
        DOOR,
        1.0,
        "L = 1: max for 0.3 ≤ α ≤ 1.6",
        2.0,
        Read::Max(LINEAR_PEAK),
    ),
    (DOOR, 1.0, "L = 1: ε_g at α = 4", 0.97, Read::At(4.0)),
    (
        DOOR,
        6.0,
        "L = 6: max for 3 ≤ α ≤ 5",
        2.34,
        Read::Max(NONLINEAR_PEAK),
    ),
    (
        DOOR,
        6.0,
        "L = 6: max for 0.3 ≤ α ≤ 1.6",
        1.37,
        Read::Max(LINEAR_PEAK),
    ),
    (DOOR, 1.0, "L = 1: ε_g at α = 8", 0.64, Read::At(8.0)),
    (DOOR, 6.0, "L = 6: ε_g at α = 8", 0.87, Read::At(8.0)),
];

/// The two peak-trend claims of one activation's depths.
fn depth_checks(act: &str, linear_trend: Trend, mine: &[&SeriesData]) -> Vec<Check> {
    let list = |v: &[(f64, f64)]| {
        v.iter()
            .map(|(l, e)| format!("L={l}: {e:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    [
        ("linear", LINEAR_PEAK, "0.3 ≤ α ≤ 1.6", linear_trend),
        (
            "non-linear",
            NONLINEAR_PEAK,
            "3 ≤ α ≤ 5",
            linear_trend.opposite(),
        ),
    ]
    .into_iter()
    .map(|(peak, (lo, hi), window, trend)| {
        let values: Vec<(f64, f64)> = mine
            .iter()
            .map(|s| (depth_of(s), max_in(s, lo, hi).1))
            .collect();
        Check {
            claim: format!(
                "{act}: deeper ⇒ {} {peak} peak (max of ε_g for {window})",
                trend.word()
            ),
            holds: trend.holds(&values),
            detail: list(&values),
        }
    })
    .collect()
}

/// The read-offs of one activation (when both L = 1 and L = 6 were computed).
fn depth_readoffs(act: &str, mine: &[&SeriesData]) -> Vec<ReadOff> {
    let by_depth = |l: f64| mine.iter().find(|s| depth_of(s) == l);
    if by_depth(1.0).is_none() || by_depth(6.0).is_none() {
        return Vec::new();
    }
    READOFFS
        .iter()
        .filter(|r| r.0 == act)
        .filter_map(|&(_, depth, quantity, paper, read)| {
            let s = by_depth(depth)?;
            let ours = match read {
                Read::Max((lo, hi)) => max_in(s, lo, hi).1,
                Read::At(alpha) => s.theory_at_alpha(alpha),
            };
            Some(ReadOff::value(
                &format!("{act}, {quantity}"),
                paper,
                ours,
                THEORY,
                "precursor Fig. 3 (read off by us)",
            ))
        })
        .collect()
}
