//! Cursor pages, for every list of API v1 that has them: `limit` (1 to
//! 100, 20 unless given) and `after`, the opaque cursor of the page before
//! (its `next`: the last item's sort key, base64url, so that items added
//! between two pages neither repeat nor push others off).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;

use super::params;
use super::problem::Problem;

/// A page's length when the request does not say, and at most.
const LIMIT: u32 = 20;
const MOST: u32 = 100;

/// A page of a list: its items, and the cursor of the next one.
#[derive(Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// What a list's query asks: how long a page, from where (the cursor as
/// its text), and the list's own parameters.
pub struct Paging {
    pub limit: u32,
    after: Option<String>,
    pub rest: Vec<(String, String)>,
}

impl Paging {
    /// The query's `limit` and `after`, and those of `known`; any other is
    /// refused (400 naming it).
    pub fn of(query: Option<&str>, known: &[&str]) -> Result<Self, Problem> {
        let mut all = vec!["limit", "after"];
        all.extend_from_slice(known);
        let mut out = Paging {
            limit: LIMIT,
            after: None,
            rest: Vec::new(),
        };
        for (name, value) in params(query, &all)? {
            match name.as_str() {
                "limit" => {
                    out.limit = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MOST).contains(n))
                        .ok_or_else(|| {
                            Problem::bad_request(
                                Some("limit"),
                                format!(
                                    "limit must be a whole number from 1 to {MOST} (got {value:?})"
                                ),
                            )
                        })?;
                }
                "after" => {
                    let text = URL_SAFE_NO_PAD
                        .decode(&value)
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                        .ok_or_else(not_a_cursor)?;
                    out.after = Some(text);
                }
                _ => out.rest.push((name, value)),
            }
        }
        Ok(out)
    }

    /// The cursor, read by `parse` (a cursor of ours that it cannot read
    /// is refused as any other).
    pub fn after<T>(&self, parse: impl FnOnce(&str) -> Option<T>) -> Result<Option<T>, Problem> {
        match &self.after {
            None => Ok(None),
            Some(text) => parse(text).map(Some).ok_or_else(not_a_cursor),
        }
    }

    /// How many rows to ask the store for: one more than the page, to
    /// know whether there is a next.
    pub fn fetch(&self) -> u32 {
        self.limit + 1
    }

    /// The page of `rows` (fetched with [`Paging::fetch`]), its `next`
    /// the cursor `key` gives its last item, when more follow.
    pub fn page<R>(
        &self,
        mut rows: Vec<R>,
        key: impl Fn(&R) -> String,
    ) -> (Vec<R>, Option<String>) {
        let limit = self.limit as usize;
        let next = (rows.len() > limit).then(|| cursor(&key(&rows[limit - 1])));
        rows.truncate(limit);
        (rows, next)
    }
}

/// The opaque cursor of a sort key.
pub fn cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

fn not_a_cursor() -> Problem {
    Problem::bad_request(
        Some("after"),
        "after is not a cursor of ours: pass the `next` of the page before, as it was",
    )
}
