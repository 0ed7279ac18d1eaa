-- Campaigns (breaking alerts, digests, newsroom letters) and the outbox:
-- one row per (campaign, recipient), leased by the senders of every app
-- server, so that each recipient is queued once and sent once.
-- A digest's local sending time (HH:MM in the site's time zone).
ALTER TABLE mailing_lists ADD COLUMN send_time TEXT;

CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY,
    site_id     INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    list_id     INTEGER NOT NULL REFERENCES mailing_lists(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    dedupe_key  TEXT UNIQUE,
    subject     TEXT NOT NULL,
    preheader   TEXT NOT NULL DEFAULT '',
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX campaigns_site ON campaigns (site_id, id);

CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    subscriber_id  INTEGER NOT NULL,
    email          TEXT NOT NULL,
    status         TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_at        TEXT NOT NULL,
    sent_at        TEXT,
    error          TEXT NOT NULL DEFAULT '',
    UNIQUE (campaign_id, subscriber_id)
);
CREATE INDEX outbox_due ON outbox (next_at, id) WHERE status = 'queued';
CREATE INDEX outbox_campaign ON outbox (campaign_id, status);
