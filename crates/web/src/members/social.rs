//! Sign-in through other services: any OpenID Connect provider (found by
//! discovery from its issuer URL; Google is one), and Facebook (OAuth 2 and
//! the Graph `me` call). Authorization code flow with PKCE; `state` is a
//! one-time token in the database, the `nonce` is checked in the ID token.
//!
//! The first sign-in creates the account and sends one invitation to the
//! site's news alerts. An identity is linked to an existing account only
//! through an address the provider says is verified.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration as StdDuration, Instant};

use axum::extract::{Path, Query};
use axum::response::Response;
use chrono::{Duration, Utc};
use kawaraban_core::identity::{clean_display_name, parse_email};
use kawaraban_core::model::{AuthProvider, Member, NewMember, Role, Site, TokenKind};
use minijinja::context;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};

use super::secrets::token_hash;
use super::session::Client;
use super::{login, mail, notice, safe_next, see_other, Fields, Visit};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Facebook's OAuth endpoints and Graph API.
pub const FACEBOOK_DIALOG: &str = "https://www.facebook.com/v19.0/dialog/oauth";
pub const FACEBOOK_TOKEN: &str = "https://graph.facebook.com/v19.0/oauth/access_token";
pub const FACEBOOK_ME: &str = "https://graph.facebook.com/v19.0/me?fields=id,name,email";
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";

/// Discovery documents, kept for an hour.
#[derive(Default)]
pub struct Discovery(RwLock<HashMap<String, (Instant, CoreProviderMetadata)>>);

const DISCOVERY_TTL: StdDuration = StdDuration::from_secs(3600);

/// What the `state` token remembers between start and callback.
#[derive(Serialize, Deserialize)]
struct Pending {
    provider: String,
    verifier: String,
    nonce: String,
    next: String,
    site_id: i64,
}

/// What a provider told us about the person.
struct Person {
    subject: String,
    email: Option<String>,
    email_verified: bool,
    name: Option<String>,
}

fn http_client() -> AppResult<openidconnect::reqwest::Client> {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(StdDuration::from_secs(10))
        .build()
        .map_err(AppError::internal)
}

fn provider_error(what: &str, e: impl std::fmt::Display) -> AppError {
    tracing::warn!(error = %e, "sign-in provider: {what}");
    AppError::Unavailable(format!("sign-in provider: {what}: {e}"))
}

async fn find_provider(state: &AppState, key: &str) -> AppResult<AuthProvider> {
    state
        .store
        .auth_providers()
        .await?
        .into_iter()
        .find(|p| p.key == key)
        .ok_or(AppError::NotFound)
}

fn issuer_of(p: &AuthProvider) -> String {
    match p.kind.as_str() {
        "google" if p.issuer.is_empty() => GOOGLE_ISSUER.into(),
        _ => p.issuer.clone(),
    }
}

async fn metadata(state: &AppState, p: &AuthProvider) -> AppResult<CoreProviderMetadata> {
    let issuer = issuer_of(p);
    if let Some((at, m)) = state
        .discovery
        .0
        .read()
        .expect("discovery lock")
        .get(&issuer)
    {
        if at.elapsed() < DISCOVERY_TTL {
            return Ok(m.clone());
        }
    }
    let url = IssuerUrl::new(issuer.clone()).map_err(|e| provider_error("bad issuer URL", e))?;
    let m = CoreProviderMetadata::discover_async(url, &http_client()?)
        .await
        .map_err(|e| provider_error("discovery failed", e))?;
    state
        .discovery
        .0
        .write()
        .expect("discovery lock")
        .insert(issuer, (Instant::now(), m.clone()));
    Ok(m)
}

fn redirect_url(site: &Site, p: &AuthProvider) -> AppResult<RedirectUrl> {
    RedirectUrl::new(site.absolute(&format!("/auth/{}/callback", p.key)))
        .map_err(AppError::internal)
}

