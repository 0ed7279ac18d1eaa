-- Sister sites run elsewhere: their feeds' items join the trending block,
-- ranked by the clicks the block sends them (docs/analytics.md).
CREATE TABLE external_sites (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    feed_url TEXT NOT NULL,
    fetched_at TEXT,
    last_error TEXT NOT NULL DEFAULT ''
);

CREATE TABLE external_items (
    id INTEGER PRIMARY KEY,
    external_site_id INTEGER NOT NULL REFERENCES external_sites (id) ON DELETE CASCADE,
    guid TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    published_at TEXT NOT NULL,
    UNIQUE (external_site_id, guid)
);
CREATE INDEX external_items_by_time ON external_items (published_at);

-- Clicks from the trending block, per item and hour.
CREATE TABLE external_clicks (
    item_id INTEGER NOT NULL REFERENCES external_items (id) ON DELETE CASCADE,
    hour INTEGER NOT NULL,
    clicks INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (item_id, hour)
);
