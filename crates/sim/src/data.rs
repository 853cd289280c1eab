//! Real image data: the IDX format of MNIST and Fashion-MNIST (plain or gzip), class
//! maps, the usual normalisation and seeded random splits.

use std::io::Read;
use std::path::Path;

use faer::Mat;
use rand::seq::SliceRandom;

use crate::gaussian::stream;
use crate::{SimError, error::input};

/// An IDX array of unsigned bytes (the only element type the image sets use).
#[derive(Debug, Clone, PartialEq)]
pub struct IdxArray {
    /// Dimensions, e.g. (n, 28, 28) for images or (n) for labels.
    pub dims: Vec<usize>,
    /// Entries in row-major order.
    pub data: Vec<u8>,
}

/// Reads an IDX file, gunzipping it first when it starts with the gzip magic bytes.
pub fn read_idx(path: &Path) -> Result<IdxArray, SimError> {
    let what = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| input(&what, format!("cannot read: {e}")))?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| input(&what, format!("not a valid gzip file: {e}")))?;
        out
    } else {
        bytes
    };
    parse_idx(&bytes).map_err(|e| match e {
        SimError::Input { message, .. } => input(&what, message),
        other => other,
    })
}

/// Decodes the bytes of an (uncompressed) IDX file with unsigned-byte entries.
pub fn parse_idx(bytes: &[u8]) -> Result<IdxArray, SimError> {
    parse_idx_bytes(bytes).map_err(|message| input("IDX data", message))
}

fn parse_idx_bytes(bytes: &[u8]) -> Result<IdxArray, String> {
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 {
        return Err("missing the IDX magic number (two zero bytes, type, rank)".into());
    }
    if bytes[2] != 0x08 {
        return Err(format!(
            "element type 0x{:02x} is not supported (only unsigned bytes, 0x08)",
            bytes[2]
        ));
    }
    let rank = bytes[3] as usize;
    let header = 4 + 4 * rank;
    if bytes.len() < header {
        return Err("truncated header".into());
    }
    let dims: Vec<usize> = (0..rank)
        .map(|k| {
            u32::from_be_bytes(bytes[4 + 4 * k..8 + 4 * k].try_into().expect("4 bytes")) as usize
        })
        .collect();
    let count = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or("dimensions overflow")?;
    if bytes.len() - header != count {
        return Err(format!(
            "dimensions {dims:?} need {count} data bytes, the file has {}",
            bytes.len() - header
        ));
    }
    Ok(IdxArray {
        dims,
        data: bytes[header..].to_vec(),
    })
}

impl IdxArray {
    /// The bytes of an uncompressed IDX file (the inverse of [`parse_idx`]).
    pub fn encode(&self) -> Result<Vec<u8>, SimError> {
        let count: usize = self.dims.iter().product();
        if count != self.data.len() || self.dims.len() > 255 {
            return Err(input(
                "IDX data",
                format!(
                    "dimensions {:?} do not match {} entries",
                    self.dims,
                    self.data.len()
                ),
            ));
        }
        let mut out = vec![0, 0, 0x08, self.dims.len() as u8];
        for &d in &self.dims {
            let d = u32::try_from(d)
                .map_err(|_| input("IDX data", format!("dimension {d} exceeds the IDX limit")))?;
            out.extend_from_slice(&d.to_be_bytes());
        }
        out.extend_from_slice(&self.data);
        Ok(out)
    }
}

/// Inputs (d × n, samples as columns) with one label each.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Samples as columns.
    pub inputs: Mat<f64>,
    /// Labels.
    pub labels: Vec<f64>,
}

/// The paper's MNIST task: even digits → +1, odd → −1.
pub fn parity(class: u8) -> Option<f64> {
    Some(if class % 2 == 0 { 1.0 } else { -1.0 })
}

/// The authors' Fashion-MNIST task: {T-shirt/top (0), Shirt (6)} → −1,
/// {Pullover (2), Coat (4)} → +1; other classes are dropped.
pub fn fashion_tops(class: u8) -> Option<f64> {
    match class {
        0 | 6 => Some(-1.0),
        2 | 4 => Some(1.0),
        _ => None,
    }
}

/// Pairs an image file with a label file, keeping the samples whose class `class_map`
/// maps to a label. Pixels are read as numbers 0–255.
pub fn load_idx_dataset(
    images: &IdxArray,
    labels: &IdxArray,
    class_map: impl Fn(u8) -> Option<f64>,
) -> Result<Dataset, SimError> {
    let n = *images
        .dims
        .first()
        .ok_or_else(|| input("images", "an IDX image file has at least one dimension"))?;
    if labels.dims != [n] {
        return Err(input(
            "labels",
            format!(
                "expected {n} labels (one per image), the label file has dimensions {:?}",
                labels.dims
            ),
        ));
    }
    let d: usize = images.dims[1..].iter().product();
    let kept: Vec<(usize, f64)> = labels
        .data
        .iter()
        .enumerate()
        .filter_map(|(i, &c)| class_map(c).map(|y| (i, y)))
        .collect();
    let inputs = Mat::from_fn(d, kept.len(), |p, j| images.data[kept[j].0 * d + p] as f64);
    Ok(Dataset {
        inputs,
        labels: kept.iter().map(|k| k.1).collect(),
    })
}

impl Dataset {
    /// The authors' normalisation: subtract the pixel-wise mean, divide by the global
    /// standard deviation of the centred pixels.
    pub fn normalize(&mut self) {
        let (d, n) = (self.inputs.nrows(), self.inputs.ncols());
        if n == 0 {
            return;
        }
        let mean: Vec<f64> = (0..d)
            .map(|i| (0..n).map(|j| self.inputs[(i, j)]).sum::<f64>() / n as f64)
            .collect();
        let var = (0..n)
            .flat_map(|j| (0..d).map(move |i| (i, j)))
            .map(|(i, j)| (self.inputs[(i, j)] - mean[i]).powi(2))
            .sum::<f64>()
            / (n * d) as f64;
        let scale = if var > 0.0 { 1.0 / var.sqrt() } else { 1.0 };
        self.inputs = Mat::from_fn(d, n, |i, j| (self.inputs[(i, j)] - mean[i]) * scale);
    }

    /// The samples with the given indices.
    pub fn subset(&self, indices: &[usize]) -> Dataset {
        Dataset {
            inputs: Mat::from_fn(self.inputs.nrows(), indices.len(), |i, j| {
                self.inputs[(i, indices[j])]
            }),
            labels: indices.iter().map(|&k| self.labels[k]).collect(),
        }
    }
}

/// A seeded random partition of 0..n into parts of the given proportions (which must
/// sum to at most 1; rounding gives the last part the remainder of its share).
pub fn split(n: usize, proportions: &[f64], seed: u64) -> Result<Vec<Vec<usize>>, SimError> {
    let total: f64 = proportions.iter().sum();
    if proportions.iter().any(|p| !(p.is_finite() && *p >= 0.0)) || total > 1.0 + 1e-12 {
        return Err(input(
            "proportions",
            format!("must be ≥ 0 and sum to at most 1, got {proportions:?}"),
        ));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut stream(seed, 0));
    let mut parts = Vec::with_capacity(proportions.len());
    let mut start = 0;
    let mut cumulative = 0.0;
    for p in proportions {
        cumulative += p;
        let end = ((cumulative * n as f64).round() as usize).min(n);
        parts.push(order[start..end.max(start)].to_vec());
        start = end.max(start);
    }
    Ok(parts)
}
