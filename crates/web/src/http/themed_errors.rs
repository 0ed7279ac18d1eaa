//! Turns every error response into the theme's error page.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use minijinja::context;

use crate::error::ErrorInfo;
use crate::http::site::CurrentSite;
use crate::pages::Themed;
use crate::state::AppState;
use crate::view;

pub async fn themed_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let site = req.extensions().get::<CurrentSite>().cloned();
    let resp = next.run(req).await;
    let status = resp.status();
    if status.as_u16() < 400 || resp.extensions().get::<Themed>().is_some() {
        return resp;
    }
    let message = resp
        .extensions()
        .get::<ErrorInfo>()
        .map(|e| e.message.clone())
        .unwrap_or_default();
    let (mut parts, _) = resp.into_parts();
    let html = render(&state, site.as_ref(), status, &message);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let cc = if status == StatusCode::NOT_FOUND {
        "public, max-age=60"
    } else {
        "no-store"
    };
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cc));
    Response::from_parts(parts, Body::from(html))
}

fn title_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "Page not found",
        410 => "Story taken down",
        400 => "Bad request",
        405 => "Method not allowed",
        414 => "Address too long",
        403 => "Not allowed",
        429 => "Too many requests",
        503 => "Temporarily unavailable",
        s if s >= 500 => "Something went wrong",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

fn render(
    state: &AppState,
    site: Option<&CurrentSite>,
    status: StatusCode,
    message: &str,
) -> String {
    let title = title_for(status);
    let rendered = site.map(|site| {
        let chrome = view::chrome(&state.network.get(), &site.0, None, chrono::Utc::now());
        let meta = view::Meta {
            title: title.into(),
            noindex: true,
            ..Default::default()
        };
        state.theme.render(
            "error.html",
            context! { chrome, meta, status => status.as_u16(), title, message },
        )
    });
    match rendered {
        Some(Ok(html)) => html,
        Some(Err(e)) => {
            tracing::error!(error = %e, "the error page itself failed to render");
            fallback(status, title)
        }
        None => fallback(status, title),
    }
}

/// A minimal page for when there is no site or the theme is broken.
fn fallback(status: StatusCode, title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><main><h1>{title}</h1><p>Error {}.</p></main></body></html>",
        status.as_u16()
    )
}
