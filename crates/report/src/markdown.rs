//! A GitHub-flavoured markdown table, for generated pages such as a figure gallery.

/// A markdown table with the given header and rows.
///
/// Cells are escaped (`|` becomes `\|`, line breaks become `<br>`). Rows shorter than
/// the header are padded with empty cells; if a row is longer, the header is padded
/// with empty names so that no cell is lost.
pub fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let width = rows.iter().map(Vec::len).fold(header.len(), usize::max);
    let mut out = String::new();
    let header: Vec<&str> = header.to_vec();
    push_row(&mut out, &header, width);
    out.push('|');
    for _ in 0..width {
        out.push_str(" --- |");
    }
    out.push('\n');
    for row in rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        push_row(&mut out, &cells, width);
    }
    out
}

fn push_row(out: &mut String, cells: &[&str], width: usize) {
    out.push('|');
    for i in 0..width {
        let cell = cells.get(i).copied().unwrap_or("");
        let escaped = cell
            .replace('|', "\\|")
            .replace("\r\n", "<br>")
            .replace('\n', "<br>");
        out.push(' ');
        out.push_str(&escaped);
        out.push_str(" |");
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_table() {
        let table = markdown_table(
            &["figure", "caption"],
            &[
                vec!["fig1".into(), "ε_g vs α | λ = 0".into()],
                vec!["fig2".into()],
            ],
        );
        assert_eq!(
            table,
            "| figure | caption |\n| --- | --- |\n| fig1 | ε_g vs α \\| λ = 0 |\n| fig2 |  |\n"
        );
    }

    #[test]
    fn long_rows_widen_the_header() {
        let table = markdown_table(&["a"], &[vec!["1".into(), "2".into()]]);
        assert_eq!(table, "| a |  |\n| --- | --- |\n| 1 | 2 |\n");
    }
}
