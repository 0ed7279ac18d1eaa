use chrono::{DateTime, Utc};
use serde::Serialize;

/// Whether an article may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Published,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Status::Draft),
            "published" => Some(Status::Published),
            _ => None,
        }
    }
}

/// A stored image, kept once and served in several widths.
#[derive(Debug, Clone, Serialize)]
pub struct Image {
    pub id: i64,
    /// Hex SHA-256 of the original bytes; also the file name stem.
    pub hash: String,
    pub width: u32,
    pub height: u32,
    /// The widths generated at import, ascending.
    pub widths: Vec<u32>,
    /// File extension of the generated renditions (`jpg`, `png`, `webp`).
    pub ext: String,
}

impl Image {
    /// Parses the comma-separated width list stored in the database.
    pub fn parse_widths(s: &str) -> Vec<u32> {
        s.split(',').filter_map(|w| w.trim().parse().ok()).collect()
    }

    pub fn widths_text(&self) -> String {
        self.widths
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The public path of one rendition.
    pub fn path(&self, width: u32) -> String {
        format!("/media/{}-{}.{}", self.hash, width, self.ext)
    }

    /// Where a rendition named `<64 hex>-<width>.<ext>` lives under a media
    /// root (`<root>/<first two hex>/<name>`). Any other name, such as one
    /// trying `../`, gives `None`.
    pub fn rendition_file(root: &std::path::Path, name: &str) -> Option<std::path::PathBuf> {
        let (stem, ext) = name.rsplit_once('.')?;
        let (hash, width) = stem.rsplit_once('-')?;
        let ok = hash.len() == 64
            && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            && !width.is_empty()
            && width.bytes().all(|b| b.is_ascii_digit())
            && matches!(ext, "jpg" | "png" | "webp");
        ok.then(|| root.join(&hash[..2]).join(name))
    }

    /// Height of a rendition of the given width, keeping the aspect ratio.
    pub fn height_for(&self, width: u32) -> u32 {
        if self.width == 0 {
            return 0;
        }
        ((u64::from(self.height) * u64::from(width) + u64::from(self.width) / 2)
            / u64::from(self.width)) as u32
    }
}

/// What an article page needs: the article with its section, image, authors and tags.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
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
    pub image: Option<Image>,
    pub image_caption: String,
    pub image_credit: String,
    pub image_alt: String,
    pub authors: Vec<Person>,
    pub tags: Vec<Tag>,
    pub comment_mode: super::CommentMode,
    /// Visible comments.
    pub comment_count: i64,
    /// Corrections and updates, oldest first.
    pub notes: Vec<ArticleNote>,
    /// For search engines and social cards; empty: the headline and standfirst.
    pub seo_title: String,
    pub seo_description: String,
    /// Where the story first ran, when not here (empty: this page).
    pub canonical_url: String,
}

/// What a note on a published story is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    /// Something the story got wrong, put right.
    Correction,
    /// News added since it was published.
    Update,
}

impl NoteKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "correction" => Some(NoteKind::Correction),
            "update" => Some(NoteKind::Update),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Correction => "correction",
            NoteKind::Update => "update",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NoteKind::Correction => "Correction",
            NoteKind::Update => "Update",
        }
    }
}

/// A correction or update note: data, not words in the body, so that
/// pages, JSON-LD, feeds, the API and webhooks all carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ArticleNote {
    pub kind: NoteKind,
    pub text: String,
    pub at: DateTime<Utc>,
}

impl ArticleNote {
    /// The notes stored with an article (`''` or a JSON list); a list that
    /// does not read is left out rather than failing the page.
    pub fn parse_list(json: &str) -> Vec<ArticleNote> {
        if json.is_empty() {
            return Vec::new();
        }
        serde_json::from_str(json).unwrap_or_default()
    }
}

/// An article as lists show it (home, section, tag, author, search, feeds).
#[derive(Debug, Clone, Serialize)]
pub struct ArticleSummary {
    pub id: i64,
    pub section_slug: String,
    pub section_name: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub image: Option<Image>,
    pub image_alt: String,
    pub comment_count: i64,
    /// A breaking story: its card says so.
    pub breaking: bool,
    /// Search only: an excerpt with matches between `\u{1}` and `\u{2}` markers.
    pub snippet: Option<String>,
}

impl ArticleSummary {
    pub fn path(&self) -> String {
        format!("/{}/{}", self.section_slug, self.slug)
    }
}

impl Article {
    pub fn path(&self) -> String {
        format!("/{}/{}", self.section_slug, self.slug)
    }
}

/// An author (network-wide, so a reporter writing for two sites has one page on each).
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// Everything needed to create or update an article, already validated.
#[derive(Debug, Clone)]
pub struct ArticleInput {
    pub site_id: i64,
    pub section_id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub dateline: String,
    pub body_markdown: String,
    pub body_html: String,
    /// Plain text of the body, for search.
    pub body_text: String,
    pub source: String,
    pub copyright: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub status: Status,
    pub featured: bool,
    pub breaking: bool,
    pub image_id: Option<i64>,
    pub image_caption: String,
    pub image_credit: String,
    pub image_alt: String,
    /// Author names, in byline order.
    pub authors: Vec<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// Where it came from (an import file path), for operators.
    pub origin: String,
}

/// Whether an upsert created a new article or updated an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upserted {
    pub id: i64,
    pub created: bool,
}

/// Which articles a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    All,
    Featured,
    Section(i64),
    Tag(i64),
    Author(i64),
}

/// A new image for [`crate::store::MediaStore::put_image`].
#[derive(Debug, Clone)]
pub struct NewImage {
    pub hash: String,
    pub width: u32,
    pub height: u32,
    pub widths: Vec<u32>,
    pub ext: String,
}

/// One URL of a sitemap.
#[derive(Debug, Clone, Serialize)]
pub struct SitemapEntry {
    pub path: String,
    pub title: String,
    pub published_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
}

/// What the media library says of an image, brought to a story that uses
/// it (each story may still write its own caption, credit and alt).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageInfo {
    /// What it is called in the library (the uploaded file's name at first).
    pub name: String,
    pub caption: String,
    pub credit: String,
    pub alt: String,
}

/// An image as the media library lists it.
#[derive(Debug, Clone, Serialize)]
pub struct LibraryImage {
    pub image: Image,
    pub info: ImageInfo,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// An author's profile: shown on their page on every site.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorProfile {
    pub person: Person,
    pub bio: String,
    /// A media library image's hash (empty: none).
    pub photo: String,
    /// Their pages elsewhere (http(s) addresses).
    pub links: Vec<String>,
}
