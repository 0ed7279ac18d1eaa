-- Integrations' keys, shaped as Ghost's (core::api_key): a content key is
-- kept as its SHA-256, an admin key as its id and the secret that checks
-- its tokens. Revoked keys stay, so that the logs' names keep meaning.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('content', 'admin')),
    lookup TEXT NOT NULL UNIQUE,
    secret TEXT,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
