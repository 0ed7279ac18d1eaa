//! What a save writes and what follows it: the fields made into the
//! article readers get (section, image and body rendered), and, once
//! stored, the pages that change told to every app server, and the
//! audit log.

use chrono::{DateTime, Utc};
use kawaraban_core::desk::{DeskStatus, Refused, StoryFields};
use kawaraban_core::markdown;
use kawaraban_core::model::{ArticleInput, Member, Site};

use crate::error::AppResult;
use crate::state::AppState;

/// The article for `fields` as it will stand after the save.
pub async fn article_input(
    state: &AppState,
    site: &Site,
    fields: &StoryFields,
    status: DeskStatus,
    published_at: DateTime<Utc>,
    updated_at: Option<DateTime<Utc>>,
) -> AppResult<Result<ArticleInput, Refused>> {
    let network = state.network.get();
    let Some(section) = network.section(site.id, &fields.section) else {
        return Ok(Err(Refused {
            field: "section",
            message: format!(
                "Section: \"{}\" is not a section of {}",
                fields.section, site.name
            ),
        }));
    };
    let image_id = match fields.image.as_str() {
        "" => None,
        hash => match state.store.image_by_hash(hash).await? {
            Some(i) => Some(i.id),
            None => {
                return Ok(Err(Refused {
                    field: "image",
                    message: format!("Hero image: no image \"{hash}\" in the media library"),
                }))
            }
        },
    };
    Ok(Ok(ArticleInput {
        site_id: site.id,
        section_id: section.id,
        slug: fields.slug.clone(),
        title: fields.title.clone(),
        summary: fields.summary.clone(),
        dateline: fields.dateline.clone(),
        body_markdown: fields.body.clone(),
        body_html: markdown::render_body(&fields.body),
        body_text: markdown::plain_text(&fields.body),
        source: fields.source.clone(),
        copyright: fields.copyright.clone(),
        published_at,
        updated_at,
        status: status.stored().0,
        featured: fields.featured,
        breaking: fields.breaking,
        image_id,
        image_caption: fields.image_caption.clone(),
        image_credit: fields.image_credit.clone(),
        image_alt: fields.image_alt.clone(),
        authors: fields.authors.clone(),
        tags: fields.tags.clone(),
        origin: "desk".into(),
    }))
}

/// After a save: every page showing the story (its page, the lists,
/// feeds, sitemaps and search of its site) is dropped from every app
/// server's cache at once, which also wakes the alert sender; and the
/// audit log says who did what.
pub async fn announce(
    state: &AppState,
    site: &Site,
    article_id: i64,
    member: &Member,
    action: &str,
    title: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    crate::comments::invalidate(
        state,
        vec![
            format!("article:{article_id}"),
            format!("list:{}", site.id),
            format!("trending:{}", site.id),
        ],
    )
    .await;
    state
        .store
        .audit(
            Some(member),
            action,
            &format!("article:{article_id}"),
            title,
            now,
        )
        .await?;
    Ok(())
}

/// A hero image from the media library brings its caption, credit and alt
/// text to a story that has none of its own yet.
pub async fn with_library_words(state: &AppState, mut f: StoryFields) -> AppResult<StoryFields> {
    if f.image.is_empty()
        || !(f.image_caption.is_empty() || f.image_credit.is_empty() || f.image_alt.is_empty())
    {
        return Ok(f);
    }
    if let Some(item) = state.store.library_image(&f.image).await? {
        for (mine, library) in [
            (&mut f.image_caption, item.info.caption),
            (&mut f.image_credit, item.info.credit),
            (&mut f.image_alt, item.info.alt),
        ] {
            if mine.is_empty() {
                *mine = library;
            }
        }
    }
    Ok(f)
}
