//! Network circulation: a story also shown on a sister site. The sister
//! site gets a copy in one of its sections (`core::desk::circulation`),
//! its canonical link the original's; every later save of the original,
//! and every correction, is carried over to its copies, and the copies'
//! pages, lists, feeds and search follow at once. A copy is never edited
//! itself: its editor sends the writer to the original.

use axum::extract::Path;
use axum::response::Response;
use chrono::{DateTime, Utc};
use kawaraban_core::desk::circulation::{copy_fields, may_circulate, parse_place};
use kawaraban_core::desk::{may, DeskStatus, Intent, Refused, StoryFields};
use kawaraban_core::model::{ArticleNote, Member, SaveOutcome, Site, Story, StorySave};
use kawaraban_core::StoreError;

use super::publish::{announce, article_input, story_event};
use super::{load_publishable, own, role, Writer};
use crate::error::{AppError, AppResult};
use crate::members::{field, parse_form, see_other};
use crate::state::AppState;

/// A copy of the story on a sister site, as the editor lists it.
pub struct Copy {
    pub site: std::sync::Arc<Site>,
    pub story: Story,
}

/// The copies of a story, with their sites (a copy on a site since
/// removed from the network is left out).
pub async fn copies(state: &AppState, id: i64) -> AppResult<Vec<Copy>> {
    let network = state.network.get();
    let mut out = Vec::new();
    for copy_id in state.store.copies(id).await? {
        let Some(story) = state.store.story(copy_id).await? else {
            continue;
        };
        if let Some(site) = network.sites.iter().find(|s| s.id == story.site_id) {
            out.push(Copy {
                site: site.clone(),
                story,
            });
        }
    }
    Ok(out)
}

/// The original's public address, which its copies name as canonical.
fn original_url(site: &Site, f: &StoryFields) -> String {
    site.absolute(&format!("/{}/{}", f.section, f.slug))
}

/// The original as it now stands, to carry over: its fields, status and
/// times.
pub struct Original<'a> {
    pub site: &'a Site,
    pub id: i64,
    pub version: i64,
    pub fields: &'a StoryFields,
    pub status: DeskStatus,
    pub published_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Writes a copy (`copy`: the one there already, or none for a new one)
/// as the original now stands, then announces it on its site. A copy
/// stopped by hand (unpublished while the original is out) is left so,
/// unless `revive`.
async fn write_copy(
    state: &AppState,
    o: &Original<'_>,
    there: &Site,
    copy: Option<&Story>,
    (section, slug): (&str, &str),
    member: Option<&Member>,
    status: DeskStatus,
) -> AppResult<Result<i64, Refused>> {
    let now = crate::pages::now();
    let fields = copy_fields(o.fields, &original_url(o.site, o.fields), section, slug);
    let article =
        match article_input(state, there, &fields, status, o.published_at, o.updated_at).await? {
            Ok(a) => a,
            Err(e) => return Ok(Err(e)),
        };
    let save = StorySave {
        id: copy.map(|c| c.id),
        base_version: copy.map_or(0, |c| c.version),
        article,
        workflow: status.stored().1,
        fields: fields.clone(),
        member_id: member.map(|m| m.id),
        note: format!("from {} (version {})", o.site.name, o.version),
        circulated_from: Some(o.id),
        key_id: None,
    };
    let (id, version) = match state.store.save_story(&save, now).await {
        Ok(SaveOutcome::Saved { id, version }) => (id, version),
        // Another save of the original is carrying its own version over
        // this moment: the later one leaves the copy as the original is.
        Ok(SaveOutcome::Stale { .. }) => return Ok(Ok(copy.map_or(0, |c| c.id))),
        Err(StoreError::Conflict(_)) => {
            return Ok(Err(Refused {
                field: "circulate",
                message: format!(
                    "{} has a story at \"{slug}\" already: change this story's slug, or take that one down first.",
                    there.name
                ),
            }))
        }
        Err(e) => return Err(e.into()),
    };
    announce(
        state,
        there,
        id,
        member,
        "story.circulated",
        &fields.title,
        now,
    )
    .await?;
    let was_out = copy.is_some_and(|c| c.desk_status(now).is_out());
    if let Some(event) = story_event(
        status,
        was_out,
        status == DeskStatus::Unpublished && was_out,
    ) {
        let story =
            crate::webhooks::story_data(there, id, &fields, status, o.published_at, version);
        crate::webhooks::emit(
            state,
            there.id,
            event,
            serde_json::json!({ "story": story }),
        )
        .await;
    }
    Ok(Ok(id))
}

