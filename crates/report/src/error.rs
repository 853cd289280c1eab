//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong while reading, writing or drawing.
///
/// Policy for bad *data* inside a figure: a point that cannot be drawn (NaN, ±∞, or
/// x or y ≤ 0 on a logarithmic axis) is skipped silently, because theory curves
/// legitimately contain +∞ (the interpolation peak) and simulations may contain
/// failed replicates. Bad *configuration* — an explicit axis range that is empty,
/// infinite or non-positive on a log axis, a colour scale that cannot map its values,
/// zero columns of panels — is an error ([`ReportError::InvalidFigure`]).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading or writing a file (or creating a directory) failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was attempted ("write", "create directory", …).
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON table (or its metadata) could not be parsed or does not have the
    /// expected structure.
    #[error("invalid JSON table: {0}")]
    Json(#[from] serde_json::Error),
    /// A CSV table could not be parsed.
    #[error("invalid CSV table at line {line}: {message}")]
    Csv {
        /// The 1-based line number where the problem was found.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A row does not have one cell per column.
    #[error("row {row} has {found} cells but the table has {expected} columns")]
    RowLength {
        /// 0-based index of the row among the data rows.
        row: usize,
        /// The number of columns.
        expected: usize,
        /// The number of cells in the row.
        found: usize,
    },
    /// A table's columns are unusable (none, or duplicated names).
    #[error("invalid table: {0}")]
    InvalidTable(String),
    /// A figure's configuration cannot be drawn (see the type's documentation for
    /// what is an error and what is skipped).
    #[error("invalid figure: {0}")]
    InvalidFigure(String),
    /// The drawing library reported an error.
    #[error("drawing failed: {0}")]
    Render(String),
}

/// `Result` with [`ReportError`] as the default error.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;