/// `/auth/{provider}/start?next=…`: off to the provider.
pub async fn start(
    v: Visit,
    Path(key): Path<String>,
    Query(q): Query<Fields>,
) -> AppResult<Response> {
    let Visit { state, site, .. } = v;
    let p = find_provider(&state, &key).await?;
    let (challenge, mut verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = if p.kind == "facebook" {
        let (fb_challenge, fb_verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
        let (url, csrf) = facebook_client(&site, &p)?
            .authorize_url(oauth2::CsrfToken::new_random)
            .add_scope(oauth2::Scope::new("email".into()))
            .add_scope(oauth2::Scope::new("public_profile".into()))
            .set_pkce_challenge(fb_challenge)
            .url();
        drop(challenge);
        verifier = PkceCodeVerifier::new(fb_verifier.secret().clone());
        (
            url,
            CsrfToken::new(csrf.secret().clone()),
            Nonce::new(String::new()),
        )
    } else {
        let client = CoreClient::from_provider_metadata(
            metadata(&state, &p).await?,
            ClientId::new(p.client_id.clone()),
            Some(ClientSecret::new(p.client_secret.clone())),
        )
        .set_redirect_uri(redirect_url(&site, &p)?);
        client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url()
    };
    let pending = Pending {
        provider: p.key.clone(),
        verifier: verifier.secret().clone(),
        nonce: nonce.secret().clone(),
        next: safe_next(&state, q.get("next").map(String::as_str).unwrap_or("/")),
        site_id: site.id,
    };
    let now = Utc::now();
    state
        .store
        .create_token(
            &token_hash(csrf.secret()),
            TokenKind::OAuthState,
            None,
            &serde_json::to_string(&pending).expect("serialises"),
            now,
            now + Duration::minutes(15),
        )
        .await?;
    Ok(see_other(url.as_str(), Vec::new()))
}

type FacebookClient = oauth2::basic::BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

/// Facebook speaks OAuth 2 with its own endpoints (overridable through the
/// provider's issuer field, `DIALOG_URL TOKEN_URL ME_URL`, for testing).
fn facebook_endpoints(p: &AuthProvider) -> (String, String, String) {
    let parts: Vec<&str> = p.issuer.split_whitespace().collect();
    match parts.as_slice() {
        [dialog, token, me] => (dialog.to_string(), token.to_string(), me.to_string()),
        _ => (
            FACEBOOK_DIALOG.into(),
            FACEBOOK_TOKEN.into(),
            FACEBOOK_ME.into(),
        ),
    }
}

fn facebook_client(site: &Site, p: &AuthProvider) -> AppResult<FacebookClient> {
    let (dialog, token, _) = facebook_endpoints(p);
    let redirect = oauth2::RedirectUrl::new(site.absolute(&format!("/auth/{}/callback", p.key)))
        .map_err(AppError::internal)?;
    Ok(
        oauth2::basic::BasicClient::new(oauth2::ClientId::new(p.client_id.clone()))
            .set_client_secret(oauth2::ClientSecret::new(p.client_secret.clone()))
            .set_auth_uri(oauth2::AuthUrl::new(dialog).map_err(AppError::internal)?)
            .set_token_uri(oauth2::TokenUrl::new(token).map_err(AppError::internal)?)
            .set_redirect_uri(redirect),
    )
}

/// `/auth/{provider}/callback?code=…&state=…`.
pub async fn callback(
    v: Visit,
    Path(key): Path<String>,
    Query(q): Query<Fields>,
) -> AppResult<Response> {
    let Visit {
        state,
        site,
        viewer,
        ip,
        headers,
        ..
    } = v;
    let failed = |why: &str| notice(&state, &site, "Sign-in did not complete", why);
    if let Some(err) = q.get("error") {
        tracing::info!(
            provider = key,
            error = err,
            "sign-in refused at the provider"
        );
        return failed("The sign-in was cancelled or refused at the provider. You can try again, or sign in another way.");
    }
    let (Some(code), Some(state_param)) = (q.get("code"), q.get("state")) else {
        return Err(AppError::bad_request(
            "The sign-in answer is missing its code or state.",
        ));
    };
    let spent = state
        .store
        .spend_token(&token_hash(state_param), TokenKind::OAuthState, Utc::now())
        .await?;
    let Some(pending) = spent.and_then(|s| serde_json::from_str::<Pending>(&s.data).ok()) else {
        return failed("This sign-in took too long or was already used. Please start again.");
    };
    if pending.provider != key || pending.site_id != site.id {
        return Err(AppError::bad_request(
            "The sign-in answer does not match the request.",
        ));
    }
    let p = find_provider(&state, &key).await?;
    let person = if p.kind == "facebook" {
        facebook_person(&site, &p, code, &pending).await?
    } else {
        oidc_person(&state, &site, &p, code, &pending).await?
    };
    let provider = p.key.clone();
    let client = Client::from_request(&headers, ip);

    // Known identity: sign in.
    if let Some(id) = state
        .store
        .identity_member(&provider, &person.subject)
        .await?
    {
        if let Some(member) = state.store.member_by_id(id).await? {
            return login::sign_in(&state, &site, &member, &client, &pending.next).await;
        }
    }
    let email = person.email.as_deref().and_then(|e| parse_email(e).ok());
    // Signed in already: link this identity to the account.
    if let Some(v) = viewer {
        state
            .store
            .link_identity(
                v.member.id,
                &provider,
                &person.subject,
                person.email.as_deref().unwrap_or(""),
                Utc::now(),
            )
            .await?;
        return Ok(see_other(&pending.next, Vec::new()));
    }
    let Some(email) = email else {
        return failed("The provider did not share an email address, which an account here needs. Please register with your email instead.");
    };
    if let Some(existing) = state.store.member_by_email(&email.norm).await? {
        if !person.email_verified {
            return failed("An account with this email address exists already. Sign in with it first; the provider has not confirmed that the address is yours.");
        }
        state
            .store
            .link_identity(
                existing.id,
                &provider,
                &person.subject,
                &email.email,
                Utc::now(),
            )
            .await?;
        state
            .store
            .mark_email_verified(existing.id, Utc::now())
            .await?;
        return login::sign_in(&state, &site, &existing, &client, &pending.next).await;
    }
    // The provider's name, else the address's local part, unless either is
    // a name kept for staff or the site.
    let reserved = super::names::reserved(&state, None).await?;
    let usable = |n: &str| {
        clean_display_name(n)
            .ok()
            .filter(|n| !reserved.is_reserved(n))
    };
    let name = person
        .name
        .as_deref()
        .and_then(usable)
        .or_else(|| usable(email.email.split('@').next().unwrap_or("")))
        .unwrap_or_else(|| "Reader".into());
    let member = state
        .store
        .create_member(
            &NewMember {
                email: email.email.clone(),
                email_norm: email.norm.clone(),
                display_name: name,
                password_hash: None,
                role: Role::Member,
                verified: person.email_verified,
            },
            Utc::now(),
        )
        .await?;
    crate::webhooks::emit(
        &state,
        site.id,
        "member.registered",
        super::register::registered(&member, "social"),
    )
    .await;
    state
        .store
        .link_identity(
            member.id,
            &provider,
            &person.subject,
            &email.email,
            Utc::now(),
        )
        .await?;
    invite(&state, &site, &member).await?;
    login::sign_in(&state, &site, &member, &client, &pending.next).await
}

/// The one invitation to the site's news alerts that a first social
/// sign-in sends. Nothing is subscribed until the member follows it.
async fn invite(state: &AppState, site: &Site, member: &Member) -> AppResult<()> {
    mail::send(
        state,
        site,
        "alerts_invitation",
        &member.email,
        &member.display_name,
        context! {
            link => site.absolute("/newsletters"),
            account_url => site.absolute("/account"),
        },
    )
    .await
}

async fn oidc_person(
    state: &AppState,
    site: &Site,
    p: &AuthProvider,
    code: &str,
    pending: &Pending,
) -> AppResult<Person> {
    let client = CoreClient::from_provider_metadata(
        metadata(state, p).await?,
        ClientId::new(p.client_id.clone()),
        Some(ClientSecret::new(p.client_secret.clone())),
    )
    .set_redirect_uri(redirect_url(site, p)?);
    let http = http_client()?;
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| provider_error("no token endpoint", e))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| provider_error("code exchange failed", e))?;
    let id_token = token
        .id_token()
        .ok_or_else(|| provider_error("no ID token", "the token response has none"))?;
    let claims = id_token
        .claims(
            &client.id_token_verifier(),
            &Nonce::new(pending.nonce.clone()),
        )
        .map_err(|e| provider_error("ID token rejected", e))?;
    Ok(Person {
        subject: claims.subject().as_str().to_string(),
        email: claims.email().map(|e| e.as_str().to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string()),
    })
}

