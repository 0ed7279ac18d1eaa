//! The desk's media library (`MediaLibrary`): one SQL text for both backends.

macro_rules! impl_media_library {
    ($store:path, $db:ty) => {
        mod media_library_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::model::{Image, ImageInfo, LibraryImage};
            use kawaraban_core::store::MediaLibrary;
            use kawaraban_core::StoreResult;

            use crate::error::map;

            const COLUMNS: &str = "SELECT id, hash, width, height, widths, ext, name, caption, credit, alt, \
                uploaded_by, created_at FROM images";

            #[derive(sqlx::FromRow)]
            struct Row {
                #[sqlx(flatten)]
                image: crate::rows::ImageRow,
                name: String,
                caption: String,
                credit: String,
                alt: String,
                uploaded_by: Option<i64>,
                created_at: DateTime<Utc>,
            }

            impl From<Row> for LibraryImage {
                fn from(r: Row) -> Self {
                    LibraryImage {
                        image: Image::from(r.image),
                        info: ImageInfo { name: r.name, caption: r.caption, credit: r.credit, alt: r.alt },
                        uploaded_by: r.uploaded_by,
                        created_at: r.created_at,
                    }
                }
            }

            #[async_trait]
            impl MediaLibrary for $store {
                async fn set_image_info(&self, id: i64, info: &ImageInfo, uploaded_by: Option<i64>) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE images SET name = $2, caption = $3, credit = $4, alt = $5, \
                         uploaded_by = COALESCE($6, uploaded_by) WHERE id = $1")
                        .bind(id).bind(&info.name).bind(&info.caption).bind(&info.credit).bind(&info.alt)
                        .bind(uploaded_by).execute(&self.pool).await.map_err(map)?;
                    Ok(())
                }

                async fn library_image(&self, hash: &str) -> StoreResult<Option<LibraryImage>> {
                    let row: Option<Row> = sqlx::query_as(&format!("{COLUMNS} WHERE hash = $1"))
                        .bind(hash).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(LibraryImage::from))
                }

                async fn library(&self, query: &str, before: Option<i64>, limit: u32) -> StoreResult<Vec<LibraryImage>> {
                    let mut b = sqlx::QueryBuilder::<$db>::new(COLUMNS);
                    b.push(" WHERE 1 = 1");
                    if let Some(before) = before {
                        b.push(" AND id < ").push_bind(before);
                    }
                    for w in query.split_whitespace() {
                        let w = crate::sql::contains_pattern(w);
                        b.push(" AND LOWER(name || ' ' || caption || ' ' || credit || ' ' || alt || ' ' || hash) LIKE ")
                            .push_bind(w)
                            .push(" ESCAPE '\\'");
                    }
                    b.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(limit.max(1)));
                    let rows: Vec<Row> = b.build_query_as().fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(LibraryImage::from).collect())
                }
            }
        }
    };
}
