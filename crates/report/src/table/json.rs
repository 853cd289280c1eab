//! JSON: `{"metadata": {…}, "columns": […], "rows": [[…], …]}`.
//!
//! Floats are JSON numbers written in shortest round-trip form (`1.0` stays a float,
//! `1` is an integer); NaN and ±∞ are the strings `"nan"`, `"inf"`, `"-inf"`. The
//! metadata is pretty-printed; each row stays on one line so that files remain
//! readable and diffable.

use super::{Cell, Metadata, Table};
use crate::error::Result;
use serde::Deserialize;

/// The table as JSON text (pretty metadata, one line per row).
pub fn to_json(table: &Table) -> String {
    let metadata = serde_json::to_string_pretty(table.metadata())
        .expect("metadata always serialises")
        .replace('\n', "\n  ");
    let columns = serde_json::to_string(table.columns()).expect("strings always serialise");
    let mut out =
        format!("{{\n  \"metadata\": {metadata},\n  \"columns\": {columns},\n  \"rows\": [");
    for (i, row) in table.rows().iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&serde_json::to_string(row).expect("cells always serialise"));
    }
    out.push_str(if table.rows().is_empty() {
        "]\n}\n"
    } else {
        "\n  ]\n}\n"
    });
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableRepr {
    metadata: Metadata,
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

/// Parses JSON written by [`to_json`] (any JSON layout of the same structure is
/// accepted) and checks the table's shape as [`Table::new`] does.
pub fn from_json(text: &str) -> Result<Table> {
    let repr: TableRepr = serde_json::from_str(text)?;
    Table::new(repr.metadata, repr.columns, repr.rows)
}
