//! Beyond the papers: classification on the Figure-1 rainbow network. The learner and
//! target of v1 Figure 1 (four-layer Gaussian rainbow network with structured,
//! correlated weights; target θ*ᵀtanh(W*x)/√d), but the labels are y = sign(target)
//! and the readout is fitted by logistic regression or the soft-margin SVM. Theory:
//! Definition 4.2's closed-form covariances with the Gaussian-covariate-model
//! equations (`dsrf_theory::Problem::gcm`) — the combination of the precursor's
//! Conjecture 4.2 with the paper's rainbow covariances, which neither paper evaluates;
//! markers: the fitted classifiers' held-out classification error.

use anyhow::Result;
use dsrf::presets::figure1_model;
use dsrf::theory::{Loss, Penalty};
use dsrf_report::{Axis, Cell, Figure, Metadata, Table};

use super::curves::{
    CurveLoss, CurvePenalty, CurveSeries, CurveSetup, Curves, DataSeeds, SeriesData, curve_units,
    falls_with_alpha, read_series, simulation_agreements,
};
use super::experiment::{Experiment, Mode};
use super::plot::theory_and_simulation_figure;
use super::summary::Summary;

/// Figure id.
pub const ID: &str = "rainbow_classification";
const GAMMAS: [f64; 2] = [0.0, 0.5];
const LOSSES: [Loss; 2] = [Loss::Logistic, Loss::Hinge];
/// Paper units (λ_c = pλ), the precursor's logistic value.
const LAMBDA: f64 = 0.05;
const NETWORK_SEED: u64 = 2024;
const SIM_SEED: u64 = 8000;
/// Required median deviation in full mode (the precursor figure's bound).
const REQUIRED: f64 = 0.03;

/// The figure.
pub struct RainbowClassification {
    mode: Mode,
    curves: Curves,
}

impl RainbowClassification {
    /// Sizes: full d = 500 (p = d), 10 replicates, 2000 held-out samples; quick d = 60,
    /// 3 replicates, 300.
    pub fn new(mode: Mode) -> Self {
        let d: usize = mode.pick(500, 60);
        let mut series = Vec::new();
        let mut losses = Vec::new();
        for loss in LOSSES {
            for gamma in GAMMAS {
                series.push(CurveSeries {
                    keys: vec![Cell::from(loss.name()), Cell::Number(gamma)],
                    model: figure1_model(NETWORK_SEED, d, gamma),
                });
                losses.push(loss);
            }
        }
        let sim_alphas = [0.25, 0.5, 1.0, 1.5, 2.0];
        let setup = CurveSetup {
            key_columns: vec!["loss".into(), "gamma".into()],
            d,
            p: d,
            penalty: CurvePenalty::Fixed(Penalty::paper(LAMBDA)),
            loss: CurveLoss::ClassificationPerSeries(losses),
            theory_ns: (1..=40).map(|i| (i * d) as f64 / 20.0).collect(),
            sim_ns: sim_alphas
                .iter()
                .map(|a| (a * d as f64).round() as usize)
                .collect(),
            replicates: mode.pick(10, 3),
            test_size: mode.pick(2000, 300),
            sim_seed: SIM_SEED,
            data_seeds: DataSeeds::Common,
            monte_carlo: None,
            series,
        };
        RainbowClassification {
            mode,
            curves: Curves::new(setup),
        }
    }
}

impl Experiment for RainbowClassification {
    fn description(&self) -> String {
        format!(
            "Classification on the v1 Figure 1 rainbow network (not in either paper): the \
             Figure-1 learner tanh(W₃ tanh(W₁ tanh(W₁x))) and target θ*ᵀtanh(W*x)/√d, labels \
             y = sign(target), the readout fitted by logistic regression (top) or the \
             soft-margin SVM (bottom), γ ∈ {{0, 0.5}}, λ = {LAMBDA} in paper units \
             (Σℓ(y, θᵀφ/√p) + λ/2‖θ‖², λ_c = pλ). Lines: Definition 4.2's closed-form \
             covariances in the Gaussian-covariate-model equations; markers: the fitted \
             classifiers' classification error on {} held-out samples, mean ± 1 std over {} \
             replicates (network fixed). d = {}.",
            self.curves.setup().test_size,
            self.curves.setup().replicates,
            self.curves.setup().d
        )
    }

    fn metadata(&self) -> Metadata {
        let m = Metadata::new(ID, env!("CARGO_PKG_VERSION"))
            .parameter("mode", self.mode.name())
            .parameter("losses", "logistic | hinge")
            .parameter("labels", "sign of the target")
            .parameter("gammas", serde_json::json!(GAMMAS))
            .parameter("network_seed", NETWORK_SEED);
        self.curves.describe(m)
    }

    curve_units!(ID);

    fn summarize(&self, table: &Table) -> Result<Summary> {
        let series = read_series(table, &["loss", "gamma"])?;
        let required = (self.mode == Mode::Full).then_some(REQUIRED);
        let name = |s: &SeriesData| format!("{}, γ = {}", s.keys[0], s.keys[1]);
        let agreement = simulation_agreements(
            &series,
            "simulation vs theory (classification error)",
            name,
            required,
        );
        let checks = series
            .iter()
            .map(|s| falls_with_alpha(s, &name(s)))
            .collect();
        Ok(Summary {
            figure: ID.into(),
            mode: self.mode.name().into(),
            agreement,
            checks,
            readoffs: vec![],
            notes: vec![
                "No published counterpart: this combination of the rainbow covariances with \
                 the GCM equations is new; the check is theory against simulation."
                    .into(),
            ],
        })
    }

    fn render(&self, table: &Table) -> Result<Figure> {
        let series = read_series(table, &["loss", "gamma"])?;
        Ok(theory_and_simulation_figure(
            format!(
                "Classification on the Figure-1 rainbow network, d = {}",
                self.curves.setup().d
            ),
            &series,
            |s| format!("{}, γ = {}", s.keys[0], s.keys[1]),
            (
                Axis::linear("α = n/d").with_range(0.0, 2.1),
                Axis::linear("classification error"),
            ),
            "theory (GCM equations)",
        ))
    }
}
