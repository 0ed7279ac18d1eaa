//! Members, sessions, tokens, jobs, rate counters and network settings: the
//! SQL is the same text for both backends but for the job claim's row lock
//! (`$lock`: `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer).

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub id: i64,
    pub email: String,
    pub email_norm: String,
    pub email_verified_at: Option<chrono::DateTime<chrono::Utc>>,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<MemberRow> for kawaraban_core::model::Member {
    fn from(r: MemberRow) -> Self {
        Self {
            id: r.id,
            email: r.email,
            email_norm: r.email_norm,
            email_verified_at: r.email_verified_at,
            display_name: r.display_name,
            password_hash: r.password_hash,
            role: r
                .role
                .parse()
                .unwrap_or(kawaraban_core::model::Role::Member),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    pub id_hash: String,
    pub member_id: i64,
    pub login_id: String,
    pub site_id: i64,
    pub user_agent: String,
    pub ip: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl From<SessionRow> for kawaraban_core::model::Session {
    fn from(r: SessionRow) -> Self {
        Self {
            id_hash: r.id_hash,
            member_id: r.member_id,
            login_id: r.login_id,
            site_id: r.site_id,
            user_agent: r.user_agent,
            ip: r.ip,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
        }
    }
}

pub(crate) const MEMBER_COLUMNS: &str =
    "id, email, email_norm, email_verified_at, display_name, password_hash, role, created_at, updated_at";
pub(crate) const SESSION_COLUMNS: &str =
    "id_hash, member_id, login_id, site_id, user_agent, ip, created_at, last_seen_at, expires_at";

macro_rules! impl_member_store {
    ($store:path, $db:ty, $lock:literal) => {
        mod member_impl {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use kawaraban_core::model::*;
            use kawaraban_core::store::*;
            use kawaraban_core::StoreResult;

            use crate::error::map;
            use crate::members::{MemberRow, SessionRow, MEMBER_COLUMNS, SESSION_COLUMNS};

            async fn exec<'q>(store: &$store, q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>) -> StoreResult<u64> {
                let r = q.execute(&store.pool).await.map_err(map)?;
                Ok(r.rows_affected())
            }

            #[async_trait]
            impl MemberStore for $store {
                async fn create_member(&self, m: &NewMember, now: DateTime<Utc>) -> StoreResult<Member> {
                    let row: MemberRow = sqlx::query_as(&format!(
                        "INSERT INTO members (email, email_norm, email_verified_at, display_name, password_hash, role, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {MEMBER_COLUMNS}"
                    ))
                    .bind(&m.email)
                    .bind(&m.email_norm)
                    .bind(m.verified.then_some(now))
                    .bind(&m.display_name)
                    .bind(&m.password_hash)
                    .bind(m.role.as_str())
                    .bind(now)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map)?;
                    Ok(row.into())
                }

                async fn member_by_id(&self, id: i64) -> StoreResult<Option<Member>> {
                    let row: Option<MemberRow> = sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1"))
                        .bind(id).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(Member::from))
                }

                async fn member_by_email(&self, email_norm: &str) -> StoreResult<Option<Member>> {
                    let row: Option<MemberRow> = sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} FROM members WHERE email_norm = $1"))
                        .bind(email_norm).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(Member::from))
                }

                async fn list_staff(&self) -> StoreResult<Vec<Member>> {
                    let rows: Vec<MemberRow> = sqlx::query_as(&format!(
                        "SELECT {MEMBER_COLUMNS} FROM members WHERE role <> 'member' ORDER BY email_norm"
                    ))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map)?;
                    Ok(rows.into_iter().map(Member::from).collect())
                }

                async fn find_members(&self, query: &str, after: Option<i64>, limit: u32) -> StoreResult<Vec<Member>> {
                    let mut b = sqlx::QueryBuilder::<$db>::new(format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id > "));
                    b.push_bind(after.unwrap_or(0));
                    for w in query.split_whitespace() {
                        b.push(" AND LOWER(email_norm || ' ' || display_name) LIKE ")
                            .push_bind(crate::sql::contains_pattern(w))
                            .push(" ESCAPE '\\'");
                    }
                    b.push(" ORDER BY id LIMIT ").push_bind(i64::from(limit.max(1)));
                    let rows: Vec<MemberRow> = b.build_query_as().fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(Member::from).collect())
                }

                async fn set_display_name(&self, id: i64, name: &str, now: DateTime<Utc>) -> StoreResult<()> {
                    exec(self, sqlx::query("UPDATE members SET display_name = $1, updated_at = $2 WHERE id = $3").bind(name).bind(now).bind(id)).await?;
                    Ok(())
                }

                async fn set_password_hash(&self, id: i64, hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
                    let (_turn, mut tx) = self.write().await.map_err(map)?;
                    sqlx::query("UPDATE members SET password_hash = $1, updated_at = $2 WHERE id = $3")
                        .bind(hash).bind(now).bind(id).execute(&mut *tx).await.map_err(map)?;
                    sqlx::query("UPDATE tokens SET used_at = $1 WHERE member_id = $2 AND kind = 'reset' AND used_at IS NULL")
                        .bind(now).bind(id).execute(&mut *tx).await.map_err(map)?;
                    tx.commit().await.map_err(map)
                }

                async fn set_email(&self, id: i64, email: &str, email_norm: &str, verified: bool, now: DateTime<Utc>) -> StoreResult<()> {
                    exec(self, sqlx::query("UPDATE members SET email = $1, email_norm = $2, email_verified_at = $3, updated_at = $4 WHERE id = $5")
                        .bind(email).bind(email_norm).bind(verified.then_some(now)).bind(now).bind(id)).await?;
                    Ok(())
                }

                async fn mark_email_verified(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
                    exec(self, sqlx::query("UPDATE members SET email_verified_at = COALESCE(email_verified_at, $1), updated_at = $1 WHERE id = $2").bind(now).bind(id)).await?;
                    Ok(())
                }

                async fn set_role(&self, id: i64, role: Role, now: DateTime<Utc>) -> StoreResult<()> {
                    let n = exec(self, sqlx::query("UPDATE members SET role = $1, updated_at = $2 WHERE id = $3").bind(role.as_str()).bind(now).bind(id)).await?;
                    if n == 0 { return Err(kawaraban_core::StoreError::NotFound); }
                    Ok(())
                }

                async fn delete_member(&self, id: i64) -> StoreResult<()> {
                    exec(self, sqlx::query("DELETE FROM members WHERE id = $1").bind(id)).await?;
                    Ok(())
                }

                async fn identity_member(&self, provider: &str, subject: &str) -> StoreResult<Option<i64>> {
                    let row: Option<(i64,)> = sqlx::query_as("SELECT member_id FROM identities WHERE provider = $1 AND subject = $2")
                        .bind(provider).bind(subject).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(|r| r.0))
                }

                async fn link_identity(&self, member_id: i64, provider: &str, subject: &str, email: &str, now: DateTime<Utc>) -> StoreResult<()> {
                    exec(self, sqlx::query(
                        "INSERT INTO identities (member_id, provider, subject, email, created_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (provider, subject) DO UPDATE SET email = excluded.email")
                        .bind(member_id).bind(provider).bind(subject).bind(email).bind(now)).await?;
                    Ok(())
                }

                async fn identities(&self, member_id: i64) -> StoreResult<Vec<Identity>> {
                    let rows: Vec<(String, String, String, DateTime<Utc>)> = sqlx::query_as(
                        "SELECT provider, subject, email, created_at FROM identities WHERE member_id = $1 ORDER BY id")
                        .bind(member_id).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(|(provider, subject, email, created_at)| Identity { provider, subject, email, created_at }).collect())
                }
            }

            #[async_trait]
            impl SessionStore for $store {
                async fn create_session(&self, s: &Session) -> StoreResult<()> {
                    exec(self, sqlx::query(
                        "INSERT INTO sessions (id_hash, member_id, login_id, site_id, user_agent, ip, created_at, last_seen_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                        .bind(&s.id_hash).bind(s.member_id).bind(&s.login_id).bind(s.site_id).bind(&s.user_agent)
                        .bind(&s.ip).bind(s.created_at).bind(s.last_seen_at).bind(s.expires_at)).await?;
                    Ok(())
                }

                async fn session(&self, id_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Session>> {
                    let row: Option<SessionRow> = sqlx::query_as(&format!(
                        "SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = $1 AND expires_at > $2"))
                        .bind(id_hash).bind(now).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(Session::from))
                }

                async fn signed_in(&self, id_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<kawaraban_core::store::SignedIn>> {
                    self.read_signed_in(id_hash, now).await
                }

                async fn touch_session(&self, id_hash: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> StoreResult<()> {
                    exec(self, sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3")
                        .bind(now).bind(expires_at).bind(id_hash)).await?;
                    Ok(())
                }

                async fn sessions_of(&self, member_id: i64, now: DateTime<Utc>) -> StoreResult<Vec<Session>> {
                    let rows: Vec<SessionRow> = sqlx::query_as(&format!(
                        "SELECT {SESSION_COLUMNS} FROM sessions WHERE member_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC"))
                        .bind(member_id).bind(now).fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(Session::from).collect())
                }

                async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
                    exec(self, sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash)).await?;
                    Ok(())
                }

                async fn delete_login(&self, member_id: i64, login_id: &str) -> StoreResult<u64> {
                    exec(self, sqlx::query("DELETE FROM sessions WHERE member_id = $1 AND login_id = $2").bind(member_id).bind(login_id)).await
                }

                async fn delete_sessions_of(&self, member_id: i64, keep_login: Option<&str>) -> StoreResult<u64> {
                    exec(self, sqlx::query("DELETE FROM sessions WHERE member_id = $1 AND login_id <> $2")
                        .bind(member_id).bind(keep_login.unwrap_or(""))).await
                }
            }

            #[async_trait]
            impl TokenStore for $store {
                async fn create_token(&self, hash: &str, kind: TokenKind, member_id: Option<i64>, data: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> StoreResult<()> {
                    exec(self, sqlx::query(
                        "INSERT INTO tokens (hash, kind, member_id, data, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(hash).bind(kind.as_str()).bind(member_id).bind(data).bind(now).bind(expires_at)).await?;
                    // Expired tokens are of no use to anyone: forget them as we go.
                    exec(self, sqlx::query("DELETE FROM tokens WHERE expires_at < $1").bind(now - chrono::Duration::days(1))).await?;
                    Ok(())
                }

                async fn spend_token(&self, hash: &str, kind: TokenKind, now: DateTime<Utc>) -> StoreResult<Option<SpentToken>> {
                    let row: Option<(Option<i64>, String)> = sqlx::query_as(
                        "UPDATE tokens SET used_at = $1 WHERE hash = $2 AND kind = $3 AND used_at IS NULL AND expires_at > $1 \
                         RETURNING member_id, data")
                        .bind(now).bind(hash).bind(kind.as_str()).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(|(member_id, data)| SpentToken { member_id, data }))
                }

                async fn token_is_live(&self, hash: &str, kind: TokenKind, now: DateTime<Utc>) -> StoreResult<bool> {
                    let row: Option<(i64,)> = sqlx::query_as(
                        "SELECT CAST(1 AS BIGINT) FROM tokens WHERE hash = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3")
                        .bind(hash).bind(kind.as_str()).bind(now).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.is_some())
                }
            }

            #[async_trait]
            impl JobStore for $store {
                async fn enqueue_job(&self, kind: &str, payload: &str, run_at: DateTime<Utc>) -> StoreResult<i64> {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ($1, $2, $3, $3) RETURNING id")
                        .bind(kind).bind(payload).bind(run_at).fetch_one(&self.pool).await.map_err(map)?;
                    Ok(id)
                }

                async fn claim_job(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> StoreResult<Option<Job>> {
                    let row: Option<(i64, String, String, i64, i64)> = sqlx::query_as(concat!(
                        "UPDATE jobs SET locked_until = $2, attempts = attempts + 1 WHERE id = (\
                           SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $1 \
                           AND (locked_until IS NULL OR locked_until < $1) ORDER BY run_at, id LIMIT 1 ", $lock,
                        ") RETURNING id, kind, payload, attempts, max_attempts"))
                        .bind(now).bind(lease_until).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(|(id, kind, payload, attempts, max_attempts)| Job { id, kind, payload, attempts, max_attempts }))
                }

                async fn finish_job(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
                    exec(self, sqlx::query("UPDATE jobs SET status = 'done', finished_at = $1, locked_until = NULL WHERE id = $2").bind(now).bind(id)).await?;
                    Ok(())
                }

                async fn fail_job(&self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> StoreResult<()> {
                    match retry_at {
                        Some(at) => exec(self, sqlx::query("UPDATE jobs SET run_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3")
                            .bind(at).bind(error).bind(id)).await?,
                        None => exec(self, sqlx::query("UPDATE jobs SET status = 'failed', finished_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3")
                            .bind(now).bind(error).bind(id)).await?,
                    };
                    Ok(())
                }

                async fn count_jobs(&self, status: &str) -> StoreResult<u64> {
                    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE status = $1").bind(status).fetch_one(&self.pool).await.map_err(map)?;
                    Ok(n as u64)
                }
            }

            #[async_trait]
            impl RateCounters for $store {
                async fn hit(&self, key: &str, window_start: i64) -> StoreResult<i64> {
                    self.add_hits(key, window_start, 1).await
                }

                async fn add_hits(&self, key: &str, window_start: i64, n: i64) -> StoreResult<i64> {
                    // Hit on every form an attacker can repeat: grouped where the
                    // backend has one writer (SQLite).
                    if let Some(total) = self.fast_hits(key, window_start, n).await {
                        return total;
                    }
                    let (total,): (i64,) = sqlx::query_as(crate::sql::ADD_HITS)
                        .bind(key).bind(window_start).bind(n).fetch_one(&self.pool).await.map_err(map)?;
                    Ok(total)
                }

                async fn hits(&self, key: &str, window_start: i64) -> StoreResult<i64> {
                    let row: Option<(i64,)> = sqlx::query_as("SELECT hits FROM rate_counters WHERE key = $1 AND window_start = $2")
                        .bind(key).bind(window_start).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(|r| r.0).unwrap_or(0))
                }

                async fn prune_counters(&self, before: i64) -> StoreResult<u64> {
                    exec(self, sqlx::query("DELETE FROM rate_counters WHERE window_start < $1").bind(before)).await
                }
            }

            #[async_trait]
            impl NetworkSettings for $store {
                async fn secret(&self, name: &str, fresh: &str, now: DateTime<Utc>) -> StoreResult<String> {
                    exec(self, sqlx::query("INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
                        .bind(name).bind(fresh).bind(now)).await?;
                    let (v,): (String,) = sqlx::query_as("SELECT value FROM secrets WHERE name = $1").bind(name).fetch_one(&self.pool).await.map_err(map)?;
                    Ok(v)
                }

                async fn auth_providers(&self) -> StoreResult<Vec<AuthProvider>> {
                    let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
                        "SELECT key, kind, name, issuer, client_id, client_secret FROM auth_providers ORDER BY created_at, key")
                        .fetch_all(&self.pool).await.map_err(map)?;
                    Ok(rows.into_iter().map(|(key, kind, name, issuer, client_id, client_secret)| AuthProvider { key, kind, name, issuer, client_id, client_secret }).collect())
                }

                async fn upsert_auth_provider(&self, p: &AuthProvider, now: DateTime<Utc>) -> StoreResult<()> {
                    exec(self, sqlx::query(
                        "INSERT INTO auth_providers (key, kind, name, issuer, client_id, client_secret, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, name = excluded.name, issuer = excluded.issuer, \
                         client_id = excluded.client_id, client_secret = excluded.client_secret")
                        .bind(&p.key).bind(&p.kind).bind(&p.name).bind(&p.issuer).bind(&p.client_id).bind(&p.client_secret).bind(now)).await?;
                    Ok(())
                }

                async fn delete_auth_provider(&self, key: &str) -> StoreResult<bool> {
                    Ok(exec(self, sqlx::query("DELETE FROM auth_providers WHERE key = $1").bind(key)).await? > 0)
                }

                async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
                    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM network_settings WHERE key = $1")
                        .bind(key).fetch_optional(&self.pool).await.map_err(map)?;
                    Ok(row.map(|(v,)| v))
                }

                async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
                    exec(self, sqlx::query(
                        "INSERT INTO network_settings (key, value) VALUES ($1, $2) \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                        .bind(key).bind(value)).await?;
                    Ok(())
                }
            }
        }
    };
}
