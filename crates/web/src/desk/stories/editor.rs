//! The editor: a new story, an open one, and their saves. A save from an
//! older version than the stored one is merged field by field with what
//! was saved since; where both changed one field differently, the editor
//! shows both versions side by side and the writer chooses.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Duration, Utc};
use kawaraban_core::desk::{
    fields::label, may, DeskStatus, Intent, Merged, Refused, StoryFields, FIELDS,
};
use kawaraban_core::markdown;
use kawaraban_core::model::{Role, Story};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::publish::{save_story, Saving, Who};
use super::{form, load, own, role, Writer};
use crate::desk::render;
use crate::error::{AppError, AppResult};
use crate::members::{field, parse_form, see_other, Fields, Viewer, Visit};

/// How long an open editor counts as "editing now" after its last sign.
pub const PRESENCE_SECONDS: i64 = 45;

/// One field both editors changed, as the conflict shows it.
#[derive(Serialize)]
struct ConflictView {
    name: &'static str,
    label: &'static str,
    mine: String,
    theirs: String,
}

/// What the editor page shows besides the story.
#[derive(Default)]
struct Extra {
    error: Option<Refused>,
    notice: Option<String>,
    conflicts: Vec<ConflictView>,
    /// Who made the version the conflicts are against.
    theirs_by: Option<String>,
    /// The version the form saves against, when not the story's own.
    version: Option<i64>,
}

#[derive(Serialize)]
struct Button {
    intent: &'static str,
    label: &'static str,
    danger: bool,
}

fn buttons(viewer: &Viewer, story: Option<&Story>, now: chrono::DateTime<Utc>) -> Vec<Button> {
    if story.is_some_and(|s| s.circulated_from.is_some()) {
        // A sister site's copy: edited on its own site only.
        return Vec::new();
    }
    let status = story.map(|s| s.desk_status(now));
    let mine = story.is_none_or(|s| own(viewer, s));
    let can = |i| may(role(viewer), mine, status, i).is_ok();
    let mut out = Vec::new();
    let save_label = match status {
        None | Some(DeskStatus::Draft) => "Save draft",
        Some(DeskStatus::Published) => "Update",
        Some(DeskStatus::Scheduled) => "Save (stays scheduled)",
        Some(_) => "Save",
    };
    if can(Intent::Save) {
        out.push(Button {
            intent: "save",
            label: save_label,
            danger: false,
        });
    }
    if matches!(status, None | Some(DeskStatus::Draft))
        && role(viewer) < Role::Author
        && can(Intent::Submit)
    {
        out.push(Button {
            intent: "submit",
            label: "Submit for review",
            danger: false,
        });
    }
    if status != Some(DeskStatus::Published) && can(Intent::Publish) {
        out.push(Button {
            intent: "publish",
            label: "Publish or schedule",
            danger: false,
        });
    }
    if matches!(
        status,
        Some(DeskStatus::Submitted | DeskStatus::Unpublished | DeskStatus::Scheduled)
    ) && can(Intent::Draft)
    {
        out.push(Button {
            intent: "draft",
            label: "Back to draft",
            danger: false,
        });
    }
    if status.is_some_and(DeskStatus::is_out) && can(Intent::Unpublish) {
        out.push(Button {
            intent: "unpublish",
            label: "Unpublish (410 Gone)",
            danger: true,
        });
    }
    out
}