/// After every save of an original: each copy made as it now stands
/// (a copy stopped by hand stays down while the original is out).
pub async fn follow(state: &AppState, o: &Original<'_>, member: Option<&Member>) -> AppResult<()> {
    let now = crate::pages::now();
    for c in copies(state, o.id).await? {
        let stopped = c.story.desk_status(now) == DeskStatus::Unpublished;
        if stopped && o.status != DeskStatus::Unpublished {
            continue;
        }
        let place = (&c.story.fields.section, &c.story.fields.slug);
        if let Err(e) = write_copy(
            state,
            o,
            &c.site,
            Some(&c.story),
            (place.0, place.1),
            member,
            o.status,
        )
        .await?
        {
            tracing::warn!(
                original = o.id,
                copy = c.story.id,
                "a copy could not follow: {}",
                e.message
            );
        }
    }
    Ok(())
}

/// A correction or update note of an original, on its copies that are out.
pub async fn follow_note(
    state: &AppState,
    id: i64,
    note: &ArticleNote,
    member: Option<&Member>,
) -> AppResult<()> {
    let now = crate::pages::now();
    for c in copies(state, id).await? {
        if !c.story.desk_status(now).is_out() {
            continue;
        }
        state.store.add_note(c.story.id, note, now).await?;
        let action = format!("story.{}", note.kind.as_str());
        announce(state, &c.site, c.story.id, member, &action, &note.text, now).await?;
    }
    Ok(())
}

/// `POST /desk/stories/{id}/circulate`: shows the story on a sister site
/// too (`to`: `site/section`), or stops showing it there (`stop`: the
/// copy's id, which then answers 410 Gone there).
pub async fn circulate(
    Writer(v, viewer): Writer,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let (story, status) = load_publishable(&v, &viewer, id).await?;
    if story.circulated_from.is_some() {
        return Err(AppError::bad_request(
            "This story is itself a copy from a sister site: circulate the original.",
        ));
    }
    let o = Original {
        site: &v.site,
        id,
        version: story.version,
        fields: &story.fields,
        status,
        published_at: story.published_at,
        updated_at: story.updated_at,
    };
    let member = Some(&viewer.member);
    let existing = copies(&v.state, id).await?;

    if !field(&f, "stop").is_empty() {
        let stop: i64 = field(&f, "stop")
            .parse()
            .map_err(|_| AppError::bad_request("stop: not a copy's number"))?;
        let c = existing
            .iter()
            .find(|c| c.story.id == stop)
            .ok_or_else(|| AppError::bad_request("stop: no copy of this story by that number"))?;
        let role_there = site_role(&v.state, &viewer.member, &c.site).await?;
        may_circulate(role_there, &c.site.name).map_err(|e| AppError::Forbidden(e.message))?;
        let (section, slug) = (&c.story.fields.section, &c.story.fields.slug);
        write_copy(
            &v.state,
            &o,
            &c.site,
            Some(&c.story),
            (section, slug),
            member,
            DeskStatus::Unpublished,
        )
        .await?
        .map_err(|e| AppError::bad_request(e.message))?;
        return Ok(see_other(
            &format!("/desk/stories/{id}?stopped={}", c.site.key),
            Vec::new(),
        ));
    }

    let to = field(&f, "to");
    let (key, section) = parse_place(to).ok_or_else(|| {
        AppError::bad_request(format!("to: \"{to}\" is not a sister site's section"))
    })?;
    let network = v.state.network.get();
    let there = network
        .sites
        .iter()
        .find(|s| s.key == key && s.id != v.site.id)
        .ok_or_else(|| AppError::bad_request(format!("to: \"{key}\" is not a sister site")))?
        .clone();
    if network.section(there.id, section).is_none() {
        return Err(AppError::bad_request(format!(
            "to: \"{section}\" is not a section of {}",
            there.name
        )));
    }
    let role_there = site_role(&v.state, &viewer.member, &there).await?;
    may_circulate(role_there, &there.name).map_err(|e| AppError::Forbidden(e.message))?;
    let copy = existing
        .iter()
        .find(|c| c.site.id == there.id)
        .map(|c| &c.story);
    let slug = copy.map_or(story.fields.slug.as_str(), |c| c.fields.slug.as_str());
    write_copy(&v.state, &o, &there, copy, (section, slug), member, status)
        .await?
        .map_err(|e| AppError::Conflict(e.message))?;
    Ok(see_other(
        &format!("/desk/stories/{id}?circulated={}", there.key),
        Vec::new(),
    ))
}

