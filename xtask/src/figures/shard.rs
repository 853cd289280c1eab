//! Sharding (`--shard K/N`) and merging (`--merge DIR`).
//!
//! The work units of all selected figures form one list (figure by figure, units in
//! their canonical order); shard K of N takes every N-th unit starting at K − 1, so
//! each shard gets a similar mix of cheap theory and expensive simulation units (a
//! Slurm job array runs `--shard $((SLURM_ARRAY_TASK_ID))/$N`). A shard writes, per
//! figure, a *partial* raw table `shards/<id>.shard-K-of-N.json` whose metadata are
//! the figure's metadata plus the shard's coordinates. Merging checks that the
//! partials of a figure were computed with the same parameters and cover every unit
//! exactly once, and then assembles them exactly like a single run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use dsrf_report::{Metadata, Table, from_json};
use serde_json::{Value, json};

use super::driver::{UnitRows, raw_table};
use super::experiment::{Experiment, Mode};

/// Shard K (1-based) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// K, 1 ≤ K ≤ N.
    pub index: usize,
    /// N ≥ 1.
    pub count: usize,
}

impl Shard {
    /// Parses `K/N`.
    pub fn parse(text: &str) -> Result<Self> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| anyhow!("--shard expects K/N (e.g. 2/8), got `{text}`"))?;
        let index: usize = k
            .trim()
            .parse()
            .with_context(|| format!("--shard: bad K `{k}`"))?;
        let count: usize = n
            .trim()
            .parse()
            .with_context(|| format!("--shard: bad N `{n}`"))?;
        if count == 0 || index == 0 || index > count {
            bail!("--shard K/N needs 1 ≤ K ≤ N, got {index}/{count}");
        }
        Ok(Shard { index, count })
    }

    /// The units of each figure (given their unit counts) that belong to this shard.
    pub fn assign(&self, unit_counts: &[usize]) -> Vec<Vec<usize>> {
        let mut global = 0;
        unit_counts
            .iter()
            .map(|&count| {
                (0..count)
                    .filter(|_| {
                        let take = global % self.count == self.index - 1;
                        global += 1;
                        take
                    })
                    .collect()
            })
            .collect()
    }
}

const SHARD_KEYS: [&str; 3] = ["shard", "shards", "shard_units"];

fn shard_dir(dir: &Path) -> PathBuf {
    dir.join("shards")
}

/// Writes the partial raw table of `exp`'s units in this shard; returns its path.
pub fn write_partial(
    dir: &Path,
    exp: &dyn Experiment,
    shard: Shard,
    units: Vec<UnitRows>,
    seconds: f64,
) -> Result<PathBuf> {
    let ids: Vec<usize> = units.iter().map(|(u, _)| *u).collect();
    let mut metadata = exp
        .metadata()
        .parameter("shard", shard.index)
        .parameter("shards", shard.count)
        .parameter("shard_units", json!(ids));
    metadata.wall_time_seconds = Some(seconds);
    let table = raw_table(exp, metadata, units)?;
    let stem = format!("{}.shard-{}-of-{}", exp.id(), shard.index, shard.count);
    let (_, json) = dsrf_report::write(&table, &shard_dir(dir), &stem)?;
    // Only the JSON is needed for merging; drop the CSV twin to keep the folder small.
    let _ = std::fs::remove_file(shard_dir(dir).join(format!("{stem}.csv")));
    Ok(json)
}

/// A figure reassembled from its shards.
pub struct Merged {
    /// The experiment, rebuilt from the figure id and mode of the shards.
    pub experiment: Box<dyn Experiment>,
    /// The raw table of every unit, in unit order.
    pub raw: Table,
    /// The sum of the shards' compute times.
    pub seconds: f64,
    /// How many partial files were merged.
    pub partials: usize,
}

fn strip(metadata: &Metadata) -> Metadata {
    let mut m = metadata.clone();
    for key in SHARD_KEYS {
        m.parameters.remove(key);
    }
    m.wall_time_seconds = None;
    m.commit = None;
    m
}

/// Reads every partial in `dir/shards`, checks them and rebuilds each figure's raw
/// table. `build` makes the experiment for a figure id and mode.
pub fn merge(
    dir: &Path,
    build: impl Fn(&str, Mode) -> Result<Box<dyn Experiment>>,
) -> Result<Vec<Merged>> {
    read_partials(&shard_dir(dir))?
        .into_iter()
        .map(|(figure, partials)| merge_figure(&figure, &partials, &build))
        .collect()
}