#[derive(Deserialize)]
struct FacebookMe {
    id: String,
    name: Option<String>,
    email: Option<String>,
}

async fn facebook_person(
    site: &Site,
    p: &AuthProvider,
    code: &str,
    pending: &Pending,
) -> AppResult<Person> {
    let http = http_client()?;
    let token = facebook_client(site, p)?
        .exchange_code(oauth2::AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(oauth2::PkceCodeVerifier::new(pending.verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| provider_error("code exchange failed", e))?;
    let (_, _, me_url) = facebook_endpoints(p);
    let body = http
        .get(me_url)
        .bearer_auth(oauth2::TokenResponse::access_token(&token).secret())
        .send()
        .await
        .map_err(|e| provider_error("profile request failed", e))?
        .error_for_status()
        .map_err(|e| provider_error("profile request refused", e))?
        .bytes()
        .await
        .map_err(|e| provider_error("profile unreadable", e))?;
    let me: FacebookMe =
        serde_json::from_slice(&body).map_err(|e| provider_error("profile unreadable", e))?;
    // Facebook shares only addresses it has confirmed.
    Ok(Person {
        subject: me.id,
        email_verified: me.email.is_some(),
        email: me.email,
        name: me.name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fb(issuer: &str) -> AuthProvider {
        AuthProvider {
            key: "facebook".into(),
            kind: "facebook".into(),
            name: "Facebook".into(),
            issuer: issuer.into(),
            client_id: "123".into(),
            client_secret: "s".into(),
        }
    }

    #[test]
    fn facebook_uses_its_own_endpoints_unless_overridden() {
        assert_eq!(
            facebook_endpoints(&fb("")),
            (
                FACEBOOK_DIALOG.into(),
                FACEBOOK_TOKEN.into(),
                FACEBOOK_ME.into()
            )
        );
        let (dialog, token, me) = facebook_endpoints(&fb("http://a/d http://a/t http://a/me"));
        assert_eq!(
            (dialog.as_str(), token.as_str(), me.as_str()),
            ("http://a/d", "http://a/t", "http://a/me")
        );
    }

    #[test]
    fn the_facebook_authorization_url_asks_for_email_with_pkce() {
        let site = Site {
            id: 1,
            key: "news".into(),
            name: "News".into(),
            url: "https://news.example.com".into(),
            time_zone: "UTC".into(),
            publisher: "P".into(),
            tagline: String::new(),
            is_default: true,
        };
        let (challenge, _) = oauth2::PkceCodeChallenge::new_random_sha256();
        let (url, _) = facebook_client(&site, &fb(""))
            .unwrap()
            .authorize_url(oauth2::CsrfToken::new_random)
            .add_scope(oauth2::Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        let url = url.to_string();
        assert!(url.starts_with(FACEBOOK_DIALOG), "{url}");
        for needle in [
            "client_id=123",
            "scope=email",
            "code_challenge_method=S256",
            "state=",
            "redirect_uri=https%3A%2F%2Fnews.example.com%2Fauth%2Ffacebook%2Fcallback",
        ] {
            assert!(url.contains(needle), "{needle} in {url}");
        }
    }
}
