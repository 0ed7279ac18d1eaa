-- Readership counts (docs/analytics.md). Every app server adds its counts
-- to the same rows, so the numbers of several servers add up.

-- Views and new readers per article per minute (minutes since the epoch).
CREATE TABLE analytics_minutes (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    minute INTEGER NOT NULL,
    site_id INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    views INTEGER NOT NULL DEFAULT 0,
    readers INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, minute)
);
CREATE INDEX analytics_minutes_by_minute ON analytics_minutes (minute);

-- Views per article, minute and referrer kind (and host, for "other").
CREATE TABLE analytics_referrers (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    minute INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    host TEXT NOT NULL DEFAULT '',
    site_id INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    views INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, minute, kind, host)
);

-- The readers of each article on each day (days since the epoch), as
-- hashes under that day's salt; kept only to count a reader once a day.
CREATE TABLE analytics_readers (
    day INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    reader INTEGER NOT NULL,
    PRIMARY KEY (day, article_id, reader)
);

-- The secret salt of the current day; earlier days' are deleted.
CREATE TABLE analytics_salts (
    day INTEGER PRIMARY KEY,
    secret BLOB NOT NULL
);
