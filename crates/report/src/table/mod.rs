//! Tables with a metadata header, written as CSV and JSON.
//!
//! A [`Table`] is rectangular by construction: every row has one [`Cell`] per column.
//! [`to_csv`] / [`from_csv`] and [`to_json`] / [`from_json`] round-trip it exactly
//! (floats bit for bit, NaN and ±∞ included); [`write()`] writes both files.
//! [`Metadata`] and [`git_commit`] live in `metadata`, [`Cell`] in `cell`.

mod cell;
mod csv;
mod json;
mod metadata;

pub use cell::Cell;
pub use csv::{from_csv, to_csv};
pub use json::{from_json, to_json};
pub use metadata::{Metadata, git_commit};

use crate::error::{ReportError, Result};
use crate::numbers::round_significant;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Columns of named values with the [`Metadata`] that produced them.
///
/// The fields are private so that the shape is always valid: at least one column,
/// distinct column names, and one cell per column in every row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    metadata: Metadata,
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table after checking its shape ([`ReportError::InvalidTable`] for no columns
    /// or a repeated name, [`ReportError::RowLength`] for a row of the wrong length).
    pub fn new(metadata: Metadata, columns: Vec<String>, rows: Vec<Vec<Cell>>) -> Result<Self> {
        if columns.is_empty() {
            return Err(ReportError::InvalidTable(
                "a table needs at least one column".into(),
            ));
        }
        let mut seen = HashSet::new();
        if let Some(name) = columns.iter().find(|name| !seen.insert(name.as_str())) {
            return Err(ReportError::InvalidTable(format!(
                "column {name:?} appears twice"
            )));
        }
        let mut table = Table {
            metadata,
            columns,
            rows: Vec::with_capacity(rows.len()),
        };
        for row in rows {
            table.push_row(row)?;
        }
        Ok(table)
    }

    /// Appends one row ([`ReportError::RowLength`] if it has the wrong length).
    pub fn push_row(&mut self, row: Vec<Cell>) -> Result<()> {
        if row.len() != self.columns.len() {
            return Err(ReportError::RowLength {
                row: self.rows.len(),
                expected: self.columns.len(),
                found: row.len(),
            });
        }
        self.rows.push(row);
        Ok(())
    }

    /// The provenance of the table.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The provenance, for amending (e.g. setting the wall time after the run).
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.metadata
    }

    /// The column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The rows, each with one cell per column.
    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    /// The index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// A copy with every float cell rounded to `digits` significant digits (see
    /// [`round_significant`]), for snapshot tests that must not depend on the last
    /// bits. Integers, texts and the metadata are unchanged.
    pub fn rounded(&self, digits: u32) -> Table {
        let rows = self
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| match cell {
                        Cell::Number(x) => Cell::Number(round_significant(*x, digits)),
                        other => other.clone(),
                    })
                    .collect()
            })
            .collect();
        Table {
            metadata: self.metadata.clone(),
            columns: self.columns.clone(),
            rows,
        }
    }
}

/// Writes `dir/stem.csv` and `dir/stem.json` (creating `dir` if needed) and returns
/// their paths, CSV first.
pub fn write(table: &Table, dir: &Path, stem: &str) -> Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        action: "create directory",
        path: dir.to_owned(),
        source,
    })?;
    let csv_path = dir.join(format!("{stem}.csv"));
    let json_path = dir.join(format!("{stem}.json"));
    for (path, text) in [(&csv_path, to_csv(table)), (&json_path, to_json(table))] {
        std::fs::write(path, text).map_err(|source| ReportError::Io {
            action: "write",
            path: path.clone(),
            source,
        })?;
    }
    Ok((csv_path, json_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Metadata {
        Metadata::new("test", "0.1.0")
    }

    #[test]
    fn rows_of_the_wrong_length_are_rejected() {
        let err = Table::new(
            meta(),
            vec!["a".into(), "b".into()],
            vec![vec![1.0.into(), 2.0.into()], vec![3.0.into()]],
        )
        .unwrap_err();
        assert!(matches!(
            err,
            ReportError::RowLength {
                row: 1,
                expected: 2,
                found: 1
            }
        ));
    }

    #[test]
    fn empty_and_duplicate_columns_are_rejected() {
        assert!(matches!(
            Table::new(meta(), vec![], vec![]),
            Err(ReportError::InvalidTable(_))
        ));
        assert!(matches!(
            Table::new(meta(), vec!["a".into(), "a".into()], vec![]),
            Err(ReportError::InvalidTable(_))
        ));
    }

    #[test]
    fn rounded_touches_only_floats() {
        let table = Table::new(
            meta(),
            vec!["x".into(), "n".into(), "s".into()],
            vec![vec![1.234_567.into(), 7i64.into(), "1.234567".into()]],
        )
        .unwrap();
        let rounded = table.rounded(3);
        assert_eq!(
            rounded.rows()[0],
            vec![
                Cell::Number(1.23),
                Cell::Integer(7),
                Cell::Text("1.234567".into())
            ]
        );
    }
}
