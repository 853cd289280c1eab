//! The file formats, read and written in one place for the CLI, the xtask and the
//! Python package (feature `files`).
//!
//! * [`NetworkFile`] — network specifications (docs/network.md);
//! * [`ProblemFile`] — the problem file of `dsrf curve` (docs/curve.md);
//! * [`LinearizeFile`] — the input of `dsrf linearize` (docs/linearize.md);
//! * [`npy`] — NumPy arrays;
//! * [`output`] — writing results so that a failure never leaves a truncated file.
//!
//! Reading is strict: unknown keys are rejected at every level with their path and a
//! suggestion, sizes must be whole numbers in range, arrays are checked against the
//! memory budget before they are allocated (see [`crate::budget`]).

mod grid;
mod json;
mod linearize;
mod network;
pub mod npy;
pub mod output;
mod problem;
mod values;

use std::io::Read;
use std::path::Path;

pub use grid::{Grid, GridFields, GridUse, units_name};
pub use linearize::LinearizeFile;
pub use network::NetworkFile;
pub use problem::{Form, ProblemFile, field_of};
pub use values::{ReadContext, base_of};

use crate::{DsrfError, Result};

/// Largest JSON document read (bytes): far beyond any inline matrix one would write by
/// hand, and a guard against a path to an endless device.
pub const MAX_DOCUMENT: u64 = 1 << 32;

/// The text of the document at `path` ("-": standard input).
pub fn read_document(path: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    let limited = |reader: &mut dyn Read, bytes: &mut Vec<u8>| {
        reader.take(MAX_DOCUMENT + 1).read_to_end(bytes)
    };
    if path == Path::new("-") {
        limited(&mut std::io::stdin().lock(), &mut bytes)
            .map_err(|e| DsrfError::io("read", "standard input", e))?;
    } else {
        let mut file = std::fs::File::open(path).map_err(|e| DsrfError::io("open", path, e))?;
        limited(&mut file, &mut bytes).map_err(|e| DsrfError::io("read", path, e))?;
    }
    if bytes.len() as u64 > MAX_DOCUMENT {
        return Err(DsrfError::input(
            path.display().to_string(),
            format!(
                "the document is larger than {MAX_DOCUMENT} bytes: give large arrays as .npy files"
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        DsrfError::input(
            path.display().to_string(),
            format!(
                "the document is not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}
