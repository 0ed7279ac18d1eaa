//! View models: what templates see. Dates are formatted here, in the
//! site's time zone, so templates stay simple.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kawaraban_core::model::{Article, ArticleSummary, Image, Section, Site};
use serde::Serialize;

use crate::network::Network;

#[derive(Serialize)]
pub struct ImageView {
    pub src: String,
    pub srcset: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub large: String,
}

impl ImageView {
    /// `preferred` is the width used for `src` (the nearest rendition at or below it).
    pub fn new(img: &Image, alt: &str, preferred: u32) -> Self {
        let src_w = img
            .widths
            .iter()
            .copied()
            .filter(|&w| w <= preferred)
            .max()
            .unwrap_or(img.widths[0]);
        let large_w = img
            .widths
            .iter()
            .copied()
            .filter(|&w| w <= 1200)
            .max()
            .unwrap_or(src_w);
        Self {
            src: img.path(src_w),
            srcset: img
                .widths
                .iter()
                .map(|&w| format!("{} {w}w", img.path(w)))
                .collect::<Vec<_>>()
                .join(", "),
            width: src_w,
            height: img.height_for(src_w),
            alt: alt.to_string(),
            large: img.path(large_w),
        }
    }
}

#[derive(Serialize)]
pub struct TimeView {
    pub iso: String,
    pub human: String,
}

pub fn time_view(t: DateTime<Utc>, tz: Tz) -> TimeView {
    let local = t.with_timezone(&tz);
    TimeView {
        iso: local.to_rfc3339(),
        human: local.format("%b %-d, %Y %H:%M %Z").to_string(),
    }
}

/// An article on a list.
#[derive(Serialize)]
pub struct CardView {
    pub url: String,
    pub title: String,
    pub summary: String,
    pub section_name: String,
    pub section_url: String,
    pub published: TimeView,
    pub image: Option<ImageView>,
    pub snippet_html: Option<String>,
    pub comment_count: i64,
    pub breaking: bool,
}

pub fn card(a: &ArticleSummary, tz: Tz) -> CardView {
    CardView {
        url: a.path(),
        title: a.title.clone(),
        summary: a.summary.clone(),
        section_name: a.section_name.clone(),
        section_url: format!("/{}/", a.section_slug),
        published: time_view(a.published_at, tz),
        image: a
            .image
            .as_ref()
            .map(|i| ImageView::new(i, &a.image_alt, 800)),
        snippet_html: a.snippet.as_deref().map(snippet_html),
        comment_count: a.comment_count,
        breaking: a.breaking,
    }
}

pub fn cards(items: &[ArticleSummary], tz: Tz) -> Vec<CardView> {
    items.iter().map(|a| card(a, tz)).collect()
}

