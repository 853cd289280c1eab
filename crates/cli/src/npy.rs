//! A reader for NumPy `.npy` files holding float arrays (format versions 1–3).
//!
//! Python users hand over large covariances as `np.save("omega.npy", omega)`; this is
//! ~10× smaller and ~100× faster to read than the same matrix in JSON. Only what such
//! arrays need is supported: dtypes `f8` and `f4` in either byte order, C or Fortran
//! order, up to two dimensions.

use std::path::Path;

use anyhow::{Context, Result, bail, ensure};

/// A float array read from a `.npy` file, converted to row-major f64.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// The shape as stored (0, 1 or 2 dimensions).
    pub shape: Vec<usize>,
    /// Entries in row-major (C) order.
    pub data: Vec<f64>,
}

/// Reads and decodes `path`.
pub fn read_npy(path: &Path) -> Result<NpyArray> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_npy(&bytes)
        .with_context(|| format!("{} is not a usable .npy float array", path.display()))
}

/// Decodes the bytes of a `.npy` file.
pub fn parse_npy(bytes: &[u8]) -> Result<NpyArray> {
    ensure!(
        bytes.len() >= 10 && &bytes[..6] == b"\x93NUMPY",
        "missing the \\x93NUMPY magic string"
    );
    let major = bytes[6];
    let (header_len, offset) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            ensure!(bytes.len() >= 12, "truncated header");
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => bail!("unsupported .npy format version {v}"),
    };
    ensure!(bytes.len() >= offset + header_len, "truncated header");
    let header =
        std::str::from_utf8(&bytes[offset..offset + header_len]).context("header is not text")?;
    let descr = dict_value(header, "descr")?;
    let descr = descr.trim().trim_matches(|c| c == '\'' || c == '"');
    let fortran = match dict_value(header, "fortran_order")?.trim() {
        "True" => true,
        "False" => false,
        other => bail!("cannot read fortran_order = {other}"),
    };
    let shape = parse_shape(&dict_value(header, "shape")?)?;
    let (size, little, single) = match descr {
        "<f8" | "=f8" => (8, true, false),
        ">f8" => (8, false, false),
        "<f4" | "=f4" => (4, true, true),
        ">f4" => (4, false, true),
        other => bail!(
            "dtype '{other}' is not supported: save the array as float64 (e.g. arr.astype(np.float64))"
        ),
    };
    ensure!(
        shape.len() <= 2,
        "expected at most 2 dimensions, found shape {shape:?}"
    );
    let bytes_needed = shape
        .iter()
        .try_fold(size, |acc: usize, &d| acc.checked_mul(d))
        .with_context(|| format!("shape {shape:?} is too large"))?;
    let body = &bytes[offset + header_len..];
    ensure!(
        body.len() == bytes_needed,
        "shape {shape:?} needs {bytes_needed} data bytes, the file has {}",
        body.len()
    );
    let mut data: Vec<f64> = body
        .chunks_exact(size)
        .map(|c| match (single, little) {
            (false, true) => f64::from_le_bytes(c.try_into().expect("8 bytes")),
            (false, false) => f64::from_be_bytes(c.try_into().expect("8 bytes")),
            (true, true) => f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64,
            (true, false) => f32::from_be_bytes(c.try_into().expect("4 bytes")) as f64,
        })
        .collect();
    if fortran && shape.len() == 2 {
        let (rows, cols) = (shape[0], shape[1]);
        let column_major = data;
        data = (0..rows * cols)
            .map(|k| column_major[(k % cols) * rows + k / cols])
            .collect();
    }
    Ok(NpyArray { shape, data })
}

/// Writes a matrix as a `.npy` file (format 1.0, little endian, C order).
pub fn write_npy(path: &Path, m: &dsrf_theory::Mat<f64>) -> Result<()> {
    let data: Vec<f64> = (0..m.nrows())
        .flat_map(|i| (0..m.ncols()).map(move |j| m[(i, j)]))
        .collect();
    std::fs::write(path, encode_f64(&[m.nrows(), m.ncols()], &data))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The bytes of a `.npy` file holding `data` (row-major) with the given shape.
pub fn encode_f64(shape: &[usize], data: &[f64]) -> Vec<u8> {
    let shape_text = match shape {
        [n] => format!("({n},)"),
        dims => format!(
            "({})",
            dims.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape_text}, }}");
    // Magic (6) + version (2) + length (2) + header + newline is a multiple of 64.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + 8 * data.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for x in data {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

/// The text of `'key': value` in the header's Python dict literal.
fn dict_value(header: &str, key: &str) -> Result<String> {
    let needle = format!("'{key}'");
    let start = header
        .find(&needle)
        .with_context(|| format!("header has no '{key}' entry"))?
        + needle.len();
    let rest = header[start..]
        .trim_start()
        .strip_prefix(':')
        .context("malformed header")?;
    let rest = rest.trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')').context("malformed shape")? + 1
    } else {
        rest.find(',')
            .or_else(|| rest.find('}'))
            .context("malformed header")?
    };
    Ok(rest[..end].to_string())
}

fn parse_shape(text: &str) -> Result<Vec<usize>> {
    let inner = text.trim().trim_start_matches('(').trim_end_matches(')');
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim_end_matches('L')
                .parse::<usize>()
                .with_context(|| format!("bad dimension '{s}'"))
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Encodes an f64 array the way `np.save` does (version 1.0, header padded to 64).
    pub(crate) fn encode(shape: &[usize], data: &[f64], fortran: bool) -> Vec<u8> {
        let shape_text = match shape.len() {
            1 => format!("({},)", shape[0]),
            _ => format!(
                "({})",
                shape
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut header = format!(
            "{{'descr': '<f8', 'fortran_order': {}, 'shape': {shape_text}, }}",
            if fortran { "True" } else { "False" }
        );
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        for x in data {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out
    }

    #[test]
    fn writes_what_it_reads() {
        let data = [1.5, -2.0, 3.25, 0.0, 1e-300, 7.0];
        let back = parse_npy(&encode_f64(&[3, 2], &data)).unwrap();
        assert_eq!((back.shape, back.data), (vec![3, 2], data.to_vec()));
    }

    #[test]
    fn reads_c_and_fortran_order() {
        let c = encode(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], false);
        let a = parse_npy(&c).unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        assert_eq!(a.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        // The same matrix stored column by column.
        let f = encode(&[2, 3], &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0], true);
        assert_eq!(parse_npy(&f).unwrap(), a);
        let v = parse_npy(&encode(&[3], &[0.1, 0.2, 0.3], false)).unwrap();
        assert_eq!((v.shape, v.data), (vec![3], vec![0.1, 0.2, 0.3]));
    }

    #[test]
    fn rejects_bad_files() {
        assert!(parse_npy(b"not a numpy file").is_err());
        let mut truncated = encode(&[4], &[1.0, 2.0, 3.0, 4.0], false);
        truncated.truncate(truncated.len() - 3);
        assert!(
            parse_npy(&truncated)
                .unwrap_err()
                .to_string()
                .contains("data bytes")
        );
        let mut ints = encode(&[1], &[1.0], false);
        let at = ints.windows(3).position(|w| w == b"<f8").unwrap();
        ints[at + 1] = b'i';
        assert!(
            parse_npy(&ints)
                .unwrap_err()
                .to_string()
                .contains("float64")
        );
    }
}
