//! Reading numbers, vectors and matrices out of JSON documents, inline or as `.npy`
//! references, with errors that name the field.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use dsrf_theory::Mat;
use serde_json::{Map, Value};

use crate::npy::read_npy;

/// Reads a JSON document from `path` ("-" for standard input) and returns it with
/// the folder that relative `.npy` paths are resolved against.
pub fn read_json(path: &Path, what: &str) -> Result<(Value, PathBuf)> {
    let (text, base) = if path == Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .with_context(|| format!("cannot read the {what} from standard input"))?;
        (s, PathBuf::from("."))
    } else {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        (
            text,
            path.parent().map(Path::to_path_buf).unwrap_or_default(),
        )
    };
    let value =
        serde_json::from_str(&text).with_context(|| format!("the {what} is not valid JSON"))?;
    Ok((value, base))
}

pub fn scalar(obj: &Map<String, Value>, field: &str) -> Result<Option<f64>> {
    match obj.get(field) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| anyhow!("field `{field}`: expected a number, got {v}")),
    }
}

pub fn number_list(obj: &Map<String, Value>, field: &str) -> Result<Option<Vec<f64>>> {
    match obj.get(field) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_f64()
                    .ok_or_else(|| anyhow!("field `{field}[{i}]`: expected a number, got {v}"))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(v) => bail!("field `{field}`: expected an array of numbers, got {v}"),
    }
}

pub fn vector(obj: &Map<String, Value>, field: &str, base: &Path) -> Result<Option<Vec<f64>>> {
    obj.get(field)
        .map(|v| vector_value(v, field, base))
        .transpose()
}

pub fn matrix(obj: &Map<String, Value>, field: &str, base: &Path) -> Result<Option<Mat<f64>>> {
    obj.get(field)
        .map(|v| matrix_value(v, field, base))
        .transpose()
}

fn npy_path(value: &Value, base: &Path) -> Option<Result<PathBuf>> {
    let obj = value.as_object()?;
    let path = obj.get("npy")?;
    Some(match (path.as_str(), obj.len()) {
        (Some(p), 1) => Ok(base.join(p)),
        _ => Err(anyhow!("expected {{\"npy\": \"path/to/file.npy\"}}")),
    })
}

pub fn vector_value(value: &Value, field: &str, base: &Path) -> Result<Vec<f64>> {
    if let Some(path) = npy_path(value, base) {
        let array = read_npy(&path.with_context(|| format!("field `{field}`"))?)
            .with_context(|| format!("field `{field}`"))?;
        return match array.shape.as_slice() {
            [_] => Ok(array.data),
            [1, _] | [_, 1] => Ok(array.data),
            s => bail!("field `{field}`: expected a vector, the .npy array has shape {s:?}"),
        };
    }
    let items = value.as_array().ok_or_else(|| {
        anyhow!("field `{field}`: expected an array of numbers or {{\"npy\": ..}}")
    })?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_f64()
                .ok_or_else(|| anyhow!("field `{field}[{i}]`: expected a number, got {v}"))
        })
        .collect()
}

pub fn matrix_value(value: &Value, field: &str, base: &Path) -> Result<Mat<f64>> {
    if let Some(path) = npy_path(value, base) {
        let array = read_npy(&path.with_context(|| format!("field `{field}`"))?)
            .with_context(|| format!("field `{field}`"))?;
        let [rows, cols] = array.shape[..] else {
            bail!(
                "field `{field}`: expected a 2-D array, the .npy array has shape {:?}",
                array.shape
            );
        };
        return Ok(Mat::from_fn(rows, cols, |i, j| array.data[i * cols + j]));
    }
    let rows = value
        .as_array()
        .ok_or_else(|| anyhow!("field `{field}`: expected an array of rows or {{\"npy\": ..}}"))?;
    let mut data = Vec::with_capacity(rows.len());
    let mut width = None;
    for (i, row) in rows.iter().enumerate() {
        let row = row
            .as_array()
            .ok_or_else(|| anyhow!("field `{field}[{i}]`: expected a row (an array of numbers)"))?;
        match width {
            None => width = Some(row.len()),
            Some(w) if w != row.len() => bail!(
                "field `{field}`: row {i} has {} entries, row 0 has {w}",
                row.len()
            ),
            _ => {}
        }
        for (j, v) in row.iter().enumerate() {
            data.push(
                v.as_f64().ok_or_else(|| {
                    anyhow!("field `{field}[{i}][{j}]`: expected a number, got {v}")
                })?,
            );
        }
    }
    let cols = width.unwrap_or(0);
    Ok(Mat::from_fn(rows.len(), cols, |i, j| data[i * cols + j]))
}
