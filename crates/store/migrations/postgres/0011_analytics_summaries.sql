-- What the desk's dashboard sums over many days, kept small: views per
-- site, section and day, and referrers per site and day, written with
-- every count; and covering indexes, so that summing a span of days or
-- hours reads the index alone (docs/analytics.md).

CREATE TABLE analytics_section_days (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    section_id BIGINT NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    views BIGINT NOT NULL DEFAULT 0,
    readers BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, day, section_id)
);

CREATE TABLE analytics_site_referrer_days (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    kind INTEGER NOT NULL,
    host TEXT NOT NULL DEFAULT '',
    views BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, day, kind, host)
);

INSERT INTO analytics_section_days (site_id, day, section_id, views, readers)
    SELECT a.site_id, d.day, a.section_id, SUM(d.views), SUM(d.readers)
    FROM analytics_days d JOIN articles a ON a.id = d.article_id
    GROUP BY a.site_id, d.day, a.section_id;
INSERT INTO analytics_site_referrer_days (site_id, day, kind, host, views)
    SELECT site_id, day, kind, host, SUM(views) FROM analytics_referrer_days
    GROUP BY site_id, day, kind, host;

DROP INDEX analytics_hours_by_hour;
CREATE INDEX analytics_hours_cover ON analytics_hours (hour, site_id, article_id, views, readers);
DROP INDEX analytics_days_by_day;
CREATE INDEX analytics_days_cover ON analytics_days (day, site_id, article_id, views, readers);
DROP INDEX analytics_referrer_days_by_day;
