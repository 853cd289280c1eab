//! NumPy `.npy` files holding float arrays (format versions 1–3).
//!
//! Python users hand over large covariances and feature matrices as
//! `np.save("omega.npy", omega)`: ~10× smaller and ~100× faster to read than the same
//! matrix in JSON. Supported: dtypes `f8` and `f4` (widened) in either byte order, C or
//! Fortran order, up to two dimensions.
//!
//! Reading is hostile-input safe: the magic string and the header are read and
//! validated first (at most [`MAX_HEADER`] bytes), the announced shape is checked
//! against the memory [`Budget`], and then exactly the announced number of bytes is
//! read — a path to `/dev/zero` or to a huge unrelated file fails at the magic string
//! or the header, never after reading the whole file.

use std::io::Read;
use std::path::Path;

use faer::Mat;

use crate::budget::Budget;
use crate::{DsrfError, Result};

/// A float array read from a `.npy` file, converted to row-major f64.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// The shape as stored (0, 1 or 2 dimensions).
    pub shape: Vec<usize>,
    /// Entries in row-major (C) order.
    pub data: Vec<f64>,
}

/// Longest header accepted (numpy writes ~128 bytes; it refuses more than 10⁴ itself).
pub const MAX_HEADER: usize = 1 << 16;

/// Reads and decodes `path`, refusing arrays beyond `budget`.
pub fn read_npy(path: &Path, budget: &Budget) -> Result<NpyArray> {
    let file = std::fs::File::open(path).map_err(|e| DsrfError::io("open", path, e))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(DsrfError::Npy {
            path: path.to_path_buf(),
            message: "it is a folder, not a file".into(),
        });
    }
    read_from(&mut std::io::BufReader::new(file), path, budget)
}

/// Decodes the bytes of a `.npy` file (no memory limit beyond the bytes given).
pub fn parse_npy(bytes: &[u8]) -> Result<NpyArray> {
    read_from(&mut &bytes[..], Path::new("(bytes)"), &Budget::unlimited())
}

/// The element type of the data.
#[derive(Clone, Copy)]
enum Dtype {
    F8 { little: bool },
    F4 { little: bool },
}

impl Dtype {
    fn size(self) -> usize {
        match self {
            Dtype::F8 { .. } => 8,
            Dtype::F4 { .. } => 4,
        }
    }

    fn decode(self, c: &[u8]) -> f64 {
        match self {
            Dtype::F8 { little: true } => f64::from_le_bytes(c.try_into().expect("8 bytes")),
            Dtype::F8 { little: false } => f64::from_be_bytes(c.try_into().expect("8 bytes")),
            Dtype::F4 { little: true } => f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64,
            Dtype::F4 { little: false } => {
                f32::from_be_bytes(c.try_into().expect("4 bytes")) as f64
            }
        }
    }
}

/// What the header announces.
struct Header {
    dtype: Dtype,
    fortran: bool,
    shape: Vec<usize>,
}

fn read_from(reader: &mut impl Read, path: &Path, budget: &Budget) -> Result<NpyArray> {
    let bad = |message: String| DsrfError::Npy {
        path: path.to_path_buf(),
        message,
    };
    let io = |e: std::io::Error| DsrfError::io("read", path, e);
    let mut prefix = [0u8; 8];
    read_exact_or(reader, &mut prefix, path, "the magic string")?;
    if &prefix[..6] != b"\x93NUMPY" {
        return Err(bad("missing the \\x93NUMPY magic string".into()));
    }
    let header_len = match prefix[6] {
        1 => {
            let mut len = [0u8; 2];
            read_exact_or(reader, &mut len, path, "the header length")?;
            u16::from_le_bytes(len) as usize
        }
        2 | 3 => {
            let mut len = [0u8; 4];
            read_exact_or(reader, &mut len, path, "the header length")?;
            u32::from_le_bytes(len) as usize
        }
        v => return Err(bad(format!("unsupported .npy format version {v}"))),
    };
    if header_len > MAX_HEADER {
        return Err(bad(format!(
            "the header claims {header_len} bytes (at most {MAX_HEADER} are accepted)"
        )));
    }
    let mut header = vec![0u8; header_len];
    read_exact_or(reader, &mut header, path, "the header")?;
    let header = std::str::from_utf8(&header).map_err(|_| bad("the header is not text".into()))?;
    let Header {
        dtype,
        fortran,
        shape,
    } = parse_header(header).map_err(bad)?;
    let entries = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad(format!("shape {shape:?} does not fit in memory")))?;
    let data_bytes = (entries as u128) * dtype.size() as u128;
    // The raw bytes plus the f64 copy.
    budget.check_memory(
        &format!("the array in {} (shape {shape:?})", path.display()),
        data_bytes + 8 * entries as u128,
    )?;
    let mut body = vec![0u8; data_bytes as usize];
    read_exact_or(reader, &mut body, path, "the data")?;
    let mut extra = [0u8; 1];
    if reader.read(&mut extra).map_err(io)? != 0 {
        return Err(bad(format!(
            "the file holds more than the {data_bytes} data bytes that shape {shape:?} announces"
        )));
    }
    let mut data: Vec<f64> = body
        .chunks_exact(dtype.size())
        .map(|c| dtype.decode(c))
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

/// `read_exact`, with a message that says which part was cut short.
fn read_exact_or(reader: &mut impl Read, buf: &mut [u8], path: &Path, part: &str) -> Result<()> {
    reader.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => DsrfError::Npy {
            path: path.to_path_buf(),
            message: format!("the file ends inside {part} ({} bytes expected)", buf.len()),
        },
        _ => DsrfError::io("read", path, e),
    })
}

