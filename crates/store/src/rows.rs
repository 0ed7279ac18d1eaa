//! Row shapes shared by both backends, and their conversion to domain types.

use chrono::{DateTime, Utc};
use kawaraban_core::model::*;

#[derive(sqlx::FromRow)]
pub(crate) struct SiteRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub url: String,
    pub time_zone: String,
    pub publisher: String,
    pub tagline: String,
    pub is_default: bool,
}

impl From<SiteRow> for Site {
    fn from(r: SiteRow) -> Self {
        Site {
            id: r.id,
            key: r.key,
            name: r.name,
            url: r.url,
            time_zone: r.time_zone,
            publisher: r.publisher,
            tagline: r.tagline,
            is_default: r.is_default,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SectionRow {
    pub id: i64,
    pub site_id: i64,
    pub slug: String,
    pub name: String,
    pub position: i64,
}

impl From<SectionRow> for Section {
    fn from(r: SectionRow) -> Self {
        Section {
            id: r.id,
            site_id: r.site_id,
            slug: r.slug,
            name: r.name,
            position: r.position,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ImageRow {
    pub id: i64,
    pub hash: String,
    pub width: i64,
    pub height: i64,
    pub widths: String,
    pub ext: String,
}

impl From<ImageRow> for Image {
    fn from(r: ImageRow) -> Self {
        Image {
            id: r.id,
            hash: r.hash,
            width: r.width as u32,
            height: r.height as u32,
            widths: Image::parse_widths(&r.widths),
            ext: r.ext,
        }
    }
}

/// The image columns joined onto article rows (all null when there is no image).
#[derive(sqlx::FromRow)]
pub(crate) struct JoinedImage {
    pub image_id: Option<i64>,
    pub image_hash: Option<String>,
    pub image_width: Option<i64>,
    pub image_height: Option<i64>,
    pub image_widths: Option<String>,
    pub image_ext: Option<String>,
}

impl JoinedImage {
    fn into_image(self) -> Option<Image> {
        Some(Image {
            id: self.image_id?,
            hash: self.image_hash?,
            width: self.image_width? as u32,
            height: self.image_height? as u32,
            widths: Image::parse_widths(&self.image_widths?),
            ext: self.image_ext?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ArticleRow {
    pub id: i64,
    pub site_id: i64,
    pub section_id: i64,
    pub section_slug: String,
    pub section_name: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub dateline: String,
    pub body_html: String,
    pub source: String,
    pub copyright: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub featured: bool,
    pub breaking: bool,
    pub image_caption: String,
    pub image_credit: String,
    pub image_alt: String,
    pub comment_mode: String,
    pub comment_count: i64,
    #[sqlx(flatten)]
    pub image: JoinedImage,
    pub notes: String,
    pub seo_title: String,
    pub seo_description: String,
    pub canonical_url: String,
}

impl ArticleRow {
    pub fn into_article(self, authors: Vec<Person>, tags: Vec<Tag>) -> Article {
        Article {
            id: self.id,
            site_id: self.site_id,
            section_id: self.section_id,
            section_slug: self.section_slug,
            section_name: self.section_name,
            slug: self.slug,
            title: self.title,
            summary: self.summary,
            dateline: self.dateline,
            body_html: self.body_html,
            source: self.source,
            copyright: self.copyright,
            published_at: self.published_at,
            updated_at: self.updated_at,
            featured: self.featured,
            breaking: self.breaking,
            image: self.image.into_image(),
            image_caption: self.image_caption,
            image_credit: self.image_credit,
            image_alt: self.image_alt,
            authors,
            tags,
            comment_mode: CommentMode::parse(&self.comment_mode).unwrap_or(CommentMode::Open),
            comment_count: self.comment_count,
            notes: ArticleNote::parse_list(&self.notes),
            seo_title: self.seo_title,
            seo_description: self.seo_description,
            canonical_url: self.canonical_url,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    pub id: i64,
    pub section_slug: String,
    pub section_name: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub image_alt: String,
    pub comment_count: i64,
    #[sqlx(flatten)]
    pub image: JoinedImage,
    pub breaking: bool,
}

impl SummaryRow {
    pub fn into_summary(self, snippet: Option<String>) -> ArticleSummary {
        ArticleSummary {
            id: self.id,
            section_slug: self.section_slug,
            section_name: self.section_name,
            slug: self.slug,
            title: self.title,
            summary: self.summary,
            published_at: self.published_at,
            updated_at: self.updated_at,
            image: self.image.into_image(),
            image_alt: self.image_alt,
            comment_count: self.comment_count,
            breaking: self.breaking,
            snippet,
        }
    }
}

/// A summary with its site (the trending block mixes the network's sites).
#[derive(sqlx::FromRow)]
pub(crate) struct SitedSummaryRow {
    pub site_id: i64,
    #[sqlx(flatten)]
    pub summary: SummaryRow,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SearchRow {
    #[sqlx(flatten)]
    pub summary: SummaryRow,
    pub snippet: Option<String>,
}

/// An author or a tag of an article, fetched together in one query.
#[derive(sqlx::FromRow)]
pub(crate) struct LabelRow {
    pub kind: String,
    pub id: i64,
    pub slug: String,
    pub name: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SitemapRow {
    pub section_slug: String,
    pub slug: String,
    pub title: String,
    pub published_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
}

impl From<SitemapRow> for SitemapEntry {
    fn from(r: SitemapRow) -> Self {
        SitemapEntry {
            path: format!("/{}/{}", r.section_slug, r.slug),
            title: r.title,
            published_at: r.published_at,
            modified_at: r.modified_at,
        }
    }
}

/// An author or a tag of one of several articles.
#[derive(sqlx::FromRow)]
pub(crate) struct ArticleLabelRow {
    pub article_id: i64,
    #[sqlx(flatten)]
    pub label: LabelRow,
}

/// Articles with their authors and tags (rows in article order).
pub(crate) fn with_labels(rows: Vec<ArticleRow>, labels: Vec<ArticleLabelRow>) -> Vec<Article> {
    let mut articles: Vec<Article> = rows
        .into_iter()
        .map(|r| r.into_article(Vec::new(), Vec::new()))
        .collect();
    attach_labels(&mut articles, labels);
    articles
}

/// Gives each article its authors and tags, from rows led by the
/// article's id (in their order).
pub(crate) fn attach_labels(articles: &mut [Article], labels: Vec<ArticleLabelRow>) {
    let mut by_article: std::collections::HashMap<i64, Vec<LabelRow>> = Default::default();
    for l in labels {
        by_article.entry(l.article_id).or_default().push(l.label);
    }
    for a in articles {
        let (authors, tags) = split_labels(by_article.remove(&a.id).unwrap_or_default());
        a.authors = authors;
        a.tags = tags;
    }
}

/// Splits the combined author/tag rows.
pub(crate) fn split_labels(rows: Vec<LabelRow>) -> (Vec<Person>, Vec<Tag>) {
    let mut authors = Vec::new();
    let mut tags = Vec::new();
    for r in rows {
        if r.kind == "a" {
            authors.push(Person {
                id: r.id,
                slug: r.slug,
                name: r.name,
            });
        } else {
            tags.push(Tag {
                id: r.id,
                slug: r.slug,
                name: r.name,
            });
        }
    }
    (authors, tags)
}
