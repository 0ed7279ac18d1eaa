//! The desk's stories (`StoryStore`): versioned saves with their
//! revisions, the desk's list, presence. One SQL text for both backends;
//! expanded next to `impl_common_store!`, whose `link_labels` it shares.

macro_rules! impl_story_store {
    // `$title_fts`: whether the backend has the FTS5 index over titles
    // (SQLite's titles_fts), which finds rare headline words without
    // reading every row.
    ($store:path, $db:ty, $title_fts:expr) => {
        mod story_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::desk::{DeskStatus, StoryFields};
            use kawaraban_core::model::*;
            use kawaraban_core::store::StoryStore;
            use kawaraban_core::{StoreError, StoreResult};

            use crate::error::map;

            type Conn = <$db as sqlx::Database>::Connection;
            type Query<'q> = sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>;

            #[derive(sqlx::FromRow)]
            struct StoryRow {
                id: i64,
                site_id: i64,
                version: i64,
                status: String,
                workflow: String,
                published_at: DateTime<Utc>,
                updated_at: Option<DateTime<Utc>>,
                modified_at: DateTime<Utc>,
                created_by: Option<i64>,
                title: String,
                slug: String,
                summary: String,
                section_slug: String,
                dateline: String,
                source: String,
                copyright: String,
                body_markdown: String,
                image_hash: Option<String>,
                image_caption: String,
                image_credit: String,
                image_alt: String,
                breaking: bool,
                featured: bool,
                seo_title: String,
                seo_description: String,
                canonical_url: String,
                comment_mode: String,
                embargo_until: Option<DateTime<Utc>>,
                circulated_from: Option<i64>,
                created_by_key: Option<i64>,
            }

            const STORY: &str = "SELECT a.id, a.site_id, a.version, a.status, a.workflow, a.published_at, \
                a.updated_at, a.modified_at, a.created_by, a.title, a.slug, a.summary, s.slug AS section_slug, a.dateline, \
                a.source, a.copyright, a.body_markdown, i.hash AS image_hash, a.image_caption, a.image_credit, \
                a.image_alt, a.breaking, a.featured, a.seo_title, a.seo_description, a.canonical_url, \
                a.comment_mode, a.embargo_until, a.circulated_from, a.created_by_key \
                FROM articles a JOIN sections s ON s.id = a.section_id LEFT JOIN images i ON i.id = a.image_id \
                WHERE a.id = $1";

            /// Author (`a`) and tag (`t`) names of article `$1`, in byline order.
            const NAMES: &str = "SELECT 'a' AS kind, p.name, CAST(aa.position AS BIGINT) AS ord FROM article_authors aa \
                JOIN authors p ON p.id = aa.author_id WHERE aa.article_id = $1 \
                UNION ALL SELECT 't' AS kind, t.name, CAST(x.position AS BIGINT) AS ord FROM article_tags x \
                JOIN tags t ON t.id = x.tag_id WHERE x.article_id = $1 ORDER BY kind, ord, name";

            /// The columns a save writes, `$1` the id (an update) or the
            /// site (an insert), then the same order for both.
            const UPDATE: &str = "UPDATE articles SET section_id = $2, slug = $3, title = $4, summary = $5, \
                dateline = $6, body_markdown = $7, body_html = $8, body_text = $9, source = $10, copyright = $11, \
                status = $12, published_at = $13, updated_at = $14, featured = $15, breaking = $16, image_id = $17, \
                image_caption = $18, image_credit = $19, image_alt = $20, workflow = $21, embargo_until = $22, \
                seo_title = $23, seo_description = $24, canonical_url = $25, comment_mode = $26, modified_at = $27, \
                version = $28, created_by = COALESCE(created_by, $29) WHERE id = $1";
            const INSERT: &str = "INSERT INTO articles (site_id, section_id, slug, title, summary, dateline, \
                body_markdown, body_html, body_text, source, copyright, status, published_at, updated_at, featured, \
                breaking, image_id, image_caption, image_credit, image_alt, workflow, embargo_until, seo_title, \
                seo_description, canonical_url, comment_mode, modified_at, version, created_by, created_at, origin, \
                circulated_from, created_by_key) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                $21, $22, $23, $24, $25, $26, $27, $28, $29, $27, 'desk', $30, $31) RETURNING id";
            const REVISION: &str = "INSERT INTO article_revisions (article_id, version, member_id, note, fields, created_at) \
                VALUES ($1, $2, $3, $4, $5, $6)";
            const REVISIONS: &str = "SELECT r.version, r.member_id, m.display_name, r.note, r.created_at, r.fields \
                FROM article_revisions r LEFT JOIN members m ON m.id = r.member_id WHERE r.article_id = $1";

            fn bind_save<'q>(q: Query<'q>, s: &'q StorySave, version: i64, now: DateTime<Utc>) -> Query<'q> {
                let (a, f) = (&s.article, &s.fields);
                q.bind(a.section_id).bind(&a.slug).bind(&a.title).bind(&a.summary).bind(&a.dateline)
                    .bind(&a.body_markdown).bind(&a.body_html).bind(&a.body_text).bind(&a.source).bind(&a.copyright)
                    .bind(a.status.as_str()).bind(a.published_at).bind(a.updated_at).bind(a.featured).bind(a.breaking)
                    .bind(a.image_id).bind(&a.image_caption).bind(&a.image_credit).bind(&a.image_alt)
                    .bind(s.workflow).bind(f.embargo_until).bind(&f.seo_title).bind(&f.seo_description)
                    .bind(&f.canonical_url).bind(&f.comment_mode).bind(now).bind(version).bind(s.member_id)
            }

            fn json(f: &StoryFields) -> StoreResult<String> {
                serde_json::to_string(f).map_err(|e| StoreError::Other(e.to_string()))
            }

            type RevisionRow = (i64, Option<i64>, Option<String>, String, DateTime<Utc>, String);

            fn revision((version, member_id, member_name, note, created_at, fields): RevisionRow) -> StoreResult<Revision> {
                let fields = serde_json::from_str(&fields)
                    .map_err(|e| StoreError::Other(format!("revision {version}: {e}")))?;
                Ok(Revision { version, member_id, member_name, note, created_at, fields })
            }

            async fn story_on(conn: &mut Conn, id: i64) -> StoreResult<Option<Story>> {
                let Some(r) = sqlx::query_as::<_, StoryRow>(STORY).bind(id).fetch_optional(&mut *conn).await.map_err(map)? else {
                    return Ok(None);
                };
                let names: Vec<(String, String, i64)> =
                    sqlx::query_as(NAMES).bind(id).fetch_all(&mut *conn).await.map_err(map)?;
                let status = Status::parse(&r.status)
                    .ok_or_else(|| StoreError::Other(format!("article {id}: unknown status {:?}", r.status)))?;
                let (mut authors, mut tags) = (Vec::new(), Vec::new());
                for (kind, name, _) in names {
                    if kind == "a" { authors.push(name) } else { tags.push(name) }
                }
                Ok(Some(Story {
                    id: r.id,
                    site_id: r.site_id,
                    version: r.version,
                    status,
                    workflow: r.workflow,
                    published_at: r.published_at,
                    updated_at: r.updated_at,
                    modified_at: r.modified_at,
                    created_by: r.created_by,
                    circulated_from: r.circulated_from,
                    created_by_key: r.created_by_key,
                    fields: StoryFields {
                        title: r.title,
                        slug: r.slug,
                        summary: r.summary,
                        section: r.section_slug,
                        tags,
                        authors,
                        dateline: r.dateline,
                        source: r.source,
                        copyright: r.copyright,
                        body: r.body_markdown,
                        image: r.image_hash.unwrap_or_default(),
                        image_caption: r.image_caption,
                        image_credit: r.image_credit,
                        image_alt: r.image_alt,
                        breaking: r.breaking,
                        featured: r.featured,
                        seo_title: r.seo_title,
                        seo_description: r.seo_description,
                        canonical_url: r.canonical_url,
                        comment_mode: r.comment_mode,
                        // A draft's stored time is only a placeholder.
                        publish_at: (status == Status::Published).then_some(r.published_at),
                        embargo_until: r.embargo_until,
                    },
                }))
            }

            #[derive(sqlx::FromRow)]
            struct ListRow {
                id: i64,
                site_id: i64,
                title: String,
                slug: String,
                section_slug: String,
                status: String,
                workflow: String,
                published_at: DateTime<Utc>,
                modified_at: DateTime<Utc>,
                version: i64,
            }

            /// Where the desk's list starts from.
            #[derive(Debug, Clone, PartialEq, Eq)]
            enum Driver {
                Tag(i64),
                Author(i64),
                /// The stories whose headlines have the words, as the FTS5
                /// index found them (SQLite): read once, then looked up.
                Words(Vec<i64>),
                /// The tag or author asked for does not exist.
                Nothing,
            }

            /// At most this many links make a tag or an author rare enough
            /// to start the list from.
            const RARE: i64 = 2000;

            impl $store {
                async fn desk_driver(&self, q: &DeskQuery) -> StoreResult<Option<Driver>> {
                    let counted = |table: &'static str, column: &'static str| {
                        format!("SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {column} = $1 LIMIT {}) c", RARE + 1)
                    };
                    if let (Some(tag), [site]) = (&q.tag, q.site_ids.as_slice()) {
                        let id: Option<(i64,)> = sqlx::query_as("SELECT id FROM tags WHERE site_id = $1 AND slug = $2")
                            .bind(*site).bind(tag).fetch_optional(&self.pool).await.map_err(map)?;
                        let Some((id,)) = id else { return Ok(Some(Driver::Nothing)) };
                        let (n,): (i64,) = sqlx::query_as(&counted("article_tags", "tag_id"))
                            .bind(id).fetch_one(&self.pool).await.map_err(map)?;
                        if n <= RARE {
                            return Ok(Some(Driver::Tag(id)));
                        }
                    }
                    if let Some(author) = &q.author {
                        let id: Option<(i64,)> = sqlx::query_as("SELECT id FROM authors WHERE slug = $1")
                            .bind(author).fetch_optional(&self.pool).await.map_err(map)?;
                        let Some((id,)) = id else { return Ok(Some(Driver::Nothing)) };
                        let (n,): (i64,) = sqlx::query_as(&counted("article_authors", "author_id"))
                            .bind(id).fetch_one(&self.pool).await.map_err(map)?;
                        if n <= RARE {
                            return Ok(Some(Driver::Author(id)));
                        }
                    }
                    // Every word at least two letters or digits, matched as
                    // whole (stemmed) words: a prefix would make FTS5 read
                    // every matching word's list before the first row.
                    let plain = !q.words.is_empty()
                        && q.words.iter().all(|w| w.chars().count() >= 2 && w.chars().all(char::is_alphanumeric));
                    if $title_fts && plain {
                        let query = q.words.iter().map(|w| format!("\"{}\"", w.to_lowercase())).collect::<Vec<_>>().join(" AND ");
                        let ids: Vec<(i64,)> = sqlx::query_as(&format!(
                            "SELECT rowid FROM titles_fts WHERE titles_fts MATCH $1 LIMIT {}", RARE + 1))
                            .bind(&query).fetch_all(&self.pool).await.map_err(map)?;
                        // None found as whole words: the substring match
                        // below may still find some, the slow way.
                        if (1..=RARE as usize).contains(&ids.len()) {
                            return Ok(Some(Driver::Words(ids.into_iter().map(|(id,)| id).collect())));
                        }
                    }
                    Ok(None)
                }
            }

            #[async_trait]
            impl StoryStore for $store {
                async fn story(&self, id: i64) -> StoreResult<Option<Story>> {
                    let mut conn = self.pool.acquire().await.map_err(map)?;
                    story_on(&mut conn, id).await
                }

                async fn save_story(&self, s: &StorySave, now: DateTime<Utc>) -> StoreResult<SaveOutcome> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let (id, version) = match s.id {
                        Some(id) => {
                            let current = story_on(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
                            if current.site_id != s.article.site_id {
                                return Err(StoreError::NotFound);
                            }
                            if current.version != s.base_version {
                                return Ok(SaveOutcome::Stale { version: current.version });
                            }
                            let kept: Option<(i64,)> = sqlx::query_as(
                                "SELECT version FROM article_revisions WHERE article_id = $1 AND version = $2")
                                .bind(id).bind(current.version).fetch_optional(&mut *tx).await.map_err(map)?;
                            if kept.is_none() {
                                // Its first save in the desk: keep how it stood.
                                sqlx::query(REVISION).bind(id).bind(current.version).bind(None::<i64>)
                                    .bind("before the desk").bind(json(&current.fields)?).bind(current.modified_at)
                                    .execute(&mut *tx).await.map_err(map)?;
                            }
                            let version = current.version + 1;
                            bind_save(sqlx::query(UPDATE).bind(id), s, version, now)
                                .execute(&mut *tx).await.map_err(map)?;
                            (id, version)
                        }
                        None => {
                            let row = bind_save(sqlx::query(INSERT).bind(s.article.site_id), s, 1, now)
                                .bind(s.circulated_from)
                                .bind(s.key_id)
                                .fetch_one(&mut *tx).await.map_err(map)?;
                            let id: i64 = sqlx::Row::try_get(&row, 0).map_err(map)?;
                            (id, 1)
                        }
                    };
                    let a = &s.article;
                    super::link_labels(&mut tx, id, a.site_id, &a.authors, &a.tags, s.id.is_some()).await?;
                    sqlx::query(REVISION).bind(id).bind(version).bind(s.member_id).bind(&s.note)
                        .bind(json(&s.fields)?).bind(now).execute(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)?;
                    Ok(SaveOutcome::Saved { id, version })
                }

                async fn copies(&self, article_id: i64) -> StoreResult<Vec<i64>> {
                    let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM articles WHERE circulated_from = $1 ORDER BY id")
                        .bind(article_id).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(|(id,)| id).collect())
                }

                async fn revisions(&self, article_id: i64, limit: u32) -> StoreResult<Vec<Revision>> {
                    let rows: Vec<RevisionRow> = sqlx::query_as(&format!("{REVISIONS} ORDER BY r.version DESC LIMIT $2"))
                        .bind(article_id).bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(map)?;
                    rows.into_iter().map(revision).collect()
                }

                async fn revision(&self, article_id: i64, version: i64) -> StoreResult<Option<Revision>> {
                    let row: Option<RevisionRow> = sqlx::query_as(&format!("{REVISIONS} AND r.version = $2"))
                        .bind(article_id).bind(version).fetch_optional(&self.pool).await.map_err(map)?;
                    row.map(revision).transpose()
                }

                async fn desk_stories(&self, q: &DeskQuery, now: DateTime<Utc>) -> StoreResult<Vec<DeskRow>> {
                    if q.site_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let time = match q.sort {
                        DeskSort::Updated => "a.modified_at",
                        DeskSort::Published => "a.published_at",
                    };
                    // A tag or author with few stories drives the query from
                    // its links (SQLite: CROSS JOIN keeps that order); a common
                    // one is checked per story in list order, which stops early.
                    let driver = self.desk_driver(q).await?;
                    if driver == Some(Driver::Nothing) {
                        return Ok(Vec::new());
                    }
                    let mut b = sqlx::QueryBuilder::<$db>::new(
                        "SELECT a.id, a.site_id, a.title, a.slug, s.slug AS section_slug, a.status, a.workflow, \
                         a.published_at, a.modified_at, a.version FROM ");
                    match driver.clone() {
                        Some(Driver::Words(ids)) => {
                            b.push("articles a JOIN sections s ON s.id = a.section_id WHERE a.id IN (");
                            let mut listed = b.separated(", ");
                            for id in ids {
                                listed.push_bind(id);
                            }
                            b.push(") AND a.site_id IN (");
                        }
                        Some(Driver::Tag(id)) => {
                            b.push("article_tags x CROSS JOIN articles a JOIN sections s ON s.id = a.section_id \
                                    WHERE x.tag_id = ").push_bind(id).push(" AND a.id = x.article_id AND a.site_id IN (");
                        }
                        Some(Driver::Author(id)) => {
                            b.push("article_authors x CROSS JOIN articles a JOIN sections s ON s.id = a.section_id \
                                    WHERE x.author_id = ").push_bind(id).push(" AND a.id = x.article_id AND a.site_id IN (");
                        }
                        _ => {
                            b.push("articles a JOIN sections s ON s.id = a.section_id WHERE a.site_id IN (");
                        }
                    }
                    let mut sites = b.separated(", ");
                    for id in &q.site_ids {
                        sites.push_bind(*id);
                    }
                    b.push(")");
                    if let Some(section) = q.section_id {
                        b.push(" AND a.section_id = ").push_bind(section);
                    }
                    match q.status {
                        None => {}
                        Some(DeskStatus::Scheduled) => {
                            b.push(" AND a.status = 'published' AND a.published_at > ").push_bind(now);
                        }
                        Some(DeskStatus::Published) => {
                            // As an expression, so that SQLite walks the status
                            // index in list order rather than the publish times.
                            b.push(" AND a.status = 'published' AND COALESCE(a.published_at, a.published_at) <= ").push_bind(now);
                        }
                        Some(draft) => {
                            b.push(" AND a.status = 'draft' AND a.workflow = ").push_bind(draft.stored().1);
                        }
                    }
                    if let (Some(author), None | Some(Driver::Tag(_) | Driver::Words(_))) = (&q.author, &driver) {
                        b.push(" AND EXISTS (SELECT 1 FROM article_authors x JOIN authors p ON p.id = x.author_id \
                                WHERE x.article_id = a.id AND p.slug = ").push_bind(author.clone()).push(")");
                    }
                    if let (Some(tag), None | Some(Driver::Author(_) | Driver::Words(_))) = (&q.tag, &driver) {
                        b.push(" AND EXISTS (SELECT 1 FROM article_tags x JOIN tags t ON t.id = x.tag_id \
                                WHERE x.article_id = a.id AND t.slug = ").push_bind(tag.clone()).push(")");
                    }
                    if let Some(member) = q.created_by {
                        b.push(" AND a.created_by = ").push_bind(member);
                    }
                    if let Some(from) = q.from {
                        b.push(format!(" AND {time} >= ")).push_bind(from);
                    }
                    if let Some(before) = q.before {
                        b.push(format!(" AND {time} < ")).push_bind(before);
                    }
                    for w in &q.words {
                        b.push(" AND LOWER(a.title) LIKE ").push_bind(crate::sql::contains_pattern(w)).push(" ESCAPE '\\'");
                    }
                    if let Some((t, id)) = q.after {
                        b.push(format!(" AND ({time} < ")).push_bind(t)
                            .push(format!(" OR ({time} = ")).push_bind(t)
                            .push(" AND a.id < ").push_bind(id).push("))");
                    }
                    b.push(format!(" ORDER BY {time} DESC, a.id DESC LIMIT ")).push_bind(i64::from(q.limit.max(1)));
                    let rows: Vec<ListRow> = b.build_query_as().fetch_all(&self.pool).await.map_err(map)?;
                    rows.into_iter()
                        .map(|r| {
                            Ok(DeskRow {
                                status: Status::parse(&r.status)
                                    .ok_or_else(|| StoreError::Other(format!("article {}: unknown status", r.id)))?,
                                id: r.id,
                                site_id: r.site_id,
                                title: r.title,
                                slug: r.slug,
                                section_slug: r.section_slug,
                                workflow: r.workflow,
                                published_at: r.published_at,
                                modified_at: r.modified_at,
                                version: r.version,
                            })
                        })
                        .collect()
                }

                async fn touch_presence(&self, article_id: i64, member_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO desk_presence (article_id, member_id, seen_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (article_id, member_id) DO UPDATE SET seen_at = excluded.seen_at")
                        .bind(article_id).bind(member_id).bind(now).execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn presence(&self, article_ids: &[i64], since: DateTime<Utc>) -> StoreResult<Vec<Presence>> {
                    if article_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut b = sqlx::QueryBuilder::<$db>::new(
                        "SELECT d.article_id, d.member_id, m.display_name FROM desk_presence d \
                         JOIN members m ON m.id = d.member_id WHERE d.seen_at >= ");
                    b.push_bind(since).push(" AND d.article_id IN (");
                    let mut ids = b.separated(", ");
                    for id in article_ids {
                        ids.push_bind(*id);
                    }
                    b.push(") ORDER BY d.article_id, m.display_name");
                    let rows: Vec<(i64, i64, String)> = b.build_query_as().fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(|(article_id, member_id, name)| Presence { article_id, member_id, name }).collect())
                }

                async fn add_note(&self, article_id: i64, note: &ArticleNote, now: DateTime<Utc>) -> StoreResult<Vec<ArticleNote>> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    let (stored,): (String,) = sqlx::query_as("SELECT notes FROM articles WHERE id = $1")
                        .bind(article_id).fetch_optional(&mut *tx).await.map_err(map)?.ok_or(StoreError::NotFound)?;
                    let mut notes = ArticleNote::parse_list(&stored);
                    notes.push(note.clone());
                    let json = serde_json::to_string(&notes).map_err(|e| StoreError::Other(e.to_string()))?;
                    sqlx::query("UPDATE articles SET notes = $2, modified_at = $3, updated_at = $3 WHERE id = $1")
                        .bind(article_id).bind(json).bind(now).execute(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)?;
                    Ok(notes)
                }

                async fn story_gone(&self, site_id: i64, slug: &str) -> StoreResult<bool> {
                    let row: Option<(i64,)> = sqlx::query_as(
                        "SELECT id FROM articles WHERE site_id = $1 AND slug = $2 AND status = 'draft' AND workflow = $3")
                        .bind(site_id).bind(slug).bind(kawaraban_core::desk::status::UNPUBLISHED)
                        .fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.is_some())
                }
            }
        }
    };
}