fn parse_header(header: &str) -> Result<Header, String> {
    let descr = dict_value(header, "descr")?;
    let descr = descr.trim().trim_matches(|c| c == '\'' || c == '"');
    let dtype = match descr {
        "<f8" | "=f8" => Dtype::F8 { little: true },
        ">f8" => Dtype::F8 { little: false },
        "<f4" | "=f4" => Dtype::F4 { little: true },
        ">f4" => Dtype::F4 { little: false },
        other => {
            return Err(format!(
                "dtype '{other}' is not supported: save the array as float64 (e.g. arr.astype(np.float64))"
            ));
        }
    };
    let fortran = match dict_value(header, "fortran_order")?.trim() {
        "True" => true,
        "False" => false,
        other => return Err(format!("cannot read fortran_order = {other}")),
    };
    let shape = parse_shape(&dict_value(header, "shape")?)?;
    if shape.len() > 2 {
        return Err(format!(
            "expected at most 2 dimensions, found shape {shape:?}"
        ));
    }
    Ok(Header {
        dtype,
        fortran,
        shape,
    })
}

/// The text of `'key': value` in the header's Python dict literal.
fn dict_value(header: &str, key: &str) -> Result<String, String> {
    let needle = format!("'{key}'");
    let start = header
        .find(&needle)
        .ok_or_else(|| format!("the header has no '{key}' entry"))?
        + needle.len();
    let rest = header[start..]
        .trim_start()
        .strip_prefix(':')
        .ok_or("malformed header")?
        .trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')').ok_or("malformed shape")? + 1
    } else {
        rest.find(',')
            .or_else(|| rest.find('}'))
            .ok_or("malformed header")?
    };
    Ok(rest[..end].to_string())
}

fn parse_shape(text: &str) -> Result<Vec<usize>, String> {
    let inner = text.trim().trim_start_matches('(').trim_end_matches(')');
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim_end_matches('L')
                .parse::<usize>()
                .map_err(|_| format!("bad dimension '{s}' in the shape"))
        })
        .collect()
}

impl NpyArray {
    /// The array as a vector (shape (n,), (1, n) or (n, 1)).
    pub fn into_vector(self) -> Result<Vec<f64>, String> {
        match self.shape.as_slice() {
            [_] | [1, _] | [_, 1] => Ok(self.data),
            s => Err(format!("expected a vector, the .npy array has shape {s:?}")),
        }
    }

    /// The array as a matrix (shape (rows, cols)).
    pub fn into_matrix(self) -> Result<Mat<f64>, String> {
        let [rows, cols] = self.shape[..] else {
            return Err(format!(
                "expected a 2-D array, the .npy array has shape {:?}",
                self.shape
            ));
        };
        Ok(Mat::from_fn(rows, cols, |i, j| self.data[i * cols + j]))
    }
}

/// The bytes of a `.npy` file holding `data` (row-major) with the given shape
/// (format 1.0, little endian, C order, header padded to 64 bytes as numpy does).
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

/// The bytes of a matrix as a `.npy` file.
pub fn encode_matrix(m: &Mat<f64>) -> Vec<u8> {
    let data: Vec<f64> = (0..m.nrows())
        .flat_map(|i| (0..m.ncols()).map(move |j| m[(i, j)]))
        .collect();
    encode_f64(&[m.nrows(), m.ncols()], &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_it_reads() {
        let data = [1.5, -2.0, 3.25, 0.0, 1e-300, 7.0];
        let back = parse_npy(&encode_f64(&[3, 2], &data)).unwrap();
        assert_eq!((back.shape, back.data), (vec![3, 2], data.to_vec()));
        let v = parse_npy(&encode_f64(&[3], &[0.1, 0.2, 0.3])).unwrap();
        assert_eq!((v.shape, v.data), (vec![3], vec![0.1, 0.2, 0.3]));
    }

    #[test]
    fn reads_fortran_order() {
        let mut f = encode_f64(&[2, 3], &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        let at = f.windows(5).position(|w| w == b"False").unwrap();
        f.splice(at..at + 5, *b"True ");
        let a = parse_npy(&f).unwrap();
        assert_eq!(a.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    }

    fn check(bytes: &[u8], expect: &str) {
        let err = parse_npy(bytes).unwrap_err().to_string();
        assert!(err.contains(expect), "{err}");
    }

    #[test]
    fn rejects_bad_files() {
        check(b"not a numpy file", "magic");
        check(&[0u8; 4096], "magic");
        let good = encode_f64(&[4], &[1.0, 2.0, 3.0, 4.0]);
        check(&good[..good.len() - 3], "ends inside the data");
        check(&good[..20], "ends inside the header");
        let mut longer = good.clone();
        longer.push(0);
        check(&longer, "more than the 32 data bytes");
        let mut ints = good.clone();
        let at = ints.windows(3).position(|w| w == b"<f8").unwrap();
        ints[at + 1] = b'i';
        check(&ints, "float64");
        let mut v9 = good.clone();
        v9[6] = 9;
        check(&v9, "version 9");
    }

    #[test]
    fn huge_shapes_are_refused_before_reading() {
        let mut header = encode_f64(&[10_000_000_000, 10_000_000_000], &[]);
        // A 10¹⁰ × 10¹⁰ header: no product of its dimensions fits in memory.
        check(&header, "does not fit");
        header = encode_f64(&[100_000, 100_000], &[]);
        let budget = Budget {
            memory_bytes: 1 << 30,
            ..Budget::unlimited()
        };
        let err = read_from(&mut &header[..], Path::new("x.npy"), &budget)
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.npy") && err.contains("memory"), "{err}");
    }
}
