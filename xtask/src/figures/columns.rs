//! Reading columns of a published table back by name: the renderers and summaries
//! work from the table alone (so that merged shards render identically), and this is
//! the one place that turns cells into numbers and labels.

use anyhow::{Context, Result, anyhow};
use dsrf_report::{Cell, Table};

/// Row-wise access to a table by column name.
pub struct Rows<'a> {
    table: &'a Table,
}

impl<'a> Rows<'a> {
    /// Wraps a table.
    pub fn new(table: &'a Table) -> Self {
        Rows { table }
    }

    fn index(&self, name: &str) -> Result<usize> {
        self.table.column_index(name).ok_or_else(|| {
            anyhow!(
                "table `{}` has no column `{name}`",
                self.table.metadata().figure
            )
        })
    }

    /// A numeric column (integers converted; texts are an error).
    pub fn numbers(&self, name: &str) -> Result<Vec<f64>> {
        let i = self.index(name)?;
        self.table
            .rows()
            .iter()
            .enumerate()
            .map(|(r, row)| {
                row[i]
                    .as_f64()
                    .with_context(|| format!("column `{name}`, row {r}: expected a number"))
            })
            .collect()
    }

    /// A column rendered as text (numbers in their shortest form), for grouping keys.
    pub fn texts(&self, name: &str) -> Result<Vec<String>> {
        let i = self.index(name)?;
        Ok(self.table.rows().iter().map(|row| key(&row[i])).collect())
    }
}

/// A cell as a grouping key.
pub fn key(cell: &Cell) -> String {
    match cell {
        Cell::Number(x) => format!("{x}"),
        Cell::Integer(i) => i.to_string(),
        Cell::Text(s) => s.clone(),
    }
}

/// The distinct values of `values`, in order of first appearance.
pub fn distinct(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}
