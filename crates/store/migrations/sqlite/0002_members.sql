-- Members, their sessions and sign-in identities, one-time tokens, the job
-- queue, rate-limit counters, network secrets and sign-in providers.
CREATE TABLE members (
    id                 INTEGER PRIMARY KEY,
    email              TEXT NOT NULL,
    email_norm         TEXT NOT NULL UNIQUE,
    email_verified_at  TEXT,
    display_name       TEXT NOT NULL,
    password_hash      TEXT,
    role               TEXT NOT NULL DEFAULT 'member',
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

CREATE TABLE identities (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    provider    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    UNIQUE (provider, subject)
);
CREATE INDEX identities_member ON identities (member_id);

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    login_id      TEXT NOT NULL,
    site_id       INTEGER NOT NULL,
    user_agent    TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_member ON sessions (member_id);
CREATE INDEX sessions_login ON sessions (login_id);

CREATE TABLE tokens (
    hash        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    member_id   INTEGER REFERENCES members(id) ON DELETE CASCADE,
    data        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX tokens_member ON tokens (member_id, kind);
CREATE INDEX tokens_expiry ON tokens (expires_at);

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'queued',
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 8,
    run_at        TEXT NOT NULL,
    locked_until  TEXT,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    finished_at   TEXT
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE rate_counters (
    key           TEXT NOT NULL,
    window_start  BIGINT NOT NULL,
    hits          INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

CREATE TABLE secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE auth_providers (
    key            TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    name           TEXT NOT NULL,
    issuer         TEXT NOT NULL DEFAULT '',
    client_id      TEXT NOT NULL,
    client_secret  TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
