//! Vectors and matrices inside documents: inline JSON or `{"npy": "file.npy"}`
//! references resolved against the document's folder.

use std::path::{Path, PathBuf};

use faer::Mat;

use super::json::{Node, show};
use super::npy::{NpyArray, read_npy};
use crate::Result;
use crate::budget::Budget;

/// Where relative `.npy` paths point and how much memory arrays may take.
#[derive(Debug, Clone)]
pub struct ReadContext {
    /// The folder of the document (relative `.npy` paths are resolved from it).
    pub base: PathBuf,
    /// Limits for arrays read from `.npy` files.
    pub budget: Budget,
}

impl ReadContext {
    /// Relative paths from `base`, the default [`Budget`].
    pub fn new(base: impl Into<PathBuf>) -> Self {
        ReadContext {
            base: base.into(),
            budget: Budget::default(),
        }
    }

    /// The same, with another budget.
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// The `.npy` array a `{"npy": "path"}` node refers to, if it is one.
    fn npy(&self, node: &Node<'_>) -> Option<Result<NpyArray>> {
        let map = node.value().as_object()?;
        if !map.contains_key("npy") {
            return None;
        }
        Some((|| {
            let object = node.object(&["npy"])?;
            let relative = object.required("npy", "")?.string()?;
            let path = self.base.join(relative);
            read_npy(&path, &self.budget).map_err(|e| node.error(e.to_string()))
        })())
    }

    /// A vector: an array of numbers or `{"npy": ..}` of shape (n,), (1, n) or (n, 1).
    pub(crate) fn vector(&self, node: &Node<'_>) -> Result<Vec<f64>> {
        if let Some(array) = self.npy(node) {
            return array?.into_vector().map_err(|m| node.error(m));
        }
        if !node.value().is_array() {
            return Err(node.error(format!(
                "expected an array of numbers or {{\"npy\": \"file.npy\"}}, got {}",
                show(node.value())
            )));
        }
        let values = node.numbers()?;
        Ok(values)
    }

    /// A matrix: an array of equally long rows or `{"npy": ..}` of two dimensions.
    pub(crate) fn matrix(&self, node: &Node<'_>) -> Result<Mat<f64>> {
        if let Some(array) = self.npy(node) {
            return array?.into_matrix().map_err(|m| node.error(m));
        }
        if !node.value().is_array() {
            return Err(node.error(format!(
                "expected an array of rows or {{\"npy\": \"file.npy\"}}, got {}",
                show(node.value())
            )));
        }
        let rows = node.array()?;
        let mut data = Vec::new();
        let mut width = None;
        for (i, row) in rows.iter().enumerate() {
            let values = row.numbers()?;
            match width {
                None => width = Some(values.len()),
                Some(w) if w != values.len() => {
                    return Err(node.error(format!(
                        "row {i} has {} entries, row 0 has {w}",
                        values.len()
                    )));
                }
                _ => {}
            }
            data.extend(values);
        }
        let cols = width.unwrap_or(0);
        Ok(Mat::from_fn(rows.len(), cols, |i, j| data[i * cols + j]))
    }
}

/// The folder relative `.npy` paths of a document at `path` are resolved from.
pub fn base_of(path: &Path) -> PathBuf {
    if path == Path::new("-") {
        return PathBuf::from(".");
    }
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}