async fn editor_page(
    v: &Visit,
    viewer: &Viewer,
    story: Option<&Story>,
    fields: &StoryFields,
    extra: Extra,
    status: StatusCode,
) -> AppResult<Response> {
    let now = Utc::now();
    let tz = v.site.tz();
    let network = v.state.network.get();
    let sections: Vec<_> = network
        .sections(v.site.id)
        .iter()
        .map(|s| context! { slug => s.slug.clone(), name => s.name.clone() })
        .collect();
    let others: Vec<String> = match story {
        Some(s) => v
            .state
            .store
            .presence(&[s.id], now - Duration::seconds(PRESENCE_SECONDS))
            .await?
            .into_iter()
            .filter(|p| p.member_id != viewer.member.id)
            .map(|p| p.name)
            .collect(),
        None => Vec::new(),
    };
    let story_view = story.map(|s| {
        let st = s.desk_status(now);
        context! {
            id => s.id,
            version => extra.version.unwrap_or(s.version),
            status => st.as_str(),
            status_label => st.label(),
            url => st.is_out().then(|| format!("/{}/{}", s.fields.section, s.fields.slug)),
            published => crate::view::time_view(s.published_at, tz).human,
            preview_link => super::preview::link(&v.state, &v.site, s.id, now + Duration::hours(super::preview::LINK_HOURS)),
            preview_until => crate::view::time_view(now + Duration::hours(super::preview::LINK_HOURS), tz).human,
            modified => crate::view::time_view(s.modified_at, tz).human,
        }
    });
    let circulation = match story {
        Some(s) => super::circulation::view(&v.state, &v.site, viewer, s).await?,
        None => None,
    };
    let title = match story {
        Some(_) => format!("Edit: {}", fields.title),
        None => "New story".to_string(),
    };
    let (error, error_field) = match extra.error {
        Some(r) => (Some(r.message), r.field),
        None => (None, ""),
    };
    let mut resp = render(
        v,
        viewer,
        "desk/story.html",
        &title,
        "/desk/stories",
        context! {
            story => story_view,
            circulation,
            form => form::values(fields, tz),
            sections,
            buttons => buttons(viewer, story, now),
            others,
            words => markdown::word_count(&markdown::plain_text(&fields.body)),
            error, error_field, notice => extra.notice,
            conflicts => extra.conflicts, theirs_by => extra.theirs_by,
            csrf => viewer.csrf.clone(),
            tz => v.site.time_zone.clone(),
            presence_seconds => PRESENCE_SECONDS,
        },
    )?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// `GET /desk/stories/new`.
pub async fn new_page(Writer(v, viewer): Writer) -> AppResult<Response> {
    let network = v.state.network.get();
    let fields = StoryFields {
        section: network
            .sections(v.site.id)
            .first()
            .map(|s| s.slug.clone())
            .unwrap_or_default(),
        authors: vec![viewer.member.display_name.clone()],
        comment_mode: "open".into(),
        ..Default::default()
    };
    editor_page(&v, &viewer, None, &fields, Extra::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct Shown {
    #[serde(default)]
    merged: String,
    #[serde(default)]
    saved: Option<i64>,
    #[serde(default)]
    noted: String,
    #[serde(default)]
    circulated: String,
    #[serde(default)]
    stopped: String,
}

/// `GET /desk/stories/{id}`: the editor, noting that the viewer has it open.
pub async fn edit_page(
    Writer(v, viewer): Writer,
    Path(id): Path<i64>,
    Query(q): Query<Shown>,
) -> AppResult<Response> {
    let story = load(&v, &viewer, id).await?;
    v.state
        .store
        .touch_presence(id, viewer.member.id, Utc::now())
        .await?;
    let notice = if !q.merged.is_empty() {
        let names: Vec<&str> = q.merged.split(',').map(label).collect();
        Some(format!(
            "Someone saved this story while you were editing. Both saves are kept: your changes to {} were added to theirs.",
            names.join(", ")
        ))
    } else if let Some(site) = site_named(&v, &q.circulated) {
        Some(format!(
            "The story is on {site} too now, and follows every change made here."
        ))
    } else if let Some(site) = site_named(&v, &q.stopped) {
        Some(format!(
            "The story is off {site}: its address there answers 410 Gone."
        ))
    } else if let Some(kind) = kawaraban_core::model::NoteKind::parse(&q.noted) {
        Some(format!(
            "{} added: it is on the story's page now.",
            kind.label()
        ))
    } else {
        // Only true of the version stored: the address alone proves nothing.
        q.saved
            .filter(|n| *n == story.version)
            .map(|n| format!("Saved as version {n}."))
    };
    let extra = Extra {
        notice,
        ..Default::default()
    };
    editor_page(
        &v,
        &viewer,
        Some(&story),
        &story.fields,
        extra,
        StatusCode::OK,
    )
    .await
}

/// The name of the network's site with this key, if any.
fn site_named(v: &Visit, key: &str) -> Option<String> {
    let network = v.state.network.get();
    network
        .sites
        .iter()
        .find(|s| !key.is_empty() && s.key == key)
        .map(|s| s.name.clone())
}

fn intent_of(f: &Fields) -> AppResult<Intent> {
    Intent::parse(field(f, "intent")).ok_or_else(|| {
        AppError::bad_request(format!(
            "intent: \"{}\" is not a desk action",
            field(f, "intent")
        ))
    })
}

/// `POST /desk/stories`: a new story.
pub async fn create(Writer(v, viewer): Writer, body: axum::body::Bytes) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let intent = intent_of(&f)?;
    match form::read(&f, v.site.tz()) {
        Ok(fields) => write(&v, &viewer, None, fields, intent, 0, How::Typed).await,
        Err(e) => {
            let typed = lenient(&f, &v);
            editor_page(
                &v,
                &viewer,
                None,
                &typed,
                Extra {
                    error: Some(e),
                    ..Default::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The form's fields as typed, for showing again after a time that does
/// not read (the only field that can fail to): the times left empty.
fn lenient(f: &Fields, v: &Visit) -> StoryFields {
    let mut clean = f.clone();
    clean.remove("publish_at");
    clean.remove("embargo_until");
    form::read(&clean, v.site.tz()).unwrap_or_default()
}

/// `POST /desk/stories/{id}`: a save (`intent` save, submit, publish,
/// unpublish or draft) from `version`.
pub async fn save(
    Writer(v, viewer): Writer,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (_, mut f) = parse_form(&body);
    v.check_csrf(&f)?;
    let intent = intent_of(&f)?;
    let story = load(&v, &viewer, id).await?;
    // An emptied slug keeps the story's address (links to it stay good).
    if field(&f, "slug").trim().is_empty() {
        f.insert("slug".into(), story.fields.slug.clone());
    }
    let base: i64 = field(&f, "version").parse().map_err(|_| {
        AppError::bad_request("version: the form does not say which version it was opened at")
    })?;
    let mut mine = match form::read(&f, v.site.tz()) {
        Ok(x) => x,
        Err(e) => {
            let typed = lenient(&f, &v);
            let extra = Extra {
                error: Some(e),
                version: Some(base),
                ..Default::default()
            };
            return editor_page(
                &v,
                &viewer,
                Some(&story),
                &typed,
                extra,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    // Choices made on the conflict page: their version of these fields.
    for (name, _) in FIELDS {
        if field(&f, &format!("choose_{name}")) == "theirs" {
            mine.take(name, &story.fields);
        }
    }
    if base == story.version {
        return write(&v, &viewer, Some(&story), mine, intent, base, How::Typed).await;
    }
    let theirs = &story.fields;
    let merged = match v.state.store.revision(id, base).await? {
        Some(r) => StoryFields::merge(&r.fields, &mine, theirs),
        // The version it was opened at was never kept (an import moved
        // it on): every field that differs is the writer's to choose.
        None => Merged {
            fields: theirs.clone(),
            conflicts: mine.changed(theirs),
            mine: Vec::new(),
        },
    };
    if merged.conflicts.is_empty() {
        return write(
            &v,
            &viewer,
            Some(&story),
            merged.fields,
            intent,
            story.version,
            How::Merged(merged.mine),
        )
        .await;
    }
    let by = v
        .state
        .store
        .revision(id, story.version)
        .await?
        .and_then(|r| r.member_name);
    let mut shown = merged.fields.clone();
    let conflicts = merged
        .conflicts
        .iter()
        .map(|name| {
            shown.take(name, &mine);
            ConflictView {
                name,
                label: label(name),
                mine: mine.shown(name).unwrap_or_default(),
                theirs: theirs.shown(name).unwrap_or_default(),
            }
        })
        .collect();
    let extra = Extra {
        notice: Some(format!(
            "{} saved this story while you were editing. Fields only one of you changed are merged; for the ones you both changed, choose below, then save again.",
            by.as_deref().unwrap_or("Someone")
        )),
        conflicts,
        theirs_by: by,
        version: Some(story.version),
        ..Default::default()
    };
    editor_page(
        &v,
        &viewer,
        Some(&story),
        &shown,
        extra,
        StatusCode::CONFLICT,
    )
    .await
}

/// Where a save's fields came from.
pub enum How {
    /// As the writer typed them.
    Typed,
    /// Merged into another's save: these fields were the writer's.
    Merged(Vec<&'static str>),
    /// An earlier version, restored.
    Restored(i64),
}

/// Checks and writes one save, then announces it.
pub(super) async fn write(
    v: &Visit,
    viewer: &Viewer,
    story: Option<&Story>,
    fields: StoryFields,
    intent: Intent,
    base_version: i64,
    how: How,
) -> AppResult<Response> {
    let note = match &how {
        How::Typed => None,
        How::Merged(_) => Some(" (merged)".to_string()),
        How::Restored(n) => Some(format!("restore version {n}")),
    };
    let who = Who {
        member: Some(&viewer.member),
        key_id: None,
        role: role(viewer),
        own: story.is_none_or(|s| own(viewer, s)),
    };
    let refuse = |e: Refused, fields: StoryFields| async move {
        let extra = Extra {
            error: Some(e),
            version: Some(base_version),
            ..Default::default()
        };
        editor_page(
            v,
            viewer,
            story,
            &fields,
            extra,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await
    };
    match save_story(
        &v.state,
        &v.site,
        &who,
        story,
        fields,
        intent,
        base_version,
        note,
    )
    .await?
    {
        Saving::Saved { id, version } => {
            let to = match how {
                How::Merged(fields) => format!("/desk/stories/{id}?merged={}", fields.join(",")),
                _ => format!("/desk/stories/{id}?saved={version}"),
            };
            Ok(see_other(&to, Vec::new()))
        }
        Saving::Forbidden(m) => Err(AppError::Forbidden(m)),
        Saving::Refused(e, fields) => refuse(e, fields).await,
        Saving::Stale(fields) => {
            let e = Refused { field: "", message: "Someone saved this story at the same moment. Save again: the two saves will be merged.".into() };
            refuse(e, fields).await
        }
    }
}

/// `POST /desk/stories/{id}/presence`: the open editor's sign of life
/// (every few seconds); answers who else has it open and the version
/// stored now, so the page can say when someone saved.
pub async fn presence(
    Writer(v, viewer): Writer,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let (_, f) = parse_form(&body);
    v.check_csrf(&f)?;
    let story = load(&v, &viewer, id).await?;
    let now = Utc::now();
    v.state
        .store
        .touch_presence(id, viewer.member.id, now)
        .await?;
    let others: Vec<String> = v
        .state
        .store
        .presence(&[id], now - Duration::seconds(PRESENCE_SECONDS))
        .await?
        .into_iter()
        .filter(|p| p.member_id != viewer.member.id)
        .map(|p| p.name)
        .collect();
    Ok(crate::comments::json_answer(
        StatusCode::OK,
        serde_json::json!({ "others": others, "version": story.version }),
    ))
}
