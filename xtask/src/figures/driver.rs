//! Running work units and turning raw rows into the published files.
//!
//! Both a single run and a merge of shards call [`assemble`] on a raw table whose rows
//! are in unit order, so their outputs are identical (up to the wall time and commit
//! in the metadata).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use dsrf_report::{Cell, Metadata, Table, git_commit, render_svg};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::experiment::Experiment;
use super::summary::Summary;

/// The raw rows of one work unit.
pub type UnitRows = (usize, Vec<Vec<Cell>>);

/// A figure's published outputs.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// The long table (written as CSV and JSON).
    pub table: Table,
    /// Agreement, checks and read-offs.
    pub summary: Summary,
    /// The rendered picture.
    pub svg: String,
}

/// Whether progress is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Progress bars on stderr (when it is a terminal).
    Bars,
    /// Nothing (tests, logs).
    Hidden,
}

/// A progress bar on stderr for `len` units of figure `id` (hidden when not wanted or
/// when stderr is not a terminal).
pub fn progress_bar(id: &str, len: usize, progress: Progress) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(len as u64),
        match progress {
            Progress::Bars => ProgressDrawTarget::stderr(),
            Progress::Hidden => ProgressDrawTarget::hidden(),
        },
    );
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>18} [{bar:30}] {pos}/{len} units, {elapsed} elapsed, eta {eta} {msg}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(id.to_string());
    bar
}

/// Trains the distinct networks the experiments need, in parallel (each training uses
/// faer's fixed degree and dsrf-sim's split-independent rayon pieces, so its cached
/// weights do not depend on the thread count; an idle thread helps the training still
/// running). Measured for the four networks of a cold run on two cores: 554 s side by
/// side, 582 s one after another. Later units find the runs in the training cache.
///
/// Returns the ids of the figures whose networks were prepared and the seconds it took
/// (`None` when no figure needs a network).
pub fn prepare<'a>(
    experiments: impl Iterator<Item = &'a dyn Experiment>,
) -> Result<Option<(Vec<&'static str>, f64)>> {
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<&dyn Experiment> = experiments
        .filter(|e| e.training_key().is_some_and(|k| seen.insert(k)))
        .collect();
    if distinct.is_empty() {
        return Ok(None);
    }
    let start = Instant::now();
    distinct.par_iter().try_for_each(|e| {
        e.prepare()
            .with_context(|| format!("{}: training its network", e.id()))
    })?;
    let ids: Vec<&'static str> = distinct.iter().map(|e| e.id()).collect();
    let seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "trained or loaded {} network(s) for {} in {seconds:.1} s",
        ids.len(),
        ids.join(", ")
    );
    Ok(Some((ids, seconds)))
}

/// Runs `units` of `exp` in parallel on the current rayon pool; results in unit order.
pub fn run_units(
    exp: &dyn Experiment,
    units: &[usize],
    bar: &ProgressBar,
) -> Result<Vec<UnitRows>> {
    let labels = exp.units();
    units
        .par_iter()
        .map(|&u| {
            let rows = exp.run_unit(u).with_context(|| {
                format!(
                    "{}: work unit {u} ({})",
                    exp.id(),
                    labels.get(u).map_or("?", String::as_str)
                )
            })?;
            bar.inc(1);
            Ok((u, rows))
        })
        .collect()
}

/// The raw table of (some) units: column `unit` and the experiment's raw columns, rows
/// sorted by unit (stable within a unit).
pub fn raw_table(
    exp: &dyn Experiment,
    metadata: Metadata,
    mut units: Vec<UnitRows>,
) -> Result<Table> {
    units.sort_by_key(|(u, _)| *u);
    let mut columns = vec!["unit".to_string()];
    columns.extend(exp.raw_columns());
    let rows = units
        .into_iter()
        .flat_map(|(u, rows)| {
            rows.into_iter().map(move |r| {
                let mut row = vec![Cell::from(u)];
                row.extend(r);
                row
            })
        })
        .collect();
    Ok(Table::new(metadata, columns, rows)?)
}

/// The published outputs from the raw rows of every unit.
pub fn assemble(
    exp: &dyn Experiment,
    raw: &Table,
    wall_time_seconds: Option<f64>,
) -> Result<Outputs> {
    let mut table = exp
        .finish(raw)
        .with_context(|| format!("{}: assembling the table", exp.id()))?;
    let metadata = table.metadata_mut();
    metadata.commit = git_commit(&crate::workspace_root());
    metadata.wall_time_seconds = wall_time_seconds;
    let summary = exp.summarize(&table)?;
    let svg =
        render_svg(&exp.render(&table)?).with_context(|| format!("{}: rendering", exp.id()))?;
    Ok(Outputs {
        table,
        summary,
        svg,
    })
}

/// Runs every unit of `exp` and assembles the outputs (a single, unsharded run).
pub fn compute(exp: &dyn Experiment, progress: Progress) -> Result<Outputs> {
    let start = Instant::now();
    let all: Vec<usize> = (0..exp.units().len()).collect();
    let bar = progress_bar(exp.id(), all.len(), progress);
    let results = run_units(exp, &all, &bar)?;
    bar.finish();
    let raw = raw_table(exp, exp.metadata(), results)?;
    assemble(exp, &raw, Some(start.elapsed().as_secs_f64()))
}

/// Writes `<id>.csv`, `<id>.json`, `<id>.svg` and `<id>.summary.json` into `dir`.
pub fn write(dir: &Path, id: &str, outputs: &Outputs) -> Result<()> {
    dsrf_report::write(&outputs.table, dir, id)?;
    std::fs::write(dir.join(format!("{id}.svg")), &outputs.svg)
        .with_context(|| format!("cannot write {id}.svg"))?;
    let summary = serde_json::to_string_pretty(&outputs.summary)? + "\n";
    std::fs::write(dir.join(format!("{id}.summary.json")), summary)
        .with_context(|| format!("cannot write {id}.summary.json"))?;
    Ok(())
}
