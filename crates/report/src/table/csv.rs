//! CSV with a `# key: value` metadata header (layout documented at [`to_csv`]).

use super::cell::{Cell, format_float, parse_non_finite};
use super::{Metadata, Table};
use crate::error::{ReportError, Result};

/// The table as CSV text.
///
/// Layout: comment lines `# figure: …`, `# version: …`, `# commit: …` (if known),
/// `# wall_time_seconds: …` (if known), `# seeds: […]` and `# parameters: {…}`
/// (compact JSON on one line; strings that would be ambiguous bare are written as
/// JSON string literals); then the header line and one line per row (RFC 4180
/// quoting, `\n` line ends). Floats are written in Rust's shortest round-trip form,
/// always with a `.` or an exponent so that they read back as floats; non-finite
/// floats as `nan`, `inf`, `-inf`; integers without a point; texts are quoted
/// whenever they could be mistaken for a number, contain a separator, a quote or a
/// line break, have surrounding spaces, or start with `#`.
pub fn to_csv(table: &Table) -> String {
    let meta = table.metadata();
    let mut out = String::new();
    push_comment(&mut out, "figure", &header_string(&meta.figure));
    push_comment(&mut out, "version", &header_string(&meta.version));
    if let Some(commit) = &meta.commit {
        push_comment(&mut out, "commit", &header_string(commit));
    }
    if let Some(seconds) = meta.wall_time_seconds {
        push_comment(&mut out, "wall_time_seconds", &format_float(seconds));
    }
    push_comment(&mut out, "seeds", &compact_json(&meta.seeds));
    push_comment(&mut out, "parameters", &compact_json(&meta.parameters));
    let header: Vec<String> = table.columns().iter().map(|c| quote_text(c)).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for row in table.rows() {
        let fields: Vec<String> = row.iter().map(format_cell).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// Parses CSV written by [`to_csv`]: the metadata comments (`figure` and `version`
/// required, unknown keys rejected), the header and the rows, whose shape is checked
/// as by [`Table::new`]. Unquoted fields become numbers (`nan`, `inf`, `-inf`
/// included) or integers when they have that syntax, texts otherwise; quoted fields
/// are always texts.
pub fn from_csv(text: &str) -> Result<Table> {
    let mut figure = None;
    let mut version = None;
    let mut meta = Metadata::new("", "");
    let mut body_start = 0;
    let mut line_number = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if !content.starts_with('#') {
            break;
        }
        line_number += 1;
        body_start += line.len();
        let error = |message: String| ReportError::Csv {
            line: line_number,
            message,
        };
        let Some((key, value)) = content[1..].trim_start().split_once(':') else {
            return Err(error(format!("expected `# key: value`, found {content:?}")));
        };
        let value = value.trim();
        match key.trim() {
            "figure" => figure = Some(parse_header_string(value).map_err(error)?),
            "version" => version = Some(parse_header_string(value).map_err(error)?),
            "commit" => meta.commit = Some(parse_header_string(value).map_err(error)?),
            "wall_time_seconds" => {
                let seconds = parse_non_finite(value)
                    .or_else(|| value.parse().ok())
                    .ok_or_else(|| error(format!("wall time {value:?} is not a number")))?;
                meta.wall_time_seconds = Some(seconds);
            }
            "seeds" => {
                meta.seeds = serde_json::from_str(value)
                    .map_err(|e| error(format!("seeds are not a JSON list of integers: {e}")))?;
            }
            "parameters" => {
                meta.parameters = serde_json::from_str(value)
                    .map_err(|e| error(format!("parameters are not a JSON object: {e}")))?;
            }
            other => return Err(error(format!("unknown metadata key {other:?}"))),
        }
    }
    let missing = |key: &str| ReportError::Csv {
        line: line_number,
        message: format!("missing `# {key}:` line"),
    };
    meta.figure = figure.ok_or_else(|| missing("figure"))?;
    meta.version = version.ok_or_else(|| missing("version"))?;

    let mut records = parse_records(&text[body_start..], line_number + 1)?.into_iter();
    let Some((_, header)) = records.next() else {
        return Err(ReportError::Csv {
            line: line_number + 1,
            message: "missing header line".into(),
        });
    };
    let columns = header.into_iter().map(|field| field.text).collect();
    let mut table = Table::new(meta, columns, Vec::new())?;
    for (line, fields) in records {
        let row = fields.into_iter().map(Field::into_cell).collect();
        table.push_row(row).map_err(|e| ReportError::Csv {
            line,
            message: e.to_string(),
        })?;
    }
    Ok(table)
}

fn push_comment(out: &mut String, key: &str, value: &str) {
    out.push_str("# ");
    out.push_str(key);
    out.push_str(": ");
    out.push_str(value);
    out.push('\n');
}

fn compact_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("seeds and JSON values always serialise")
}

/// A metadata string: bare when unambiguous, otherwise a JSON string literal.
fn header_string(s: &str) -> String {
    let plain =
        !s.is_empty() && s.trim() == s && !s.starts_with('"') && !s.chars().any(char::is_control);
    if plain {
        s.to_owned()
    } else {
        compact_json(&s)
    }
}

