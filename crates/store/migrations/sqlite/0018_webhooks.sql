-- Webhooks (core::webhooks): receivers registered by admins for events, a
-- site's or the whole network's (site_id NULL), signed the Standard
-- Webhooks way; while a secret is rotated the previous one signs too.
CREATE TABLE webhooks (
    id               INTEGER PRIMARY KEY,
    site_id          INTEGER REFERENCES sites(id) ON DELETE CASCADE,
    url              TEXT NOT NULL,
    events           TEXT NOT NULL,
    secret           TEXT NOT NULL,
    previous_secret  TEXT NOT NULL DEFAULT '',
    rotated_at       TEXT,
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       TEXT NOT NULL
);

-- The durable outbox: one row per event and webhook, never two (the
-- unique key), tried until a receiver answers 2xx or the retries run out.
-- A sender leases rows (lease, next_at) so that two app servers never
-- deliver one row at once.
CREATE TABLE webhook_deliveries (
    id            INTEGER PRIMARY KEY,
    webhook_id    INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id      TEXT NOT NULL,
    event         TEXT NOT NULL,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       TEXT NOT NULL,
    lease         INTEGER NOT NULL DEFAULT 0,
    last_status   INTEGER,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    delivered_at  TEXT,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_at);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);
