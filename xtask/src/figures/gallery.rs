//! The gallery page: every figure with its picture, data files, measured agreement,
//! the paper's claims checked on our data, and our numbers against the values read
//! off the paper. Generated from the files in the output folder (tables and
//! summaries), so a merged run produces the same page as a single run.
//!
//! `<out>/gallery.md` is always written (links relative to the output folder); the
//! documentation page (`docs/figures.md`, links relative to `docs/`) only when every
//! figure is present in full mode, so that quick runs never overwrite it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dsrf_report::{Table, from_json, markdown_table};
use serde_json::Value;

use super::experiment::Mode;
use super::summary::Summary;
use super::{FIGURES, experiment};

struct Entry {
    id: &'static str,
    table: Table,
    summary: Summary,
}

fn load(dir: &Path) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for id in FIGURES {
        let table_path = dir.join(format!("{id}.json"));
        let summary_path = dir.join(format!("{id}.summary.json"));
        if !(table_path.exists() && summary_path.exists()) {
            continue;
        }
        let table = from_json(&std::fs::read_to_string(&table_path)?)
            .with_context(|| format!("cannot read {}", table_path.display()))?;
        let summary: Summary = serde_json::from_str(&std::fs::read_to_string(&summary_path)?)
            .with_context(|| format!("cannot read {}", summary_path.display()))?;
        out.push(Entry { id, table, summary });
    }
    Ok(out)
}

/// Folder (beside the documentation page) that receives copies of the pictures,
/// summaries and CSV tables.
const PICTURES: &str = "figures";

/// Writes `dir/gallery.md` and, when every figure is there in full mode, `docs` (with
/// the pictures, summaries and CSV tables copied to `figures/` beside it).
pub fn write_all(dir: &Path, docs: Option<&Path>) -> Result<Vec<PathBuf>> {
    let entries = load(dir)?;
    let mut written = Vec::new();
    if entries.is_empty() {
        return Ok(written);
    }
    let local = dir.join("gallery.md");
    let training = read_training_time(dir);
    std::fs::write(&local, page(&entries, training.as_ref(), Page::Output)?)?;
    written.push(local);
    let complete = entries.len() == FIGURES.len()
        && entries.iter().all(|e| e.summary.mode == Mode::Full.name());
    if let (true, Some(docs)) = (complete, docs) {
        let base = docs.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(base)?;
        // The pictures, summaries and CSV tables are committed beside the page (the
        // output folder is not), so that the page and its links work in the repository.
        let pictures = base.join(PICTURES);
        std::fs::create_dir_all(&pictures)?;
        for e in &entries {
            for file in ["svg", "summary.json", "csv"].map(|ext| format!("{}.{ext}", e.id)) {
                std::fs::copy(dir.join(&file), pictures.join(&file))
                    .with_context(|| format!("cannot copy {file} to {}", pictures.display()))?;
                written.push(pictures.join(&file));
            }
        }
        std::fs::write(docs, page(&entries, training.as_ref(), Page::Docs)?)?;
        written.push(docs.to_path_buf());
    }
    Ok(written)
}

/// The file in the output folder that records the last run's training phase.
const TRAINING_TIME: &str = "training_time.json";

/// Records which figures' networks the last run prepared and how long it took.
pub fn write_training_time(dir: &Path, ids: &[&str], seconds: f64) -> Result<()> {
    let text = serde_json::json!({"figures": ids, "seconds": seconds}).to_string();
    std::fs::write(dir.join(TRAINING_TIME), text + "\n")
        .with_context(|| format!("cannot write {TRAINING_TIME}"))
}

/// The record of [`write_training_time`], if present and readable.
fn read_training_time(dir: &Path) -> Option<(Vec<String>, f64)> {
    let text = std::fs::read_to_string(dir.join(TRAINING_TIME)).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let ids = value["figures"]
        .as_array()?
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    Some((ids, value["seconds"].as_f64()?))
}

/// Which of the two gallery pages is written, and so where its links lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    /// `<out>/gallery.md`: every file of a figure lies beside it.
    Output,
    /// `docs/figures.md`: the copies in `docs/figures/` (picture, summary, CSV); the
    /// JSON twin of the table stays in the output folder, unlinked.
    Docs,
}

