//! What a save writes and what follows it: the fields made into the
//! article readers get (section, image and body rendered), and, once
//! stored, the pages that change told to every app server, and the
//! audit log.

use chrono::{DateTime, Utc};
use kawaraban_core::desk::rules::readers_see;
use kawaraban_core::desk::{may, outcome, DeskStatus, Intent, Refused, StoryFields};
use kawaraban_core::markdown;
use kawaraban_core::model::{ArticleInput, Member, Role, SaveOutcome, Site, Story, StorySave};
use kawaraban_core::StoreError;

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
    let body_html = markdown::render_body(&fields.body);
    Ok(Ok(ArticleInput {
        site_id: site.id,
        section_id: section.id,
        slug: fields.slug.clone(),
        title: fields.title.clone(),
        summary: fields.summary.clone(),
        dateline: fields.dateline.clone(),
        body_markdown: fields.body.clone(),
        // The text search reads, from the HTML: the same for a Markdown
        // body and for HTML sent through an API.
        body_text: markdown::plain_text_of_html(&body_html),
        body_html,
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
    member: Option<&Member>,
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
        .audit(member, action, &format!("article:{article_id}"), title, now)
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

/// Who saves: the member (none for an API key) or the key, and their
/// role on the site.
pub struct Who<'a> {
    pub member: Option<&'a Member>,
    /// The API key saving, if it is one.
    pub key_id: Option<i64>,
    pub role: Role,
    /// Whether they made the story (always, for a new one).
    pub own: bool,
}

/// What a save came to.
pub enum Saving {
    Saved {
        id: i64,
        version: i64,
    },
    /// The role may not do this.
    Forbidden(String),
    /// A field (or the whole) refused; the fields as they were given.
    Refused(Refused, StoryFields),
    /// Someone saved in between: nothing written.
    Stale(StoryFields),
}

/// One save of a story, from the desk or an API alike: who may, the
/// checks, the article readers will get, the versioned write, then the
/// announcement (caches, alerts) and the audit log. `note` replaces the
/// history's word for the save, or (starting with a space) is added to it.
#[expect(clippy::too_many_arguments, reason = "one save's parts, each needed")]
pub async fn save_story(
    state: &AppState,
    site: &Site,
    who: &Who<'_>,
    story: Option<&Story>,
    fields: StoryFields,
    intent: Intent,
    base_version: i64,
    note: Option<String>,
) -> AppResult<Saving> {
    // To the second, as the site's queries see time: a story published
    // "now" is on the site at once.
    let now = crate::pages::now();
    let was = story.map(|s| (s.desk_status(now), s.published_at));
    if story.is_some_and(|s| s.circulated_from.is_some()) {
        return Ok(Saving::Forbidden(
            "This story is a sister site's, shown here too: edit it on its own site's desk, and the change comes here."
                .into(),
        ));
    }
    if let Err(e) = may(who.role, who.own, was.map(|w| w.0), intent) {
        return Ok(Saving::Forbidden(e.message));
    }
    let fields = with_library_words(state, fields).await?;
    let (status, published_at) = match outcome(&fields, intent, was, now) {
        Ok(x) => x,
        Err(e) => return Ok(Saving::Refused(e, fields)),
    };
    let updated_at = match story {
        Some(s)
            if was.is_some_and(|w| w.0 == DeskStatus::Published)
                && status == DeskStatus::Published
                && readers_see(&s.fields.changed(&fields)) =>
        {
            Some(now)
        }
        Some(s) => s.updated_at,
        None => None,
    };
    let article =
        match article_input(state, site, &fields, status, published_at, updated_at).await? {
            Ok(a) => a,
            Err(e) => return Ok(Saving::Refused(e, fields)),
        };
    let word = match (intent, status) {
        (Intent::Publish, DeskStatus::Scheduled) => "schedule",
        (Intent::Publish, _) => "publish",
        (Intent::Submit, _) => "submit",
        (Intent::Unpublish, _) => "unpublish",
        (Intent::Draft, _) => "back to draft",
        (Intent::Save, _) if story.is_none() => "create",
        (Intent::Save, _) => "save",
    };
    let save = StorySave {
        id: story.map(|s| s.id),
        base_version,
        workflow: status.stored().1,
        article,
        fields: fields.clone(),
        member_id: who.member.map(|m| m.id),
        note: match note {
            None => word.to_string(),
            Some(n) if n.starts_with(' ') => format!("{word}{n}"),
            Some(n) => n,
        },
        circulated_from: None,
        key_id: who.key_id,
    };
    let (id, version) = match state.store.save_story(&save, now).await {
        Ok(SaveOutcome::Saved { id, version }) => (id, version),
        Ok(SaveOutcome::Stale { .. }) => return Ok(Saving::Stale(fields)),
        Err(StoreError::Conflict(_)) => {
            let e = Refused {
                field: "slug",
                message: format!(
                    "Slug: \"{}\" is taken by another story of {}",
                    fields.slug, site.name
                ),
            };
            return Ok(Saving::Refused(e, fields));
        }
        Err(e) => return Err(e.into()),
    };
    announce(
        state,
        site,
        id,
        who.member,
        &format!("story.{}", word.replace(' ', "_")),
        &fields.title,
        now,
    )
    .await?;
    let was_out = was.is_some_and(|w| w.0.is_out());
    if let Some(event) = story_event(status, was_out, intent == Intent::Unpublish) {
        let story = crate::webhooks::story_data(site, id, &fields, status, published_at, version);
        crate::webhooks::emit(state, site.id, event, serde_json::json!({ "story": story })).await;
    }
    let original = super::circulation::Original {
        site,
        id,
        version,
        fields: &fields,
        status,
        published_at,
        updated_at,
    };
    super::circulation::follow(state, &original, who.member).await?;
    Ok(Saving::Saved { id, version })
}

/// The webhook event of a save that leaves a story `status`: `was_out`
/// whether it was published or scheduled before, `unpublishing` whether
/// the save takes it down.
pub fn story_event(status: DeskStatus, was_out: bool, unpublishing: bool) -> Option<&'static str> {
    match status {
        DeskStatus::Published | DeskStatus::Scheduled if was_out => Some("story.updated"),
        DeskStatus::Published | DeskStatus::Scheduled => Some("story.published"),
        DeskStatus::Unpublished if unpublishing => Some("story.unpublished"),
        _ => None,
    }
}