/// The member's role on another site of the network.
async fn site_role(
    state: &AppState,
    member: &Member,
    site: &Site,
) -> AppResult<kawaraban_core::model::Role> {
    // A network admin is an admin everywhere: no grant can add to that.
    if member.role == kawaraban_core::model::Role::Admin {
        return Ok(member.role);
    }
    let granted = state.store.site_role(member.id, site.id).await?;
    Ok(kawaraban_core::authz::role_on_site(member.role, granted))
}

/// What the editor shows of circulation: for a copy, its original; for
/// an original, its copies and the sister sites' sections it may go to.
pub async fn view(
    state: &AppState,
    site: &Site,
    viewer: &crate::members::Viewer,
    story: &Story,
) -> AppResult<Option<minijinja::Value>> {
    use minijinja::context;
    let network = state.network.get();
    if let Some(original) = story.circulated_from {
        let Some(o) = state.store.story(original).await? else {
            return Ok(None);
        };
        let Some(home) = network.sites.iter().find(|s| s.id == o.site_id) else {
            return Ok(None);
        };
        return Ok(Some(context! {
            copy_of => context! {
                site => home.name.clone(),
                title => o.fields.title.clone(),
                desk_url => home.absolute(&format!("/desk/stories/{original}")),
            }
        }));
    }
    let now = crate::pages::now();
    if may(
        role(viewer),
        own(viewer, story),
        Some(story.desk_status(now)),
        Intent::Publish,
    )
    .is_err()
    {
        return Ok(None);
    }
    let copies: Vec<_> = copies(state, story.id)
        .await?
        .into_iter()
        .map(|c| {
            let st = c.story.desk_status(now);
            let section = network
                .section(c.site.id, &c.story.fields.section)
                .map_or(c.story.fields.section.clone(), |s| s.name.clone());
            context! {
                id => c.story.id,
                site => c.site.name.clone(),
                section,
                status => st.as_str(),
                status_label => st.label(),
                live => st != DeskStatus::Unpublished,
                url => c.site.absolute(&format!("/{}/{}", c.story.fields.section, c.story.fields.slug)),
            }
        })
        .collect();
    let mut places = Vec::new();
    for there in network.sites.iter().filter(|s| s.id != site.id) {
        if site_role(state, &viewer.member, there).await? < kawaraban_core::model::Role::Editor {
            continue;
        }
        for section in network.sections(there.id) {
            places.push(context! {
                value => format!("{}/{}", there.key, section.slug),
                label => format!("{}: {}", there.name, section.name),
            });
        }
    }
    Ok(Some(context! { copies, places }))
}
