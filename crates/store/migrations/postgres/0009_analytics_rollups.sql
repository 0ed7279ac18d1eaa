-- Hourly and daily sums of the readership counts, written together with
-- the minute rows, so that the minute rows can go after 48 hours and the
-- hourly ones after 90 days (docs/analytics.md, "Retention").

CREATE TABLE analytics_hours (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    hour BIGINT NOT NULL,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    views BIGINT NOT NULL DEFAULT 0,
    readers BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, hour)
);
CREATE INDEX analytics_hours_by_hour ON analytics_hours (hour, site_id);

CREATE TABLE analytics_days (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    views BIGINT NOT NULL DEFAULT 0,
    readers BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, day)
);
CREATE INDEX analytics_days_by_day ON analytics_days (day, site_id);

-- Views per article, day and referrer kind (and host, for "other").
CREATE TABLE analytics_referrer_days (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    kind INTEGER NOT NULL,
    host TEXT NOT NULL DEFAULT '',
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    views BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, day, kind, host)
);
CREATE INDEX analytics_referrer_days_by_day ON analytics_referrer_days (day, site_id);

-- Staff picks for the trending block: a pinned story goes first on the
-- other sites' blocks; an excluded one never shows.
CREATE TABLE trending_picks (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    pinned BOOLEAN NOT NULL,
    member_id BIGINT,
    created_at TIMESTAMPTZ NOT NULL
);

-- Per site: how fast its stories' readership fades in the trending block
-- (half-life, in minutes) and how old a story may be to appear at all.
CREATE TABLE trending_settings (
    site_id BIGINT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    half_life_minutes BIGINT NOT NULL,
    max_age_days BIGINT NOT NULL
);

-- The counts kept so far carry over into the new sums.
INSERT INTO analytics_hours (article_id, hour, site_id, views, readers)
    SELECT article_id, minute / 60, MIN(site_id), SUM(views), SUM(readers)
    FROM analytics_minutes GROUP BY article_id, minute / 60;
INSERT INTO analytics_days (article_id, day, site_id, views, readers)
    SELECT article_id, minute / 1440, MIN(site_id), SUM(views), SUM(readers)
    FROM analytics_minutes GROUP BY article_id, minute / 1440;
INSERT INTO analytics_referrer_days (article_id, day, kind, host, site_id, views)
    SELECT article_id, minute / 1440, kind, host, MIN(site_id), SUM(views)
    FROM analytics_referrers GROUP BY article_id, minute / 1440, kind, host;
