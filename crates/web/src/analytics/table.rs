//! The desk's tables: cells and rows built once, shown as HTML by the
//! templates or written as CSV.

use serde::Serialize;

/// One cell: its text, and a link where it has one.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub num: bool,
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Self {
        Self {
            text: t.into(),
            href: None,
            num: false,
        }
    }
    pub fn num(n: i64) -> Self {
        Self {
            text: n.to_string(),
            href: None,
            num: true,
        }
    }
    pub fn link(t: impl Into<String>, href: String) -> Self {
        Self {
            text: t.into(),
            href: Some(href),
            num: false,
        }
    }
}

/// A table of the dashboard, for HTML and CSV alike.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub key: &'static str,
    pub title: String,
    pub columns: Vec<std::borrow::Cow<'static, str>>,
    pub rows: Vec<Vec<Cell>>,
    /// Where its CSV is.
    pub csv: String,
}

impl Table {
    /// RFC 4180 CSV with a header row. Cells that a spreadsheet would run
    /// as a formula get a leading apostrophe.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(self.columns.iter().map(|c| c.as_ref()));
        for r in &self.rows {
            let _ = w.write_record(r.iter().map(|c| defuse(&c.text).into_owned()));
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// A CSV file to download, named `name`, never cached.
pub fn csv_download(name: &str, body: String) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

fn defuse(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if s.parse::<i64>().is_err() => {
            format!("'{s}").into()
        }
        _ => s.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let t = Table {
            key: "range",
            title: "t".into(),
            columns: vec!["Story".into(), "Views".into()],
            rows: vec![
                vec![Cell::text("=HYPERLINK(\"x\")"), Cell::num(-3)],
                vec![Cell::text("A, \"quoted\" story"), Cell::num(7)],
            ],
            csv: String::new(),
        };
        assert_eq!(
            t.to_csv(),
            "Story,Views\n\"'=HYPERLINK(\"\"x\"\")\",-3\n\"A, \"\"quoted\"\" story\",7\n"
        );
    }
}
