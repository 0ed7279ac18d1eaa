//! The query language of Ghost's Content API, as far as we answer it: what
//! `limit`, `page`, `include`, `fields`, `filter` and `order` may say, each
//! read into plain values or refused with a message naming the parameter.
//! Ghost's front ends and clients send these forms (`@tryghost/content-api`
//! passes them through as they are written).

use crate::paging::MAX_PAGE;

/// Posts a page holds when `limit` is not given (Ghost's default).
pub const DEFAULT_LIMIT: u32 = 15;
/// The most a page holds; `limit=all` is this many per page, the rest
/// on the following pages (the pagination says so).
pub const MOST_LIMIT: u32 = 100;

/// `limit`: a number from 1 to [`MOST_LIMIT`], or `all`.
pub fn limit(raw: Option<&str>) -> Result<u32, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(DEFAULT_LIMIT),
        Some("all") => Ok(MOST_LIMIT),
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=MOST_LIMIT).contains(&n) => Ok(n),
            _ => Err(format!(
                "limit must be a number from 1 to {MOST_LIMIT}, or all (got {s:?})"
            )),
        },
    }
}

/// `page`: a number from 1.
pub fn page(raw: Option<&str>) -> Result<u32, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(1),
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            _ => Err(format!(
                "page must be a number from 1 to {MAX_PAGE} (got {s:?})"
            )),
        },
    }
}

/// What `include` adds to each post.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Include {
    pub tags: bool,
    pub authors: bool,
}

/// `include`: a comma-separated list of `tags` and `authors`.
pub fn include(raw: Option<&str>) -> Result<Include, String> {
    let mut inc = Include::default();
    for part in raw.unwrap_or("").split(',').map(str::trim) {
        match part {
            "" => {}
            "tags" => inc.tags = true,
            "authors" => inc.authors = true,
            other => return Err(format!("include may name tags and authors (got {other:?})")),
        }
    }
    Ok(inc)
}

/// `fields`: the fields of each post to keep (all when empty). A name
/// no post has is refused, so that a typo does not pass as an empty field.
pub fn fields<'a>(raw: Option<&'a str>, known: &[&str]) -> Result<Vec<&'a str>, String> {
    let mut out = Vec::new();
    for f in raw.unwrap_or("").split(',').map(str::trim) {
        if f.is_empty() {
            continue;
        }
        if !known.contains(&f) {
            return Err(format!("fields names no such field: {f:?}"));
        }
        out.push(f);
    }
    Ok(out)
}

/// What a `filter` asks for: posts with a tag, by an author, or featured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    All,
    Tag(String),
    Author(String),
    Featured,
}

/// `filter`, in the common NQL forms: `tag:SLUG` (or `tags:`,
/// `tags.slug:`), `author:SLUG` (or `authors:`, `authors.slug:`) and
/// `featured:true`; a slug may be quoted ('like-this').
pub fn filter(raw: Option<&str>) -> Result<Filter, String> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Filter::All);
    };
    let unsupported = || {
        format!("filter {raw:?} is not one we answer: use tag:SLUG, author:SLUG or featured:true")
    };
    let (key, value) = raw.split_once(':').ok_or_else(unsupported)?;
    let value = value.trim();
    let value = value
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .unwrap_or(value);
    let slug_ok = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    match key.trim() {
        "tag" | "tags" | "tags.slug" if slug_ok => Ok(Filter::Tag(value.to_string())),
        "author" | "authors" | "authors.slug" if slug_ok => Ok(Filter::Author(value.to_string())),
        "featured" if value == "true" => Ok(Filter::Featured),
        _ => Err(unsupported()),
    }
}

/// `order`: newest first is the order we keep (Ghost's default for posts).
pub fn order(raw: Option<&str>) -> Result<(), String> {
    match raw.map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(()),
        Some(s) if s.is_empty() || s == "published_at desc" || s == "published_at%20desc" => Ok(()),
        Some(s) => Err(format!(
            "order {s:?} is not one we answer: posts come newest first (published_at desc)"
        )),
    }
}

/// Ghost's `meta.pagination`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pagination {
    pub page: u32,
    pub limit: u32,
    pub pages: u32,
    pub total: u64,
    pub next: Option<u32>,
    pub prev: Option<u32>,
}

/// The pagination of page `page` of `limit` over `total` items.
pub fn pagination(page: u32, limit: u32, total: u64) -> Pagination {
    let pages = total.div_ceil(u64::from(limit.max(1))).max(1) as u32;
    Pagination {
        page,
        limit,
        pages,
        total,
        next: (page < pages).then_some(page + 1),
        prev: (page > 1).then(|| (page - 1).min(pages)),
    }
}

/// Minutes `words` take to read, as Ghost counts them (275 words a
/// minute, at least one).
pub fn reading_time(words: usize) -> u32 {
    (words.div_ceil(275) as u32).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_pages() {
        assert_eq!(limit(None), Ok(15));
        assert_eq!(limit(Some("5")), Ok(5));
        assert_eq!(limit(Some("all")), Ok(MOST_LIMIT));
        for bad in ["0", "101", "-1", "ten"] {
            assert!(limit(Some(bad)).unwrap_err().contains("limit"), "{bad}");
        }
        assert_eq!(page(Some("3")), Ok(3));
        assert!(page(Some("0")).unwrap_err().contains("page"));
    }

    #[test]
    fn includes_fields_and_order() {
        assert_eq!(
            include(Some("tags,authors")),
            Ok(Include {
                tags: true,
                authors: true
            })
        );
        assert_eq!(include(None), Ok(Include::default()));
        assert!(include(Some("tags,count.posts"))
            .unwrap_err()
            .contains("count.posts"));
        assert_eq!(
            fields(Some("title, slug"), &["title", "slug"]),
            Ok(vec!["title", "slug"])
        );
        assert!(fields(Some("titel"), &["title"])
            .unwrap_err()
            .contains("titel"));
        assert_eq!(order(Some("published_at DESC")), Ok(()));
        assert!(order(Some("title asc")).is_err());
    }

    #[test]
    fn the_common_filters() {
        assert_eq!(filter(None), Ok(Filter::All));
        assert_eq!(filter(Some("tag:rail")), Ok(Filter::Tag("rail".into())));
        assert_eq!(
            filter(Some("tags.slug:'south-korea'")),
            Ok(Filter::Tag("south-korea".into()))
        );
        assert_eq!(
            filter(Some("authors:aiko-tanabe")),
            Ok(Filter::Author("aiko-tanabe".into()))
        );
        assert_eq!(filter(Some("featured:true")), Ok(Filter::Featured));
        for bad in [
            "featured:false",
            "tag:[a,b]",
            "visibility:public",
            "tag:",
            "title:~'x'",
            "rail",
        ] {
            let e = filter(Some(bad)).unwrap_err();
            assert!(e.contains("tag:SLUG"), "{bad}: {e}");
        }
    }

    #[test]
    fn pagination_counts_pages() {
        let p = pagination(1, 15, 31);
        assert_eq!((p.pages, p.next, p.prev), (3, Some(2), None));
        let p = pagination(3, 15, 31);
        assert_eq!((p.pages, p.next, p.prev), (3, None, Some(2)));
        let p = pagination(1, 15, 0);
        assert_eq!((p.pages, p.next, p.prev), (1, None, None));
        assert_eq!(reading_time(600), 3);
        assert_eq!(reading_time(0), 1);
    }
}
