//! Authors' profiles and tags' names (`AuthorStore`): one SQL text for both
//! backends.

macro_rules! impl_author_store {
    ($store:path, $db:ty) => {
        mod author_impl {
            use async_trait::async_trait;
            use kawaraban_core::model::{AuthorProfile, Person};
            use kawaraban_core::store::AuthorStore;
            use kawaraban_core::StoreResult;

            use crate::error::map;

            #[async_trait]
            impl AuthorStore for $store {
                async fn authors(&self, query: &str, limit: u32) -> StoreResult<Vec<Person>> {
                    let mut b = sqlx::QueryBuilder::<$db>::new("SELECT id, slug, name FROM authors WHERE 1 = 1");
                    for w in query.split_whitespace() {
                        b.push(" AND LOWER(name) LIKE ").push_bind(crate::sql::contains_pattern(w)).push(" ESCAPE '\\'");
                    }
                    b.push(" ORDER BY name, id LIMIT ").push_bind(i64::from(limit.max(1)));
                    let rows: Vec<(i64, String, String)> = b.build_query_as().fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(|(id, slug, name)| Person { id, slug, name }).collect())
                }

                async fn author_profile(&self, slug: &str) -> StoreResult<Option<AuthorProfile>> {
                    let row: Option<(i64, String, String, String, String, String)> =
                        sqlx::query_as("SELECT id, slug, name, bio, photo, links FROM authors WHERE slug = $1")
                            .bind(slug).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(|(id, slug, name, bio, photo, links)| AuthorProfile {
                        person: Person { id, slug, name },
                        bio,
                        photo,
                        links: links.lines().map(str::to_string).filter(|l| !l.is_empty()).collect(),
                    }))
                }

                async fn set_author_profile(&self, p: &AuthorProfile) -> StoreResult<bool> {
                    let done = sqlx::query("UPDATE authors SET name = $2, bio = $3, photo = $4, links = $5 WHERE id = $1")
                        .bind(p.person.id).bind(&p.person.name).bind(&p.bio).bind(&p.photo).bind(p.links.join("\n"))
                        .execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected() > 0)
                }

                async fn rename_tag(&self, site_id: i64, slug: &str, name: &str) -> StoreResult<bool> {
                    let done = sqlx::query("UPDATE tags SET name = $3 WHERE site_id = $1 AND slug = $2")
                        .bind(site_id).bind(slug).bind(name).execute(&self.pool).await.map_err(map)?;
                    Ok(done.rows_affected() > 0)
                }
            }
        }
    };
}
