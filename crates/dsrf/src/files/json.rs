//! Strict reading of JSON documents: every value is reached through a [`Node`] that
//! knows its path from the root, every object is opened with the list of keys it may
//! have, so an unknown key is an error at *every* level (`readout.gaussian.varaince`,
//! with "did you mean `variance`?"), and every number is checked for the range its
//! field allows before anything is allocated from it.

use std::ops::RangeInclusive;

use serde_json::{Map, Value};

use crate::{DsrfError, Result};

/// A value inside a document, with its path.
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    value: &'a Value,
    path: String,
}

/// An object whose keys have been checked against the known ones.
#[derive(Debug)]
pub(crate) struct Object<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

/// Sizes (dimensions, widths, counts) beyond this are refused outright: 2⁴⁰ is
/// already far beyond any memory, and keeping sizes small keeps every product of two
/// of them inside u128 estimates and every cast to f64 exact.
pub(crate) const MAX_SIZE: u64 = 1 << 40;

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A short rendering of a value for a message (long arrays are not repeated).
pub(crate) fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let head: String = text.chars().take(57).collect();
        format!("{head}...")
    } else {
        text
    }
}

impl<'a> Node<'a> {
    /// The document's root.
    pub(crate) fn root(value: &'a Value) -> Self {
        Node {
            value,
            path: String::new(),
        }
    }

    /// The raw value.
    pub(crate) fn value(&self) -> &'a Value {
        self.value
    }

    /// The path from the root (empty for the root itself).
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// An error about this value.
    pub(crate) fn error(&self, message: impl Into<String>) -> DsrfError {
        let field = if self.path.is_empty() {
            "(the document)".to_string()
        } else {
            self.path.clone()
        };
        DsrfError::field(field, message)
    }

    /// This value as an object with exactly the given possible keys.
    pub(crate) fn object(&self, known: &[&str]) -> Result<Object<'a>> {
        let map = self.value.as_object().ok_or_else(|| {
            self.error(format!(
                "expected an object with fields {}, got {}",
                known.join(", "),
                show(self.value)
            ))
        })?;
        if let Some(key) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(unknown_key(&self.path, key, known));
        }
        Ok(Object {
            map,
            path: self.path.clone(),
        })
    }

    /// This value as `{"form": inner}` with one key out of `forms`.
    pub(crate) fn one_of(&self, forms: &[&str]) -> Result<(&'a str, Node<'a>)> {
        let expected = || {
            self.error(format!(
                "expected exactly one of {}, got {}",
                forms
                    .iter()
                    .map(|f| format!("{{\"{f}\": ..}}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                show(self.value)
            ))
        };
        let map = self.value.as_object().ok_or_else(expected)?;
        let mut entries = map.iter();
        let (Some((key, inner)), None) = (entries.next(), entries.next()) else {
            return Err(expected());
        };
        if !forms.contains(&key.as_str()) {
            return Err(unknown_key(&self.path, key, forms));
        }
        Ok((
            key.as_str(),
            Node {
                value: inner,
                path: child(&self.path, key),
            },
        ))
    }

    /// The elements of an array.
    pub(crate) fn array(&self) -> Result<Vec<Node<'a>>> {
        let items = self
            .value
            .as_array()
            .ok_or_else(|| self.error(format!("expected an array, got {}", show(self.value))))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, value)| Node {
                value,
                path: format!("{}[{i}]", self.path),
            })
            .collect())
    }

    /// A number (JSON numbers are finite; serde_json refuses 1e400).
    pub(crate) fn number(&self) -> Result<f64> {
        self.value
            .as_f64()
            .filter(|x| x.is_finite())
            .ok_or_else(|| self.error(format!("expected a number, got {}", show(self.value))))
    }

    /// A number ≥ 0.
    pub(crate) fn non_negative(&self) -> Result<f64> {
        let x = self.number()?;
        if x < 0.0 {
            return Err(self.error(format!("expected a number ≥ 0, got {x:?}")));
        }
        Ok(x)
    }

    /// A string.
    pub(crate) fn string(&self) -> Result<&'a str> {
        self.value
            .as_str()
            .ok_or_else(|| self.error(format!("expected a string, got {}", show(self.value))))
    }

    /// A non-negative integer that fits u64 exactly (seeds): `1e3` is refused, so that
    /// a seed written as a float cannot silently lose digits.
    pub(crate) fn seed(&self) -> Result<u64> {
        self.value.as_u64().ok_or_else(|| {
            self.error(format!(
                "expected an integer in 0..=18446744073709551615 (written without a fraction or exponent), got {}",
                show(self.value)
            ))
        })
    }

    /// A whole number in `range` (sizes, counts). Integral floats such as `1e3` are
    /// accepted; fractions, negatives and values beyond the range are refused with the
    /// value as written.
    pub(crate) fn count(&self, range: RangeInclusive<u64>) -> Result<usize> {
        let out_of_range = || {
            self.error(format!(
                "expected a whole number in {}..={}, got {}",
                range.start(),
                range.end(),
                show(self.value)
            ))
        };
        let value = match self.value.as_u64() {
            Some(v) => v,
            None => {
                let x = self.value.as_f64().ok_or_else(out_of_range)?;
                if !(x.fract() == 0.0 && x >= 0.0 && x <= *range.end() as f64) {
                    return Err(out_of_range());
                }
                x as u64
            }
        };
        if !range.contains(&value) {
            return Err(out_of_range());
        }
        usize::try_from(value).map_err(|_| out_of_range())
    }

    /// An array of numbers.
    pub(crate) fn numbers(&self) -> Result<Vec<f64>> {
        self.array()?.iter().map(Node::number).collect()
    }
}

