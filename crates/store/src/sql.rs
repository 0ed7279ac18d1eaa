//! SQL fragments that both dialects share, as macros so that `concat!`
//! can build whole statements at compile time.

/// The columns of an [`crate::rows::SummaryRow`], over `articles a`,
/// `sections s` and `images i`.
macro_rules! summary_columns {
    () => {
        "a.id, s.slug AS section_slug, s.name AS section_name, a.slug, a.title, a.summary, \
         a.published_at, a.updated_at, a.image_alt, a.comment_count, i.id AS image_id, i.hash AS image_hash, \
         i.width AS image_width, i.height AS image_height, i.widths AS image_widths, i.ext AS image_ext, \
         a.breaking"
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

/// The columns of an [`crate::rows::ArticleRow`] (a whole article).
macro_rules! article_columns {
    () => {
        "a.id, a.site_id, a.section_id, s.slug AS section_slug, s.name AS section_name, a.slug, \
       a.title, a.summary, a.dateline, a.body_html, a.source, a.copyright, a.published_at, a.updated_at, \
       a.featured, a.breaking, a.image_caption, a.image_credit, a.image_alt, a.comment_mode, \
       a.comment_count, i.id AS image_id, \
       i.hash AS image_hash, i.width AS image_width, i.height AS image_height, \
       i.widths AS image_widths, i.ext AS image_ext, a.notes, a.seo_title, a.seo_description, a.canonical_url"
    };
}

/// An article with its section and image, by site (`$1`), visibility time
/// (`$2`) and slug (`$3`).
pub(crate) const ARTICLE_BY_SLUG: &str = concat!(
    "SELECT ",
    article_columns!(),
    " FROM articles a",
    article_joins!(),
    "WHERE a.site_id = $1 AND a.slug = $3 AND",
    visible!()
);

/// A `LIKE … ESCAPE '\'` pattern finding `word` anywhere, case folded
/// (the column is `LOWER`ed): `%`, `_` and `\` are characters to find.
pub(crate) fn contains_pattern(word: &str) -> String {
    let w = word
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{w}%")
}

/// `$FROM, $FROM+1, …`: `n` numbered parameters.
fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whole articles of site `$1` visible at `$2`, by id (`$3` on; `n` ids),
/// with [`ARTICLE_BY_SLUG`]'s columns.
pub(crate) fn articles_by_ids_sql(n: usize) -> String {
    format!(
        concat!(
            "SELECT ",
            article_columns!(),
            " FROM articles a",
            article_joins!(),
            "WHERE a.site_id = $1 AND a.id IN ({}) AND",
            visible!()
        ),
        marks(3, n)
    )
}

/// The authors and tags of `n` articles (`$1` on), as [`ARTICLE_LABELS`]
/// gives them for one, each row led by its article's id.
pub(crate) fn labels_by_ids_sql(n: usize) -> String {
    let ids = marks(1, n);
    format!(
        "SELECT aa.article_id, 'a' AS kind, p.id, p.slug, p.name, aa.position AS ord FROM article_authors aa \
           JOIN authors p ON p.id = aa.author_id WHERE aa.article_id IN ({ids}) \
         UNION ALL \
         SELECT at.article_id, 't' AS kind, t.id, t.slug, t.name, at.position AS ord FROM article_tags at \
           JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN ({ids}) \
         ORDER BY article_id, kind, ord, name"
    )
}

/// The authors (`kind = 'a'`) and tags (`kind = 't'`) of article `$1`, in one query.
pub(crate) const ARTICLE_LABELS: &str =
    "SELECT 'a' AS kind, p.id, p.slug, p.name, aa.position AS ord FROM article_authors aa \
                       JOIN authors p ON p.id = aa.author_id WHERE aa.article_id = $1 \
                     UNION ALL \
                     SELECT 't' AS kind, t.id, t.slug, t.name, at.position AS ord FROM article_tags at \
                       JOIN tags t ON t.id = at.tag_id WHERE at.article_id = $1 \
                     ORDER BY kind, ord, name";

/// The list query for a filter (`$1` site, `$2` now, `$3` limit, `$4`
/// offset, `$5` the filter's id when it has one).
pub(crate) fn list_sql(filter: kawaraban_core::model::ListFilter) -> (String, Option<i64>) {
    const TAIL: &str = " ORDER BY a.published_at DESC, a.id DESC LIMIT $3 OFFSET $4";
    let (from, filter_id) = list_from(filter);
    (
        format!(concat!("SELECT ", summary_columns!(), "{}{}"), from, TAIL),
        filter_id,
    )
}

/// How many articles [`list_sql`] pages through (`$1` site, `$2` now, `$3`
/// the filter's id when it has one).
pub(crate) fn count_sql(filter: kawaraban_core::model::ListFilter) -> (String, Option<i64>) {
    let (from, filter_id) = list_from(filter);
    (
        format!("SELECT COUNT(*) AS n{}", from.replace("$5", "$3")),
        filter_id,
    )
}

/// What a list reads from, and its filter's id (`$5`).
fn list_from(filter: kawaraban_core::model::ListFilter) -> (&'static str, Option<i64>) {
    use kawaraban_core::model::ListFilter;
    match filter {
        ListFilter::All => (
            concat!(
                " FROM articles a",
                article_joins!(),
                "WHERE a.site_id = $1 AND",
                visible!()
            ),
            None,
        ),
        ListFilter::Featured => (
            concat!(
                " FROM articles a",
                article_joins!(),
                "WHERE a.site_id = $1 AND a.featured = TRUE AND",
                visible!()
            ),
            None,
        ),
        ListFilter::Section(id) => (
            concat!(
                " FROM articles a",
                article_joins!(),
                "WHERE a.section_id = $5 AND a.site_id = $1 AND",
                visible!()
            ),
            Some(id),
        ),
        ListFilter::Tag(id) => (
            concat!(
                " FROM article_tags x JOIN articles a ON a.id = x.article_id",
                article_joins!(),
                "WHERE x.tag_id = $5 AND a.site_id = $1 AND",
                visible!()
            ),
            Some(id),
        ),
        ListFilter::Author(id) => (
            concat!(
                " FROM article_authors x JOIN articles a ON a.id = x.article_id",
                article_joins!(),
                "WHERE x.author_id = $5 AND a.site_id = $1 AND",
                visible!()
            ),
            Some(id),
        ),
    }
}

/// SQLite full-text search (`$1` site, `$2` now, `$3` FTS5 query, `$4` limit, `$5` offset).
/// The search page query over SQLite FTS5, for `words` query words (bound
/// from `$7` on, lower-cased). Ranked by where the words occur (headline
/// first, then summary, then body), newest first among equals.
///
/// Not bm25: FTS5's bm25 needs each word's document frequency, which means
/// reading the word's whole posting list; for a common word in a million
/// articles that alone takes tens of milliseconds.
pub(crate) fn sqlite_search(words: usize) -> String {
    let mut rank = String::from("0");
    for i in 0..words {
        let p = 7 + i;
        rank.push_str(&format!(
            " + (instr(lower(a.title), ${p}) > 0) * 10 + (instr(lower(a.summary), ${p}) > 0) * 4"
        ));
    }
    format!(
        concat!(
            "SELECT ",
            summary_columns!(),
            ", snippet(articles_fts, 2, char(1), char(2), '…', 28) AS snippet \
             FROM articles_fts f JOIN articles a ON a.id = f.rowid",
            article_joins!(),
            "WHERE articles_fts MATCH $3 AND f.rowid >= $6 AND a.site_id = $1 AND",
            visible!(),
            "ORDER BY {} DESC, a.published_at DESC LIMIT $4 OFFSET $5"
        ),
        rank
    )
}

/// A common word matches most of a million articles; ranking them all
/// would take seconds. Search therefore ranks the newest [`SEARCH_WINDOW`]
/// matches (by row id, which follows the order articles arrived in): this
/// finds where that window starts.
pub(crate) const SQLITE_SEARCH_CUTOFF: &str =
    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH $1 ORDER BY rowid DESC LIMIT 1 OFFSET $2";

/// How many of the newest matches search ranks (both databases).
pub(crate) const SEARCH_WINDOW: i64 = 1000;

// ---------------------------------------------------------------- article writes
// One text for the sqlx path (both databases) and SQLite's bulk path.

pub(crate) const ARTICLE_ID_BY_SLUG: &str =
    "SELECT id FROM articles WHERE site_id = $1 AND slug = $2";

/// Creates or updates an article by (site, slug); `$22` is both times.
pub(crate) const UPSERT_ARTICLE: &str = "INSERT INTO articles (site_id, section_id, slug, title, summary, dateline, body_markdown, \
                   body_html, body_text, source, copyright, status, published_at, updated_at, featured, breaking, \
                   image_id, image_caption, image_credit, image_alt, origin, created_at, modified_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22) \
                 ON CONFLICT (site_id, slug) DO UPDATE SET section_id = excluded.section_id, title = excluded.title, \
                   summary = excluded.summary, dateline = excluded.dateline, body_markdown = excluded.body_markdown, \
                   body_html = excluded.body_html, body_text = excluded.body_text, source = excluded.source, \
                   copyright = excluded.copyright, status = excluded.status, published_at = excluded.published_at, \
                   updated_at = excluded.updated_at, featured = excluded.featured, breaking = excluded.breaking, \
                   image_id = excluded.image_id, image_caption = excluded.image_caption, \
                   image_credit = excluded.image_credit, image_alt = excluded.image_alt, origin = excluded.origin, \
                   modified_at = excluded.modified_at, version = articles.version + 1 \
                 RETURNING id";

pub(crate) const CLEAR_ARTICLE_AUTHORS: &str = "DELETE FROM article_authors WHERE article_id = $1";
pub(crate) const CLEAR_ARTICLE_TAGS: &str = "DELETE FROM article_tags WHERE article_id = $1";
pub(crate) const UPSERT_AUTHOR: &str = "INSERT INTO authors (slug, name) VALUES ($1, $2) \
     ON CONFLICT (slug) DO UPDATE SET name = excluded.name RETURNING id";
pub(crate) const LINK_AUTHOR: &str =
    "INSERT INTO article_authors (article_id, author_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
pub(crate) const UPSERT_TAG: &str = "INSERT INTO tags (site_id, slug, name) VALUES ($1, $2, $3) \
     ON CONFLICT (site_id, slug) DO UPDATE SET name = excluded.name RETURNING id";
pub(crate) const LINK_TAG: &str =
    "INSERT INTO article_tags (article_id, tag_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

/// A rate counter's hit; the count after it.
pub(crate) const ADD_HITS: &str = "INSERT INTO rate_counters (key, window_start, hits) VALUES ($1, $2, $3) \
     ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_counters.hits + excluded.hits RETURNING hits";

/// A survey response in one statement: the burst from its address and
/// browser since `$9` counted, the response flagged when it reaches `$10`
/// (`$11` says why after the count), and nothing stored when the reader had
/// answered (or when `$where` fails). Named `$N` (not `?N`) so rusqlite and
/// sqlx bind the same text.
macro_rules! insert_response {
    ($where:literal) => {
        concat!(
            "INSERT INTO survey_responses (survey_id, site_id, member_id, browser, address_hash, \
               agent_hash, answers, flagged, created_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7, \
               CASE WHEN c.n >= $10 THEN CAST(c.n AS TEXT) || $11 ELSE '' END, $8 \
             FROM (SELECT COUNT(*) AS n FROM survey_responses WHERE survey_id = $1 AND address_hash = $5 \
                   AND agent_hash = $6 AND created_at >= $9) c \
             WHERE ",
            $where,
            " ON CONFLICT DO NOTHING RETURNING id, flagged"
        )
    };
}
pub(crate) const INSERT_RESPONSE: &str = insert_response!("TRUE");
/// The same, storing nothing when the survey has a response limit (SQLite's
/// group commit: a limit is counted on the slower path, under the lock).
pub(crate) const INSERT_RESPONSE_UNLIMITED: &str =
    insert_response!("EXISTS (SELECT 1 FROM surveys WHERE id = $1 AND response_limit IS NULL)");
