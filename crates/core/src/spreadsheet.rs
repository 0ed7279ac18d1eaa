//! Cells of the CSV files we write, made safe to open in a spreadsheet.
//!
//! Spreadsheets run a cell that begins with `=`, `+`, `-` or `@` (and, in
//! some, a tab or carriage return) as a formula, so an address such as
//! `=HYPERLINK(…)@example.com` in an export could run when an editor opens
//! it (CSV injection). Every CSV we write passes each cell through
//! [`escape_cell`], which puts a single quote in front of such a cell (the
//! spreadsheets' own mark for "this is text"); every CSV we read passes each
//! cell through [`unescape_cell`], so an exported file imports unchanged. A
//! cell that already begins with a quote before one of those characters is
//! quoted once more, so the round trip is exact for every value.

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn needs_quote(cell: &str) -> bool {
    let mut chars = cell.chars();
    match chars.next() {
        Some(c) if FORMULA_START.contains(&c) => true,
        Some('\'') => chars
            .next()
            .is_some_and(|c| c == '\'' || FORMULA_START.contains(&c)),
        _ => false,
    }
}

/// A cell as it goes into a CSV file: with a leading `'` when it would
/// otherwise start a formula.
pub fn escape_cell(cell: &str) -> Cow<'_, str> {
    if needs_quote(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell read from a CSV file, with the quote [`escape_cell`] added taken
/// off again.
pub fn unescape_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(cell) && !rest.is_empty() => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_quoted() {
        for cell in [
            "=1+1",
            "+81 3",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=x@example.com",
        ] {
            assert_eq!(escape_cell(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in [
            "ann@example.com",
            "",
            "a=b",
            "'plain",
            "news;alerts",
            "2026-11-20",
        ] {
            assert_eq!(escape_cell(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn every_cell_survives_the_round_trip() {
        for cell in [
            "=1+1", "'=1+1", "''=1", "'", "''", "'plain", "plain", "", "-", "@", "'@x", "\t",
        ] {
            assert_eq!(unescape_cell(&escape_cell(cell)), cell, "{cell:?}");
        }
    }
}