/// The partial tables in `folder`, by figure (files in name order).
fn read_partials(folder: &Path) -> Result<BTreeMap<String, Vec<(PathBuf, Table)>>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("cannot read {}", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no partial tables (*.json) in {}", folder.display());
    }
    let mut by_figure: BTreeMap<String, Vec<(PathBuf, Table)>> = BTreeMap::new();
    for path in files {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let table =
            from_json(&text).with_context(|| format!("{} is not a table", path.display()))?;
        by_figure
            .entry(table.metadata().figure.clone())
            .or_default()
            .push((path, table));
    }
    Ok(by_figure)
}

/// One figure's partials, checked against this program's experiment, as one raw table.
fn merge_figure(
    figure: &str,
    partials: &[(PathBuf, Table)],
    build: &impl Fn(&str, Mode) -> Result<Box<dyn Experiment>>,
) -> Result<Merged> {
    let mode = partials[0]
        .1
        .metadata()
        .parameters
        .get("mode")
        .and_then(Value::as_str)
        .and_then(Mode::from_name)
        .ok_or_else(|| anyhow!("{}: no valid `mode` parameter", partials[0].0.display()))?;
    let experiment = build(figure, mode)?;
    let expected = experiment.metadata();
    let mut owner: Vec<Option<PathBuf>> = vec![None; experiment.units().len()];
    let mut units: Vec<UnitRows> = Vec::new();
    let mut seconds = 0.0;
    for (path, table) in partials {
        if strip(table.metadata()) != expected {
            bail!(
                "{} was computed with other parameters than this program's `{figure}` ({} mode); rerun that shard",
                path.display(),
                mode.name()
            );
        }
        if table.columns()[1..] != experiment.raw_columns()[..] {
            bail!("{} has unexpected columns", path.display());
        }
        seconds += table.metadata().wall_time_seconds.unwrap_or(0.0);
        units.extend(take_units(figure, path, table, &mut owner)?);
    }
    let missing: Vec<usize> = (0..owner.len()).filter(|&u| owner[u].is_none()).collect();
    if !missing.is_empty() {
        bail!(
            "`{figure}`: units {missing:?} are in no shard (run the missing shards, then merge again)"
        );
    }
    let raw = raw_table(experiment.as_ref(), expected, units)?;
    Ok(Merged {
        experiment,
        raw,
        seconds,
        partials: partials.len(),
    })
}

/// The units listed in one partial with their rows; `owner` records which partial
/// holds each unit, so that a unit in two shards is an error.
fn take_units(
    figure: &str,
    path: &Path,
    table: &Table,
    owner: &mut [Option<PathBuf>],
) -> Result<Vec<UnitRows>> {
    let count = owner.len();
    let listed: Vec<usize> = table
        .metadata()
        .parameters
        .get("shard_units")
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow!("{}: no `shard_units`", path.display()))?
        .iter()
        .map(|v| v.as_u64().map(|u| u as usize))
        .collect::<Option<_>>()
        .ok_or_else(|| anyhow!("{}: bad `shard_units`", path.display()))?;
    let mut units: Vec<UnitRows> = Vec::new();
    for &u in &listed {
        if u >= count {
            bail!(
                "{}: unit {u} does not exist (there are {count})",
                path.display()
            );
        }
        if let Some(other) = &owner[u] {
            bail!(
                "unit {u} of `{figure}` is in both {} and {}",
                other.display(),
                path.display()
            );
        }
        owner[u] = Some(path.to_path_buf());
        units.push((u, Vec::new()));
    }
    for row in table.rows() {
        let u = row[0]
            .as_f64()
            .map(|u| u as usize)
            .ok_or_else(|| anyhow!("{}: bad unit cell", path.display()))?;
        let slot = units
            .iter_mut()
            .find(|(v, _)| *v == u)
            .ok_or_else(|| anyhow!("{}: row of unlisted unit {u}", path.display()))?;
        slot.1.push(row[1..].to_vec());
    }
    Ok(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_units() {
        let counts = [3, 5, 1];
        let mut seen = [vec![0; 3], vec![0; 5], vec![0; 1]];
        for k in 1..=4 {
            let shard = Shard { index: k, count: 4 };
            for (f, units) in shard.assign(&counts).iter().enumerate() {
                for &u in units {
                    seen[f][u] += 1;
                }
            }
        }
        assert!(seen.iter().flatten().all(|&c| c == 1));
        assert_eq!(Shard::parse("2/8").unwrap(), Shard { index: 2, count: 8 });
        assert!(Shard::parse("0/8").is_err() && Shard::parse("9/8").is_err());
        assert!(Shard::parse("3").is_err());
    }
}
