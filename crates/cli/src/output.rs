//! Rows as JSON (an array of objects) or CSV (a header plus rows), and writing them.
//!
//! Both formats carry the same columns in the same order. Floats are written in the
//! shortest form that reads back to the same f64; integers (seeds, counts) exactly as
//! u64; infinities (the interpolation peak at λ = 0, λ* → ∞) as the string `"inf"` in
//! JSON and `inf` in CSV; an undefined value (a relative deviation against a zero
//! theory) as `null` in JSON and an empty field in CSV. NaN never appears: the
//! libraries do not produce it, and [`Table::push`] refuses it.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;

/// The `--format` of the table-writing commands.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

/// Writes `text` to `out` (through a temporary file and a rename, so a failure never
/// leaves a truncated file), or to standard output when no file is given.
pub fn emit(text: &str, out: Option<&Path>) -> Result<()> {
    match out {
        Some(path) => Ok(dsrf::files::output::write_atomic(path, text.as_bytes())?),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .context("cannot write to standard output"),
    }
}

/// A cell value.
#[derive(Debug, Clone)]
pub enum Cell {
    /// A number (finite or infinite, never NaN).
    Number(f64),
    /// An integer written exactly (seeds are u64 and must not pass through f64).
    Integer(u64),
    /// A short label such as `"code"` or `"interior"`.
    Text(&'static str),
    /// Undefined (documented per column).
    Missing,
}

impl Cell {
    /// A number, or `Missing` for `None`.
    pub fn maybe(x: Option<f64>) -> Cell {
        x.map_or(Cell::Missing, Cell::Number)
    }

    fn render(&self, quote_text: bool) -> String {
        match self {
            Cell::Number(x) if x.is_infinite() => {
                let s = if *x > 0.0 { "inf" } else { "-inf" };
                if quote_text {
                    format!("\"{s}\"")
                } else {
                    s.into()
                }
            }
            Cell::Number(x) => format_number(*x),
            Cell::Integer(k) => k.to_string(),
            Cell::Text(t) if quote_text => format!("\"{t}\""),
            Cell::Text(t) => t.to_string(),
            Cell::Missing if quote_text => "null".into(),
            Cell::Missing => String::new(),
        }
    }
}

/// Rows with a fixed set of columns.
pub struct Table {
    columns: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(columns: Vec<&'static str>) -> Self {
        Self {
            columns,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) -> Result<()> {
        assert_eq!(row.len(), self.columns.len(), "row width");
        for (name, cell) in self.columns.iter().zip(&row) {
            if let Cell::Number(x) = cell {
                if x.is_nan() {
                    bail!("internal error: column `{name}` would be NaN; please report this input");
                }
            }
        }
        self.rows.push(row);
        Ok(())
    }

    pub fn to_json(&self) -> String {
        let mut out = String::from("[\n");
        for (r, row) in self.rows.iter().enumerate() {
            let fields: Vec<String> = self
                .columns
                .iter()
                .zip(row)
                .map(|(name, cell)| format!("\"{name}\": {}", cell.render(true)))
                .collect();
            out.push_str("  {");
            out.push_str(&fields.join(", "));
            out.push('}');
            if r + 1 < self.rows.len() {
                out.push(',');
            }
            out.push('\n');
        }
        out.push_str("]\n");
        out
    }

    pub fn to_csv(&self) -> String {
        let mut out = self.columns.join(",");
        out.push('\n');
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| c.render(false)).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }

    /// The table in the chosen format.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.to_json(),
            Format::Csv => self.to_csv(),
        }
    }
}

/// The columns `dsrf simulate` and `dsrf empirical` share, first to last.
pub const COMPARISON_COLUMNS: [&str; 12] = [
    "n",
    "lambda",
    "units",
    "lambda_code",
    "test_error_mean",
    "test_error_std",
    "test_error_stderr",
    "train_error_mean",
    "train_error_std",
    "theory_test_error",
    "theory_train_error",
    "relative_deviation",
];

/// The shared cells of one point of ridge on samples next to the theory.
pub fn comparison_cells(point: &dsrf::compare::PointComparison, units: &'static str) -> Vec<Cell> {
    vec![
        Cell::Integer(point.n as u64),
        Cell::Number(point.penalty.value()),
        Cell::Text(units),
        Cell::Number(point.lambda_code),
        Cell::Number(point.test.mean),
        Cell::Number(point.test.std),
        Cell::Number(point.test.stderr),
        Cell::Number(point.train.mean),
        Cell::Number(point.train.std),
        Cell::Number(point.theory.test_error),
        Cell::Number(point.theory.train_error),
        Cell::maybe(point.relative_deviation),
    ]
}

/// Shortest round-trip representation; integers below 2⁵³ without a fraction.
pub fn format_number(x: f64) -> String {
    if x == x.trunc() && x.abs() < 9.007_199_254_740_992e15 {
        format!("{}", x as i64)
    } else {
        serde_json::Number::from_f64(x)
            .map(|n| n.to_string())
            .unwrap_or_else(|| if x > 0.0 { "inf".into() } else { "-inf".into() })
    }
}

/// `[a, b, c]` with exact numbers.
pub fn list(v: &[f64]) -> String {
    format!(
        "[{}]",
        v.iter()
            .map(|x| format_number(*x))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_exactly_and_infinities_as_text() {
        assert_eq!(format_number(100.0), "100");
        assert_eq!(format_number(0.1), "0.1");
        assert_eq!(format_number(1e-12), "1e-12");
        assert_eq!(format_number(3.845138650730001), "3.845138650730001");
        let mut t = Table::new(vec!["n", "test_error", "optimum", "seed", "deviation"]);
        t.push(vec![
            Cell::Number(2.0),
            Cell::Number(f64::INFINITY),
            Cell::Text("interior"),
            Cell::Integer(9007199254740993),
            Cell::Missing,
        ])
        .unwrap();
        assert_eq!(
            t.to_csv(),
            "n,test_error,optimum,seed,deviation\n2,inf,interior,9007199254740993,\n"
        );
        assert_eq!(
            t.to_json(),
            "[\n  {\"n\": 2, \"test_error\": \"inf\", \"optimum\": \"interior\", \"seed\": 9007199254740993, \"deviation\": null}\n]\n"
        );
        assert!(
            t.push(vec![
                Cell::Number(f64::NAN),
                Cell::Number(0.0),
                Cell::Text("x"),
                Cell::Integer(0),
                Cell::Missing
            ])
            .is_err()
        );
    }
}