impl Page {
    /// The folder, relative to the page, that holds the linked files.
    fn folder(self) -> &'static Path {
        match self {
            Page::Output => Path::new(""),
            Page::Docs => Path::new(PICTURES),
        }
    }

    /// The data-file part of a figure's "Data:" line.
    fn data_links(self, id: &str) -> String {
        let csv = link(self.folder(), &format!("{id}.csv"));
        match self {
            Page::Output => {
                let json = link(self.folder(), &format!("{id}.json"));
                format!("[{id}.csv]({csv}), [{id}.json]({json})")
            }
            Page::Docs => format!(
                "[{id}.csv]({csv}) (the same table as JSON, `{id}.json`, is in the output folder \
                 of a run)"
            ),
        }
    }
}

fn link(prefix: &Path, file: &str) -> String {
    prefix.join(file).to_string_lossy().replace('\\', "/")
}

fn percent(x: f64) -> String {
    format!("{:.2} %", 100.0 * x)
}

fn number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (3 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.digits$}")
}

fn page(entries: &[Entry], training: Option<&(Vec<String>, f64)>, place: Page) -> Result<String> {
    let mut s = String::new();
    writeln!(s, "# Figures\n")?;
    writeln!(
        s,
        "Generated by `cargo xtask figures` — do not edit by hand; rerun the command \
         (or `cargo xtask figures --merge DIR` after a sharded run) to update this page. \
         Every number below is computed from the data files next to the pictures.\n"
    )?;
    let total: f64 = entries
        .iter()
        .filter_map(|e| e.table.metadata().wall_time_seconds)
        .sum();
    let mut rows = Vec::new();
    for e in entries {
        let m = e.table.metadata();
        // Comparisons with the published figure (named "published …") are many; the
        // overview gives their range, the figure's section every one.
        let (published, own): (Vec<_>, Vec<_>) = e
            .summary
            .agreement
            .iter()
            .partition(|a| a.comparison.starts_with("published"));
        let mut parts: Vec<String> = own
            .iter()
            .map(|a| format!("{}: {}", a.comparison, percent(a.median_relative_deviation)))
            .collect();
        let medians: Vec<f64> = published
            .iter()
            .map(|a| a.median_relative_deviation)
            .filter(|m| m.is_finite())
            .collect();
        if !medians.is_empty() {
            let lo = medians.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = medians.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            parts.push(format!(
                "against the published figure: {} comparisons, medians {}–{}",
                medians.len(),
                percent(lo),
                percent(hi)
            ));
        }
        let agreement = parts.join("; ");
        let agreement = if agreement.is_empty() {
            "— (see the checks)".to_string()
        } else {
            agreement
        };
        let held = e.summary.checks.iter().filter(|c| c.holds).count();
        rows.push(vec![
            format!("[{}](#{})", e.id, e.id),
            e.summary.mode.clone(),
            m.wall_time_seconds
                .map_or("—".into(), |t| format!("{t:.1} s")),
            agreement,
            format!("{held}/{}", e.summary.checks.len()),
        ]);
    }
    s += &markdown_table(
        &[
            "figure",
            "mode",
            "wall time",
            "median relative deviation",
            "claims that hold",
        ],
        &rows,
    );
    let training_seconds = training.map_or(0.0, |t| t.1);
    if let Some((ids, seconds)) = training {
        writeln!(
            s,
            "\nBefore the figures, the last run trained (or loaded from the training \
             cache) the networks of {}, side by side, in {seconds:.1} s.",
            ids.join(", ")
        )?;
    }
    writeln!(
        s,
        "\nTotal wall time of the figure computations: {total:.1} s (for a merged sharded \
         run: the sum of the shards' times); with the training phase: {:.1} s = {:.1} min. \
         Commit: `{}`.\n",
        total + training_seconds,
        (total + training_seconds) / 60.0,
        entries[0]
            .table
            .metadata()
            .commit
            .clone()
            .unwrap_or_else(|| "unknown".into())
    )?;
    for e in entries {
        section(&mut s, e, place)?;
    }
    Ok(s)
}

fn parameter_line(table: &Table) -> String {
    let keep = [
        "d",
        "p",
        "lambda_paper",
        "lambda_code",
        "replicates",
        "test_size",
        "monte_carlo_samples",
        "samples",
    ];
    let format = |(k, v): (&String, &Value)| match v {
        Value::String(t) => format!("{k} = {t}"),
        other => format!("{k} = {other}"),
    };
    let parameters = &table.metadata().parameters;
    let chosen: Vec<String> = parameters
        .iter()
        .filter(|(k, _)| keep.contains(&k.as_str()))
        .map(format)
        .collect();
    if !chosen.is_empty() {
        return chosen.join(", ");
    }
    // Figures with other parameter names: every short scalar.
    parameters
        .iter()
        .filter(|(_, v)| v.is_number() || v.as_str().is_some_and(|t| t.len() <= 60))
        .map(format)
        .collect::<Vec<_>>()
        .join(", ")
}