fn parse_header_string(value: &str) -> Result<String, String> {
    if value.starts_with('"') {
        serde_json::from_str(value).map_err(|e| format!("bad quoted string {value:?}: {e}"))
    } else {
        Ok(value.to_owned())
    }
}

fn format_cell(cell: &Cell) -> String {
    match cell {
        Cell::Number(x) => format_float(*x),
        Cell::Integer(i) => i.to_string(),
        Cell::Text(s) => quote_text(s),
    }
}

fn quote_text(s: &str) -> String {
    let needs_quotes = s.is_empty()
        || s.contains([',', '"', '\n', '\r'])
        || s.trim() != s
        || s.starts_with('#')
        || !matches!(parse_bare(s), Cell::Text(_));
    if needs_quotes {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The cell an unquoted field stands for.
fn parse_bare(s: &str) -> Cell {
    if let Some(x) = parse_non_finite(s) {
        return Cell::Number(x);
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match s.parse::<i64>() {
            Ok(i) => Cell::Integer(i),
            // Too large for i64: keep the value as a float rather than lose it.
            Err(_) => s
                .parse()
                .map_or_else(|_| Cell::Text(s.into()), Cell::Number),
        };
    }
    let float_syntax = s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    match s.parse::<f64>() {
        Ok(x) if float_syntax => Cell::Number(x),
        _ => Cell::Text(s.to_owned()),
    }
}

struct Field {
    text: String,
    quoted: bool,
}

impl Field {
    fn into_cell(self) -> Cell {
        if self.quoted {
            Cell::Text(self.text)
        } else {
            parse_bare(&self.text)
        }
    }
}

/// RFC 4180 records with the line each starts on; blank lines are skipped.
fn parse_records(text: &str, first_line: usize) -> Result<Vec<(usize, Vec<Field>)>> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = first_line;
    while chars.peek().is_some() {
        let start_line = line;
        if matches!(chars.peek(), Some('\n' | '\r')) {
            if chars.next() == Some('\n') {
                line += 1;
            }
            continue;
        }
        let mut fields = Vec::new();
        loop {
            let mut field = Field {
                text: String::new(),
                quoted: false,
            };
            if chars.peek() == Some(&'"') {
                chars.next();
                field.quoted = true;
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.text.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            field.text.push(c);
                        }
                        None => {
                            return Err(ReportError::Csv {
                                line: start_line,
                                message: "unterminated quoted field".into(),
                            });
                        }
                    }
                }
                if !matches!(chars.peek(), None | Some(',' | '\n' | '\r')) {
                    return Err(ReportError::Csv {
                        line,
                        message: "unexpected character after a closing quote".into(),
                    });
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if matches!(c, ',' | '\n' | '\r') {
                        break;
                    }
                    if c == '"' {
                        return Err(ReportError::Csv {
                            line,
                            message: "quote inside an unquoted field".into(),
                        });
                    }
                    field.text.push(c);
                    chars.next();
                }
            }
            fields.push(field);
            match chars.next() {
                Some(',') => continue,
                Some('\r') => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    break;
                }
                Some('\n') => {
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        records.push((start_line, fields));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_fields_keep_their_type() {
        assert_eq!(parse_bare("1"), Cell::Integer(1));
        assert_eq!(parse_bare("-12"), Cell::Integer(-12));
        assert_eq!(parse_bare("1.0"), Cell::Number(1.0));
        assert_eq!(parse_bare("1e-7"), Cell::Number(1e-7));
        assert_eq!(parse_bare("-inf"), Cell::Number(f64::NEG_INFINITY));
        assert_eq!(parse_bare("infinity"), Cell::Text("infinity".into()));
        assert_eq!(parse_bare("NaN"), Cell::Text("NaN".into()));
        assert_eq!(parse_bare("e"), Cell::Text("e".into()));
        assert_eq!(parse_bare("ridge"), Cell::Text("ridge".into()));
    }

    #[test]
    fn ambiguous_texts_are_quoted() {
        assert_eq!(quote_text("ridge"), "ridge");
        assert_eq!(quote_text("1"), "\"1\"");
        assert_eq!(quote_text("nan"), "\"nan\"");
        assert_eq!(quote_text(""), "\"\"");
        assert_eq!(quote_text("a,b"), "\"a,b\"");
        assert_eq!(quote_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote_text("#1"), "\"#1\"");
    }

    #[test]
    fn malformed_csv_is_an_error_with_a_line() {
        let missing = from_csv("a,b\n1,2\n").unwrap_err();
        assert!(matches!(missing, ReportError::Csv { .. }), "{missing}");
        let short = "# figure: f\n# version: 1\na,b\n1,2\n3\n";
        match from_csv(short).unwrap_err() {
            ReportError::Csv { line, .. } => assert_eq!(line, 5),
            other => panic!("{other}"),
        }
        let open = "# figure: f\n# version: 1\na\n\"x\n";
        assert!(matches!(
            from_csv(open),
            Err(ReportError::Csv { line: 4, .. })
        ));
    }
}
