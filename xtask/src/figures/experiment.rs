//! The contract every figure implements, so that running, sharding, merging and
//! rendering are written once (in `driver` and `shard`) for all of them.
//!
//! A figure is split into *work units* (a theory curve, one simulation replicate, one
//! spectrum, ...) that are independent, deterministic and cheap to describe by their
//! index. Each unit returns *raw rows*; `finish` turns the raw rows of all units (in
//! unit order) into the figure's published table, and `render`/`summarize` read only
//! that table. Therefore a single run and a sharded run followed by a merge go through
//! exactly the same code from the raw rows on, and produce the same files.

use anyhow::Result;
use dsrf_report::{Cell, Figure, Metadata, Table};

use super::summary::Summary;

/// Paper sizes or the small sizes of the regression suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The paper's sizes (or the documented reduction of them).
    Full,
    /// Small sizes and few seeds: every figure in seconds.
    Quick,
}

impl Mode {
    /// `"full"` or `"quick"`, as written into the metadata.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Quick => "quick",
        }
    }

    /// The inverse of [`Mode::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "full" => Some(Mode::Full),
            "quick" => Some(Mode::Quick),
            _ => None,
        }
    }

    /// `full` or `quick` depending on the mode.
    pub fn pick<T>(self, full: T, quick: T) -> T {
        match self {
            Mode::Full => full,
            Mode::Quick => quick,
        }
    }
}

/// One figure of the paper, split into independent work units.
pub trait Experiment: Send + Sync {
    /// The figure id, also the file stem of its outputs (e.g. `fig1_rainbow`).
    fn id(&self) -> &'static str;
    /// The mode it was built for.
    fn mode(&self) -> Mode;
    /// A one-paragraph description for the gallery (markdown).
    fn description(&self) -> String;
    /// Figure id, mode and every parameter and seed (no commit, no wall time).
    fn metadata(&self) -> Metadata;
    /// The columns of the raw rows `run_unit` returns (the driver prepends `unit`).
    fn raw_columns(&self) -> Vec<String>;
    /// A short label for every work unit, in their canonical order.
    fn units(&self) -> Vec<String>;
    /// Runs one unit (deterministic: same rows for any thread count).
    fn run_unit(&self, unit: usize) -> Result<Vec<Vec<Cell>>>;
    /// The published table from the raw rows of every unit, in unit order.
    fn finish(&self, raw: &Table) -> Result<Table>;
    /// Agreement numbers, checks of the paper's claims and read-off comparisons.
    fn summarize(&self, table: &Table) -> Result<Summary>;
    /// The picture, drawn from the published table alone.
    fn render(&self, table: &Table) -> Result<Figure>;
    /// The canonical key of the network training this figure needs, if any. Figures
    /// with the same key share one (cached) run.
    fn training_key(&self) -> Option<String> {
        None
    }
    /// Trains (or loads from the cache) what [`Experiment::training_key`] names, so
    /// that the driver can train the distinct networks of all figures side by side
    /// before any figure runs its units.
    fn prepare(&self) -> Result<()> {
        Ok(())
    }
}
