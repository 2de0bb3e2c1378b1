//! Plain, aligned text tables for terminal output.

use std::fmt::Write as _;

/// Renders `rows` under `headers` with every column but the last padded to its widest cell,
/// two spaces apart, one line per row, each ending in a newline.
#[must_use]
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                // Writing to a String cannot fail.
                let _ = write!(line, "{cell:<width$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn aligns_columns() {
        let rows = vec![
            vec!["organizations".to_owned(), "1".to_owned()],
            vec!["tasks".to_owned(), "missing".to_owned()],
        ];
        assert_eq!(
            render(&["TABLE", "ROWS"], &rows),
            "TABLE          ROWS\norganizations  1\ntasks          missing\n"
        );
    }
}
