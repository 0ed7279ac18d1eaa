-- Newsletters and news alerts: each site's mailing lists, the addresses
-- subscribed to them, and the addresses never to mail again.
CREATE TABLE mailing_lists (
    id           INTEGER PRIMARY KEY,
    site_id      INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    section_id   INTEGER REFERENCES sections(id) ON DELETE SET NULL,
    position     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    UNIQUE (site_id, key)
);

CREATE TABLE subscribers (
    id            INTEGER PRIMARY KEY,
    site_id       INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    email_norm    TEXT NOT NULL,
    member_id     INTEGER REFERENCES members(id) ON DELETE SET NULL,
    status        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT,
    updated_at    TEXT NOT NULL,
    UNIQUE (site_id, email_norm)
);
CREATE INDEX subscribers_member ON subscribers (member_id);

CREATE TABLE subscriptions (
    subscriber_id  INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    list_id        INTEGER NOT NULL REFERENCES mailing_lists(id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (subscriber_id, list_id)
);
CREATE INDEX subscriptions_list ON subscriptions (list_id, subscriber_id);

CREATE TABLE suppressions (
    email_norm  TEXT PRIMARY KEY,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