/// Escapes a search snippet and turns the match markers into `<mark>`.
pub fn snippet_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 32);
    let mut open = false;
    for ch in raw.chars() {
        match ch {
            '\u{1}' if !open => {
                out.push_str("<mark>");
                open = true;
            }
            '\u{2}' if open => {
                out.push_str("</mark>");
                open = false;
            }
            '\u{1}' | '\u{2}' => {}
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// The article page's own view.
#[derive(Serialize)]
pub struct ArticleView {
    pub url: String,
    pub title: String,
    pub summary: String,
    pub dateline: String,
    pub body_html: String,
    pub source: String,
    pub copyright: String,
    pub section_name: String,
    pub section_url: String,
    pub published: TimeView,
    pub updated: Option<TimeView>,
    pub image: Option<ImageView>,
    pub caption: String,
    pub credit: String,
    pub authors: Vec<LinkView>,
    pub tags: Vec<LinkView>,
    pub breaking: bool,
    /// Corrections and updates, oldest first.
    pub notes: Vec<NoteView>,
}

#[derive(Serialize)]
pub struct NoteView {
    pub kind: &'static str,
    pub label: &'static str,
    pub text: String,
    pub at: TimeView,
}

#[derive(Serialize)]
pub struct LinkView {
    pub name: String,
    pub url: String,
}

pub fn article_view(a: &Article, tz: Tz) -> ArticleView {
    ArticleView {
        url: a.path(),
        title: a.title.clone(),
        summary: a.summary.clone(),
        dateline: a.dateline.clone(),
        body_html: with_dateline(&a.body_html, &a.dateline),
        source: a.source.clone(),
        copyright: a.copyright.clone(),
        section_name: a.section_name.clone(),
        section_url: format!("/{}/", a.section_slug),
        published: time_view(a.published_at, tz),
        updated: a
            .updated_at
            .filter(|u| *u > a.published_at)
            .map(|u| time_view(u, tz)),
        image: a
            .image
            .as_ref()
            .map(|i| ImageView::new(i, &a.image_alt, 1200)),
        caption: a.image_caption.clone(),
        credit: a.image_credit.clone(),
        authors: a
            .authors
            .iter()
            .map(|p| LinkView {
                name: p.name.clone(),
                url: format!("/author/{}", p.slug),
            })
            .collect(),
        tags: a
            .tags
            .iter()
            .map(|t| LinkView {
                name: t.name.clone(),
                url: format!("/tag/{}", t.slug),
            })
            .collect(),
        breaking: a.breaking,
        notes: a
            .notes
            .iter()
            .map(|n| NoteView {
                kind: n.kind.as_str(),
                label: n.kind.label(),
                text: n.text.clone(),
                at: time_view(n.at, tz),
            })
            .collect(),
    }
}

/// Leads the first paragraph with the dateline ("TOKYO — ...").
fn with_dateline(body: &str, dateline: &str) -> String {
    if dateline.is_empty() {
        return body.to_string();
    }
    let place = minijinja::HtmlEscape(dateline).to_string();
    let lead = format!("<span class=\"dateline\">{place}</span> — ");
    match body.find("<p>") {
        Some(i) if body[..i].trim().is_empty() => {
            format!("{}<p>{lead}{}", &body[..i], &body[i + 3..])
        }
        _ => format!("<p><span class=\"dateline\">{place}</span></p>{body}"),
    }
}

/// What every page shares: site, navigation, date bar, sister sites.
#[derive(Serialize)]
pub struct Chrome {
    pub site: SiteView,
    pub sections: Vec<NavItem>,
    pub sister_sites: Vec<SiteView>,
    pub today: String,
    pub year: i32,
}

#[derive(Serialize)]
pub struct SiteView {
    pub key: String,
    pub name: String,
    pub url: String,
    pub tagline: String,
    pub publisher: String,
}

impl SiteView {
    pub fn new(s: &Site) -> Self {
        Self {
            key: s.key.clone(),
            name: s.name.clone(),
            url: s.url.clone(),
            tagline: s.tagline.clone(),
            publisher: s.publisher.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct NavItem {
    pub name: String,
    pub url: String,
    pub active: bool,
}

pub fn chrome(
    network: &Network,
    site: &Site,
    active_section: Option<&str>,
    now: DateTime<Utc>,
) -> Chrome {
    let local = now.with_timezone(&site.tz());
    Chrome {
        site: SiteView::new(site),
        sections: network
            .sections(site.id)
            .iter()
            .map(|s: &Section| NavItem {
                name: s.name.clone(),
                url: format!("/{}/", s.slug),
                active: active_section == Some(s.slug.as_str()),
            })
            .collect(),
        sister_sites: network
            .sites
            .iter()
            .filter(|s| s.id != site.id)
            .map(|s| SiteView::new(s))
            .collect(),
        today: local.format("%A, %B %-d, %Y").to_string(),
        year: local.format("%Y").to_string().parse().unwrap_or(2026),
    }
}

/// Page-level metadata: title, description, canonical URL, social tags.
#[derive(Serialize, Default)]
pub struct Meta {
    pub title: String,
    pub description: String,
    pub canonical: String,
    pub og_type: String,
    pub image: Option<String>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub jsonld: Option<String>,
    pub feed: Option<String>,
    pub atom: Option<String>,
    /// What the feeds linked from the page are called.
    pub feed_title: Option<String>,
    pub noindex: bool,
}

/// JSON for a `<script type="application/ld+json">` block: `<` is escaped
/// so no string inside can close the script element.
pub fn jsonld(value: &serde_json::Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_escaped_and_marked() {
        assert_eq!(
            snippet_html("a \u{1}<b>\u{2} & c"),
            "a <mark>&lt;b&gt;</mark> &amp; c"
        );
        assert_eq!(snippet_html("x \u{1}open"), "x <mark>open</mark>");
        assert_eq!(snippet_html("\u{2}stray"), "stray");
    }

    #[test]
    fn jsonld_cannot_close_the_script() {
        let v = serde_json::json!({"headline": "</script><script>alert(1)</script>"});
        assert!(!jsonld(&v).contains("</script"));
    }
}
