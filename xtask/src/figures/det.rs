//! The authors' theory-only figures `real_det` and `art_det` (SPEC §6.3, §6.4): the
//! learning curve of Theorem 3.1 from the empirical feature covariances of *every*
//! training snapshot, one panel per penalty λ_c ∈ {0.1, 1, 10}, coloured by epoch — how
//! the curve (and its interpolation peak) moves as the features are learned. Same data,
//! network and (cached) training run as `real_emp` / `art_emp`.

use anyhow::Result;
use dsrf::sim::TrainingCache;
use dsrf_report::{Axis, Colour, ColourScale, Figure, Metadata, Panel, Point, Series, Table};

use super::columns::Rows;
use super::experiment::{Experiment, Mode};
use super::learned::{Layout, Learned, Penalties, THEORY, learned_units};
use super::real::Task;
use super::summary::{Check, Summary};

/// MNIST parity.
pub const REAL_ID: &str = "real_det";
/// Gaussian data with MNIST moments.
pub const ART_ID: &str = "art_det";
const LAMBDAS: [f64; 3] = [0.1, 1.0, 10.0];

/// `real_det` or `art_det`.
pub struct Det {
    id: &'static str,
    mode: Mode,
    learned: Learned,
}

impl Det {
    /// The figure `id` in `mode`, its network trained through `cache`.
    pub fn new(id: &'static str, mode: Mode, cache: TrainingCache) -> Self {
        let mut setup = Task::of(id).setup(mode, Penalties::Fixed);
        setup.layout = Layout::EverySnapshot;
        setup.linearised = dsrf::learned::LinearisedTheory::Skip;
        setup.lambdas = LAMBDAS.to_vec();
        Det {
            id,
            mode,
            learned: Learned::new(setup, cache),
        }
    }
}

impl Det {
    /// The figure with the same network and the empirical points.
    fn sibling(&self) -> &'static str {
        if self.id == ART_ID {
            super::real::ART_EMP_ID
        } else {
            super::real::EMP_ID
        }
    }
}

/// (snapshot, epoch, source, n, λ, error) of every row.
type Row = (f64, f64, String, f64, f64, f64);

fn rows(table: &Table) -> Result<Vec<Row>> {
    let r = Rows::new(table);
    let (facet, epoch, source) = (r.numbers("facet")?, r.numbers("epoch")?, r.texts("source")?);
    let (n, lambda, err) = (
        r.numbers("n")?,
        r.numbers("lambda_code")?,
        r.numbers("test_error")?,
    );
    Ok((0..n.len())
        .map(|i| {
            (
                facet[i],
                epoch[i],
                source[i].clone(),
                n[i],
                lambda[i],
                err[i],
            )
        })
        .collect())
}

impl Experiment for Det {
    fn description(&self) -> String {
        format!(
            "The authors' theory-only figure `{}`: Theorem 3.1 with the empirical feature \
             covariances (emp_cov split, features centred) of every training snapshot of the \
             `{}` network, one panel per λ_c ∈ {{0.1, 1, 10}} (code units), colour = epoch. \
             Data, network and cached training run as in `{}`.",
            self.id,
            self.sibling(),
            self.sibling(),
        )
    }

    fn metadata(&self) -> Metadata {
        self.learned.metadata(self.id, self.mode)
    }

    learned_units!();

    fn summarize(&self, table: &Table) -> Result<Summary> {
        let all = rows(table)?;
        let n_max = self
            .learned
            .setup()
            .theory_ns
            .last()
            .copied()
            .unwrap_or(0.0);
        let first = all.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
        let last = all.iter().map(|r| r.0).fold(f64::NEG_INFINITY, f64::max);
        let at = |snap: f64, l: f64| {
            all.iter()
                .find(|r| r.0 == snap && r.2 == THEORY && r.4 == l && r.3 == n_max)
                .map_or(f64::NAN, |r| r.5)
        };
        let checks = LAMBDAS
            .iter()
            .map(|&l| {
                let (a, b) = (at(first, l), at(last, l));
                Check {
                    claim: format!("training lowers the theory's error at n = {n_max} (λ_c = {l})"),
                    holds: b < a,
                    detail: format!("first snapshot {a:.4}, last {b:.4}"),
                }
            })
            .collect();
        let snapshots = (last - first + 1.0).max(0.0);
        Ok(Summary {
            figure: self.id.into(),
            mode: self.mode.name().into(),
            agreement: vec![],
            checks,
            readoffs: vec![],
            notes: vec![format!(
                "{snapshots} snapshots; theory only (the empirical points are in the _emp figure)."
            )],
        })
    }

    fn render(&self, table: &Table) -> Result<Figure> {
        let all = rows(table)?;
        let mut snaps: Vec<(f64, f64)> = all.iter().map(|r| (r.0, r.1)).collect();
        snaps.dedup();
        let max_epoch = snaps.iter().map(|s| s.1).fold(0.0, f64::max).max(1e-2);
        let min_epoch = snaps
            .iter()
            .map(|s| s.1)
            .filter(|&e| e > 0.0)
            .fold(max_epoch, f64::min);
        let panels = LAMBDAS
            .iter()
            .map(|&l| {
                let mut panel = Panel::new(
                    format!("λ_c = {l}"),
                    Axis::log("n"),
                    Axis::linear("test error"),
                );
                for &(snap, epoch) in &snaps {
                    panel = panel.with_series(Series::line(
                        Colour::Scale(epoch.max(min_epoch)),
                        all.iter()
                            .filter(|r| r.0 == snap && r.2 == THEORY && r.4 == l)
                            .map(|r| Point::new(r.3, r.5))
                            .collect(),
                    ));
                }
                panel
            })
            .collect();
        let mut figure = Figure::new(
            format!(
                "{}: theory through training",
                Task::of(self.id).title(self.mode)
            ),
            panels,
        );
        figure.columns = figure.panels.len().min(3);
        figure.colour = Some(ColourScale::viridis("epoch", min_epoch, max_epoch, true));
        Ok(figure)
    }
}
