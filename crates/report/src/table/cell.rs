//! One value of a table: a float, an integer or a text.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// One cell of a [`Table`](crate::Table).
///
/// Floats keep their type through every format: CSV and JSON write them so that they
/// read back as floats (`1.0`, never `1`) with every bit intact. Non-finite floats are
/// written `nan`, `inf` and `-inf` — bare in CSV, as strings in JSON (which has no
/// such numbers). Consequently a [`Cell::Text`] whose content is exactly one of those
/// three words reads back from JSON as a number; CSV quotes such texts and keeps them.
///
/// Equality is bitwise for floats (`NaN == NaN`, `0.0 != -0.0`), which is what a
/// round-trip test wants.
#[derive(Debug, Clone)]
pub enum Cell {
    /// A float, possibly NaN or infinite.
    Number(f64),
    /// An integer (counts, seeds, dimensions).
    Integer(i64),
    /// A text (a label, a method name).
    Text(String),
}

impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Cell::Number(a), Cell::Number(b)) => {
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
            }
            (Cell::Integer(a), Cell::Integer(b)) => a == b,
            (Cell::Text(a), Cell::Text(b)) => a == b,
            _ => false,
        }
    }
}

impl Cell {
    /// The value as a float: numbers as they are, integers converted, texts `None`.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Cell::Number(x) => Some(x),
            Cell::Integer(i) => Some(i as f64),
            Cell::Text(_) => None,
        }
    }
}

/// The spelling of a non-finite float, shared by CSV and JSON.
pub(crate) fn non_finite_word(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("nan")
    } else if x == f64::INFINITY {
        Some("inf")
    } else if x == f64::NEG_INFINITY {
        Some("-inf")
    } else {
        None
    }
}

/// The float spelled by a non-finite word, if `word` is one.
pub(crate) fn parse_non_finite(word: &str) -> Option<f64> {
    match word {
        "nan" => Some(f64::NAN),
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// A float as text that reads back bit-exactly *as a float*: Rust's `Debug` is the
/// shortest round-trip representation and always contains `.` or `e` (`1.0`, `1e-7`).
pub(crate) fn format_float(x: f64) -> String {
    match non_finite_word(x) {
        Some(word) => word.to_owned(),
        None => format!("{x:?}"),
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Self {
        Cell::Number(x)
    }
}

impl From<i64> for Cell {
    fn from(i: i64) -> Self {
        Cell::Integer(i)
    }
}

impl From<i32> for Cell {
    fn from(i: i32) -> Self {
        Cell::Integer(i64::from(i))
    }
}

impl From<u32> for Cell {
    fn from(i: u32) -> Self {
        Cell::Integer(i64::from(i))
    }
}

impl From<usize> for Cell {
    /// Sizes beyond `i64::MAX` (impossible in practice) saturate.
    fn from(i: usize) -> Self {
        Cell::Integer(i64::try_from(i).unwrap_or(i64::MAX))
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Number(x) => match non_finite_word(*x) {
                Some(word) => serializer.serialize_str(word),
                None => serializer.serialize_f64(*x),
            },
            Cell::Integer(i) => serializer.serialize_i64(*i),
            Cell::Text(s) => serializer.serialize_str(s),
        }
    }
}

struct CellVisitor;

impl Visitor<'_> for CellVisitor {
    type Value = Cell;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, an integer or a string")
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Cell, E> {
        Ok(Cell::Number(x))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Cell, E> {
        Ok(Cell::Integer(i))
    }

    fn visit_u64<E: de::Error>(self, i: u64) -> Result<Cell, E> {
        i64::try_from(i)
            .map(Cell::Integer)
            .map_err(|_| E::custom(format!("integer {i} does not fit in i64")))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Cell, E> {
        Ok(parse_non_finite(s).map_or_else(|| Cell::Text(s.to_owned()), Cell::Number))
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CellVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_written_as_floats() {
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(1e-7), "1e-7");
        assert_eq!(format_float(-0.0), "-0.0");
        assert_eq!(format_float(f64::NAN), "nan");
        assert_eq!(format_float(f64::NEG_INFINITY), "-inf");
        assert_eq!(format_float(0.1 + 0.2).parse::<f64>().unwrap(), 0.1 + 0.2);
    }

    #[test]
    fn equality_is_bitwise() {
        assert_eq!(Cell::Number(f64::NAN), Cell::Number(f64::NAN));
        assert_ne!(Cell::Number(0.0), Cell::Number(-0.0));
        assert_ne!(Cell::Number(1.0), Cell::Integer(1));
    }
}