fn section(s: &mut String, e: &Entry, place: Page) -> Result<()> {
    let pictures = place.folder();
    let mode = Mode::from_name(&e.summary.mode).unwrap_or(Mode::Full);
    let exp = experiment(e.id, mode)?;
    writeln!(s, "## {}\n", e.id)?;
    writeln!(s, "{}\n", exp.description())?;
    writeln!(
        s,
        "![{}]({})\n",
        e.id,
        link(pictures, &format!("{}.svg", e.id))
    )?;
    let m = e.table.metadata();
    writeln!(
        s,
        "Data: {data}; summary: [{id}.summary.json]({summary}). \
         Mode: {mode}; wall time: {time}; seeds: {seeds:?}. Parameters (all in the data files' \
         metadata): {params}.\n",
        id = e.id,
        data = place.data_links(e.id),
        summary = link(pictures, &format!("{}.summary.json", e.id)),
        mode = e.summary.mode,
        time = m
            .wall_time_seconds
            .map_or("—".into(), |t| format!("{t:.1} s")),
        seeds = m.seeds,
        params = parameter_line(&e.table),
    )?;
    agreement_table(s, &e.summary)?;
    checks_table(s, &e.summary)?;
    readoffs_table(s, &e.summary)?;
    for note in &e.summary.notes {
        writeln!(s, "* {note}")?;
    }
    if !e.summary.notes.is_empty() {
        s.push('\n');
    }
    Ok(())
}

/// The agreement statistics of a summary as a table (nothing when there are none).
fn agreement_table(s: &mut String, summary: &Summary) -> Result<()> {
    if !summary.agreement.is_empty() {
        writeln!(
            s,
            "**Agreement** (relative deviation |a − b|/|b| over matched points):\n"
        )?;
        let rows: Vec<Vec<String>> = summary
            .agreement
            .iter()
            .map(|a| {
                vec![
                    a.comparison.clone(),
                    percent(a.median_relative_deviation),
                    percent(a.p90_relative_deviation),
                    percent(a.max_relative_deviation),
                    a.points.to_string(),
                    a.required_below.map_or("—".into(), |r| {
                        format!(
                            "< {} ({})",
                            percent(r),
                            if a.passes() { "met" } else { "NOT met" }
                        )
                    }),
                ]
            })
            .collect();
        *s += &markdown_table(
            &[
                "comparison",
                "median",
                "90th pct",
                "max",
                "points",
                "required",
            ],
            &rows,
        );
        s.push('\n');
    }
    Ok(())
}

/// The claims checked on our data.
fn checks_table(s: &mut String, summary: &Summary) -> Result<()> {
    if !summary.checks.is_empty() {
        writeln!(s, "**The paper's claims on our data:**\n")?;
        let rows: Vec<Vec<String>> = summary
            .checks
            .iter()
            .map(|c| {
                vec![
                    c.claim.clone(),
                    if c.holds { "yes" } else { "**no**" }.into(),
                    c.detail.clone(),
                ]
            })
            .collect();
        *s += &markdown_table(&["claim", "holds", "numbers"], &rows);
        s.push('\n');
    }
    Ok(())
}

/// Our numbers against the paper's values (exact or read off, as the reference says).
fn readoffs_table(s: &mut String, summary: &Summary) -> Result<()> {
    if !summary.readoffs.is_empty() {
        writeln!(
            s,
            "**Against the paper** (the paper's values come from the source in the last \
             column: exact where it says so, extracted from the vector graphics; otherwise \
             read off the published figure by eye and only good to a few per cent of the axis \
             range; never used to tune anything):\n"
        )?;
        let rows: Vec<Vec<String>> = summary
            .readoffs
            .iter()
            .map(|r| {
                let paper = if r.paper_low == r.paper_high {
                    number(r.paper_low)
                } else {
                    format!("{}–{}", number(r.paper_low), number(r.paper_high))
                };
                vec![
                    r.quantity.clone(),
                    paper,
                    number(r.ours),
                    format!("{:+.1} %", 100.0 * r.relative_difference()),
                    r.source.clone(),
                    r.reference.clone(),
                ]
            })
            .collect();
        *s += &markdown_table(
            &[
                "quantity",
                "paper",
                "ours",
                "difference",
                "our source",
                "paper source",
            ],
            &rows,
        );
        s.push('\n');
    }
    Ok(())
}