impl<'a> Object<'a> {
    /// The value of `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<Node<'a>> {
        self.map.get(key).map(|value| Node {
            value,
            path: child(&self.path, key),
        })
    }

    /// Whether `key` is present.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The value of `key`, or an error that says what to give.
    pub(crate) fn required(&self, key: &str, hint: &str) -> Result<Node<'a>> {
        self.get(key).ok_or_else(|| {
            let field = child(&self.path, key);
            let message = if hint.is_empty() {
                "is missing".to_string()
            } else {
                format!("is missing: {hint}")
            };
            DsrfError::field(field, message)
        })
    }
}

/// "unknown field `x`", with the closest known key when one is close.
fn unknown_key(path: &str, key: &str, known: &[&str]) -> DsrfError {
    let field = child(path, key);
    let suggestion = closest(key, known)
        .map(|k| format!(" — did you mean `{k}`?"))
        .unwrap_or_default();
    DsrfError::field(
        field,
        format!(
            "unknown field{suggestion} (known here: {})",
            known.join(", ")
        ),
    )
}

/// The known key within a small edit distance of `key` (typos, swapped letters).
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let limit = (key.chars().count() / 3).max(1);
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Parses JSON text; the error says where it stopped.
pub(crate) fn parse_text(text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| DsrfError::Json(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(value: Value, known: &[&str], expect: &str) {
        let err = Node::root(&value).object(known).unwrap_err().to_string();
        assert_eq!(err, expect);
    }

    #[test]
    fn unknown_keys_are_named_with_a_suggestion() {
        check(
            json!({"varaince": 1}),
            &["name", "variance"],
            "field `varaince`: unknown field — did you mean `variance`? (known here: name, variance)",
        );
        check(
            json!({"zzz": 1}),
            &["name", "variance"],
            "field `zzz`: unknown field (known here: name, variance)",
        );
        let doc = json!({"readout": {"gaussian": {"scael": 2}}});
        let root = Node::root(&doc).object(&["readout"]).unwrap();
        let (_, inner) = root.get("readout").unwrap().one_of(&["gaussian"]).unwrap();
        let err = inner.object(&["name", "scale"]).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "field `readout.gaussian.scael`: unknown field — did you mean `scale`?"
            ),
            "{err}"
        );
    }

    #[test]
    fn counts_are_whole_and_in_range() {
        let check = |v: Value, expect: Result<usize, &str>| {
            let got = Node::root(&v).count(1..=1000).map_err(|e| e.to_string());
            match (got, expect) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(a), Err(b)) => assert!(a.contains(b), "{a}"),
                (a, b) => panic!("{v}: got {a:?}, expected {b:?}"),
            }
        };
        check(json!(10), Ok(10));
        check(json!(1e3), Ok(1000));
        check(json!(0), Err("got 0"));
        check(json!(1e20), Err("got 1e+20"));
        check(json!(2.5), Err("got 2.5"));
        check(json!(-3), Err("got -3"));
        check(json!("7"), Err("got \"7\""));
    }

    #[test]
    fn seeds_keep_every_digit() {
        let v = json!(9007199254740993u64);
        assert_eq!(Node::root(&v).seed().unwrap(), 9007199254740993);
        assert!(Node::root(&json!(1e3)).seed().is_err());
        assert!(Node::root(&json!(-1)).seed().is_err());
    }

    #[test]
    fn edit_distance_counts_transpositions() {
        assert_eq!(edit_distance("varaince", "variance"), 1);
        assert_eq!(edit_distance("lamdbas", "lambdas"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
