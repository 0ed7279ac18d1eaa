//! SQL fragments that both dialects share, as macros so that `concat!`
//! can build whole statements at compile time.

/// The columns of an [`crate::rows::SummaryRow`], over `articles a`,
/// `sections s` and `images i`.
macro_rules! summary_columns {
    () => {
        "a.id, s.slug AS section_slug, s.name AS section_name, a.slug, a.title, a.summary, \
         a.published_at, a.updated_at, a.image_alt, i.id AS image_id, i.hash AS image_hash, \
         i.width AS image_width, i.height AS image_height, i.widths AS image_widths, i.ext AS image_ext"
    };
}

/// The joins that go with [`summary_columns`].
macro_rules! article_joins {
    () => {
        " JOIN sections s ON s.id = a.section_id LEFT JOIN images i ON i.id = a.image_id "
    };
}

/// Visible at `$2`: published, and not scheduled for later.
macro_rules! visible {
    () => {
        " a.status = 'published' AND a.published_at <= $2 "
    };
}

/// An article with its section and image, by site (`$1`), visibility time
/// (`$2`) and slug (`$3`).
pub(crate) const ARTICLE_BY_SLUG: &str = concat!(
    "SELECT a.id, a.site_id, a.section_id, s.slug AS section_slug, s.name AS section_name, a.slug, \
       a.title, a.summary, a.dateline, a.body_html, a.source, a.copyright, a.published_at, a.updated_at, \
       a.featured, a.breaking, a.image_caption, a.image_credit, a.image_alt, i.id AS image_id, \
       i.hash AS image_hash, i.width AS image_width, i.height AS image_height, \
       i.widths AS image_widths, i.ext AS image_ext \
     FROM articles a",
    article_joins!(),
    "WHERE a.site_id = $1 AND a.slug = $3 AND",
    visible!()
);

/// The authors (`kind = 'a'`) and tags (`kind = 't'`) of article `$1`, in one query.
pub(crate) const ARTICLE_LABELS: &str =
    "SELECT 'a' AS kind, p.id, p.slug, p.name, aa.position AS ord FROM article_authors aa \
                       JOIN authors p ON p.id = aa.author_id WHERE aa.article_id = $1 \
                     UNION ALL \
                     SELECT 't' AS kind, t.id, t.slug, t.name, 0 AS ord FROM article_tags at \
                       JOIN tags t ON t.id = at.tag_id WHERE at.article_id = $1 \
                     ORDER BY kind, ord, name";

/// The list query for a filter (`$1` site, `$2` now, `$3` limit, `$4`
/// offset, `$5` the filter's id when it has one).
pub(crate) fn list_sql(filter: kawaraban_core::model::ListFilter) -> (String, Option<i64>) {
    use kawaraban_core::model::ListFilter;
    const TAIL: &str = " ORDER BY a.published_at DESC, a.id DESC LIMIT $3 OFFSET $4";
    let (sql, filter_id): (&str, Option<i64>) = match filter {
        ListFilter::All => (
            concat!(
                "SELECT ",
                summary_columns!(),
                " FROM articles a",
                article_joins!(),
                "WHERE a.site_id = $1 AND",
                visible!()
            ),
            None,
        ),
        ListFilter::Featured => (
            concat!(
                "SELECT ",
                summary_columns!(),
                " FROM articles a",
                article_joins!(),
                "WHERE a.site_id = $1 AND a.featured = TRUE AND",
                visible!()
            ),
            None,
        ),
        ListFilter::Section(id) => (
            concat!(
                "SELECT ",
                summary_columns!(),
                " FROM articles a",
                article_joins!(),
                "WHERE a.section_id = $5 AND a.site_id = $1 AND",
                visible!()
            ),
            Some(id),
        ),
        ListFilter::Tag(id) => (
            concat!(
                "SELECT ",
                summary_columns!(),
                " FROM article_tags x JOIN articles a ON a.id = x.article_id",
                article_joins!(),
                "WHERE x.tag_id = $5 AND a.site_id = $1 AND",
                visible!()
            ),
            Some(id),
        ),
        ListFilter::Author(id) => (
            concat!(
                "SELECT ",
                summary_columns!(),
                " FROM article_authors x JOIN articles a ON a.id = x.article_id",
                article_joins!(),
                "WHERE x.author_id = $5 AND a.site_id = $1 AND",
                visible!()
            ),
            Some(id),
        ),
    };
    (format!("{sql}{TAIL}"), filter_id)
}

/// SQLite full-text search (`$1` site, `$2` now, `$3` FTS5 query, `$4` limit, `$5` offset).
pub(crate) const SQLITE_SEARCH: &str = concat!(
    "SELECT ",
    summary_columns!(),
    ", snippet(articles_fts, 2, char(1), char(2), '…', 28) AS snippet \
     FROM articles_fts f JOIN articles a ON a.id = f.rowid",
    article_joins!(),
    "WHERE articles_fts MATCH $3 AND a.site_id = $1 AND",
    visible!(),
    "ORDER BY bm25(articles_fts, 10.0, 4.0, 1.0), a.published_at DESC LIMIT $4 OFFSET $5"
);
